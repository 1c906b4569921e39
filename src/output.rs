//! The finished site in memory: every file of the output with its bytes (or
//! the file to copy them from) and what produced it, so that two sources
//! aiming at one path are caught before anything is written.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Problem, Problems, Result};
use crate::paths::OutputPath;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Shared, so a page a `serve` session keeps from build to build is not copied.
    Bytes(Arc<Vec<u8>>),
    /// A file copied as it is (a photo, a static file).
    Copy(PathBuf),
    /// A file built into milepost (the default theme's).
    Builtin(&'static [u8]),
    /// A file of milepost's cache (a photo variant): hard-linked into the
    /// output where the file system allows, since the cache never changes a
    /// file in place, else copied.
    Link(PathBuf),
    /// Already written to the output folder during the build (or found there
    /// as it should be), so no copy of the bytes is held: the file at `at`,
    /// or, for a replaced file, its staged copy until the build succeeds.
    Placed { at: PathBuf },
}

#[derive(Debug, Clone)]
pub struct OutputFile {
    pub(crate) path: OutputPath,
    /// What made it, for messages: a source file, or a generated page's name.
    pub(crate) origin: String,
    pub(crate) body: Body,
}

/// Fails naming both sources when two files would be written to one path,
/// one file's path is another's folder, or two paths differ only in case or
/// Unicode form (one file on macOS and Windows hosts).
pub(crate) fn check_unique(files: &[OutputFile]) -> Result<()> {
    let mut by_path: BTreeMap<&str, &OutputFile> = BTreeMap::new();
    let mut problems = Problems::default();
    for file in files {
        if let Some(first) = by_path.insert(file.path.as_str(), file) {
            problems.push(clash(file.path.as_str(), first, file));
        }
    }
    for (path, file) in &by_path {
        // A file `a/b` and a file `a/b/index.html` cannot both exist.
        let folder = format!("{path}/");
        if let Some((_, inside)) =
            by_path.range(folder.as_str()..).next().filter(|(p, _)| p.starts_with(&folder))
        {
            problems.push(clash(path, file, inside));
        }
    }
    for problem in case_clashes(&by_path) {
        problems.push(problem);
    }
    problems.into_result(())
}

/// Paths that are one file where names ignore case and Unicode form (macOS,
/// Windows, and the hosts that serve from them), one problem for each pair
/// of sources, however many files (a photo's variants) they make.
fn case_clashes(by_path: &BTreeMap<&str, &OutputFile>) -> Vec<Problem> {
    let mut first_of: HashMap<Cow<'_, str>, &str> = HashMap::new();
    let mut pairs: BTreeSet<(&str, &str, &str, &str)> = BTreeSet::new();
    for (&path, file) in by_path {
        let key = folded(path);
        match first_of.get(&key) {
            Some(&first) => {
                let (a, b) = (by_path[first], *file);
                let ((a, pa), (b, pb)) =
                    if a.origin <= b.origin { ((a, first), (b, path)) } else { ((b, path), (a, first)) };
                pairs.insert((a.origin.as_str(), pa, b.origin.as_str(), pb));
            }
            None => {
                first_of.insert(key, path);
            }
        }
    }
    let mut seen = BTreeSet::new();
    pairs
        .into_iter()
        .filter(|(a, _, b, _)| seen.insert((*a, *b)))
        .map(|(a, pa, b, pb)| {
            Problem::new(format!(
                "{a} and {b} would be published at /{pa} and /{pb}, names that differ only in capital letters (or in how an accent is encoded): \
                 on macOS and Windows, and on hosts that serve from them, they are one file"
            ))
            .hint("rename one of them so the names differ in more than case")
        })
        .collect()
}

/// The name a case-insensitive, normalising file system sees; the path itself
/// for the usual lowercase ASCII path, without allocating.
fn folded(path: &str) -> Cow<'_, str> {
    if path.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(path.nfc().collect::<String>().to_lowercase())
    }
}

fn clash(path: &str, first: &OutputFile, second: &OutputFile) -> Problem {
    let (first, second) = if first.origin <= second.origin { (first, second) } else { (second, first) };
    let url = path.strip_suffix("index.html").unwrap_or(path);
    Problem::new(format!("two sources would be published at /{url}: {} and {}", first.origin, second.origin))
        .hint("rename one of them, or give one a different `slug:` in its front matter")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, origin: &str) -> OutputFile {
        OutputFile { path: path.into(), origin: origin.to_string(), body: Body::Builtin(b"") }
    }

    #[test]
    fn names_differing_only_in_case_or_unicode_form_clash_once_per_pair_of_sources() {
        let files = [
            file("trip/IMG_1.JPG", "content/trip/IMG_1.JPG"),
            file("trip/img_1.jpg", "content/trip/img_1.jpg"),
            file("trip/caf\u{e9}.txt", "content/trip/caf\u{e9}.txt"),
            file("trip/Cafe\u{301}.txt", "content/trip/Cafe\u{301}.txt"),
            file("trip/IMG_1-400.jpg", "content/trip/IMG_1.JPG"),
            file("trip/img_1-400.jpg", "content/trip/img_1.jpg"),
            file("trip/cafe.txt", "content/trip/cafe.txt"),
        ];
        let err = check_unique(&files).unwrap_err().to_string();
        assert_eq!(err.matches("differ only in capital letters").count(), 2, "{err}");
        assert!(err.contains("content/trip/IMG_1.JPG and content/trip/img_1.jpg"), "{err}");
        assert!(!err.contains("cafe.txt"), "café and cafe are different names: {err}");
    }

    #[test]
    fn distinct_names_pass() {
        let files = [
            file("a/index.html", "a.md"),
            file("A-b/index.html", "A-b.md"),
            file("\u{e9}t\u{e9}/x.jpg", "x.jpg"),
        ];
        check_unique(&files).unwrap();
    }
}

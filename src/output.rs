//! The finished site in memory: every file of the output with its bytes (or
//! the file to copy them from) and what produced it, so that two sources
//! aiming at one path are caught before anything is written.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Problem, Problems, Result};
use crate::paths::OutputPath;

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

/// Fails naming both sources when two files would be written to one path, or
/// one file's path is another's folder.
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
    problems.into_result(())
}

fn clash(path: &str, first: &OutputFile, second: &OutputFile) -> Problem {
    let (first, second) = if first.origin <= second.origin { (first, second) } else { (second, first) };
    let url = path.strip_suffix("index.html").unwrap_or(path);
    Problem::new(format!("two sources would be published at /{url}: {} and {}", first.origin, second.origin))
        .hint("rename one of them, or give one a different `slug:` in its front matter")
}

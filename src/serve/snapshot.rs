//! One build of the site as `serve` holds it: each file's bytes, or the file
//! to read them from when asked, by its path in the output. A rebuild that
//! made a few files is the last snapshot with those files laid over it, so
//! it costs what it changed, not what the site holds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::output::{Body as OutBody, OutputFile};
use crate::paths::OutputPath;

/// Past this many files laid over, they are merged into a new base.
const MOST_OVER: usize = 1024;

/// The files of one build, by their path in the output.
#[derive(Default, Clone)]
pub struct Snapshot {
    /// A whole build, shared with the snapshots patched from it.
    base: Arc<HashMap<OutputPath, Served>>,
    /// Files made since, which stand in for the base's.
    over: HashMap<OutputPath, Served>,
}

#[derive(Clone, PartialEq, Eq)]
pub(super) enum Served {
    Bytes(Arc<Vec<u8>>),
    /// A photo variant or a copied file, read when asked for.
    File(PathBuf),
}

impl Served {
    fn of(file: &OutputFile) -> Served {
        match &file.body {
            OutBody::Bytes(bytes) => Served::Bytes(bytes.clone()),
            OutBody::Builtin(bytes) => Served::Bytes(Arc::new(bytes.to_vec())),
            OutBody::Copy(path) | OutBody::Link(path) | OutBody::Placed { at: path, .. } => {
                Served::File(path.clone())
            }
        }
    }

    fn differs(&self, other: &Served) -> bool {
        match (self, other) {
            (Served::Bytes(x), Served::Bytes(y)) => !Arc::ptr_eq(x, y) && x != y,
            (Served::File(x), Served::File(y)) => x != y,
            _ => true,
        }
    }
}

impl Snapshot {
    pub(super) fn new(files: &[OutputFile]) -> Snapshot {
        let base = files.iter().map(|file| (file.path.clone(), Served::of(file))).collect();
        Snapshot { base: Arc::new(base), over: HashMap::new() }
    }

    /// This snapshot with `files` in place of (or beside) its own.
    pub(super) fn patched(&self, files: &[OutputFile]) -> Snapshot {
        let mut over = self.over.clone();
        over.extend(files.iter().map(|file| (file.path.clone(), Served::of(file))));
        if over.len() <= MOST_OVER {
            return Snapshot { base: self.base.clone(), over };
        }
        let mut base = (*self.base).clone();
        base.extend(over);
        Snapshot { base: Arc::new(base), over: HashMap::new() }
    }

    pub(super) fn get(&self, path: &str) -> Option<&Served> {
        self.over.get(path).or_else(|| self.base.get(path))
    }

    pub(super) fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// How many files differ from `before` (added, removed or changed).
    pub fn changed_since(&self, before: &Snapshot) -> usize {
        if Arc::ptr_eq(&self.base, &before.base) {
            // Only what either laid over the shared base can differ.
            let mut paths: Vec<&OutputPath> = self.over.keys().chain(before.over.keys()).collect();
            paths.sort_unstable();
            paths.dedup();
            return paths
                .into_iter()
                .filter(|path| match (self.get(path.as_str()), before.get(path.as_str())) {
                    (Some(now), Some(then)) => now.differs(then),
                    _ => true,
                })
                .count();
        }
        let changed =
            self.files().filter(|(path, file)| before.get(path).is_none_or(|b| file.differs(b))).count();
        changed + before.paths().filter(|path| !self.contains(path)).count()
    }

    fn files(&self) -> impl Iterator<Item = (&str, &Served)> {
        let base = self.base.iter().filter(|(path, _)| !self.over.contains_key(*path));
        base.chain(self.over.iter()).map(|(path, served)| (path.as_str(), served))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files().map(|(path, _)| path)
    }

    /// The bytes served at `path` (an output path), without the reload script.
    pub fn bytes(&self, path: &str) -> Option<Vec<u8>> {
        match self.get(path)? {
            Served::Bytes(bytes) => Some(bytes.to_vec()),
            Served::File(file) => std::fs::read(file).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            origin: String::new(),
            body: OutBody::Bytes(Arc::new(text.as_bytes().to_vec())),
        }
    }

    #[test]
    fn a_patched_snapshot_serves_the_new_files_over_the_old() {
        let first = Snapshot::new(&[page("a", "1"), page("b", "1")]);
        let second = first.patched(&[page("b", "2"), page("c", "1")]);
        assert_eq!(second.bytes("a").unwrap(), b"1");
        assert_eq!(second.bytes("b").unwrap(), b"2");
        assert_eq!(first.bytes("b").unwrap(), b"1");
        let mut paths: Vec<&str> = second.paths().collect();
        paths.sort_unstable();
        assert_eq!(paths, ["a", "b", "c"]);
        assert_eq!(second.changed_since(&first), 2);
        // The same bytes again are no change.
        assert_eq!(second.patched(&[page("a", "1")]).changed_since(&second), 0);
        // Compared with a whole new build, file by file.
        assert_eq!(Snapshot::new(&[page("a", "1"), page("b", "2")]).changed_since(&second), 1);
    }

    #[test]
    fn many_patches_fold_into_a_new_base() {
        let mut snapshot = Snapshot::new(&[page("a", "0")]);
        for i in 0..MOST_OVER + 5 {
            snapshot = snapshot.patched(&[page(&format!("p{i}"), "x")]);
        }
        assert!(snapshot.over.len() < MOST_OVER);
        assert_eq!(snapshot.paths().count(), MOST_OVER + 6);
        assert_eq!(snapshot.bytes("a").unwrap(), b"0");
    }
}

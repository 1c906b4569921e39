//! One build of the site as `serve` holds it: each file's bytes, or the file
//! to read them from when asked, by its path in the output.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::output::{Body as OutBody, OutputFile};

/// The files of one build, by their path in the output.
#[derive(Default)]
pub struct Snapshot {
    pub(super) files: HashMap<String, Served>,
}

pub(super) enum Served {
    Bytes(Arc<Vec<u8>>),
    /// A photo variant or a copied file, read when asked for.
    File(PathBuf),
}

impl Snapshot {
    pub fn new(files: &[OutputFile]) -> Snapshot {
        let files = files
            .iter()
            .map(|file| {
                let served = match &file.body {
                    OutBody::Bytes(bytes) => Served::Bytes(bytes.clone()),
                    OutBody::Builtin(bytes) => Served::Bytes(Arc::new(bytes.to_vec())),
                    OutBody::Copy(path) | OutBody::Link(path) | OutBody::Placed { at: path, .. } => {
                        Served::File(path.clone())
                    }
                };
                (file.path.clone(), served)
            })
            .collect();
        Snapshot { files }
    }

    /// How many files differ from `before` (added, removed or changed).
    pub fn changed_since(&self, before: &Snapshot) -> usize {
        let differs = |a: &Served, b: &Served| match (a, b) {
            (Served::Bytes(x), Served::Bytes(y)) => !Arc::ptr_eq(x, y) && x != y,
            (Served::File(x), Served::File(y)) => x != y,
            _ => true,
        };
        let changed = self
            .files
            .iter()
            .filter(|(path, file)| before.files.get(*path).is_none_or(|b| differs(file, b)))
            .count();
        changed + before.files.keys().filter(|path| !self.files.contains_key(*path)).count()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The bytes served at `path` (an output path), without the reload script.
    pub fn bytes(&self, path: &str) -> Option<Vec<u8>> {
        match self.files.get(path)? {
            Served::Bytes(bytes) => Some(bytes.to_vec()),
            Served::File(file) => std::fs::read(file).ok(),
        }
    }
}

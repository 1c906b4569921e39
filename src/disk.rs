//! Thin wrappers over `std::fs` that name the file in every error, so no I/O
//! failure ever reaches a person as a bare "No such file or directory".

use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::error::{Error, Result};

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::io("read", path, e))
}

pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}

pub(crate) fn write(path: &Path, contents: &[u8]) -> Result<()> {
    fs::write(path, contents).map_err(|e| Error::io("write", path, e))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| Error::io("create the folder", path, e))
}

pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::io("move a finished file into place at", to, e))
}

pub(crate) fn remove_file(path: &Path) -> Result<()> {
    fs::remove_file(path).map_err(|e| Error::io("remove", path, e))
}

pub(crate) fn remove_dir_all(path: &Path) -> Result<()> {
    fs::remove_dir_all(path).map_err(|e| Error::io("remove the folder", path, e))
}

/// A file's size and modification time in nanoseconds: enough to tell that a
/// file nobody touched is the one recorded, without reading it.
pub(crate) fn stamp(path: &Path) -> Option<(u64, u128)> {
    stamp_of_meta(&fs::metadata(path).ok()?)
}

pub(crate) fn stamp_of_meta(meta: &fs::Metadata) -> Option<(u64, u128)> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), modified))
}

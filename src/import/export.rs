//! An export to import from, read in place: a folder, or a `.zip` as
//! downloaded. Paths inside it are checked before anything is read: one that
//! climbs out (`../`), is absolute, or is a symlink is never followed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Problem, Result};

/// The largest single file read from an export (a long reel is a few
/// hundred MB; anything larger is not a post's media).
const MAX_FILE: u64 = 4 * 1024 * 1024 * 1024;

pub(crate) enum Export {
    Folder {
        root: PathBuf,
        /// Relative path (with `/`) → file on disk.
        files: BTreeMap<String, PathBuf>,
    },
    Zip {
        path: PathBuf,
        archive: Mutex<zip::ZipArchive<File>>,
        /// Relative path → index in the archive.
        files: BTreeMap<String, usize>,
    },
}

impl Export {
    /// Opens `path`: a folder, or a zip file. Entries whose paths are unsafe
    /// are refused with an error naming them.
    pub(crate) fn open(path: &Path) -> Result<Export> {
        if path.is_dir() {
            return Export::folder(path);
        }
        let file = File::open(path).map_err(|e| Error::io("open the export", path, e))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| {
            Error::from(
                Problem::in_file(
                    path,
                    format!("this is neither a folder nor a zip file that can be read ({e})"),
                )
                .hint("give the folder of the unpacked export, or the .zip file as Instagram sent it"),
            )
        })?;
        let mut archive = archive;
        let mut files = BTreeMap::new();
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).map_err(|e| {
                Error::from(Problem::in_file(path, format!("entry {i} of the zip cannot be read ({e})")))
            })?;
            if entry.is_dir() {
                continue;
            }
            let name = entry
                .name()
                .map_err(|e| {
                    Error::from(Problem::in_file(
                        path,
                        format!("entry {i} of the zip has no readable name ({e})"),
                    ))
                })?
                .to_string();
            let safe =
                entry.enclosed_name().filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))));
            if entry.is_symlink() || safe.is_none() || name.contains('\\') {
                return Err(Problem::in_file(
                    path,
                    format!("the zip holds `{name}`, a path that leads outside the export (or a link): nothing was imported"),
                )
                .hint("this file was not made by Instagram; download your information again")
                .into());
            }
            files.insert(name.trim_start_matches("./").to_string(), i);
        }
        Ok(Export::Zip { path: path.to_path_buf(), archive: Mutex::new(archive), files })
    }

    fn folder(root: &Path) -> Result<Export> {
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(root).follow_links(false) {
            let entry = entry.map_err(|e| {
                let at = e.path().unwrap_or(root).to_path_buf();
                Error::io("read the export folder", &at, e.into())
            })?;
            // A symlink in an export is never followed: it could lead anywhere.
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(root) else { continue };
            let Some(rel) = rel.to_str() else { continue };
            files.insert(rel.replace('\\', "/"), entry.path().to_path_buf());
        }
        Ok(Export::Folder { root: root.to_path_buf(), files })
    }

    /// What the export is, for messages: its path.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Export::Folder { root, .. } => root,
            Export::Zip { path, .. } => path,
        }
    }

    /// Every file's relative path, sorted.
    pub(crate) fn names(&self) -> Vec<&str> {
        match self {
            Export::Folder { files, .. } => files.keys().map(String::as_str).collect(),
            Export::Zip { files, .. } => files.keys().map(String::as_str).collect(),
        }
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            Export::Folder { files, .. } => files.contains_key(name),
            Export::Zip { files, .. } => files.contains_key(name),
        }
    }

    /// The bytes of the file `name` (a path from `names`).
    pub(crate) fn read(&self, name: &str) -> Result<Vec<u8>> {
        let shown = self.path().join(name);
        let too_big = || Error::from(Problem::in_file(&shown, format!("it is over {} GB", MAX_FILE >> 30)));
        match self {
            Export::Folder { files, .. } => {
                let path = files.get(name).ok_or_else(|| Error::io("read", &shown, missing()))?;
                let len = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?.len();
                if len > MAX_FILE {
                    return Err(too_big());
                }
                std::fs::read(path).map_err(|e| Error::io("read", path, e))
            }
            Export::Zip { archive, files, .. } => {
                let index = *files.get(name).ok_or_else(|| Error::io("read", &shown, missing()))?;
                let mut archive = archive.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let mut entry = archive.by_index(index).map_err(|e| Error::io("read", &shown, e.into()))?;
                if entry.size() > MAX_FILE {
                    return Err(too_big());
                }
                let mut bytes = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut bytes).map_err(|e| Error::io("read", &shown, e))?;
                Ok(bytes)
            }
        }
    }
}

fn missing() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file in the export")
}

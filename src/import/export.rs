//! An export to import from, read in place: a folder, or a `.zip` as
//! downloaded. Paths inside it are checked before anything is read: one that
//! climbs out (`../`), is absolute, or is a symlink is never followed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Problem, Result};

/// The largest single media file taken from an export (a long reel is a few
/// hundred MB; anything larger is not a post's media). Copied a piece at a
/// time, so this bounds disk, not memory.
const MAX_MEDIA: u64 = 4 * 1024 * 1024 * 1024;

/// The largest posts file read into memory: an export of thousands of posts
/// holds a few MB of JSON.
pub(crate) const MAX_POSTS_FILE: u64 = 256 * 1024 * 1024;

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

    /// The bytes of the file `name` (a path from `names`), at most `limit` of them.
    pub(crate) fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        self.with_reader(name, limit, |reader| {
            // Not reserved from the size a zip entry claims: a crafted one claims gigabytes.
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map(|_| bytes)
        })
    }

    /// Copies the file `name` to `dest` a piece at a time: a zip entry that
    /// inflates to gigabytes costs no memory, and is refused past 4 GB.
    pub(crate) fn copy_to(&self, name: &str, dest: &Path) -> Result<()> {
        let mut file = File::create(dest).map_err(|e| Error::io("write", dest, e))?;
        let written = self.with_reader(name, MAX_MEDIA, |reader| std::io::copy(reader, &mut file));
        if written.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        written.map(drop)
    }

    /// Runs `use_it` on a reader of the file `name` that fails once more
    /// than `limit` bytes come, however large the file says it is.
    fn with_reader<T>(
        &self,
        name: &str,
        limit: u64,
        use_it: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> Result<T> {
        let shown = self.path().join(name);
        let too_big = || {
            let size =
                if limit >= 1 << 30 { format!("{} GB", limit >> 30) } else { format!("{} MB", limit >> 20) };
            Error::from(Problem::in_file(
                &shown,
                format!("it is over {size}, more than an export's file can be"),
            ))
        };
        let result = match self {
            Export::Folder { files, .. } => {
                let path = files.get(name).ok_or_else(|| Error::io("read", &shown, missing()))?;
                let file = File::open(path).map_err(|e| Error::io("read", path, e))?;
                use_it(&mut Limited { inner: file, left: limit })
            }
            Export::Zip { archive, files, .. } => {
                let index = *files.get(name).ok_or_else(|| Error::io("read", &shown, missing()))?;
                let mut archive = archive.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let entry = archive.by_index(index).map_err(|e| Error::io("read", &shown, e.into()))?;
                if entry.size() > limit {
                    return Err(too_big());
                }
                use_it(&mut Limited { inner: entry, left: limit })
            }
        };
        result.map_err(|e| {
            if e.kind() == std::io::ErrorKind::FileTooLarge {
                too_big()
            } else {
                Error::io("read", &shown, e)
            }
        })
    }
}

/// A reader that fails with `FileTooLarge` rather than give more than `left` bytes.
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or(std::io::ErrorKind::FileTooLarge)?;
        Ok(n)
    }
}

fn missing() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file in the export")
}

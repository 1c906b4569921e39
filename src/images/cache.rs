//! The photo cache in `.milepost/cache/`, outside the output folder: facts and
//! variants kept by the blake3 hash of the source bytes (plus, for a variant,
//! its width and the encoder settings), so a second build decodes nothing and a
//! fresh clone, whose timestamps are all new, still hits. File sizes and
//! modification times only spare re-hashing a file that has not changed.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Encoding;
use super::facts::Facts;
use crate::error::{Error, Result};

/// Bumped whenever what is cached changes meaning, so old entries are not reused.
const FORMAT: &str = "v1";

pub struct Cache {
    dir: PathBuf,
    /// `check` reads the cache but writes nothing.
    writable: bool,
    known_hashes: HashMap<String, Stamp>,
}

/// What a file looked like when it was hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified_ns: u128,
    hash: String,
}

impl Cache {
    pub fn open(site_root: &Path, writable: bool) -> Cache {
        let dir = site_root.join(".milepost").join("cache");
        let known_hashes = fs::read_to_string(dir.join(format!("hashes-{FORMAT}.tsv")))
            .map(|text| {
                text.lines()
                    .filter_map(|line| {
                        let mut parts = line.split('\t');
                        let (path, len, modified, hash) =
                            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                        let stamp = Stamp {
                            len: len.parse().ok()?,
                            modified_ns: modified.parse().ok()?,
                            hash: hash.to_string(),
                        };
                        Some((path.to_string(), stamp))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Cache { dir, writable, known_hashes }
    }

    /// The hash of `path` if it is unchanged since it was last hashed.
    pub(crate) fn known_hash(&self, path: &Path) -> Option<String> {
        let stamp = self.known_hashes.get(path.to_str()?)?;
        (crate::disk::stamp(path)? == (stamp.len, stamp.modified_ns)).then(|| stamp.hash.clone())
    }

    pub(super) fn facts(&self, hash: &str) -> Option<Facts> {
        let text = fs::read_to_string(self.facts_path(hash)).ok()?;
        toml::from_str(&text).ok()
    }

    pub(super) fn put_facts(&self, facts: &Facts) -> Result<()> {
        match toml::to_string(facts) {
            Ok(text) => self.put(&self.facts_path(&facts.hash), text.as_bytes()),
            Err(_) => Ok(()),
        }
    }

    fn facts_path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("facts-{FORMAT}")).join(&hash[..2]).join(format!("{hash}.toml"))
    }

    /// A file read once and kept decoded (a route), by the hash of its bytes.
    pub(crate) fn decoded(&self, hash: &str) -> Option<Vec<u8>> {
        fs::read(self.decoded_path(hash)).ok()
    }

    pub(crate) fn put_decoded(&self, hash: &str, bytes: &[u8]) -> Result<()> {
        self.put(&self.decoded_path(hash), bytes)
    }

    fn decoded_path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("decoded-{FORMAT}")).join(&hash[..2]).join(format!("{hash}.bin"))
    }

    /// Where the variant with cache key `key` is (or goes).
    pub(super) fn variant_path(&self, key: &str, encoding: Encoding) -> PathBuf {
        let name = format!("{key}.{}", encoding.extension());
        self.dir.join(format!("variants-{FORMAT}")).join(&key[..2]).join(name)
    }

    /// Whether the variant at `path` is there and whole. Entries are written
    /// under a temporary name and renamed, so only damage from outside (a
    /// disk filling up, a crash before the data reached the disk, a hand)
    /// tears one; its first and last bytes show it, and it is made again
    /// rather than published.
    pub(super) fn has_whole_variant(&self, path: &Path, encoding: Encoding) -> bool {
        let Ok(mut file) = fs::File::open(path) else { return false };
        let Ok(len) = file.metadata().map(|m| m.len()) else { return false };
        let mut head = [0u8; 12];
        if len < 16 || file.read_exact(&mut head).is_err() {
            return false;
        }
        match encoding {
            Encoding::Jpeg => {
                let mut tail = [0u8; 2];
                head[..2] == [0xFF, 0xD8]
                    && file.seek(SeekFrom::End(-2)).is_ok()
                    && file.read_exact(&mut tail).is_ok()
                    && tail == [0xFF, 0xD9]
            }
            Encoding::Webp => {
                let riff_len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
                &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" && riff_len + 8 == len
            }
            // An ISO media file is a chain of boxes, each starting with its size:
            // whole when the chain ends exactly at the end of the file.
            Encoding::Avif => {
                let mut at = 0u64;
                let mut size = [0u8; 4];
                while at < len {
                    if file.seek(SeekFrom::Start(at)).is_err() || file.read_exact(&mut size).is_err() {
                        return false;
                    }
                    let box_len = u64::from(u32::from_be_bytes(size));
                    if box_len < 8 {
                        return false;
                    }
                    at += box_len;
                }
                &head[4..8] == b"ftyp" && at == len
            }
        }
    }

    pub(super) fn put_variant(&self, key: &str, encoding: Encoding, bytes: &[u8]) -> Result<()> {
        self.put(&self.variant_path(key, encoding), bytes)
    }

    /// Where the cleaned copy of the video whose bytes hash to `hash` is (or goes).
    pub(super) fn video_path(&self, hash: &str, extension: &str) -> PathBuf {
        self.dir.join(format!("videos-{FORMAT}")).join(&hash[..2]).join(format!("{hash}.{extension}"))
    }

    /// Makes the cache file `path` with `make`, which writes the file it is
    /// given; a temporary name until it has succeeded, as `put` does.
    pub(super) fn put_with(
        &self,
        path: &Path,
        make: impl FnOnce(&Path) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), String> {
        let parent = path.parent().expect("cache files live in folders");
        fs::create_dir_all(parent).map_err(|e| format!("the cache folder could not be made ({e})"))?;
        let temp = temp_path(path);
        make(&temp)?;
        fs::rename(&temp, path).map_err(|e| format!("the cache file could not be written ({e})"))
    }

    /// Writes a cache file to a temporary name, then renames it into place,
    /// so an interrupted build leaves no half file to be trusted later.
    fn put(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if !self.writable {
            return Ok(());
        }
        let parent = path.parent().expect("cache files live in folders");
        fs::create_dir_all(parent).map_err(|e| Error::io("create the cache folder", parent, e))?;
        let temp = temp_path(path);
        fs::write(&temp, bytes).map_err(|e| Error::io("write the cache file", &temp, e))?;
        fs::rename(&temp, path).map_err(|e| Error::io("write the cache file", path, e))
    }

    /// Records the hashes of this build's photos, videos and routes
    /// (`hashed`) and removes every variant, cleaned video, facts and decoded
    /// file that it did not use.
    pub(crate) fn finish(&self, hashed: &[(PathBuf, String)], files_used: &HashSet<PathBuf>) -> Result<()> {
        if !self.writable {
            return Ok(());
        }
        let mut lines = String::new();
        let mut hashes_used = HashSet::new();
        for (path, hash) in hashed {
            hashes_used.insert(hash.as_str());
            if let (Some(text), Some((len, modified))) = (path.to_str(), crate::disk::stamp(path)) {
                lines.push_str(&format!("{text}\t{len}\t{modified}\t{hash}\n"));
            }
        }
        self.put(&self.dir.join(format!("hashes-{FORMAT}.tsv")), lines.as_bytes())?;
        prune(&self.dir.join(format!("variants-{FORMAT}")), |path| files_used.contains(path))?;
        prune(&self.dir.join(format!("videos-{FORMAT}")), |path| files_used.contains(path))?;
        let used = |path: &Path| {
            path.file_stem().and_then(|s| s.to_str()).is_some_and(|stem| hashes_used.contains(stem))
        };
        prune(&self.dir.join(format!("facts-{FORMAT}")), used)?;
        prune(&self.dir.join(format!("decoded-{FORMAT}")), used)
    }
}

/// A temporary name beside `path`, unique to this write: one photo shown by
/// two posts is two jobs making the same entries at once.
fn temp_path(path: &Path) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    path.with_extension(format!("tmp-{}-{n}", std::process::id()))
}

/// Removes the files below `dir` that `keep` does not want.
fn prune(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<()> {
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(|e| e.ok()) {
        if entry.file_type().is_file() && !keep(entry.path()) {
            fs::remove_file(entry.path()).map_err(|e| Error::io("prune the cache file", entry.path(), e))?;
        }
    }
    Ok(())
}

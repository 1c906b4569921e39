//! What the last build wrote into an output folder, kept in `.milepost/build/`:
//! each file's size, modification time and hash, and fingerprints of what the
//! files were made from. With it the next build compares a page with what is
//! on disk without reading the disk, and skips pages nothing changed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::disk;
use crate::error::Result;
use crate::fingerprint::Prints;
use crate::paths::OutputPath;

/// Bumped whenever the record changes meaning, so an old one is not trusted.
const HEADER: &str = "milepost build record v4";

/// One file of the output as the last build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) len: u64,
    pub(crate) modified_ns: u128,
    /// Of the bytes, for the files milepost renders; copied files and photo
    /// variants are told by their stamp alone.
    pub(crate) hash: Option<u128>,
}

impl Entry {
    /// Whether the file at `path` still has the recorded size and time.
    pub(crate) fn matches_disk(&self, path: &Path) -> bool {
        disk::stamp(path) == Some((self.len, self.modified_ns))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Record {
    /// Output path (`/`-separated, relative to the output folder) → entry.
    pub(crate) files: HashMap<OutputPath, Entry>,
    /// What the files were made from; only when this very milepost binary
    /// wrote the record, since the fingerprints hash with its code.
    pub(crate) prints: Option<Prints>,
}

/// The hash a record keeps of a rendered file.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u128 {
    // Every page of a build is hashed: XXH3 is an order of magnitude faster
    // than blake3 here, and only tells a file we wrote from one we would
    // write, with no adversary to guard against.
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The record of the output folder `out`, kept under the site's `.milepost/`.
fn path_for(site_root: &Path, out: &Path) -> PathBuf {
    let key = blake3::hash(out.to_string_lossy().as_bytes()).to_hex();
    site_root.join(".milepost").join("build").join(format!("{}.tsv", &key[..16]))
}

/// This binary: a rebuilt milepost may render the same input differently.
fn identity() -> String {
    let exe = std::env::current_exe().ok().and_then(|exe| disk::stamp(&exe));
    format!("{} {exe:?}", env!("CARGO_PKG_VERSION"))
}

impl Record {
    /// The record of `out`, or an empty one when there is none or it cannot be read.
    pub(crate) fn load(site_root: &Path, out: &Path) -> Record {
        let Ok(text) = std::fs::read_to_string(path_for(site_root, out)) else {
            return Record::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Record::default();
        }
        let same_binary = lines.next() == Some(&format!("identity\t{}", identity()));
        if lines.next() != Some(&format!("output\t{}", out.display())) {
            return Record::default();
        }
        let files = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.strip_prefix("file\t")?.split('\t');
                let path = OutputPath::from(parts.next()?);
                let len = parts.next()?.parse().ok()?;
                let modified_ns = parts.next()?.parse().ok()?;
                let hash = match parts.next()? {
                    "-" => None,
                    hex => Some(u128::from_str_radix(hex, 16).ok()?),
                };
                Some((path, Entry { len, modified_ns, hash }))
            })
            .collect();
        let prints = if same_binary { Prints::from_lines(text.lines()) } else { None };
        Record { files, prints }
    }

    /// Writes the record of `out` (to a temporary name, then renamed).
    pub(crate) fn save(&self, site_root: &Path, out: &Path) -> Result<()> {
        let mut text = format!("{HEADER}\nidentity\t{}\noutput\t{}\n", identity(), out.display());
        let mut complete = true;
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut listed = String::new();
        for (path, entry) in files {
            if path.as_str().contains(['\t', '\n', '\r']) {
                // Left out, so the record no longer lists the whole output: no prints then.
                complete = false;
                continue;
            }
            let hash = entry.hash.map_or("-".to_string(), |h| format!("{h:032x}"));
            let _ = writeln!(listed, "file\t{path}\t{}\t{}\t{hash}", entry.len, entry.modified_ns);
        }
        if let Some(prints) = self.prints.as_ref().filter(|_| complete) {
            text.push_str(&prints.to_lines());
        }
        text.push_str(&listed);
        let path = path_for(site_root, out);
        if let Some(folder) = path.parent() {
            disk::create_dir_all(folder)?;
        }
        let temp = path.with_extension("tsv.tmp");
        disk::write(&temp, text.as_bytes())?;
        disk::rename(&temp, &path)
    }
}

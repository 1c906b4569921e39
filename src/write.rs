//! The only writer of the output folder. Pages are handed to it as they are
//! rendered; it writes just the files whose bytes changed (each under a
//! temporary name first, so no reader or later build ever sees half a file; a
//! replaced file renamed into place only once the whole build has succeeded), removes files no longer produced, keeps a record of what it
//! wrote, and never touches anything outside the output folder. Names
//! starting with a dot (`.git`, `.nojekyll`'s kin) are left alone.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::disk;
use crate::error::{Error, Problem, Result};
use crate::fingerprint::Prints;
use crate::output::{Body, OutputFile};
use crate::paths::OutputPath;
use crate::previous::Previous;
use crate::record::{self, Entry, Record};

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// The output folder as an absolute path, refused when writing there could
/// harm the site: the site root itself, a folder holding the site or its
/// `content/`, or a folder inside the site's sources.
pub(crate) fn checked_output_dir(site_root: &Path, output: &Path) -> Result<PathBuf> {
    let out = normalize(&site_root.join(output));
    let refuse = |why: &str| -> Result<PathBuf> {
        Err(Problem::new(format!("refusing to build into {}: {why}", out.display()))
            .hint(
                "choose an output folder of its own, such as `public` (output_dir in site.toml, or --output)",
            )
            .into())
    };
    let root = normalize(site_root);
    if out == root {
        return refuse("it is the site folder itself, and a build removes what it did not make");
    }
    if root.starts_with(&out) {
        return refuse("it contains the site");
    }
    for source in ["content", "static", "templates", "themes", ".milepost"] {
        if out.starts_with(root.join(source)) {
            return refuse(&format!("it is inside the site's {source}/ folder"));
        }
    }
    if out.join("content").is_dir() || out.join("site.toml").is_file() {
        return refuse("it holds a content/ folder or a site.toml, so it looks like a site, not an output");
    }
    // Links could make a folder look harmless by name: compare real paths too.
    if let (Ok(real_out), Ok(real_root)) = (out.canonicalize(), root.canonicalize())
        && (real_out == real_root || real_root.starts_with(&real_out))
    {
        return refuse("through a link, it is (or contains) the site folder");
    }
    Ok(out)
}

/// `.` and `..` taken out without touching the disk, so a folder that does
/// not exist yet can be checked.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Brings one output folder up to date while the site is still being
/// rendered, so a finished page need not stay in memory: a page equal to the
/// file on disk is left alone, a new page is written under a temporary name
/// and renamed into place whole, and a changed one is written beside its old
/// file under a temporary name. Nothing a reader
/// sees changes until `commit`, which moves the changed files into place,
/// writes the rest, and removes what the site no longer makes. A build that
/// fails drops the writer, which takes away every file it added.
pub(crate) struct Writer {
    site_root: PathBuf,
    out: PathBuf,
    before: Record,
    /// Output path → entry, for the record `commit` saves.
    entries: Mutex<HashMap<OutputPath, Entry>>,
    /// (temporary file, its destination) of the files that replace old ones.
    staged: Mutex<Vec<(PathBuf, PathBuf)>>,
    /// Every temporary file this build wrote, taken away if it fails.
    temps: Mutex<Vec<PathBuf>>,
    /// Files and folders this build added, taken away again if it fails.
    created: Mutex<Vec<PathBuf>>,
    created_folders: Mutex<Vec<PathBuf>>,
    /// Folders known to exist, so each is looked at once.
    folders: Mutex<HashSet<PathBuf>>,
    next_temp: AtomicUsize,
    written: AtomicUsize,
    /// The output folder was missing or empty: every file is new, and
    /// nothing can be stale.
    fresh: bool,
    committed: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Writer {
    /// A writer for the output folder `out`, which `checked_output_dir` allowed.
    pub(crate) fn open(site_root: &Path, out: &Path) -> Writer {
        Writer {
            site_root: site_root.to_path_buf(),
            out: out.to_path_buf(),
            before: Record::load(site_root, out),
            entries: Mutex::default(),
            staged: Mutex::default(),
            temps: Mutex::default(),
            created: Mutex::default(),
            created_folders: Mutex::default(),
            folders: Mutex::default(),
            next_temp: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
            fresh: std::fs::read_dir(out).map_or(true, |mut entries| entries.next().is_none()),
            committed: false,
        }
    }

    /// The last build, as its record tells it: when this same binary made it
    /// and every file it wrote is still in the output as it was written
    /// (none edited, removed or replaced since).
    pub(crate) fn previous(&self) -> Option<Previous> {
        let prints = self.before.prints.clone()?;
        let files: Vec<(&OutputPath, &Entry)> = self.before.files.iter().collect();
        let intact = files.par_iter().all(|(path, entry)| entry.matches_disk(&self.out.join(path)));
        if !intact || files.is_empty() {
            return None;
        }
        let files = files
            .into_iter()
            .map(|(path, _)| OutputFile {
                path: path.clone(),
                origin: "the last build".to_string(),
                body: Body::Placed { at: self.out.join(path) },
            })
            .collect();
        Some(Previous::new(prints, files))
    }

    /// Takes a rendered file to the output folder as far as can be done before
    /// the build is known to succeed. Returns it without its bytes, or as it
    /// was when it is left to `commit` (a file that is not rendered, or one
    /// whose place holds a folder).
    pub(crate) fn place(&self, file: OutputFile) -> Result<OutputFile> {
        let Body::Bytes(bytes) = &file.body else { return Ok(file) };
        let dest = self.out.join(&file.path);
        let hash = record::hash_bytes(bytes);
        let len = bytes.len() as u64;
        if let Some(entry) = self.before.files.get(&file.path)
            && entry.hash == Some(hash)
            && entry.len == len
            && entry.matches_disk(&dest)
        {
            return Ok(self.placed(file, *entry, false));
        }
        let entry = |meta: &std::fs::Metadata| {
            disk::stamp_of_meta(meta).map(|(len, modified_ns)| Entry { len, modified_ns, hash: Some(hash) })
        };
        let on_disk = if self.fresh {
            Err(io::Error::from(io::ErrorKind::NotFound))
        } else {
            std::fs::symlink_metadata(&dest)
        };
        match on_disk {
            Ok(meta) if meta.is_file() => {
                if meta.len() == len
                    && disk::read(&dest)? == **bytes
                    && let Some(entry) = entry(&meta)
                {
                    return Ok(self.placed(file, entry, false));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !self.make_parent(&dest)? {
                    return Ok(file);
                }
                // Written under a temporary name and renamed into place whole,
                // so a build killed midway leaves no half page where readers
                // look. (Two pages of this build on one path are refused from
                // the list of files, before anything is committed.)
                let (temp, meta) = self.write_temp(&dest, bytes)?;
                lock(&self.created).push(dest.clone());
                disk::rename(&temp, &dest)?;
                return match entry(&meta) {
                    Some(entry) => Ok(self.placed(file, entry, true)),
                    None => Ok(file),
                };
            }
            Err(e) => return Err(Error::io("look at", &dest, e)),
            // A folder or a link stands where the file goes: `commit` replaces it.
            Ok(_) => return Ok(file),
        }
        let (temp, meta) = self.write_temp(&dest, bytes)?;
        lock(&self.staged).push((temp, dest));
        match entry(&meta) {
            Some(entry) => Ok(self.placed(file, entry, true)),
            None => Ok(file),
        }
    }

    /// Writes `bytes` beside `dest` under a temporary name (which a later
    /// build removes if this one is killed) and returns the name with the
    /// file's metadata: renaming or linking keeps the time, so it is the one
    /// to record.
    fn write_temp(&self, dest: &Path, bytes: &[u8]) -> Result<(PathBuf, std::fs::Metadata)> {
        let name = dest.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = dest.with_file_name(format!(".{name}.{n}.milepost-tmp"));
        let mut staged = std::fs::File::create(&temp).map_err(|e| Error::io("write", &temp, e))?;
        // Listed before writing, so a failed build takes it away.
        lock(&self.temps).push(temp.clone());
        staged.write_all(bytes).map_err(|e| Error::io("write", &temp, e))?;
        let meta = staged.metadata().map_err(|e| Error::io("look at", &temp, e))?;
        Ok((temp, meta))
    }

    fn placed(&self, file: OutputFile, entry: Entry, written: bool) -> OutputFile {
        if written {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        let at = self.out.join(&file.path);
        lock(&self.entries).insert(file.path.clone(), entry);
        OutputFile { body: Body::Placed { at }, ..file }
    }

    /// Makes the folder `dest` goes in; false when a file stands in its way
    /// (the file is then left to `commit`, which may replace things).
    fn make_parent(&self, dest: &Path) -> Result<bool> {
        let Some(parent) = dest.parent() else { return Ok(true) };
        if lock(&self.folders).contains(parent) {
            return Ok(true);
        }
        if self.fresh {
            // Nothing stood in the output folder: make the folder without looking first.
            self.make_folder(parent)?;
            lock(&self.folders).insert(parent.to_path_buf());
            return Ok(true);
        }
        let mut missing = Vec::new();
        let mut at = parent;
        loop {
            match std::fs::symlink_metadata(at) {
                Ok(meta) if meta.is_dir() => break,
                Ok(_) => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(at),
                Err(e) => return Err(Error::io("look at", at, e)),
            }
            match at.parent() {
                Some(up) if up.starts_with(&self.out) || up == self.out => at = up,
                _ => break,
            }
        }
        for folder in missing.into_iter().rev() {
            match std::fs::create_dir(folder) {
                Ok(()) => lock(&self.created_folders).push(folder.to_path_buf()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => {}
                Err(e) => return Err(Error::io("create the folder", folder, e)),
            }
        }
        lock(&self.folders).insert(parent.to_path_buf());
        Ok(true)
    }

    /// Makes `folder` and any of its missing parents inside the output.
    fn make_folder(&self, folder: &Path) -> Result<()> {
        match std::fs::create_dir(folder) {
            Ok(()) => lock(&self.created_folders).push(folder.to_path_buf()),
            Err(e) if e.kind() == io::ErrorKind::NotFound && folder == self.out => {
                disk::create_dir_all(folder)?;
                lock(&self.created_folders).push(folder.to_path_buf());
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && folder.starts_with(&self.out) => {
                if let Some(up) = folder.parent() {
                    self.make_folder(up)?;
                }
                return self.make_folder(folder);
            }
            // Another page of this build made it first.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => {}
            Err(e) => return Err(Error::io("create the folder", folder, e)),
        }
        Ok(())
    }

    /// Makes the output hold exactly `files` (and any dot-files already
    /// there): moves the staged files into place, writes those not placed
    /// yet, removes the rest, and records the result with `prints`.
    pub(crate) fn commit(mut self, files: &[OutputFile], prints: Option<Prints>) -> Result<WriteReport> {
        disk::create_dir_all(&self.out)?;
        let outcomes: Vec<Result<Option<(bool, Entry)>>> = files
            .par_iter()
            .map(|file| match &file.body {
                Body::Placed { .. } => Ok(None),
                _ => write_if_changed(&self.out, file).map(Some),
            })
            .collect();
        let mut report = WriteReport::default();
        let mut entries = std::mem::take(&mut *lock(&self.entries));
        for (file, outcome) in files.iter().zip(outcomes) {
            match outcome? {
                Some((written, entry)) => {
                    entries.insert(file.path.clone(), entry);
                    if written {
                        report.written += 1;
                    }
                }
                // A file the last build wrote and this one left as it was.
                None if !entries.contains_key(&file.path) => {
                    if let Some(entry) = self.before.files.get(&file.path) {
                        entries.insert(file.path.clone(), *entry);
                    }
                }
                None => {}
            }
        }
        report.written += self.written.load(Ordering::Relaxed);
        report.unchanged = files.len() - report.written;
        let staged = std::mem::take(&mut *lock(&self.staged));
        staged.par_iter().try_for_each(|(temp, dest)| disk::rename(temp, dest))?;
        if !self.fresh {
            report.removed = remove_stale(&self.out, files)?;
        }
        // Nothing is left to take back: the output is the new site.
        self.committed = true;
        let record = Record { files: entries, prints };
        // A record that cannot be saved costs the next build time, not correctness.
        let _ = record.save(&self.site_root, &self.out);
        Ok(report)
    }
}

impl Drop for Writer {
    /// A build that did not commit takes back what it added, so the output is as it was.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for temp in lock(&self.temps).drain(..) {
            let _ = std::fs::remove_file(temp);
        }
        for file in lock(&self.created).drain(..) {
            let _ = std::fs::remove_file(file);
        }
        let mut folders = std::mem::take(&mut *lock(&self.created_folders));
        folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
        for folder in folders {
            let _ = std::fs::remove_dir(folder);
        }
    }
}

/// Writes one file unless it already holds these bytes: whether it was
/// written, and its entry for the record.
fn write_if_changed(out: &Path, file: &OutputFile) -> Result<(bool, Entry)> {
    let dest = out.join(&file.path);
    let written = write_file(out, file, &dest)?;
    let hash = match &file.body {
        Body::Bytes(bytes) => Some(record::hash_bytes(bytes)),
        Body::Builtin(bytes) => Some(record::hash_bytes(bytes)),
        _ => None,
    };
    let (len, modified_ns) = disk::stamp(&dest)
        .ok_or_else(|| Error::io("look at", &dest, io::Error::from(io::ErrorKind::NotFound)))?;
    Ok((written, Entry { len, modified_ns, hash }))
}

/// Writes one file to `dest` unless it already holds these bytes; true when written.
fn write_file(out: &Path, file: &OutputFile, dest: &Path) -> Result<bool> {
    if let Body::Link(source) = &file.body
        && same_file(source, dest)
    {
        return Ok(false);
    }
    // A copied file is compared and copied a piece at a time, never read
    // whole: content/ may hold a file of gigabytes.
    let (bytes, source): (&[u8], Option<&Path>) = match &file.body {
        Body::Bytes(bytes) => (bytes, None),
        Body::Builtin(bytes) => (bytes, None),
        Body::Copy(source) | Body::Link(source) | Body::Placed { at: source, .. } => (&[], Some(source)),
    };
    let len = match source {
        Some(source) => std::fs::metadata(source).map_err(|e| Error::io("read", source, e))?.len(),
        None => bytes.len() as u64,
    };
    match std::fs::symlink_metadata(dest) {
        Ok(meta) if meta.is_file() && meta.len() == len => {
            let same = match source {
                Some(source) => disk::same_bytes(source, dest)?,
                None => disk::holds(dest, bytes)?,
            };
            if same {
                return Ok(false);
            }
        }
        Ok(meta) if meta.is_dir() => disk::remove_dir_all(dest)?,
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("look at", dest, e)),
    }
    let parent = dest.parent().unwrap_or(out);
    make_folder(out, parent)?;
    let name = dest.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = parent.join(format!(".{name}.milepost-tmp"));
    let _ = std::fs::remove_file(&temp);
    let linked = matches!(&file.body, Body::Link(source) if std::fs::hard_link(source, &temp).is_ok());
    if !linked {
        match source {
            Some(source) => disk::copy(source, &temp)?,
            None => disk::write(&temp, bytes)?,
        }
    }
    disk::rename(&temp, dest)?;
    Ok(true)
}

/// Whether `a` and `b` are one file (a hard link made by an earlier build).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::symlink_metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Creates `folder` inside `out`, replacing any file that stands where a folder must be.
fn make_folder(out: &Path, folder: &Path) -> Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    let mut at = out.to_path_buf();
    for part in folder.strip_prefix(out).unwrap_or(Path::new("")).components() {
        at.push(part);
        if at.is_file() || at.is_symlink() {
            disk::remove_file(&at)?;
        }
    }
    match std::fs::create_dir_all(folder) {
        // Another thread may have made it between the check and here.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
        other => other.map_err(|e| Error::io("create the folder", folder, e)),
    }
}

/// Removes the files below `out` that are not in `files`, then folders left
/// empty. Dot-files and their folders are kept. Returns how many files went.
fn remove_stale(out: &Path, files: &[OutputFile]) -> Result<usize> {
    let keep: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    sweep(out, "", &keep).map(|(removed, _)| removed)
}

/// Removes what `keep` does not hold from `folder` (at `rel` in the output),
/// its subfolders in parallel: how many files went, and whether the folder
/// is empty now.
fn sweep(folder: &Path, rel: &str, keep: &HashSet<&str>) -> Result<(usize, bool)> {
    let look = |e: io::Error| Error::io("look through", folder, e);
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let mut kept = 0;
    for entry in std::fs::read_dir(folder).map_err(look)? {
        let entry = entry.map_err(look)?;
        let name = entry.file_name();
        let Some(name) = name.to_str().map(str::to_string) else {
            kept += 1;
            continue;
        };
        let path = entry.path();
        if name.starts_with('.') && !is_our_temp(&path) {
            kept += 1;
        } else if entry.file_type().map_err(look)?.is_dir() {
            folders.push((path, name));
        } else {
            files.push((path, name));
        }
    }
    let at = |name: &str| if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
    let mut removed = 0;
    for (path, name) in files {
        if keep.contains(at(&name).as_str()) {
            kept += 1;
        } else {
            disk::remove_file(&path)?;
            removed += 1;
        }
    }
    let swept: Vec<Result<(usize, bool)>> =
        folders.par_iter().map(|(path, name)| sweep(path, &at(name), keep)).collect();
    for ((path, _), outcome) in folders.iter().zip(swept) {
        let (went, empty) = outcome?;
        removed += went;
        if empty {
            std::fs::remove_dir(path).map_err(|e| Error::io("remove the empty folder", path, e))?;
        } else {
            kept += 1;
        }
    }
    Ok((removed, kept == 0))
}

/// A temporary file of an interrupted earlier write: ours to clean up.
fn is_our_temp(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().contains(".milepost-tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_folders_that_would_harm_the_site() {
        let root = Path::new("/site");
        assert!(checked_output_dir(root, Path::new(".")).is_err());
        assert!(checked_output_dir(root, Path::new("..")).is_err());
        assert!(checked_output_dir(root, Path::new("content/out")).is_err());
        assert!(checked_output_dir(root, Path::new("public/../themes")).is_err());
        assert_eq!(checked_output_dir(root, Path::new("public")).unwrap(), PathBuf::from("/site/public"));
        assert_eq!(checked_output_dir(root, Path::new("/tmp/out")).unwrap(), PathBuf::from("/tmp/out"));
    }
}

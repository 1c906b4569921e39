//! The only writer of the output folder. Called once everything is rendered
//! and checked, it writes just the files whose bytes changed (each to a
//! temporary name, then renamed into place, so no reader sees half a file),
//! removes files no longer produced, and never touches anything outside the
//! output folder. Names starting with a dot (`.git`, `.nojekyll`'s kin) are
//! left alone.

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::disk;
use crate::error::{Error, Problem, Result};
use crate::output::{Body, OutputFile};

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
pub fn checked_output_dir(site_root: &Path, output: &Path) -> Result<PathBuf> {
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

/// Makes `out` hold exactly `files` (and any dot-files already there).
pub fn sync(out: &Path, files: &[OutputFile]) -> Result<WriteReport> {
    disk::create_dir_all(out)?;
    let outcomes: Vec<Result<bool>> = files.par_iter().map(|file| write_if_changed(out, file)).collect();
    let mut report = WriteReport::default();
    for outcome in outcomes {
        if outcome? {
            report.written += 1;
        } else {
            report.unchanged += 1;
        }
    }
    report.removed = remove_stale(out, files)?;
    Ok(report)
}

/// Writes one file unless it already holds these bytes; true when written.
fn write_if_changed(out: &Path, file: &OutputFile) -> Result<bool> {
    let dest = out.join(&file.path);
    if let Body::Link(source) = &file.body
        && same_file(source, &dest)
    {
        return Ok(false);
    }
    let copied;
    let bytes: &[u8] = match &file.body {
        Body::Bytes(bytes) => bytes,
        Body::Builtin(bytes) => bytes,
        Body::Copy(source) | Body::Link(source) => {
            copied = disk::read(source)?;
            &copied
        }
    };
    match std::fs::symlink_metadata(&dest) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            if disk::read(&dest)? == bytes {
                return Ok(false);
            }
        }
        Ok(meta) if meta.is_dir() => disk::remove_dir_all(&dest)?,
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("look at", &dest, e)),
    }
    let parent = dest.parent().unwrap_or(out);
    make_folder(out, parent)?;
    let name = dest.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = parent.join(format!(".{name}.milepost-tmp"));
    let _ = std::fs::remove_file(&temp);
    let linked = matches!(&file.body, Body::Link(source) if std::fs::hard_link(source, &temp).is_ok());
    if !linked {
        disk::write(&temp, bytes)?;
    }
    disk::rename(&temp, &dest)?;
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
    let keep: HashSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    let mut removed = 0;
    let mut folders = Vec::new();
    let walk = WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.') || is_our_temp(e.path()));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(out).to_path_buf();
            Error::io("look through", &path, e.into())
        })?;
        if entry.file_type().is_dir() {
            folders.push(entry.into_path());
        } else if !keep.contains(entry.path()) {
            disk::remove_file(entry.path())?;
            removed += 1;
        }
    }
    // Deepest first, so a folder is empty once its subfolders are gone.
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders {
        if std::fs::read_dir(&folder).is_ok_and(|mut entries| entries.next().is_none()) {
            std::fs::remove_dir(&folder).map_err(|e| Error::io("remove the empty folder", &folder, e))?;
        }
    }
    Ok(removed)
}

/// A temporary file of an interrupted earlier write: ours to clean up.
fn is_our_temp(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".milepost-tmp"))
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

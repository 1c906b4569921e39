//! Thin wrappers over `std::fs` that name the file in every error, so no I/O
//! failure ever reaches a person as a bare "No such file or directory".

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
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

/// Pieces a copied or compared file is read in: a copied file of any size
/// costs this much memory, not its length.
const PIECE: usize = 256 * 1024;

/// Copies `from` to `to` a piece at a time. Pieces of zeros are skipped over
/// rather than written, so a sparse file stays sparse where the file system
/// allows (a gigabyte of holes costs no gigabyte of disk) and reads back the same.
pub(crate) fn copy(from: &Path, to: &Path) -> Result<()> {
    let mut source = fs::File::open(from).map_err(|e| Error::io("read", from, e))?;
    let mut dest = fs::File::create(to).map_err(|e| Error::io("write", to, e))?;
    let mut piece = vec![0u8; PIECE];
    let mut len = 0u64;
    loop {
        let n = read_piece(&mut source, &mut piece).map_err(|e| Error::io("read", from, e))?;
        if n == 0 {
            break;
        }
        let written = if piece[..n].iter().all(|&b| b == 0) {
            dest.seek(SeekFrom::Current(n as i64)).map(drop)
        } else {
            dest.write_all(&piece[..n])
        };
        written.map_err(|e| Error::io("write", to, e))?;
        len += n as u64;
    }
    // A file ending in a hole gets its length from here, not from a write.
    dest.set_len(len).map_err(|e| Error::io("write", to, e))
}

/// Whether the file at `path` holds exactly `bytes`, read a piece at a time.
pub(crate) fn holds(path: &Path, bytes: &[u8]) -> Result<bool> {
    let mut file = fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut piece = vec![0u8; PIECE.min(bytes.len().max(1))];
    let mut at = 0;
    loop {
        let n = read_piece(&mut file, &mut piece).map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            return Ok(at == bytes.len());
        }
        if bytes.get(at..at + n) != Some(&piece[..n]) {
            return Ok(false);
        }
        at += n;
    }
}

/// Whether the files at `a` and `b` hold the same bytes, read a piece at a time.
pub(crate) fn same_bytes(a: &Path, b: &Path) -> Result<bool> {
    let mut first = fs::File::open(a).map_err(|e| Error::io("read", a, e))?;
    let mut second = fs::File::open(b).map_err(|e| Error::io("read", b, e))?;
    let (mut x, mut y) = (vec![0u8; PIECE], vec![0u8; PIECE]);
    loop {
        let n = read_piece(&mut first, &mut x).map_err(|e| Error::io("read", a, e))?;
        let m = read_piece(&mut second, &mut y).map_err(|e| Error::io("read", b, e))?;
        if x[..n] != y[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Fills `piece` as far as the file allows: less only at the end.
fn read_piece(file: &mut fs::File, piece: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < piece.len() {
        match file.read(&mut piece[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
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

//! The two kinds of file path a build handles, each a type of its own so
//! that one is never taken for the other: where a source is inside
//! `content/`, and where a file goes inside the output folder. (Where a
//! reader's browser goes is a `url::UrlPath`.) Both are relative and
//! `/`-separated on every system.

use std::borrow::Borrow;
use std::fmt;
use std::path::{Path, PathBuf};

/// A path inside `content/`, of a file or a folder: `pyongyang-2017/race-day/index.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContentPath(String);

impl ContentPath {
    /// `rel` relative to `content/`, `/`-separated.
    pub fn new(rel: impl Into<String>) -> ContentPath {
        ContentPath(rel.into())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder it is in, relative to `content/` (`""` at the top).
    pub(crate) fn folder(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(folder, _)| folder)
    }

    /// The path people know the file by, from the site's root: `content/…`.
    pub(crate) fn shown(&self) -> PathBuf {
        Path::new("content").join(&self.0)
    }
}

impl Borrow<str> for ContentPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A file's path inside the output folder: `trip/race-day/index.html`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct OutputPath(String);

impl OutputPath {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for OutputPath {
    fn from(path: String) -> OutputPath {
        OutputPath(path)
    }
}

impl From<&str> for OutputPath {
    fn from(path: &str) -> OutputPath {
        OutputPath(path.to_string())
    }
}

/// So that `out.join(path)` is where the file is on disk.
impl AsRef<Path> for OutputPath {
    fn as_ref(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl Borrow<str> for OutputPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_path_knows_its_folder_and_how_people_see_it() {
        let path = ContentPath::new("trip/race-day/index.md");
        assert_eq!(path.folder(), "trip/race-day");
        assert_eq!(ContentPath::new("index.md").folder(), "");
        assert_eq!(path.shown(), Path::new("content/trip/race-day/index.md"));
    }
}

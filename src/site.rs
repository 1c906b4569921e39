//! A site on disk: its root folder (the one holding site.toml) and its checked
//! settings. Finding the root is the only thing here that looks at the disk.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::disk;
use crate::error::{Error, Problem, Result};

#[derive(Debug, Clone)]
pub struct Site {
    /// Absolute and canonical.
    pub root: PathBuf,
    pub config: Config,
}

impl Site {
    /// Opens the site at `dir`, or at the nearest folder above the current one
    /// holding a site.toml when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Site> {
        let root = match dir {
            Some(dir) => {
                let root = dir.canonicalize().map_err(|e| Error::io("open the site folder", dir, e))?;
                if !root.join(config::FILE_NAME).is_file() {
                    return Err(Problem::in_file(dir, "this folder has no site.toml, so it is not a milepost site")
                        .hint("run `milepost init` there to make one, or point --site at the folder holding site.toml")
                        .into());
                }
                root
            }
            None => find_root()?,
        };
        let file = root.join(config::FILE_NAME);
        let text = disk::read_to_string(&file)?;
        let config = Config::parse(&text, Path::new(config::FILE_NAME)).map_err(Error::Problems)?;
        Ok(Site { root, config })
    }

    pub(crate) fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// The output folder, absolute (it may not exist yet).
    pub(crate) fn output_dir(&self) -> PathBuf {
        self.root.join(&self.config.output_dir)
    }

    /// `path` for a message: relative to the site root, or "the site folder".
    pub(crate) fn describe(&self, path: &Path) -> String {
        match self.relative(path) {
            p if p.as_os_str().is_empty() => "the site folder".to_string(),
            p => p.display().to_string(),
        }
    }

    /// `path` relative to the site root when it is inside it, for messages.
    pub(crate) fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

fn find_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("find", Path::new("the current folder"), e))?;
    cwd.ancestors()
        .find(|dir| dir.join(config::FILE_NAME).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Problem::new(format!(
                "no site.toml in {} or any folder above it, so there is no site to work on",
                cwd.display()
            ))
            .hint("run milepost inside your site's folder, pass --site DIR, or make a new site with `milepost init`")
            .into()
        })
}

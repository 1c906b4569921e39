//! Videos as they are published: a copy of each with its metadata made inert
//! (`video::clean`: no place, no title, no device), kept in the cache by the
//! hash of the original, so a second build cleans nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Cache;
use crate::error::{Problem, Problems, Result};
use crate::output::{Body, OutputFile};

/// A video of the content tree to publish.
pub(crate) struct VideoJob {
    pub(crate) source: PathBuf,
    /// Its path in the output.
    pub(crate) url: String,
    /// Its path as a person knows it (`content/trip/clip.mov`), for messages.
    pub(crate) shown: PathBuf,
}

pub(crate) struct PublishedVideos {
    pub(crate) files: Vec<OutputFile>,
    /// (file, hash) of each video, for the cache to remember.
    pub(crate) hashed: Vec<(PathBuf, String)>,
    /// The cleaned copies this build links to, which the cache keeps.
    pub(crate) used: HashSet<PathBuf>,
    /// Videos published as they are (`publish_originals`), since they could not be cleaned.
    pub(crate) warnings: Vec<Problem>,
}

/// Cleans every video of `jobs` not cleaned yet (in parallel) and returns the
/// output files, each a link to its cleaned copy. A video that cannot be
/// cleaned is an error, unless `as_is_if_unclean` (the site's
/// `publish_originals`), when it is published as it is with a warning.
pub(crate) fn publish(jobs: &[VideoJob], cache: &Cache, as_is_if_unclean: bool) -> Result<PublishedVideos> {
    let outcomes: Vec<std::result::Result<Outcome, Problem>> =
        jobs.par_iter()
            .map(|job| {
                let name = job.url.rsplit('/').next().unwrap_or(&job.url);
                let cleaned = hash_of(&job.source, cache).and_then(|hash| {
                    let extension = job.url.rsplit_once('.').map_or("mp4", |(_, e)| e).to_ascii_lowercase();
                    let path = cache.video_path(&hash, &extension);
                    // A cleaned copy has its source's length (metadata is padded
                    // over, never cut out): any other length is a torn entry.
                    let whole = match (std::fs::metadata(&path), std::fs::metadata(&job.source)) {
                        (Ok(copy), Ok(source)) => copy.is_file() && copy.len() == source.len(),
                        _ => false,
                    };
                    if !whole {
                        cache.put_with(&path, |temp| crate::video::clean(&job.source, temp))?;
                    }
                    Ok((hash, path))
                });
                let origin = job.shown.display().to_string();
                match cleaned {
                    Ok((hash, path)) => {
                        let file =
                            OutputFile { path: job.url.clone().into(), origin, body: Body::Link(path.clone()) };
                        Ok(Outcome::Cleaned { file, hash, path })
                    }
                    Err(why) if as_is_if_unclean => {
                        let warning = Problem::in_file(
                            &job.shown,
                            format!("the video `{name}` is published as it is, with whatever it carries about where it was shot: {why}"),
                        )
                        .hint("export it again as MP4 from your phone or a video editor, so milepost can clean it");
                        let file = OutputFile { path: job.url.clone().into(), origin, body: Body::Copy(job.source.clone()) };
                        Ok(Outcome::AsIs { file, warning })
                    }
                    Err(why) => Err(unpublishable(&job.shown, &job.url, &why)),
                }
            })
            .collect();
    let mut problems = Problems::default();
    let mut published = PublishedVideos {
        files: Vec::with_capacity(jobs.len()),
        hashed: Vec::new(),
        used: HashSet::new(),
        warnings: Vec::new(),
    };
    for (job, outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Ok(Outcome::Cleaned { file, hash, path }) => {
                published.files.push(file);
                published.hashed.push((job.source.clone(), hash));
                published.used.insert(path);
            }
            Ok(Outcome::AsIs { file, warning }) => {
                published.files.push(file);
                published.warnings.push(warning);
            }
            Err(problem) => problems.push(problem),
        }
    }
    problems.into_result(published)
}

/// Why the video at `url` (from `shown`) is not published.
pub(crate) fn unpublishable(shown: &Path, url: &str, why: &str) -> Problem {
    let name = url.rsplit('/').next().unwrap_or(url);
    Problem::in_file(
        shown,
        format!("the video `{name}` cannot be published without what it may carry about where it was shot: {why}"),
    )
    .hint("export it again as MP4 from your phone or a video editor, remove it, or set `publish_originals = true` under [photos] in site.toml to publish it as it is")
}

/// What became of one video.
enum Outcome {
    /// Published as its cleaned copy `path` in the cache; `hash` is the original's.
    Cleaned { file: OutputFile, hash: String, path: PathBuf },
    /// Published as it is, since it could not be cleaned and the site allows it.
    AsIs { file: OutputFile, warning: Problem },
}

/// The blake3 hash of the file, from the cache when it has not changed since
/// it was last hashed; read in pieces, since a video may be gigabytes.
fn hash_of(path: &Path, cache: &Cache) -> std::result::Result<String, String> {
    if let Some(hash) = cache.known_hash(path) {
        return Ok(hash);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("it could not be read ({e})"))?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).map_err(|e| format!("it could not be read ({e})"))?;
    Ok(hasher.finalize().to_hex().to_string())
}

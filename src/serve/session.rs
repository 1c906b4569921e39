//! A site kept in memory between `serve`'s builds. The last build is kept
//! whole (its sources, parsed content, index, theme, files and their
//! fingerprints); a save of posts that changes nothing but their bodies is
//! handled here, around the stages: those files are read and parsed again on
//! their own, and the same rule as every build (`Previous::work`) decides what
//! to render. Anything else is a build of its own with the last one as its
//! `previous`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::snapshot::Snapshot;
use super::watch::ChangeKind;
use crate::error::Result;
use crate::index::PostId;
use crate::load::{self, Source, Sources};
use crate::output::{Body, OutputFile};
use crate::paths::ContentPath;
use crate::previous::{self, Work};
use crate::render::photos::PhotoSet;
use crate::site::Site;
use crate::{BuildOptions, Made, Target, parse};

pub struct Session {
    site_dir: PathBuf,
    options: BuildOptions,
    kept: Mutex<Option<Kept>>,
}

/// The last good build, the sources it was made from, and its files as served.
struct Kept {
    sources: Sources,
    made: Made,
    snapshot: Snapshot,
}

/// A post saved with new text.
struct Saved {
    /// Its place in `Sources::posts` and in `Content::posts`.
    source_at: usize,
    id: PostId,
    source: Source,
}

impl Session {
    pub fn new(site: &Site, drafts: bool) -> Session {
        Session {
            site_dir: site.root.clone(),
            options: BuildOptions { drafts, ..BuildOptions::default() },
            kept: Mutex::new(None),
        }
    }

    /// Builds the site as it is on disk now, into memory. `changed` names
    /// the files that changed since the last build (`None`: look at all).
    pub fn build(&self, change: ChangeKind, changed: Option<&[PathBuf]>) -> Result<(Snapshot, Site)> {
        // site.toml may have changed: read it again each time.
        let site = Site::open(Some(&self.site_dir))?;
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if change != ChangeKind::Config
            && let (Some(kept), Some(changed)) = (kept.as_mut(), changed)
            && let Some(outcome) = saved_posts(&site, &self.options, kept, changed)
        {
            outcome?;
            return Ok((kept.snapshot.clone(), site));
        }
        // The kept sources brought up to date file by file, when the watcher
        // says which changed; else read afresh.
        let refreshed = match (kept.take(), changed) {
            (Some(Kept { mut sources, made, .. }), Some(changed)) if change != ChangeKind::Config => {
                load::refresh(&site, &mut sources, changed).map(|()| (sources, Some(made.built)))
            }
            _ => None,
        };
        let (sources, previous) = match refreshed {
            Some(refreshed) => refreshed,
            None => (load::content(&site)?, None),
        };
        let made = crate::make(&site, &self.options, &sources, Target::Memory, previous)?;
        let snapshot = Snapshot::new(&made.built.files);
        *kept = Some(Kept { sources, made, snapshot: snapshot.clone() });
        Ok((snapshot, site))
    }
}

/// When every file in `changed` is a post already built (or a file served as
/// it is): parses the saved posts alone, renders what `Previous::work` asks
/// for, and updates `kept`. `None` when that does not suffice, and a build
/// of the whole site must decide; `kept` is then as it was.
fn saved_posts(
    site: &Site,
    options: &BuildOptions,
    kept: &mut Kept,
    changed: &[PathBuf],
) -> Option<Result<()>> {
    let mut watch = crate::Stopwatch::start();
    let content_dir = site.content_dir();
    let mut saved = Vec::new();
    for path in changed {
        let rel = match path.strip_prefix(&content_dir) {
            Ok(rel) => ContentPath::new(rel.to_str()?.replace('\\', "/")),
            // A static file is served from where it is: nothing to make.
            Err(_) if is_copied(&kept.made, path) => continue,
            Err(_) => return None,
        };
        let Ok(source_at) = kept.sources.posts.binary_search_by(|s| s.rel.cmp(&rel)) else {
            // A route is read into its post's page as well as copied: only a
            // whole build reads it again.
            let read_into_pages = crate::route::is_gpx(rel.as_str());
            if !read_into_pages
                && kept.sources.assets.iter().any(|a| a.rel == rel)
                && is_copied(&kept.made, path)
            {
                continue;
            }
            return None;
        };
        let id = post_of(&kept.made, &rel)?;
        // The watcher may name a file once for each event of one save.
        if saved.iter().any(|s: &Saved| s.id == id) {
            continue;
        }
        let text = std::fs::read_to_string(path).ok()?;
        if text != kept.sources.posts[source_at].text {
            saved.push(Saved { source_at, id, source: Source::new(rel, text) });
        }
    }
    watch.lap("read");
    let made = &mut kept.made;
    let parse_options = parse::ParseOptions { drafts: options.drafts };
    let mut now = made.built.prints.clone();
    let mut posts = Vec::with_capacity(saved.len());
    for saved in &saved {
        let parsed = parse::post(
            &saved.source,
            &made.config,
            parse_options,
            &made.survey,
            &made.routes,
            &made.content.places,
        );
        let post = match parsed {
            Ok(Some(post)) => post,
            Ok(None) => return None,
            Err(err) => return Some(Err(err)),
        };
        if post.url != made.content.posts[saved.id.0].url {
            return None;
        }
        now.posts[saved.id.0] = previous::post_print(&post, made.index.post_day[saved.id.0]);
        posts.push(post);
    }
    watch.lap("parse");
    let work = made.built.work(&now);
    if work == Work::Everything {
        return None;
    }
    for (saved, post) in saved.iter().zip(&mut posts) {
        std::mem::swap(&mut made.content.posts[saved.id.0], post);
    }
    let photos = PhotoSet::new(&made.content, &made.survey, &made.config.photos);
    let rendered = crate::render_work(
        &made.config,
        &made.content,
        &made.index,
        &photos,
        &made.theme,
        &work,
        &Target::Memory,
    );
    drop(photos);
    let rendered = rendered.and_then(|fresh| {
        let search = crate::search_index(&made.config, &made.content, &made.index, &work)?;
        Ok((fresh, search))
    });
    match rendered {
        Ok((fresh, search)) => {
            watch.lap("render");
            if let Some(search) = search {
                kept.snapshot = kept.snapshot.patched(&new_search_files(&made.built, &search));
                made.built.files.retain(|file| !file.path.as_str().starts_with(crate::search::DIR));
                made.built.put(search);
            }
            kept.snapshot = kept.snapshot.patched(&fresh);
            made.built.put(fresh);
            made.built.prints = now;
            for saved in saved {
                kept.sources.posts[saved.source_at] = saved.source;
            }
            Some(Ok(()))
        }
        Err(err) => {
            for (saved, post) in saved.iter().zip(&mut posts) {
                std::mem::swap(&mut made.content.posts[saved.id.0], post);
            }
            Some(Err(err))
        }
    }
}

/// Of a new search index, the files the last one did not have as they
/// are now. (A file the new index no longer has stays served, unused,
/// until a whole build.)
fn new_search_files(built: &previous::Previous, search: &[OutputFile]) -> Vec<OutputFile> {
    let had: std::collections::HashMap<&str, &Body> =
        built.files.iter().map(|file| (file.path.as_str(), &file.body)).collect();
    let same = |file: &OutputFile| match (had.get(file.path.as_str()), &file.body) {
        (Some(Body::Bytes(old)), Body::Bytes(new)) => old == new,
        _ => false,
    };
    search.iter().filter(|file| !same(file)).cloned().collect()
}

/// The post parsed from the content file `rel`, if it is one: posts are in
/// content-path order.
fn post_of(made: &Made, rel: &ContentPath) -> Option<PostId> {
    made.content.posts.binary_search_by(|post| post.source.cmp(rel)).ok().map(PostId)
}

/// Whether the build publishes the file at `path` as it is, read when asked for.
fn is_copied(made: &Made, path: &Path) -> bool {
    made.built.files.iter().any(|file| matches!(&file.body, Body::Copy(from) if from == path))
}

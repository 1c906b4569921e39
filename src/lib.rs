//! milepost turns a folder of Markdown trip posts into a static travel journal.
//!
//! One way for data: `load` reads the content tree, `parse` makes typed posts,
//! pages and trips, `index` orders them, `render` fills the theme's templates,
//! and `write` — the only stage that writes — syncs the output folder. Every
//! check is done and every page rendered before the first byte is written.

pub mod allocator;
pub mod cli;
pub mod config;
mod disk;
pub mod error;
pub mod html;
pub mod images;
pub mod index;
pub mod load;
mod memo;
pub mod output;
pub mod parse;
mod record;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod slug;
mod suggest;
pub mod theme;
pub mod url;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use error::{Error, Problem, Result};
pub use memo::Memo;
pub use site::Site;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include posts and pages marked `draft: true`.
    pub drafts: bool,
    /// Overrides `base_url` of site.toml.
    pub base_url: Option<String>,
    /// Overrides `output_dir` of site.toml (relative to the current folder).
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages rendered.
    pub pages: usize,
    /// Files the output holds.
    pub files: usize,
    /// `None` for `check`, which writes nothing.
    pub write: Option<write::WriteReport>,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    /// Things worth fixing that did not stop the build.
    pub warnings: Vec<Problem>,
    pub photos: images::PhotoReport,
}

/// Everything of a build but the writing: the files the output would hold.
pub struct Planned {
    pub files: Vec<OutputFile>,
    pub pages: usize,
    pub output_dir: PathBuf,
    pub warnings: Vec<Problem>,
    pub photos: images::PhotoReport,
    /// What the files were made from, for the build record.
    prints: Option<memo::Prints>,
}

use output::OutputFile;

impl Planned {
    /// A plan that reuses the last build's files but for a few posts' pages
    /// and feeds: no photo was looked at, so the report has none.
    fn reusing(
        files: Vec<OutputFile>,
        output_dir: PathBuf,
        warnings: Vec<Problem>,
        prints: Option<memo::Prints>,
    ) -> Planned {
        let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
        Planned { files, pages, output_dir, warnings, photos: images::PhotoReport::default(), prints }
    }
}

/// Whether a plan makes the photos' variants (a build) or only checks (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Build,
    Check,
}

/// Prints how long each stage of a build took, on stderr, when the
/// environment sets `MILEPOST_TIMINGS`: for profiling, not for people.
struct Stopwatch {
    on: bool,
    last: Instant,
}

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch { on: std::env::var_os("MILEPOST_TIMINGS").is_some(), last: Instant::now() }
    }

    fn lap(&mut self, stage: &str) {
        if self.on {
            eprintln!("{stage:>10} {:7.1} ms", self.last.elapsed().as_secs_f64() * 1000.0);
            self.last = Instant::now();
        }
    }
}

/// A `serve` session's part in a build: what it kept from earlier builds, and
/// the files the watcher saw change (`None`: look at everything).
#[derive(Clone, Copy)]
struct Session<'a> {
    memo: &'a Memo,
    changed: Option<&'a [PathBuf]>,
}

/// The settings of a build: site.toml with the command line's overrides,
/// and the output folder, checked.
fn settings(site: &Site, options: &BuildOptions) -> Result<(config::Config, PathBuf)> {
    let mut config = site.config.clone();
    if let Some(url) = &options.base_url {
        config.set_base_url(url)?;
    }
    let output = match &options.output {
        Some(dir) => std::env::current_dir().map(|cwd| cwd.join(dir)).unwrap_or_else(|_| dir.clone()),
        None => site.output_dir(),
    };
    let output_dir = write::checked_output_dir(&site.root, &output)?;
    Ok((config, output_dir))
}

/// Loads, parses, indexes and renders the site, makes the photos' variants
/// (into the cache, in `Mode::Build`), and checks the result. With a
/// `writer`, each rendered file goes to it at once (and only files not
/// rendered are returned with their bodies); else all stay in memory.
fn plan(
    site: &Site,
    options: &BuildOptions,
    mode: Mode,
    session: Option<Session<'_>>,
    writer: Option<&write::Writer>,
) -> Result<Planned> {
    let mut watch = Stopwatch::start();
    let memo = session.map(|s| s.memo);
    let (config, output_dir) = settings(site, options)?;

    let sources = match session {
        Some(session) => session.memo.sources(site, session.changed)?,
        None => load::content(site)?,
    };
    let cache = images::Cache::open(&site.root, mode == Mode::Build);
    watch.lap("load");
    let survey = images::survey(&sources.assets, &cache)?;
    watch.lap("survey");
    let parse_options = parse::ParseOptions { drafts: options.drafts };
    let content = parse::content(&sources, &config, parse_options, &survey, memo)?;
    drop(sources);
    watch.lap("parse");
    let index = index::build(&content);
    watch.lap("index");
    let theme = match memo {
        Some(memo) => memo.theme(site)?,
        None => theme::load(site)?,
    };
    let photos = render::photos::PhotoSet::new(&content, &survey, &config.photos.widths);
    let inputs = render::Inputs {
        config: &config,
        content: &content,
        index: &index,
        templates: &theme.templates,
        photos: &photos,
        cards: render::Cards::new(content.posts.len()),
        memo,
    };
    let prints = (memo.is_some() || writer.is_some()).then(|| {
        let config_and_theme = (format!("{config:?}"), theme.templates.fingerprint, options.drafts);
        memo::Prints::of(&content, &index, &survey, config_and_theme, &theme.static_files)
    });
    if let (Some(memo), Some(prints)) = (memo, &prints)
        && let Some((mut files, changed)) = memo.only_bodies_changed(prints)
    {
        // Only post bodies changed: their pages and feeds are new, every other file is as it was.
        let fresh = render::posts_and_their_feeds(&inputs, &changed, &render::keep)?;
        for file in fresh {
            if let Ok(at) = files.binary_search_by(|f| f.path.cmp(&file.path)) {
                files[at] = file;
            }
        }
        return Ok(Planned::reusing(files, output_dir, index.warnings, None));
    }
    let place = |file: OutputFile| match writer {
        Some(writer) => writer.place(file),
        None => Ok(file),
    };
    let unmade = |files: &mut Vec<OutputFile>| {
        files.extend(theme.static_files.iter().cloned());
        // Photos are published as their variants (and stripped originals when asked), never as they are.
        files.extend(content.assets.iter().filter(|asset| !survey.photos.contains_key(&asset.rel)).map(
            |asset| OutputFile {
                path: asset.url.as_str().to_string(),
                origin: site.relative(&asset.source).display().to_string(),
                body: output::Body::Copy(asset.source.clone()),
            },
        ));
    };
    if let (Some(writer), Some(prints)) = (writer, &prints)
        && let Some(changed) = writer.recorded_prints().and_then(|before| prints.bodies_changed_since(before))
        && let Some(recorded) = writer.recorded_files()
    {
        // The record says the output holds what this site makes but for the changed bodies.
        watch.lap("prints");
        let fresh = render::posts_and_their_feeds(&inputs, &changed, &place)?;
        watch.lap("render");
        let mut unmade_files = Vec::new();
        unmade(&mut unmade_files);
        let mut by_path: std::collections::HashMap<String, OutputFile> =
            recorded.into_iter().map(|f| (f.path.clone(), f)).collect();
        by_path.extend(fresh.into_iter().chain(unmade_files).map(|f| (f.path.clone(), f)));
        let mut files: Vec<OutputFile> = by_path.into_values().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(Planned::reusing(files, output_dir, index.warnings, Some(prints.clone())));
    }
    watch.lap("prints");
    let mut files = render::site(&inputs, &place)?;
    watch.lap("render");
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    unmade(&mut files);

    let jobs = photos.jobs(photos.take_used(), config.photos.publish_originals);
    let photo_report = match mode {
        Mode::Build => {
            let processed = images::process(&jobs, &cache, &config.photos)?;
            cache.finish(&survey.hashed, &processed.variants_used)?;
            files.extend(processed.files);
            processed.report
        }
        Mode::Check => {
            // The variants' paths still take part in the check for clashes.
            for job in &jobs {
                let paths = job.variants.iter().map(|v| v.path.clone()).chain(job.original.clone());
                files.extend(paths.map(|path| OutputFile {
                    path,
                    origin: format!("a variant of {}", site.relative(&job.source).display()),
                    body: output::Body::Bytes(std::sync::Arc::from(Vec::new())),
                }));
            }
            images::PhotoReport { photos: jobs.len(), ..images::PhotoReport::default() }
        }
    };
    watch.lap("photos");
    output::check_unique(&files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let prints = match (memo, prints) {
        (Some(memo), Some(prints)) => {
            memo.remember(prints, &files);
            None
        }
        (None, prints) => prints,
        (Some(_), None) => None,
    };
    Ok(Planned { files, pages, output_dir, warnings: index.warnings, photos: photo_report, prints })
}

/// Builds the site into its output folder, writing only what changed.
pub fn build(site: &Site, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let (_, output_dir) = settings(site, options)?;
    let writer = write::Writer::open(&site.root, &output_dir);
    let mut planned = plan(site, options, Mode::Build, None, Some(&writer))?;
    let mut watch = Stopwatch::start();
    let write = writer.commit(&planned.files, planned.prints.take())?;
    watch.lap("commit");
    Ok(report(planned, Some(write), started))
}

/// Every check of a build, writing nothing.
pub fn check(site: &Site, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let planned = plan(site, options, Mode::Check, None, None)?;
    Ok(report(planned, None, started))
}

/// A build into memory for `serve`: the files a build would write (photos
/// made into the cache), nothing written to the output. `memo` keeps what
/// later builds can reuse; `changed` names the files changed since the last
/// build, when the watcher knows them.
pub fn plan_with(
    site: &Site,
    options: &BuildOptions,
    memo: &Memo,
    changed: Option<&[PathBuf]>,
) -> Result<Planned> {
    plan(site, options, Mode::Build, Some(Session { memo, changed }), None)
}

fn report(planned: Planned, write: Option<write::WriteReport>, started: Instant) -> BuildReport {
    BuildReport {
        pages: planned.pages,
        files: planned.files.len(),
        write,
        output_dir: planned.output_dir,
        elapsed: started.elapsed(),
        warnings: planned.warnings,
        photos: planned.photos,
    }
}

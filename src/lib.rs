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
mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;
mod hashtag;
mod html;
pub mod images;
pub mod import;
pub mod index;
pub mod load;
mod output;
pub mod parse;
pub mod paths;
mod previous;
mod record;
pub mod render;
pub mod route;
pub mod scaffold;
mod search;
pub mod serve;
mod site;
mod slug;
mod suggest;
pub mod theme;
pub mod url;
pub mod video;
pub mod write;

use std::borrow::Borrow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use error::{Error, Problem, Result};
pub use site::Site;

use config::Config;
use fingerprint::{Prints, hash_of};
use images::Survey;
use index::SiteIndex;
use load::Sources;
use output::OutputFile;
use parse::Content;
use previous::{Previous, Work};
use theme::Theme;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include posts and pages marked `draft: true`.
    pub drafts: bool,
    /// Overrides `base_url` of site.toml.
    pub base_url: Option<String>,
    /// Overrides `output_dir` of site.toml (relative to the current folder).
    pub output: Option<PathBuf>,
    /// Links to pages name their `index.html`, for reading from disk.
    pub for_disk: bool,
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages rendered.
    pub pages: usize,
    /// `None` for `check`, which writes nothing.
    pub write: Option<write::WriteReport>,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    /// Things worth fixing that did not stop the build.
    pub warnings: Vec<Problem>,
    pub photos: images::PhotoReport,
}

impl BuildReport {
    /// The line a person reads after the build or check.
    pub fn summary(&self) -> String {
        let seconds = self.elapsed.as_secs_f64();
        let Some(write) = &self.write else {
            return format!("No problems found: {} pages would be built ({seconds:.2} s).", self.pages);
        };
        let photos = &self.photos;
        let photo_line = if photos.photos > 0 {
            format!(
                "\n{} photos: {} variants made from {} decoded, {} from the cache.",
                photos.photos, photos.variants_made, photos.decoded, photos.variants_cached
            )
        } else {
            String::new()
        };
        let video_line = match photos.videos {
            0 => String::new(),
            1 => "\n1 video, published without its metadata.".to_string(),
            n => format!("\n{n} videos, published without their metadata."),
        };
        format!(
            "Built {} pages into {} in {seconds:.2} s ({} files written, {} unchanged, {} removed).{photo_line}{video_line}",
            self.pages,
            self.output_dir.display(),
            write.written,
            write.unchanged,
            write.removed
        )
    }
}

/// Where a build's files go.
pub(crate) enum Target<'a> {
    /// Nowhere: every check is made, no photo is processed (`check`).
    Check,
    /// Into the output folder, each page as soon as it is rendered (`build`).
    Disk(&'a write::Writer),
    /// Into memory, photos processed into the cache (`serve`).
    Memory,
}

/// A finished build, and all it was made from: `serve` keeps it to make
/// the next build from, a saved post at a time.
pub(crate) struct Made {
    pub(crate) config: Config,
    pub(crate) content: Content,
    pub(crate) index: SiteIndex,
    pub(crate) survey: Survey,
    pub(crate) routes: route::Routes,
    pub(crate) theme: Theme,
    /// Its files and their fingerprints: the next build's `previous`.
    pub(crate) built: Previous,
    pages: usize,
    output_dir: PathBuf,
    warnings: Vec<Problem>,
    photos: images::PhotoReport,
}

/// Prints how long each stage of a build took, on stderr, when the
/// environment sets `MILEPOST_TIMINGS`: for profiling, not for people.
pub(crate) struct Stopwatch {
    on: bool,
    last: Instant,
}

impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        Stopwatch { on: std::env::var_os("MILEPOST_TIMINGS").is_some(), last: Instant::now() }
    }

    pub(crate) fn lap(&mut self, stage: &str) {
        if self.on {
            eprintln!("{stage:>10} {:7.1} ms", self.last.elapsed().as_secs_f64() * 1000.0);
            self.last = Instant::now();
        }
    }
}

/// With `MILEPOST_TIMINGS` set, the most memory this process has held
/// resident, for the end of a run's timings: what the kernel counted for
/// this program since it started (`VmHWM`), which a parent's `wait4` cannot
/// give (that counts the parent's own pages from before the program started).
pub fn peak_memory_if_timed() -> Option<String> {
    std::env::var_os("MILEPOST_TIMINGS")?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(format!("{:>10} {kib} KiB", "peak"))
}

/// The settings of a build: site.toml with the command line's overrides,
/// and the output folder, checked.
fn settings(site: &Site, options: &BuildOptions) -> Result<(Config, PathBuf)> {
    let mut config = site.config.clone();
    if let Some(url) = &options.base_url {
        config.set_base_url(url)?;
    }
    config.for_disk = options.for_disk;
    let output = match &options.output {
        Some(dir) => std::env::current_dir().map(|cwd| cwd.join(dir)).unwrap_or_else(|_| dir.clone()),
        None => site.output_dir(),
    };
    let output_dir = write::checked_output_dir(&site.root, &output)?;
    Ok((config, output_dir))
}

/// The pipeline: parses, indexes and renders `sources` with the theme,
/// processes the photos the pages show, and checks the result. With a
/// `previous` build, renders only what changed since (see `previous`).
pub(crate) fn make(
    site: &Site,
    options: &BuildOptions,
    sources: impl Borrow<Sources>,
    target: Target<'_>,
    previous: Option<Previous>,
) -> Result<Made> {
    let mut watch = Stopwatch::start();
    let (config, output_dir) = settings(site, options)?;
    let cache = images::Cache::open(&site.root, matches!(target, Target::Disk(_) | Target::Memory));
    let assets = &sources.borrow().assets;
    let (survey, routes) = rayon::join(|| images::survey(assets, &cache), || route::survey(assets, &cache));
    let survey = survey?;
    watch.lap("survey");
    let content = parse::content(
        sources.borrow(),
        &config,
        parse::ParseOptions { drafts: options.drafts },
        &survey,
        &routes,
    )?;
    // Given whole (not kept by `serve`), the sources' text is not needed past here.
    drop(sources);
    watch.lap("parse");
    let index = index::build(&content);
    watch.lap("index");
    let theme = theme::load(site)?;
    let prints = site_prints(&config, options, &content, &index, &survey, &theme);
    watch.lap("prints");
    let work = previous.as_ref().map_or(Work::Everything, |previous| previous.work(&prints));
    // Every photo a page or feed can show, known from the content before anything is rendered.
    let photo_set = render::photos::PhotoSet::new(&content, &survey, &config.photos);
    let photo_jobs = match work {
        Work::Everything => photo_set.plan(&content, config.photos.publish_originals),
        Work::Posts { .. } => Vec::new(),
    };
    // The index is made from the content, not the pages, so it is made
    // beside them: its one-thread part runs while the pages take the rest.
    let (rendered, search) = std::thread::scope(|scope| {
        let search = scope.spawn(|| search_index(&config, &content, &index, &work));
        let rendered = render_work(&config, &content, &index, &photo_set, &theme, &work, &target);
        let search =
            search.join().unwrap_or_else(|_| Err(Problem::new("the search index could not be built").into()));
        (rendered, search)
    });
    let (rendered, search) = (rendered?, search?);
    let search = search
        .map(|files| files.into_iter().map(|file| place(&target, file)).collect::<Result<Vec<_>>>())
        .transpose()?;
    drop(photo_set);
    watch.lap("render");
    let copies = copies(site, &content, &survey, &theme);
    let mut media_warnings = Vec::new();
    let (built, photos) = match previous.filter(|_| work != Work::Everything) {
        // Photos and everything else not rendered are as the last build made them.
        Some(mut built) => {
            if let Some(search) = search {
                // The whole index is made anew: the last one's files go (the writer
                // leaves those with the same bytes as they are).
                built.files.retain(|file| !file.path.as_str().starts_with(search::DIR));
                built.put(search);
            }
            built.put(rendered.into_iter().chain(copies).collect());
            built.prints = prints;
            (built, images::PhotoReport::default())
        }
        None => {
            let (variants, photos, warnings) =
                process_media(site, (&photo_jobs, &content), &cache, (&survey, &routes), &config, &target)?;
            media_warnings = warnings;
            let files: Vec<OutputFile> = rendered
                .into_iter()
                .chain(copies)
                .chain(variants)
                .chain(search.into_iter().flatten())
                .collect();
            output::check_unique(&files)?;
            (Previous::new(prints, files), photos)
        }
    };
    watch.lap("photos");
    let pages = built.files.iter().filter(|f| f.path.as_str().ends_with(".html")).count();
    let warnings = content
        .warnings()
        .into_iter()
        .chain(index.warnings.iter().cloned())
        .chain(large_videos(&survey, &config))
        .chain(media_warnings)
        .collect();
    Ok(Made { config, content, index, survey, routes, theme, built, pages, output_dir, warnings, photos })
}

/// A warning for each video over the site's `video_warn_mb`: a reader on a
/// phone downloads what they watch.
fn large_videos<'a>(survey: &'a Survey, config: &'a Config) -> impl Iterator<Item = Problem> + 'a {
    let limit = config.photos.video_warn_mb;
    survey.videos.iter().filter_map(move |(rel, images::SurveyedVideo { size, .. })| {
        let problem = Problem::in_file(
            rel.shown(),
            format!("this video is {} MB, over the {limit} MB the site warns at", size / 1_000_000),
        )
        .hint("export it shorter or smaller (1080p H.264 is plenty for a page), or raise `video_warn_mb` under [photos] in site.toml");
        (*size > limit.saturating_mul(1_000_000)).then_some(problem)
    })
}

/// What the site is made from, as fingerprints (see `previous`).
fn site_prints(
    config: &Config,
    options: &BuildOptions,
    content: &Content,
    index: &SiteIndex,
    survey: &Survey,
    theme: &Theme,
) -> Prints {
    let settings = hash_of((format!("{config:?}"), theme.templates.fingerprint, options.drafts));
    previous::prints(content, index, survey, settings, &theme.static_files)
}

/// The search index's files, when the site has search and what the index
/// holds may have changed since the last build (`None`: it is as it was).
pub(crate) fn search_index(
    config: &Config,
    content: &Content,
    index: &SiteIndex,
    work: &Work,
) -> Result<Option<Vec<OutputFile>>> {
    let unchanged = matches!(work, Work::Posts { cards, bodies } if cards.is_empty() && bodies.is_empty());
    if !config.search.enabled || unchanged {
        return Ok(None);
    }
    Ok(Some(search::files(&search::records(content, index))))
}

/// Takes a made file where the build's files go: on disk, it is written now.
fn place(target: &Target<'_>, file: OutputFile) -> Result<OutputFile> {
    match target {
        Target::Disk(writer) => writer.place(file),
        Target::Check | Target::Memory => Ok(file),
    }
}

/// Renders what `work` asks for; on disk, each file is written as soon as it is made.
pub(crate) fn render_work(
    config: &Config,
    content: &Content,
    index: &SiteIndex,
    photos: &render::photos::PhotoSet<'_>,
    theme: &Theme,
    work: &Work,
    target: &Target<'_>,
) -> Result<Vec<OutputFile>> {
    let inputs = render::Inputs {
        config,
        content,
        index,
        templates: &theme.templates,
        photos,
        cards: render::Cards::new(content.posts.len()),
    };
    let place = |file: OutputFile| place(target, file);
    match work {
        Work::Everything => render::site(&inputs, &place),
        Work::Posts { cards, bodies } => render::posts_and_their_feeds(&inputs, cards, bodies, &place),
    }
}

/// The files published as they are: the theme's static files, and every
/// asset that is not a photo or a video (photos are published as their
/// variants, and as stripped originals when asked; videos cleaned; neither
/// as they are).
fn copies(site: &Site, content: &Content, survey: &Survey, theme: &Theme) -> Vec<OutputFile> {
    let media = |asset: &&parse::AssetFile| {
        survey.photos.contains_key(&asset.rel) || survey.videos.contains_key(&asset.rel)
    };
    let assets = content.assets.iter().filter(|asset| !media(asset)).map(|asset| OutputFile {
        path: asset.url.as_str().into(),
        origin: site.relative(&asset.source).display().to_string(),
        body: output::Body::Copy(asset.source.clone()),
    });
    theme.static_files.iter().cloned().chain(assets).collect()
}

/// Makes the photos' variants and the videos' cleaned copies into the cache;
/// `check` makes none, but their paths still take part in the check for
/// clashes.
fn process_media(
    site: &Site,
    (jobs, content): (&[images::Job], &Content),
    cache: &images::Cache,
    (survey, routes): (&Survey, &route::Routes),
    config: &Config,
    target: &Target<'_>,
) -> Result<(Vec<OutputFile>, images::PhotoReport, Vec<Problem>)> {
    let videos: Vec<images::VideoJob> = content
        .assets
        .iter()
        .filter(|asset| survey.videos.contains_key(&asset.rel))
        .map(|asset| images::VideoJob {
            source: asset.source.clone(),
            url: asset.url.as_str().to_string(),
            shown: site.relative(&asset.source).to_path_buf(),
        })
        .collect();
    if let Target::Check = target {
        // What `build` would refuse to publish: a video it cannot read cannot be cleaned.
        if !config.photos.publish_originals {
            let mut problems = error::Problems::default();
            for asset in &content.assets {
                if let Some(images::SurveyedVideo { facts: Err(why), .. }) = survey.videos.get(&asset.rel) {
                    let shown = site.relative(&asset.source);
                    problems.push(images::unpublishable_video(shown, asset.url.as_str(), why));
                }
            }
            problems.into_result(())?;
        }
        let placeholder = |path: String, origin: String| OutputFile {
            path: path.into(),
            origin,
            body: output::Body::Bytes(std::sync::Arc::from(Vec::new())),
        };
        let files = jobs
            .iter()
            .flat_map(|job| {
                let origin = format!("a variant of {}", site.relative(&job.source).display());
                let paths = job.variants.iter().map(|v| v.path.clone()).chain(job.original.clone());
                paths.map(move |path| placeholder(path, origin.clone()))
            })
            .chain(
                videos.iter().map(|video| placeholder(video.url.clone(), video.shown.display().to_string())),
            )
            .collect();
        let report = images::PhotoReport { photos: jobs.len(), ..images::PhotoReport::default() };
        return Ok((files, report, Vec::new()));
    }
    let (processed, published) = rayon::join(
        || images::process(jobs, cache, &config.photos),
        || images::publish_videos(&videos, cache, config.photos.publish_originals),
    );
    let (processed, published) = (processed?, published?);
    let hashed: Vec<(PathBuf, String)> =
        survey.hashed.iter().chain(&routes.hashed).chain(&published.hashed).cloned().collect();
    let used = processed.variants_used.into_iter().chain(published.used).collect();
    cache.finish(&hashed, &used)?;
    let report = images::PhotoReport { videos: videos.len(), ..processed.report };
    Ok((processed.files.into_iter().chain(published.files).collect(), report, published.warnings))
}

/// Builds the site into its output folder, writing only what changed.
pub fn build(site: &Site, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut watch = Stopwatch::start();
    let (_, output_dir) = settings(site, options)?;
    let writer = write::Writer::open(&site.root, &output_dir);
    // Checking the last build's files on disk and reading the sources both wait on the disk.
    let (previous, sources) = rayon::join(|| writer.previous(), || load::content(site));
    let sources = sources?;
    watch.lap("load");
    let made = make(site, options, sources, Target::Disk(&writer), previous)?;
    let mut watch = Stopwatch::start();
    let write = writer.commit(&made.built.files, Some(made.built.prints.clone()))?;
    watch.lap("commit");
    Ok(report(made, Some(write), started))
}

/// Every check of a build, writing nothing.
pub fn check(site: &Site, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let sources = load::content(site)?;
    let made = make(site, options, sources, Target::Check, None)?;
    Ok(report(made, None, started))
}

fn report(made: Made, write: Option<write::WriteReport>, started: Instant) -> BuildReport {
    BuildReport {
        pages: made.pages,
        write,
        output_dir: made.output_dir,
        elapsed: started.elapsed(),
        warnings: made.warnings,
        photos: made.photos,
    }
}

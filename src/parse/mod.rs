//! From source files to typed content: front matter read and checked, dates
//! placed in time, output URLs decided, Markdown rendered. Pure: it reads no
//! disk, and reports every problem of every file together.

pub(crate) mod date;
pub mod front_matter;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::error::{Problem, Problems, Result};
use crate::images::Survey;
use crate::load::{PAGES_DIR, Source, Sources, TRIP_FILE};
use crate::paths::ContentPath;
use crate::route::{self, PlacedPhoto, PostRoute, Route, Routes, Units};
use crate::slug::slugify;
use crate::suggest;
use crate::url::{UrlPath, resolve};
use date::PostDate;
use front_matter::{Fault, PageMatter, PhotoEntry, PostMatter, Split, TripMatter};

#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Keep posts and pages marked `draft: true`.
    pub(crate) drafts: bool,
}

/// Everything the site is made of, parsed.
#[derive(Debug, Default)]
pub struct Content {
    /// In content-path order.
    pub posts: Vec<Post>,
    pub(crate) pages: Vec<Page>,
    pub(crate) trips: Vec<Trip>,
    pub(crate) assets: Vec<AssetFile>,
    /// Where each content file is published, for parsing one post again.
    pub(crate) places: Places,
}

impl Content {
    /// What is worth fixing in the content and did not stop the build: the
    /// route files' warnings, each naming the post that shows it.
    pub(crate) fn warnings(&self) -> Vec<Problem> {
        self.posts
            .iter()
            .filter_map(|post| Some((post, post.route.as_ref()?)))
            .flat_map(|(post, route)| {
                route.warnings.iter().map(|warning| {
                    Problem::in_file(post.source.shown(), format!("its route: {warning}"))
                        .hint("export the activity again from your watch or app")
                })
            })
            .collect()
    }
}

/// An index into `Content::trips`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TripId(pub(crate) usize);

#[derive(Debug, Clone)]
pub struct Post {
    /// The Markdown file.
    pub(crate) source: ContentPath,
    pub(crate) url: UrlPath,
    pub(crate) title: String,
    pub(crate) date: PostDate,
    /// `date` as feeds and `datetime` attributes write it, and as people
    /// read it: formatted once, since lists show each post many times.
    pub(crate) date_rfc3339: String,
    pub(crate) date_shown: String,
    pub(crate) location: Option<String>,
    pub(crate) coords: Option<[f64; 2]>,
    /// Every mention of a tag, as written and in order: the front matter's
    /// `tags`, then the body's hashtags, then the captions'. Repeats are kept,
    /// since the index counts spellings.
    pub(crate) tags: Vec<String>,
    pub(crate) photos: Vec<Photo>,
    /// The cover photo, where it is published.
    pub(crate) cover: Option<UrlPath>,
    pub(crate) summary: String,
    /// The route files (`gpx:`), where they are published.
    pub(crate) gpx: Vec<UrlPath>,
    /// Those files read, measured and drawn.
    pub(crate) route: Option<Arc<PostRoute>>,
    pub(crate) draft: bool,
    pub(crate) trip: Option<TripId>,
    pub(crate) body_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Photo {
    /// Where the photo is published (`trip/race-day/stadium.jpg`); what is
    /// published there are its variants (`stadium-960.jpg`).
    pub(crate) src: UrlPath,
    /// Where it is inside `content/`.
    pub(crate) rel: ContentPath,
    pub(crate) caption: Option<String>,
    /// The caption escaped, its hashtags marked for linking (`html::fill_tag_links`).
    pub(crate) caption_html: Option<String>,
    pub(crate) alt: Option<String>,
    /// Set when the entry is a video.
    pub(crate) video: Option<Clip>,
}

/// A video among a post's photos: what its `<video>` needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Clip {
    /// Its size as shown, so the page keeps its place before it loads.
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) duration_ms: u64,
    pub(crate) container: crate::video::Container,
    /// The photo shown before it plays: the entry's `poster:`, else the next
    /// photo of the list.
    pub(crate) poster: Option<UrlPath>,
}

#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) source: ContentPath,
    pub(crate) url: UrlPath,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// Kept by `--drafts`, but never put in the search index.
    pub(crate) draft: bool,
    pub(crate) body_html: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Trip {
    pub(crate) source: ContentPath,
    /// The trip's folder, relative to `content/`.
    pub(crate) dir: String,
    pub(crate) url: UrlPath,
    pub(crate) title: String,
    pub(crate) start: Option<Date>,
    pub(crate) end: Option<Date>,
    pub(crate) summary: Option<String>,
    pub(crate) cover: Option<UrlPath>,
    pub(crate) location: Option<String>,
    pub(crate) body_html: String,
}

/// A non-Markdown file of the content tree and where it goes in the output.
#[derive(Debug, Clone)]
pub(crate) struct AssetFile {
    /// Where it is on disk.
    pub(crate) source: PathBuf,
    pub(crate) rel: ContentPath,
    pub(crate) url: UrlPath,
}

/// Parses all sources. Drafts are checked like every post, then left out
/// unless `options.drafts`.
pub fn content(
    sources: &Sources,
    config: &Config,
    options: ParseOptions,
    survey: &Survey,
    routes: &Routes,
) -> Result<Content> {
    let mut problems = Problems::default();
    let trip_heads: Vec<_> = sources.trips.par_iter().map(trip_head).collect();
    let post_heads: Vec<_> = sources.posts.par_iter().map(|s| post_head(s, config, survey)).collect();
    let page_heads: Vec<_> = sources.pages.par_iter().map(page_head).collect();
    let trip_heads: Vec<_> = trip_heads.into_iter().filter_map(|r| problems.take(r)).collect();
    let post_heads: Vec<_> = post_heads.into_iter().filter_map(|r| problems.take(r)).collect();
    let page_heads: Vec<_> = page_heads.into_iter().filter_map(|r| problems.take(r)).collect();

    let mut dirs = DirMap::default();
    for head in &post_heads {
        if let Some(dir) = bundle_dir(head.source.rel.as_str()) {
            dirs.bundles.insert(dir.to_string(), head.url.as_str().trim_end_matches('/').to_string());
        }
    }
    for head in &page_heads {
        if let Some(dir) = bundle_dir(head.source.rel.as_str()) {
            dirs.bundles.insert(dir.to_string(), head.url.as_str().trim_end_matches('/').to_string());
        }
    }
    let assets: Vec<AssetFile> = sources
        .assets
        .iter()
        .map(|asset| AssetFile {
            source: asset.path.clone(),
            rel: asset.rel.clone(),
            url: UrlPath::file(dirs.file_url(asset.rel.as_str())),
        })
        .collect();
    let mut published: HashMap<ContentPath, UrlPath> = HashMap::new();
    for (rel, url) in post_heads
        .iter()
        .map(|h| (h.source.rel.as_str(), &h.url))
        .chain(page_heads.iter().map(|h| (h.source.rel.as_str(), &h.url)))
    {
        published.insert(ContentPath::new(rel), url.clone());
        if let Some(dir) = bundle_dir(rel) {
            published.insert(ContentPath::new(dir), url.clone());
        }
    }
    for head in &trip_heads {
        published.insert(ContentPath::new(head.dir.as_str()), UrlPath::page([dirs.dir_url(&head.dir)]));
    }
    for (asset, file) in sources.assets.iter().zip(&assets) {
        published.insert(asset.rel.clone(), file.url.clone());
    }
    let places = Places {
        dirs,
        assets: sources.assets.iter().map(|a| a.rel.clone()).collect(),
        published,
        trips: trip_heads.iter().enumerate().map(|(i, t)| (t.dir.clone(), TripId(i))).collect(),
        max_megapixels: config.photos.max_megapixels,
    };
    let files =
        Files { places: &places, survey, routes, units: config.units, profiles: config.mentions.as_deref() };

    let trips: Vec<_> = trip_heads.into_par_iter().map(|head| finish_trip(head, &files)).collect();
    let posts: Vec<_> = post_heads
        .into_par_iter()
        .filter(|head| options.drafts || !head.matter.draft)
        .map(|head| finish_post(head, &files))
        .collect();
    let pages: Vec<_> = page_heads
        .into_par_iter()
        .filter(|head| options.drafts || !head.matter.draft)
        .map(|head| finish_page(head, &files))
        .collect();
    let trips: Vec<Trip> = trips.into_iter().filter_map(|r| problems.take(r)).collect();
    let posts: Vec<Post> = posts.into_iter().filter_map(|r| problems.take(r)).collect();
    let pages: Vec<Page> = pages.into_iter().filter_map(|r| problems.take(r)).collect();
    problems.into_result(Content { posts, pages, trips, assets, places })
}

/// One post parsed again on its own, against the places of the rest of the
/// site as `content` found them: for `serve`, after a save of one file.
/// `None` when it is a draft and drafts are left out.
pub(crate) fn post(
    source: &Source,
    config: &Config,
    options: ParseOptions,
    survey: &Survey,
    routes: &Routes,
    places: &Places,
) -> Result<Option<Post>> {
    let files = Files { places, survey, routes, units: config.units, profiles: config.mentions.as_deref() };
    let problems = |problems: Vec<Problem>| crate::error::Error::Problems(problems);
    let head = post_head(source, config, survey).map_err(problems)?;
    if head.matter.draft && !options.drafts {
        return Ok(None);
    }
    finish_post(head, &files).map(Some).map_err(problems)
}

/// Where the folders of the content tree land in the output: a bundle's
/// folder at its page, any other folder at its slugged path.
#[derive(Debug, Default)]
struct DirMap {
    bundles: BTreeMap<String, String>,
}

impl DirMap {
    /// The output folder (no trailing slash) of the content folder `dir`.
    fn dir_url(&self, dir: &str) -> String {
        let mut prefix = dir;
        loop {
            if let Some(url) = self.bundles.get(prefix) {
                let rest = &dir[prefix.len()..];
                return format!("{url}{rest}");
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => break,
            }
        }
        let dir = dir
            .strip_prefix(PAGES_DIR)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(dir);
        dir.split('/').filter(|s| !s.is_empty()).map(segment_slug).collect::<Vec<_>>().join("/")
    }

    /// The output path of the content file `rel`: its folder's, and its own name.
    fn file_url(&self, rel: &str) -> String {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let dir = self.dir_url(dir);
        if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
    }
}

/// Where each file of the content tree is published: what the paths
/// written in a body, a photo list or a cover resolve against.
#[derive(Debug, Default)]
pub(crate) struct Places {
    dirs: DirMap,
    /// Every asset.
    assets: BTreeSet<ContentPath>,
    /// Each Markdown file, bundle's or trip's folder, and asset → where it
    /// is published.
    published: HashMap<ContentPath, UrlPath>,
    /// Each trip's folder.
    trips: BTreeMap<String, TripId>,
    max_megapixels: f64,
}

/// The places, and the photos' facts: all one file is checked against.
struct Files<'a> {
    places: &'a Places,
    survey: &'a Survey,
    routes: &'a Routes,
    units: Units,
    /// site.toml's `mentions`.
    profiles: Option<&'a str>,
}

impl Files<'_> {
    /// Renders the Markdown body of `source`, shown on `page`.
    fn markdown(&self, source: &Source, body: &str, page: &UrlPath) -> markdown::Rendered {
        let dir = source.rel.folder();
        let resolve = |link: &str| {
            let rel = resolve(dir, link)?;
            self.places.published.get(rel.trim_end_matches('/')).map(|url| url.as_str().to_string())
        };
        markdown::render(body, &markdown::Links { page, resolve: &resolve, profiles: self.profiles })
    }

    /// Like `resolve`, for a route: also reads it. Returns (output path, route).
    fn route(&self, source: &Source, written: &str) -> Result<(UrlPath, Arc<Route>), Problem> {
        let url = self.resolve(source, written, "route (gpx)")?;
        let problem = |message: String| {
            let line = source.text.lines().position(|l| l.contains(written)).map(|i| i + 1);
            Problem::in_file(source.rel.shown(), message).at_line(line)
        };
        let rel = content_rel(source, written).unwrap_or_default();
        match self.routes.files.get(rel.as_str()) {
            Some(Ok(route)) => Ok((url, route.clone())),
            Some(Err(why)) => Err(problem(format!("the route `{written}` cannot be used: {why}"))
                .hint("export the activity again as GPX from your watch or app, or remove `gpx:`")),
            None => Err(problem(format!("the route `{written}` is not a GPX file"))
                .hint("`gpx:` takes .gpx files, such as `gpx: course.gpx`")),
        }
    }

    /// Like `resolve`, for a photo: also says when it cannot be read or is too
    /// large. Returns (output path, content path).
    fn photo(&self, source: &Source, written: &str, what: &str) -> Result<(UrlPath, ContentPath), Problem> {
        let url = self.resolve(source, written, what)?;
        let rel = content_rel(source, written).unwrap_or_default();
        let problem = |message: String| {
            let line = source.text.lines().position(|l| l.contains(written)).map(|i| i + 1);
            Problem::in_file(source.rel.shown(), message).at_line(line)
        };
        match self.survey.photos.get(rel.as_str()) {
            Some(Err(why)) => Err(problem(format!("the {what} `{written}` cannot be used: {why}"))
                .hint("open it in a photo editor and save it again as JPEG, or replace it")),
            Some(Ok(facts)) if facts.megapixels() > self.places.max_megapixels => Err(problem(format!(
                "the {what} `{written}` is {}×{} ({:.0} megapixels), over the limit of {} megapixels",
                facts.width,
                facts.height,
                facts.megapixels(),
                self.places.max_megapixels
            ))
            .hint("make it smaller in a photo editor, or raise `[photos] max_megapixels` in site.toml")),
            _ => Ok((url, ContentPath::new(rel))),
        }
    }

    /// The video at `written` (relative to `source`'s folder): its output
    /// path, its path in content/ and its facts, or why it cannot be shown.
    fn video(
        &self,
        source: &Source,
        written: &str,
    ) -> Result<(UrlPath, ContentPath, crate::video::VideoFacts), Problem> {
        let url = self.resolve(source, written, "video")?;
        let rel = content_rel(source, written).unwrap_or_default();
        let line = source.text.lines().position(|l| l.contains(written)).map(|i| i + 1);
        match self.survey.videos.get(rel.as_str()) {
            Some(crate::images::SurveyedVideo { facts: Ok(facts), .. }) => {
                Ok((url, ContentPath::new(rel), facts.clone()))
            }
            Some(crate::images::SurveyedVideo { facts: Err(why), .. }) => Err(Problem::in_file(
                source.rel.shown(),
                format!("the video `{written}` cannot be used: {why}"),
            )
            .at_line(line)
            .hint("export it again as MP4 from your phone or a video editor, or replace it")),
            None => Err(Problem::in_file(
                source.rel.shown(),
                format!("the video `{written}` is not a video milepost can show"),
            )
            .at_line(line)
            .hint("use an .mp4, .mov or .webm file")),
        }
    }

    /// The problems of the images a body shows from the site (`![](x.jpg)`):
    /// each must exist, and a photo must be usable.
    fn check_images(&self, source: &Source, written: &[String]) -> Vec<Problem> {
        written
            .iter()
            .filter_map(|w| {
                let path = crate::url::decode(w.split(['?', '#']).next().unwrap_or(w));
                if crate::images::Format::of(&path).is_some() {
                    self.photo(source, &path, "photo").err()
                } else {
                    self.resolve(source, &path, "image").err()
                }
            })
            .collect()
    }

    /// Resolves a path written in `source` (relative to its folder) to the
    /// output path of an existing content file, or says what is wrong.
    fn resolve(&self, source: &Source, written: &str, what: &str) -> Result<UrlPath, Problem> {
        let problem = |message: String| {
            let line = source.text.lines().position(|l| l.contains(written)).map(|i| i + 1);
            Problem::in_file(source.rel.shown(), message).at_line(line)
        };
        let rel = content_rel(source, written);
        let Some(rel) = rel.filter(|r| !written.contains('\\') && !r.is_empty()) else {
            return Err(problem(format!("the {what} `{written}` leads outside the site's content folder"))
                .hint("keep photos and tracks beside the post, and write their paths relative to it, such as `stadium.jpg`"));
        };
        if self.places.assets.contains(rel.as_str()) {
            return Ok(UrlPath::file(self.places.dirs.file_url(&rel)));
        }
        let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let beside = self.places.assets.iter().filter_map(|a| {
            let (d, n) = a.as_str().rsplit_once('/').unwrap_or(("", a.as_str()));
            (d == folder).then_some(n)
        });
        let hint = match suggest::nearest(name, beside) {
            Some(near) => format!("did you mean `{near}`? It is in the same folder"),
            None => format!("put the file at content/{rel}, or correct the path"),
        };
        Err(problem(format!("the {what} `{written}` does not exist (looked for content/{rel})")).hint(hint))
    }
}

/// The path inside `content/` of a file written in `source`: relative to its
/// folder, or to `content/` when it starts with `/`; `None` when it climbs out.
fn content_rel(source: &Source, written: &str) -> Option<String> {
    match written.strip_prefix('/') {
        Some(from_content) => resolve("", from_content),
        None => resolve(source.rel.folder(), written),
    }
}

/// The folder of a bundle's `index.md`, `None` for a single-file post or page.
fn bundle_dir(rel: &str) -> Option<&str> {
    let (dir, name) = rel.rsplit_once('/')?;
    matches!(name, "index.md" | "index.markdown").then_some(dir)
}

/// The published name of one folder or file name of a content path; a name
/// with no letters or digits is kept as it is rather than lost.
fn segment_slug(segment: &str) -> String {
    let slug = slugify(segment);
    if slug.is_empty() { segment.to_string() } else { slug }
}

/// `2017-04-13-race-day` → (`2017-04-13`, `race-day`).
fn date_prefix(name: &str) -> Option<(&str, &str)> {
    let (date, rest) = (name.get(..10)?, name.get(10..)?);
    let shaped =
        date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let rest = rest.strip_prefix(['-', '_'])?;
    (shaped && !rest.is_empty()).then_some((date, rest))
}

/// The folders and name a content file is published under: `a/b/index.md`
/// and `a/b.md` both give `["a", "b"]`, with a date prefix split off the name.
fn url_segments(rel: &str) -> (Vec<&str>, &str, Option<&str>) {
    let without_ext = rel.rsplit_once('.').map_or(rel, |(stem, _)| stem);
    let mut parts: Vec<&str> = without_ext.split('/').collect();
    if parts.len() > 1 && parts.last() == Some(&"index") {
        parts.pop();
    }
    let last = parts.pop().unwrap_or("");
    match date_prefix(last) {
        Some((date, name)) => (parts, name, Some(date)),
        None => (parts, last, None),
    }
}

fn faults_to_problems(source: &Source, faults: Vec<Fault>) -> Vec<Problem> {
    faults
        .into_iter()
        .map(|f| {
            let problem = Problem::in_file(source.rel.shown(), f.message).at_line(f.line);
            match f.hint {
                Some(hint) => problem.hint(hint),
                None => problem,
            }
        })
        .collect()
}

fn read_matter<'a, T: serde::de::DeserializeOwned + Default>(
    source: &'a Source,
    known: &[&str],
) -> Result<(T, Split<'a>), Vec<Problem>> {
    let split = front_matter::split(&source.text).map_err(|f| faults_to_problems(source, vec![f]))?;
    let matter = front_matter::parse(&split, known).map_err(|f| faults_to_problems(source, f))?;
    Ok((matter, split))
}

fn line_of(split: &Split<'_>, key: &str) -> Option<usize> {
    suggest::line_of_key(split.yaml, key, ':', 0).map(|l| l + split.yaml_line - 1)
}

fn required_title(title: Option<String>, source: &Source, what: &str) -> Result<String, Problem> {
    match title.map(|t| t.trim().to_string()) {
        Some(title) if !title.is_empty() => Ok(title),
        _ => Err(Problem::in_file(source.rel.shown(), format!("this {what} has no title"))
            .at_line(1)
            .hint("add a line such as `title: Race day` to the front matter between the `---` lines")),
    }
}

struct PostHead<'a> {
    source: &'a Source,
    split: Split<'a>,
    matter: PostMatter,
    title: String,
    date: PostDate,
    url: UrlPath,
}

/// The date taken of a post's first photo, as a date to parse.
fn first_photo_taken(source: &Source, matter: &PostMatter, survey: &Survey) -> Option<String> {
    let written = matter.photos.iter().find_map(|entry| match entry {
        PhotoEntry::Path(src) | PhotoEntry::Full { src, .. } => {
            crate::video::Container::of(src).is_none().then_some(src)
        }
    })?;
    let facts = survey.photos.get(content_rel(source, written)?.as_str())?.as_ref().ok()?;
    Some(format!("{}{}", facts.taken.as_ref()?, facts.taken_offset.as_deref().unwrap_or("")))
}

fn post_head<'a>(source: &'a Source, config: &Config, survey: &Survey) -> Result<PostHead<'a>, Vec<Problem>> {
    let (mut matter, split): (PostMatter, _) = read_matter(source, front_matter::POST_KEYS)?;
    let mut problems = Vec::new();
    let (dirs, name, name_date) = url_segments(source.rel.as_str());
    let title = required_title(matter.title.take(), source, "post").map_err(|p| problems.push(p)).ok();

    let date = match (&matter.date, name_date) {
        (Some(written), _) => date::parse(written, &config.timezone).map_err(|message| {
            Problem::in_file(source.rel.shown(), message)
                .at_line(line_of(&split, "date"))
                .hint("write the date as 2017-04-13, \"2017-04-13 08:30\" or 2017-04-13T08:30:00+09:00")
        }),
        (None, Some(from_name)) => date::parse(from_name, &config.timezone).map_err(|message| {
            Problem::in_file(source.rel.shown(), format!("the date in the file name: {message}"))
                .hint("rename the file with a real date, such as 2017-04-13-race-day.md")
        }),
        (None, None) if let Some(taken) = first_photo_taken(source, &matter, survey) => {
            date::parse(&taken, &config.timezone).map_err(|message| {
                Problem::in_file(source.rel.shown(), format!("the date its first photo was taken: {message}"))
                    .hint("add a `date:` to the front matter")
            })
        }
        (None, None) => Err(Problem::in_file(source.rel.shown(), "this post has no date, nor has its first photo")
            .at_line(1)
            .hint("add a line such as `date: 2017-04-13T08:30:00+09:00` to the front matter, or start the file name with the date: 2017-04-13-race-day.md")),
    }
    .map_err(|p| problems.push(p))
    .ok();

    let slug = match &matter.slug {
        Some(slug) => {
            let clean = slugify(slug);
            if clean.is_empty() {
                problems.push(
                    Problem::in_file(
                        source.rel.shown(),
                        format!("the slug `{slug}` has no letters or digits"),
                    )
                    .at_line(line_of(&split, "slug"))
                    .hint("use letters, digits and dashes, such as `slug: race-day`"),
                );
            }
            clean
        }
        None => segment_slug(name),
    };
    let segments = dirs.iter().map(|d| segment_slug(d)).chain(std::iter::once(slug));
    let url = UrlPath::page(segments);
    match (title, date) {
        (Some(title), Some(date)) if problems.is_empty() => {
            Ok(PostHead { source, split, matter, title, date, url })
        }
        _ => Err(problems),
    }
}

fn finish_post(head: PostHead<'_>, files: &Files<'_>) -> Result<Post, Vec<Problem>> {
    let PostHead { source, split, matter, title, date, url } = head;
    let mut problems = Vec::new();
    let mut photos = Vec::with_capacity(matter.photos.len());
    let mut caption_tags = Vec::new();
    // Videos without a `poster:` take the next photo's, known once the list is read.
    let mut wants_poster = Vec::new();
    for entry in matter.photos {
        let (src, caption, alt, poster) = match entry {
            PhotoEntry::Path(src) => (src, None, None, None),
            PhotoEntry::Full { src, caption, alt, poster } => (src, caption, alt, poster),
        };
        let is_video = crate::video::Container::of(&src).is_some();
        let found = if is_video {
            files.video(source, &src).and_then(|(url, rel, facts)| {
                let poster = match &poster {
                    Some(written) => Some(files.photo(source, written, "poster").map(|(url, _)| url)?),
                    None => {
                        wants_poster.push(photos.len());
                        None
                    }
                };
                let clip = Clip {
                    width: facts.width,
                    height: facts.height,
                    duration_ms: facts.duration_ms,
                    container: facts.container,
                    poster,
                };
                Ok((url, rel, Some(clip)))
            })
        } else if let Some(written) = &poster {
            let line = source.text.lines().position(|l| l.contains(written.as_str())).map(|i| i + 1);
            Err(Problem::in_file(
                source.rel.shown(),
                format!("`poster: {written}` is given for `{src}`, which is not a video"),
            )
            .at_line(line)
            .hint("a poster is the picture shown before a video plays: remove it from this photo"))
        } else {
            files.photo(source, &src, "photo").map(|(url, rel)| (url, rel, None))
        };
        match found {
            Ok((src, rel, video)) => {
                let caption_html = caption.as_deref().map(|text| {
                    let (html, hashtags) = markdown::caption(text, files.profiles);
                    caption_tags.extend(hashtags);
                    html
                });
                photos.push(Photo { src, rel, caption, caption_html, alt, video })
            }
            Err(problem) => problems.push(problem),
        }
    }
    for at in wants_poster {
        let next = photos[at + 1..].iter().find(|p| p.video.is_none()).map(|p| p.src.clone());
        if let Some(clip) = photos[at].video.as_mut() {
            clip.poster = next;
        }
    }
    let mut gpx = Vec::with_capacity(matter.gpx.len());
    let mut route_files = Vec::with_capacity(matter.gpx.len());
    for written in &matter.gpx {
        match files.route(source, written) {
            Ok((url, route)) => {
                gpx.push(url);
                route_files.push(route);
            }
            Err(problem) => problems.push(problem),
        }
    }
    let cover = match matter.cover {
        Some(written) => files
            .photo(source, &written, "cover photo")
            .map(|(url, _)| url)
            .map_err(|p| problems.push(p))
            .ok(),
        // A post of videos only shows the first one's poster.
        None => photos
            .iter()
            .find(|p| p.video.is_none())
            .map(|p| p.src.clone())
            .or_else(|| photos.iter().find_map(|p| p.video.as_ref()?.poster.clone())),
    };
    let rendered = files.markdown(source, split.body, &url);
    problems.extend(files.check_images(source, &rendered.images));
    if !problems.is_empty() {
        return Err(problems);
    }
    // A post without coordinates takes its photos' (the published files carry none).
    let gps = |photo: &Photo| files.survey.photos.get(&photo.rel)?.as_ref().ok()?.gps;
    let coords = matter.coords.or_else(|| photos.iter().find_map(gps));
    let route = (!route_files.is_empty()).then(|| {
        let placed: Vec<PlacedPhoto> = photos
            .iter()
            .enumerate()
            .filter_map(|(i, photo)| {
                let [lat, lon] = gps(photo)?;
                Some(PlacedPhoto { lat, lon, number: i + 1, caption: photo.caption.clone() })
            })
            .collect();
        Arc::new(route::for_post(&route_files, &placed, files.units, &title))
    });
    // The nearest trip folder above the post: trips may hold trips.
    let trip = {
        let rel = source.rel.as_str();
        rel.rmatch_indices('/').find_map(|(i, _)| files.places.trips.get(&rel[..i]).copied())
    };
    Ok(Post {
        source: source.rel.clone(),
        url,
        title,
        date_rfc3339: date.rfc3339(),
        date_shown: date.display(),
        date,
        location: matter.location.filter(|l| !l.trim().is_empty()),
        coords,
        tags: matter
            .tags
            .into_iter()
            .map(|t| t.trim().trim_start_matches(['#', '＃']).nfc().collect::<String>())
            .filter(|t| !t.is_empty())
            .chain(rendered.hashtags)
            .chain(caption_tags)
            .collect(),
        photos,
        cover,
        summary: summary(matter.summary, &rendered.first_paragraph),
        gpx,
        route,
        draft: matter.draft,
        trip,
        body_html: rendered.html,
    })
}

/// The written summary, else the first paragraph cut at a word near 280 characters.
fn summary(written: Option<String>, first_paragraph: &str) -> String {
    if let Some(written) = written.filter(|s| !s.trim().is_empty()) {
        return written.trim().to_string();
    }
    const LIMIT: usize = 280;
    if first_paragraph.chars().count() <= LIMIT {
        return first_paragraph.to_string();
    }
    let cut: String = first_paragraph.chars().take(LIMIT).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

struct PageHead<'a> {
    source: &'a Source,
    split: Split<'a>,
    matter: PageMatter,
    title: String,
    url: UrlPath,
}

fn page_head(source: &Source) -> Result<PageHead<'_>, Vec<Problem>> {
    let (mut matter, split): (PageMatter, _) = read_matter(source, front_matter::PAGE_KEYS)?;
    let title = required_title(matter.title.take(), source, "page").map_err(|p| vec![p])?;
    let rel = source.rel.as_str().strip_prefix("pages/").unwrap_or(source.rel.as_str());
    let (dirs, name, _) = url_segments(rel);
    let name =
        matter.slug.as_deref().map(slugify).filter(|s| !s.is_empty()).unwrap_or_else(|| segment_slug(name));
    let url = UrlPath::page(dirs.iter().map(|d| segment_slug(d)).chain(std::iter::once(name)));
    Ok(PageHead { source, split, matter, title, url })
}

fn finish_page(head: PageHead<'_>, files: &Files<'_>) -> Result<Page, Vec<Problem>> {
    let PageHead { source, split, matter, title, url } = head;
    let rendered = files.markdown(source, split.body, &url);
    let problems = files.check_images(source, &rendered.images);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Page {
        source: source.rel.clone(),
        url,
        title,
        summary: summary(matter.summary, &rendered.first_paragraph),
        draft: matter.draft,
        body_html: rendered.html,
    })
}

struct TripHead<'a> {
    source: &'a Source,
    split: Split<'a>,
    matter: TripMatter,
    title: String,
    dir: String,
    start: Option<Date>,
    end: Option<Date>,
}

fn trip_head(source: &Source) -> Result<TripHead<'_>, Vec<Problem>> {
    let (mut matter, split): (TripMatter, _) = read_matter(source, front_matter::TRIP_KEYS)?;
    let mut problems = Vec::new();
    let title = required_title(matter.title.take(), source, "trip").map_err(|p| problems.push(p)).ok();
    let mut day = |key: &str, written: &Option<String>| {
        let written = written.as_deref()?;
        date::parse_day(written.trim())
            .map_err(|message| {
                problems.push(
                    Problem::in_file(source.rel.shown(), format!("`{key}`: {message}"))
                        .at_line(line_of(&split, key))
                        .hint(format!("write the day as YYYY-MM-DD, such as `{key}: 2017-04-09`")),
                )
            })
            .ok()
    };
    let start = day("start", &matter.start);
    let end = day("end", &matter.end);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        problems.push(
            Problem::in_file(source.rel.shown(), format!("the trip ends ({end}) before it starts ({start})"))
                .at_line(line_of(&split, "end"))
                .hint("swap `start` and `end`, or correct one of them"),
        );
    }
    let dir = source.rel.as_str().strip_suffix(TRIP_FILE).unwrap_or("").trim_end_matches('/').to_string();
    if dir.is_empty() {
        problems.push(
            Problem::in_file(
                source.rel.shown(),
                "a trip must be a folder inside content/, not content/ itself",
            )
            .hint("move this file into the trip's folder, such as content/pyongyang-2017/_trip.md"),
        );
    }
    match title {
        Some(title) if problems.is_empty() => Ok(TripHead { source, split, matter, title, dir, start, end }),
        _ => Err(problems),
    }
}

fn finish_trip(head: TripHead<'_>, files: &Files<'_>) -> Result<Trip, Vec<Problem>> {
    let TripHead { source, split, matter, title, dir, start, end } = head;
    let url = UrlPath::page([files.places.dirs.dir_url(&dir)]);
    let cover = match matter.cover {
        Some(written) => Some(files.resolve(source, &written, "cover photo").map_err(|p| vec![p])?),
        None => None,
    };
    let rendered = files.markdown(source, split.body, &url);
    let problems = files.check_images(source, &rendered.images);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Trip {
        source: source.rel.clone(),
        dir,
        url,
        title,
        start,
        end,
        summary: matter.summary.or_else(|| Some(rendered.first_paragraph.clone()).filter(|s| !s.is_empty())),
        cover,
        location: matter.location,
        body_html: rendered.html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_segments_drop_index_extension_and_date() {
        assert_eq!(url_segments("trip/race-day/index.md"), (vec!["trip"], "race-day", None));
        assert_eq!(
            url_segments("trip/2017-04-13-race-day.md"),
            (vec!["trip"], "race-day", Some("2017-04-13"))
        );
        assert_eq!(url_segments("2017-04-13-race/index.md"), (vec![], "race", Some("2017-04-13")));
        assert_eq!(url_segments("index.md"), (vec![], "index", None));
    }

    #[test]
    fn date_prefix_needs_a_name_after_it() {
        assert_eq!(date_prefix("2017-04-13-x"), Some(("2017-04-13", "x")));
        assert_eq!(date_prefix("2017-04-13"), None);
        assert_eq!(date_prefix("2017-4-13-x"), None);
    }

    #[test]
    fn bundle_folders_map_to_their_page() {
        let mut dirs = DirMap::default();
        dirs.bundles.insert("Trip One/2017-04-13-race".into(), "trip-one/race".into());
        assert_eq!(dirs.file_url("Trip One/2017-04-13-race/a b.jpg"), "trip-one/race/a b.jpg");
        assert_eq!(dirs.file_url("Trip One/cover.jpg"), "trip-one/cover.jpg");
        assert_eq!(dirs.file_url("pages/me.jpg"), "me.jpg");
        assert_eq!(dirs.file_url("pagesx/me.jpg"), "pagesx/me.jpg");
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let cut = summary(None, long.trim());
        assert!(cut.ends_with("word…") && cut.chars().count() <= 281, "{cut}");
        assert_eq!(summary(Some(" Mine ".into()), "first"), "Mine");
    }
}

//! Entry points for fuzzing: one function a parser of user files, taking
//! raw bytes and calling the real parser as a build does. Not an API: the
//! fuzz harnesses (tests/fuzz.rs, fuzz/) call them. A parser must return a
//! value or a clean error; the `assert!`s here are the few facts that must
//! hold of what it returns, so a fuzzer that breaks one reports it.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jiff::tz::TimeZone;

use crate::config::{Config, Units};
use crate::hashtag;
use crate::html;
use crate::images::{Facts, Format, Survey};
use crate::import;
use crate::load::{Asset, Source, Sources};
use crate::parse::{self, date, markdown};
use crate::paths::ContentPath;
use crate::route::{self, PlacedPhoto, Routes};
use crate::slug::Slug;
use crate::url::{self, UrlPath};

/// A fuzz target: takes any bytes, returns when the parser did.
pub type Target = fn(&[u8]);

/// Every target, by name: what a harness runs.
pub const TARGETS: &[(&str, Target)] = &[
    ("post", post),
    ("date", date),
    ("hashtags", hashtags),
    ("markdown", markdown),
    ("site_toml", site_toml),
    ("template", template),
    ("gpx", gpx),
    ("instagram", instagram),
    ("instagram_zip", instagram_zip),
    ("image", image),
    ("video", video),
];

/// The target named `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, run)| *run)
}

/// A site.toml with a zone whose offsets changed (and were odd) and
/// profiles for @mentions, so both paths are taken.
fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let text = "timezone = \"Asia/Pyongyang\"\nmentions = \"https://www.instagram.com/{}/\"\n";
        // A fixed text that parses: a failure here is a bug for the fuzzer to report.
        Config::parse(text, Path::new("site.toml")).expect("the fuzz targets' site.toml is valid")
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn asset(rel: &str) -> Asset {
    Asset { rel: ContentPath::new(rel), path: PathBuf::from(rel) }
}

/// A Markdown file of the content tree as a post (dated by its name, and in
/// a bundle), a page and a trip: front matter cut and read, dates, slugs,
/// photos and links checked against a few assets, the body rendered, then
/// the whole indexed.
pub fn post(bytes: &[u8]) {
    let text = text(bytes);
    let source = |rel: &str| Source::new(ContentPath::new(rel), text.clone());
    let sources = Sources {
        posts: vec![source("trip/2017-04-13-race-day.md"), source("trip/day-2/index.md")],
        pages: vec![source("pages/about.md")],
        trips: vec![source("trip/_trip.md")],
        assets: vec![asset("trip/stadium.jpg"), asset("trip/day-2/run.gpx"), asset("trip/day-2/clip.mp4")],
    };
    let options = parse::ParseOptions { drafts: true };
    if let Ok(content) = parse::content(&sources, config(), options, &Survey::default(), &Routes::default()) {
        let index = crate::index::build(&content);
        assert_eq!(index.newest_first.len(), content.posts.len());
    }
}

/// A written date in zones with odd and changing offsets; what is read is
/// written out in RFC 3339 and must read back as the same instant.
pub fn date(bytes: &[u8]) {
    let text = text(bytes);
    let _ = date::parse_day(&text);
    for zone in ["UTC", "Asia/Pyongyang", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        let Ok(zone) = TimeZone::get(zone) else { continue };
        let Ok(read) = date::parse(&text, &zone) else { continue };
        let written = read.rfc3339();
        let _ = read.display();
        let again = date::parse(&written, &TimeZone::UTC);
        assert_eq!(again.map(|d| d.instant), Ok(read.instant), "{text:?} written as {written}");
    }
}

/// The hashtags and mentions of a text, their names, keys and slugs, and
/// the text as a photo caption.
pub fn hashtags(bytes: &[u8]) {
    let text = text(bytes);
    let found = hashtag::find(&text, None);
    let mut end = 0;
    for f in &found {
        assert!(f.range.start >= end && f.range.end > f.range.start, "{text:?}: {found:?}");
        end = f.range.end;
        let name = hashtag::name(&text, f);
        let _ = Slug::of_tag(&hashtag::key(&name));
    }
    let literal: Vec<usize> = text.match_indices('#').map(|(at, _)| at).step_by(2).collect();
    let _ = hashtag::find_signed(&text, Some('x'), &literal);
    let (html, _) = markdown::caption(&text, config().mentions.as_deref());
    check_markers(&html);
}

/// Hashtag markers (`html::tag_link_start`) in rendered HTML come in
/// opening and closing pairs: user text must not be able to make one.
fn check_markers(html: &str) {
    let mut open = false;
    for (i, part) in html.split('\0').enumerate() {
        if i % 2 == 1 {
            let closes = part == "/";
            assert_eq!(closes, open, "a hashtag marker out of place in {html:?}");
            open = !closes;
        }
    }
    assert!(!open && html.split('\0').count() % 2 == 1, "an unclosed hashtag marker in {html:?}");
}

/// A Markdown body shown on a post's page: links and images resolved
/// against a few content files as `parse` does, hashtags marked and filled,
/// and the page made absolute for feeds and made to name index files.
pub fn markdown(bytes: &[u8]) {
    let body = text(bytes);
    let page = UrlPath::page(["trip", "race-day"]);
    let published: HashMap<&str, &str> = [
        ("trip/2017-04-13-race-day", "trip/race-day/"),
        ("trip/2017-04-13-race-day/index.md", "trip/race-day/"),
        ("trip/2017-04-13-race-day/stadium.jpg", "trip/race-day/stadium.jpg"),
        ("trip/day-2.md", "trip/day-2/"),
        ("pages/about.md", "about/"),
    ]
    .into_iter()
    .collect();
    let resolve = |link: &str| {
        let rel = url::resolve("trip/2017-04-13-race-day", link)?;
        published.get(rel.trim_end_matches('/')).map(|url| url.to_string())
    };
    let links = markdown::Links { page: &page, resolve: &resolve, profiles: config().mentions.as_deref() };
    let rendered = markdown::render(&body, &links);
    check_markers(&rendered.html);
    let html =
        html::fill_tag_links(&rendered.html, |key| Slug::of_tag(key).map(|s| format!("../../tags/{s}/")));
    let html = html::without_trailing_spaces(html);
    let _ = url::absolute_links(&html, &page, "https://example.org/journal/");
    let _ = url::links_naming_index_files(&html);
}

/// site.toml.
pub fn site_toml(bytes: &[u8]) {
    if let Ok(config) = Config::parse(&text(bytes), Path::new("site.toml")) {
        let _ = config.base_path();
    }
}

/// A theme's template, compiled with the built-in ones as the theme loader
/// does, then rendered against a small context.
pub fn template(bytes: &[u8]) {
    let text = text(bytes);
    let mut raw: Vec<(&str, &str)> = crate::theme::builtin_templates().to_vec();
    raw.push(("fuzz.html", &text));
    let Ok(templates) = crate::theme::compile(&raw) else { return };
    let mut context = tera::Context::new();
    context.insert("site", &serde_json::json!({"title": "A <journal>", "base_url": "https://example.org/"}));
    let post = serde_json::json!({"title": "Race day", "url": "trip/race-day/", "tags": ["run", "north korea"],
        "date": "2017-04-13T08:30:00+09:00", "photos": [{"src": "a.jpg", "width": 960}], "summary": ""});
    context.insert("post", &post);
    context.insert("posts", &vec![post.clone(), post]);
    context.insert("n", &3);
    context.insert("text", "a <b>bold</b> & 'quoted' \"text\"");
    let _ = templates.tera.render("fuzz.html", &context);
}

/// A GPX file, read and checked, then measured and drawn for a post with a
/// photo on it, in both units.
pub fn gpx(bytes: &[u8]) {
    let Ok(route) = route::read(bytes) else { return };
    let photo = route.lines.first().and_then(|line| line.first()).map(|p| PlacedPhoto {
        lat: p.lat,
        lon: p.lon,
        number: 1,
        caption: Some("the start".into()),
    });
    let files = [Arc::new(route)];
    for units in [Units::Metric, Units::Imperial] {
        let _ = route::for_post(&files, photo.as_slice(), units, "Race day");
    }
}

/// An Instagram posts file, read as `milepost import` does; each post is
/// then written as an import writes it, and that Markdown must be a post
/// milepost reads without a problem.
pub fn instagram(bytes: &[u8]) {
    let name = "your_instagram_activity/content/posts_1.json";
    let in_export = |uri: &str| uri.starts_with("media/");
    let Ok(posts) = import::instagram::read_posts_file(bytes, name, "post", in_export) else { return };
    for post in posts {
        let planned = import::plan(&post, &TimeZone::UTC);
        let folder = format!("instagram/{}", planned.base);
        let shown: Vec<String> = (1..=post.media.iter().filter(|m| in_export(&m.uri)).count())
            .map(|n| format!("media-{n}.jpg"))
            .collect();
        let sources = Sources {
            posts: vec![Source::new(
                ContentPath::new(format!("{folder}/index.md")),
                import::index_md(&post, &planned, &shown),
            )],
            assets: shown.iter().map(|file| asset(&format!("{folder}/{file}"))).collect(),
            ..Sources::default()
        };
        let options = parse::ParseOptions { drafts: false };
        let parsed = parse::content(&sources, config(), options, &Survey::default(), &Routes::default());
        assert!(
            parsed.is_ok(),
            "an imported post does not build: {:?}\n{:?}",
            parsed.err(),
            sources.posts[0].text
        );
    }
}

/// An export as a `.zip`, opened as `milepost import` opens it: entries'
/// paths checked, every file read (within a small limit, so that a claimed
/// size or an inflating entry cannot take the memory) and copied out, the
/// posts files read as posts.
pub fn instagram_zip(bytes: &[u8]) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CASE: AtomicUsize = AtomicUsize::new(0);
    let n = CASE.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("milepost-fuzz-zip-{}-{n}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let zip = dir.join("export.zip");
    if std::fs::write(&zip, bytes).is_ok()
        && let Ok(export) = import::export::Export::open(&zip)
    {
        for (i, name) in export.names().into_iter().take(16).enumerate() {
            if let Ok(read) = export.read(name, 1 << 20)
                && name.ends_with(".json")
            {
                let _ = import::instagram::read_posts_file(&read, name, "post", |uri| export.contains(uri));
            }
            let copy = dir.join(format!("copy-{i}"));
            let _ = export.copy_to(name, &copy);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A photo's header and EXIF, as each format milepost reads; the date it
/// was taken is then read as a post's date, as a post without one does.
pub fn image(bytes: &[u8]) {
    for format in [Format::Jpeg, Format::Png, Format::Webp] {
        let Ok(facts) = Facts::read(bytes, format) else { continue };
        let _ = facts.megapixels();
        if let Some(taken) = &facts.taken {
            let written = format!("{taken}{}", facts.taken_offset.as_deref().unwrap_or(""));
            let _ = date::parse(&written, &config().timezone);
        }
    }
}

/// A video's structure, as the survey reads it: its facts, and the places
/// its metadata is, which must lie inside the file (cleaning overwrites them).
pub fn video(bytes: &[u8]) {
    let Ok(scan) = crate::video::scan(&mut Cursor::new(bytes)) else { return };
    let len = bytes.len() as u64;
    for spot in scan.metadata.iter().chain(&scan.links) {
        let end = spot.offset.checked_add(spot.len);
        assert!(
            end.is_some_and(|end| end <= len),
            "{} at {}+{} in {len} bytes",
            spot.name,
            spot.offset,
            spot.len
        );
        let _ = (scan.padding)(spot.len);
    }
}

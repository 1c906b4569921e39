//! Bringing a journal kept elsewhere home: `milepost import instagram
//! EXPORT` reads an Instagram export (a folder or the .zip, in place) and
//! writes one post bundle per Instagram post under `content/`. Idempotent:
//! each post carries `instagram:` (a hash of its media and time), and posts
//! already imported are left alone, edited or not. Each bundle is written
//! under a temporary name and renamed, so an import cut short leaves no half
//! post; nothing is written outside `content/`.

pub(crate) mod export;
pub(crate) mod instagram;

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::{Error, Problem, Result};
use crate::load::TRIP_FILE;
use crate::scaffold::yaml_string;
use crate::site::Site;
use crate::slug::slugify;
use export::Export;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Put the posts in this trip (a folder under `content/`, made if new).
    pub trip: Option<String>,
    /// Say what would be made, writing nothing.
    pub dry_run: bool,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    /// The bundles made (or, on a dry run, that would be), as content paths.
    pub made: Vec<String>,
    /// Photos made (on a dry run: media files found, photos or videos).
    pub photos: usize,
    pub videos: usize,
    /// Posts left out, with why.
    pub skipped: Vec<(String, String)>,
    pub warnings: Vec<Problem>,
    pub dry_run: bool,
}

impl ImportReport {
    /// The lines a person reads at the end.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if self.dry_run {
            for made in &self.made {
                out.push_str(&format!("would make {made}\n"));
            }
        }
        // A dry run reads no media file, so it cannot tell photos from videos.
        let (verb, media) = if self.dry_run {
            ("Would import", format!("{} media file{}", self.photos, plural(self.photos)))
        } else {
            (
                "Imported",
                format!(
                    "{} photo{}, {} video{}",
                    self.photos,
                    plural(self.photos),
                    self.videos,
                    plural(self.videos)
                ),
            )
        };
        out.push_str(&format!(
            "{verb} {} post{} ({media}); skipped {}.",
            self.made.len(),
            plural(self.made.len()),
            self.skipped.len()
        ));
        let mut reasons: Vec<&str> = self.skipped.iter().map(|(_, why)| why.as_str()).collect();
        reasons.sort_unstable();
        reasons.dedup();
        for reason in reasons {
            let n = self.skipped.iter().filter(|(_, why)| why == reason).count();
            out.push_str(&format!("\n  {n} {reason}"));
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What a media file is, from its first bytes (exports name JPEG files
/// `.webp`, and some videos have no extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Webp,
    Heic,
    Mp4,
    Mov,
}

impl Kind {
    fn sniff(bytes: &[u8]) -> Option<Kind> {
        match bytes {
            [0xff, 0xd8, 0xff, ..] => Some(Kind::Jpeg),
            [0x89, b'P', b'N', b'G', ..] => Some(Kind::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Kind::Webp),
            [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] => match brand.get(..4) {
                Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis") => Some(Kind::Heic),
                Some(b"qt  ") => Some(Kind::Mov),
                Some(_) => Some(Kind::Mp4),
                None => None,
            },
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Heic => "heic",
            Kind::Mp4 => "mp4",
            Kind::Mov => "mov",
        }
    }

    fn is_video(self) -> bool {
        matches!(self, Kind::Mp4 | Kind::Mov)
    }
}

/// Imports the Instagram export at `export` into `site`.
pub fn instagram(site: &Site, export: &Path, options: &ImportOptions) -> Result<ImportReport> {
    let export = Export::open(export)?;
    let posts = instagram::posts(&export)?;
    let content = site.content_dir();
    let folder = match &options.trip {
        Some(trip) => {
            let slug = slugify(trip);
            if slug.is_empty() || slug != *trip {
                return Err(Problem::new(format!(
                    "`--trip {trip}` is not a folder name milepost would make"
                ))
                .hint(format!(
                    "use lower-case letters, digits and dashes, such as `{}`",
                    if slug.is_empty() { "my-trip" } else { &slug }
                ))
                .into());
            }
            content.join(trip)
        }
        None => content.join("instagram"),
    };
    let imported = imported_ids(&content);
    let zone = site.config.timezone.clone();
    let mut report = ImportReport { dry_run: options.dry_run, ..ImportReport::default() };
    let mut names: BTreeSet<String> = std::fs::read_dir(&folder)
        .map(|dir| dir.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    let progress = progress_bar(posts.len());

    if !options.dry_run
        && let Some(trip) = &options.trip
    {
        make_trip(&folder, trip)?;
    }
    for post in &posts {
        progress.inc(1);
        let planned = plan(post, &zone);
        let shown =
            format!("the {} of {} ({})", post.kind, date_of(post.timestamp, None, &zone).0, post.file);
        if imported.contains(&planned.id) {
            report.skipped.push((shown, "imported before".to_string()));
            continue;
        }
        let usable: Vec<&instagram::Media> = post.media.iter().filter(|m| !m.uri.is_empty()).collect();
        if usable.len() < post.media.len() {
            report.warnings.push(Problem::in_file(
                export.path(),
                format!("{shown} has a media item with no file named; it is left out"),
            ));
        }
        let present: Vec<&instagram::Media> = usable
            .into_iter()
            .filter(|m| {
                let found = export.contains(&m.uri);
                if !found {
                    report.warnings.push(Problem::in_file(
                        export.path(),
                        format!(
                            "{shown}: its media file `{}` is not in the export; the post is made without it",
                            m.uri
                        ),
                    ));
                }
                found
            })
            .collect();
        if present.is_empty() && post.caption.trim().is_empty() {
            report.skipped.push((shown, "had neither media nor a caption".to_string()));
            continue;
        }
        let base = &planned.base;
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        names.insert(name.clone());
        let rel = folder.join(&name).join("index.md");
        report.made.push(site.relative(&rel).display().to_string().replace('\\', "/"));
        if options.dry_run {
            report.photos += present.len();
            continue;
        }
        let bundle = Bundle { post, media: &present, planned: &planned };
        let bundle = write_bundle(&export, &folder, &name, &bundle)?;
        report.photos += bundle.photos;
        report.videos += bundle.videos;
        report.warnings.extend(bundle.warnings);
    }
    progress.finish_and_clear();
    Ok(report)
}

fn progress_bar(len: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if len < 50 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("importing {bar:30} {pos}/{len} posts") {
        bar.set_style(style);
    }
    bar
}

/// The trip folder and its `_trip.md`, when new.
fn make_trip(folder: &Path, trip: &str) -> Result<()> {
    let file = folder.join(TRIP_FILE);
    if file.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(folder).map_err(|e| Error::io("make the trip folder", folder, e))?;
    let title: String = trip
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(&file, format!("---\ntitle: {}\n---\n", yaml_string(&title)))
        .map_err(|e| Error::io("write", &file, e))
}

/// What an import makes of a post before anything is written.
pub(crate) struct Planned {
    /// Its `instagram:` id.
    pub(crate) id: String,
    /// Its `date:`, with the offset of where it was taken.
    pub(crate) date: String,
    pub(crate) title: String,
    /// The bundle's folder name, before a number tells it from another.
    pub(crate) base: String,
    pub(crate) coords: Option<(f64, f64)>,
}

pub(crate) fn plan(post: &instagram::Post, zone: &TimeZone) -> Planned {
    let coords = post.media.iter().find_map(|m| m.coords);
    let (date, day) = date_of(post.timestamp, coords, zone);
    let title = title_of(&post.caption, &day);
    let base = format!("{day}-{}", slug_of(&title));
    Planned { id: post_id(post), date, title, base, coords }
}

/// What marks an imported post: a hash of its time and its media's paths,
/// which stay the same from one export to the next.
fn post_id(post: &instagram::Post) -> String {
    let mut key = post.timestamp.to_string();
    for media in &post.media {
        key.push('\n');
        key.push_str(&media.uri);
    }
    if post.media.is_empty() {
        key.push('\n');
        key.push_str(&post.caption);
    }
    blake3::hash(key.as_bytes()).to_hex()[..16].to_string()
}

/// The `instagram:` ids of every post under `content/`.
fn imported_ids(content: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in walkdir::WalkDir::new(content).into_iter().filter_map(|e| e.ok()) {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let matter = text.strip_prefix("---").and_then(|rest| rest.split("\n---").next()).unwrap_or("");
        for line in matter.lines() {
            if let Some(id) = line.strip_prefix("instagram:") {
                ids.insert(id.trim().trim_matches('"').to_string());
            }
        }
    }
    ids
}

/// The post's date as front matter writes it (with its offset) and its
/// local day: in the time zone at `coords` when known, else the site's.
fn date_of(timestamp: i64, coords: Option<(f64, f64)>, site_zone: &TimeZone) -> (String, String) {
    let instant = Timestamp::from_second(timestamp).unwrap_or(Timestamp::UNIX_EPOCH);
    let zone = coords.and_then(|(lat, lon)| zone_at(lat, lon)).unwrap_or_else(|| site_zone.clone());
    let zoned = instant.to_zoned_datetime(zone);
    (zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), zoned.strftime("%Y-%m-%d").to_string())
}

/// The time zone of the country at a place (the tz database has no lookup by
/// position): a country with one zone gives it; a country spanning several
/// gives none, and the site's zone is used.
fn zone_at(lat: f64, lon: f64) -> Option<TimeZone> {
    let country = crate::route::outlines::country_near(lat, lon, None)?;
    let name = single_zone(&country.name)?;
    TimeZone::get(name).ok()
}

/// The zone of countries that have one, by Natural Earth's short name.
fn single_zone(country: &str) -> Option<&'static str> {
    Some(match country {
        "Portugal" => "Europe/Lisbon",
        "Spain" => "Europe/Madrid",
        "France" => "Europe/Paris",
        "Italy" => "Europe/Rome",
        "Germany" => "Europe/Berlin",
        "United Kingdom" => "Europe/London",
        "Ireland" => "Europe/Dublin",
        "Netherlands" => "Europe/Amsterdam",
        "Belgium" => "Europe/Brussels",
        "Switzerland" => "Europe/Zurich",
        "Austria" => "Europe/Vienna",
        "Greece" => "Europe/Athens",
        "Norway" => "Europe/Oslo",
        "Sweden" => "Europe/Stockholm",
        "Finland" => "Europe/Helsinki",
        "Denmark" => "Europe/Copenhagen",
        "Poland" => "Europe/Warsaw",
        "Czechia" => "Europe/Prague",
        "Hungary" => "Europe/Budapest",
        "Turkey" => "Europe/Istanbul",
        "Iceland" => "Atlantic/Reykjavik",
        "Morocco" => "Africa/Casablanca",
        "Egypt" => "Africa/Cairo",
        "South Africa" => "Africa/Johannesburg",
        "Kenya" => "Africa/Nairobi",
        "Japan" => "Asia/Tokyo",
        "South Korea" => "Asia/Seoul",
        "North Korea" => "Asia/Pyongyang",
        "China" => "Asia/Shanghai",
        "Taiwan" => "Asia/Taipei",
        "Vietnam" => "Asia/Ho_Chi_Minh",
        "Thailand" => "Asia/Bangkok",
        "India" => "Asia/Kolkata",
        "Nepal" => "Asia/Kathmandu",
        "Sri Lanka" => "Asia/Colombo",
        "Israel" => "Asia/Jerusalem",
        "Jordan" => "Asia/Amman",
        "Iran" => "Asia/Tehran",
        "Philippines" => "Asia/Manila",
        "Singapore" => "Asia/Singapore",
        "Malaysia" => "Asia/Kuala_Lumpur",
        "New Zealand" => "Pacific/Auckland",
        "Peru" => "America/Lima",
        "Colombia" => "America/Bogota",
        "Argentina" => "America/Argentina/Buenos_Aires",
        "Chile" => "America/Santiago",
        "Cuba" => "America/Havana",
        _ => return None,
    })
}

/// A title from the caption: its first sentence without hashtags and
/// mentions, cut at a word near 60 characters; else the day.
fn title_of(caption: &str, day: &str) -> String {
    let first = caption
        .split(['\n', '.', '!', '?', '。', '！', '？'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let found = crate::hashtag::find(first, None);
    let mut words = String::new();
    let mut at = 0;
    for f in &found {
        words.push_str(&first[at..f.range.start]);
        at = f.range.end;
    }
    words.push_str(&first[at..]);
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = words.trim_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    if words.chars().any(char::is_alphanumeric) {
        if words.chars().count() <= 60 {
            return words.to_string();
        }
        let cut: String = words.chars().take(60).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
        return format!("{}…", cut.trim_end_matches([',', ';', ':']));
    }
    format!("Instagram, {day}")
}

fn slug_of(title: &str) -> String {
    let slug: String = slugify(title).chars().take(50).collect();
    match slug.trim_end_matches('-') {
        "" => "post".to_string(),
        s => s.to_string(),
    }
}

/// The caption as Markdown: what would be taken for markup escaped, and
/// each line break kept.
fn caption_body(caption: &str) -> String {
    let mut out = String::with_capacity(caption.len() + 16);
    let lines: Vec<&str> = caption.trim().lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            // A line break inside a paragraph is kept as one (`\`); a blank line parts paragraphs.
            let within = !line.trim().is_empty() && !lines[i - 1].trim().is_empty();
            out.push_str(if within { "\\\n" } else { "\n" });
        }
        let line = line.trim_end();
        let mut start = true;
        for c in line.chars() {
            let at_start = start && !c.is_whitespace();
            // `#` inside a line is a hashtag; at its start it might be a heading.
            if "\\`*_[]<>|~".contains(c) || (at_start && "#-+>=".contains(c)) {
                out.push('\\');
            }
            if !c.is_whitespace() {
                start = false;
            }
            out.push(c);
        }
    }
    out.push('\n');
    out
}

struct Written {
    photos: usize,
    videos: usize,
    warnings: Vec<Problem>,
}

/// One post as it is written: what its `index.md` says, and its media.
struct Bundle<'a> {
    post: &'a instagram::Post,
    /// Its media whose files are in the export.
    media: &'a [&'a instagram::Media],
    planned: &'a Planned,
}

/// Writes one post's bundle under a temporary name, then renames it into
/// place.
fn write_bundle(export: &Export, folder: &Path, name: &str, bundle: &Bundle<'_>) -> Result<Written> {
    let temp = folder.join(format!(".{name}.milepost-tmp-{}", std::process::id()));
    let done = folder.join(name);
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|e| Error::io("make the folder", &temp, e))?;
    let result = fill_bundle(export, &temp, bundle);
    match result {
        Ok(written) => {
            std::fs::rename(&temp, &done).map_err(|e| {
                let _ = std::fs::remove_dir_all(&temp);
                Error::io("move the new post into place", &done, e)
            })?;
            Ok(written)
        }
        Err(err) => {
            let _ = std::fs::remove_dir_all(&temp);
            Err(err)
        }
    }
}

fn fill_bundle(export: &Export, dir: &Path, bundle: &Bundle<'_>) -> Result<Written> {
    let Bundle { post, media, planned } = bundle;
    let mut written = Written { photos: 0, videos: 0, warnings: Vec::new() };
    // Photos and videos in the carousel's order.
    let mut shown = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for item in media.iter() {
        // Copied first and recognised from its first bytes: a video can be
        // hundreds of megabytes, never held in memory.
        let arriving = dir.join(format!(".arriving-{}", used.len()));
        export.copy_to(&item.uri, &arriving)?;
        let mut head = [0u8; 16];
        let head = std::fs::File::open(&arriving)
            .and_then(|mut f| {
                let mut n = 0;
                while n < head.len() {
                    match std::io::Read::read(&mut f, &mut head[n..])? {
                        0 => break,
                        got => n += got,
                    }
                }
                Ok(&head[..n])
            })
            .map_err(|e| Error::io("read", &arriving, e))?;
        let stem = item.uri.rsplit('/').next().unwrap_or("media");
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let stem: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || "-_".contains(*c)).collect();
        let stem = if stem.is_empty() { "media".to_string() } else { stem };
        let Some(kind) = Kind::sniff(head) else {
            let _ = std::fs::remove_file(&arriving);
            written.warnings.push(Problem::in_file(
                export.path().join(&item.uri),
                "it is neither a photo nor a video milepost knows (JPEG, PNG, WebP, HEIC, MP4, MOV); left out",
            ));
            continue;
        };
        let mut file = format!("{stem}.{}", kind.extension());
        let mut n = 2;
        while !used.insert(file.clone()) {
            file = format!("{stem}-{n}.{}", kind.extension());
            n += 1;
        }
        let path = dir.join(&file);
        std::fs::rename(&arriving, &path).map_err(|e| Error::io("write", &path, e))?;
        match kind {
            k if k.is_video() => {
                shown.push(file);
                written.videos += 1;
            }
            Kind::Heic => written.warnings.push(
                Problem::in_file(
                    &path,
                    "HEIC photos are copied but not shown: milepost makes no variants of them",
                )
                .hint("convert it to JPEG and list it under `photos:`"),
            ),
            _ => {
                shown.push(file);
                written.photos += 1;
            }
        }
    }
    let file = dir.join("index.md");
    std::fs::write(&file, index_md(post, planned, &shown)).map_err(|e| Error::io("write", &file, e))?;
    Ok(written)
}

/// The `index.md` of an imported post whose media files are `shown`.
pub(crate) fn index_md(post: &instagram::Post, planned: &Planned, shown: &[String]) -> String {
    let Planned { id, date, title, coords, .. } = planned;
    let mut text = String::from("---\n");
    text.push_str(&format!("title: {}\n", yaml_string(title)));
    text.push_str(&format!("date: {date}\n"));
    if let Some((lat, lon)) = coords {
        text.push_str(&format!("coords: [{lat:.6}, {lon:.6}]\n"));
    }
    if !shown.is_empty() {
        text.push_str("photos:\n");
        for file in shown {
            text.push_str(&format!("  - {}\n", yaml_string(file)));
        }
    }
    text.push_str(&format!("instagram: {id}\n---\n"));
    if !post.caption.trim().is_empty() {
        text.push('\n');
        text.push_str(&caption_body(&post.caption));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_first_sentence_without_tags() {
        assert_eq!(title_of("Race day! #marathon #run", "2017-04-13"), "Race day");
        assert_eq!(title_of("#onceinalifetime#run", "2017-04-13"), "Instagram, 2017-04-13");
        assert_eq!(title_of("With @ana at the start line. So cold", "d"), "With at the start line");
        let long =
            "We walked and walked along the river until the light went and the city turned blue around us";
        assert!(title_of(long, "d").chars().count() <= 61);
        assert!(title_of(long, "d").ends_with('…'));
    }

    #[test]
    fn captions_become_markdown_that_shows_them_as_written() {
        assert_eq!(
            caption_body("# not a heading\n*stars* and #tag_x\n\nNext"),
            "\\# not a heading\\\n\\*stars\\* and #tag\\_x\n\nNext\n"
        );
    }

    #[test]
    fn media_is_known_by_its_bytes() {
        assert_eq!(Kind::sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some(Kind::Jpeg));
        assert_eq!(Kind::sniff(b"\0\0\0\x18ftypmp42\0\0"), Some(Kind::Mp4));
        assert_eq!(Kind::sniff(b"\0\0\0\x14ftypqt  \0\0"), Some(Kind::Mov));
        assert_eq!(Kind::sniff(b"\0\0\0\x18ftypheic\0\0"), Some(Kind::Heic));
        assert_eq!(Kind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(Kind::sniff(b"hello"), None);
    }

    #[test]
    fn a_date_is_local_to_where_it_was_taken() {
        let utc = TimeZone::UTC;
        // 2017-04-13T00:00:00Z: 08:30 in Pyongyang that year.
        assert_eq!(date_of(1_492_041_600, Some((39.04, 125.75)), &utc).0, "2017-04-13T08:30:00+08:30");
        // Sydney spans several zones in its country: the site's zone.
        assert_eq!(date_of(1_492_041_600, Some((-33.86, 151.2)), &utc).0, "2017-04-13T00:00:00+00:00");
        assert_eq!(date_of(1_492_041_600, None, &utc).1, "2017-04-13");
    }
}

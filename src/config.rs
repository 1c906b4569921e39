//! The site's settings: `site.toml` read into a typed `Config`, every key
//! checked (a misspelt key names the nearest real one), defaults filled in.

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::error::{Problem, line_at};
use crate::suggest;

pub(crate) const FILE_NAME: &str = "site.toml";

/// site.toml as written. Every key has a default, so an empty file is a site.
#[derive(Debug, Deserialize)]
#[serde(default)]
struct RawConfig {
    title: String,
    base_url: String,
    description: String,
    author: String,
    language: String,
    theme: String,
    timezone: String,
    output_dir: PathBuf,
    posts_per_page: usize,
    feed_limit: usize,
    mentions: String,
    units: String,
    photos: PhotoConfig,
    search: SearchConfig,
}

const TOP_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "author",
    "language",
    "theme",
    "timezone",
    "output_dir",
    "posts_per_page",
    "feed_limit",
    "mentions",
    "units",
    "photos",
    "search",
];
const PHOTO_KEYS: &[&str] =
    &["widths", "formats", "quality", "max_megapixels", "publish_originals", "video_warn_mb"];
const SEARCH_KEYS: &[&str] = &["enabled"];

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            title: "My travel journal".into(),
            base_url: "http://localhost/".into(),
            description: String::new(),
            author: String::new(),
            language: "en".into(),
            theme: "default".into(),
            timezone: "UTC".into(),
            output_dir: PathBuf::from("public"),
            posts_per_page: 12,
            feed_limit: 20,
            mentions: String::new(),
            units: "metric".into(),
            photos: PhotoConfig::default(),
            search: SearchConfig::default(),
        }
    }
}

/// `[search]`: the site's full-text search (see `search`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SearchConfig {
    /// Builds the search index and page, and puts a search box in the header.
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default)]
pub struct PhotoConfig {
    pub widths: Vec<u32>,
    /// The formats of every variant, the browser's first choice first; JPEG
    /// is always among them, as the `<img>` every browser shows.
    pub formats: Vec<Encoding>,
    pub(crate) quality: u8,
    pub(crate) max_megapixels: f64,
    pub(crate) publish_originals: bool,
    /// A video larger than this many megabytes gets a warning naming it.
    pub(crate) video_warn_mb: u64,
}

/// A format photo variants are encoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Avif,
    Webp,
    #[serde(alias = "jpg")]
    Jpeg,
}

impl Encoding {
    /// The extension of its files.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Encoding::Avif => "avif",
            Encoding::Webp => "webp",
            Encoding::Jpeg => "jpg",
        }
    }

    /// Its media type, for `<source type>`.
    pub(crate) fn mime(self) -> &'static str {
        match self {
            Encoding::Avif => "image/avif",
            Encoding::Webp => "image/webp",
            Encoding::Jpeg => "image/jpeg",
        }
    }
}

impl Default for PhotoConfig {
    fn default() -> Self {
        PhotoConfig {
            widths: vec![480, 960, 1600],
            formats: vec![Encoding::Webp, Encoding::Jpeg],
            quality: 80,
            max_megapixels: 100.0,
            publish_originals: false,
            video_warn_mb: 100,
        }
    }
}

/// How distances and heights are written: a site setting (`units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Units {
    /// Kilometres and metres.
    #[default]
    Metric,
    /// Miles and feet.
    Imperial,
}

/// The settings of a site, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) title: String,
    /// Absolute, ending in `/`.
    pub base_url: String,
    pub(crate) description: String,
    pub(crate) author: String,
    pub(crate) language: String,
    pub(crate) theme: String,
    pub(crate) timezone: TimeZone,
    /// Relative to the site root unless absolute.
    pub(crate) output_dir: PathBuf,
    pub(crate) posts_per_page: usize,
    pub(crate) feed_limit: usize,
    /// Where a mentioned user's profile lives, `{}` standing for the name.
    pub(crate) mentions: Option<String>,
    /// How routes' distances, heights and paces are written.
    pub(crate) units: Units,
    pub photos: PhotoConfig,
    pub search: SearchConfig,
    /// Links to pages name their `index.html` (`build --for-disk`), so the
    /// output works opened from disk with JavaScript off.
    pub(crate) for_disk: bool,
}

impl Config {
    /// Reads the text of site.toml; `file` is only used to name it in problems.
    pub fn parse(text: &str, file: &Path) -> Result<Config, Vec<Problem>> {
        let problem = |message: String| Problem::in_file(file, message);
        let mut unknown = Vec::new();
        let raw: RawConfig = serde_ignored::deserialize(
            toml::Deserializer::parse(text).map_err(|e| vec![toml_problem(file, text, &e)])?,
            |path| unknown.push(path.to_string()),
        )
        .map_err(|e| vec![toml_problem(file, text, &e)])?;

        let mut problems = Vec::new();
        for key in unknown {
            let table = |header: &str| text.find(header).map_or(0, |i| text[..i].lines().count());
            let (known, name, after) = if let Some(name) = key.strip_prefix("photos.") {
                (PHOTO_KEYS, name, table("[photos]"))
            } else if let Some(name) = key.strip_prefix("search.") {
                (SEARCH_KEYS, name, table("[search]"))
            } else {
                (TOP_KEYS, key.as_str(), 0)
            };
            problems.push(
                problem(format!("unknown key `{key}`"))
                    .at_line(suggest::line_of_key(text, name, '=', after))
                    .hint(suggest::unknown_key_hint(name, known)),
            );
        }

        let line = |key: &str| suggest::line_of_key(text, key, '=', 0);
        let timezone = match TimeZone::get(&raw.timezone) {
            Ok(tz) => tz,
            Err(_) => {
                problems.push(
                    problem(format!("unknown time zone `{}`", raw.timezone))
                        .at_line(line("timezone"))
                        .hint("use a name from the tz database, such as \"Europe/Lisbon\" or \"Asia/Pyongyang\", or \"UTC\""),
                );
                TimeZone::UTC
            }
        };
        let base_url = match check_base_url(&raw.base_url) {
            Ok(url) => url,
            Err(message) => {
                problems.push(problem(message).at_line(line("base_url")).hint(
                    "write the full address the site will live at, such as \"https://user.github.io/diary/\"",
                ));
                String::new()
            }
        };
        if raw.posts_per_page == 0 {
            problems.push(
                problem("`posts_per_page` is 0".into())
                    .at_line(line("posts_per_page"))
                    .hint("use a number of posts of 1 or more, such as 12"),
            );
        }
        if raw.photos.widths.is_empty() || raw.photos.widths.contains(&0) {
            problems.push(
                problem("`[photos] widths` needs at least one width above 0".into())
                    .at_line(line("widths"))
                    .hint("for example: widths = [480, 960, 1600]"),
            );
        }
        if !(1..=100).contains(&raw.photos.quality) {
            problems.push(
                problem(format!("`[photos] quality` is {}; it goes from 1 to 100", raw.photos.quality))
                    .at_line(line("quality"))
                    .hint("80 keeps photos sharp and small"),
            );
        }
        if !raw.photos.formats.contains(&Encoding::Jpeg) {
            problems.push(
                problem("`[photos] formats` has no \"jpeg\"".into())
                    .at_line(line("formats"))
                    .hint("JPEG is what every browser shows: formats = [\"avif\", \"webp\", \"jpeg\"]"),
            );
        }
        let mentions = Some(raw.mentions.trim().to_string()).filter(|m| !m.is_empty());
        if let Some(pattern) = &mentions {
            let absolute = pattern.starts_with("https://") || pattern.starts_with("http://");
            if !absolute || !pattern.contains("{}") {
                problems.push(
                    problem(format!("`mentions` is `{pattern}`: it must be a web address with `{{}}` where the user name goes"))
                        .at_line(line("mentions"))
                        .hint("for Instagram: mentions = \"https://www.instagram.com/{}/\""),
                );
            }
        }
        let units = match raw.units.trim() {
            "metric" | "km" => Units::Metric,
            "imperial" | "mi" => Units::Imperial,
            other => {
                problems.push(
                    problem(format!("`units` is `{other}`"))
                        .at_line(line("units"))
                        .hint("use \"metric\" (kilometres and metres) or \"imperial\" (miles and feet)"),
                );
                Units::Metric
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }

        let mut widths = raw.photos.widths;
        widths.sort_unstable();
        widths.dedup();
        let mut formats = raw.photos.formats.clone();
        let mut seen = std::collections::HashSet::new();
        formats.retain(|f| seen.insert(*f));
        Ok(Config {
            title: raw.title,
            base_url,
            description: raw.description,
            author: raw.author,
            language: raw.language,
            theme: raw.theme,
            timezone,
            output_dir: raw.output_dir,
            posts_per_page: raw.posts_per_page,
            feed_limit: raw.feed_limit,
            mentions,
            units,
            photos: PhotoConfig { widths, formats, ..raw.photos },
            search: raw.search,
            for_disk: false,
        })
    }

    /// Replaces the base URL (from `--base-url`), with the same checks.
    pub(crate) fn set_base_url(&mut self, url: &str) -> Result<(), Problem> {
        self.base_url = check_base_url(url).map_err(|message| {
            Problem::new(format!("--base-url: {message}"))
                .hint("write the full address, such as https://user.github.io/diary/")
        })?;
        Ok(())
    }

    /// The path part of the base URL, such as `/diary/` (`/` at a domain's root).
    pub(crate) fn base_path(&self) -> &str {
        let after_scheme = self.base_url.find("://").map_or(0, |i| i + 3);
        self.base_url[after_scheme..].find('/').map_or("/", |i| &self.base_url[after_scheme + i..])
    }
}

fn check_base_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`base_url` must start with https:// or http://, not `{url}`"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(format!("`base_url` `{url}` has no host name"));
    }
    if rest.contains(['?', '#']) {
        return Err(format!("`base_url` `{url}` may not have a query or fragment"));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

fn toml_problem(file: &Path, text: &str, err: &toml::de::Error) -> Problem {
    let line = err.span().map(|span| line_at(text, span.start));
    let message = err.message().trim();
    // A value serde does not know is valid TOML: say what it may be instead.
    if message.starts_with("unknown variant") {
        return Problem::in_file(file, format!("site.toml: {message}"))
            .at_line(line)
            .hint("use one of the values listed, in double quotes");
    }
    Problem::in_file(file, format!("site.toml is not valid TOML: {message}"))
        .at_line(line)
        .hint("each setting is `key = value`, with text in double quotes: title = \"My trip\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Problem>> {
        Config::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn an_empty_file_is_a_site_with_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.posts_per_page, 12);
        assert_eq!(config.photos.widths, vec![480, 960, 1600]);
        assert_eq!(config.base_path(), "/");
    }

    #[test]
    fn base_url_gets_a_trailing_slash_and_a_path() {
        let config = parse("base_url = \"https://u.github.io/diary\"").unwrap();
        assert_eq!(config.base_url, "https://u.github.io/diary/");
        assert_eq!(config.base_path(), "/diary/");
    }

    #[test]
    fn unknown_keys_name_the_nearest_known_key_and_line() {
        let problems =
            parse("title = \"x\"\nbaseurl = \"https://a.b/\"\n[photos]\nwidht = [1]\n").unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, Some(2));
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `base_url`?"));
        assert_eq!(problems[1].line, Some(4));
        assert_eq!(problems[1].hint.as_deref(), Some("did you mean `widths`?"));
    }

    #[test]
    fn bad_values_are_each_reported() {
        let problems = parse("timezone = \"Mars/Olympus\"\nbase_url = \"example.com\"\nposts_per_page = 0\n")
            .unwrap_err();
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn mentions_need_a_web_address_with_a_place_for_the_name() {
        let config = parse("mentions = \"https://www.instagram.com/{}/\"").unwrap();
        assert_eq!(config.mentions.as_deref(), Some("https://www.instagram.com/{}/"));
        assert_eq!(parse("mentions = \"\"").unwrap().mentions, None);
        for bad in ["https://www.instagram.com/", "www.instagram.com/{}/"] {
            let problems = parse(&format!("title = \"x\"\nmentions = \"{bad}\"")).unwrap_err();
            assert_eq!(problems[0].line, Some(2), "{problems:?}");
        }
    }

    #[test]
    fn search_is_off_unless_asked_for_and_its_keys_are_checked() {
        assert!(!parse("").unwrap().search.enabled);
        assert!(parse("[search]\nenabled = true\n").unwrap().search.enabled);
        let problems = parse("title = \"x\"\n[search]\nenable = true\n").unwrap_err();
        assert_eq!(problems[0].line, Some(3), "{problems:?}");
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `enabled`?"));
    }

    #[test]
    fn malformed_toml_names_its_line() {
        let problems = parse("title = \"x\"\ntheme = \n").unwrap_err();
        assert_eq!(problems[0].line, Some(2), "{problems:?}");
    }
}

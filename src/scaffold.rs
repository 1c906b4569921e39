//! `milepost new` and `milepost init`: files written for the traveller to fill
//! in. Neither ever overwrites a file that exists.

use std::path::{Path, PathBuf};

use crate::disk;
use crate::error::{Problem, Result};
use crate::load::TRIP_FILE;
use crate::site::Site;
use crate::slug::slugify;

/// Writes `content/[TRIP/]SLUG/index.md` with the front matter filled in and
/// returns its path, relative to the site root.
pub fn new_post(site: &Site, title: &str, trip: Option<&str>) -> Result<PathBuf> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Problem::new(format!(
            "the title `{title}` has no letters or digits to make a file name from"
        ))
        .hint("give the post a title with words in it, such as \"Race day\"")
        .into());
    }
    let mut folder = PathBuf::from("content");
    if let Some(trip) = trip {
        let trip_dir = site.content_dir().join(trip);
        if !trip_dir.join(TRIP_FILE).is_file() {
            let trips = trips_of(site);
            let hint = if trips.is_empty() {
                format!("make the trip first: a folder content/{trip}/ holding a {TRIP_FILE} with its title")
            } else {
                format!("the trips are: {}", trips.join(", "))
            };
            return Err(Problem::new(format!("there is no trip `{trip}` (no content/{trip}/{TRIP_FILE})"))
                .hint(hint)
                .into());
        }
        folder.push(trip);
    }
    folder.push(&slug);
    let file = folder.join("index.md");
    if site.root.join(&folder).exists() {
        return Err(Problem::in_file(&folder, "a post with this name exists already")
            .hint("choose another title, or edit the post that is there")
            .into());
    }
    let now = jiff::ZonedDateTime::now().with_time_zone(site.config.timezone.clone());
    let text = format!(
        "---\ntitle: {}\ndate: {}\nlocation:\ntags: []\nphotos:\n---\n\nWhat happened today? #hashtags in the text become tags.\n",
        yaml_string(title),
        now.strftime("%Y-%m-%dT%H:%M:%S%:z")
    );
    disk::create_dir_all(&site.root.join(&folder))?;
    disk::write(&site.root.join(&file), text.as_bytes())?;
    Ok(file)
}

fn trips_of(site: &Site) -> Vec<String> {
    let mut trips: Vec<String> = std::fs::read_dir(site.content_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().join(TRIP_FILE).is_file())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    trips.sort();
    trips
}

/// A YAML double-quoted string (control characters escaped, so any text
/// stays on its line, and the characters YAML refuses to read as they are:
/// U+FFFE and U+FFFF, and a byte-order mark).
pub(crate) fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const INIT_FILES: &[(&str, &str)] = &[
    (
        "site.toml",
        r#"title = "My travel journal"
base_url = "https://example.com/"
description = "Notes and photos from the road"
author = ""
language = "en"
theme = "default"
timezone = "UTC"
output_dir = "public"
posts_per_page = 12
feed_limit = 20
# mentions = "https://www.instagram.com/{}/"   # where @mentions link to; unset, they are plain text

[photos]
widths = [480, 960, 1600]
quality = 80

[search]
enabled = true   # a search page and box; the index is built with the site
"#,
    ),
    (".gitignore", "/public/\n/.milepost/\n"),
    (
        "content/first-trip/_trip.md",
        "---\ntitle: My first trip\nstart: 2025-06-01\nlocation: Lisbon, Portugal\nsummary: A long weekend by the sea.\n---\n\nA few words about the trip as a whole.\n",
    ),
    (
        "content/first-trip/2025-06-01-arrival.md",
        "---\ntitle: Arrival\ndate: 2025-06-01T18:40:00+01:00\nlocation: Lisbon, Portugal\ntags: [lisbon]\n---\n\nLanded in the late sun and walked down to the river. #tram28 tomorrow.\n",
    ),
    (
        "content/first-trip/day-by-the-sea/index.md",
        "---\ntitle: A day by the sea\ndate: 2025-06-02 10:15\nlocation: Cascais, Portugal\ntags: [beach]\n---\n\nTook the train along the coast. Put your photos in this folder and list them under `photos:` in the front matter.\n",
    ),
    ("content/pages/about.md", "---\ntitle: About\n---\n\nWho writes this journal, and why.\n"),
];

/// Makes a new site in `dir`: site.toml, a sample trip with two posts, an
/// about page. The default theme is built in, so no theme files are written.
pub fn init_site(dir: &Path) -> Result<()> {
    for taken in ["site.toml", "content"] {
        if dir.join(taken).exists() {
            return Err(Problem::in_file(dir.join(taken), "a site is here already")
                .hint("run `milepost init` in an empty folder, or give it a new folder's name")
                .into());
        }
    }
    for (path, text) in INIT_FILES {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            disk::create_dir_all(parent)?;
        }
        if !path.exists() {
            disk::write(&path, text.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::yaml_string;

    #[test]
    fn titles_are_quoted_for_yaml() {
        assert_eq!(yaml_string(r#"Day 1: "Pyongyang" \o/"#), r#""Day 1: \"Pyongyang\" \\o/""#);
    }

    #[test]
    fn any_text_reads_back_as_itself() {
        // Found by fuzzing the import: an Instagram caption holding U+FFFF
        // became a title YAML refused, so the imported post did not build.
        for text in ["a\u{ffff}b", "\u{fffe}", "\u{feff}x", "\u{85}\u{7f}\u{1b}", "🇰🇵 \u{10ffff}", "a: b # c"]
        {
            let read: String =
                serde_yaml::from_str(&yaml_string(text)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(read, text);
        }
    }
}

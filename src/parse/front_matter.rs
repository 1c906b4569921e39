//! Front matter: the YAML block between `---` lines at the top of a Markdown
//! file, read into typed structs. The YAML crate is used here and nowhere else.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::suggest;

/// A file cut into its front matter and its body.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub(super) yaml: &'a str,
    /// 1-based line of the first line of `yaml`.
    pub(super) yaml_line: usize,
    pub(super) body: &'a str,
}

/// What is wrong with a front matter, and on which line of the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Fault {
    pub(super) line: Option<usize>,
    pub(super) message: String,
    pub(super) hint: Option<String>,
}

/// Cuts `text` at its front matter. A file without front matter has an empty one.
pub fn split(text: &str) -> Result<Split<'_>, Fault> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Ok(Split { yaml: "", yaml_line: 1, body: text });
    }
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Fault {
        line: Some(1),
        message: "the front matter opened with `---` on line 1 is never closed".into(),
        hint: Some("add a line holding only `---` after the last front-matter field".into()),
    })
}

/// Reads the front matter of `split` into `T`. Keys `T` does not know are
/// faults that name the nearest known key.
pub fn parse<T: DeserializeOwned + Default>(split: &Split<'_>, known: &[&str]) -> Result<T, Vec<Fault>> {
    if split.yaml.trim().is_empty() {
        return Ok(T::default());
    }
    let file_line = |yaml_line: usize| split.yaml_line + yaml_line - 1;
    let mut unknown = Vec::new();
    let value: T = serde_ignored::deserialize(serde_yaml::Deserializer::from_str(split.yaml), |path| {
        unknown.push(path.to_string())
    })
    .map_err(|err| {
        let line = err.location().map(|at| file_line(at.line()));
        let message = err.to_string();
        // serde_yaml appends " at line N column M"; the line is said once, in front.
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        vec![Fault {
            line,
            message: format!("the front matter is not valid: {message}"),
            hint: Some(yaml_hint(&message)),
        }]
    })?;
    let faults: Vec<Fault> = unknown
        .into_iter()
        .map(|path| {
            let key = path.rsplit('.').next().unwrap_or(&path);
            let top = !path.contains('.');
            Fault {
                line: suggest::line_of_key(split.yaml, key, ':', 0).map(file_line),
                message: format!("unknown front-matter key `{path}`"),
                hint: Some(if top {
                    suggest::unknown_key_hint(key, known)
                } else {
                    suggest::unknown_key_hint(key, PHOTO_KEYS)
                }),
            }
        })
        .collect();
    if faults.is_empty() { Ok(value) } else { Err(faults) }
}

fn yaml_hint(message: &str) -> String {
    if message.contains("mapping values are not allowed") {
        "a value holding `: ` must be quoted, such as caption: \"Day 1: arrival\"".into()
    } else if message.contains("repetition limit exceeded") {
        // serde_yaml stops an alias bomb (a "billion laughs") here.
        "its `*name` references to `&name` anchors repeat values too often; write the values out instead"
            .into()
    } else if message.contains("recursion limit exceeded") {
        "values are nested more than 128 deep; front matter needs a few levels at most".into()
    } else if message.contains("invalid type") {
        "check the value's form: text, a number, a list in [brackets] or true/false".into()
    } else {
        "each field is `key: value` on its own line; quote text holding `:` or `#`".into()
    }
}

pub const POST_KEYS: &[&str] = &[
    "title",
    "date",
    "location",
    "coords",
    "tags",
    "photos",
    "media",
    "cover",
    "summary",
    "gpx",
    "draft",
    "slug",
    "instagram",
];
const PHOTO_KEYS: &[&str] = &["src", "caption", "alt", "poster"];
pub(super) const TRIP_KEYS: &[&str] = &["title", "start", "end", "summary", "cover", "location"];
pub(super) const PAGE_KEYS: &[&str] = &["title", "summary", "draft", "slug"];

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PostMatter {
    pub(super) title: Option<String>,
    pub(super) date: Option<String>,
    pub(super) location: Option<String>,
    pub(super) coords: Option<[f64; 2]>,
    #[serde(deserialize_with = "one_or_many")]
    pub(super) tags: Vec<String>,
    /// Photos and videos; `media:` is the same list by another name.
    #[serde(deserialize_with = "nullable", alias = "media")]
    pub(super) photos: Vec<PhotoEntry>,
    pub(super) cover: Option<String>,
    pub(super) summary: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub(super) gpx: Vec<String>,
    pub(super) draft: bool,
    pub(super) slug: Option<String>,
    /// The Instagram post it was imported from: how `milepost import`
    /// knows it next time. Nothing else reads it.
    #[allow(dead_code)]
    pub(super) instagram: Option<serde_yaml::Value>,
}

/// An entry of `photos:`: a bare path, or a path with caption and alt text
/// (and, for a video, the photo shown before it plays).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(super) enum PhotoEntry {
    Path(String),
    Full {
        src: String,
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        alt: Option<String>,
        #[serde(default)]
        poster: Option<String>,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TripMatter {
    pub(super) title: Option<String>,
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) cover: Option<String>,
    pub(super) location: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PageMatter {
    pub(super) title: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) draft: bool,
    pub(super) slug: Option<String>,
}

/// `photos:` with nothing after it is an empty list, not an error.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `tags: marathon` and `tags: [marathon, pyongyang]` both work.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(tag)) => vec![tag],
        Some(OneOrMany::Many(tags)) => tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(text: &str) -> Result<PostMatter, Vec<Fault>> {
        parse(&split(text).unwrap(), POST_KEYS)
    }

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!((s.yaml, s.body), ("title: x\n", "body\n"));
        let s = split("\u{feff}---\r\ntitle: x\r\n---\r\nbody").unwrap();
        assert_eq!((s.yaml, s.body), ("title: x\r\n", "body"));
        let s = split("no front matter").unwrap();
        assert_eq!((s.yaml, s.body), ("", "no front matter"));
    }

    #[test]
    fn unclosed_front_matter_is_a_fault_on_line_1() {
        let fault = split("---\ntitle: x\nbody\n").unwrap_err();
        assert_eq!(fault.line, Some(1));
    }

    #[test]
    fn reads_every_post_field() {
        let m = post(
            "---\ntitle: Race day\ndate: 2017-04-13T08:30:00+09:00\nlocation: Stadium\ncoords: [39.0, 125.7]\n\
             tags: [marathon, Pyongyang]\nphotos:\n  - src: a.jpg\n    caption: \"hi #there\"\n    alt: A\n  - b.jpg\n\
             cover: a.jpg\nsummary: S\ngpx: r.gpx\ndraft: true\nslug: race\n---\n",
        )
        .unwrap();
        assert_eq!(m.title.as_deref(), Some("Race day"));
        assert_eq!(m.date.as_deref(), Some("2017-04-13T08:30:00+09:00"));
        assert_eq!(m.coords, Some([39.0, 125.7]));
        assert_eq!(m.tags, vec!["marathon", "Pyongyang"]);
        assert_eq!(m.photos.len(), 2);
        assert_eq!(m.photos[1], PhotoEntry::Path("b.jpg".into()));
        assert!(m.draft);
        assert_eq!(m.slug.as_deref(), Some("race"));
        assert_eq!(m.gpx, vec!["r.gpx"]);
        let m = post("---\ntitle: x\ngpx: [morning.gpx, evening.gpx]\n---\n").unwrap();
        assert_eq!(m.gpx, vec!["morning.gpx", "evening.gpx"]);
    }

    #[test]
    fn empty_photos_and_a_single_tag() {
        let m = post("---\ntitle: x\nphotos:\ntags: solo\n---\n").unwrap();
        assert!(m.photos.is_empty());
        assert_eq!(m.tags, vec!["solo"]);
    }

    #[test]
    fn malformed_yaml_names_the_file_line() {
        let faults = post("---\ntitle: x\ncaption: a: b\n---\n").unwrap_err();
        assert_eq!(faults[0].line, Some(3), "{faults:?}");
        assert!(faults[0].message.starts_with("the front matter is not valid"));
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let faults = post("---\ntitle: x\nloaction: Pyongyang\n---\n").unwrap_err();
        assert_eq!(faults[0].line, Some(3));
        assert_eq!(faults[0].hint.as_deref(), Some("did you mean `location`?"));
    }
}

//! Instagram's "Download your information" export, in JSON: where its posts
//! files are in each layout seen (2018 to now), what a post and a media item
//! hold, and the repair of its text, which writes each UTF-8 byte as its own
//! `\u00XX`.

use serde_json::Value;

use crate::error::{Problem, Result};

use super::export::Export;

/// One Instagram post, read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Post {
    /// The caption, repaired; empty when there is none.
    pub(crate) caption: String,
    /// Unix seconds.
    pub(crate) timestamp: i64,
    pub(crate) media: Vec<Media>,
    /// What it is in the export: "post", "reel" or "archived post".
    pub(crate) kind: &'static str,
    /// The export file it came from, for messages.
    pub(crate) file: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Media {
    /// The file's path in the export (`media/posts/201904/1234.jpg`); empty
    /// when the export names none.
    pub(crate) uri: String,
    pub(crate) timestamp: Option<i64>,
    /// Where it was taken, from its EXIF data: (lat, lon).
    pub(crate) coords: Option<(f64, f64)>,
}

/// Where posts are kept in an export: (file name pattern, what they are).
fn kind_of(name: &str) -> Option<&'static str> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let numbered = |prefix: &str| {
        file.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".json"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if numbered("posts_") {
        Some("post")
    } else if file == "reels.json" || numbered("reels_") {
        Some("reel")
    } else if file == "archived_posts.json" || numbered("archived_posts_") {
        Some("archived post")
    } else {
        None
    }
}

/// Every post of the export, oldest first.
pub(crate) fn posts(export: &Export) -> Result<Vec<Post>> {
    let names = export.names();
    let files: Vec<&str> = names.iter().copied().filter(|n| kind_of(n).is_some()).collect();
    if files.is_empty() {
        let problem = if names.iter().any(|n| n.rsplit('/').next() == Some("media.json")) {
            Problem::in_file(
                export.path(),
                "this is an Instagram export in the old layout (media.json, before 2021), which milepost does not read",
            )
            .hint("download your information again from Instagram: a new export has posts_1.json")
        } else if names.iter().any(|n| n.ends_with("posts_1.html")) {
            Problem::in_file(export.path(), "this export is in HTML, which holds no data milepost can read")
                .hint("download your information again, choosing the JSON format")
        } else {
            Problem::in_file(export.path(), "no posts file (posts_1.json) was found in this export")
                .hint("give the folder or .zip of Instagram's \"Download your information\", in JSON format")
        };
        return Err(problem.into());
    }
    let mut posts = Vec::new();
    for name in files {
        let kind = kind_of(name).unwrap_or("post");
        let bytes = export.read(name, super::export::MAX_POSTS_FILE)?;
        let read = read_posts_file(&bytes, name, kind, |uri| export.contains(uri)).map_err(|e| {
            Problem::in_file(
                export.path().join(name),
                format!("its JSON is broken at line {}, column {}: {e}", e.line(), e.column()),
            )
            .at_line(Some(e.line()))
            .hint("download your information again; an export cut short is not whole")
        })?;
        posts.extend(read);
    }
    posts.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then_with(|| a.media.first().map(|m| &m.uri).cmp(&b.media.first().map(|m| &m.uri)))
    });
    Ok(posts)
}

/// The posts of the posts file `name` (of `kind`), from its bytes;
/// `contains` says whether the export holds a file.
pub(crate) fn read_posts_file(
    bytes: &[u8],
    name: &str,
    kind: &'static str,
    contains: impl Fn(&str) -> bool,
) -> std::result::Result<Vec<Post>, serde_json::Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    // An export unpacked into a folder of its own (or zipped with one)
    // names media from its root, which is where the layout's folders are.
    let root = export_root(name);
    let mut posts = Vec::new();
    for item in items(&value) {
        if let Some(mut post) = post(item, kind, name) {
            for media in &mut post.media {
                let rooted = format!("{root}{}", media.uri);
                if !media.uri.is_empty() && !contains(&media.uri) && contains(&rooted) {
                    media.uri = rooted;
                }
            }
            posts.push(post);
        }
    }
    Ok(posts)
}

/// The folder of the export that holds the posts file `name`, with a
/// trailing `/` ("" at the top): the part before `your_instagram_activity/`
/// or `content/`.
fn export_root(name: &str) -> &str {
    for layout in ["your_instagram_activity/", "content/"] {
        if let Some(at) = name.rfind(layout).filter(|&at| at == 0 || name.as_bytes()[at - 1] == b'/') {
            return &name[..at];
        }
    }
    name.rfind('/').map_or("", |at| &name[..=at])
}

/// The posts of a posts file: an array, or an object holding one
/// (`ig_reels_media`, `ig_archived_post_media`, `ig_posts`).
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().filter_map(Value::as_array).flatten().collect(),
        _ => Vec::new(),
    }
}

fn post(item: &Value, kind: &'static str, file: &str) -> Option<Post> {
    let media: Vec<&Value> = match item.get("media") {
        Some(Value::Array(media)) => media.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        // A reels file may list media items themselves.
        _ if item.get("uri").is_some() => vec![item],
        _ => return None,
    };
    let media: Vec<Media> = media.into_iter().map(media_item).collect();
    // A single photo keeps its caption and time on the media item.
    let caption = text(item.get("title")).or_else(|| media_texts(item)).unwrap_or_default();
    let timestamp =
        number(item.get("creation_timestamp")).or_else(|| media.iter().find_map(|m| m.timestamp))?;
    Some(Post { caption, timestamp, media, kind, file: file.to_string() })
}

fn media_texts(item: &Value) -> Option<String> {
    let media = item.get("media")?;
    let first = match media {
        Value::Array(items) => items.first()?,
        other => other,
    };
    text(first.get("title"))
}

fn media_item(item: &Value) -> Media {
    let exif = ["photo_metadata", "video_metadata"]
        .iter()
        .filter_map(|kind| item.get("media_metadata")?.get(kind)?.get("exif_data")?.as_array())
        .flatten();
    let mut coords = None;
    for entry in exif {
        let (lat, lon) = (float(entry.get("latitude")), float(entry.get("longitude")));
        if let (Some(lat), Some(lon)) = (lat, lon)
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && (lat, lon) != (0.0, 0.0)
        {
            coords = Some((lat, lon));
            break;
        }
    }
    Media {
        uri: item.get("uri").and_then(Value::as_str).unwrap_or("").trim().to_string(),
        timestamp: number(item.get("creation_timestamp")),
        coords,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(repair).filter(|t| !t.trim().is_empty())
}

fn number(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// Instagram's exports write every byte of a caption's UTF-8 as its own
/// character (`é` as `\u00c3\u00a9`). Where every character is at most
/// U+00FF and those bytes are UTF-8, they are decoded; else the text is kept.
pub(crate) fn repair(text: &str) -> String {
    if text.is_ascii() || text.chars().any(|c| c as u32 > 0xff) {
        return text.to_string();
    }
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_good_text_kept() {
        let broken: String = "Café ☕ in São Paulo 🇧🇷".bytes().map(|b| b as char).collect();
        assert_eq!(repair(&broken), "Café ☕ in São Paulo 🇧🇷");
        assert_eq!(repair("Café ☕"), "Café ☕");
        assert_eq!(repair("plain"), "plain");
        // Latin-1 text that is not UTF-8 bytes stays as it is.
        assert_eq!(repair("Crème brûlée"), "Crème brûlée");
    }

    #[test]
    fn posts_files_in_every_layout_are_found() {
        assert_eq!(kind_of("content/posts_1.json"), Some("post"));
        assert_eq!(kind_of("your_instagram_activity/media/posts_12.json"), Some("post"));
        assert_eq!(kind_of("your_instagram_activity/content/reels.json"), Some("reel"));
        assert_eq!(kind_of("content/archived_posts.json"), Some("archived post"));
        assert_eq!(kind_of("content/posts_.json"), None);
        assert_eq!(kind_of("media.json"), None);
    }

    #[test]
    fn media_paths_are_from_the_export_root() {
        assert_eq!(export_root("content/posts_1.json"), "");
        assert_eq!(export_root("your_instagram_activity/media/posts_1.json"), "");
        assert_eq!(
            export_root("instagram-ana-2025/your_instagram_activity/content/posts_1.json"),
            "instagram-ana-2025/"
        );
        assert_eq!(export_root("ana/content/posts_1.json"), "ana/");
    }

    #[test]
    fn a_single_photo_keeps_its_caption_and_time_on_the_media() {
        let item: Value = serde_json::from_str(
            r#"{"media": [{"uri": "media/posts/201904/a.jpg", "creation_timestamp": 1555130000, "title": "Race day #run",
                "media_metadata": {"photo_metadata": {"exif_data": [{"latitude": -33.86, "longitude": 151.2}]}}}]}"#,
        )
        .unwrap();
        let post = post(&item, "post", "posts_1.json").unwrap();
        assert_eq!(post.caption, "Race day #run");
        assert_eq!(post.timestamp, 1555130000);
        assert_eq!(post.media[0].coords, Some((-33.86, 151.2)));
    }

    #[test]
    fn media_may_be_one_object_and_reels_are_wrapped() {
        let reels: Value = serde_json::from_str(
            r#"{"ig_reels_media": [{"media": {"uri": "media/reels/x.mp4", "creation_timestamp": 1600000000, "title": "Start line"}}]}"#,
        )
        .unwrap();
        let found: Vec<Post> =
            items(&reels).into_iter().filter_map(|i| post(i, "reel", "reels.json")).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].media[0].uri, "media/reels/x.mp4");
        assert_eq!(found[0].caption, "Start line");
    }
}

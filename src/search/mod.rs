//! The search index: every published post and page as a record (its
//! text, captions and tags; its title, place, trip and local date; filters
//! by trip, tag and year), made into the files the search page loads under
//! `search/index/` (see `index`, and `words` for how text is cut). Writes
//! nothing itself: the files go to the writer like every other page.
//! Drafts are never indexed.

mod index;
mod words;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::index::SiteIndex;
use crate::output::{Body, OutputFile};
use crate::parse::{Content, Post};

/// The folder of the output that holds the index.
pub(crate) const DIR: &str = "search/index/";

/// One searchable page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// From the site's root (`lisbon/tram/`): the script puts the way to
    /// the root in front, so the index holds nothing of base_url.
    pub(crate) url: String,
    pub(crate) title: String,
    /// Plain text: the body's, then captions, alt texts and hashtags.
    pub(crate) text: String,
    /// The local day, as posts show it.
    pub(crate) date: Option<String>,
    pub(crate) place: Option<String>,
    /// The trip's title.
    pub(crate) trip: Option<String>,
    /// Filter name (`trip`, `tag`, `year`) → the record's values.
    pub(crate) filters: BTreeMap<&'static str, Vec<String>>,
}

/// The records of every published post and page, posts newest first. Pure.
pub(crate) fn records(content: &Content, index: &SiteIndex) -> Vec<Record> {
    let mut records: Vec<Record> = index
        .newest_first
        .iter()
        .map(|id| (id.0, &content.posts[id.0]))
        .filter(|(_, post)| !post.draft)
        .map(|(i, post)| post_record(post, i, content, index))
        .collect();
    records.extend(content.pages.iter().filter(|page| !page.draft).map(|page| {
        let mut text = String::with_capacity(page.body_html.len());
        push_text_of_html(&mut text, &page.body_html);
        Record {
            url: page.url.as_str().to_string(),
            title: page.title.clone(),
            text,
            date: None,
            place: None,
            trip: None,
            filters: BTreeMap::new(),
        }
    }));
    records
}

fn post_record(post: &Post, i: usize, content: &Content, index: &SiteIndex) -> Record {
    let mut text = String::with_capacity(post.body_html.len() + 256);
    push_text_of_html(&mut text, &post.body_html);
    for photo in &post.photos {
        // A caption's hashtags are in the post's tags too; the words around them only here.
        for words in [&photo.caption, &photo.alt].into_iter().flatten() {
            text.push(' ');
            text.push_str(words);
        }
    }
    let tags: Vec<String> = index.post_tags[i].iter().map(|tag| index.tags[tag.0].name.clone()).collect();
    // Front-matter tags are not in the text: written as hashtags, each is
    // found by its word, as a hashtag in the text is.
    for tag in &tags {
        let hashtag = format!("#{tag}");
        if !text.contains(&hashtag) {
            text.push(' ');
            text.push_str(&hashtag);
        }
    }
    let trip = post.trip.map(|trip| content.trips[trip.0].title.clone());
    let mut filters = BTreeMap::from([("year", vec![post.date.local().year().to_string()])]);
    if !tags.is_empty() {
        filters.insert("tag", tags);
    }
    filters.extend(trip.clone().map(|trip| ("trip", vec![trip])));
    Record {
        url: post.url.as_str().to_string(),
        title: post.title.clone(),
        text,
        date: Some(post.date.display_day()),
        place: post.location.clone(),
        trip,
        filters,
    }
}

/// Appends the text of `html` (a rendered body): tags dropped (a block's
/// end becomes a space, so paragraphs do not run together), entities decoded,
/// hashtag markers and the insides of scripts and styles left out.
fn push_text_of_html(out: &mut String, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find(['<', '\0']) {
        push_unescaped(out, &rest[..at]);
        let after = &rest[at + 1..];
        let close = if rest.as_bytes()[at] == b'<' { '>' } else { '\0' };
        let Some(end) = after.find(close) else {
            return;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let name = tag.trim_start_matches('/').split([' ', '\t', '\n', '/']).next().unwrap_or("");
        let name = name.to_ascii_lowercase();
        if close == '>'
            && !matches!(name.as_str(), "a" | "em" | "strong" | "code" | "span" | "del" | "sup" | "sub")
        {
            out.push(' ');
        }
        // Whatever a raw `<script>` or `<style>` holds is not text.
        if close == '>' && !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") {
            let end_tag = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&end_tag) {
                Some(at) => &rest[at..],
                None => "",
            };
        }
    }
    push_unescaped(out, rest);
}

/// Appends HTML text with its character references decoded: those a
/// rendered body holds (pulldown-cmark's, and numeric ones); any other `&`
/// stays as written.
fn push_unescaped(out: &mut String, mut text: &str) {
    while let Some(at) = text.find('&') {
        out.push_str(&text[..at]);
        let after = &text[at + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{A0}'),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                text = &after[end + 1..];
            }
            None => {
                out.push('&');
                text = after;
            }
        }
    }
    out.push_str(text);
}

/// The files of the index of `records`, under `search/index/`.
pub(crate) fn files(records: &[Record]) -> Vec<OutputFile> {
    let mut out: Vec<OutputFile> = index::build(records)
        .into_iter()
        .map(|(name, bytes)| OutputFile {
            path: format!("{DIR}{name}.js").into(),
            origin: "the search index".to_string(),
            body: Body::Bytes(Arc::new(bytes)),
        })
        .collect();
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(html: &str) -> String {
        let mut out = String::new();
        push_text_of_html(&mut out, html);
        out
    }

    #[test]
    fn text_of_a_body_keeps_words_apart_and_entities_decoded() {
        assert_eq!(
            text_of("<p>Fish &amp; <em>chips</em></p><p>Then\0run\0#run\0/\0</p>"),
            " Fish & chips  Then#run "
        );
        assert_eq!(text_of("<p>a</p><script>var x = '<p>';</script><p>b</p>"), " a    b ");
        assert_eq!(text_of("broken <p"), "broken ");
        assert_eq!(
            text_of("&lt;at&gt; &#233;&#x1F600; &bogus; & &#xFFFFFFFF;"),
            "<at> é😀 &bogus; & &#xFFFFFFFF;"
        );
    }
}

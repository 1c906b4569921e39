//! Markdown bodies to HTML with pulldown-cmark: tables, footnotes,
//! strikethrough, smart punctuation and an id on every heading. Links and
//! images that point inside the site are rewritten relative to the page the
//! body is shown on, so they work under any base path and from disk. The
//! #hashtags of the text (never of code, link targets, alt text or raw HTML)
//! are collected and become links to their tag pages.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::hashtag::{self, Found, Kind};
use crate::html::{escape, tag_link_end, tag_link_start};
use crate::slug::slugify;
use crate::url::{UrlPath, decode};

/// Where the body's links point to and are shown on.
pub struct Links<'a> {
    /// The page the HTML is shown on.
    pub page: &'a UrlPath,
    /// The site path a link written relative to the Markdown file lands on,
    /// when it names a file or folder of the content tree (`../day-2/index.md`,
    /// `photo.jpg`); `None` leaves the link as written.
    pub resolve: &'a dyn Fn(&str) -> Option<String>,
    /// Where a user's profile lives, `{}` standing for the name (site.toml's
    /// `mentions`); `None` shows @mentions as plain text.
    pub profiles: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Hashtag links carry a marker for `html::fill_tag_links`.
    pub(crate) html: String,
    /// The text of the first paragraph, for lists and share previews.
    pub(super) first_paragraph: String,
    /// The hashtags of the text, as written, in order.
    pub(super) hashtags: Vec<String>,
    /// The images the body shows from the site, as written (`stadium.jpg`).
    pub(super) images: Vec<String>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

pub fn render(body: &str, links: &Links<'_>) -> Rendered {
    let body = &*without_nul(body);
    let (mut events, places): (Vec<Event<'_>>, Vec<_>) =
        Parser::new_ext(body, options()).into_offset_iter().unzip();
    let literal = literal_signs(body, &events, &places);
    keep_underscores_in_tags(&mut events, &places, body, &literal);
    add_heading_ids(&mut events);
    let first_paragraph = first_paragraph(&events);
    let mut images = Vec::new();
    for event in &mut events {
        let is_image = matches!(event, Event::Start(Tag::Image { .. }));
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            let local = !dest_url.is_empty()
                && !dest_url.starts_with('#')
                && !dest_url.starts_with("//")
                && !has_scheme(dest_url);
            if is_image && local {
                images.push(dest_url.to_string());
            }
            if let Some(link) = site_link(dest_url, links) {
                *dest_url = CowStr::from(link);
            }
        }
    }
    let (mut events, hashtags) = link_tags(events, &literal, links.profiles);
    number_footnotes(&mut events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered { html, first_paragraph, hashtags, images }
}

/// Writes footnotes as pulldown-cmark does, but with ids of their own
/// (`fn-1`): its ids are the bare labels, so `[^1]` gave `id="1"`, which CSS
/// cannot select and validators flag, and `[^a note]` an id with a space.
fn number_footnotes(events: &mut [Event<'_>]) {
    let mut numbers: Vec<String> = Vec::new();
    let mut number_of = |label: &str| match numbers.iter().position(|known| known == label) {
        Some(i) => i + 1,
        None => {
            numbers.push(label.to_string());
            numbers.len()
        }
    };
    for event in events.iter_mut() {
        match event {
            Event::FootnoteReference(label) => {
                let n = number_of(label);
                *event = Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-reference\"><a href=\"#fn-{n}\">{n}</a></sup>"
                )));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = number_of(label);
                *event = Event::Html(CowStr::from(format!(
                    "<div class=\"footnote-definition\" id=\"fn-{n}\"><sup class=\"footnote-definition-label\">{n}</sup>\n"
                )));
            }
            Event::End(TagEnd::FootnoteDefinition) => *event = Event::Html(CowStr::from("</div>\n")),
            _ => {}
        }
    }
}

/// `text` with each NUL replaced, as CommonMark asks: NUL fences the
/// hashtag markers of the HTML made here (`html::tag_link_start`), and
/// pulldown-cmark lets one through in some places (link text), so a NUL
/// written in a body or caption could open a link or hide text.
fn without_nul(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') { text.replace('\0', "\u{fffd}").into() } else { text.into() }
}

/// A photo caption (plain text, not Markdown) as HTML with its hashtags and
/// mentions linked, and its hashtags.
pub(crate) fn caption(text: &str, profiles: Option<&str>) -> (String, Vec<String>) {
    let text = &*without_nul(text);
    let found = hashtag::find(text, None);
    let mut html = String::with_capacity(text.len() + 64 * found.len());
    let mut at = 0;
    let mut tags = Vec::with_capacity(found.len());
    for found in found {
        html.push_str(&escape(&text[at..found.range.start]));
        let (open, close) = tag_markup(text, &found, profiles, &mut tags);
        html.push_str(&open);
        html.push_str(&escape(&text[found.range.clone()]));
        html.push_str(&close);
        at = found.range.end;
    }
    html.push_str(&escape(&text[at..]));
    (html, tags)
}

/// The HTML around a found hashtag (a marker for `html::fill_tag_links`) or
/// mention (a link to its profile, else a span); a hashtag's name is added to
/// `tags`.
fn tag_markup(text: &str, found: &Found, profiles: Option<&str>, tags: &mut Vec<String>) -> (String, String) {
    let name = hashtag::name(text, found);
    match found.kind {
        Kind::Hashtag => {
            let markup = (tag_link_start(&hashtag::key(&name)), tag_link_end());
            tags.push(name);
            markup
        }
        Kind::Mention => match profiles {
            Some(pattern) => (
                format!("<a class=\"mention\" href=\"{}\">", escape(&pattern.replace("{}", &name))),
                "</a>".to_string(),
            ),
            None => ("<span class=\"mention\">".to_string(), "</span>".to_string()),
        },
    }
}

/// Finds the hashtags and mentions of the text that is prose, and marks each
/// (but inside a link, where a hashtag is only counted). pulldown-cmark cuts
/// text at a `_`, an entity or an escape, so each run of consecutive text
/// events is scanned as one: how Markdown splits text never changes a tag.
fn link_tags<'a>(
    events: Vec<Event<'a>>,
    literal: &[bool],
    profiles: Option<&str>,
) -> (Vec<Event<'a>>, Vec<String>) {
    let mut out = Vec::with_capacity(events.len());
    let mut tags = Vec::new();
    let mut code_block = false;
    let mut image = 0;
    let mut link = 0;
    let mut autolink = 0;
    let mut prev: Option<char> = None;
    let mut run: Vec<(CowStr<'a>, bool)> = Vec::new();
    for (event, &literal) in events.into_iter().zip(literal) {
        if let Event::Text(text) = event {
            run.push((text, literal));
            continue;
        }
        if !run.is_empty() {
            let scanned = !code_block && image == 0 && autolink == 0;
            let before = prev;
            prev = run.iter().rev().find_map(|(t, _)| t.chars().next_back()).or(prev);
            if scanned {
                mark_run(std::mem::take(&mut run), before, link > 0, profiles, &mut out, &mut tags);
            } else {
                out.extend(run.drain(..).map(|(text, _)| Event::Text(text)));
            }
        }
        match &event {
            Event::Start(Tag::CodeBlock(_)) => code_block = true,
            Event::End(TagEnd::CodeBlock) => code_block = false,
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image -= 1,
            Event::Start(Tag::Link { link_type, .. }) => {
                link += 1;
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    autolink += 1;
                }
            }
            Event::End(TagEnd::Link) => {
                link -= 1;
                autolink = autolink.min(link);
            }
            Event::Start(
                Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableCell | Tag::BlockQuote(_),
            ) => prev = None,
            Event::SoftBreak | Event::HardBreak => prev = Some(' '),
            Event::Code(code) => prev = code.chars().last(),
            Event::InlineHtml(_) => prev = Some('>'),
            _ => {}
        }
        out.push(event);
    }
    out.extend(run.into_iter().map(|(text, _)| Event::Text(text)));
    (out, tags)
}

/// Takes back the emphasis that pulldown-cmark found where a `_` belongs to a
/// hashtag or mention before it (`#_tag_`, `#tag_ #_tag`, `@_ana_`): its
/// underscores are put back as text, as in a caption. Emphasis that only
/// surrounds a tag (`_#tag_`) stays.
fn keep_underscores_in_tags(events: &mut [Event<'_>], places: &[Range<usize>], body: &str, literal: &[bool]) {
    // For each open emphasis: whether it was taken back.
    let mut open: Vec<bool> = Vec::new();
    let mut run_start = None;
    for i in 0..events.len() {
        let delimiter = |place: &Range<usize>, n: usize, at_end: bool| {
            let text = if at_end {
                body.get(place.end.saturating_sub(n)..place.end)
            } else {
                body.get(place.start..place.start + n)
            };
            text.filter(|t| t.bytes().all(|b| b == b'_')).map(|t| t.to_string())
        };
        let width = match &events[i] {
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => 1,
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => 2,
            Event::Text(_) => {
                run_start.get_or_insert(i);
                continue;
            }
            _ => {
                run_start = None;
                continue;
            }
        };
        let starts = matches!(events[i], Event::Start(_));
        let taken_back = if starts {
            let underscores = delimiter(&places[i], width, false);
            let back = underscores.is_some()
                && run_start.is_some_and(|from| ends_in_tag(&events[from..i], &literal[from..i]));
            open.push(back);
            back.then(|| underscores.unwrap_or_default())
        } else {
            let back = open.pop().unwrap_or(false);
            if back { delimiter(&places[i], width, true) } else { None }
        };
        match taken_back {
            Some(underscores) => {
                events[i] = Event::Text(CowStr::from(underscores));
                run_start.get_or_insert(i);
            }
            None => run_start = None,
        }
    }
}

/// Whether the text events `run` end inside a hashtag or mention (or right
/// after its sign), so that a `_` next would be part of it.
fn ends_in_tag(run: &[Event<'_>], literal: &[bool]) -> bool {
    // The run grows with each underscore taken back, and each is asked
    // about: reading all of it each time made a paragraph of many `#_tag_`
    // take quadratic time. A tag holds no space, so only the run's last
    // word can end in one, and of a word over `WINDOW` bytes (never a tag
    // a person writes) only its end is read.
    const WINDOW: usize = 1024;
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut before = None;
    let mut len = 0;
    for (event, &is_literal) in run.iter().zip(literal).rev() {
        let Event::Text(t) = event else { continue };
        let mut from = t.len().saturating_sub(WINDOW - len);
        while !t.is_char_boundary(from) {
            from += 1;
        }
        let tail = &t[from..];
        if let Some((at, space)) = tail.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
            pieces.push((&tail[at + space.len_utf8()..], false));
            before = Some(space);
            break;
        }
        if from > 0 {
            pieces.push((tail, false));
            before = t[..from].chars().next_back();
            break;
        }
        pieces.push((t, is_literal));
        len += t.len();
    }
    let mut text = String::new();
    let mut signs = Vec::new();
    for (piece, is_literal) in pieces.into_iter().rev() {
        if is_literal {
            signs.push(text.len());
        }
        text.push_str(piece);
    }
    let end = text.len();
    text.push_str("_a");
    hashtag::find_signed(&text, before, &signs).iter().any(|found| found.range.contains(&end))
}

/// For each event, whether it is text starting with a `#` or `@` that was
/// written escaped (`\#`) or as an entity (`&#35;`): such a sign is only a
/// character, as the writer asked.
fn literal_signs(body: &str, events: &[Event<'_>], places: &[Range<usize>]) -> Vec<bool> {
    events
        .iter()
        .zip(places)
        .map(|(event, place)| {
            let Event::Text(text) = event else { return false };
            if !text.starts_with(['#', '@', '＃', '＠']) {
                return false;
            }
            let backslashes =
                body.as_bytes()[..place.start].iter().rev().take_while(|&&b| b == b'\\').count();
            body[place.clone()].starts_with('&') || backslashes % 2 == 1
        })
        .collect()
}

/// Scans one run of text events (`before` is the character before it) and
/// pushes it to `out` with its hashtags and mentions marked, or only counted
/// when the run is the text of a link.
fn mark_run<'a>(
    run: Vec<(CowStr<'a>, bool)>,
    before: Option<char>,
    in_link: bool,
    profiles: Option<&str>,
    out: &mut Vec<Event<'a>>,
    tags: &mut Vec<String>,
) {
    let mut literal = Vec::new();
    let mut offset = 0;
    for (text, is_literal) in &run {
        if *is_literal {
            literal.push(offset);
        }
        offset += text.len();
    }
    let joined: CowStr<'a> = match run.len() {
        1 => run.into_iter().next().map_or(CowStr::Borrowed(""), |(text, _)| text),
        _ => CowStr::from(run.iter().map(|(text, _)| text.as_ref()).collect::<String>()),
    };
    let found = hashtag::find_signed(&joined, before, &literal);
    if found.is_empty() {
        out.push(Event::Text(joined));
        return;
    }
    if in_link {
        tags.extend(found.iter().filter(|f| f.kind == Kind::Hashtag).map(|f| hashtag::name(&joined, f)));
        out.push(Event::Text(joined));
        return;
    }
    let mut at = 0;
    for found in &found {
        if found.range.start > at {
            out.push(Event::Text(CowStr::from(joined[at..found.range.start].to_string())));
        }
        let (open, close) = tag_markup(&joined, found, profiles, tags);
        out.push(Event::InlineHtml(CowStr::from(open)));
        out.push(Event::Text(CowStr::from(joined[found.range.clone()].to_string())));
        out.push(Event::InlineHtml(CowStr::from(close)));
        at = found.range.end;
    }
    if at < joined.len() {
        out.push(Event::Text(CowStr::from(joined[at..].to_string())));
    }
}

/// The relative form of a link into the site; `None` leaves the link as written
/// (external, a fragment, or one that climbs out of the site).
fn site_link(dest: &str, links: &Links<'_>) -> Option<String> {
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") || has_scheme(dest) {
        return None;
    }
    let cut = dest.find(['?', '#']).unwrap_or(dest.len());
    let (path, suffix) = dest.split_at(cut);
    let path = decode(path);
    let target = match path.strip_prefix('/') {
        Some(from_root) => from_root.to_string(),
        None => (links.resolve)(&path)?,
    };
    Some(format!("{}{suffix}", links.page.link_to(&target)))
}

fn has_scheme(link: &str) -> bool {
    match link.find(':') {
        Some(colon) => {
            let scheme = &link[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Gives each heading without an `{#id}` one made from its text, unique in the body.
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut next_number: HashMap<String, usize> = HashMap::new();
    for i in 0..events.len() {
        let Event::Start(Tag::Heading { id: None, .. }) = &events[i] else {
            continue;
        };
        let mut text = String::new();
        for event in &events[i + 1..] {
            match event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
        }
        let base = match slugify(&text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        // Numbering goes on where the last heading of the same text stopped:
        // from 1 each time, a page of many alike took quadratic time.
        let n = next_number.entry(base.clone()).or_insert(1);
        let mut id = base.clone();
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            *n += 1;
        }
        if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
            *slot = Some(CowStr::from(id));
        }
    }
}

fn first_paragraph(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    let mut inside = false;
    // Struck-through words are what the writer took back: not for a summary.
    let mut struck = 0;
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Start(Tag::Strikethrough) => struck += 1,
            Event::End(TagEnd::Strikethrough) => struck -= 1,
            Event::Text(t) | Event::Code(t) if inside && struck == 0 => text.push_str(t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::url::resolve;

    /// A bundle at `trip/day-1/`, where every written path is taken to exist.
    fn html(body: &str) -> String {
        let page = UrlPath::page(["trip", "day-1"]);
        render(body, &Links { page: &page, resolve: &|link| resolve("trip/day-1", link), profiles: None })
            .html
    }

    #[test]
    fn many_headings_alike_are_numbered_in_linear_time() {
        // Found by fuzzing: 1,600 alike took seconds, each numbered from 1 again.
        let body = "## W {#w-2}\n\n".to_string() + &"---\nW\n".repeat(20_000);
        let started = std::time::Instant::now();
        let html = html(&body);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(html.contains("id=\"w\"") && html.contains("id=\"w-1\"") && html.contains("id=\"w-3\""));
        assert_eq!(html.matches("id=\"w-2\"").count(), 1);
        assert!(html.contains("id=\"w-19999\"") && !html.contains("id=\"w-20000\""));
    }

    #[test]
    fn many_tags_with_underscores_are_read_in_linear_time() {
        // Found by fuzzing: each underscore taken back read the paragraph again.
        let body = "#_tag_ ".repeat(20_000);
        let started = std::time::Instant::now();
        let rendered = render(&body, &Links { page: &UrlPath::home(), resolve: &|_| None, profiles: None });
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(rendered.hashtags.len(), 20_000);
        assert!(rendered.hashtags.iter().all(|tag| tag == "_tag_"), "{:?}", &rendered.hashtags[..3]);
        // And glued, one word: found by a long fuzzing run.
        let body = "#_tag_".repeat(5_000);
        let started = std::time::Instant::now();
        let rendered = render(&body, &Links { page: &UrlPath::home(), resolve: &|_| None, profiles: None });
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(rendered.hashtags.len() > 100 && rendered.hashtags.iter().all(|tag| tag == "_tag_"));
    }

    #[test]
    fn a_written_nul_never_makes_a_hashtag_link() {
        // Found by fuzzing: NUL fences the hashtag markers, and one in link
        // text or a caption reached the HTML, where the filling of tag links
        // opened a link that never closed, and hid the text between two.
        let filled = |html: &str| crate::html::fill_tag_links(html, |key| Some(format!("t/{key}/")));
        let body = filled(&html("[a\0run\0b](x.md) and #tag"));
        assert!(!body.contains('\0') && body.contains("run"), "{body}");
        assert_eq!(body.matches("<a class=\"hashtag\"").count(), 1, "{body}");
        let (caption, tags) = caption("x\0run\0y #b", None);
        let caption = filled(&caption);
        assert!(!caption.contains('\0') && caption.contains("run"), "{caption}");
        assert_eq!((caption.matches("<a class=\"hashtag\"").count(), tags), (1, vec!["b".to_string()]));
    }

    #[test]
    fn extensions_are_on() {
        assert!(html("| a | b |\n|---|---|\n| 1 | 2 |\n").contains("<table>"));
        assert!(html("~~gone~~").contains("<del>gone</del>"));
        assert!(html("\"quoted\" -- it's").contains("“quoted” – it’s"));
        assert!(html("note[^1]\n\n[^1]: the note\n").contains("footnote-definition"));
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = html("## Race day\n\n## Race day\n\n## Mine {#own}\n");
        assert!(out.contains("<h2 id=\"race-day\">"), "{out}");
        assert!(out.contains("<h2 id=\"race-day-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"own\">"), "{out}");
    }

    #[test]
    fn footnotes_get_ids_that_start_with_a_letter() {
        let html = html("One[^a note] and two[^2].\n\n[^2]: Second.\n[^a note]: First.\n");
        assert!(html.contains("<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>"), "{html}");
        assert!(html.contains("<a href=\"#fn-2\">2</a>"), "{html}");
        assert!(html.contains("<div class=\"footnote-definition\" id=\"fn-2\"><sup class=\"footnote-definition-label\">2</sup>\n<p>Second.</p>\n</div>"), "{html}");
        assert!(
            html.contains("id=\"fn-1\"><sup class=\"footnote-definition-label\">1</sup>\n<p>First.</p>"),
            "{html}"
        );
    }

    #[test]
    fn site_links_become_relative_to_the_page() {
        assert!(html("[about](/about/)").contains("href=\"../../about/\""));
        assert!(html("![x](photo.jpg)").contains("src=\"photo.jpg\""));
        assert!(html("[next](../day-2/#km-30)").contains("href=\"../day-2/#km-30\""));
        assert!(html("[w](https://example.com/a)").contains("href=\"https://example.com/a\""));
        assert!(html("[m](mailto:a@b.c)").contains("href=\"mailto:a@b.c\""));
        assert!(html("[f](#top)").contains("href=\"#top\""));
    }

    #[test]
    fn links_from_a_single_file_post_resolve_from_its_folder() {
        let page = UrlPath::page(["trip", "arrival"]);
        let out = render(
            "![x](arrival.jpg)",
            &Links { page: &page, resolve: &|link| resolve("trip", link), profiles: None },
        )
        .html;
        assert!(out.contains("src=\"../arrival.jpg\""), "{out}");
    }

    #[test]
    fn links_naming_no_content_are_kept_as_written() {
        let page = UrlPath::page(["trip", "arrival"]);
        let out =
            render("[next](../day-2/)", &Links { page: &page, resolve: &|_| None, profiles: None }).html;
        assert!(out.contains("href=\"../day-2/\""), "{out}");
    }

    fn hashtags(body: &str) -> Vec<String> {
        let page = UrlPath::home();
        render(body, &Links { page: &page, resolve: &|_| None, profiles: None }).hashtags
    }

    #[test]
    fn hashtags_in_prose_headings_and_emphasis_count() {
        assert_eq!(hashtags("Ran #Pyongyang today.\n\n## Day 1 #run\n"), vec!["Pyongyang", "run"]);
        assert_eq!(hashtags("*#run* and **#fast**"), vec!["run", "fast"]);
        assert_eq!(hashtags("- #listed\n- item #two"), vec!["listed", "two"]);
        assert_eq!(hashtags("#onceinalifetime#run"), vec!["onceinalifetime", "run"]);
    }

    #[test]
    fn hashtags_are_not_found_in_code_links_urls_or_html() {
        assert!(hashtags("`#code` and\n\n```\n#block\n```\n").is_empty());
        assert!(hashtags("    #indented code\n").is_empty());
        assert!(hashtags("[a link](https://x.org/#frag) and <https://x.org/#auto>").is_empty());
        assert!(hashtags("![#alt text](a.jpg)").is_empty());
        assert!(hashtags("<div>#block-html</div>\n\ninline <span title=\"#attr\">x</span>").is_empty());
        assert!(hashtags("it&#39;s &#x23;notatag and a/#b and word#tag").is_empty());
        assert!(hashtags("# A heading\n\n#2017 and # alone").is_empty());
    }

    #[test]
    fn markdown_splitting_never_changes_a_tag() {
        assert_eq!(hashtags("#tag_ #_tag #end__ #a_b_c"), vec!["tag_", "_tag", "end__", "a_b_c"]);
        assert_eq!(hashtags("#ta\\_g #t&#x61;g #caf&eacute; b_#c"), vec!["ta_g", "tag", "café"]);
        assert_eq!(hashtags("#हिन्दी and #می‌خواهم"), vec!["हिन्दी", "می‌خواهم"]);
    }

    #[test]
    fn underscores_next_to_a_tag_are_its_own_not_emphasis() {
        assert_eq!(hashtags("#_tag_ and @_ana_"), vec!["_tag_"]);
        assert!(html("#_tag_").contains("#_tag_") && !html("#_tag_").contains("<em>"));
        assert!(html("@_ana_ x").contains(">@_ana_<"), "{}", html("@_ana_ x"));
        assert_eq!(hashtags("#__init__ x"), vec!["__init__"]);
        // Emphasis around a tag, or away from one, is the writer's.
        assert_eq!(hashtags("_#run_ and _far_ #tag"), vec!["run", "tag"]);
        assert!(html("_#run_ and _far_").contains("<em>far</em>"));
        assert!(html("_#run_").starts_with("<p><em>"));
    }

    #[test]
    fn an_escaped_sign_is_only_a_character() {
        assert!(hashtags("\\#notatag &#35;nor &#x23;this").is_empty());
        assert_eq!(hashtags("\\\\#tag"), vec!["tag"]);
        let out = html("write to \\@ana");
        assert!(!out.contains("mention"), "{out}");
    }

    #[test]
    fn mentions_link_to_profiles_when_the_site_says_where() {
        let page = UrlPath::home();
        let with = |profiles| {
            render("Thanks @Lululemon_run!", &Links { page: &page, resolve: &|_| None, profiles }).html
        };
        assert_eq!(
            with(Some("https://www.instagram.com/{}/")),
            "<p>Thanks <a class=\"mention\" href=\"https://www.instagram.com/Lululemon_run/\">@Lululemon_run</a>!</p>\n"
        );
        assert_eq!(with(None), "<p>Thanks <span class=\"mention\">@Lululemon_run</span>!</p>\n");
        let out = html("`@code` [@linked](https://x.org/) <me@example.com> me@example.com");
        assert!(!out.contains("mention"), "{out}");
    }

    #[test]
    fn hashtags_in_link_text_count_but_are_not_linked_twice() {
        let page = UrlPath::home();
        let out = render(
            "[see #lisbon](https://x.org/)",
            &Links { page: &page, resolve: &|_| None, profiles: None },
        );
        assert_eq!(out.hashtags, vec!["lisbon"]);
        assert_eq!(out.html.matches("<a ").count(), 1, "{}", out.html);
    }

    #[test]
    fn hashtags_become_links_with_their_text_as_written() {
        let out = html("Hello #NorthKorea!");
        let filled = crate::html::fill_tag_links(&out, |key| Some(format!("tags/{key}/")));
        assert_eq!(filled, "<p>Hello <a class=\"hashtag\" href=\"tags/northkorea/\">#NorthKorea</a>!</p>\n");
    }

    #[test]
    fn captions_link_mentions_too() {
        let (html, tags) = caption("with @ana_k & #Lisboa", Some("https://instagram.com/{}"));
        assert_eq!(tags, vec!["Lisboa"]);
        assert!(
            html.starts_with(
                "with <a class=\"mention\" href=\"https://instagram.com/ana_k\">@ana_k</a> &amp; "
            ),
            "{html}"
        );
    }

    #[test]
    fn captions_are_escaped_and_their_hashtags_linked() {
        let (html, tags) = caption("Fish & chips <3 #Food#uk", None);
        assert_eq!(tags, vec!["Food", "uk"]);
        let filled = crate::html::fill_tag_links(&html, |key| Some(format!("t/{key}/")));
        assert_eq!(
            filled,
            "Fish &amp; chips &lt;3 <a class=\"hashtag\" href=\"t/food/\">#Food</a><a class=\"hashtag\" href=\"t/uk/\">#uk</a>"
        );
    }

    #[test]
    fn first_paragraph_is_plain_text() {
        let page = UrlPath::home();
        let out = render(
            "# T\n\nWe *ran* ~~around~~ the\n`city`.\n\nMore.",
            &Links { page: &page, resolve: &|_| None, profiles: None },
        );
        assert_eq!(out.first_paragraph, "We ran the city.");
    }
}

/// However Markdown cuts a paragraph into text events (at a `_`, an entity, an
/// escape), its hashtags are those of the text it shows.
#[cfg(test)]
mod split_text {
    use proptest::prelude::*;

    use super::*;

    const PIECES: &[&str] = &[
        "tag",
        "Run",
        "東京",
        "हिन्दी",
        "ผู้เริ่ม",
        "می‌خواهم",
        "café",
        "cafe\u{301}",
        "ශ්‍රී",
        "123",
        "ana.k",
        "#",
        "＃",
        "@",
        "_",
        "__",
        "·",
        "～",
        "\u{200c}",
        " ",
        ", ",
        ".",
        "!",
        "&",
        "/",
        "://",
        "。",
    ];

    /// `text` as Markdown, each character written as itself, as an entity or
    /// backslash-escaped, by `how`. Signs are written as themselves: an
    /// escaped sign is only a character (`an_escaped_sign_is_only_a_character`).
    fn written(text: &str, how: &[u8]) -> String {
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            let sign = matches!(c, '#' | '＃' | '@');
            match how[i % how.len()] % 3 {
                1 if !sign => out.push_str(&format!("&#x{:X};", c as u32)),
                2 if !sign && c.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn hashtags_do_not_depend_on_how_text_is_cut(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 1..24),
            how in prop::collection::vec(any::<u8>(), 1..64),
        ) {
            let text = format!("x {}", pieces.concat());
            let expected: Vec<String> = hashtag::find(&text, None)
                .iter()
                .filter(|f| f.kind == Kind::Hashtag)
                .map(|f| hashtag::name(&text, f))
                .collect();
            let page = UrlPath::home();
            let rendered = render(&written(&text, &how), &Links { page: &page, resolve: &|_| None, profiles: None });
            // Underscores that pair up away from any tag are the writer's emphasis.
            prop_assume!(!rendered.html.contains("<em>") && !rendered.html.contains("<strong>"));
            prop_assert_eq!(rendered.hashtags, expected, "{}", written(&text, &how));
        }
    }
}

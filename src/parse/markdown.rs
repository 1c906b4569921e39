//! Markdown bodies to HTML with pulldown-cmark: tables, footnotes,
//! strikethrough, smart punctuation and an id on every heading. Links and
//! images that point inside the site are rewritten relative to the page the
//! body is shown on, so they work under any base path and from disk. The
//! #hashtags of the text (never of code, link targets, alt text or raw HTML)
//! are collected and become links to their tag pages.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::hashtag;
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Hashtag links carry a marker for `html::fill_tag_links`.
    pub(super) html: String,
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
    let mut events: Vec<Event<'_>> = Parser::new_ext(body, options()).collect();
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
    let (events, hashtags) = link_hashtags(events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered { html, first_paragraph, hashtags, images }
}

/// A photo caption (plain text, not Markdown) as HTML with its hashtags linked,
/// and those hashtags.
pub(super) fn caption(text: &str) -> (String, Vec<String>) {
    let found = hashtag::find(text, None);
    let mut html = String::with_capacity(text.len() + 64 * found.len());
    let mut at = 0;
    let mut tags = Vec::with_capacity(found.len());
    for range in found {
        let name = hashtag::name(text, &range);
        html.push_str(&escape(&text[at..range.start]));
        html.push_str(&tag_link_start(&hashtag::key(&name)));
        html.push_str(&escape(&text[range.clone()]));
        html.push_str(&tag_link_end());
        tags.push(name);
        at = range.end;
    }
    html.push_str(&escape(&text[at..]));
    (html, tags)
}

/// Finds the hashtags of the text events that are prose, and wraps each in a
/// link (but inside a link, where it is only counted).
fn link_hashtags(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<String>) {
    let mut out = Vec::with_capacity(events.len());
    let mut tags = Vec::new();
    let mut code_block = false;
    let mut image = 0;
    let mut link = 0;
    let mut autolink = 0;
    let mut prev: Option<char> = None;
    for event in events {
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
        let Event::Text(text) = &event else {
            out.push(event);
            continue;
        };
        if code_block || image > 0 || autolink > 0 {
            prev = text.chars().last().or(prev);
            out.push(event);
            continue;
        }
        let found = hashtag::find(text, prev);
        prev = text.chars().last().or(prev);
        if found.is_empty() {
            out.push(event);
            continue;
        }
        let text = text.to_string();
        let mut at = 0;
        for range in found {
            let name = hashtag::name(&text, &range);
            if link == 0 {
                if range.start > at {
                    out.push(Event::Text(CowStr::from(text[at..range.start].to_string())));
                }
                out.push(Event::InlineHtml(CowStr::from(tag_link_start(&hashtag::key(&name)))));
                out.push(Event::Text(CowStr::from(text[range.clone()].to_string())));
                out.push(Event::InlineHtml(CowStr::from(tag_link_end())));
                at = range.end;
            }
            tags.push(name);
        }
        if at < text.len() {
            out.push(Event::Text(CowStr::from(text[at..].to_string())));
        }
    }
    (out, tags)
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
        let mut id = base.clone();
        let mut n = 1;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
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
        render(body, &Links { page: &page, resolve: &|link| resolve("trip/day-1", link) }).html
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
        let out =
            render("![x](arrival.jpg)", &Links { page: &page, resolve: &|link| resolve("trip", link) }).html;
        assert!(out.contains("src=\"../arrival.jpg\""), "{out}");
    }

    #[test]
    fn links_naming_no_content_are_kept_as_written() {
        let page = UrlPath::page(["trip", "arrival"]);
        let out = render("[next](../day-2/)", &Links { page: &page, resolve: &|_| None }).html;
        assert!(out.contains("href=\"../day-2/\""), "{out}");
    }

    fn hashtags(body: &str) -> Vec<String> {
        let page = UrlPath::home();
        render(body, &Links { page: &page, resolve: &|_| None }).hashtags
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
    fn hashtags_in_link_text_count_but_are_not_linked_twice() {
        let page = UrlPath::home();
        let out = render("[see #lisbon](https://x.org/)", &Links { page: &page, resolve: &|_| None });
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
    fn captions_are_escaped_and_their_hashtags_linked() {
        let (html, tags) = caption("Fish & chips <3 #Food#uk");
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
            &Links { page: &page, resolve: &|_| None },
        );
        assert_eq!(out.first_paragraph, "We ran the city.");
    }
}

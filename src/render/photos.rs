//! Photos as pages show them: each photo a page uses becomes an `<img>` with
//! `srcset`, `width` and `height` from its variants (known from its size alone,
//! before any pixel is touched). `plan` lists, from the content alone and
//! before anything is rendered, every photo some page shows: only those are
//! processed and published.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::PhotoConfig;
use crate::images::{self, Encoding, Facts, Survey, Variant};
use crate::parse::Content;
use crate::paths::ContentPath;
use crate::url::{Linker, UrlPath, resolve};

pub struct PhotoSet<'a> {
    /// By the original's path in the output.
    by_url: HashMap<&'a str, (&'a Path, &'a Facts)>,
    widths: &'a [u32],
    formats: &'a [Encoding],
}

/// A photo as a template shows it.
#[derive(Debug, Serialize)]
pub(super) struct ImageView<'a> {
    /// A middle-sized variant, for browsers that ignore `srcset`.
    src: String,
    /// The JPEG variants; empty for an image milepost does not resize (a GIF, an SVG).
    srcset: String,
    /// The other formats, the browser's first choice first, for `<picture>`'s `<source>`s.
    sources: Vec<SourceView>,
    /// The largest variant's size: the picture's shape, so the page does not jump.
    width: u32,
    height: u32,
    /// The largest variant, for the lightbox.
    full: String,
    camera: Option<&'a str>,
    lens: Option<&'a str>,
    exposure: Option<&'a str>,
}

/// One `<source>` of a `<picture>`: the variants in one format.
#[derive(Debug, Serialize)]
pub(super) struct SourceView {
    #[serde(rename = "type")]
    mime: &'static str,
    srcset: String,
}

impl<'a> PhotoSet<'a> {
    pub fn new(content: &'a Content, survey: &'a Survey, photos: &'a PhotoConfig) -> Self {
        let by_url = content
            .assets
            .iter()
            .filter_map(|asset| {
                let facts = survey.photos.get(&asset.rel)?.as_ref().ok()?;
                Some((asset.url.as_str(), (asset.source.as_path(), facts)))
            })
            .collect();
        PhotoSet { by_url, widths: &photos.widths, formats: &photos.formats }
    }

    /// Its JPEG variants, then those of the other formats.
    fn variants(&self, url: &str) -> Option<(Vec<Variant>, Vec<Variant>, &'a Facts)> {
        let (_, facts) = self.by_url.get(url)?;
        let (jpeg, other) = images::variants_of(url, facts, self.widths, self.formats)
            .into_iter()
            .partition(|v| v.encoding == Encoding::Jpeg);
        Some((jpeg, other, facts))
    }

    /// The photo published at `url` as linked by `link`, on a page made from `user`.
    pub(super) fn image(&self, url: &str, link: Linker<'_>) -> ImageView<'a> {
        let Some((variants, other, facts)) = self.variants(url) else {
            let src = link.to(url);
            return ImageView {
                full: src.clone(),
                src,
                srcset: String::new(),
                sources: Vec::new(),
                width: 0,
                height: 0,
                camera: None,
                lens: None,
                exposure: None,
            };
        };
        let largest = variants.last().expect("every photo has a variant");
        let middle = variants.iter().find(|v| v.width >= 960).unwrap_or(largest);
        let srcset_of = |variants: &[&Variant]| {
            variants
                .iter()
                .map(|v| format!("{} {}w", link.to(&v.path), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sources = self
            .formats
            .iter()
            .filter(|&&f| f != Encoding::Jpeg)
            .map(|&format| {
                let in_format: Vec<&Variant> = other.iter().filter(|v| v.encoding == format).collect();
                SourceView { mime: format.mime(), srcset: srcset_of(&in_format) }
            })
            .collect();
        ImageView {
            src: link.to(&middle.path),
            srcset: srcset_of(&variants.iter().collect::<Vec<_>>()),
            sources,
            width: largest.width,
            height: largest.height,
            full: link.to(&largest.path),
            camera: facts.camera.as_deref(),
            lens: facts.lens.as_deref(),
            exposure: facts.exposure.as_deref(),
        }
    }

    /// The largest variant's path in the output.
    pub(super) fn full(&self, url: &str) -> Option<String> {
        let (variants, _, _) = self.variants(url)?;
        variants.last().map(|v| v.path.clone())
    }

    /// Gives the photos a body shows (`<img src>` of an original) their
    /// variants, and points links to an original at its largest variant. On
    /// a page (`Shown::OnPage`) a photo also gets its other formats (a
    /// `<picture>`) and, unless it is already in a link, the lightbox link a
    /// front-matter photo has; a feed keeps a plain `<img>`, which every
    /// reader shows.
    pub(super) fn rewrite_html(&self, html: String, here: &UrlPath, shown: Shown) -> String {
        if self.by_url.is_empty() || (!html.contains("<img ") && !html.contains("<a ")) {
            return html;
        }
        let mut out = String::with_capacity(html.len() + 512);
        // Set once an `<img>`'s tag is open and must be followed by this.
        let mut closing: Option<&str> = None;
        let mut inline_links = 0;
        let push_text = |out: &mut String, text: &str, closing: &mut Option<&str>| match closing.take() {
            Some(close) => match text.find('>') {
                Some(end) => {
                    out.push_str(&text[..=end]);
                    out.push_str(close);
                    out.push_str(&text[end + 1..]);
                }
                None => {
                    out.push_str(text);
                    *closing = Some(close);
                }
            },
            None => out.push_str(text),
        };
        let end = self.each_photo_link(&html, here, |before, link| match link {
            PhotoLink::Shown { url, in_link } => {
                let image = self.image(url, Linker::From(here));
                let tag = before.rfind("<img ").unwrap_or(before.len());
                push_text(&mut out, &before[..tag], &mut closing);
                let sizes = "(max-width: 42rem) 100vw, 40rem";
                if shown == Shown::OnPage {
                    let mut open = String::new();
                    if !in_link {
                        inline_links += 1;
                        // A photo without alt text would leave its link nameless for a
                        // screen reader: the link says what it opens instead.
                        let at = before.as_ptr() as usize + before.len() - html.as_ptr() as usize;
                        let after = &html[at..html[at..].find('>').map_or(html.len(), |end| at + end)];
                        let has_alt = |text: &str| text.contains(" alt=\"") && !text.contains(" alt=\"\"");
                        let label = if has_alt(&before[tag..]) || has_alt(after) {
                            String::new()
                        } else {
                            format!(" aria-label=\"Picture {inline_links} in the text, full size\"")
                        };
                        open.push_str(&format!("<a class=\"zoom\" href=\"{}\"{label}>", image.full));
                    }
                    let picture = !image.sources.is_empty();
                    if picture {
                        open.push_str("<picture>");
                    }
                    for source in &image.sources {
                        open.push_str(&format!(
                            "<source type=\"{}\" srcset=\"{}\" sizes=\"{sizes}\">",
                            source.mime, source.srcset
                        ));
                    }
                    out.push_str(&open);
                    closing = match (picture, in_link) {
                        (true, true) => Some("</picture>"),
                        (true, false) => Some("</picture></a>"),
                        (false, true) => None,
                        (false, false) => Some("</a>"),
                    };
                }
                out.push_str(&before[tag..]);
                out.push_str(&format!(
                    "src=\"{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\"",
                    image.src, image.srcset, image.width, image.height
                ));
            }
            PhotoLink::Linked(url) => {
                push_text(&mut out, before, &mut closing);
                let full = self.full(url).unwrap_or_else(|| url.to_string());
                out.push_str(&format!("href=\"{}\"", here.link_to(&full)));
            }
            PhotoLink::Other(attribute) => {
                push_text(&mut out, before, &mut closing);
                out.push_str(attribute);
            }
        });
        push_text(&mut out, end, &mut closing);
        out
    }

    /// Calls `each` with the text before each ` src="…"` or ` href="…"`
    /// attribute of `html` and what that attribute is; returns the text after
    /// the last one. Only attribute values can name a photo.
    fn each_photo_link<'h>(
        &self,
        html: &'h str,
        here: &UrlPath,
        mut each: impl FnMut(&'h str, PhotoLink<'h, '_>),
    ) -> &'h str {
        let mut rest = html;
        // Where the next of each attribute starts in `html`, found once and
        // kept until passed: looking again from every attribute made a body
        // of many links and no photos quadratic (a 1 MB post took a minute).
        let mut ahead = [(" src=\"", 0, None), (" href=\"", 0, None)];
        let mut next = |from: usize| {
            for (pattern, searched, found) in &mut ahead {
                if *searched <= from && found.is_none_or(|at| at < from) {
                    *found = html[from..].find(*pattern).map(|at| from + at);
                    *searched = if found.is_some() { from } else { usize::MAX };
                }
            }
            let [(_, _, src), (_, _, href)] = ahead;
            match (src, href) {
                (Some(s), Some(h)) => Some(if s < h { (s + 1, "src=\"") } else { (h + 1, "href=\"") }),
                (Some(s), None) => Some((s + 1, "src=\"")),
                (None, Some(h)) => Some((h + 1, "href=\"")),
                (None, None) => None,
            }
        };
        let mut links = OpenLink::default();
        while let Some((at, attr)) = next(html.len() - rest.len()) {
            let (before, from) = rest.split_at(at - (html.len() - rest.len()));
            let Some(len) = from[attr.len()..].find('"') else {
                each(before, PhotoLink::Other(""));
                return from;
            };
            let value = &from[attr.len()..attr.len() + len];
            let target = resolve(here.as_str().trim_end_matches('/'), &crate::url::decode(value));
            // Text already passed holds the tag the attribute is in.
            let passed = &html[..html.len() - from.len()];
            let is_img = passed.rfind('<').is_some_and(|tag| passed[tag..].starts_with("<img "));
            match target.filter(|t| self.by_url.contains_key(t.as_str())) {
                Some(url) if attr == "src=\"" && is_img => {
                    let in_link = links.open_at(html, passed.len());
                    each(before, PhotoLink::Shown { url: &url, in_link })
                }
                Some(url) if attr == "href=\"" => each(before, PhotoLink::Linked(&url)),
                _ => each(before, PhotoLink::Other(&from[..attr.len() + len + 1])),
            }
            rest = &from[attr.len() + len + 1..];
        }
        rest
    }

    /// The photos `html`, shown on `here`, shows or links to.
    fn photos_of(&self, html: &str, here: &UrlPath, used: &mut Vec<String>) {
        if self.by_url.is_empty() || (!html.contains("<img ") && !html.contains("<a ")) {
            return;
        }
        self.each_photo_link(html, here, |_, link| match link {
            PhotoLink::Shown { url, .. } | PhotoLink::Linked(url) => used.push(url.to_string()),
            PhotoLink::Other(_) => {}
        });
    }

    /// What to process, from the content alone: every photo a page or feed
    /// can show (the posts' photos and covers, the trips' covers, and those
    /// the bodies show or link to), each with its variants, and its original
    /// when originals are published. Each names the first file using it.
    pub(crate) fn plan(&self, content: &Content, publish_originals: bool) -> Vec<images::Job> {
        let mut used: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut found = Vec::new();
        let mut note = |found: &mut Vec<String>, user: &ContentPath| {
            for url in found.drain(..) {
                used.entry(url).or_insert_with(|| user.shown());
            }
        };
        for post in &content.posts {
            found.extend(post.cover.iter().map(|c| c.as_str().to_string()));
            found.extend(post.photos.iter().map(|p| p.src.as_str().to_string()));
            let posters = post.photos.iter().filter_map(|p| p.video.as_ref()?.poster.as_ref());
            found.extend(posters.map(|poster| poster.as_str().to_string()));
            self.photos_of(&post.body_html, &post.url, &mut found);
            note(&mut found, &post.source);
        }
        for page in &content.pages {
            self.photos_of(&page.body_html, &page.url, &mut found);
            note(&mut found, &page.source);
        }
        for trip in &content.trips {
            found.extend(trip.cover.iter().map(|c| c.as_str().to_string()));
            self.photos_of(&trip.body_html, &trip.url, &mut found);
            note(&mut found, &trip.source);
        }
        used.into_iter()
            .filter_map(|(url, used_by)| {
                let (source, facts) = self.by_url.get(url.as_str())?;
                Some(images::Job {
                    source: source.to_path_buf(),
                    facts: (*facts).clone(),
                    variants: images::variants_of(&url, facts, self.widths, self.formats),
                    used_by,
                    written: url.rsplit('/').next().unwrap_or(&url).to_string(),
                    original: publish_originals.then(|| url.clone()),
                })
            })
            .collect()
    }
}

/// Where a body's photos are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shown {
    /// On the site's own pages, with `<picture>` and the lightbox.
    OnPage,
    /// In a feed, as a plain `<img>`.
    InFeed,
}

/// Whether an `<a>` is open at a point of a page, read forward once however
/// many points are asked for (in order).
#[derive(Default)]
struct OpenLink {
    read_to: usize,
    open: bool,
}

impl OpenLink {
    fn open_at(&mut self, html: &str, at: usize) -> bool {
        let text = &html[self.read_to.min(at)..at];
        match (text.rfind("<a "), text.rfind("</a>")) {
            (Some(a), Some(z)) => self.open = a > z,
            (Some(_), None) => self.open = true,
            (None, Some(_)) => self.open = false,
            (None, None) => {}
        }
        self.read_to = at;
        self.open
    }
}

/// What an attribute of a body is to its photos.
enum PhotoLink<'h, 'u> {
    /// `src` of an `<img>` showing the photo published at `url`; `in_link`
    /// when the image is inside a link.
    Shown { url: &'u str, in_link: bool },
    /// `href` linking to it.
    Linked(&'u str),
    /// Anything else, as written.
    Other(&'h str),
}

//! Photos as pages show them: each photo a page uses becomes an `<img>` with
//! `srcset`, `width` and `height` from its variants (known from its size alone,
//! before any pixel is touched), and is noted as used: only photos some page
//! shows are processed and published.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::images::{self, Facts, Survey, Variant};
use crate::parse::Content;
use crate::url::{Linker, UrlPath, resolve};

pub struct PhotoSet<'a> {
    /// By the original's path in the output.
    by_url: HashMap<&'a str, (&'a Path, &'a Facts)>,
    widths: &'a [u32],
    /// Original path → the source of the first page that showed it.
    used: Mutex<BTreeMap<String, PathBuf>>,
}

/// A photo as a template shows it.
#[derive(Debug, Serialize)]
pub struct ImageView<'a> {
    /// A middle-sized variant, for browsers that ignore `srcset`.
    pub src: String,
    /// Empty for an image milepost does not resize (a GIF, an SVG).
    pub srcset: String,
    /// The largest variant's size: the picture's shape, so the page does not jump.
    pub width: u32,
    pub height: u32,
    /// The largest variant, for the lightbox.
    pub full: String,
    pub camera: Option<&'a str>,
    pub lens: Option<&'a str>,
    pub exposure: Option<&'a str>,
}

impl<'a> PhotoSet<'a> {
    pub fn new(content: &'a Content, survey: &'a Survey, widths: &'a [u32]) -> Self {
        let by_url = content
            .assets
            .iter()
            .filter_map(|asset| {
                let facts = survey.photos.get(&asset.rel)?.as_ref().ok()?;
                Some((asset.url.as_str(), (asset.source.as_path(), facts)))
            })
            .collect();
        PhotoSet { by_url, widths, used: Mutex::new(BTreeMap::new()) }
    }

    fn variants(&self, url: &str) -> Option<(Vec<Variant>, &'a Facts)> {
        let (_, facts) = self.by_url.get(url)?;
        Some((images::variants_of(url, facts, self.widths), facts))
    }

    fn note_use(&self, url: &str, user: &Path) {
        let mut used = self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        used.entry(url.to_string()).or_insert_with(|| user.to_path_buf());
    }

    /// The photo published at `url` as linked by `link`, on a page made from `user`.
    pub fn image(&self, url: &str, link: Linker<'_>, user: &Path) -> ImageView<'a> {
        let Some((variants, facts)) = self.variants(url) else {
            let src = link.to(url);
            return ImageView {
                full: src.clone(),
                src,
                srcset: String::new(),
                width: 0,
                height: 0,
                camera: None,
                lens: None,
                exposure: None,
            };
        };
        self.note_use(url, user);
        let largest = variants.last().expect("every photo has a variant");
        let middle = variants.iter().find(|v| v.width >= 960).unwrap_or(largest);
        let srcset = variants
            .iter()
            .map(|v| format!("{} {}w", link.to(&v.path), v.width))
            .collect::<Vec<_>>()
            .join(", ");
        ImageView {
            src: link.to(&middle.path),
            srcset,
            width: largest.width,
            height: largest.height,
            full: link.to(&largest.path),
            camera: facts.camera.as_deref(),
            lens: facts.lens.as_deref(),
            exposure: facts.exposure.as_deref(),
        }
    }

    /// The largest variant's path in the output, noting the photo as used.
    pub fn full(&self, url: &str, user: &Path) -> Option<String> {
        let (variants, _) = self.variants(url)?;
        self.note_use(url, user);
        variants.last().map(|v| v.path.clone())
    }

    /// Gives the photos a body shows (`<img src>` of an original) their
    /// variants, and points links to an original at its largest variant.
    pub fn rewrite_html(&self, html: String, here: &UrlPath, user: &Path) -> String {
        if self.by_url.is_empty() || (!html.contains("<img ") && !html.contains("<a ")) {
            return html;
        }
        let mut out = String::with_capacity(html.len() + 512);
        let mut rest = html.as_str();
        // Only attribute values can name a photo: ` src="…"` and ` href="…"`.
        let next = |text: &str| {
            let src = text.find(" src=\"").map(|at| (at + 1, "src=\""));
            let href = text.find(" href=\"").map(|at| (at + 1, "href=\""));
            match (src, href) {
                (Some(s), Some(h)) => Some(if s.0 < h.0 { s } else { h }),
                (found, None) | (None, found) => found,
            }
        };
        while let Some((at, attr)) = next(rest) {
            let (before, from) = rest.split_at(at);
            out.push_str(before);
            let Some(len) = from[attr.len()..].find('"') else { break };
            let value = &from[attr.len()..attr.len() + len];
            let target = resolve(here.as_str().trim_end_matches('/'), &crate::url::decode(value));
            let is_img = out.rfind('<').is_some_and(|tag| out[tag..].starts_with("<img "));
            match target.filter(|t| self.by_url.contains_key(t.as_str())) {
                Some(url) if attr == "src=\"" && is_img => {
                    let image = self.image(&url, Linker::From(here), user);
                    out.push_str(&format!(
                        "src=\"{}\" srcset=\"{}\" sizes=\"(max-width: 42rem) 100vw, 40rem\" width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\"",
                        image.src, image.srcset, image.width, image.height
                    ));
                }
                Some(url) if attr == "href=\"" => {
                    let full = self.full(&url, user).unwrap_or(url);
                    out.push_str(&format!("href=\"{}\"", here.link_to(&full)));
                }
                _ => out.push_str(&from[..attr.len() + len + 1]),
            }
            rest = &from[attr.len() + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The photos the pages used, each with the first page's source.
    pub fn take_used(&self) -> BTreeMap<String, PathBuf> {
        std::mem::take(&mut *self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// What to process: every used photo, its variants, and its original when published.
    pub fn jobs(&self, used: BTreeMap<String, PathBuf>, publish_originals: bool) -> Vec<images::Job> {
        used.into_iter()
            .filter_map(|(url, used_by)| {
                let (source, facts) = self.by_url.get(url.as_str())?;
                Some(images::Job {
                    source: source.to_path_buf(),
                    facts: (*facts).clone(),
                    variants: images::variants_of(&url, facts, self.widths),
                    used_by,
                    written: url.rsplit('/').next().unwrap_or(&url).to_string(),
                    original: publish_originals.then(|| url.clone()),
                })
            })
            .collect()
    }
}

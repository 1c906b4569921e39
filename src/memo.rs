//! What a long-lived session (`serve`) keeps between builds, so a rebuild
//! does only the work a change calls for: the sources (refreshed file by file
//! from the watcher's paths), each Markdown body, each rendered page, and the
//! last build's files with fingerprints of what they were made from. When a
//! save changes nothing but post bodies, only those posts' pages and the
//! feeds they are in are made again; every other file is reused as it is.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::error::Result;
use crate::images::Survey;
use crate::index::{PostId, SiteIndex};
use crate::load::{self, Sources};
use crate::output::OutputFile;
use crate::parse::Content;
use crate::parse::KeptHead;
use crate::parse::markdown::Rendered;
use crate::site::Site;
use crate::theme::{self, Templates, Theme};

/// A rendered page and the hash of what it was rendered from.
type Page = (u64, Arc<Vec<u8>>);

#[derive(Default)]
pub struct Memo {
    sources: Mutex<Option<Sources>>,
    /// Content path → (hash of the body and what its links resolve against, the HTML).
    markdown: Mutex<HashMap<String, (u64, Rendered)>>,
    /// Content path → (hash of its text and context, its front matter as read).
    heads: Mutex<HashMap<String, (u64, KeptHead)>>,
    /// Output path → its page.
    pages: Mutex<HashMap<String, Page>>,
    last: Mutex<Option<(Prints, Vec<OutputFile>)>>,
    templates: Mutex<Option<Arc<Templates>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Memo {
    /// The theme, with the templates parsed by an earlier build when no
    /// template changed since (see `forget_templates`).
    pub fn theme(&self, site: &Site) -> Result<Theme> {
        let mut kept = lock(&self.templates);
        let theme = theme::load_with(site, kept.clone())?;
        *kept = Some(theme.templates.clone());
        Ok(theme)
    }

    /// A template changed: parse them again next time.
    pub fn forget_templates(&self) {
        *lock(&self.templates) = None;
    }

    pub fn clear(&self) {
        self.forget_templates();
        *lock(&self.sources) = None;
        lock(&self.markdown).clear();
        lock(&self.heads).clear();
        lock(&self.pages).clear();
        *lock(&self.last) = None;
    }

    /// The sources now: the kept ones refreshed with the `changed` files
    /// when the watcher said which, else read afresh.
    pub fn sources(&self, site: &Site, changed: Option<&[PathBuf]>) -> Result<Sources> {
        let mut kept = lock(&self.sources);
        if let (Some(sources), Some(changed)) = (kept.as_mut(), changed)
            && load::refresh(site, sources, changed).is_some()
        {
            return Ok(sources.clone());
        }
        *kept = None;
        let fresh = load::content(site)?;
        *kept = Some(fresh.clone());
        Ok(fresh)
    }

    pub fn head(&self, rel: &str, key: u64) -> Option<KeptHead> {
        lock(&self.heads).get(rel).filter(|(k, _)| *k == key).map(|(_, h)| h.clone())
    }

    pub fn keep_head(&self, rel: &str, key: u64, head: KeptHead) {
        lock(&self.heads).insert(rel.to_string(), (key, head));
    }

    pub fn markdown(&self, rel: &str, key: u64) -> Option<Rendered> {
        lock(&self.markdown).get(rel).filter(|(k, _)| *k == key).map(|(_, r)| r.clone())
    }

    pub fn keep_markdown(&self, rel: &str, key: u64, rendered: &Rendered) {
        lock(&self.markdown).insert(rel.to_string(), (key, rendered.clone()));
    }

    /// The page rendered last time from the same `key`, if any.
    pub fn page(&self, path: &str, key: u64) -> Option<Arc<Vec<u8>>> {
        lock(&self.pages).get(path).filter(|(k, _)| *k == key).map(|(_, bytes)| bytes.clone())
    }

    pub fn keep(&self, path: &str, key: u64, bytes: Arc<Vec<u8>>) {
        lock(&self.pages).insert(path.to_string(), (key, bytes));
    }

    /// When only post bodies changed since the last build: its files, and
    /// the posts whose bodies did.
    pub fn only_bodies_changed(&self, now: &Prints) -> Option<(Vec<OutputFile>, Vec<PostId>)> {
        let last = lock(&self.last);
        let (before, files) = last.as_ref()?;
        Some((files.clone(), now.bodies_changed_since(before)?))
    }

    pub fn remember(&self, prints: Prints, files: &[OutputFile]) {
        *lock(&self.last) = Some((prints, files.to_vec()));
    }
}

/// A fingerprint of `value`. XXH3: SipHash over every post's body was 2% of a
/// build. The record keeps fingerprints only for the binary that made them.
pub fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Fingerprints of what a build's files are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prints {
    /// Everything but the posts: settings, templates, pages, trips, tags,
    /// assets, photos, and which posts there are.
    structure: u64,
    /// Post URL → (its card: all that any list, feed list or the sitemap
    /// shows of it, and the links its body makes; its body; its id).
    posts: HashMap<String, (u64, u64, PostId)>,
}

impl Prints {
    /// The posts whose bodies changed since `before`, when nothing else did:
    /// then only their pages and the feeds they are in differ.
    pub fn bodies_changed_since(&self, before: &Prints) -> Option<Vec<PostId>> {
        if before.structure != self.structure || before.posts.len() != self.posts.len() {
            return None;
        }
        let mut changed = Vec::new();
        for (url, (card, body, id)) in &self.posts {
            let (old_card, old_body, old_id) = before.posts.get(url)?;
            if old_card != card || old_id != id {
                return None;
            }
            if old_body != body {
                changed.push(*id);
            }
        }
        changed.sort();
        Some(changed)
    }

    /// As lines of text, for the build record; `None` when a post URL
    /// cannot be written on one line.
    pub fn to_lines(&self) -> Option<String> {
        let mut posts: Vec<_> = self.posts.iter().collect();
        posts.sort_by_key(|(_, (_, _, id))| *id);
        let mut text = format!("structure\t{}\n", self.structure);
        for (url, (card, body, id)) in posts {
            if url.contains(['\t', '\n', '\r']) {
                return None;
            }
            text.push_str(&format!("post\t{url}\t{card}\t{body}\t{}\n", id.0));
        }
        Some(text)
    }

    /// Reads what `to_lines` wrote (lines of other kinds are skipped).
    pub fn from_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Prints> {
        let mut structure = None;
        let mut posts = HashMap::new();
        for line in lines {
            let mut parts = line.split('\t');
            match parts.next() {
                Some("structure") => structure = Some(parts.next()?.parse().ok()?),
                Some("post") => {
                    let url = parts.next()?.to_string();
                    let card = parts.next()?.parse().ok()?;
                    let body = parts.next()?.parse().ok()?;
                    let id = PostId(parts.next()?.parse().ok()?);
                    posts.insert(url, (card, body, id));
                }
                _ => {}
            }
        }
        Some(Prints { structure: structure?, posts })
    }

    pub fn of(
        content: &Content,
        index: &SiteIndex,
        survey: &Survey,
        config_and_theme: impl Hash,
        static_files: &[OutputFile],
    ) -> Prints {
        let pages: Vec<_> =
            content.pages.iter().map(|p| (&p.url, &p.title, &p.summary, &p.body_html, &p.source)).collect();
        let trips: Vec<_> = content
            .trips
            .iter()
            .map(|t| {
                (&t.url, &t.title, t.start, t.end, &t.summary, &t.cover, &t.location, &t.body_html, &t.source)
            })
            .collect();
        let assets: Vec<_> = content.assets.iter().map(|a| (&a.rel, &a.url, &a.source)).collect();

        let tags: Vec<_> = index.tags.iter().map(|t| (&t.key, &t.name, &t.slug, &t.posts)).collect();
        let statics: Vec<_> = static_files.iter().map(|f| (&f.path, &f.origin)).collect();
        let post_urls: Vec<_> = content.posts.iter().map(|p| &p.url).collect();
        let structure =
            hash_of((config_and_theme, pages, trips, assets, survey.fingerprint, tags, statics, post_urls));

        let posts = content
            .posts
            .par_iter()
            .enumerate()
            .map(|(i, post)| {
                let photos: Vec<_> =
                    post.photos.iter().map(|p| (&p.src, &p.rel, &p.caption, &p.alt)).collect();
                let card = hash_of((
                    (
                        &post.url,
                        &post.title,
                        post.date.rfc3339(),
                        post.date.has_time,
                        &post.location,
                        &post.summary,
                    ),
                    (&post.cover, &post.tags, post.trip, post.draft, &post.source, index.post_day[i]),
                    photos,
                    links_of(&post.body_html),
                ));
                let coords = post.coords.map(|[lat, lon]| (lat.to_bits(), lon.to_bits()));
                let body = hash_of((&post.body_html, coords, &post.gpx));
                (post.url.as_str().to_string(), (card, body, PostId(i)))
            })
            .collect();
        Prints { structure, posts }
    }
}

/// The `href` and `src` values of `html`: what a body links to, which decides
/// the photos it uses.
fn links_of(html: &str) -> Vec<&str> {
    let mut links = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for at in memchr::memmem::find_iter(html.as_bytes(), attr) {
            let rest = &html[at + attr.len()..];
            links.push(&rest[..rest.find('"').unwrap_or(rest.len())]);
        }
    }
    links
}

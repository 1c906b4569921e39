//! What the last build made and from what, and the one rule for reusing it:
//! when only post bodies changed, only those posts' pages and the feeds they
//! are in are made again, and every other file is the last build's. The last
//! build is known from the output folder's build record (`build`) or kept in
//! memory (`serve`); both come here as a `Previous`.
//!
//! Here too is where every field of a post, page and trip is placed in a
//! fingerprint: the structs are taken apart without `..`, so a new field does
//! not compile until it is placed.

use rayon::prelude::*;

use crate::fingerprint::{Difference, PostPrint, Prints, hash_of};
use crate::images::Survey;
use crate::index::{PostId, SiteIndex};
use crate::output::OutputFile;
use crate::parse::{AssetFile, Content, Page, Photo, Post, Trip};

/// The last build: its fingerprints and its files, by path.
pub(crate) struct Previous {
    pub(crate) prints: Prints,
    /// Sorted by path.
    pub(crate) files: Vec<OutputFile>,
}

/// What a build must render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Work {
    /// Every page, feed and list.
    Everything,
    /// Only these posts' pages and the feeds they are in (maybe none), and
    /// for those whose card changed, the pages that show it too.
    Posts { cards: Vec<PostId>, bodies: Vec<PostId> },
}

impl Previous {
    pub(crate) fn new(prints: Prints, mut files: Vec<OutputFile>) -> Previous {
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        Previous { prints, files }
    }

    /// What a site with the fingerprints `now` must render, given this build.
    pub(crate) fn work(&self, now: &Prints) -> Work {
        match now.since(&self.prints) {
            Difference::Beyond => Work::Everything,
            Difference::Posts { cards, bodies } => Work::Posts {
                cards: cards.into_iter().map(PostId).collect(),
                bodies: bodies.into_iter().map(PostId).collect(),
            },
        }
    }

    /// Puts `fresh` files in the places of this build's (or adds them).
    pub(crate) fn put(&mut self, fresh: Vec<OutputFile>) {
        for file in fresh {
            match self.files.binary_search_by(|f| f.path.cmp(&file.path)) {
                Ok(at) => self.files[at] = file,
                Err(at) => self.files.insert(at, file),
            }
        }
    }
}

/// Fingerprints of `content` as built with `settings` (site.toml, the
/// templates, the command line) and the theme's `static_files`.
pub(crate) fn prints(
    content: &Content,
    index: &SiteIndex,
    survey: &Survey,
    settings: u64,
    static_files: &[OutputFile],
) -> Prints {
    let Content { posts, pages, trips, assets, places: _ } = content;
    let pages: Vec<u64> = pages.iter().map(page_print).collect();
    let trips: Vec<u64> = trips.iter().map(trip_print).collect();
    let assets: Vec<u64> = assets.iter().map(asset_print).collect();
    let tags: Vec<_> = index.tags.iter().map(|t| (&t.key, &t.name, &t.slug, &t.posts)).collect();
    let statics: Vec<_> = static_files.iter().map(|f| (&f.path, &f.origin)).collect();
    let post_urls: Vec<_> = posts.iter().map(|p| &p.url).collect();
    // Whether there is a map decides the navigation of every page.
    let has_map = index.trip_geography.iter().any(|g| !g.stops.is_empty());
    let structure =
        hash_of((settings, pages, trips, assets, survey.fingerprint, tags, statics, post_urls, has_map));
    let posts = posts.par_iter().enumerate().map(|(i, post)| post_print(post, index.post_day[i])).collect();
    Prints { structure, posts }
}

/// A post's fingerprints; `day` is its day in its trip.
pub(crate) fn post_print(post: &Post, day: Option<i64>) -> PostPrint {
    let Post {
        source,
        url,
        title,
        date,
        date_rfc3339,
        date_shown,
        location,
        coords,
        tags,
        photos,
        cover,
        summary,
        gpx,
        route,
        draft,
        trip,
        body_html,
    } = post;
    // Which photos are published, and where the post stands in every list.
    let photo_files: Vec<_> = photos.iter().map(|photo| (&photo.src, &photo.rel, &photo.video)).collect();
    let place = hash_of((
        (url, date_rfc3339, date.has_time, date_shown, source, draft),
        (tags, trip, day, cover, photo_files),
        links_of(body_html),
    ));
    let photo_words: Vec<_> = photos
        .iter()
        .map(|photo| {
            let Photo { src: _, rel: _, caption, caption_html, alt, video: _ } = photo;
            (caption, caption_html, alt)
        })
        .collect();
    // Where the post was and its route show on its trip's map, and the
    // route's distance on its card; the route's drawing follows from its files.
    let coords = coords.map(|[lat, lon]| (lat.to_bits(), lon.to_bits()));
    let route = route.as_ref().map(|r| r.hash);
    let card = hash_of((title, location, summary, photo_words, coords, route));
    let body = hash_of((body_html, gpx));
    PostPrint { place, card, body }
}

fn page_print(page: &Page) -> u64 {
    let Page { source, url, title, summary, draft, body_html } = page;
    hash_of((source, url, title, summary, draft, body_html))
}

fn trip_print(trip: &Trip) -> u64 {
    let Trip { source, dir, url, title, start, end, summary, cover, location, body_html } = trip;
    hash_of((source, dir, url, title, start, end, summary, cover, location, body_html))
}

fn asset_print(asset: &AssetFile) -> u64 {
    let AssetFile { source, rel, url } = asset;
    hash_of((source, rel, url))
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

//! Files for machines: an Atom feed for the site, each trip and each tag
//! (absolute URLs throughout, links and images inside the content included),
//! the sitemap, and robots.txt pointing to it.

use std::collections::{BTreeSet, HashMap};

use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use rayon::prelude::*;

use super::Inputs;
use super::views::{feed_url, with_tag_links};
use crate::config::Config;
use crate::html::escape;
use crate::index::PostId;
use crate::output::{Body, OutputFile};
use crate::url::{UrlPath, absolute_links};

/// One feed to write: the list page it follows and its posts, newest first.
struct FeedSpec<'a> {
    page: UrlPath,
    title: String,
    posts: Vec<PostId>,
    origin: &'a str,
}

/// Every Atom feed of the site.
pub fn all(inputs: &Inputs<'_>) -> Vec<OutputFile> {
    write(&specs(inputs), inputs)
}

/// The feeds that hold any of `posts`.
pub fn containing(inputs: &Inputs<'_>, posts: &[PostId]) -> Vec<OutputFile> {
    let specs: Vec<FeedSpec<'_>> =
        specs(inputs).into_iter().filter(|spec| spec.posts.iter().any(|id| posts.contains(id))).collect();
    write(&specs, inputs)
}

/// Every feed the site has, with its posts.
fn specs<'a>(inputs: &Inputs<'a>) -> Vec<FeedSpec<'a>> {
    let content = inputs.content;
    let index = inputs.index;
    let limit = match inputs.config.feed_limit {
        0 => usize::MAX,
        n => n,
    };
    let take = |posts: &mut dyn Iterator<Item = PostId>| posts.take(limit).collect::<Vec<_>>();
    let mut specs = vec![FeedSpec {
        page: UrlPath::home(),
        title: inputs.config.title.clone(),
        posts: take(&mut index.newest_first.iter().copied()),
        origin: "the site's feed",
    }];
    for (trip, posts) in content.trips.iter().zip(&index.trip_posts) {
        specs.push(FeedSpec {
            page: trip.url.clone(),
            title: format!("{} · {}", trip.title, inputs.config.title),
            posts: take(&mut posts.iter().rev().copied()),
            origin: "a trip's feed",
        });
    }
    for tag in &index.tags {
        specs.push(FeedSpec {
            page: tag.url.clone(),
            title: format!("#{} · {}", tag.name, inputs.config.title),
            posts: take(&mut tag.posts.iter().copied()),
            origin: "a tag's feed",
        });
    }

    specs
}

fn write(specs: &[FeedSpec<'_>], inputs: &Inputs<'_>) -> Vec<OutputFile> {
    // A post is in several feeds (the site's, its trip's, its tags'): make its entry once.
    let needed: BTreeSet<PostId> = specs.iter().flat_map(|s| s.posts.iter().copied()).collect();
    let entries: HashMap<PostId, Entry> = needed.into_par_iter().map(|id| (id, entry(id, inputs))).collect();
    specs
        .par_iter()
        .map(|spec| {
            let feed = feed(spec, &entries, inputs.config);
            OutputFile {
                path: feed_url(&spec.page).as_str().to_string(),
                origin: spec.origin.to_string(),
                body: Body::Bytes(feed.to_string().into_bytes().into()),
            }
        })
        .collect()
}

fn date(rfc3339: &str) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(rfc3339).unwrap_or_default()
}

fn feed(spec: &FeedSpec<'_>, entries: &HashMap<PostId, Entry>, config: &Config) -> Feed {
    let base = &config.base_url;
    let entries: Vec<Entry> = spec.posts.iter().map(|id| entries[id].clone()).collect();
    // The newest entry's date, so that an unchanged site gives an unchanged feed.
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(|| date("1970-01-01T00:00:00Z"));
    let author = if config.author.is_empty() { &config.title } else { &config.author };
    Feed {
        title: Text::plain(spec.title.clone()),
        id: spec.page.absolute(base),
        updated,
        authors: vec![Person { name: author.clone(), ..Person::default() }],
        links: vec![
            Link { href: spec.page.absolute(base), rel: "alternate".into(), ..Link::default() },
            Link {
                href: feed_url(&spec.page).absolute(base),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
        ],
        subtitle: (!config.description.is_empty()).then(|| Text::plain(config.description.clone())),
        lang: Some(config.language.clone()),
        entries,
        ..Feed::default()
    }
}

/// A post as a feed entry: its photos, then its body, every link absolute.
fn entry(id: PostId, inputs: &Inputs<'_>) -> Entry {
    let post = &inputs.content.posts[id.0];
    let index = inputs.index;
    let base = &inputs.config.base_url;
    let here = &post.url;
    let mut html = String::new();
    for photo in &post.photos {
        let full = inputs.photos.full(&photo.src, &post.source).unwrap_or_else(|| photo.src.clone());
        html.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\">",
            here.link_to(&full),
            escape(photo.alt.as_deref().or(photo.caption.as_deref()).unwrap_or(""))
        ));
        if let Some(caption) = &photo.caption_html {
            html.push_str(&format!("<figcaption>{}</figcaption>", with_tag_links(caption, here, inputs)));
        }
        html.push_str("</figure>\n");
    }
    html.push_str(&inputs.photos.rewrite_html(
        &with_tag_links(&post.body_html, here, inputs),
        here,
        &post.source,
    ));
    let written = date(&post.date.rfc3339());
    Entry {
        title: Text::plain(post.title.clone()),
        id: post.url.absolute(base),
        updated: written,
        published: Some(written),
        links: vec![Link { href: post.url.absolute(base), rel: "alternate".into(), ..Link::default() }],
        summary: (!post.summary.is_empty()).then(|| Text::plain(post.summary.clone())),
        content: Some(Content {
            value: Some(absolute_links(&html, here, base)),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        categories: index.post_tags[id.0]
            .iter()
            .map(|t| Category { term: index.tags[t.0].name.clone(), ..Category::default() })
            .collect(),
        ..Entry::default()
    }
}

/// `sitemap.xml`: every HTML page but the not-found page, posts with their date.
pub fn sitemap(files: &[OutputFile], inputs: &Inputs<'_>) -> OutputFile {
    let base = &inputs.config.base_url;
    let dates: HashMap<&str, String> =
        inputs.content.posts.iter().map(|p| (p.url.as_str(), p.date.rfc3339())).collect();
    let mut pages: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .map(|p| p.strip_suffix("index.html").unwrap_or(p))
        .collect();
    pages.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape(&UrlPath::file(page.to_string()).absolute(base)));
        xml.push_str("</loc>");
        if let Some(date) = dates.get(page) {
            xml.push_str("<lastmod>");
            xml.push_str(date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    OutputFile {
        path: "sitemap.xml".into(),
        origin: "the sitemap".into(),
        body: Body::Bytes(xml.into_bytes().into()),
    }
}

pub fn robots(config: &Config) -> OutputFile {
    OutputFile {
        path: "robots.txt".into(),
        origin: "robots.txt".into(),
        body: Body::Bytes(
            format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", config.base_url)
                .into_bytes()
                .into(),
        ),
    }
}

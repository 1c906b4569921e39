//! Files for machines: an Atom feed for the site, each trip and each tag
//! (absolute URLs throughout, links and images inside the content included),
//! the sitemap, and robots.txt pointing to it.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::photos::Shown;
use super::views::{feed_url, with_tag_links};
use super::{Inputs, Place};
use crate::config::Config;
use crate::error::Result;
use crate::html::{escape, escape_into};
use crate::index::PostId;
use crate::output::{Body, OutputFile};
use crate::url::{UrlPath, absolute_links};

/// The most of a post's text a feed entry carries. Every feed the post is in
/// (the site's, its trip's, each of its tags') repeats the entry, so a post
/// of megabytes made a gigabyte of feeds; past this the entry holds the
/// photos, the summary and a link to read the post on the site.
const LONGEST_BODY_IN_FEEDS: usize = 512 * 1024;

/// One feed to write: the list page it follows and its posts, newest first.
struct FeedSpec<'a> {
    page: UrlPath,
    title: String,
    posts: Vec<PostId>,
    origin: &'a str,
}

/// Every Atom feed of the site.
pub(super) fn all(inputs: &Inputs<'_>, place: &Place<'_>) -> Result<Vec<OutputFile>> {
    write(&specs(inputs), inputs, place)
}

/// The feeds that hold any of `posts`.
pub(super) fn containing(
    inputs: &Inputs<'_>,
    posts: &[PostId],
    place: &Place<'_>,
) -> Result<Vec<OutputFile>> {
    let specs: Vec<FeedSpec<'_>> =
        specs(inputs).into_iter().filter(|spec| spec.posts.iter().any(|id| posts.contains(id))).collect();
    write(&specs, inputs, place)
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

fn write(specs: &[FeedSpec<'_>], inputs: &Inputs<'_>, place: &Place<'_>) -> Result<Vec<OutputFile>> {
    // A post is in several feeds (the site's, its trip's, its tags'): write its entry once.
    let needed: BTreeSet<PostId> = specs.iter().flat_map(|s| s.posts.iter().copied()).collect();
    let entries: HashMap<PostId, String> = needed.into_par_iter().map(|id| (id, entry(id, inputs))).collect();
    specs
        .par_iter()
        .map(|spec| {
            place(OutputFile {
                path: feed_url(&spec.page).as_str().into(),
                origin: spec.origin.to_string(),
                body: Body::Bytes(feed(spec, &entries, inputs).into_bytes().into()),
            })
        })
        .collect()
}

/// An Atom feed: its head, then the entries of its posts as written once.
fn feed(spec: &FeedSpec<'_>, entries: &HashMap<PostId, String>, inputs: &Inputs<'_>) -> String {
    let config = inputs.config;
    let base = &config.base_url;
    // The newest entry's date, so that an unchanged site gives an unchanged feed.
    let posts = &inputs.content.posts;
    let updated = spec
        .posts
        .iter()
        .map(|id| posts[id.0].date)
        .max_by_key(|date| date.instant)
        .map_or_else(|| "1970-01-01T00:00:00+00:00".to_string(), |date| date.rfc3339());
    let author = if config.author.is_empty() { &config.title } else { &config.author };
    let size = spec.posts.iter().map(|id| entries[id].len()).sum::<usize>() + 1024;
    let mut xml = String::with_capacity(size);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    push_attribute(&mut xml, "xml:lang", &config.language);
    xml.push('>');
    push_element(&mut xml, "title", &spec.title);
    push_element(&mut xml, "id", &spec.page.absolute(base));
    push_element(&mut xml, "updated", &updated);
    xml.push_str("<author>");
    push_element(&mut xml, "name", author);
    xml.push_str("</author><link");
    push_attribute(&mut xml, "href", &spec.page.absolute(base));
    xml.push_str(" rel=\"alternate\"/><link");
    push_attribute(&mut xml, "href", &feed_url(&spec.page).absolute(base));
    xml.push_str(" rel=\"self\" type=\"application/atom+xml\"/>");
    if !config.description.is_empty() {
        push_element(&mut xml, "subtitle", &config.description);
    }
    for id in &spec.posts {
        xml.push_str(&entries[id]);
    }
    xml.push_str("</feed>\n");
    xml
}

/// `<name>text</name>`, the text escaped.
fn push_element(xml: &mut String, name: &str, text: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    escape_into(xml, text);
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

/// ` name="value"`, the value escaped.
fn push_attribute(xml: &mut String, name: &str, value: &str) {
    xml.push(' ');
    xml.push_str(name);
    xml.push_str("=\"");
    escape_into(xml, value);
    xml.push('"');
}

/// `text` as CDATA: HTML goes in as it is, with no escaping to do and none
/// to make the feed larger. Only `]]>` would end the section, so it is split.
fn push_cdata(xml: &mut String, text: &str) {
    xml.push_str("<![CDATA[");
    for (i, piece) in text.split("]]>").enumerate() {
        if i > 0 {
            xml.push_str("]]]]><![CDATA[>");
        }
        xml.push_str(piece);
    }
    xml.push_str("]]>");
}

/// Where a post's route map is published as a file of its own, beside its page.
pub(super) fn route_map_path(post: &crate::parse::Post) -> String {
    format!("{}route-map.svg", post.url.as_str())
}

/// A post as a feed entry: its photos, then its body, and its route's map
/// and figures; every link absolute.
fn entry(id: PostId, inputs: &Inputs<'_>) -> String {
    let post = &inputs.content.posts[id.0];
    let index = inputs.index;
    let base = &inputs.config.base_url;
    let here = &post.url;
    let mut html = String::new();
    for photo in &post.photos {
        let alt = escape(photo.alt.as_deref().or(photo.caption.as_deref()).unwrap_or(""));
        let full_of =
            |src: &UrlPath| inputs.photos.full(src.as_str()).unwrap_or_else(|| src.as_str().to_string());
        match &photo.video {
            // Many readers drop `<video>`: a link to it, shown by its poster, reaches every reader.
            Some(clip) => {
                let shown = match &clip.poster {
                    Some(poster) => format!("<img src=\"{}\" alt=\"{alt}\">", here.link_to(&full_of(poster))),
                    None => "The video".to_string(),
                };
                html.push_str(&format!(
                    "<figure><a href=\"{}\">{shown}</a>",
                    here.link_to(photo.src.as_str())
                ));
            }
            None => html.push_str(&format!(
                "<figure><img src=\"{}\" alt=\"{alt}\">",
                here.link_to(&full_of(&photo.src))
            )),
        }
        if let Some(caption) = &photo.caption_html {
            html.push_str(&format!("<figcaption>{}</figcaption>", with_tag_links(caption, here, inputs)));
        }
        html.push_str("</figure>\n");
    }
    if post.body_html.len() <= LONGEST_BODY_IN_FEEDS {
        html.push_str(&inputs.photos.rewrite_html(
            with_tag_links(&post.body_html, here, inputs),
            here,
            Shown::InFeed,
        ));
    } else {
        if !post.summary.is_empty() {
            html.push_str(&format!("<p>{}</p>\n", escape(&post.summary)));
        }
        let size = (post.body_html.len() + 512 * 1024) / (1024 * 1024);
        let size = if size == 0 { "under 1 MB".to_string() } else { format!("about {size} MB") };
        html.push_str(&format!(
            "<p><a href=\"{}\">Read the whole post on the site</a> (too long for a feed: {size} of text).</p>\n",
            here.absolute(&inputs.config.base_url)
        ));
    }
    if let Some(route) = &post.route {
        // Readers drop inline SVG from feeds, but show it as an image.
        let units = inputs.config.units;
        let f = &route.figures;
        let figures: Vec<String> = [
            Some(units.distance(f.distance)),
            f.duration.map(crate::route::duration),
            f.moving.or(f.duration).and_then(|s| units.pace(s, f.distance)),
            f.climb.map(|c| format!("{} climbed", units.height(c))),
        ]
        .into_iter()
        .flatten()
        .collect();
        html.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"Map of the route\" width=\"{}\" height=\"{}\"><figcaption>{}</figcaption></figure>\n",
            here.link_to(&route_map_path(post)),
            crate::route::map::WIDTH,
            route.map_height,
            escape(&figures.join(" · "))
        ));
    }
    let html = absolute_links(&html, here, base);
    let written = &post.date_rfc3339;
    let url = post.url.absolute(base);
    let mut xml = String::with_capacity(html.len() + 512);
    xml.push_str("<entry>");
    push_element(&mut xml, "title", &post.title);
    push_element(&mut xml, "id", &url);
    push_element(&mut xml, "updated", written);
    for tag in &index.post_tags[id.0] {
        xml.push_str("<category");
        push_attribute(&mut xml, "term", &index.tags[tag.0].name);
        xml.push_str("/>");
    }
    xml.push_str("<link");
    push_attribute(&mut xml, "href", &url);
    xml.push_str(" rel=\"alternate\"/>");
    push_element(&mut xml, "published", written);
    if !post.summary.is_empty() {
        push_element(&mut xml, "summary", &post.summary);
    }
    xml.push_str("<content type=\"html\">");
    push_cdata(&mut xml, &html);
    xml.push_str("</content></entry>");
    xml
}

/// `sitemap.xml`: every HTML page but the not-found page, posts with their date.
pub(super) fn sitemap(files: &[OutputFile], inputs: &Inputs<'_>) -> OutputFile {
    let base = &inputs.config.base_url;
    let dates: HashMap<&str, &str> =
        inputs.content.posts.iter().map(|p| (p.url.as_str(), p.date_rfc3339.as_str())).collect();
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

pub(super) fn robots(config: &Config) -> OutputFile {
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

#[cfg(test)]
mod tests {
    use super::push_cdata;

    #[test]
    fn cdata_keeps_html_as_written_even_with_its_end_marker_inside() {
        for html in ["<p>Fish &amp; chips</p>", "<code>a[b[0]]>c</code>", "]]>", "]]>]]>"] {
            let mut xml = String::from(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>i</id>\
                 <updated>2017-04-09T00:00:00+00:00</updated><entry><title>e</title><id>e</id>\
                 <updated>2017-04-09T00:00:00+00:00</updated><content type=\"html\">",
            );
            push_cdata(&mut xml, html);
            xml.push_str("</content></entry></feed>");
            let feed: atom_syndication::Feed = xml.parse().unwrap();
            assert_eq!(feed.entries()[0].content().and_then(|c| c.value()), Some(html), "{xml}");
        }
    }
}

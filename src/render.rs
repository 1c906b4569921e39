//! From parsed content to finished pages: view models that borrow the content,
//! filled into the theme's Tera templates, one page per output URL. Pure: it
//! writes nothing; every link it makes is relative to the page it is on.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::error::{Problem, Problems, Result};
use crate::index::{self, PostId, SiteIndex};
use crate::output::{Body, OutputFile};
use crate::parse::{Content, Page, Post, Trip};
use crate::url::UrlPath;

/// Everything rendering reads.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub index: &'a SiteIndex,
    pub tera: &'a tera::Tera,
}

/// Every page of the site, rendered.
pub fn pages(inputs: &Inputs<'_>) -> Result<Vec<OutputFile>> {
    let Inputs { content, index, .. } = inputs;
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let home_pages = index::paginate(&index.newest_first, inputs.config.posts_per_page);
    let last = home_pages.len();
    for (i, posts) in home_pages.into_iter().enumerate() {
        jobs.push(Job::Home {
            number: i + 1,
            last,
            posts,
        });
    }
    jobs.extend((0..content.posts.len()).map(|i| Job::Post(PostId(i))));
    jobs.extend(content.pages.iter().map(Job::Page));
    jobs.extend(
        content
            .trips
            .iter()
            .enumerate()
            .map(|(i, trip)| Job::Trip(i, trip)),
    );
    jobs.push(Job::NotFound);

    let rendered: Vec<Result<OutputFile, Problem>> =
        jobs.par_iter().map(|job| job.render(inputs)).collect();
    let mut problems = Problems::default();
    let files: Vec<OutputFile> = rendered
        .into_iter()
        .filter_map(|r| problems.take(r.map_err(|p| vec![p])))
        .collect();
    problems.into_result(files)
}

enum Job<'a> {
    Home {
        number: usize,
        last: usize,
        posts: &'a [PostId],
    },
    Post(PostId),
    Page(&'a Page),
    Trip(usize, &'a Trip),
    NotFound,
}

/// The URL of page `number` of a paginated list starting at `first`.
pub fn paginated_url(first: &str, number: usize) -> UrlPath {
    if number <= 1 {
        UrlPath::file(first.to_string())
    } else {
        UrlPath::file(format!("{first}page/{number}/"))
    }
}

impl Job<'_> {
    fn render(&self, inputs: &Inputs<'_>) -> Result<OutputFile, Problem> {
        let content = inputs.content;
        let (template, url, origin, mut context) = match self {
            Job::Home {
                number,
                last,
                posts,
            } => {
                let url = paginated_url("", *number);
                let mut context = Context::new();
                let cards: Vec<PostCard<'_>> = posts
                    .iter()
                    .map(|id| PostCard::new(&content.posts[id.0], &url, content))
                    .collect();
                context.insert("posts", &cards);
                context.insert("pagination", &Pagination::new("", *number, *last, &url));
                ("home.html", url, format!("the home page {number}"), context)
            }
            Job::Post(id) => {
                let post = &content.posts[id.0];
                let mut context = Context::new();
                context.insert("post", &PostView::new(*id, &post.url, inputs));
                (
                    "post.html",
                    post.url.clone(),
                    post.source.display().to_string(),
                    context,
                )
            }
            Job::Page(page) => {
                let mut context = Context::new();
                context.insert(
                    "page",
                    &PageView {
                        title: &page.title,
                        summary: &page.summary,
                        body: &page.body_html,
                    },
                );
                (
                    "page.html",
                    page.url.clone(),
                    page.source.display().to_string(),
                    context,
                )
            }
            Job::Trip(i, trip) => {
                let mut context = Context::new();
                let posts: Vec<PostCard<'_>> = inputs.index.trip_posts[*i]
                    .iter()
                    .map(|id| PostCard::new(&content.posts[id.0], &trip.url, content))
                    .collect();
                context.insert("trip", &TripView::new(trip, &trip.url));
                context.insert("posts", &posts);
                (
                    "trip.html",
                    trip.url.clone(),
                    trip.source.display().to_string(),
                    context,
                )
            }
            Job::NotFound => (
                "404.html",
                UrlPath::file("404.html"),
                "the not-found page".to_string(),
                Context::new(),
            ),
        };
        let site = SiteView::new(inputs, &url, matches!(self, Job::NotFound));
        context.insert("site", &site);
        context.insert("root", &site.root);
        context.insert("page_url", url.as_str());
        let html = inputs.tera.render(template, &context).map_err(|err| {
            crate::theme::template_problem(&err, |name| {
                std::path::PathBuf::from(format!("template {name}"))
            })
        })?;
        Ok(OutputFile {
            path: url.output_file().to_string_lossy().replace('\\', "/"),
            origin,
            body: Body::Bytes(html.into_bytes()),
        })
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    author: &'a str,
    language: &'a str,
    base_url: &'a str,
    /// The prefix that leads from this page to the site root.
    root: String,
    home: String,
    nav: Vec<Link>,
}

impl<'a> SiteView<'a> {
    fn new(inputs: &Inputs<'a>, here: &UrlPath, absolute: bool) -> Self {
        let config = inputs.config;
        // The not-found page is served at any depth, so only absolute links work on it.
        let root = if absolute {
            config.base_url.clone()
        } else {
            here.root_prefix()
        };
        let link = |target: &str| {
            if absolute {
                format!("{root}{target}")
            } else {
                here.link_to(target)
            }
        };
        let mut nav: Vec<Link> = inputs
            .content
            .trips
            .iter()
            .map(|trip| Link {
                href: link(trip.url.as_str()),
                title: trip.title.clone(),
            })
            .collect();
        nav.extend(inputs.content.pages.iter().map(|page| Link {
            href: link(page.url.as_str()),
            title: page.title.clone(),
        }));
        SiteView {
            title: &config.title,
            description: &config.description,
            author: &config.author,
            language: &config.language,
            base_url: &config.base_url,
            home: link(""),
            root,
            nav,
        }
    }
}

#[derive(Serialize)]
struct Link {
    href: String,
    title: String,
}

#[derive(Serialize)]
struct Pagination {
    number: usize,
    last: usize,
    newer: Option<String>,
    older: Option<String>,
}

impl Pagination {
    fn new(first: &str, number: usize, last: usize, here: &UrlPath) -> Self {
        let href = |n: usize| here.link_to(paginated_url(first, n).as_str());
        Pagination {
            number,
            last,
            newer: (number > 1).then(|| href(number - 1)),
            older: (number < last).then(|| href(number + 1)),
        }
    }
}

/// A post as a list shows it.
#[derive(Serialize)]
struct PostCard<'a> {
    href: String,
    title: &'a str,
    date: String,
    datetime: String,
    location: Option<&'a str>,
    summary: &'a str,
    cover: Option<String>,
    cover_alt: Option<&'a str>,
    photo_count: usize,
    trip: Option<Link>,
}

impl<'a> PostCard<'a> {
    fn new(post: &'a Post, here: &UrlPath, content: &Content) -> Self {
        PostCard {
            href: here.link_to(post.url.as_str()),
            title: &post.title,
            date: post.date.display(),
            datetime: post.date.rfc3339(),
            location: post.location.as_deref(),
            summary: &post.summary,
            cover: post.cover.as_deref().map(|c| here.link_to(c)),
            cover_alt: post
                .photos
                .iter()
                .find(|p| Some(&p.src) == post.cover.as_ref())
                .and_then(|p| p.alt.as_deref().or(p.caption.as_deref())),
            photo_count: post.photos.len(),
            trip: post.trip.map(|t| {
                let trip = &content.trips[t.0];
                Link {
                    href: here.link_to(trip.url.as_str()),
                    title: trip.title.clone(),
                }
            }),
        }
    }
}

#[derive(Serialize)]
struct PhotoView<'a> {
    src: String,
    caption: Option<&'a str>,
    alt: &'a str,
}

#[derive(Serialize)]
struct PostView<'a> {
    #[serde(flatten)]
    card: PostCard<'a>,
    body: &'a str,
    tags: &'a [String],
    photos: Vec<PhotoView<'a>>,
    coords: Option<[f64; 2]>,
    gpx: Option<String>,
    older: Option<Link>,
    newer: Option<Link>,
}

impl<'a> PostView<'a> {
    fn new(id: PostId, here: &UrlPath, inputs: &Inputs<'a>) -> Self {
        let content = inputs.content;
        let post = &content.posts[id.0];
        let link = |other: Option<PostId>| {
            other.map(|o| {
                let other = &content.posts[o.0];
                Link {
                    href: here.link_to(other.url.as_str()),
                    title: other.title.clone(),
                }
            })
        };
        let neighbours = inputs.index.neighbours[id.0];
        PostView {
            card: PostCard::new(post, here, content),
            body: &post.body_html,
            tags: &post.tags,
            photos: post
                .photos
                .iter()
                .map(|p| PhotoView {
                    src: here.link_to(&p.src),
                    caption: p.caption.as_deref(),
                    alt: p.alt.as_deref().or(p.caption.as_deref()).unwrap_or(""),
                })
                .collect(),
            coords: post.coords,
            gpx: post.gpx.as_deref().map(|g| here.link_to(g)),
            older: link(neighbours.older),
            newer: link(neighbours.newer),
        }
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    summary: &'a str,
    body: &'a str,
}

#[derive(Serialize)]
struct TripView<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    location: Option<&'a str>,
    start: Option<String>,
    end: Option<String>,
    cover: Option<String>,
    body: &'a str,
}

impl<'a> TripView<'a> {
    fn new(trip: &'a Trip, here: &UrlPath) -> Self {
        TripView {
            title: &trip.title,
            summary: trip.summary.as_deref(),
            location: trip.location.as_deref(),
            start: trip.start.map(|d| d.strftime("%a %-d %b %Y").to_string()),
            end: trip.end.map(|d| d.strftime("%a %-d %b %Y").to_string()),
            cover: trip.cover.as_deref().map(|c| here.link_to(c)),
            body: &trip.body_html,
        }
    }
}

//! From parsed and indexed content to finished files: every page through the
//! theme's Tera templates, with view models that borrow the content, plus the
//! Atom feeds, the sitemap and robots.txt. Pure: it writes nothing, and every
//! link it puts in a page is relative to that page.

mod cards;
pub use cards::Cards;
mod feeds;
mod maps;
pub mod photos;
mod views;

use std::collections::BTreeSet;

use rayon::prelude::*;
use tera::Context;

use crate::config::Config;
use crate::error::{Error, Problem, Problems, Result};
use crate::index::{self, PostId, SiteIndex, TagId};
use crate::output::{Body, OutputFile};
use crate::parse::{Content, Page};
use crate::url::{Linker, UrlPath, links_naming_index_files};
use views::*;

/// Everything rendering reads.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub index: &'a SiteIndex,
    pub templates: &'a crate::theme::Templates,
    pub photos: &'a photos::PhotoSet<'a>,
    /// The post cards lists show, each rendered once.
    pub cards: Cards,
}

/// What becomes of each file as soon as it is rendered: kept in memory
/// (`serve`, `check`) or handed to the writer (`build`), which keeps only
/// where it went.
type Place<'a> = dyn Fn(OutputFile) -> Result<OutputFile> + Sync + 'a;

/// Renders the jobs in parallel, each file placed as soon as it is made,
/// and gathers every problem.
fn render_all(jobs: &[Job<'_>], inputs: &Inputs<'_>, place: &Place<'_>) -> Result<Vec<OutputFile>> {
    let rendered: Vec<Result<OutputFile>> =
        jobs.par_iter().map(|job| job.render(inputs).map_err(Error::from).and_then(place)).collect();
    let mut problems = Problems::default();
    let mut files = Vec::with_capacity(rendered.len());
    for file in rendered {
        match file {
            Ok(file) => files.push(file),
            Err(err) => problems.extend(err.problems()),
        }
    }
    problems.into_result(files)
}

/// Every page, feed and index file of the site, rendered.
pub(crate) fn site(inputs: &Inputs<'_>, place: &Place<'_>) -> Result<Vec<OutputFile>> {
    let Inputs { content, index, config, .. } = inputs;
    let per_page = config.posts_per_page;
    // The pages that list every post or trip come first: each is one long
    // job, and started last it would leave one core finishing it alone.
    let mut jobs: Vec<Job<'_>> = vec![Job::Timeline, Job::Trips, Job::Tags];
    if has_map(index) {
        jobs.push(Job::Map);
    }
    let home = index::paginate(&index.newest_first, per_page);
    let last = home.len();
    jobs.extend(home.into_iter().enumerate().map(|(i, posts)| Job::Home { number: i + 1, last, posts }));
    jobs.extend((0..content.posts.len()).map(|i| Job::Post(PostId(i))));
    jobs.extend(content.pages.iter().map(Job::Page));
    jobs.extend((0..content.trips.len()).map(Job::Trip));
    for (i, tag) in index.tags.iter().enumerate() {
        let pages = index::paginate(&tag.posts, per_page);
        let last = pages.len();
        jobs.extend(pages.into_iter().enumerate().map(|(n, posts)| Job::Tag {
            tag: TagId(i),
            number: n + 1,
            last,
            posts,
        }));
    }
    jobs.push(Job::NotFound);
    if config.search.enabled {
        jobs.push(Job::Search);
    }

    // Feeds after pages, not beside them: their entries (every post's text,
    // escaped) and the pages in flight would otherwise be in memory at once.
    let mut files = render_all(&jobs, inputs, place)?;
    drop(jobs);
    files.extend(route_maps((0..content.posts.len()).map(PostId), inputs, place)?);
    let sitemap = feeds::sitemap(&files, inputs);
    files.extend(feeds::all(inputs, place)?);
    files.push(place(sitemap)?);
    files.push(place(feeds::robots(config))?);
    Ok(files)
}

/// Only what shows the given posts, and the feeds they are in: the pages
/// of `bodies` (whose text alone changed) and of `cards`, and for `cards`
/// every page that shows their card or names them: their page of the home
/// list and of each of their tags' lists, their trip's page, the timeline,
/// and their neighbours' pages. Where the posts stand in every list is
/// taken to be as it was (the caller knows: `previous::Work::Posts`).
pub(crate) fn posts_and_their_feeds(
    inputs: &Inputs<'_>,
    cards: &[PostId],
    bodies: &[PostId],
    place: &Place<'_>,
) -> Result<Vec<OutputFile>> {
    let Inputs { content, index, config, .. } = inputs;
    let per_page = config.posts_per_page.max(1);
    let mut posts: BTreeSet<PostId> = cards.iter().chain(bodies).copied().collect();
    let (mut homes, mut tags, mut trips) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for &id in cards {
        let neighbours = index.neighbours[id.0];
        posts.extend(neighbours.older.into_iter().chain(neighbours.newer));
        if let Some(at) = index.newest_first.iter().position(|&p| p == id) {
            homes.insert(at / per_page);
        }
        for &tag in &index.post_tags[id.0] {
            if let Some(at) = index.tags[tag.0].posts.iter().position(|&p| p == id) {
                tags.insert((tag, at / per_page));
            }
        }
        trips.extend(content.posts[id.0].trip.map(|trip| trip.0));
    }
    let mut jobs: Vec<Job<'_>> = Vec::new();
    if !cards.is_empty() {
        jobs.push(Job::Timeline);
    }
    let home = index::paginate(&index.newest_first, per_page);
    let last = home.len();
    jobs.extend(homes.into_iter().map(|i| Job::Home { number: i + 1, last, posts: home[i] }));
    for (tag, i) in tags {
        let pages = index::paginate(&index.tags[tag.0].posts, per_page);
        jobs.push(Job::Tag { tag, number: i + 1, last: pages.len(), posts: pages[i] });
    }
    // The list of trips and the map of every trip show each trip's
    // figures (distance, countries), which its posts' cards make.
    if !trips.is_empty() {
        jobs.push(Job::Trips);
        if has_map(index) {
            jobs.push(Job::Map);
        }
    }
    jobs.extend(trips.into_iter().map(Job::Trip));
    jobs.extend(posts.iter().map(|&id| Job::Post(id)));
    let mut files = render_all(&jobs, inputs, place)?;
    files.extend(route_maps(cards.iter().copied(), inputs, place)?);
    let changed: Vec<PostId> = cards.iter().chain(bodies).copied().collect();
    files.extend(feeds::containing(inputs, &changed, place)?);
    Ok(files)
}

/// The route maps of `posts` (those that have one) as SVG files beside their
/// pages, for feeds: a post's route is in its card print, so a changed route
/// is a changed card.
fn route_maps(
    posts: impl Iterator<Item = PostId>,
    inputs: &Inputs<'_>,
    place: &Place<'_>,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for id in posts {
        let post = &inputs.content.posts[id.0];
        let Some(route) = &post.route else { continue };
        let svg = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n", route.map_svg);
        files.push(place(OutputFile {
            path: feeds::route_map_path(post).into(),
            origin: format!("the route map of {}", post.source.shown().display()),
            body: Body::Bytes(std::sync::Arc::new(svg.into_bytes())),
        })?);
    }
    Ok(files)
}

/// The page of one post, rendered.
pub fn post(inputs: &Inputs<'_>, id: PostId) -> Result<OutputFile> {
    Ok(Job::Post(id).render(inputs)?)
}

/// One page to render.
enum Job<'a> {
    Home {
        number: usize,
        last: usize,
        posts: &'a [PostId],
    },
    Post(PostId),
    Page(&'a Page),
    Trip(usize),
    Trips,
    /// The map of every trip, when one knows where it went.
    Map,
    Tags,
    Tag {
        tag: TagId,
        number: usize,
        last: usize,
        posts: &'a [PostId],
    },
    Timeline,
    NotFound,
    /// The search page, when the site has search.
    Search,
}

/// The trips, the one that started last first (then by title).
fn trips_newest_first(inputs: &Inputs<'_>) -> Vec<usize> {
    let (content, index) = (inputs.content, inputs.index);
    let mut order: Vec<usize> = (0..content.trips.len()).collect();
    order.sort_by(|&a, &b| {
        let start = |t: usize| index.trip_days[t].start;
        start(b).cmp(&start(a)).then_with(|| content.trips[a].title.cmp(&content.trips[b].title))
    });
    order
}

/// Whether any trip knows where it went, so that `/map/` has something to show.
fn has_map(index: &SiteIndex) -> bool {
    index.trip_geography.iter().any(|g| !g.stops.is_empty())
}

/// The URL of page `number` of a list whose first page is `first`.
fn paginated_url(first: &UrlPath, number: usize) -> UrlPath {
    if number <= 1 { first.clone() } else { UrlPath::file(format!("{}page/{number}/", first.as_str())) }
}

impl Job<'_> {
    fn render(&self, inputs: &Inputs<'_>) -> Result<OutputFile, Problem> {
        let content = inputs.content;
        let index = inputs.index;
        let site_feed = || FeedLink::site(inputs);
        let mut context = Context::new();
        let (template, url, origin, feeds) = match self {
            Job::Home { number, last, posts } => {
                let url = paginated_url(&UrlPath::home(), *number);
                context.insert("posts", &cards(posts, &url, true, inputs)?);
                context.insert("pagination", &Pagination::new(&UrlPath::home(), *number, *last, &url));
                ("home.html", url, format!("the home page {number}"), vec![site_feed()])
            }
            Job::Post(id) => {
                let post = &content.posts[id.0];
                let view = PostView::new(*id, &post.url, inputs);
                let mut feeds = vec![site_feed()];
                feeds.extend(post.trip.map(|t| FeedLink::trip(&content.trips[t.0])));
                context.insert("post", &view);
                ("post.html", post.url.clone(), post.source.shown().display().to_string(), feeds)
            }
            Job::Page(page) => {
                context.insert("page", &PageView::new(page, inputs));
                ("page.html", page.url.clone(), page.source.shown().display().to_string(), vec![site_feed()])
            }
            Job::Trip(i) => {
                let trip = &content.trips[*i];
                context.insert("trip", &TripView::new(*i, &trip.url, inputs).with_map(*i, &trip.url, inputs));
                context.insert("days", &DayView::all(*i, &trip.url, inputs)?);
                let feeds = vec![FeedLink::trip(trip), site_feed()];
                ("trip.html", trip.url.clone(), trip.source.shown().display().to_string(), feeds)
            }
            Job::Trips => {
                let url = UrlPath::page(["trips"]);
                let trips: Vec<TripView<'_>> =
                    trips_newest_first(inputs).iter().map(|&t| TripView::new(t, &url, inputs)).collect();
                context.insert("trips", &trips);
                ("trips.html", url, "the list of trips".to_string(), vec![site_feed()])
            }
            Job::Map => {
                let url = UrlPath::page(["map"]);
                let order = trips_newest_first(inputs);
                let trips: Vec<TripView<'_>> =
                    order.iter().map(|&t| TripView::new(t, &url, inputs)).collect();
                context.insert("trips", &trips);
                context.insert("map", &maps::all_trips(&order, &url, inputs));
                ("map.html", url, "the map of every trip".to_string(), vec![site_feed()])
            }
            Job::Tags => {
                let url = UrlPath::page(["tags"]);
                let tags: Vec<TagLink<'_>> = index.tags.iter().map(|t| TagLink::new(t, &url)).collect();
                context.insert("tags", &tags);
                ("tags.html", url, "the list of tags".to_string(), vec![site_feed()])
            }
            Job::Tag { tag, number, last, posts } => {
                let entry = &index.tags[tag.0];
                let url = paginated_url(&entry.url, *number);
                context.insert("tag", &TagLink::new(entry, &url));
                context.insert("posts", &cards(posts, &url, true, inputs)?);
                context.insert("pagination", &Pagination::new(&entry.url, *number, *last, &url));
                let origin = format!("the tag page of `{}`", entry.name);
                ("tag.html", url, origin, vec![FeedLink::tag(entry), site_feed()])
            }
            Job::Timeline => {
                let url = UrlPath::page(["timeline"]);
                context.insert("years", &YearView::all(&url, inputs));
                ("timeline.html", url, "the timeline".to_string(), vec![site_feed()])
            }
            Job::NotFound => {
                ("404.html", UrlPath::file("404.html"), "the not-found page".to_string(), vec![site_feed()])
            }
            Job::Search => {
                let url = UrlPath::page(["search"]);
                context.insert("search", &SearchView::new(&url, inputs));
                ("search.html", url, "the search page".to_string(), vec![site_feed()])
            }
        };
        // The not-found page is served at any depth, so its links start at the
        // site's root on its host: they work on any host serving it there,
        // under a sub-path too, which absolute links to base_url's host did not.
        let base_path = inputs.config.base_path();
        let (linker, root) = match self {
            Job::NotFound => (Linker::Rooted(base_path), base_path.to_string()),
            _ => (Linker::From(&url), url.root_prefix()),
        };
        let site = SiteView::new(inputs, linker, root);
        let feeds: Vec<FeedLinkView> = feeds.iter().map(|f| f.view(linker)).collect();
        context.insert("feeds", &feeds);
        context.insert("root", &site.root);
        context.insert("site", &site);
        context.insert("page_url", url.as_str());
        let path = url.output_file().to_string_lossy().replace('\\', "/");
        let html =
            inputs.templates.tera.render(template, &context).map_err(|err| inputs.templates.problem(&err))?;
        let html = crate::html::without_trailing_spaces(html);
        let html = if inputs.config.for_disk { links_naming_index_files(&html) } else { html };
        let bytes: std::sync::Arc<Vec<u8>> = html.into_bytes().into();
        Ok(OutputFile { path: path.into(), origin, body: Body::Bytes(bytes) })
    }
}

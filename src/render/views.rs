//! What templates see: small serializable views that borrow the content, with
//! every link already made relative to the page being rendered.

use jiff::civil::Date;
use serde::Serialize;

use super::photos::{ImageView, Shown};
use super::{Inputs, paginated_url};
use crate::error::Problem;
use crate::html::fill_tag_links;
use crate::index::{Geography, PostId, Tag};
use crate::parse::{Page, Post, Trip};
use crate::route::{PostRoute, Units, duration};
use crate::url::{Linker, UrlPath};

#[derive(Serialize)]
pub(super) struct Link {
    pub(super) href: String,
    pub(super) title: String,
}

#[derive(Serialize)]
pub(super) struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    author: &'a str,
    language: &'a str,
    base_url: &'a str,
    /// The prefix that leads from this page to the site root.
    pub(super) root: String,
    home: String,
    nav: Vec<Link>,
    /// The search page, when the site has search: the header's search box goes there.
    search: Option<String>,
}

impl<'a> SiteView<'a> {
    /// `linker` writes the page's links and `root` leads to the site root.
    pub(super) fn new(inputs: &Inputs<'a>, linker: Linker<'_>, root: String) -> Self {
        let config = inputs.config;
        let mut nav = Vec::new();
        let mut add = |present: bool, target: &str, title: &str| {
            if present {
                nav.push(Link { href: linker.to(target), title: title.to_string() });
            }
        };
        add(!inputs.content.trips.is_empty(), "trips/", "Trips");
        add(!inputs.index.tags.is_empty(), "tags/", "Tags");
        add(!inputs.content.posts.is_empty(), "timeline/", "Timeline");
        add(inputs.index.trip_geography.iter().any(|g| !g.stops.is_empty()), "map/", "Map");
        for page in &inputs.content.pages {
            nav.push(Link { href: linker.to(page.url.as_str()), title: page.title.clone() });
        }
        SiteView {
            title: &config.title,
            description: &config.description,
            author: &config.author,
            language: &config.language,
            base_url: &config.base_url,
            home: linker.to(""),
            root,
            nav,
            search: config.search.enabled.then(|| linker.to("search/")),
        }
    }
}

/// What the search page offers to narrow a search by: the values of the
/// index's filters (see `search`), in the order lists show them.
#[derive(Serialize)]
pub(super) struct SearchView {
    /// Newest first.
    trips: Vec<String>,
    /// Most used first.
    tags: Vec<String>,
    /// Newest first.
    years: Vec<String>,
    /// The way from this page to the index's folder.
    index: String,
}

impl SearchView {
    pub(super) fn new(url: &UrlPath, inputs: &Inputs<'_>) -> Self {
        let (content, index) = (inputs.content, inputs.index);
        let published = |id: &crate::index::PostId| !content.posts[id.0].draft;
        let trips = super::trips_newest_first(inputs)
            .into_iter()
            .filter(|&t| index.trip_posts[t].iter().any(published))
            .map(|t| content.trips[t].title.clone())
            .collect();
        let tags =
            index.tags.iter().filter(|t| t.posts.iter().any(published)).map(|t| t.name.clone()).collect();
        // Local years: a post's year is where it was written, as in the timeline.
        let years: std::collections::BTreeSet<i16> = index
            .newest_first
            .iter()
            .filter(|id| published(id))
            .map(|id| content.posts[id.0].date.local().year())
            .collect();
        let years = years.into_iter().rev().map(|year| year.to_string()).collect();
        SearchView { trips, tags, years, index: url.link_to(crate::search::DIR) }
    }
}

/// An Atom feed a page links to with `<link rel="alternate">`.
pub(super) struct FeedLink {
    title: String,
    url: UrlPath,
}

#[derive(Serialize)]
pub(super) struct FeedLinkView {
    title: String,
    href: String,
}

impl FeedLink {
    pub(super) fn site(inputs: &Inputs<'_>) -> Self {
        FeedLink { title: inputs.config.title.clone(), url: UrlPath::file("feed.xml") }
    }

    pub(super) fn trip(trip: &Trip) -> Self {
        FeedLink { title: trip.title.clone(), url: feed_url(&trip.url) }
    }

    pub(super) fn tag(tag: &Tag) -> Self {
        FeedLink { title: format!("#{}", tag.name), url: feed_url(&tag.url) }
    }

    pub(super) fn view(&self, linker: Linker<'_>) -> FeedLinkView {
        FeedLinkView { title: self.title.clone(), href: linker.to(self.url.as_str()) }
    }
}

/// The feed of the list at `page`: `tags/run/` → `tags/run/feed.xml`.
pub(super) fn feed_url(page: &UrlPath) -> UrlPath {
    UrlPath::file(format!("{}feed.xml", page.as_str()))
}

/// Fills the hashtag links of `html`, shown on `here`: tags the index knows
/// become links to their pages.
pub(super) fn with_tag_links(html: &str, here: &UrlPath, inputs: &Inputs<'_>) -> String {
    let index = inputs.index;
    fill_tag_links(html, |key| {
        index.tag_by_key.get(key).map(|id| here.link_to(index.tags[id.0].url.as_str()))
    })
}

#[derive(Serialize)]
pub(super) struct Pagination {
    number: usize,
    last: usize,
    newer: Option<String>,
    older: Option<String>,
}

impl Pagination {
    pub(super) fn new(first: &UrlPath, number: usize, last: usize, here: &UrlPath) -> Self {
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
pub(super) struct PostCard<'a> {
    href: String,
    title: &'a str,
    date: &'a str,
    datetime: &'a str,
    location: Option<&'a str>,
    summary: &'a str,
    cover: Option<ImageView<'a>>,
    cover_alt: Option<&'a str>,
    photo_count: usize,
    trip: Option<Link>,
    /// The post's day in its trip.
    day: Option<i64>,
    /// The length of its route: "42.2 km".
    distance: Option<String>,
    /// On lists: the post as `card.html` shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<String>,
}

impl<'a> PostCard<'a> {
    pub(super) fn new(id: PostId, link: Linker<'_>, inputs: &Inputs<'a>) -> Self {
        let post: &'a Post = &inputs.content.posts[id.0];
        PostCard {
            href: link.to(post.url.as_str()),
            title: &post.title,
            date: &post.date_shown,
            datetime: &post.date_rfc3339,
            location: post.location.as_deref(),
            summary: &post.summary,
            cover: post.cover.as_ref().map(|c| inputs.photos.image(c.as_str(), link)),
            cover_alt: post
                .photos
                .iter()
                .find(|p| Some(&p.src) == post.cover.as_ref())
                .and_then(|p| p.alt.as_deref().or(p.caption.as_deref())),
            photo_count: post.photos.len(),
            trip: post.trip.map(|t| {
                let trip = &inputs.content.trips[t.0];
                Link { href: link.to(trip.url.as_str()), title: trip.title.clone() }
            }),
            day: inputs.index.post_day[id.0],
            distance: post.route.as_ref().map(|r| inputs.config.units.distance(r.figures.distance)),
            card: None,
        }
    }
}

/// The posts of a list on `here`, each with its card (showing its day or not).
pub(super) fn cards<'a>(
    ids: &[PostId],
    here: &UrlPath,
    show_day: bool,
    inputs: &Inputs<'a>,
) -> Result<Vec<ListCard<'a>>, Problem> {
    let root = here.root_prefix();
    ids.iter()
        .map(|&id| {
            let card = inputs.cards.html(id, show_day, &root, inputs)?;
            Ok(if inputs.templates.lists_read_card_fields {
                let mut post = PostCard::new(id, Linker::From(here), inputs);
                post.card = Some(card);
                ListCard::WithFields(Box::new(post))
            } else {
                ListCard::Alone { card }
            })
        })
        .collect()
}

/// A post on a list: its rendered card, with the fields it was rendered
/// from when the theme's lists read them.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ListCard<'a> {
    WithFields(Box<PostCard<'a>>),
    Alone { card: String },
}

#[derive(Serialize)]
struct PhotoView<'a> {
    /// For a video, its poster (or nothing to show when it has none).
    #[serde(flatten)]
    image: ImageView<'a>,
    caption_html: Option<String>,
    alt: &'a str,
    video: Option<VideoView>,
}

/// A video as a template shows it.
#[derive(Serialize)]
struct VideoView {
    src: String,
    /// For `<source type>`. A `.mov` is named MP4: phones write H.264 or
    /// HEVC in it, which browsers play when told MP4 but may refuse as
    /// QuickTime.
    mime: &'static str,
    width: u32,
    height: u32,
    /// `0:42`, `1:02:03`.
    duration: String,
    seconds: f64,
    /// The poster's largest variant, when it has one.
    poster: Option<String>,
}

impl VideoView {
    fn new(src: &UrlPath, clip: &crate::parse::Clip, here: &UrlPath, inputs: &Inputs<'_>) -> Self {
        let seconds = clip.duration_ms / 1000 + u64::from(clip.duration_ms % 1000 >= 500);
        let duration = match (seconds / 3600, seconds / 60 % 60, seconds % 60) {
            (0, m, s) => format!("{m}:{s:02}"),
            (h, m, s) => format!("{h}:{m:02}:{s:02}"),
        };
        let mime = match clip.container {
            crate::video::Container::Webm => "video/webm",
            crate::video::Container::Mp4 | crate::video::Container::Mov => "video/mp4",
        };
        VideoView {
            src: here.link_to(src.as_str()),
            mime,
            width: clip.width,
            height: clip.height,
            duration,
            seconds: clip.duration_ms as f64 / 1000.0,
            poster: clip.poster.as_ref().map(|p| {
                here.link_to(&inputs.photos.full(p.as_str()).unwrap_or_else(|| p.as_str().to_string()))
            }),
        }
    }
}

/// What a link shared in a chat shows: Open Graph and Twitter card values.
#[derive(Serialize)]
struct Share<'a> {
    url: String,
    title: &'a str,
    description: &'a str,
    image: Option<String>,
    image_alt: Option<&'a str>,
    published: &'a str,
}

/// A route as templates receive it: the drawings, and every figure both
/// written for people (in the site's units) and as a number.
#[derive(Serialize)]
pub(super) struct RouteView<'a> {
    name: Option<&'a str>,
    /// The map, an inline `<svg>`.
    map: &'a str,
    /// The height profile, an inline `<svg>`, when the route has heights.
    profile: Option<&'a str>,
    distance: String,
    climb: Option<String>,
    descent: Option<String>,
    duration: Option<String>,
    moving: Option<String>,
    pace: Option<String>,
    speed: Option<String>,
    highest: Option<String>,
    lowest: Option<String>,
    /// "km" or "mi".
    unit: &'static str,
    splits: Vec<SplitView>,
    /// The same figures in metres and seconds.
    numbers: RouteNumbers,
}

#[derive(Serialize)]
struct RouteNumbers {
    distance_m: f64,
    climb_m: Option<f64>,
    descent_m: Option<f64>,
    duration_s: Option<f64>,
    moving_s: Option<f64>,
    highest_m: Option<f64>,
    lowest_m: Option<f64>,
}

#[derive(Serialize)]
struct SplitView {
    /// 1 for the first.
    number: usize,
    distance: String,
    time: Option<String>,
    pace: Option<String>,
    climb: String,
    descent: String,
    /// Shorter than a whole unit (the last).
    partial: bool,
}

impl<'a> RouteView<'a> {
    fn new(route: &'a PostRoute, units: Units) -> Self {
        let f = &route.figures;
        // Pace over the time moving, as watches show it.
        let moving = f.moving.or(f.duration);
        RouteView {
            name: route.name.as_deref(),
            map: &route.map_svg,
            profile: route.profile_svg.as_deref(),
            distance: units.distance(f.distance),
            climb: f.climb.map(|m| units.height(m)),
            descent: f.descent.map(|m| units.height(m)),
            duration: f.duration.map(duration),
            moving: f.moving.map(duration),
            pace: moving.and_then(|s| units.pace(s, f.distance)),
            speed: moving.and_then(|s| units.speed(s, f.distance)),
            highest: f.highest.map(|s| units.height(s.ele)),
            lowest: f.lowest.map(|s| units.height(s.ele)),
            unit: units.distance_name(),
            splits: f
                .splits
                .iter()
                .enumerate()
                .map(|(i, split)| SplitView {
                    number: i + 1,
                    distance: units.distance(split.distance),
                    time: split.time.map(duration),
                    pace: split.time.and_then(|s| units.pace(s, split.distance)),
                    climb: units.height(split.climb),
                    descent: units.height(split.descent),
                    partial: split.distance < units.distance_unit() - 1.0,
                })
                .collect(),
            numbers: RouteNumbers {
                distance_m: f.distance,
                climb_m: f.climb,
                descent_m: f.descent,
                duration_s: f.duration,
                moving_s: f.moving,
                highest_m: f.highest.map(|s| s.ele),
                lowest_m: f.lowest.map(|s| s.ele),
            },
        }
    }
}

#[derive(Serialize)]
pub(super) struct PostView<'a> {
    #[serde(flatten)]
    card: PostCard<'a>,
    body: String,
    tags: Vec<Link>,
    photos: Vec<PhotoView<'a>>,
    coords: Option<[f64; 2]>,
    /// Links to the route files.
    gpx: Vec<String>,
    route: Option<RouteView<'a>>,
    older: Option<Link>,
    newer: Option<Link>,
    /// "Day 4 of Pyongyang, April 2017".
    day_label: Option<String>,
    share: Share<'a>,
}

impl<'a> PostView<'a> {
    pub(super) fn new(id: PostId, here: &UrlPath, inputs: &Inputs<'a>) -> Self {
        let content = inputs.content;
        let index = inputs.index;
        let post = &content.posts[id.0];
        let link = |other: Option<PostId>| {
            other.map(|o| {
                let other = &content.posts[o.0];
                Link { href: here.link_to(other.url.as_str()), title: other.title.clone() }
            })
        };
        let neighbours = index.neighbours[id.0];
        let card = PostCard::new(id, Linker::From(here), inputs);
        let base = &inputs.config.base_url;
        let day_label = match (post.trip, index.post_day[id.0]) {
            (Some(trip), Some(day)) => Some(format!("Day {day} of {}", content.trips[trip.0].title)),
            _ => None,
        };
        PostView {
            body: inputs.photos.rewrite_html(
                with_tag_links(&post.body_html, here, inputs),
                here,
                Shown::OnPage,
            ),
            tags: index.post_tags[id.0]
                .iter()
                .map(|t| {
                    let tag = &index.tags[t.0];
                    Link { href: here.link_to(tag.url.as_str()), title: tag.name.clone() }
                })
                .collect(),
            photos: post
                .photos
                .iter()
                .map(|p| {
                    let shown = match &p.video {
                        Some(clip) => clip.poster.as_ref().unwrap_or(&p.src),
                        None => &p.src,
                    };
                    PhotoView {
                        image: inputs.photos.image(shown.as_str(), Linker::From(here)),
                        caption_html: p.caption_html.as_deref().map(|c| with_tag_links(c, here, inputs)),
                        alt: p.alt.as_deref().or(p.caption.as_deref()).unwrap_or(""),
                        video: p.video.as_ref().map(|clip| VideoView::new(&p.src, clip, here, inputs)),
                    }
                })
                .collect(),
            coords: post.coords,
            gpx: post.gpx.iter().map(|g| here.link_to(g.as_str())).collect(),
            route: post.route.as_deref().map(|r| RouteView::new(r, inputs.config.units)),
            older: link(neighbours.older),
            newer: link(neighbours.newer),
            day_label,
            share: Share {
                url: post.url.absolute(base),
                title: &post.title,
                description: &post.summary,
                image: post.cover.as_ref().map(|c| {
                    inputs.photos.full(c.as_str()).map_or_else(|| c.clone(), UrlPath::file).absolute(base)
                }),
                image_alt: card.cover_alt,
                published: &post.date_rfc3339,
            },
            card,
        }
    }
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    title: &'a str,
    summary: &'a str,
    body: String,
}

impl<'a> PageView<'a> {
    pub(super) fn new(page: &'a Page, inputs: &Inputs<'_>) -> Self {
        let body = with_tag_links(&page.body_html, &page.url, inputs);
        PageView {
            title: &page.title,
            summary: &page.summary,
            body: inputs.photos.rewrite_html(body, &page.url, Shown::OnPage),
        }
    }
}

#[derive(Serialize)]
pub(super) struct TripView<'a> {
    href: String,
    title: &'a str,
    summary: Option<&'a str>,
    location: Option<&'a str>,
    /// "7–15 Apr 2017".
    dates: Option<String>,
    start: Option<String>,
    end: Option<String>,
    cover: Option<ImageView<'a>>,
    body: String,
    posts: usize,
    photos: usize,
    days: Option<i64>,
    /// Where it went: distance, countries, highest point.
    figures: TripFigures,
    /// The trip's map, an inline `<svg>`: on the trip's own page only.
    map: Option<String>,
}

impl<'a> TripView<'a> {
    /// The view with the trip's map, as its own page shows it.
    pub(super) fn with_map(mut self, trip_index: usize, here: &UrlPath, inputs: &Inputs<'a>) -> Self {
        self.map = super::maps::trip(trip_index, here, inputs);
        self
    }

    pub(super) fn new(trip_index: usize, here: &UrlPath, inputs: &Inputs<'a>) -> Self {
        let trip: &'a Trip = &inputs.content.trips[trip_index];
        let days = &inputs.index.trip_days[trip_index];
        let posts = &inputs.index.trip_posts[trip_index];
        // A trip without a cover of its own shows its first post's.
        let cover = trip
            .cover
            .clone()
            .or_else(|| posts.iter().find_map(|id| inputs.content.posts[id.0].cover.clone()));
        TripView {
            href: here.link_to(trip.url.as_str()),
            title: &trip.title,
            summary: trip.summary.as_deref(),
            location: trip.location.as_deref(),
            dates: days.start.map(|start| date_range(start, days.end.unwrap_or(start))),
            start: days.start.map(|d| d.to_string()),
            end: days.end.map(|d| d.to_string()),
            cover: cover.map(|c| inputs.photos.image(c.as_str(), Linker::From(here))),
            body: inputs.photos.rewrite_html(
                with_tag_links(&trip.body_html, here, inputs),
                here,
                Shown::OnPage,
            ),
            posts: posts.len(),
            photos: days.photos,
            days: days.length(),
            figures: TripFigures::new(&inputs.index.trip_geography[trip_index], here, inputs),
            map: None,
        }
    }
}

/// "7–15 Apr 2017", "28 Mar – 3 Apr 2017", "30 Dec 2016 – 2 Jan 2017".
fn date_range(start: Date, end: Date) -> String {
    if start == end {
        start.strftime("%-d %b %Y").to_string()
    } else if (start.year(), start.month()) == (end.year(), end.month()) {
        format!("{}–{}", start.day(), end.strftime("%-d %b %Y"))
    } else if start.year() == end.year() {
        format!("{} – {}", start.strftime("%-d %b"), end.strftime("%-d %b %Y"))
    } else {
        format!("{} – {}", start.strftime("%-d %b %Y"), end.strftime("%-d %b %Y"))
    }
}

/// One day of a trip page.
#[derive(Serialize)]
pub(super) struct DayView<'a> {
    /// "Day 4 · Thu 13 Apr 2017".
    heading: String,
    number: Option<i64>,
    datetime: String,
    posts: Vec<ListCard<'a>>,
}

impl<'a> DayView<'a> {
    pub(super) fn all(trip_index: usize, here: &UrlPath, inputs: &Inputs<'a>) -> Result<Vec<Self>, Problem> {
        inputs.index.trip_days[trip_index]
            .days
            .iter()
            .map(|day| {
                let date = day.date.strftime("%a %-d %b %Y");
                Ok(DayView {
                    heading: match day.number {
                        Some(n) => format!("Day {n} · {date}"),
                        None => format!("Before the trip · {date}"),
                    },
                    number: day.number,
                    datetime: day.date.to_string(),
                    // A trip's page is told day by day: its cards leave the day out.
                    posts: cards(&day.posts, here, false, inputs)?,
                })
            })
            .collect()
    }
}

#[derive(Serialize)]
pub(super) struct TagLink<'a> {
    name: &'a str,
    href: String,
    count: usize,
}

impl<'a> TagLink<'a> {
    pub(super) fn new(tag: &'a Tag, here: &UrlPath) -> Self {
        TagLink { name: &tag.name, href: here.link_to(tag.url.as_str()), count: tag.posts.len() }
    }
}

#[derive(Serialize)]
pub(super) struct YearView<'a> {
    year: i16,
    months: Vec<MonthView<'a>>,
}

#[derive(Serialize)]
struct MonthView<'a> {
    /// "April 2017".
    name: String,
    days: Vec<TimelineDayView<'a>>,
}

#[derive(Serialize)]
struct TimelineDayView<'a> {
    /// "Thu 13 Apr".
    heading: String,
    datetime: String,
    posts: Vec<TimelineEntry<'a>>,
}

#[derive(Serialize)]
struct TimelineEntry<'a> {
    href: String,
    title: &'a str,
    /// Local time of day, when the post has one.
    time: Option<String>,
    datetime: &'a str,
    location: Option<&'a str>,
    cover: Option<ImageView<'a>>,
    /// Set on the first post of a trip: where the trip begins.
    trip_starts: Option<Link>,
}

impl<'a> YearView<'a> {
    pub(super) fn all(here: &UrlPath, inputs: &Inputs<'a>) -> Vec<Self> {
        let content = inputs.content;
        let index = inputs.index;
        let entry = |id: &PostId| {
            let post: &'a Post = &content.posts[id.0];
            let trip_starts = post.trip.filter(|t| index.trip_posts[t.0].first() == Some(id)).map(|t| {
                let trip = &content.trips[t.0];
                Link { href: here.link_to(trip.url.as_str()), title: trip.title.clone() }
            });
            TimelineEntry {
                href: here.link_to(post.url.as_str()),
                title: &post.title,
                time: post.date.has_time.then(|| post.date.local().strftime("%H:%M").to_string()),
                datetime: &post.date_rfc3339,
                location: post.location.as_deref(),
                cover: post.cover.as_ref().map(|c| inputs.photos.image(c.as_str(), Linker::From(here))),
                trip_starts,
            }
        };
        index
            .timeline
            .iter()
            .map(|year| YearView {
                year: year.year,
                months: year
                    .months
                    .iter()
                    .map(|month| MonthView {
                        name: month.first.strftime("%B %Y").to_string(),
                        days: month
                            .days
                            .iter()
                            .map(|day| TimelineDayView {
                                heading: day.date.strftime("%a %-d %b").to_string(),
                                datetime: day.date.to_string(),
                                posts: day.posts.iter().map(entry).collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A trip's figures as templates receive them.
#[derive(Serialize)]
pub(super) struct TripFigures {
    /// "1,234 km": routes, and straight hops between posts.
    distance: Option<String>,
    distance_m: f64,
    /// Natural Earth's short names, in the order first visited.
    countries: Vec<&'static str>,
    highest: Option<String>,
    highest_m: Option<f64>,
    /// The post the highest point is on.
    highest_post: Option<Link>,
    /// Posts that know where they were.
    places: usize,
}

impl TripFigures {
    pub(super) fn new(geography: &Geography, here: &UrlPath, inputs: &Inputs<'_>) -> TripFigures {
        let units = inputs.config.units;
        let moved = geography.stops.len() > 1 || geography.distance > 0.0;
        TripFigures {
            distance: moved.then(|| units.distance(geography.distance)),
            distance_m: geography.distance,
            countries: geography.countries.clone(),
            highest: geography.highest.map(|(spot, _)| units.height(spot.ele)),
            highest_m: geography.highest.map(|(spot, _)| spot.ele),
            highest_post: geography.highest.map(|(_, id)| {
                let post = &inputs.content.posts[id.0];
                Link { href: here.link_to(post.url.as_str()), title: post.title.clone() }
            }),
            places: geography.stops.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::date_range;
    use jiff::civil::date;

    #[test]
    fn date_ranges_say_each_part_once() {
        assert_eq!(date_range(date(2017, 4, 7), date(2017, 4, 15)), "7–15 Apr 2017");
        assert_eq!(date_range(date(2017, 3, 28), date(2017, 4, 3)), "28 Mar – 3 Apr 2017");
        assert_eq!(date_range(date(2016, 12, 30), date(2017, 1, 2)), "30 Dec 2016 – 2 Jan 2017");
        assert_eq!(date_range(date(2017, 4, 7), date(2017, 4, 7)), "7 Apr 2017");
    }
}

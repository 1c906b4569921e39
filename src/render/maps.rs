//! The maps of trips: each trip's posts joined in time order with its
//! routes, numbered by day and linking to the posts, and the map of every
//! trip (`/map/`). Drawn per page, since their links are relative to it.

use serde::Serialize;

use super::Inputs;
use crate::index::Geography;
use crate::route::map::{self, Dot, DotKind, Line, LineKind, Map};
use crate::url::UrlPath;

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
    highest_post: Option<super::views::Link>,
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
                super::views::Link { href: here.link_to(post.url.as_str()), title: post.title.clone() }
            }),
            places: geography.stops.len(),
        }
    }
}

/// The lines of a trip: its routes, and hops between its posts.
fn lines(geography: &Geography, inputs: &Inputs<'_>) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut previous: Option<(f64, f64)> = None;
    for stop in &geography.stops {
        if let Some(from) = previous.filter(|&p| p != stop.from) {
            lines.push(Line { points: vec![from, stop.from], kind: LineKind::Hop });
        }
        if let Some(route) = &inputs.content.posts[stop.post.0].route {
            lines.extend(route.lines.iter().map(|l| Line { points: l.clone(), kind: LineKind::Route }));
        }
        previous = Some(stop.to);
    }
    lines
}

/// The map of trip `trip` as shown on `here`; `None` when none of its posts
/// knows where it was.
pub(super) fn trip(trip: usize, here: &UrlPath, inputs: &Inputs<'_>) -> Option<String> {
    let geography = &inputs.index.trip_geography[trip];
    let dots = geography
        .stops
        .iter()
        .enumerate()
        .map(|(i, stop)| {
            let post = &inputs.content.posts[stop.post.0];
            let (label, title) = match stop.day {
                Some(day) => (day.to_string(), format!("Day {day}: {}", post.title)),
                None => ((i + 1).to_string(), post.title.clone()),
            };
            Dot {
                lat: stop.from.0,
                lon: stop.from.1,
                kind: DotKind::Place,
                label,
                title,
                href: Some(here.link_to(post.url.as_str())),
            }
        })
        .collect();
    let map = Map { lines: lines(geography, inputs), dots };
    let title = format!("Map of {}: where each day's posts were", inputs.content.trips[trip].title);
    map::draw(&map, &title, "trip-map-drawing")
}

/// The map of every trip as shown on `here`, each numbered as in `order`.
pub(super) fn all_trips(order: &[usize], here: &UrlPath, inputs: &Inputs<'_>) -> Option<String> {
    let mut map = Map::default();
    for (n, &t) in order.iter().enumerate() {
        let geography = &inputs.index.trip_geography[t];
        // At the scale of the world a trip is one line through where it went.
        let mut path = Vec::new();
        for stop in &geography.stops {
            path.push(stop.from);
            if let Some(route) = &inputs.content.posts[stop.post.0].route {
                path.extend(route.lines.iter().flatten().copied());
            }
            path.push(stop.to);
        }
        if path.len() >= 2 {
            map.lines.push(Line { points: path, kind: LineKind::Hop });
        }
        if let Some(first) = geography.stops.first() {
            let trip = &inputs.content.trips[t];
            map.dots.push(Dot {
                lat: first.from.0,
                lon: first.from.1,
                kind: DotKind::Place,
                label: (n + 1).to_string(),
                title: trip.title.clone(),
                href: Some(here.link_to(trip.url.as_str())),
            });
        }
    }
    map::draw(&map, "Map of every trip", "trip-map-drawing")
}

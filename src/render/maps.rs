//! The maps of trips: each trip's posts joined in time order with its
//! routes, numbered by day and linking to the posts, and the map of every
//! trip (`/map/`). Drawn per page, since their links are relative to it.

use super::Inputs;
use crate::index::Geography;
use crate::route::map::{self, Dot, DotKind, Line, LineKind, Map};
use crate::url::UrlPath;

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

//! Where each trip went: its posts' places in time order (a route's start
//! and end, else the post's `coords:` or its photos' GPS), the distance
//! travelled (routes, and straight hops between posts), the countries
//! visited and the highest point reached.

use rayon::prelude::*;

use super::PostId;
use crate::parse::Post;
use crate::route::figures::{Spot, distance};
use crate::route::outlines;

/// One post of a trip that knows where it was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stop {
    pub(crate) post: PostId,
    pub(crate) day: Option<i64>,
    /// (lat, lon) where the post begins and ends: its route's ends, or its place twice.
    pub(crate) from: (f64, f64),
    pub(crate) to: (f64, f64),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Geography {
    /// Oldest first.
    pub(crate) stops: Vec<Stop>,
    /// Metres: every route, and a straight hop from each stop to the next.
    pub(crate) distance: f64,
    /// Natural Earth's short names, in the order first visited.
    pub(crate) countries: Vec<&'static str>,
    /// The highest point of the trip's routes, and the post it is on.
    pub(crate) highest: Option<(Spot, PostId)>,
}

/// Places closer than this (metres) to the last one looked up are taken to
/// be in its country: borders are rarely crossed in less.
const COUNTRY_STEP: f64 = 5_000.0;

/// The geography of each trip, from its posts oldest first.
pub(crate) fn build(posts: &[Post], trip_posts: &[Vec<PostId>], post_day: &[Option<i64>]) -> Vec<Geography> {
    trip_posts.par_iter().map(|ids| trip(posts, ids, post_day)).collect()
}

fn trip(posts: &[Post], ids: &[PostId], post_day: &[Option<i64>]) -> Geography {
    let mut geography = Geography::default();
    let mut visited: Vec<&'static str> = Vec::new();
    let mut looked_up: Option<(f64, f64)> = None;
    let mut last_country = None;
    // A place near the last one looked up is taken to be in the same country:
    // a trip's posts are mostly close together, and each lookup tests outlines.
    let mut visit = |lat: f64, lon: f64| {
        if looked_up.is_some_and(|last| distance(last, (lat, lon)) < COUNTRY_STEP) {
            return;
        }
        looked_up = Some((lat, lon));
        let country = outlines::country_near(lat, lon, last_country);
        if let Some(country) = country
            && !visited.contains(&country.name.as_str())
        {
            visited.push(&country.name);
        }
        last_country = country.or(last_country);
    };
    for &id in ids {
        let post = &posts[id.0];
        let stop = match (&post.route, post.coords) {
            (Some(route), _) => {
                let first = route.lines.first().and_then(|l| l.first());
                let last = route.lines.last().and_then(|l| l.last());
                let (Some(&from), Some(&to)) = (first, last) else { continue };
                geography.distance += route.figures.distance;
                for (line, along) in route.lines.iter().zip(&route.figures.along) {
                    let mut last_at = f64::NEG_INFINITY;
                    for (&(lat, lon), &at) in line.iter().zip(along) {
                        if at - last_at >= COUNTRY_STEP {
                            visit(lat, lon);
                            last_at = at;
                        }
                    }
                }
                visit(from.0, from.1);
                visit(to.0, to.1);
                if let Some(spot) = route.figures.highest
                    && geography.highest.is_none_or(|(h, _)| spot.ele > h.ele)
                {
                    geography.highest = Some((spot, id));
                }
                Stop { post: id, day: post_day[id.0], from, to }
            }
            (None, Some([lat, lon])) => {
                visit(lat, lon);
                Stop { post: id, day: post_day[id.0], from: (lat, lon), to: (lat, lon) }
            }
            (None, None) => continue,
        };
        if let Some(previous) = geography.stops.last() {
            geography.distance += distance(previous.to, stop.from);
        }
        geography.stops.push(stop);
    }
    geography.countries = visited;
    geography
}

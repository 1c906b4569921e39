//! Trips told day by day: each trip's posts grouped by the local day they were
//! written on, numbered from the trip's start (default: its first post's day).

use jiff::civil::Date;

use super::PostId;
use crate::error::Problem;
use crate::parse::{Post, Trip};

#[derive(Debug, Clone)]
pub(crate) struct TripDays {
    pub(crate) start: Option<Date>,
    pub(crate) end: Option<Date>,
    /// Oldest first; consecutive posts of one local day form one day.
    pub(crate) days: Vec<Day>,
    pub(crate) photos: usize,
}

impl TripDays {
    /// Days from start to end, both counted.
    pub(crate) fn length(&self) -> Option<i64> {
        Some(days_between(self.start?, self.end?) + 1)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Day {
    /// 1 on the start day; `None` before the trip started.
    pub(crate) number: Option<i64>,
    pub(crate) date: Date,
    pub(crate) posts: Vec<PostId>,
}

/// Whole days from `a` to `b`.
fn days_between(a: Date, b: Date) -> i64 {
    i64::from(a.until(b).map(|span| span.get_days()).unwrap_or(0))
}

/// `trip_posts` holds each trip's posts oldest first. Posts dated before their
/// trip's start are warnings, and are told under no day number.
pub(super) fn build(
    trips: &[Trip],
    trip_posts: &[Vec<PostId>],
    posts: &[Post],
    warnings: &mut Vec<Problem>,
) -> Vec<TripDays> {
    trips
        .iter()
        .zip(trip_posts)
        .map(|(trip, ids)| {
            let local = |id: &PostId| posts[id.0].date.local().date();
            let start = trip.start.or_else(|| ids.first().map(local));
            let end = trip.end.or_else(|| ids.last().map(local)).max(start);
            let mut days: Vec<Day> = Vec::new();
            for id in ids {
                let date = local(id);
                let number = start.map(|s| days_between(s, date) + 1).filter(|n| *n >= 1);
                if number.is_none() {
                    let post = &posts[id.0];
                    warnings.push(
                        Problem::in_file(
                            post.source.shown(),
                            format!(
                                "this post ({}) is dated before its trip starts ({}, in {})",
                                post.date.display(),
                                start.map(|s| s.to_string()).unwrap_or_default(),
                                trip.source.shown().display()
                            ),
                        )
                        .hint("correct the post's date, or the trip's `start`"),
                    );
                }
                match days.last_mut() {
                    Some(day) if day.date == date => day.posts.push(*id),
                    _ => days.push(Day { number, date, posts: vec![*id] }),
                }
            }
            let photos = ids.iter().map(|id| posts[id.0].photos.len()).sum();
            TripDays { start, end, days, photos }
        })
        .collect()
}

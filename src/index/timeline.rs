//! The timeline: every post, oldest first, grouped by year, month and the
//! local day it was written on.

use jiff::civil::Date;

use super::PostId;
use crate::parse::Post;

#[derive(Debug, Clone)]
pub(crate) struct Year {
    pub(crate) year: i16,
    pub(crate) months: Vec<Month>,
}

#[derive(Debug, Clone)]
pub(crate) struct Month {
    /// The first of the month.
    pub(crate) first: Date,
    pub(crate) days: Vec<TimelineDay>,
}

#[derive(Debug, Clone)]
pub(crate) struct TimelineDay {
    pub(crate) date: Date,
    pub(crate) posts: Vec<PostId>,
}

/// Groups `oldest_first` by local day. Posts are in the order of their
/// instants; when a later post is on an earlier local day (a flight west), it
/// starts a group of its own rather than moving back in time.
pub(super) fn build(posts: &[Post], oldest_first: &[PostId]) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for &id in oldest_first {
        let date = posts[id.0].date.local().date();
        if years.last().is_none_or(|y| y.year != date.year()) {
            years.push(Year { year: date.year(), months: Vec::new() });
        }
        let year = years.last_mut().expect("pushed above");
        let first = date.first_of_month();
        if year.months.last().is_none_or(|m| m.first != first) {
            year.months.push(Month { first, days: Vec::new() });
        }
        let month = year.months.last_mut().expect("pushed above");
        match month.days.last_mut() {
            Some(day) if day.date == date => day.posts.push(id),
            _ => month.days.push(TimelineDay { date, posts: vec![id] }),
        }
    }
    years
}

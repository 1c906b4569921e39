//! The order of things: posts newest first, each trip's posts oldest first
//! and told by day, each post's neighbours, the tags and the timeline. Holds
//! ids into `Content`, never copies of posts.

mod geography;
mod tags;
mod timeline;
mod trips;

use crate::error::Problem;
use crate::parse::{Content, Post, TripId};
pub(crate) use geography::Geography;
pub(crate) use tags::{Tag, TagId};

/// An index into `Content::posts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(pub(crate) usize);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Neighbours {
    pub(crate) older: Option<PostId>,
    pub(crate) newer: Option<PostId>,
}

#[derive(Debug, Default)]
pub struct SiteIndex {
    /// Every post, newest first by the absolute instant.
    pub newest_first: Vec<PostId>,
    /// For each trip, its posts oldest first.
    pub(crate) trip_posts: Vec<Vec<PostId>>,
    /// For each post, the posts before and after it: in its trip when it has one.
    pub(crate) neighbours: Vec<Neighbours>,
    /// Most used first.
    pub(crate) tags: Vec<Tag>,
    /// For each post, its tags.
    pub(crate) post_tags: Vec<Vec<TagId>>,
    pub(crate) tag_by_key: std::collections::HashMap<String, TagId>,
    /// For each trip, its days.
    pub(crate) trip_days: Vec<trips::TripDays>,
    /// For each post in a trip, its day number there.
    pub(crate) post_day: Vec<Option<i64>>,
    /// For each trip, where it went.
    pub(crate) trip_geography: Vec<geography::Geography>,
    pub(crate) timeline: Vec<timeline::Year>,
    /// Things worth knowing that do not stop the build.
    pub(crate) warnings: Vec<Problem>,
}

pub fn build(content: &Content) -> SiteIndex {
    let posts = &content.posts;
    let mut newest_first: Vec<PostId> = (0..posts.len()).map(PostId).collect();
    // Ties on the instant fall back to the URL, so the order never depends on the disk.
    newest_first.sort_by(|&a, &b| chronological(&posts[b.0], &posts[a.0]));

    let mut trip_posts = vec![Vec::new(); content.trips.len()];
    for &id in newest_first.iter().rev() {
        if let Some(TripId(trip)) = posts[id.0].trip {
            trip_posts[trip].push(id);
        }
    }

    let mut neighbours = vec![Neighbours::default(); posts.len()];
    let untripped: Vec<PostId> =
        newest_first.iter().rev().copied().filter(|id| posts[id.0].trip.is_none()).collect();
    for oldest_first in trip_posts.iter().chain(std::iter::once(&untripped)) {
        for (i, id) in oldest_first.iter().enumerate() {
            neighbours[id.0] = Neighbours {
                older: i.checked_sub(1).map(|j| oldest_first[j]),
                newer: oldest_first.get(i + 1).copied(),
            };
        }
    }
    let oldest_first: Vec<PostId> = newest_first.iter().rev().copied().collect();
    let tags = tags::build(posts, &oldest_first);
    let mut warnings = tags.warnings;
    let trip_days = trips::build(&content.trips, &trip_posts, posts, &mut warnings);
    let mut post_day = vec![None; posts.len()];
    for day in trip_days.iter().flat_map(|t| &t.days) {
        for id in &day.posts {
            post_day[id.0] = day.number;
        }
    }
    let timeline = timeline::build(posts, &oldest_first);
    let trip_geography = geography::build(posts, &trip_posts, &post_day);
    SiteIndex {
        newest_first,
        trip_posts,
        neighbours,
        tags: tags.tags,
        post_tags: tags.of_post,
        tag_by_key: tags.by_key,
        trip_days,
        post_day,
        trip_geography,
        timeline,
        warnings,
    }
}

fn chronological(a: &Post, b: &Post) -> std::cmp::Ordering {
    a.date.instant.cmp(&b.date.instant).then_with(|| a.url.cmp(&b.url))
}

/// The items of a paginated list, `per_page` at a time; an empty list is one empty page.
pub(crate) fn paginate<T>(items: &[T], per_page: usize) -> Vec<&[T]> {
    if items.is_empty() {
        return vec![&[]];
    }
    items.chunks(per_page.max(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::paginate;

    #[test]
    fn pagination_keeps_every_item_once() {
        let items: Vec<u32> = (0..25).collect();
        let pages = paginate(&items, 12);
        assert_eq!(pages.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![12, 12, 1]);
        assert_eq!(paginate::<u32>(&[], 12).len(), 1);
    }
}

/// Any set of posts, as parsed from their front matter: the timeline holds
/// each exactly once, on its local day, and distinct tags get distinct pages.
#[cfg(test)]
mod any_posts {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;
    use crate::config::Config;
    use crate::load::{Source, Sources};
    use crate::paths::ContentPath;

    /// (date as written, tags) of a post: days around a year's end and
    /// offsets far apart, so local days and UTC days differ.
    fn post() -> impl Strategy<Value = (String, Vec<String>)> {
        let offset = prop::sample::select(vec!["Z", "+14:00", "-11:00", "+05:45", "-03:30", "+09:00", ""]);
        let day =
            prop::sample::select(vec!["2016-12-31", "2017-01-01", "2017-01-02", "2017-02-28", "2017-03-01"]);
        let tag = "([a-zA-Zé _-]|\\PC){1,6}";
        ((day, 0..24u8, 0..60u8, offset), prop::collection::vec(tag, 0..4))
            .prop_map(|((day, h, m, offset), tags)| (format!("{day}T{h:02}:{m:02}:00{offset}"), tags))
    }

    fn content(posts: &[(String, Vec<String>)]) -> Content {
        let config = Config::parse("timezone = \"America/St_Johns\"\n", std::path::Path::new("site.toml"))
            .unwrap_or_else(|problems| panic!("{problems:?}"));
        let sources = Sources {
            posts: posts
                .iter()
                .enumerate()
                .map(|(i, (date, tags))| {
                    let tags =
                        tags.iter().map(|t| crate::scaffold::yaml_string(t)).collect::<Vec<_>>().join(", ");
                    let text = format!("---\ntitle: Post {i}\ndate: {date}\ntags: [{tags}]\n---\nDay {i}.\n");
                    Source::new(ContentPath::new(format!("trip/post-{i}.md")), text)
                })
                .collect(),
            ..Sources::default()
        };
        let options = crate::parse::ParseOptions { drafts: false };
        crate::parse::content(&sources, &config, options, &Default::default(), &Default::default())
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_timeline_holds_every_post_once_on_its_local_day(posts in prop::collection::vec(post(), 0..12)) {
            let content = content(&posts);
            let index = build(&content);
            let mut seen = vec![0; content.posts.len()];
            for year in &index.timeline {
                for month in &year.months {
                    prop_assert_eq!((month.first.year(), month.first.day()), (year.year, 1));
                    for day in &month.days {
                        prop_assert_eq!(day.date.first_of_month(), month.first);
                        for id in &day.posts {
                            seen[id.0] += 1;
                            prop_assert_eq!(content.posts[id.0].date.local().date(), day.date);
                        }
                    }
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1), "{:?}", seen);
        }

        #[test]
        fn distinct_tags_never_share_a_page(posts in prop::collection::vec(post(), 1..8)) {
            let content = content(&posts);
            let index = build(&content);
            let urls: HashSet<&str> = index.tags.iter().map(|t| t.url.as_str()).collect();
            prop_assert_eq!(urls.len(), index.tags.len());
            let keys: HashSet<&str> = index.tags.iter().map(|t| t.key.as_str()).collect();
            prop_assert_eq!(keys.len(), index.tags.len());
        }
    }
}

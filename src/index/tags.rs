//! Tags: front-matter tags and hashtags merged without regard to case or
//! Unicode normalisation, each shown in its most used spelling (ties: the
//! first seen), each with a slug of its own. Two tags whose slugs would clash get distinct ones, and a warning.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::PostId;
use crate::error::Problem;
use crate::hashtag;
use crate::parse::Post;
use crate::slug::Slug;
use crate::url::UrlPath;

/// An index into `SiteIndex::tags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TagId(pub(crate) usize);

#[derive(Debug, Clone)]
pub(crate) struct Tag {
    /// What tags are matched by: the name composed and case-folded (`hashtag::key`).
    pub(crate) key: String,
    /// The most used spelling.
    pub(crate) name: String,
    pub(crate) slug: Slug,
    /// `tags/<slug>/`.
    pub(crate) url: UrlPath,
    /// Newest first.
    pub(crate) posts: Vec<PostId>,
}

pub(super) struct Tags {
    /// Most used first, then by key.
    pub(super) tags: Vec<Tag>,
    pub(super) by_key: HashMap<String, TagId>,
    /// For each post, its tags in the order it first mentions them.
    pub(super) of_post: Vec<Vec<TagId>>,
    pub(super) warnings: Vec<Problem>,
}

struct Gathered<'a> {
    /// Spelling → (uses, order first seen).
    spellings: HashMap<&'a str, (usize, usize)>,
    posts: Vec<PostId>,
}

/// The tags of one post that get pages. Each tag page (and its feed) shows
/// the post, so the output grows with the square of a post's tags.
const MOST_TAGS_A_POST: usize = 100;

/// `oldest_first` decides which spelling was seen first; `newest_first` the
/// order of each tag's posts.
pub(super) fn build(posts: &[Post], oldest_first: &[PostId]) -> Tags {
    let mut gathered: BTreeMap<String, Gathered<'_>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut seen = 0;
    let mut post_keys: Vec<Vec<String>> = vec![Vec::new(); posts.len()];
    for &id in oldest_first {
        // A set beside the list: a caption may hold thousands of tags.
        let mut keys_of_post = HashSet::new();
        for name in &posts[id.0].tags {
            let key = hashtag::key(name);
            if keys_of_post.len() == MOST_TAGS_A_POST && !keys_of_post.contains(&key) {
                let distinct = posts[id.0].tags.iter().map(|t| hashtag::key(t)).collect::<HashSet<_>>().len();
                warnings.push(
                    Problem::in_file(
                        posts[id.0].source.shown(),
                        format!(
                            "this post has {distinct} different tags: only its first {MOST_TAGS_A_POST} get tag pages, the rest stay plain text"
                        ),
                    )
                    .hint("every tag page shows the post, so thousands of tags would make the site thousands of times its size; keep to a few dozen (Instagram allows 30)"),
                );
                break;
            }
            let entry = gathered
                .entry(key.clone())
                .or_insert_with(|| Gathered { spellings: HashMap::new(), posts: Vec::new() });
            let spelling = entry.spellings.entry(name.as_str()).or_insert((0, seen));
            spelling.0 += 1;
            seen += 1;
            if keys_of_post.insert(key.clone()) {
                post_keys[id.0].push(key);
                entry.posts.push(id);
            }
        }
    }

    let slugs = distinct_slugs(&gathered, posts, &mut warnings);
    let mut tags: Vec<Tag> = gathered
        .into_iter()
        .map(|(key, g)| {
            let name = g
                .spellings
                .iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
                .map(|(spelling, _)| spelling.to_string())
                .unwrap_or_else(|| key.clone());
            let slug = slugs[&key].clone();
            let mut posts = g.posts;
            posts.reverse();
            Tag { url: UrlPath::page(["tags", slug.as_str()]), key, name, slug, posts }
        })
        .collect();
    tags.sort_by(|a, b| b.posts.len().cmp(&a.posts.len()).then_with(|| a.key.cmp(&b.key)));

    let by_key: HashMap<String, TagId> =
        tags.iter().enumerate().map(|(i, t)| (t.key.clone(), TagId(i))).collect();
    let of_post = post_keys.into_iter().map(|keys| keys.iter().map(|k| by_key[k]).collect()).collect();
    Tags { tags, by_key, of_post, warnings }
}

/// A slug for every tag key; keys whose slugs clash get `-2`, `-3` … in key
/// order, with a warning naming both tags.
fn distinct_slugs(
    gathered: &BTreeMap<String, Gathered<'_>>,
    posts: &[Post],
    warnings: &mut Vec<Problem>,
) -> HashMap<String, Slug> {
    let mut by_slug: BTreeMap<Slug, Vec<&str>> = BTreeMap::new();
    for key in gathered.keys() {
        let slug = Slug::of_tag(key).unwrap_or_else(|| Slug::fixed("tag"));
        by_slug.entry(slug).or_default().push(key);
    }
    let taken: HashSet<Slug> = by_slug.keys().cloned().collect();
    let mut numbered: HashSet<Slug> = HashSet::new();
    let mut slugs = HashMap::new();
    for (slug, keys) in &by_slug {
        slugs.insert(keys[0].to_string(), slug.clone());
        let mut n = 2;
        for key in &keys[1..] {
            let mut other = slug.numbered(n);
            while taken.contains(&other) || numbered.contains(&other) {
                n += 1;
                other = slug.numbered(n);
            }
            n += 1;
            let first_post =
                gathered[*key].posts.first().map(|id| posts[id.0].source.shown().display().to_string());
            warnings.push(
                Problem::new(format!(
                    "the tags `{}` and `{key}` would share the page /tags/{slug}/, so `{key}` is at /tags/{other}/{}",
                    keys[0],
                    first_post.map(|p| format!(" (first used in {p})")).unwrap_or_default()
                ))
                .hint("if they are the same tag, spell them the same way"),
            );
            numbered.insert(other.clone());
            slugs.insert(key.to_string(), other);
        }
    }
    slugs
}

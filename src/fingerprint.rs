//! Fingerprints of what a build's files were made from, and their text form
//! for the build record. A leaf: it knows hashes and numbers, not posts; which
//! of a post's fields go into which fingerprint is decided in `previous`.

use std::hash::{Hash, Hasher};

/// A fingerprint of `value`. XXH3: SipHash over every post's body was 2% of a
/// build. The record keeps fingerprints only for the binary that made them.
pub(crate) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What one post contributes to the site, in three parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PostPrint {
    /// What decides which files the site has and in what order: its date,
    /// tags, trip, photos and the files its body links to.
    pub(crate) place: u64,
    /// What the lists that show it show: its card (title, summary, captions).
    pub(crate) card: u64,
    /// What only its own page and its feed entries show.
    pub(crate) body: u64,
}

/// Fingerprints of a whole site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prints {
    /// Everything but the posts: settings, templates, pages, trips, tags,
    /// assets, photos, and which posts there are, in content order.
    pub(crate) structure: u64,
    /// Each post's, in content order (a post's index is its `PostId`).
    pub(crate) posts: Vec<PostPrint>,
}

/// How `now` differs from `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Difference {
    /// Something besides post bodies changed.
    Beyond,
    /// Only these posts (indices, ascending; maybe none): whose `card`
    /// changed (their body may have too), and whose `body` alone did.
    Posts { cards: Vec<usize>, bodies: Vec<usize> },
}

impl Prints {
    pub(crate) fn since(&self, before: &Prints) -> Difference {
        if before.structure != self.structure || before.posts.len() != self.posts.len() {
            return Difference::Beyond;
        }
        let (mut cards, mut bodies) = (Vec::new(), Vec::new());
        for (i, (now, then)) in self.posts.iter().zip(&before.posts).enumerate() {
            if now.place != then.place {
                return Difference::Beyond;
            }
            if now.card != then.card {
                cards.push(i);
            } else if now.body != then.body {
                bodies.push(i);
            }
        }
        Difference::Posts { cards, bodies }
    }

    /// As lines of text, for the build record.
    pub(crate) fn to_lines(&self) -> String {
        let mut text = format!("structure\t{}\n", self.structure);
        for post in &self.posts {
            text.push_str(&format!("post\t{}\t{}\t{}\n", post.place, post.card, post.body));
        }
        text
    }

    /// Reads what `to_lines` wrote (lines of other kinds are skipped).
    pub(crate) fn from_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Prints> {
        let mut structure = None;
        let mut posts = Vec::new();
        for line in lines {
            let mut parts = line.split('\t');
            match parts.next() {
                Some("structure") => structure = Some(parts.next()?.parse().ok()?),
                Some("post") => {
                    let place = parts.next()?.parse().ok()?;
                    let card = parts.next()?.parse().ok()?;
                    let body = parts.next()?.parse().ok()?;
                    posts.push(PostPrint { place, card, body });
                }
                _ => {}
            }
        }
        Some(Prints { structure: structure?, posts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prints(structure: u64, posts: &[(u64, u64, u64)]) -> Prints {
        let posts = posts.iter().map(|&(place, card, body)| PostPrint { place, card, body }).collect();
        Prints { structure, posts }
    }

    fn posts(cards: &[usize], bodies: &[usize]) -> Difference {
        Difference::Posts { cards: cards.to_vec(), bodies: bodies.to_vec() }
    }

    #[test]
    fn posts_differ_by_body_or_card_or_more() {
        let before = prints(1, &[(1, 1, 1), (2, 2, 2), (3, 3, 3)]);
        assert_eq!(before.since(&before), posts(&[], &[]));
        assert_eq!(prints(1, &[(1, 1, 1), (2, 2, 9), (3, 3, 3)]).since(&before), posts(&[], &[1]));
        assert_eq!(prints(1, &[(1, 9, 1), (2, 2, 9), (3, 9, 9)]).since(&before), posts(&[0, 2], &[1]));
        assert_eq!(prints(1, &[(1, 1, 1), (9, 2, 2), (3, 3, 3)]).since(&before), Difference::Beyond);
        assert_eq!(prints(2, &[(1, 1, 1), (2, 2, 2), (3, 3, 3)]).since(&before), Difference::Beyond);
        assert_eq!(prints(1, &[(1, 1, 1), (2, 2, 2)]).since(&before), Difference::Beyond);
    }

    #[test]
    fn lines_read_back_as_written() {
        let written = prints(u64::MAX, &[(0, 7, 3), (u64::MAX, 1, 0)]);
        let text = written.to_lines();
        assert_eq!(Prints::from_lines(text.lines().chain(["file\tx\t1"])), Some(written));
        assert_eq!(Prints::from_lines(["post\t1\t2"].into_iter()), None);
    }
}

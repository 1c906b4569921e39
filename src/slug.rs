//! Slugs: the URL-safe names of posts, trips and tags.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use crate::hashtag;

/// Lower-cases `text` and joins its runs of letters, marks and digits (of any
/// script) with single dashes: "Race Day!" → "race-day", "Café 東京" →
/// "café-東京", "हिन्दी" stays whole. Letters outside ASCII are kept, since
/// every current host serves them and links to them are percent-encoded by
/// the browser.
pub(crate) fn slugify(text: &str) -> String {
    // A mark belongs to the letter before it: one after a dropped emoji (its
    // variation selector) goes with it.
    let mut after_word = false;
    joined(text, |c| {
        let mark = c.general_category_group() == GeneralCategoryGroup::Mark;
        let keep =
            c.is_alphanumeric() || c == '_' || ((mark || matches!(c, '\u{200c}' | '\u{200d}')) && after_word);
        after_word = keep;
        keep
    })
    .to_lowercase()
}

/// `text` (composed, NFC) with each run of characters that `keep` refuses
/// turned into one dash, none at either end.
fn joined(text: &str, mut keep: impl FnMut(char) -> bool) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.nfc() {
        if keep(c) {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}

/// A slug, made by `slugify`: what a tag's page is named by (`tags/<slug>/`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Slug(String);

impl Slug {
    /// The slug of a tag's key (`hashtag::key`): every character a hashtag may
    /// hold is kept, so two hashtags never share a slug; `None` when it has
    /// no such characters.
    pub(crate) fn of_tag(key: &str) -> Option<Slug> {
        Some(Slug(joined(key, hashtag::is_tag_char))).filter(|slug| !slug.0.is_empty())
    }

    /// A slug used as it is written, such as a fallback name.
    pub(crate) fn fixed(name: &'static str) -> Slug {
        Slug(name.to_string())
    }

    /// The `n`th of several things that would share this slug: `race-2`.
    pub(crate) fn numbered(&self, n: usize) -> Slug {
        Slug(format!("{}-{n}", self.0))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn joins_words_with_single_dashes() {
        assert_eq!(slugify("Race Day!"), "race-day");
        assert_eq!(slugify("  --Day 1: Arrival -- "), "day-1-arrival");
        assert_eq!(slugify("snake_case"), "snake_case");
    }

    #[test]
    fn keeps_letters_of_any_script() {
        assert_eq!(slugify("Café in 東京"), "café-in-東京");
        assert_eq!(slugify("평양 마라톤"), "평양-마라톤");
    }

    #[test]
    fn marks_and_joiners_stay_in_words() {
        assert_eq!(slugify("हिन्दी दिवस"), "हिन्दी-दिवस");
        assert_eq!(slugify("ශ්‍රී ලංකා"), "ශ්‍රී-ලංකා");
        assert_eq!(slugify("cafe\u{301}"), "café");
        assert_eq!(slugify("Sydney ☀️ café"), "sydney-café");
    }

    #[test]
    fn tag_slugs_keep_every_hashtag_character() {
        use super::Slug;
        let slug = |key: &str| Slug::of_tag(key).map(|s| s.to_string());
        assert_eq!(slug("il·lusió").as_deref(), Some("il·lusió"));
        assert_eq!(slug("メ～テレ").as_deref(), Some("メ～テレ"));
        assert_eq!(slug("new york").as_deref(), Some("new-york"));
        assert_ne!(slug("می‌خواهم"), slug("میخواهم"));
        assert_eq!(slug("!!!"), None);
    }

    #[test]
    fn nothing_left_is_empty() {
        assert_eq!(slugify("!!!"), "");
    }
}

/// Any two tags: distinct keys never share a slug, so two tags never share a page.
#[cfg(test)]
mod any_two_tags {
    use proptest::prelude::*;

    use super::*;

    /// Names as hashtags and front matter write them: tag characters of many
    /// scripts, with the odd space, dash or sign between.
    const NAME: &str = "([a-zA-Z0-9_éÉßẞİıσςΣ\u{301}\u{200d}\u{200c}東京한국ह्िー・·'’ -]|\\PC){1,8}";

    proptest! {
        #[test]
        fn distinct_hashtag_keys_have_distinct_slugs(a in NAME, b in NAME) {
            let tag = |name: &str| -> String { name.chars().filter(|c| hashtag::is_tag_char(*c)).collect() };
            let (a, b) = (tag(&a), tag(&b));
            let (key_a, key_b) = (hashtag::key(&a), hashtag::key(&b));
            if key_a != key_b
                && let (Some(slug_a), Some(slug_b)) = (Slug::of_tag(&key_a), Slug::of_tag(&key_b))
            {
                prop_assert_ne!(slug_a, slug_b, "{} and {}", a, b);
            }
        }
    }
}

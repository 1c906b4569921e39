//! How a text is cut into the terms the search index holds. The default
//! theme's search.js cuts a query the same way: a change here is a change
//! there.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// The longest word indexed, in characters: longer runs (hashes, the
/// remains of an address) are nobody's query and would only bloat shards.
pub(crate) const LONGEST: usize = 40;

/// How a run of a script is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Words between spaces and punctuation: the word itself.
    Word,
    /// Korean: words between spaces with particles and endings glued on
    /// (`서울에`): the word and its prefixes of two syllables or more.
    Hangul,
    /// Chinese, Japanese and Thai: no spaces between words, so every
    /// character and every pair of neighbours.
    Cjk,
}

/// The script class of `c`. The same ranges are in the theme's search.js.
fn kind(c: char) -> Kind {
    match c as u32 {
        0x0E00..=0x0E7F // Thai
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF // Han
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x20000..=0x3134F => Kind::Cjk,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Kind::Hangul,
        _ => Kind::Word,
    }
}

fn is_word_char(c: char) -> bool {
    // Most text is ASCII, and the category table is a search per character.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark | GeneralCategoryGroup::Number
    )
}

/// Lowercase, with the accents of Latin, Greek and Cyrillic letters taken
/// off (`Zürich` is `zurich`, `café` is `cafe`). Only the combining marks
/// of U+0300–U+036F go: the vowel signs of Devanagari and the like are
/// letters of their words and stay.
pub(crate) fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.to_lowercase().nfd().filter(|c| !('\u{300}'..='\u{36F}').contains(c)).nfc().collect()
}

/// Calls `term` with every term of `text`, in order, repeats included.
pub(crate) fn terms(text: &str, mut term: impl FnMut(&str)) {
    let mut ascii = String::new();
    for run in text.split(|c: char| !is_word_char(c)).filter(|run| !run.is_empty()) {
        if run.is_ascii() {
            // An ASCII run is one word: lowercased in a buffer kept from run to run.
            if run.len() <= LONGEST {
                ascii.clear();
                ascii.push_str(run);
                ascii.make_ascii_lowercase();
                term(&ascii);
            }
            continue;
        }
        let folded = fold(run);
        let mut start = 0;
        let mut current: Option<Kind> = None;
        for (at, c) in folded.char_indices() {
            let k = kind(c);
            // A mark belongs to the letter before it, whatever its block.
            let k = match current {
                Some(was) if c.general_category_group() == GeneralCategoryGroup::Mark => was,
                _ => k,
            };
            if let Some(was) = current.filter(|&was| was != k) {
                segment(&folded[start..at], was, &mut term);
                start = at;
            }
            current = Some(k);
        }
        if let Some(k) = current {
            segment(&folded[start..], k, &mut term);
        }
    }
}

fn segment(seg: &str, kind: Kind, term: &mut impl FnMut(&str)) {
    match kind {
        Kind::Word => {
            if seg.chars().count() <= LONGEST {
                term(seg);
            }
        }
        Kind::Hangul => {
            let ends: Vec<usize> = seg.char_indices().map(|(at, c)| at + c.len_utf8()).collect();
            if ends.len() > LONGEST {
                return;
            }
            for &end in ends.iter().skip(1).take(ends.len().saturating_sub(2)) {
                term(&seg[..end]);
            }
            term(seg);
        }
        Kind::Cjk => {
            let at: Vec<(usize, char)> = seg.char_indices().collect();
            for (i, &(from, c)) in at.iter().enumerate() {
                term(&seg[from..from + c.len_utf8()]);
                if let Some(&(next, d)) = at.get(i + 1) {
                    term(&seg[from..next + d.len_utf8()]);
                }
            }
        }
    }
}

/// Orders terms as JavaScript compares strings (by UTF-16 code units), so
/// the script's binary search over shard boundaries agrees with the index.
pub(crate) fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    // In UTF-16, characters past U+FFFF (surrogates, 0xD800..) sort before U+E000..U+FFFF.
    fn key(c: char) -> u32 {
        match c as u32 {
            n @ 0xE000..=0xFFFF => n + 0x11_0000,
            n => n,
        }
    }
    a.chars().map(key).cmp(b.chars().map(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn latin_words_are_lowercased_and_lose_their_accents() {
        assert_eq!(all("Crème brûlée in ZÜRICH, café!"), ["creme", "brulee", "in", "zurich", "cafe"]);
        assert_eq!(all("don't 3.5km #trams"), ["don", "t", "3", "5km", "trams"]);
        assert_eq!(all("Ελληνικά Σοφία"), ["ελληνικα", "σοφια"]);
    }

    #[test]
    fn devanagari_keeps_its_vowel_signs() {
        assert_eq!(all("दिल्ली में कोहरा"), ["दिल्ली", "में", "कोहरा"]);
    }

    #[test]
    fn korean_words_give_their_prefixes() {
        assert_eq!(all("서울에 도착"), ["서울", "서울에", "도착"]);
    }

    #[test]
    fn chinese_and_japanese_give_characters_and_pairs() {
        assert_eq!(all("東京の朝"), ["東", "東京", "京", "京の", "の", "の朝", "朝"]);
        // Latin letters beside Han are a word of their own.
        assert_eq!(all("iPhone買う"), ["iphone", "買", "買う", "う"]);
    }

    #[test]
    fn odd_input_gives_no_terms_and_no_panic() {
        assert!(all("").is_empty());
        assert!(all("  ,;— \u{200B}\u{FEFF}").is_empty());
        assert!(all(&"a".repeat(LONGEST + 1)).is_empty());
        assert_eq!(all("\u{301}x"), ["x"]);
        assert_eq!(all("a\u{E000}b 𝒳"), ["a", "b", "𝒳"]);
    }

    #[test]
    fn the_order_is_javascripts() {
        let mut terms = vec!["\u{FF21}", "𝒳", "b", "a"];
        terms.sort_by(|a, b| js_order(a, b));
        assert_eq!(terms, ["a", "b", "𝒳", "\u{FF21}"]);
    }

    proptest::proptest! {
        /// Any text is cut without a panic, into terms that are not empty
        /// and that cut again give themselves back (the query's way).
        #[test]
        fn any_text_is_cut_into_stable_terms(text in "\\PC{0,80}") {
            terms(&text, |t| {
                assert!(!t.is_empty());
                // A mark of another script glued to a Thai or Chinese letter
                // (`กᤰぁ`) starts a pair, which alone reads as two words;
                // a query holding it finds it as those two all the same.
                if t.chars().next().is_some_and(|c| !c.is_ascii() && c.general_category_group() == GeneralCategoryGroup::Mark) {
                    return;
                }
                let mut again = Vec::new();
                terms(t, |u| again.push(u.to_string()));
                assert!(again.iter().any(|u| u == t), "{t:?} cut again is {again:?}");
            });
        }
    }
}

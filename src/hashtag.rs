//! Finding #hashtags and @mentions in a run of text. The characters of a tag
//! follow twitter-text, the extractor every major client is tested against
//! (letters, marks, digits, `_` and the joiners and script punctuation it
//! admits), with the SPEC's rules where Instagram differs: a `#` right after a
//! hashtag starts the next one. Which runs of text count (not code, not link
//! targets, not raw HTML) is for the Markdown walker to decide.

use std::ops::Range;

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// What a found tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Hashtag,
    Mention,
}

/// A hashtag or mention: where it is in the text, sign included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) range: Range<usize>,
    pub(crate) kind: Kind,
}

/// Characters besides letters, marks and digits that twitter-text keeps
/// inside a hashtag: joiners (Persian, Sinhala), Hebrew maqaf, geresh and
/// gershayim, Japanese wave dashes, sound marks and iteration marks, Tibetan
/// tsheg, the Catalan middle dot.
const JOINING: &[char] = &[
    '_', '\u{200c}', '\u{200d}', '\u{a67e}', '\u{05be}', '\u{05f3}', '\u{05f4}', '\u{ff5e}', '\u{301c}',
    '\u{309b}', '\u{309c}', '\u{30a0}', '\u{30fb}', '\u{3003}', '\u{0f0b}', '\u{0f0c}', '\u{00b7}',
];

/// A character a hashtag may hold.
pub(crate) fn is_tag_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    match c.general_category_group() {
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark => true,
        GeneralCategoryGroup::Number => {
            c.general_category() == unicode_properties::GeneralCategory::DecimalNumber
        }
        _ => JOINING.contains(&c),
    }
}

fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    c.general_category_group() == GeneralCategoryGroup::Letter
}

/// Variation selectors end an emoji, not a word: `✌️#tag` is a hashtag.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{fe0e}' | '\u{fe0f}')
}

/// Latin letters beyond ASCII (and combining accents): a user name is ASCII,
/// so `@alice` glued to one (`@aliceìnheiro`, `josé@mail.com`) is a word or an
/// address, not a mention.
fn is_latin_accented(c: char) -> bool {
    matches!(c, '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{24f}'
        | '\u{250}'..='\u{2af}' | '\u{300}'..='\u{36f}' | '\u{1e00}'..='\u{1eff}')
}

fn is_user_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Instagram's limit on a user name.
const MAX_USER_NAME: usize = 30;

/// The hashtags and mentions of `text`, in order. `before` is the character
/// just before `text` (from the previous run of the same paragraph), if any.
pub(crate) fn find(text: &str, before: Option<char>) -> Vec<Found> {
    find_signed(text, before, &[])
}

/// Like `find`, where the signs at the byte offsets `literal` (written as
/// `\#` or `&#35;` in Markdown; in increasing order) are only characters.
pub(crate) fn find_signed(text: &str, before: Option<char>, literal: &[usize]) -> Vec<Found> {
    let mut found = Vec::new();
    let urls = url_spans(text);
    let mut urls = urls.iter().peekable();
    // The end of the last hashtag: a `#` right there starts a glued one.
    let mut glued_at = None;
    let bytes = text.as_bytes();
    // Most text has no sign: jump from one to the next. `＃` and `＠` start
    // with the byte 0xEF.
    let mut from = 0;
    while let Some(offset) = memchr::memchr3(b'#', b'@', 0xef, &bytes[from..]) {
        let at = from + offset;
        let Some((kind, sign_len)) = sign_at(&text[at..]) else {
            from = at + 1;
            continue;
        };
        from = at + sign_len;
        // Signs are met in order, and the links are in order: the first
        // link that does not end before this sign is the only one to ask.
        while urls.peek().is_some_and(|url| url.end <= at) {
            urls.next();
        }
        if literal.binary_search(&at).is_ok() || urls.peek().is_some_and(|url| url.contains(&at)) {
            continue;
        }
        let prev = if at == 0 { before } else { text[..at].chars().next_back() };
        let end = match kind {
            Kind::Hashtag => hashtag_end(text, at, sign_len, prev, glued_at == Some(at)),
            Kind::Mention => mention_end(text, at, sign_len, prev),
        };
        if let Some(end) = end {
            found.push(Found { range: at..end, kind });
            if kind == Kind::Hashtag {
                glued_at = Some(end);
            }
            from = end;
        }
    }
    found
}

fn sign_at(text: &str) -> Option<(Kind, usize)> {
    match text.chars().next()? {
        '#' => Some((Kind::Hashtag, 1)),
        '＃' => Some((Kind::Hashtag, '＃'.len_utf8())),
        '@' => Some((Kind::Mention, 1)),
        '＠' => Some((Kind::Mention, '＠'.len_utf8())),
        _ => None,
    }
}

/// The end of the hashtag whose sign is at `at`, if one starts there.
fn hashtag_end(text: &str, at: usize, sign_len: usize, prev: Option<char>, glued: bool) -> Option<usize> {
    let blocked = prev.is_some_and(|p| (is_tag_char(p) && !is_variation_selector(p)) || p == '&' || p == '/');
    if blocked && !glued {
        return None;
    }
    let start = at + sign_len;
    let rest = &text[start..];
    // `#️⃣` is the keycap emoji.
    if rest.starts_with(['\u{fe0f}', '\u{20e3}']) {
        return None;
    }
    let len = rest.find(|c: char| !is_tag_char(c)).unwrap_or(rest.len());
    let name = &rest[..len];
    // `#http://…` is a link written after a `#`.
    if !name.chars().any(is_letter) || rest[len..].starts_with("://") {
        return None;
    }
    Some(start + len)
}

/// The end of the mention whose sign is at `at`, if one starts there.
fn mention_end(text: &str, at: usize, sign_len: usize, prev: Option<char>) -> Option<usize> {
    let blocked =
        prev.is_some_and(|p| p.is_ascii_alphanumeric() || "_.!#$%&*@＠/".contains(p) || is_latin_accented(p));
    if blocked {
        return None;
    }
    let start = at + sign_len;
    let rest = &text[start..];
    if !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let run = rest.find(|c: char| !is_user_name_char(c)).unwrap_or(rest.len());
    let after = &rest[run..];
    // `@a@b.org` and `@aliceìnheiro` are not user names, nor `@http://…`.
    if after.starts_with(['@', '＠']) || after.starts_with(is_latin_accented) || after.starts_with("://") {
        return None;
    }
    // A full stop after a name ends the sentence: `thanks @ana.`
    let name = rest[..run].trim_end_matches('.');
    (name.len() <= MAX_USER_NAME).then_some(start + name.len())
}

/// The byte ranges of the links written out in `text` (`https://…` up to the
/// next space), in order and apart: nothing inside one is a tag.
fn url_spans(text: &str) -> Vec<Range<usize>> {
    let is_scheme_char = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
    let mut spans: Vec<Range<usize>> = Vec::new();
    for colon in memchr::memmem::find_iter(text.as_bytes(), "://") {
        // A `://` inside the last link is part of it: skipping it keeps a
        // word of many (`a://a://…`) from being scanned to its end for each.
        if spans.last().is_some_and(|last| colon < last.end) {
            continue;
        }
        // Scheme characters are ASCII: the one before them ends where they start.
        let scheme = colon - text[..colon].bytes().rev().take_while(|&b| is_scheme_char(b as char)).count();
        let Some(letter) = text[scheme..colon].find(|c: char| c.is_ascii_alphabetic()) else { continue };
        let end = text[colon..]
            .find(|c: char| c.is_whitespace() || "<>\"".contains(c))
            .map_or(text.len(), |len| colon + len);
        spans.push(scheme + letter..end);
    }
    spans
}

/// The tag or user name `found` stands for: its text without the sign, in
/// Unicode's composed form (NFC), so `#café` is one tag however it was typed.
pub(crate) fn name(text: &str, found: &Found) -> String {
    let sign_len = sign_at(&text[found.range.start..]).map_or(1, |(_, len)| len);
    text[found.range.start + sign_len..found.range.end].nfc().collect()
}

/// The key tags are matched by: composed (NFC) and case-folded, so
/// `#NorthKorea` = `northkorea` and `#Straße` = `#STRASSE`.
pub(crate) fn key(tag: &str) -> String {
    tag.trim().nfc().default_case_fold().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Vec<String> {
        find(text, None).iter().filter(|f| f.kind == Kind::Hashtag).map(|f| name(text, f)).collect()
    }

    fn mentions(text: &str) -> Vec<String> {
        find(text, None).iter().filter(|f| f.kind == Kind::Mention).map(|f| name(text, f)).collect()
    }

    #[test]
    fn plain_tags_in_a_sentence() {
        assert_eq!(
            tags("Ran #pyongyang today with #marathon_2017 friends"),
            vec!["pyongyang", "marathon_2017"]
        );
        assert_eq!(tags("#start of a line"), vec!["start"]);
    }

    #[test]
    fn glued_tags_split_as_instagram_does() {
        assert_eq!(tags("#onceinalifetime#run"), vec!["onceinalifetime", "run"]);
        assert_eq!(tags("#a#b#c"), vec!["a", "b", "c"]);
        assert_eq!(tags("#東京＃大阪"), vec!["東京", "大阪"]);
    }

    #[test]
    fn tags_in_any_script() {
        assert_eq!(tags("서울에서 #평양 까지"), vec!["평양"]);
        assert_eq!(tags("un #café au lait"), vec!["café"]);
        assert_eq!(tags("#東京 #Αθήνα #москва"), vec!["東京", "Αθήνα", "москва"]);
    }

    #[test]
    fn combining_marks_stay_in_the_tag() {
        assert_eq!(tags("#हिन्दी"), vec!["हिन्दी"]);
        assert_eq!(tags("#ผู้เริ่ม"), vec!["ผู้เริ่ม"]);
        assert_eq!(tags("#தமிழ்"), vec!["தமிழ்"]);
        assert_eq!(tags("#महात्मा #महात्मा_१२३४"), vec!["महात्मा", "महात्मा_१२३४"]);
        assert_ne!(key("महात्मा"), key("महात्मा_१२३४"));
        assert_eq!(tags("#មហាត្មះគន្ធី #မြင့်မြတ်သော"), vec!["មហាត្មះគន្ធី", "မြင့်မြတ်သော"]);
    }

    #[test]
    fn joiners_and_script_punctuation_stay_in_the_tag() {
        assert_eq!(tags("#می‌خواهم"), vec!["می‌خواهم"]);
        assert_eq!(tags("#ශ්‍රීලංකා"), vec!["ශ්‍රීලංකා"]);
        assert_eq!(tags("#עַל־יְדֵי #וכו׳ #מ״כ"), vec!["עַל־יְדֵי", "וכו׳", "מ״כ"]);
        assert_eq!(tags("#il·lusió"), vec!["il·lusió"]);
        assert_eq!(tags("#各〃 #メ～テレ #メ〜テレ"), vec!["各〃", "メ～テレ", "メ〜テレ"]);
        assert_eq!(tags("#བོད་སྐད་ ok"), vec!["བོད་སྐད་"]);
    }

    #[test]
    fn full_width_hash_signs() {
        assert_eq!(tags("できましたよー！＃日本語ハッシュタグ。"), vec!["日本語ハッシュタグ"]);
        assert_eq!(tags("＃ｈａｓｈｔａｇ１２３"), vec!["ｈａｓｈｔａｇ１２３"]);
    }

    #[test]
    fn underscores_anywhere_are_kept() {
        assert_eq!(tags("#tag_ #_tag #end__"), vec!["tag_", "_tag", "end__"]);
        assert!(tags("#_ #__ #1_2").is_empty());
    }

    #[test]
    fn numbers_alone_are_not_tags() {
        assert_eq!(tags("#2017 was the year, #1 fan, #2017marathon"), vec!["2017marathon"]);
        assert!(tags("#१२३४ #〃").is_empty());
    }

    #[test]
    fn a_word_character_ampersand_or_slash_before_the_hash_blocks_it() {
        assert!(tags("café#x word#tag &#39; a/#b 日本語#日本 हि#x").is_empty());
        assert_eq!(tags("(#paren) \"#quoted\""), vec!["paren", "quoted"]);
    }

    #[test]
    fn an_emoji_before_the_hash_does_not_block_it() {
        assert_eq!(tags("a ✌️#one ✌🏿#two 👨‍👩‍👧#three"), vec!["one", "two", "three"]);
    }

    #[test]
    fn keycaps_and_links_are_not_tags() {
        assert!(tags("#️⃣ #\u{20e3}x").is_empty());
        assert!(tags("#http://twitter.com #https://x.org/a").is_empty());
        assert!(tags("see https://x.org/?q=1&a=#frag or http://x.org/#b").is_empty());
        assert_eq!(tags("https://x.org/a #after"), vec!["after"]);
        assert_eq!(tags("東京://x #after"), vec!["after"]);
    }

    #[test]
    fn the_character_before_the_run_counts() {
        assert!(find("#tag", Some('a')).is_empty());
        assert_eq!(find("#tag", Some(' ')).len(), 1);
        assert_eq!(find("#tag", Some('*')).len(), 1);
        assert!(find("@ana", Some('x')).is_empty());
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_the_tag() {
        assert_eq!(
            tags("#run! #run. #run, #run? #run: #日本語。"),
            vec!["run", "run", "run", "run", "run", "日本語"]
        );
    }

    #[test]
    fn lone_and_double_hashes() {
        assert!(tags("# ## #").is_empty());
        assert!(tags("#").is_empty());
        assert!(tags("#!").is_empty());
        assert!(tags("＃").is_empty());
        assert_eq!(tags("##twice"), vec!["twice"]);
    }

    #[test]
    fn names_are_composed() {
        let decomposed = "#cafe\u{301}";
        assert_eq!(tags(decomposed), vec!["café"]);
        assert_eq!(key("cafe\u{301}"), key("café"));
    }

    #[test]
    fn keys_are_case_folded() {
        assert_eq!(key("NorthKorea"), key("northkorea"));
        assert_eq!(key("Café"), "café");
        assert_eq!(key("Straße"), key("STRASSE"));
        assert_eq!(key("ΣΊΣΥΦΟΣ"), key("σίσυφος"));
        assert_ne!(key("İn"), key("ın"));
    }

    #[test]
    fn mentions_are_instagram_user_names() {
        assert_eq!(mentions("Thanks @Lululemon and @ana.silva_88!"), vec!["Lululemon", "ana.silva_88"]);
        assert_eq!(mentions("with @ana."), vec!["ana"]);
        assert_eq!(mentions("の@usernameに"), vec!["username"]);
        assert_eq!(mentions("＠tokyo_runner"), vec!["tokyo_runner"]);
    }

    #[test]
    fn addresses_and_links_are_not_mentions() {
        assert!(mentions("write to me@example.com or josé@mail.pt").is_empty());
        assert!(mentions("@a@b.org @http://x.org @aliceìnheiro").is_empty());
        assert!(mentions("https://medium.com/@writer/post").is_empty());
        assert!(mentions("@ @. @-x").is_empty());
        assert!(mentions(&format!("@{}", "a".repeat(31))).is_empty());
        assert_eq!(mentions(&format!("@{}", "a".repeat(30))).len(), 1);
    }

    #[test]
    fn hashtags_and_mentions_together() {
        let text = "#run with @ana #Lisboa";
        let kinds: Vec<_> = find(text, None).iter().map(|f| (f.kind, name(text, f))).collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Hashtag, "run".to_string()),
                (Kind::Mention, "ana".to_string()),
                (Kind::Hashtag, "Lisboa".to_string())
            ]
        );
    }
}

/// Any text at all: the scanner neither panics nor finds a tag that breaks a
/// character or lacks a letter.
#[cfg(test)]
mod any_text {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn finds_whole_tags_in_any_text(text in "(\\PC|[#＃@＠_:/&\u{200c}\u{fe0f}\u{301}])*") {
            for found in find(&text, None) {
                let name = name(&text, &found);
                prop_assert!(text.is_char_boundary(found.range.start) && text.is_char_boundary(found.range.end));
                prop_assert!(found.kind == Kind::Mention || name.chars().any(is_letter), "{name}");
            }
        }
    }
}

/// twitter-text's conformance cases (tests/conformance), run on the scanner
/// as a caption is: plain text.
#[cfg(test)]
mod conformance {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(serde::Deserialize)]
    struct File {
        tests: BTreeMap<String, serde_yaml::Value>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        description: String,
        text: String,
        expected: Vec<Expected>,
    }

    /// A name, or in the `_with_indices` sections a name and where it is,
    /// counted in characters.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Expected {
        Name(String),
        Placed {
            #[serde(alias = "hashtag", alias = "screen_name")]
            name: String,
            indices: [usize; 2],
        },
    }

    const CASES: &str = include_str!("../tests/conformance/twitter-text-extract.yml");
    const DIFFERENCES: &str = include_str!("../tests/conformance/differences.txt");

    /// (section, description) of the cases where the SPEC decides otherwise.
    fn differences() -> Vec<(&'static str, &'static str)> {
        DIFFERENCES
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(|line| {
                let mut parts = line.split(" | ");
                let (Some(section), Some(description), Some(_rule)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    panic!("differences.txt: `{line}` is not `section | description | rule`");
                };
                (section, description)
            })
            .collect()
    }

    fn check(section: &str, kind: Kind) {
        let file: File = serde_yaml::from_str(CASES).expect("the conformance file is YAML");
        let cases: Vec<Case> =
            serde_yaml::from_value(file.tests[section].clone()).expect("cases have text and expected");
        let differences = differences();
        let mut wrong = Vec::new();
        for case in &cases {
            let chars = |bytes: usize| case.text[..bytes].chars().count();
            let got: Vec<Expected> = find(&case.text, None)
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| {
                    let name = case.text[f.range.start..f.range.end].chars().skip(1).collect();
                    match case.expected.first() {
                        Some(Expected::Placed { .. }) => {
                            Expected::Placed { name, indices: [chars(f.range.start), chars(f.range.end)] }
                        }
                        _ => Expected::Name(name),
                    }
                })
                .collect();
            let allowed = differences.contains(&(section, case.description.as_str()));
            match (got == case.expected, allowed) {
                (true, true) => wrong.push(format!("{}: passes, so take it off the list", case.description)),
                (false, false) => wrong.push(format!(
                    "{}: {:?} gave {got:?}, expected {:?}",
                    case.description, case.text, case.expected
                )),
                _ => {}
            }
        }
        assert!(!cases.is_empty());
        assert!(wrong.is_empty(), "{section}:\n{}", wrong.join("\n"));
    }

    #[test]
    fn hashtags() {
        check("hashtags", Kind::Hashtag);
        check("hashtags_from_astral", Kind::Hashtag);
        check("hashtags_with_indices", Kind::Hashtag);
    }

    #[test]
    fn mentions() {
        check("mentions", Kind::Mention);
        check("mentions_with_indices", Kind::Mention);
    }
}

//! Finding #hashtags in a run of text, as the SPEC defines them: `#` then
//! letters, digits or `_` of any script, holding at least one letter, not
//! preceded by a letter, digit, `&` or `/`; a `#` right after a hashtag starts
//! the next one (`#a#b` is two). Which runs of text count (not code, not link
//! targets, not raw HTML) is for the Markdown walker to decide.

use std::ops::Range;

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte ranges of the hashtags in `text`, each including its `#`.
/// `before` is the character just before `text` (from the previous run of the
/// same paragraph), if any.
pub(super) fn find(text: &str, before: Option<char>) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    // The end of the last hashtag: a `#` right there starts a glued one.
    let mut glued_at = None;
    // Most text has no `#`: jump from one to the next.
    let mut from = 0;
    while let Some(offset) = text[from..].find('#') {
        let at = from + offset;
        from = at + 1;
        let prev = if at == 0 { before } else { text[..at].chars().next_back() };
        let blocked = prev.is_some_and(|p| is_tag_char(p) || p == '&' || p == '/');
        if blocked && glued_at != Some(at) {
            continue;
        }
        let start = at + 1;
        let end = text[start..].find(|c: char| !is_tag_char(c)).map_or(text.len(), |len| start + len);
        if text[start..end].chars().any(char::is_alphabetic) {
            found.push(at..end);
            glued_at = Some(end);
        }
        from = from.max(end);
    }
    found
}

/// The tag a hashtag stands for: its text without the `#`.
pub(super) fn name(text: &str, range: &Range<usize>) -> String {
    text[range.start + 1..range.end].to_string()
}

/// The key tags are matched by: case does not matter (`#NorthKorea` = `northkorea`).
pub(crate) fn key(tag: &str) -> String {
    tag.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Vec<&str> {
        find(text, None).into_iter().map(|r| &text[r.start + 1..r.end]).collect()
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
    }

    #[test]
    fn tags_in_any_script() {
        assert_eq!(tags("서울에서 #평양 까지"), vec!["평양"]);
        assert_eq!(tags("un #café au lait"), vec!["café"]);
        assert_eq!(tags("#東京 #Αθήνα #москва"), vec!["東京", "Αθήνα", "москва"]);
    }

    #[test]
    fn numbers_alone_are_not_tags() {
        assert_eq!(tags("#2017 was the year, #1 fan, #2017marathon"), vec!["2017marathon"]);
    }

    #[test]
    fn a_letter_digit_ampersand_or_slash_before_the_hash_blocks_it() {
        assert!(tags("café#x word#tag &#39; a/#b").is_empty());
        assert_eq!(tags("(#paren) \"#quoted\""), vec!["paren", "quoted"]);
    }

    #[test]
    fn the_character_before_the_run_counts() {
        assert!(find("#tag", Some('a')).is_empty());
        assert_eq!(find("#tag", Some(' ')).len(), 1);
        assert_eq!(find("#tag", Some('*')).len(), 1);
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_the_tag() {
        assert_eq!(tags("#run! #run. #run, #run? #run:"), vec!["run", "run", "run", "run", "run"]);
    }

    #[test]
    fn lone_and_double_hashes() {
        assert!(tags("# ## #").is_empty());
        assert!(tags("#").is_empty());
        assert!(tags("#!").is_empty());
        assert_eq!(tags("##twice"), vec!["twice"]);
    }

    #[test]
    fn keys_ignore_case() {
        assert_eq!(key("NorthKorea"), key("northkorea"));
        assert_eq!(key("Café"), "café");
    }
}

//! "Did you mean …?": the nearest known name to a misspelt one, and the line a
//! key stands on, for messages about unknown keys in site.toml and front matter.

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub(crate) fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The 1-based line of the first line of `text` that assigns `key` with
/// `separator` (`:` in YAML, `=` in TOML), after `after` lines.
pub(crate) fn line_of_key(text: &str, key: &str, separator: char, after: usize) -> Option<usize> {
    text.lines().enumerate().skip(after).find_map(|(i, line)| {
        let rest = line.trim_start().trim_start_matches("- ");
        let rest = rest.strip_prefix(key)?;
        let rest = rest.trim_start_matches(['"', '\'']);
        rest.trim_start().starts_with(separator).then_some(i + 1)
    })
}

/// "unknown key `x`", with the nearest known key as a hint.
pub(crate) fn unknown_key_hint(key: &str, known: &[&str]) -> String {
    match nearest(key, known.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("the keys that can go here are: {}", known.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_likely_typo() {
        let keys = ["title", "base_url", "timezone"];
        assert_eq!(nearest("baseurl", keys), Some("base_url"));
        assert_eq!(nearest("titel", keys), Some("title"));
        assert_eq!(nearest("zzzz", keys), None);
    }

    #[test]
    fn finds_the_line_of_a_key() {
        let text = "title = \"x\"\n[photos]\n  widhts = [1]\n";
        assert_eq!(line_of_key(text, "widhts", '=', 0), Some(3));
        assert_eq!(line_of_key(text, "title", '=', 0), Some(1));
        assert_eq!(line_of_key("a: 1\ndate: x\n", "date", ':', 0), Some(2));
        assert_eq!(line_of_key("a: 1\n", "date", ':', 0), None);
    }
}

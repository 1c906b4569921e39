//! Slugs: the URL-safe names of posts, trips and tags.

/// Lower-cases `text` and joins its runs of letters and digits (of any script)
/// with single dashes: "Race Day!" → "race-day", "Café 東京" → "café-東京".
/// Letters outside ASCII are kept, since every current host serves them and
/// links to them are percent-encoded by the browser.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    slug
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
    fn nothing_left_is_empty() {
        assert_eq!(slugify("!!!"), "");
    }
}

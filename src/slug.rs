//! Slugs: the URL-safe names of posts, trips and tags.

/// Lower-cases `text` and joins its runs of letters and digits (of any script)
/// with single dashes: "Race Day!" → "race-day", "Café 東京" → "café-東京".
/// Letters outside ASCII are kept, since every current host serves them and
/// links to them are percent-encoded by the browser.
pub(crate) fn slugify(text: &str) -> String {
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

/// A slug, made by `slugify`: what a tag's page is named by (`tags/<slug>/`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Slug(String);

impl Slug {
    /// The slug of `text`; `None` when it has no letters or digits.
    pub(crate) fn of(text: &str) -> Option<Slug> {
        Some(Slug(slugify(text))).filter(|slug| !slug.0.is_empty())
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
    fn nothing_left_is_empty() {
        assert_eq!(slugify("!!!"), "");
    }
}

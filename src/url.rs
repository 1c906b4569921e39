//! Paths inside the output site, and links between them. Every link the site
//! writes is relative to the page it is on, so the output works at a domain's
//! root, under a sub-path, and opened straight from disk.

use std::fmt;
use std::path::PathBuf;

/// A path inside the output site, with no leading slash: `""` is the home page,
/// `"trip/race-day/"` a pretty-URL page (served from its `index.html`),
/// `"feed.xml"` a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UrlPath(String);

impl UrlPath {
    pub fn home() -> Self {
        UrlPath(String::new())
    }

    /// A page at the folder made of `segments`: `["trip", "day-1"]` → `trip/day-1/`.
    pub fn page<S: AsRef<str>>(segments: impl IntoIterator<Item = S>) -> Self {
        let mut path = String::new();
        for segment in segments {
            path.push_str(segment.as_ref());
            path.push('/');
        }
        UrlPath(path)
    }

    /// A file at `path` (segments separated by `/`, none empty).
    pub fn file(path: impl Into<String>) -> Self {
        UrlPath(path.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_page(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('/')
    }

    /// The file that serves this path, relative to the output folder.
    pub fn output_file(&self) -> PathBuf {
        if self.is_page() {
            PathBuf::from(format!("{}index.html", self.0))
        } else {
            PathBuf::from(&self.0)
        }
    }

    /// The folder a relative link on this page is resolved against.
    fn dir(&self) -> &str {
        match self.0.rfind('/') {
            Some(i) => &self.0[..=i],
            None => "",
        }
    }

    /// The prefix that leads from this page back to the site root: `""` on
    /// the home page, `"../../"` on `trip/race-day/`.
    pub fn root_prefix(&self) -> String {
        "../".repeat(self.dir().matches('/').count())
    }

    /// A relative link from this page to `target` (never starting with `/`).
    pub fn link_to(&self, target: &str) -> String {
        let from: Vec<&str> = self.dir().split_terminator('/').collect();
        let (target_dir, target_name) = match target.rfind('/') {
            Some(i) => (&target[..i], &target[i + 1..]),
            None => ("", target),
        };
        let to: Vec<&str> = target_dir.split('/').filter(|s| !s.is_empty()).collect();
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        let mut link = "../".repeat(from.len() - common);
        for segment in &to[common..] {
            link.push_str(segment);
            link.push('/');
        }
        link.push_str(target_name);
        if link.is_empty() {
            "./".to_string()
        } else {
            link
        }
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

/// Resolves `link` (relative, with `.` and `..` segments) against the folder
/// `base` (segments joined by `/`). `None` when it climbs above the root.
pub fn resolve(base: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let trailing_slash = link.ends_with('/');
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if trailing_slash && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_served_from_their_index() {
        assert_eq!(UrlPath::home().output_file(), PathBuf::from("index.html"));
        assert_eq!(
            UrlPath::page(["trip", "day-1"]).output_file(),
            PathBuf::from("trip/day-1/index.html")
        );
        assert_eq!(
            UrlPath::file("feed.xml").output_file(),
            PathBuf::from("feed.xml")
        );
    }

    #[test]
    fn links_are_relative_to_the_page() {
        let post = UrlPath::page(["trip", "race-day"]);
        assert_eq!(post.link_to(""), "../../");
        assert_eq!(post.link_to("style.css"), "../../style.css");
        assert_eq!(post.link_to("trip/day-1/"), "../day-1/");
        assert_eq!(post.link_to("trip/race-day/"), "./");
        assert_eq!(post.link_to("trip/race-day/photo.jpg"), "photo.jpg");
        assert_eq!(UrlPath::home().link_to("about/"), "about/");
        assert_eq!(UrlPath::home().link_to(""), "./");
        assert_eq!(UrlPath::file("404.html").link_to("style.css"), "style.css");
    }

    #[test]
    fn root_prefix_climbs_each_folder() {
        assert_eq!(UrlPath::home().root_prefix(), "");
        assert_eq!(UrlPath::page(["page", "2"]).root_prefix(), "../../");
        assert_eq!(UrlPath::file("tags/x/feed.xml").root_prefix(), "../../");
    }

    #[test]
    fn resolve_stays_inside_the_root() {
        assert_eq!(
            resolve("trip/day-1", "photo.jpg").as_deref(),
            Some("trip/day-1/photo.jpg")
        );
        assert_eq!(
            resolve("trip/day-1", "../day-2/").as_deref(),
            Some("trip/day-2/")
        );
        assert_eq!(resolve("trip", "../../etc/passwd"), None);
    }
}

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
    pub(crate) fn home() -> Self {
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
    pub(crate) fn file(path: impl Into<String>) -> Self {
        UrlPath(path.into())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    fn is_page(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('/')
    }

    /// The file that serves this path, relative to the output folder.
    pub(crate) fn output_file(&self) -> PathBuf {
        if self.is_page() { PathBuf::from(format!("{}index.html", self.0)) } else { PathBuf::from(&self.0) }
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
    pub(crate) fn root_prefix(&self) -> String {
        "../".repeat(self.dir().matches('/').count())
    }

    /// A relative link from this page to `target` (never starting with `/`).
    pub(crate) fn link_to(&self, target: &str) -> String {
        // Lists link every card and tag from every page: no allocation but the link.
        let mut rest = target.trim_start_matches('/');
        let mut ups = 0;
        let mut shared = true;
        let dir = self.dir();
        let mut start = 0;
        for (end, _) in dir.bytes().enumerate().filter(|&(_, b)| b == b'/') {
            let segment = &dir[start..end];
            start = end + 1;
            match rest.strip_prefix(segment).and_then(|after| after.strip_prefix('/')) {
                Some(after) if shared => rest = after,
                _ => {
                    shared = false;
                    ups += 1;
                }
            }
        }
        if ups == 0 && rest.is_empty() {
            return "./".to_string();
        }
        let mut link = String::with_capacity(3 * ups + rest.len());
        for _ in 0..ups {
            link.push_str("../");
        }
        encode_path_into(&mut link, rest);
        link
    }

    /// The absolute URL of this path under `base_url` (which ends in `/`).
    pub(crate) fn absolute(&self, base_url: &str) -> String {
        format!("{base_url}{}", encode_path(&self.0))
    }
}

/// How a page writes its links.
#[derive(Clone, Copy)]
pub(crate) enum Linker<'a> {
    /// Relative to the page at this path: every page but the not-found one.
    From(&'a UrlPath),
    /// From the site root, behind this prefix: a post's card is rendered once
    /// and shown on pages at every depth, each putting its own way to the root;
    /// the not-found page, served at any path, starts at base_url's path.
    Rooted(&'a str),
}

impl Linker<'_> {
    pub(crate) fn to(&self, target: &str) -> String {
        match *self {
            Linker::From(here) => here.link_to(target),
            Linker::Rooted(prefix) => {
                let mut link = String::with_capacity(prefix.len() + target.len());
                link.push_str(prefix);
                encode_path_into(&mut link, target.trim_start_matches('/'));
                link
            }
        }
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

/// Percent-encodes what a URL path may not hold as it is (spaces, quotes,
/// letters outside ASCII, `%`), leaving `/` and the usual safe marks.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    encode_path_into(&mut out, path);
    out
}

fn encode_path_into(out: &mut String, path: &str) {
    const PLAIN: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        let marks = b"-._~/!$&'()*+,;=:@";
        let mut i = 0;
        while i < marks.len() {
            table[marks[i] as usize] = true;
            i += 1;
        }
        table
    };
    let mut plain = 0;
    for (i, &b) in path.as_bytes().iter().enumerate() {
        if !PLAIN[usize::from(b)] {
            // Only plain ASCII lies between escaped bytes, so both ends are char boundaries.
            if plain < i {
                out.push_str(&path[plain..i]);
            }
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
            plain = i + 1;
        }
    }
    out.push_str(&path[plain..]);
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Undoes percent-encoding (`%20` → space); malformed escapes stay as written.
pub(crate) fn decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Rewrites the relative `href` and `src` values of `html`, shown on `page`,
/// as absolute URLs under `base_url`: a feed reader has no page to resolve
/// them against.
pub(crate) fn absolute_links(html: &str, page: &UrlPath, base_url: &str) -> String {
    map_attribute_values(html, &["href", "src"], |value| Some(absolute_url(value, page, base_url)))
}

/// Makes every relative link of `html` to a page name the page's file:
/// `../tags/run/` → `../tags/run/index.html`, and so every form's
/// `action`. A browser reading from disk shows a folder's listing, not its
/// `index.html`.
pub(crate) fn links_naming_index_files(html: &str) -> String {
    map_attribute_values(html, &["href", "action"], |value| {
        if has_scheme(value) || value.starts_with(['/', '#', '?']) || value.is_empty() {
            return None;
        }
        let cut = value.find(['?', '#']).unwrap_or(value.len());
        let (path, suffix) = value.split_at(cut);
        let folder =
            path.ends_with('/') || path.rsplit('/').next().is_some_and(|last| last == "." || last == "..");
        folder.then(|| {
            let slash = if path.ends_with('/') { "" } else { "/" };
            format!("{path}{slash}index.html{suffix}")
        })
    })
}

/// Replaces the double-quoted values of the attributes `names` in `html` by
/// what `change` makes of them (`None` keeps a value).
fn map_attribute_values(
    html: &str,
    names: &[&str],
    mut change: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    // `html[..copied]` is in `out` already.
    let mut copied = 0;
    for at in memchr::memmem::find_iter(html.as_bytes(), "=\"") {
        if at < copied {
            continue;
        }
        let name = &html[..at];
        let is_named = names
            .iter()
            .any(|attr| name.strip_suffix(attr).is_some_and(|before| before.ends_with([' ', '\n'])));
        if !is_named {
            continue;
        }
        let start = at + 2;
        let Some(len) = html[start..].find('"') else { break };
        if let Some(changed) = change(&html[start..start + len]) {
            out.push_str(&html[copied..start]);
            out.push_str(&changed);
            copied = start + len;
        }
    }
    out.push_str(&html[copied..]);
    out
}

fn has_scheme(value: &str) -> bool {
    value.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// `value` (a link as written on `page`) as an absolute URL; links with a
/// scheme are kept.
fn absolute_url(value: &str, page: &UrlPath, base_url: &str) -> String {
    if has_scheme(value) || value.starts_with("//") {
        return value.to_string();
    }
    if let Some(fragment) = value.strip_prefix('#') {
        return format!("{}#{fragment}", page.absolute(base_url));
    }
    let cut = value.find(['?', '#']).unwrap_or(value.len());
    let (path, suffix) = value.split_at(cut);
    let path = decode(path);
    let target = match path.strip_prefix('/') {
        Some(from_root) => Some(from_root.to_string()),
        None => resolve(page.dir(), &path),
    };
    match target {
        Some(target) => format!("{}{suffix}", UrlPath::file(target).absolute(base_url)),
        None => value.to_string(),
    }
}

/// Resolves `link` (relative, with `.` and `..` segments) against the folder
/// `base` (segments joined by `/`). `None` when it climbs above the root.
pub(crate) fn resolve(base: &str, link: &str) -> Option<String> {
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
        assert_eq!(UrlPath::page(["trip", "day-1"]).output_file(), PathBuf::from("trip/day-1/index.html"));
        assert_eq!(UrlPath::file("feed.xml").output_file(), PathBuf::from("feed.xml"));
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
    fn links_are_percent_encoded() {
        let page = UrlPath::page(["trip", "day-1"]);
        assert_eq!(page.link_to("tags/평양/"), "../../tags/%ED%8F%89%EC%96%91/");
        assert_eq!(page.link_to("trip/day-1/a b.jpg"), "a%20b.jpg");
        assert_eq!(decode("a%20b%ED%8F%89%EC%96%91%zz"), "a b평양%zz");
    }

    #[test]
    fn links_for_disk_name_index_files() {
        let html = r##"<a href="./">home</a> <a href="../tags/run/#top">run</a> <a href="..">up</a>
<a href="photo.jpg">f</a> <a href="https://x.example/a/">out</a> <a href="#n">n</a> <a href="/diary/">rooted</a>
<link href="feed.xml"> <img src="trips/">"##;
        assert_eq!(
            links_naming_index_files(html),
            r##"<a href="./index.html">home</a> <a href="../tags/run/index.html#top">run</a> <a href="../index.html">up</a>
<a href="photo.jpg">f</a> <a href="https://x.example/a/">out</a> <a href="#n">n</a> <a href="/diary/">rooted</a>
<link href="feed.xml"> <img src="trips/">"##
        );
    }

    #[test]
    fn absolute_links_for_feeds() {
        let page = UrlPath::page(["trip", "day-1"]);
        let base = "https://x.org/diary/";
        let html = "<p><a href=\"../day-2/#km\">n</a> <img src=\"a b.jpg\"> <a href=\"https://o.org/\">o</a> \
                    <a href=\"#top\">t</a> <a href=\"/about/\">a</a> <a class=\"href=x\">c</a> <a data-src=\"x\">d</a></p>";
        assert_eq!(
            absolute_links(html, &page, base),
            "<p><a href=\"https://x.org/diary/trip/day-2/#km\">n</a> <img src=\"https://x.org/diary/trip/day-1/a%20b.jpg\"> \
             <a href=\"https://o.org/\">o</a> <a href=\"https://x.org/diary/trip/day-1/#top\">t</a> \
             <a href=\"https://x.org/diary/about/\">a</a> <a class=\"href=x\">c</a> <a data-src=\"x\">d</a></p>"
        );
    }

    #[test]
    fn root_prefix_climbs_each_folder() {
        assert_eq!(UrlPath::home().root_prefix(), "");
        assert_eq!(UrlPath::page(["page", "2"]).root_prefix(), "../../");
        assert_eq!(UrlPath::file("tags/x/feed.xml").root_prefix(), "../../");
    }

    #[test]
    fn resolve_stays_inside_the_root() {
        assert_eq!(resolve("trip/day-1", "photo.jpg").as_deref(), Some("trip/day-1/photo.jpg"));
        assert_eq!(resolve("trip/day-1", "../day-2/").as_deref(), Some("trip/day-2/"));
        assert_eq!(resolve("trip", "../../etc/passwd"), None);
    }
}

/// Any two paths of a site: the link between them, as a browser resolves it
/// (percent-decoded, against the folder of the page it is on), leads to the target.
#[cfg(test)]
mod any_two_paths {
    use proptest::prelude::*;

    use super::*;

    /// A site path: slug-like folders (with the odd space, `%` or letter
    /// outside ASCII a content name may keep), then a page or a file.
    fn site_path() -> impl Strategy<Value = UrlPath> {
        let segment = "[a-z0-9é%_ ][a-z0-9é%_ -]{0,5}";
        (prop::collection::vec(segment, 0..4), prop::option::of("[a-z0-9é% -]{1,5}\\.(jpg|xml|gpx)"))
            .prop_map(|(dirs, file)| match file {
                Some(file) => UrlPath::file(
                    dirs.iter().map(String::as_str).chain([file.as_str()]).collect::<Vec<_>>().join("/"),
                ),
                None => UrlPath::page(dirs),
            })
    }

    proptest! {
        #[test]
        fn a_link_from_any_path_leads_to_any_other(from in site_path(), to in site_path()) {
            let link = from.link_to(to.as_str());
            prop_assert!(!link.starts_with('/') && !link.contains("//"), "{link}");
            let landed = resolve(from.dir(), &decode(&link));
            prop_assert_eq!(landed.as_deref(), Some(to.as_str()), "from {} by {}", from, link);
        }
    }
}

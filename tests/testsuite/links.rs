//! A checker that every link and image of a built site lands on a file of it.

use std::path::{Path, PathBuf};

use crate::fixture::tree;

/// Each `href`/`src`/`srcset` URL in the HTML files below `out`, with the page it is on.
pub fn links(out: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (page, bytes) in tree(out) {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in html.match_indices(attr) {
                // `srcset="` also ends in `src="`: skip it here, it is not one URL.
                if html[..i].ends_with("set") {
                    continue;
                }
                let rest = &html[i + attr.len()..];
                let value = &rest[..rest.find('"').unwrap()];
                found.push((page.clone(), value.replace("&amp;", "&")));
            }
        }
    }
    found
}

/// Asserts that every internal link resolves to a file, that none starts with
/// `/` (but on the not-found page, where each starts with base_url's path),
/// and returns how many were checked. Links to `base_url` map to the root.
pub fn assert_all_resolve(out: &Path, base_url: &str) -> usize {
    let mut checked = 0;
    // The not-found page alone links from the root of its host, behind base_url's path.
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    let base_path = base_url[after_scheme..].find('/').map_or("/", |i| &base_url[after_scheme + i..]);
    for (page, link) in links(out) {
        let link = match (page == "404.html", link.strip_prefix(base_path)) {
            (true, Some(rest)) => format!("/{rest}"),
            _ => {
                assert!(!link.starts_with('/'), "{page}: link {link} starts with /");
                link
            }
        };
        // Absolute links into the site (canonical URLs, the not-found page) must land too.
        let link = link.strip_prefix(base_url).map(|rest| format!("/{rest}")).unwrap_or(link);
        let external = link.contains("://") || link.starts_with("mailto:");
        if external || link.starts_with('#') {
            continue;
        }
        let target = target(out, &page, &link);
        assert!(target.starts_with(out), "{page}: {link} leaves the site");
        assert!(target.is_file(), "{page}: {link} does not resolve ({} missing)", target.display());
        checked += 1;
    }
    checked
}

/// The file below `out` that `link`, on the page `page` (relative to `out`),
/// lands on: a folder's `index.html`. `link` is relative, or from the root
/// when it starts with `/`.
pub fn target(out: &Path, page: &str, link: &str) -> PathBuf {
    let from_root = link.starts_with('/');
    let path = link.split(['#', '?']).next().unwrap();
    let base: PathBuf =
        if from_root { out.to_path_buf() } else { out.join(page).parent().unwrap().to_path_buf() };
    let mut target = base.join(percent_decode(path.trim_start_matches('/')));
    if path.ends_with('/') || path.is_empty() {
        target.push("index.html");
    }
    normalize(&target)
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

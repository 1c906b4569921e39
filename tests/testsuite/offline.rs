//! No built page makes a browser request anything from another host: every
//! stylesheet, script, image, font and frame a page loads is the site's own.
//!
//! Links a reader may follow (`<a href="https://…">`, `rel="canonical"`,
//! `rel="alternate"`, `og:image` and the like) are not requests and are allowed.

use std::path::Path;

use walkdir::WalkDir;

use crate::fixture::{Fixture, tree};

/// The `rel` values of a `<link>` whose `href` a browser fetches (or opens a
/// connection to) while showing the page. `shortcut icon` is covered by `icon`.
const FETCHED_RELS: &[&str] = &[
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
    "dns-prefetch",
    "preconnect",
];

/// Every reference in the files below `out` that a browser showing the site
/// would fetch from another host, as "file: reference", file relative to `out`.
///
/// What is read:
/// - `.html` and `.svg`: `src`, `srcset`/`imagesrcset`, `poster`, `data`,
///   `background` and `<html manifest>` on any element; `<link href>` with a
///   rel of [`FETCHED_RELS`]; `<base href>` (it would send every relative
///   reference elsewhere); SVG's `href`/`xlink:href` on `image`, `use`,
///   `feImage` and `script`; `style="…"` attributes and `<style>` blocks as
///   CSS; inline `<script>` blocks of JavaScript as JS.
/// - `.css`: `url(…)` and `@import`.
/// - `.js`: every string literal holding an `http://` or `https://` URL, or
///   starting with `//`: nothing is allow-listed. Comments are not strings.
///
/// `.xml` files (the Atom feeds, the sitemap) are not read at all: they are
/// made for feed readers and crawlers, not shown by a browser as a page, and
/// their formats require absolute URLs (ids, links, enclosures) that are
/// addresses, not requests.
///
/// A reference is fine when it is relative, `data:` or `#…`; it is flagged
/// when it starts with `http:`, `https:` or `//` (after the whitespace a
/// browser strips, and reading `\` as `/` as a browser does).
pub fn third_party_requests(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (file, bytes) in tree(out) {
        let text = String::from_utf8_lossy(&bytes);
        let ext = file.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        let refs = match ext.as_str() {
            "html" | "htm" | "svg" => markup_requests(&text),
            "css" => css_requests(&text),
            "js" | "mjs" => js_requests(&text),
            _ => continue,
        };
        found.extend(refs.into_iter().map(|r| format!("{file}: {r}")));
    }
    found
}

/// Whether a fetched reference goes to another host.
fn is_remote(reference: &str) -> bool {
    let r: String = reference
        .trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c.to_ascii_lowercase() })
        .collect();
    r.starts_with("http:") || r.starts_with("https:") || r.starts_with("//")
}

fn markup_requests(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |value: &str| {
        if is_remote(value) {
            found.push(value.trim().to_string());
        }
    };
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let (tag, attrs, end) = parse_tag(html, i + 1);
        i = end;
        let attr = |name: &str| attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());

        for (name, value) in &attrs {
            match name.as_str() {
                "src" | "poster" | "data" | "background" => check(value),
                "srcset" | "imagesrcset" => srcset_urls(value).into_iter().for_each(&mut check),
                "manifest" if tag == "html" => check(value),
                "href" | "xlink:href" if matches!(tag.as_str(), "image" | "use" | "feimage" | "script") => {
                    check(value)
                }
                "style" => css_requests(value).iter().for_each(|v| check(v)),
                _ => {}
            }
        }
        if tag == "link" {
            let rel = attr("rel").unwrap_or("").to_ascii_lowercase();
            if rel.split_ascii_whitespace().any(|r| FETCHED_RELS.contains(&r)) {
                attr("href").into_iter().for_each(&mut check);
            }
        }
        if tag == "base" {
            attr("href").into_iter().for_each(&mut check);
        }

        // Raw text: a <style> block is CSS, a <script> block of JavaScript is JS
        // (a JSON-LD or template block is data, not code, and is skipped).
        if (tag == "style" || tag == "script") && !html[..end].ends_with("/>") {
            let close = format!("</{tag}");
            let body_end = html[end..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| end + e);
            let body = &html[end..body_end];
            if tag == "style" {
                css_requests(body).iter().for_each(|v| check(v));
            } else {
                let kind = attr("type").unwrap_or("").trim().to_ascii_lowercase();
                let javascript = kind.is_empty()
                    || kind == "module"
                    || kind.ends_with("/javascript")
                    || kind.ends_with("/ecmascript");
                if javascript {
                    js_requests(body).iter().for_each(|v| check(v));
                }
            }
            i = body_end;
        }
    }
    found
}

/// The lower-cased name and the attributes (names lower-cased, values with
/// character references decoded) of the tag whose name starts at `start`, and
/// the index just past its `>`.
fn parse_tag(html: &str, start: usize) -> (String, Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = start;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let tag = html[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (tag, attrs, i);
        }
        if b[i] == b'>' {
            return (tag, attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i] as char;
                let value_end = html[i + 1..].find(quote).map_or(b.len(), |e| i + 1 + e);
                value = decode_entities(&html[i + 1..value_end]);
                i = (value_end + 1).min(b.len());
            } else {
                let value_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[value_start..i]);
            }
        }
        attrs.push((name, value));
    }
}

/// Decodes the character references that could hide a scheme or a slash.
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "colon" => Some(':'),
                    "sol" => Some('/'),
                    "bsol" => Some('\\'),
                    "Tab" => Some('\t'),
                    "NewLine" => Some('\n'),
                    _ => None,
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The URLs of a `srcset`: comma-separated candidates, each a URL and
/// optional descriptors (a URL may itself hold commas, as `data:` ones do).
fn srcset_urls(srcset: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let url_end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
        let url = rest[..url_end].trim_end_matches(',');
        urls.push(url);
        if rest[..url_end].ends_with(',') {
            rest = &rest[url_end..];
        } else {
            // Skip the descriptors, up to the next comma.
            rest = rest[url_end..].find(',').map_or("", |c| &rest[url_end + c + 1..]);
        }
    }
}

/// The remote references of a style sheet (or a `style` attribute): the
/// targets of `url(…)` and of `@import "…"`, comments skipped.
fn css_requests(css: &str) -> Vec<String> {
    let mut plain = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("/*") {
        plain.push_str(&rest[..at]);
        plain.push(' ');
        rest = rest[at + 2..].find("*/").map_or("", |e| &rest[at + 2 + e + 2..]);
    }
    plain.push_str(rest);
    let lower = plain.to_ascii_lowercase();

    let mut targets = Vec::new();
    for (at, _) in lower.match_indices("url(") {
        let inner = &plain[at + 4..];
        let inner = inner.trim_start();
        let value = match inner.chars().next() {
            Some(q @ ('"' | '\'')) => inner[1..].split(q).next().unwrap_or(""),
            _ => inner.split(')').next().unwrap_or(""),
        };
        targets.push(value.trim().to_string());
    }
    for (at, _) in lower.match_indices("@import") {
        let inner = plain[at + "@import".len()..].trim_start();
        if let Some(q @ ('"' | '\'')) = inner.chars().next() {
            targets.push(inner[1..].split(q).next().unwrap_or("").to_string());
        }
        // `@import url(…)` is one of the url()s above.
    }
    targets.into_iter().filter(|t| is_remote(t)).collect()
}

/// The string literals of a script that hold an absolute `http(s)://` URL or
/// start with `//`: the URL itself. Comments are skipped, and a regular
/// expression literal is told from a division by the token before it.
fn js_requests(js: &str) -> Vec<String> {
    let b = js.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    // The last character outside whitespace, comments and literals.
    let mut previous = b'\0';
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = js[i..].find('\n').map_or(b.len(), |e| i + e);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = js[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            }
            b'/' if previous == b'\0' || b"(,=:[!&|?{};+-*%<>~^".contains(&previous) => {
                // A regular expression literal: up to its closing `/`.
                let mut in_class = false;
                i += 1;
                while i < b.len() && b[i] != b'\n' {
                    match b[i] {
                        b'\\' => i += 1,
                        b'[' => in_class = true,
                        b']' => in_class = false,
                        b'/' if !in_class => break,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                previous = b'/';
            }
            b'"' | b'\'' | b'`' => {
                let start = i + 1;
                i = start;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let literal = &js[start..i.min(b.len())];
                i += 1;
                previous = b'"';
                let lower = literal.to_ascii_lowercase();
                let starts = [lower.find("http://"), lower.find("https://")].into_iter().flatten().min();
                let protocol_relative =
                    lower.starts_with("//") && lower[2..].starts_with(|c: char| c.is_ascii_alphanumeric());
                let at = if protocol_relative { Some(0) } else { starts };
                if let Some(at) = at {
                    let url = literal[at..]
                        .split(|c: char| c.is_ascii_whitespace() || c == '"' || c == '\'')
                        .next();
                    found.push(url.unwrap_or_default().to_string());
                }
            }
            _ => {
                if !c.is_ascii_whitespace() {
                    previous = c;
                }
                i += 1;
            }
        }
    }
    found
}

/// The repository's own demo journal (`site.toml`, `content/`, `themes/`)
/// copied into a temporary folder.
fn demo() -> Fixture {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = Fixture::empty();
    std::fs::copy(repo.join("site.toml"), site.path("site.toml")).unwrap();
    for dir in ["content", "themes"] {
        let from = repo.join(dir);
        if !from.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&from) {
            let entry = entry.unwrap();
            let dest = site.path(dir).join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(entry.path(), &dest).unwrap();
            }
        }
    }
    site
}

/// Builds `site` and asserts that none of its output requests another host.
#[track_caller]
fn assert_offline(site: Fixture) {
    site.milepost(&["build"]).succeeded();
    let out = site.path("public");
    let pages = tree(&out).keys().filter(|p| p.ends_with(".html")).count();
    assert!(pages >= 5, "only {pages} pages built");
    // The site's own address is not another host: the not-found page, served
    // at any depth, names its stylesheet and script by `base_url`.
    let settings = site.read("site.toml");
    let base_url = settings
        .lines()
        .find_map(|line| line.trim().strip_prefix("base_url")?.trim().strip_prefix('=')?.split('"').nth(1))
        .expect("the fixture sets base_url")
        .trim_end_matches('/')
        .to_string();
    let requests: Vec<String> = third_party_requests(&out)
        .into_iter()
        .filter(|request| {
            !request.split_once(": ").is_some_and(|(_, r)| r.starts_with(&format!("{base_url}/")))
        })
        .collect();
    assert!(requests.is_empty(), "requests to other hosts:\n{}", requests.join("\n"));
}

#[test]
fn the_checker_flags_what_a_browser_fetches_from_elsewhere_and_not_links() {
    let site = Fixture::empty();
    site.write(
        "out/index.html",
        r##"<!doctype html>
<html><head>
<link rel="stylesheet" href="https://cdn.example/site.css">
<link rel="stylesheet" href="style.css">
<link rel="canonical" href="https://example.org/">
<link rel="alternate" type="application/atom+xml" href="https://example.org/feed.xml">
<meta property="og:image" content="https://example.org/cover.jpg">
<!-- <img src="https://commented.example/out.png"> -->
</head><body data-coords="39.0,125.7">
<a href="https://example.org">a link, not a request</a>
<img src="https://cdn.example/x.png" alt="">
<img src="photo-960.jpg" srcset="photo-480.jpg 480w, photo-960.jpg 960w" alt="">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="">
<a href="#top">top</a>
</body></html>
"##,
    );
    site.write("out/style.css", "/* url(https://commented.example/no.woff2) */\n@font-face { src: url(//fonts.example/f.woff2); }\nbody { background: url('bg.png'); }\n");
    site.write("out/feed.xml", r#"<feed><link href="https://example.org/"/></feed>"#);
    let flagged = third_party_requests(&site.path("out"));
    assert_eq!(
        flagged,
        [
            "index.html: https://cdn.example/site.css",
            "index.html: https://cdn.example/x.png",
            "style.css: //fonts.example/f.woff2",
        ],
    );
}

#[test]
fn the_checker_reads_srcset_inline_styles_scripts_and_svg() {
    let site = Fixture::empty();
    site.write(
        "out/a.html",
        r#"<html manifest="https://m.example/app">
<link rel="preconnect" href="//fonts.example">
<link rel="shortcut icon" href="https:&#47;&#47;icons.example/i.ico">
<img srcset="a.jpg 1x, https://s.example/b.jpg 2x">
<div style="background: url(&quot;http://bg.example/b.png&quot;)"></div>
<style>@import "https://css.example/more.css"; p { color: red }</style>
<script type="application/ld+json">{"url": "https://example.org/"}</script>
<script>fetch("https://api.example/data"); var re = /"'/; // "https://comment.example/"
</script>
<object data="https://o.example/o.swf"></object>
<video poster="//p.example/p.jpg"><source src="v.mp4"></video>
<svg><image href="https://svg.example/i.png"/><a href="https://example.org">link</a></svg>
"#,
    );
    site.write("out/app.js", "// see https://docs.example/\nconst ws = new WebSocket('wss://x'); import(`https://esm.example/m.js`);\n");
    let flagged = third_party_requests(&site.path("out"));
    assert_eq!(
        flagged,
        [
            "a.html: https://m.example/app",
            "a.html: //fonts.example",
            "a.html: https://icons.example/i.ico",
            "a.html: https://s.example/b.jpg",
            "a.html: http://bg.example/b.png",
            "a.html: https://css.example/more.css",
            "a.html: https://api.example/data",
            "a.html: https://o.example/o.swf",
            "a.html: //p.example/p.jpg",
            "a.html: https://svg.example/i.png",
            "app.js: https://esm.example/m.js",
        ],
    );
}

#[test]
fn the_journal_fixture_requests_nothing_from_another_host() {
    assert_offline(Fixture::copy("journal"));
}

#[test]
fn the_photos_fixture_requests_nothing_from_another_host() {
    assert_offline(Fixture::copy("photos"));
}

#[test]
fn the_demo_journal_requests_nothing_from_another_host() {
    assert_offline(demo());
}

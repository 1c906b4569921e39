//! HTML text escaping, the marker a hashtag link carries until tag pages
//! have their URLs (parsing knows a tag's name, only the index knows its
//! slug), and tidying a rendered page.

/// Escapes what HTML text and attribute values need escaped, and nothing more
/// (Tera's own escaper also turns `/` into `&#x2F;`, which would make every
/// link in the page source read `..&#x2F;style.css`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// `escape`, appending to `out`: runs of plain text are copied whole.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    const SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        let mut i = 0;
        while i < 5 {
            table[b"&<>\"'"[i] as usize] = true;
            i += 1;
        }
        table
    };
    let bytes = text.as_bytes();
    // Most values have nothing to escape, and Tera escapes even the ones it
    // only tests (`{% if post.summary %}`): look for the five at memchr's pace.
    let first = match (memchr::memchr3(b'&', b'<', b'>', bytes), memchr::memchr2(b'"', b'\'', bytes)) {
        (None, None) => {
            out.push_str(text);
            return;
        }
        (a, b) => a.into_iter().chain(b).min().unwrap_or(0),
    };
    let mut plain = 0;
    for (at, &byte) in bytes.iter().enumerate().skip(first) {
        if !SPECIAL[usize::from(byte)] {
            continue;
        }
        out.push_str(&text[plain..at]);
        out.push_str(match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

/// NUL never survives Markdown (pulldown-cmark replaces it) nor escaping of
/// user text, so it can fence a hashtag link until its tag has a URL:
/// `\0key\0` opens the link and `\0/\0` closes it (no key is `/`).
const MARK: char = '\0';
const CLOSE: &str = "/";

/// The opening of a hashtag link to the tag `key`, filled in by `fill_tag_links`.
pub(crate) fn tag_link_start(key: &str) -> String {
    format!("{MARK}{key}{MARK}")
}

/// The end of a hashtag link.
pub(crate) fn tag_link_end() -> String {
    format!("{MARK}{CLOSE}{MARK}")
}

/// Turns the hashtag markers of `html` into links to `href_of(key)`, or into
/// plain spans where it gives no link (a tag no post has).
pub(crate) fn fill_tag_links(html: &str, href_of: impl Fn(&str) -> Option<String>) -> String {
    let mark = |text: &str| memchr::memchr(MARK as u8, text.as_bytes());
    if mark(html).is_none() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    let mut linked = false;
    while let Some(start) = mark(rest) {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = mark(after) else {
            out.push_str(after);
            return out;
        };
        let key = &after[..end];
        if key == CLOSE {
            out.push_str(if linked { "</a>" } else { "</span>" });
        } else if let Some(href) = href_of(key) {
            out.push_str("<a class=\"hashtag\" href=\"");
            out.push_str(&escape(&href));
            out.push_str("\">");
            linked = true;
        } else {
            out.push_str("<span class=\"hashtag\">");
            linked = false;
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `html` without the spaces and tabs that end its lines, but inside
/// `<pre>` and `<textarea>`, where they are text. A template's indented tag
/// that renders nothing leaves such a line, which validators flag.
pub(crate) fn without_trailing_spaces(html: String) -> String {
    if !html.contains(" \n") && !html.contains("\t\n") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut kept_as_text = false;
    for line in html.split_inclusive('\n') {
        let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |body| (body, "\n"));
        let opened = ["<pre", "<textarea"].into_iter().filter_map(|tag| body.rfind(tag)).max();
        let closed = ["</pre>", "</textarea>"].into_iter().filter_map(|tag| body.rfind(tag)).max();
        kept_as_text = match (opened, closed) {
            (Some(open), Some(close)) => open > close,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => kept_as_text,
        };
        if kept_as_text {
            out.push_str(line);
        } else {
            out.push_str(body.trim_end_matches([' ', '\t']));
            out.push_str(newline);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_spaces_go_but_in_preformatted_text() {
        let html = "<ul>\n  \n  <li>a</li> \t\n</ul>\n<pre>x  \n  y  \n</pre>  \n<p>z</p>  ".to_string();
        assert_eq!(
            without_trailing_spaces(html),
            "<ul>\n\n  <li>a</li>\n</ul>\n<pre>x  \n  y  \n</pre>\n<p>z</p>"
        );
        let clean = "<p>a</p>\n".to_string();
        assert_eq!(without_trailing_spaces(clean.clone()), clean);
    }

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escape(r#"<a href="x/y">'&'</a>"#),
            "&lt;a href=&quot;x/y&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn tag_markers_are_filled() {
        let (open, close) = (tag_link_start, tag_link_end());
        let html = format!(
            "<p>{}#Run{close} and {}#평양{close}, {}#none{close}</p>",
            open("run"),
            open("평양"),
            open("none")
        );
        let filled = fill_tag_links(&html, |key| (key != "none").then(|| format!("../tags/{key}/")));
        assert_eq!(
            filled,
            "<p><a class=\"hashtag\" href=\"../tags/run/\">#Run</a> and <a class=\"hashtag\" href=\"../tags/평양/\">#평양</a>, <span class=\"hashtag\">#none</span></p>"
        );
    }
}

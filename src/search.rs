//! The search index: every published post and page as a Pagefind record
//! (its text, captions and tags; its title, place, trip and local date as
//! metadata; filters by trip, tag and year), indexed in memory into the
//! files the search page loads under `pagefind/`. Writes nothing itself: the
//! files go to the writer like every other page. Drafts are never indexed.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::Config;
use crate::error::{Problem, Result};
use crate::index::SiteIndex;
use crate::output::{Body, OutputFile};
use crate::parse::{Content, Post};
use crate::url::Linker;

/// The folder of the output that holds the index and Pagefind's script.
pub(crate) const DIR: &str = "pagefind/";

/// One searchable page, as Pagefind takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// From the host's root: base_url's path, then the page's.
    pub(crate) url: String,
    /// Plain text with `&`, `<` and `>` escaped, as Pagefind keeps a page's
    /// text: its excerpts are HTML, with the words found in `<mark>`.
    pub(crate) content: String,
    pub(crate) meta: BTreeMap<String, String>,
    pub(crate) filters: BTreeMap<String, Vec<String>>,
}

/// The records of every published post and page, posts newest first. Pure.
pub(crate) fn records(content: &Content, index: &SiteIndex, config: &Config) -> Vec<Record> {
    let root = Linker::Rooted(config.base_path());
    let mut records: Vec<Record> = index
        .newest_first
        .iter()
        .map(|id| (id.0, &content.posts[id.0]))
        .filter(|(_, post)| !post.draft)
        .map(|(i, post)| post_record(post, i, content, index, root))
        .collect();
    records.extend(content.pages.iter().filter(|page| !page.draft).map(|page| {
        let mut text = String::with_capacity(page.body_html.len());
        push_text_of_html(&mut text, &page.body_html);
        Record {
            url: root.to(page.url.as_str()),
            content: text,
            meta: BTreeMap::from([("title".to_string(), page.title.clone())]),
            filters: BTreeMap::new(),
        }
    }));
    records
}

fn post_record(post: &Post, i: usize, content: &Content, index: &SiteIndex, root: Linker<'_>) -> Record {
    let mut text = String::with_capacity(post.body_html.len() + 256);
    push_text_of_html(&mut text, &post.body_html);
    for photo in &post.photos {
        // A caption's hashtags are in the post's tags too; the words around them only here.
        for words in [&photo.caption, &photo.alt].into_iter().flatten() {
            text.push(' ');
            push_escaped(&mut text, words);
        }
    }
    let tags: Vec<String> = index.post_tags[i].iter().map(|tag| index.tags[tag.0].name.clone()).collect();
    // Front-matter tags are not in the text: written as hashtags, each is
    // found by its word, as a hashtag in the text is.
    for tag in &tags {
        let mut hashtag = String::from("#");
        push_escaped(&mut hashtag, tag);
        if !text.contains(&hashtag) {
            text.push(' ');
            text.push_str(&hashtag);
        }
    }
    let trip = post.trip.map(|trip| content.trips[trip.0].title.clone());
    let mut meta = BTreeMap::from([
        ("title".to_string(), post.title.clone()),
        ("date".to_string(), post.date.display_day()),
    ]);
    meta.extend(post.location.clone().map(|place| ("place".to_string(), place)));
    meta.extend(trip.clone().map(|trip| ("trip".to_string(), trip)));
    let mut filters = BTreeMap::from([("year".to_string(), vec![post.date.local().year().to_string()])]);
    if !tags.is_empty() {
        filters.insert("tag".to_string(), tags);
    }
    filters.extend(trip.map(|trip| ("trip".to_string(), vec![trip])));
    Record { url: root.to(post.url.as_str()), content: text, meta, filters }
}

/// Appends the text of `html` (a rendered body): tags dropped (a block's
/// end becomes a space, so paragraphs do not run together), entities kept,
/// hashtag markers and the insides of scripts and styles left out.
fn push_text_of_html(out: &mut String, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find(['<', '\0']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let close = if rest.as_bytes()[at] == b'<' { '>' } else { '\0' };
        let Some(end) = after.find(close) else {
            return;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let name = tag.trim_start_matches('/').split([' ', '\t', '\n', '/']).next().unwrap_or("");
        let name = name.to_ascii_lowercase();
        if close == '>'
            && !matches!(name.as_str(), "a" | "em" | "strong" | "code" | "span" | "del" | "sup" | "sub")
        {
            out.push(' ');
        }
        // Whatever a raw `<script>` or `<style>` holds is not text.
        if close == '>' && !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") {
            let end_tag = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&end_tag) {
                Some(at) => &rest[at..],
                None => "",
            };
        }
    }
    out.push_str(rest);
}

/// Appends `text` with what HTML text needs escaped (quotes may stay, so a
/// word like `don't` is indexed as it is read).
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The language Pagefind is told the site is in: the primary subtag of
/// `language` (`pt` of `pt-BR`), which picks its word stemmer; `unknown`
/// (no stemming) for one that is not two or three letters.
fn index_language(language: &str) -> String {
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    if (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        primary
    } else {
        "unknown".to_string()
    }
}

/// The files of the index of `records`, with Pagefind's own script, under
/// `pagefind/`: byte-identical for the same records, since Pagefind names
/// and orders its files by their content. Pagefind's ready-made interfaces
/// are left out: the theme's script draws the results.
pub(crate) fn files(records: Vec<Record>, language: &str) -> Result<Vec<OutputFile>> {
    // Pagefind asks for the working folder and panics without one.
    if std::env::current_dir().is_err() {
        return Err(Problem::new("the search index needs a current folder, and the one this ran in is gone")
            .hint("run milepost again from the site's folder")
            .into());
    }
    let language = index_language(language);
    // Pagefind is async (tokio). Its own runtime on its own thread, so that
    // a build run from inside `serve`'s runtime does not nest one in another.
    let made = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime.block_on(index(records, language))
            })
            .join()
    });
    let files = match made {
        Ok(Ok(files)) => files,
        Ok(Err(why)) => return Err(failed(&why).into()),
        Err(_) => return Err(failed("the indexer stopped on an internal error").into()),
    };
    let has_language_wasm =
        files.iter().any(|f| f.filename.starts_with("wasm.") && f.filename != "wasm.unknown.pagefind");
    let mut out: Vec<OutputFile> = files
        .into_iter()
        .filter(|file| wanted(&file.filename, has_language_wasm))
        .map(|file| OutputFile {
            path: format!("{DIR}{}", file.filename).into(),
            origin: "the search index".to_string(),
            body: Body::Bytes(Arc::new(file.contents)),
        })
        .collect();
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn failed(why: &str) -> Problem {
    Problem::new(format!("the search index could not be built: {why}"))
        .hint("set `enabled = false` under [search] in site.toml to build without search, and report this")
}

/// Whether a file Pagefind makes is published: its script, worker, entry,
/// index, fragments and filters, and the WebAssembly of the site's language
/// (the generic one only when the language has none).
fn wanted(name: &str, has_language_wasm: bool) -> bool {
    match name {
        "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json" => true,
        "wasm.unknown.pagefind" => !has_language_wasm,
        _ => {
            name.starts_with("wasm.")
                || name.ends_with(".pf_meta")
                || ["index/", "fragment/", "filter/"].iter().any(|dir| name.starts_with(dir))
        }
    }
}

/// A Pagefind file: its path inside `pagefind/`, with `/` between folders.
struct Made {
    filename: String,
    contents: Vec<u8>,
}

async fn index(records: Vec<Record>, language: String) -> Result<Vec<Made>, String> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let options = PagefindServiceConfig::builder().force_language(language.clone()).build();
    let mut index = PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
    for Record { url, content, meta, filters } in records {
        index
            .add_custom_record(url, content, language.clone(), Some(meta), Some(filters), None)
            .await
            .map_err(|e| e.to_string())?;
    }
    let files = index.get_files().await.map_err(|e| e.to_string())?;
    Ok(files
        .into_iter()
        .map(|file| Made {
            filename: file.filename.to_string_lossy().replace('\\', "/"),
            contents: file.contents,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(html: &str) -> String {
        let mut out = String::new();
        push_text_of_html(&mut out, html);
        out
    }

    #[test]
    fn text_of_a_body_keeps_words_apart_and_entities_escaped() {
        assert_eq!(
            text_of("<p>Fish &amp; <em>chips</em></p><p>Then\0run\0#run\0/\0</p>"),
            " Fish &amp; chips  Then#run "
        );
        assert_eq!(text_of("<p>a</p><script>var x = '<p>';</script><p>b</p>"), " a    b ");
        assert_eq!(text_of("broken <p"), "broken ");
    }

    #[test]
    fn the_index_language_is_a_primary_subtag() {
        assert_eq!(index_language("pt-BR"), "pt");
        assert_eq!(index_language("EN"), "en");
        assert_eq!(index_language("x"), "unknown");
        assert_eq!(index_language("a-very-long-private-use-language-tag-that-is-nothing"), "unknown");
    }
}

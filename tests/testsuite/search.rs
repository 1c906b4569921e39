//! The search index (`[search] enabled = true`): what it holds, read back
//! from its files under `search/index/` (manifest, term shards, document
//! chunks, filter lists); drafts left out; URLs from the site's root;
//! byte-identical output for the same input; no search files or box when
//! it is off. Queries typed into the page run in the browser suite.

use std::collections::BTreeMap;

use milepost::BuildOptions;
use serde_json::Value;

use crate::fixture::{Fixture, tree};

/// The journal fixture with search turned on.
fn journal_with_search() -> Fixture {
    let site = Fixture::copy("journal");
    let toml = site.read("site.toml");
    site.write("site.toml", format!("{toml}\n[search]\nenabled = true\n"));
    site
}

fn build(site: &Fixture) -> milepost::write::WriteReport {
    milepost::build(&site.site(), &BuildOptions::default()).unwrap().write.unwrap()
}

/// The index in an output folder, decoded.
struct Index {
    manifest: Value,
    /// Every term with its documents' ids.
    terms: BTreeMap<String, Vec<u64>>,
    /// By id: url, title, date, place, trip, excerpt.
    docs: Vec<Value>,
    files: BTreeMap<String, Value>,
}

/// An index file's data: the script is `milepostSearch("name",DATA);`.
fn data(name: &str, bytes: &[u8]) -> Value {
    let text = std::str::from_utf8(bytes).unwrap();
    let prefix = format!("milepostSearch(\"{name}\",");
    let json =
        text.strip_prefix(&prefix).and_then(|t| t.strip_suffix(");\n")).unwrap_or_else(|| panic!("{text}"));
    serde_json::from_str(json).unwrap()
}

/// Ids from their gaps (every `step`th number of `list`).
fn ids(list: &Value, step: usize) -> Vec<u64> {
    let mut id = 0;
    list.as_array()
        .unwrap()
        .iter()
        .step_by(step)
        .map(|gap| {
            id += gap.as_u64().unwrap();
            id
        })
        .collect()
}

impl Index {
    fn read(site: &Fixture, out: &str) -> Index {
        let files: BTreeMap<String, Value> = site
            .files(out)
            .into_iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("search/index/")?.strip_suffix(".js")?.to_string();
                let value = data(&name, &bytes);
                Some((name, value))
            })
            .collect();
        let manifest = files["manifest"].clone();
        let mut terms = BTreeMap::new();
        let shards = manifest["shards"].as_array().unwrap();
        for (n, first) in shards.iter().enumerate() {
            let shard = files[&format!("t{n}")].as_array().unwrap();
            assert_eq!(shard[0], *first, "shard {n} starts with the term the manifest says");
            for pair in shard.chunks(2) {
                terms.insert(pair[0].as_str().unwrap().to_string(), ids(&pair[1], 2));
            }
        }
        let chunk = manifest["chunk"].as_u64().unwrap();
        let count = manifest["docs"].as_u64().unwrap();
        let docs: Vec<Value> = (0..count.div_ceil(chunk))
            .flat_map(|n| files[&format!("d{n}")].as_array().unwrap().clone())
            .collect();
        assert_eq!(docs.len() as u64, count);
        Index { manifest, terms, docs, files }
    }

    fn urls(&self) -> Vec<&str> {
        self.docs.iter().map(|doc| doc[0].as_str().unwrap()).collect()
    }

    fn doc(&self, url: &str) -> &Value {
        self.docs.iter().find(|doc| doc[0] == url).unwrap_or_else(|| panic!("{url} not indexed"))
    }

    /// The URLs of the documents holding `term`, as the script finds them.
    fn find(&self, term: &str) -> Vec<&str> {
        self.terms
            .get(term)
            .into_iter()
            .flatten()
            .map(|&id| self.docs[id as usize][0].as_str().unwrap())
            .collect()
    }

    /// The URLs a filter value lists.
    fn filter(&self, name: &str, value: &str) -> Vec<&str> {
        let n = self.manifest["filters"][name][value][0].as_u64().unwrap_or_else(|| panic!("{name} {value}"));
        ids(&self.files[&format!("f{n}")], 1)
            .iter()
            .map(|&id| self.docs[id as usize][0].as_str().unwrap())
            .collect()
    }
}

#[test]
fn a_post_is_found_by_its_body_captions_tags_and_facts() {
    let site = journal_with_search();
    build(&site);
    let index = Index::read(&site, "public");
    // Body, caption, alt text, tag, place; accents and case folded.
    for word in ["rattling", "uphill", "yellow", "graca", "steep", "trams", "alfama"] {
        assert!(index.find(word).contains(&"lisbon/tram/"), "{word}: {:?}", index.find(word));
    }
    let tram = index.doc("lisbon/tram/");
    assert_eq!(tram[1], "Tram 28");
    assert_eq!(tram[2], "Sat 2 May 2020");
    assert_eq!(tram[3], "Alfama");
    assert_eq!(tram[4], "Lisbon in May");
    assert!(tram[5].as_str().unwrap().starts_with("Rattling uphill"), "{}", tram[5]);
    assert!(index.filter("year", "2020").contains(&"lisbon/tram/"));
    assert_eq!(index.filter("tag", "trams"), ["lisbon/tram/"]);
    assert!(index.filter("trip", "Lisbon in May").contains(&"lisbon/tram/"));
    assert_eq!(index.manifest["filters"]["tag"]["trams"][1], 1, "a value's count");
    // Pages too, without filters.
    assert_eq!(index.doc("about/")[1], "About me");
    // The search page and the box on every page.
    let search_page = site.read("public/search/index.html");
    assert!(search_page.contains("data-index=\"index/\""), "{search_page}");
    assert!(search_page.contains("<option>Lisbon in May</option>"), "{search_page}");
    assert!(site.read("public/index.html").contains("class=\"searchbox\""));
}

#[test]
fn every_url_in_the_index_is_a_page_and_the_index_is_the_same_under_any_base_url() {
    let site = journal_with_search();
    build(&site);
    let index = Index::read(&site, "public");
    assert!(index.docs.len() >= 6, "{:?}", index.urls());
    for url in index.urls() {
        assert!(site.exists(&format!("public/{url}index.html")), "{url} is no page of the site");
    }
    // Another base_url: the same index (the script finds the root itself).
    let options = BuildOptions {
        base_url: Some("https://example.net/".into()),
        output: Some(site.path("root")),
        ..BuildOptions::default()
    };
    milepost::build(&site.site(), &options).unwrap();
    assert_eq!(Index::read(&site, "root").files, index.files);
}

#[test]
fn drafts_are_never_indexed_even_when_built() {
    let site = Fixture::copy("search");
    site.milepost(&["build", "--drafts"]).succeeded();
    // The draft pages are built, for a look before publishing ...
    assert!(site.exists("public/unpublished/index.html"));
    assert!(site.exists("public/later/index.html"));
    // ... but not put in the index: newest post first, then pages.
    let index = Index::read(&site, "public");
    assert_eq!(index.urls(), ["zurich/", "delhi/", "seoul/tokyo/", "seoul/seoul/", "about/"]);
    for (path, bytes) in site.files("public/search/index") {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for word in ["zeppelin", "secretive", "marmalade"] {
            assert!(!text.contains(word), "{word} in {path}");
        }
    }
    let search_page = site.read("public/search/index.html");
    assert!(!search_page.contains("secretive"), "a draft's tag is offered as a filter");
}

#[test]
fn words_in_any_script_are_found_inside_their_sentences() {
    let site = Fixture::copy("search");
    site.milepost(&["build"]).succeeded();
    let index = Index::read(&site, "public");
    // Korean: a word with its particle (서울에) is found by the word.
    assert_eq!(index.find("서울"), ["seoul/seoul/"]);
    assert_eq!(index.find("비빔밥을"), ["seoul/seoul/"]);
    // Japanese: characters and their pairs, inside a sentence without spaces.
    assert_eq!(index.find("桜"), ["seoul/tokyo/"]);
    assert_eq!(index.find("公園"), ["seoul/tokyo/"]);
    assert_eq!(index.find("東京"), ["seoul/tokyo/"]);
    // Hindi keeps its vowel signs.
    assert_eq!(index.find("कोहरा"), ["delhi/"]);
    assert_eq!(index.find("दिल्ली"), ["delhi/"]);
    // Accented Latin, found without its accents.
    assert_eq!(index.find("zurich"), ["zurich/"]);
    assert_eq!(index.find("creme"), ["zurich/"]);
    assert_eq!(index.find("cafe"), ["zurich/"]);
    assert!(index.find("zürich").is_empty(), "terms are folded");
    let zurich = index.doc("zurich/");
    assert_eq!(zurich[3], "Zürich, Switzerland");
    assert!(zurich[5].as_str().unwrap().contains("Fish & chips were not"), "{}", zurich[5]);
    assert_eq!(index.doc("seoul/tokyo/")[1], "東京の朝");
}

#[test]
fn the_same_input_gives_byte_identical_index_files() {
    let site = Fixture::copy("search");
    // Separate processes: any order taken from a randomly seeded hash map would show.
    site.milepost(&["build", "--output", "one"]).succeeded();
    site.milepost(&["build", "--output", "two"]).succeeded();
    let (one, two) = (tree(&site.path("one")), tree(&site.path("two")));
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs between two builds of the same site");
    }
    assert!(one.keys().any(|path| path.starts_with("search/index/t0.js")));
}

#[test]
fn an_unchanged_site_writes_nothing_and_an_edit_updates_the_index() {
    let site = journal_with_search();
    build(&site);
    let report = build(&site);
    assert_eq!(report.written, 0, "{report:?}");
    assert_eq!(report.removed, 0, "{report:?}");

    // A body edit: the index finds the new word, and is as a clean build's.
    let post = site.read("content/lisbon/fado.md");
    site.write("content/lisbon/fado.md", format!("{post}\nA quokka sang along.\n"));
    let report = build(&site);
    assert!(report.written > 0, "{report:?}");
    assert_eq!(Index::read(&site, "public").find("quokka").len(), 1);
    crate::rebuild::assert_equals_a_clean_build(&site);
}

#[test]
fn without_search_there_are_no_search_files_and_no_search_box() {
    let site = journal_with_search();
    build(&site);
    assert!(site.exists("public/search/index/manifest.js"));
    // The search's script is loaded by the search page, not carried by every page.
    assert!(site.read("public/search/index.html").contains("<script src=\"../search.js\"></script>"));
    for (path, bytes) in
        site.files("public").iter().filter(|(p, _)| p.ends_with(".html") && !p.starts_with("search/"))
    {
        assert!(!String::from_utf8_lossy(bytes).contains("search.js"), "{path} loads the search script");
    }
    // Turned off, the next build takes every search file away.
    let toml = site.read("site.toml").replace("enabled = true", "enabled = false");
    site.write("site.toml", toml);
    build(&site);
    let files = site.files("public");
    assert!(
        files.keys().all(|path| !path.starts_with("search/") && path != "search.js"),
        "{:?}",
        files.keys()
    );
    for (path, bytes) in &files {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(bytes);
            assert!(
                !html.contains("searchbox") && !html.contains("role=\"search\""),
                "{path} has a search box"
            );
        }
    }
}

#[test]
fn a_misspelt_search_setting_is_an_error_naming_the_right_one() {
    let site = Fixture::copy("journal");
    let toml = site.read("site.toml");
    site.write("site.toml", format!("{toml}\n[search]\nenable = true\n"));
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("unknown key `search.enable`") && err.contains("did you mean `enabled`?"), "{err}");
}

#[test]
fn a_static_file_where_the_index_goes_clashes_with_it() {
    let site = journal_with_search();
    site.write("static/search/index/manifest.js", "// mine");
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("search/index/manifest.js"), "{err}");
}

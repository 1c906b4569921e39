//! The search index (`[search] enabled = true`): what it holds, read back
//! from Pagefind's fragment files (gzip of `pagefind_dcd` + JSON, one a
//! page); drafts left out; URLs under base_url's path; byte-identical
//! output for the same input; no search files or box when it is off. Real
//! queries run through Pagefind's own script in the browser suite.

use std::collections::BTreeMap;
use std::io::Read;

use milepost::BuildOptions;

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

/// A Pagefind file's payload: gzip, then Pagefind's signature.
fn unpack(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out.strip_prefix(b"pagefind_dcd").expect("Pagefind's signature").to_vec()
}

/// Every fragment of the index in `out`, by the URL of its page.
fn fragments(site: &Fixture, out: &str) -> BTreeMap<String, serde_json::Value> {
    site.files(out)
        .into_iter()
        .filter(|(path, _)| path.starts_with("pagefind/fragment/"))
        .map(|(_, bytes)| {
            let fragment: serde_json::Value = serde_json::from_slice(&unpack(&bytes)).unwrap();
            (fragment["url"].as_str().unwrap().to_string(), fragment)
        })
        .collect()
}

#[test]
fn a_post_is_indexed_with_its_body_captions_tags_and_facts() {
    let site = journal_with_search();
    build(&site);
    let fragments = fragments(&site, "public");
    let tram = &fragments["/diary/lisbon/tram/"];
    let text = tram["content"].as_str().unwrap();
    // Body, caption (escaped, as Pagefind keeps a page's text), alt text and tag.
    for words in [
        "Rattling uphill",
        "Up the hill",
        "Yellow &amp; old: the 28 &lt;at&gt; Graça",
        "steep street",
        "#trams",
    ] {
        assert!(text.contains(words), "{words:?} not in {text:?}");
    }
    assert_eq!(tram["meta"]["title"], "Tram 28");
    assert_eq!(tram["meta"]["place"], "Alfama");
    assert_eq!(tram["meta"]["trip"], "Lisbon in May");
    assert_eq!(tram["meta"]["date"], "Sat 2 May 2020");
    assert_eq!(tram["filters"]["year"], serde_json::json!(["2020"]));
    assert_eq!(tram["filters"]["tag"], serde_json::json!(["trams"]));
    assert_eq!(tram["filters"]["trip"], serde_json::json!(["Lisbon in May"]));
    // Pages too, without filters.
    assert_eq!(fragments["/diary/about/"]["meta"]["title"], "About me");
    // The search page and the box on every page.
    let search_page = site.read("public/search/index.html");
    assert!(search_page.contains("data-pagefind=\"../pagefind/pagefind.js\""), "{search_page}");
    assert!(search_page.contains("<option>Lisbon in May</option>"), "{search_page}");
    assert!(site.read("public/index.html").contains("class=\"searchbox\""));
    assert!(site.exists("public/pagefind/pagefind.js"));
    assert!(site.exists("public/pagefind/pagefind-entry.json"));
    // Pagefind's ready-made interfaces are not published: the theme draws results.
    assert!(!site.exists("public/pagefind/pagefind-ui.js"));
}

#[test]
fn every_url_in_the_index_is_a_page_under_the_sub_path() {
    let site = journal_with_search();
    build(&site);
    let fragments = fragments(&site, "public");
    assert!(fragments.len() >= 6, "{:?}", fragments.keys());
    for url in fragments.keys() {
        let rel = url.strip_prefix("/diary/").unwrap_or_else(|| panic!("{url} is not under /diary/"));
        assert!(site.exists(&format!("public/{rel}index.html")), "{url} is no page of the site");
    }
    // Another base_url, other URLs.
    let options = BuildOptions {
        base_url: Some("https://example.net/".into()),
        output: Some(site.path("root")),
        ..BuildOptions::default()
    };
    milepost::build(&site.site(), &options).unwrap();
    assert!(fragments_of(&site, "root").keys().all(|url| !url.starts_with("/diary/")));
    assert!(fragments_of(&site, "root").contains_key("/lisbon/tram/"));
}

fn fragments_of(site: &Fixture, out: &str) -> BTreeMap<String, serde_json::Value> {
    fragments(site, out)
}

#[test]
fn drafts_are_never_indexed_even_when_built() {
    let site = Fixture::copy("search");
    site.milepost(&["build", "--drafts"]).succeeded();
    // The draft pages are built, for a look before publishing ...
    assert!(site.exists("public/unpublished/index.html"));
    assert!(site.exists("public/later/index.html"));
    // ... but not put in the index.
    let fragments = fragments(&site, "public");
    let urls: Vec<&str> = fragments.keys().map(String::as_str).collect();
    assert_eq!(
        urls,
        [
            "/finder/about/",
            "/finder/delhi/",
            "/finder/seoul/seoul/",
            "/finder/seoul/tokyo/",
            "/finder/zurich/"
        ]
    );
    for (path, bytes) in site.files("public/pagefind") {
        if path.ends_with(".pf_fragment") || path.ends_with(".pf_filter") || path.ends_with(".pf_index") {
            let text = String::from_utf8_lossy(&unpack(&bytes)).into_owned();
            for word in ["zeppelin", "secretive", "marmalade"] {
                assert!(!text.contains(word), "{word} in {path}");
            }
        }
    }
    let search_page = site.read("public/search/index.html");
    assert!(!search_page.contains("secretive"), "a draft's tag is offered as a filter");
}

#[test]
fn text_in_any_script_is_indexed_as_written() {
    let site = Fixture::copy("search");
    site.milepost(&["build"]).succeeded();
    let fragments = fragments(&site, "public");
    assert!(fragments["/finder/seoul/seoul/"]["content"].as_str().unwrap().contains("서울에 도착했다"));
    assert_eq!(fragments["/finder/seoul/tokyo/"]["meta"]["title"], "東京の朝");
    assert!(fragments["/finder/delhi/"]["content"].as_str().unwrap().contains("दिल्ली में कोहरा"));
    let zurich = fragments["/finder/zurich/"]["content"].as_str().unwrap();
    assert!(zurich.contains("Crème brûlée") && zurich.contains("Fish &amp; chips were not"), "{zurich}");
    assert_eq!(fragments["/finder/zurich/"]["meta"]["place"], "Zürich, Switzerland");
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
    assert!(one.keys().any(|path| path.starts_with("pagefind/fragment/")));
}

#[test]
fn an_unchanged_site_writes_nothing_and_an_edit_updates_the_index() {
    let site = journal_with_search();
    build(&site);
    let report = build(&site);
    assert_eq!(report.written, 0, "{report:?}");
    assert_eq!(report.removed, 0, "{report:?}");

    // A body edit: the post's fragment is new, the old one gone, the rest as a clean build.
    let post = site.read("content/lisbon/fado.md");
    site.write("content/lisbon/fado.md", format!("{post}\nA quokka sang along.\n"));
    let report = build(&site);
    assert!(report.written > 0 && report.removed > 0, "{report:?}");
    let fragments = fragments(&site, "public");
    assert!(fragments.values().any(|f| f["content"].as_str().unwrap().contains("quokka")));
    let options = BuildOptions { output: Some(site.path("clean")), ..BuildOptions::default() };
    milepost::build(&site.site(), &options).unwrap();
    let (clean, public) = (site.files("clean"), site.files("public"));
    assert_eq!(clean.keys().collect::<Vec<_>>(), public.keys().collect::<Vec<_>>());
    for (path, bytes) in &clean {
        assert!(public[path] == *bytes, "{path} differs from a clean build");
    }
}

#[test]
fn without_search_there_are_no_search_files_and_no_search_box() {
    let site = journal_with_search();
    build(&site);
    assert!(site.exists("public/pagefind/pagefind.js"));
    // Turned off, the next build takes every search file away.
    let toml = site.read("site.toml").replace("enabled = true", "enabled = false");
    site.write("site.toml", toml);
    build(&site);
    let files = site.files("public");
    assert!(
        files.keys().all(|path| !path.starts_with("pagefind/") && !path.starts_with("search/")),
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
fn a_folder_of_the_content_named_pagefind_clashes_with_the_index() {
    let site = journal_with_search();
    site.write("static/pagefind/pagefind.js", "// mine");
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("/pagefind/pagefind.js"), "{err}");
}

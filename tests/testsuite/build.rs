//! Building the fixture journal: the SPEC's URL table, pagination, drafts,
//! links, and what a rebuild writes and removes.

use std::time::SystemTime;

use milepost::BuildOptions;

use crate::fixture::Fixture;
use crate::links::assert_all_resolve;

fn built() -> Fixture {
    let site = Fixture::copy("journal");
    site.milepost(&["build"]).succeeded();
    site
}

#[test]
fn every_url_of_the_spec_table_is_written() {
    let site = built();
    for page in [
        "public/index.html",
        "public/page/2/index.html",
        "public/page/3/index.html",
        "public/winter-walk/index.html",
        "public/lisbon/index.html",
        "public/lisbon/arrival/index.html",
        "public/lisbon/tram/index.html",
        "public/lisbon/fado/index.html",
        "public/lisbon/sintra/index.html",
        "public/about/index.html",
        "public/contact/index.html",
        "public/404.html",
        "public/style.css",
    ] {
        assert!(site.exists(page), "{page} is missing");
    }
    // Five posts, two a page: three pages and no more, and no /page/1/.
    assert!(!site.exists("public/page/4/index.html"));
    assert!(!site.exists("public/page/1/index.html"));
}

#[test]
fn bundle_files_are_copied_beside_their_page() {
    let site = built();
    assert_eq!(
        std::fs::read(site.path("public/lisbon/tram/route.gpx")).unwrap(),
        std::fs::read(site.path("content/lisbon/tram/route.gpx")).unwrap()
    );
    // Photos are published as their variants, beside the page too.
    assert!(site.exists("public/lisbon/tram/tram-64.jpg"));
    assert!(site.exists("public/contact/portrait-40.jpg"));
}

#[test]
fn home_lists_posts_newest_first_by_instant() {
    let site = built();
    let home = site.read("public/index.html")
        + &site.read("public/page/2/index.html")
        + &site.read("public/page/3/index.html");
    let order: Vec<usize> = ["A day in Sintra", "Fado at night", "Tram 28", "Arrival", "Winter walk"]
        .iter()
        .map(|title| home.find(title).unwrap_or_else(|| panic!("{title} not listed")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "order: {order:?}");
}

#[test]
fn a_post_shows_its_local_time_with_its_offset() {
    let site = built();
    // Written without an offset: placed in the site's Europe/Lisbon, summer time.
    let fado = site.read("public/lisbon/fado/index.html");
    assert!(fado.contains("datetime=\"2020-05-02T22:10:00+01:00\""), "{fado}");
    assert!(fado.contains("Sat 2 May 2020, 22:10"));
    // Written in UTC: shown in UTC, as written.
    let sintra = site.read("public/lisbon/sintra/index.html");
    assert!(sintra.contains("Sun 3 May 2020, 18:00"));
    // A date from the file name alone is a day, with no time of day shown.
    let arrival = site.read("public/lisbon/arrival/index.html");
    assert!(arrival.contains(">Fri 1 May 2020</time>"), "{arrival}");
}

#[test]
fn post_pages_have_photos_captions_markdown_and_neighbours() {
    let site = built();
    let tram = site.read("public/lisbon/tram/index.html");
    assert!(tram.contains("<img src=\"tram-64.jpg\" srcset=\"tram-64.jpg 64w\""), "{tram}");
    assert!(tram.contains("alt=\"A yellow tram on a steep street\""), "{tram}");
    assert!(tram.contains("<a href=\"route.gpx\" download>"), "{tram}");
    assert!(tram.contains("<figcaption>Yellow &amp; old: the 28 &lt;at&gt; Graça</figcaption>"));
    assert!(tram.contains("<h2 id=\"up-the-hill\">Up the hill</h2>"));
    assert!(tram.contains("footnote-definition"));
    assert!(tram.contains("href=\"../../about/#top\""), "site-absolute links become relative");
    assert!(tram.contains("rel=\"prev\" href=\"../arrival/\""));
    assert!(tram.contains("rel=\"next\" href=\"../fado/\""));
    assert!(tram.contains("<a href=\"../\">Day 2 of Lisbon in May</a>"), "the post names its trip and day");
    let walk = site.read("public/winter-walk/index.html");
    assert!(walk.contains("href=\"../lisbon/fado/\""), "a link to a post's Markdown file lands on its page");
}

#[test]
fn drafts_are_built_only_with_drafts() {
    let site = built();
    assert!(!site.exists("public/lisbon/secret/index.html"));
    assert!(!site.read("public/index.html").contains("Unfinished notes"));
    site.milepost(&["build", "--drafts"]).succeeded();
    assert!(site.exists("public/lisbon/secret/index.html"));
    assert!(site.read("public/index.html").contains("Unfinished notes"));
}

#[test]
fn every_link_resolves_and_none_starts_with_a_slash() {
    let site = Fixture::copy("journal");
    site.milepost(&["build", "--drafts"]).succeeded();
    let checked = assert_all_resolve(&site.path("public"), "https://example.org/diary/");
    assert!(checked > 50, "only {checked} links checked");
}

#[test]
fn the_demo_journal_builds_and_its_links_resolve() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = milepost::Site::open(Some(demo)).unwrap();
    let options = BuildOptions { output: Some(out.path().join("public")), ..BuildOptions::default() };
    let report = milepost::build(&site, &options).unwrap();
    assert!(report.pages >= 10, "{report:?}");
    assert_all_resolve(&out.path().join("public"), &site.config.base_url);
    // What a screen reader leans on: one main heading a page, a named site
    // navigation, and an icon so no browser asks for a missing /favicon.ico.
    for (page, bytes) in crate::fixture::tree(&out.path().join("public")) {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        assert_eq!(html.matches("<h1").count(), 1, "{page}: one h1");
        assert!(html.contains("<nav class=\"sitenav\" aria-label=\"Site\">"), "{page}");
        assert!(html.contains("favicon.svg\" type=\"image/svg+xml\">"), "{page}");
    }
    assert!(out.path().join("public/favicon.svg").is_file());
}

#[test]
fn two_builds_into_fresh_folders_are_byte_identical() {
    let site = Fixture::copy("journal");
    site.milepost(&["build", "--output", "one"]).succeeded();
    site.milepost(&["build", "--output", "two"]).succeeded();
    let (one, two) = (site.files("one"), site.files("two"));
    assert!(one.len() > 15);
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs between builds");
    }
}

#[test]
fn a_second_build_with_nothing_changed_writes_nothing() {
    let site = built();
    let before: Vec<(String, SystemTime)> = crate::fixture::tree(&site.path("public"))
        .keys()
        .map(|p| (p.clone(), std::fs::metadata(site.path("public").join(p)).unwrap().modified().unwrap()))
        .collect();
    let report = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    let write = report.write.unwrap();
    assert_eq!(write.written, 0, "{write:?}");
    assert_eq!(write.removed, 0);
    assert_eq!(write.unchanged, before.len());
    for (path, modified) in before {
        let now = std::fs::metadata(site.path("public").join(&path)).unwrap().modified().unwrap();
        assert_eq!(now, modified, "{path} was rewritten");
    }
}

#[test]
fn an_edit_rewrites_only_the_pages_it_shows_on() {
    let site = built();
    let fado = site.read("content/lisbon/fado.md").replace("two guitars", "three guitars");
    site.write("content/lisbon/fado.md", fado);
    let report = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    // The post itself; its summary on a home page and the trip page; its
    // entry in the site's feed and the trip's.
    assert_eq!(report.write.unwrap().written, 5, "{report:?}");
    assert!(site.read("public/lisbon/fado/index.html").contains("three guitars"));
}

#[test]
fn a_deleted_post_disappears_from_the_output() {
    let site = built();
    assert!(site.exists("public/lisbon/tram/tram-64.jpg"));
    std::fs::remove_dir_all(site.path("content/lisbon/tram")).unwrap();
    std::fs::write(site.path("public/.keep-me"), "dot-files are left alone").unwrap();
    // The trip's cover was the deleted post's photo: point it elsewhere.
    let trip = site.read("content/lisbon/_trip.md").replace("cover: tram/tram.jpg\n", "");
    site.write("content/lisbon/_trip.md", trip);
    let report = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert!(!site.exists("public/lisbon/tram/index.html"));
    assert!(!site.exists("public/lisbon/tram"), "the empty folder is removed too");
    assert!(site.exists("public/.keep-me"));
    assert!(report.write.unwrap().removed >= 3);
    assert!(!site.read("public/index.html").contains("Tram 28"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let site = built();
    let before = site.files("public");
    site.write("content/lisbon/fado.md", "---\ntitle: Fado\ndate: 2020-02-30\n---\nBroken.\n");
    site.milepost(&["build"]).failed();
    assert_eq!(site.files("public"), before);
}

#[test]
fn check_builds_nothing() {
    let site = Fixture::copy("journal");
    let out = site.milepost(&["check"]);
    assert!(out.succeeded().contains("No problems found"), "{}", out.stdout);
    assert!(!site.exists("public"));
}

#[test]
fn the_output_folder_and_base_url_can_be_set() {
    let site = Fixture::copy("journal");
    site.milepost(&["build", "--output", "elsewhere", "--base-url", "https://other.example/diary/"])
        .succeeded();
    assert!(site.exists("elsewhere/index.html"));
    // The not-found page is served at any path: its links start at the site's
    // root on the host, so they work wherever a host serves it.
    let not_found = site.read("elsewhere/404.html");
    assert!(not_found.contains("href=\"/diary/style.css\""), "{not_found}");
    assert!(not_found.contains("<a class=\"brand\" href=\"/diary/\">"), "{not_found}");
    assert!(!not_found.contains("other.example"), "{not_found}");
    assert_all_resolve(&site.path("elsewhere"), "https://other.example/diary/");
}

#[test]
fn built_for_disk_every_link_to_a_page_names_its_file() {
    let site = Fixture::copy("journal");
    site.milepost(&["build", "--for-disk"]).succeeded();
    let mut pages = 0;
    for (page, link) in crate::links::links(&site.path("public")) {
        if page == "404.html" || link.contains("://") || link.starts_with('#') {
            continue;
        }
        let path = link.split(['#', '?']).next().unwrap();
        // Opened from disk, a link to a folder shows its listing, not the page.
        assert!(!path.ends_with('/') && !path.is_empty(), "{page}: {link} names a folder");
        pages += usize::from(path.ends_with("index.html"));
    }
    assert!(pages > 50, "only {pages} links to pages");
    assert_all_resolve(&site.path("public"), "https://example.org/diary/");
    // Built again the usual way, the links are folders once more.
    site.milepost(&["build"]).succeeded();
    assert!(!site.read("public/index.html").contains("/index.html\""));
}

#[test]
fn output_folders_that_would_harm_the_site_are_refused() {
    let site = built();
    let before = site.files("");
    for output in [".", "..", "content", "content/out", "themes"] {
        let run = site.milepost(&["build", "--output", output]);
        let err = run.failed();
        assert!(err.contains("refusing to build into"), "{output}: {err}");
    }
    // A folder that holds a site elsewhere.
    let other = Fixture::copy("journal");
    let err = site.milepost(&["build", "--output", other.root().to_str().unwrap()]);
    assert!(err.failed().contains("looks like a site"));
    assert_eq!(site.files(""), before, "nothing was written or removed");
}

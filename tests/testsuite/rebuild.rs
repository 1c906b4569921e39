//! What a build may skip because the last one recorded it (`.milepost/build/`),
//! and what it must never get wrong for that: the output always equals a clean
//! build's, whatever was edited in the sources or in the output itself, and a
//! build that fails part-way takes back every file it wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use milepost::BuildOptions;

use crate::fixture::{Fixture, tree};

fn build(site: &Fixture) -> milepost::write::WriteReport {
    milepost::build(&site.site(), &BuildOptions::default()).unwrap().write.unwrap()
}

fn modified_times(dir: &Path) -> BTreeMap<String, SystemTime> {
    tree(dir)
        .into_keys()
        .map(|p| (p.clone(), std::fs::metadata(dir.join(&p)).unwrap().modified().unwrap()))
        .collect()
}

/// Asserts `public/` holds exactly what a clean build of the site makes.
#[track_caller]
pub(crate) fn assert_equals_a_clean_build(site: &Fixture) {
    let options = BuildOptions { output: Some(site.path("clean")), ..BuildOptions::default() };
    milepost::build(&site.site(), &options).unwrap();
    let (clean, public) = (site.files("clean"), site.files("public"));
    assert_eq!(clean.keys().collect::<Vec<_>>(), public.keys().collect::<Vec<_>>());
    for (path, bytes) in &clean {
        assert!(public[path] == *bytes, "{path} differs from a clean build");
    }
    std::fs::remove_dir_all(site.path("clean")).unwrap();
}

#[test]
fn a_body_edit_rewrites_its_page_and_feeds_and_nothing_else() {
    let site = Fixture::copy("journal");
    build(&site);
    let before = modified_times(&site.path("public"));
    // A later paragraph: the summary, shown in lists, stays as it was.
    site.write(
        "content/lisbon/fado.md",
        format!("{}\nThe last song was about the sea.\n", site.read("content/lisbon/fado.md")),
    );
    let report = build(&site);
    let after = modified_times(&site.path("public"));
    let rewritten: Vec<&String> =
        after.iter().filter(|(p, t)| before.get(*p) != Some(t)).map(|(p, _)| p).collect();
    assert_eq!(rewritten, ["feed.xml", "lisbon/fado/index.html", "lisbon/feed.xml"], "{report:?}");
    assert_eq!(report.written, rewritten.len());
    assert!(site.read("public/lisbon/fado/index.html").contains("about the sea"));
    assert_equals_a_clean_build(&site);
}

#[test]
fn edits_that_show_in_lists_rebuild_what_shows_them() {
    let site = Fixture::copy("journal");
    build(&site);
    let fado = site.read("content/lisbon/fado.md");
    site.write("content/lisbon/fado.md", fado.replace("title: Fado at night", "title: Fado, late"));
    build(&site);
    assert!(site.read("public/index.html").contains("Fado, late"));
    assert_equals_a_clean_build(&site);
    // A hashtag in the body makes a tag page.
    site.write(
        "content/lisbon/fado.md",
        format!("{}\nSo much #saudade.\n", site.read("content/lisbon/fado.md")),
    );
    build(&site);
    assert!(site.exists("public/tags/saudade/index.html"));
    assert_equals_a_clean_build(&site);
}

#[test]
fn files_changed_removed_or_added_in_the_output_are_put_right() {
    let site = Fixture::copy("journal");
    build(&site);
    let home = site.read("public/index.html");
    site.write("public/index.html", home.replace("Fado", "Edited by hand"));
    std::fs::remove_file(site.path("public/tags/index.html")).unwrap();
    site.write("public/lisbon/stray.html", "not made by milepost");
    site.write("public/.well-known/keep", "dot-folders are left alone");
    let report = build(&site);
    assert_eq!((report.written, report.removed), (2, 1), "{report:?}");
    assert_eq!(site.read("public/index.html"), home);
    assert!(!site.exists("public/lisbon/stray.html"));
    assert!(site.exists("public/.well-known/keep"));
    std::fs::remove_dir_all(site.path("public/.well-known")).unwrap();
    assert_equals_a_clean_build(&site);
}

/// The default post template, made to fail on one post only, so that other
/// pages are rendered (and handed to the writer) before the build fails.
fn break_the_post_template_on_fado(site: &Fixture) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/post.html");
    let template = std::fs::read_to_string(theme).unwrap();
    let broken = "{% if post.title is starting_with(\"Fado\") %}{{ post.no_such_field }}{% endif %}";
    let (head, tail) = template.split_once("{% block main %}").expect("post.html has a main block");
    site.write("templates/post.html", format!("{head}{{% block main %}}{broken}{tail}"));
}

#[test]
fn a_build_that_fails_while_rendering_takes_back_what_it_wrote() {
    let site = Fixture::copy("journal");
    build(&site);
    let before = site.files("public");
    let times = modified_times(&site.path("public"));
    // Every page changes, and one of them cannot be rendered.
    let config = site.read("site.toml").replacen("title = \"", "title = \"New ", 1);
    site.write("site.toml", config);
    site.write("content/lisbon/new-post.md", "---\ntitle: New\ndate: 2020-05-09\n---\nA new post.\n");
    break_the_post_template_on_fado(&site);
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("no_such_field"), "{err}");
    assert_eq!(site.files("public"), before, "the output is as it was, with no file added");
    assert_eq!(modified_times(&site.path("public")), times);
    assert!(!site.exists("public/lisbon/new-post"), "no folder added either");

    // Into a folder that did not exist: it is not left behind half made.
    let run = site.milepost(&["build", "--output", "fresh"]);
    run.failed();
    assert!(!site.exists("fresh") || site.files("fresh").is_empty());
    assert!(!site.exists("fresh/lisbon"));
}

#[test]
fn a_card_that_cannot_be_rendered_names_its_template_and_leaves_the_output() {
    let site = Fixture::copy("journal");
    build(&site);
    let before = site.files("public");
    site.write("templates/card.html", "<li>{{ post.no_such_field }}</li>");
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("card.html"), "{err}");
    assert!(err.contains("no_such_field"), "{err}");
    assert_eq!(site.files("public"), before);
}

#[test]
fn a_front_matter_field_that_lists_show_rebuilds_the_lists() {
    let site = Fixture::copy("journal");
    build(&site);
    let home_before = site.read("public/index.html");
    // `summary:` is new to this post; its card (and its page's description) show it.
    let fado = site.read("content/lisbon/fado.md");
    site.write(
        "content/lisbon/fado.md",
        fado.replace("location: Mouraria\n", "location: Mouraria\nsummary: Songs of the sea, sung late.\n"),
    );
    build(&site);
    for list in ["public/index.html", "public/lisbon/index.html"] {
        assert!(site.read(list).contains("Songs of the sea, sung late."), "{list} shows the new summary");
    }
    assert_ne!(site.read("public/index.html"), home_before);
    assert_equals_a_clean_build(&site);
}

#[test]
fn new_and_removed_posts_templates_and_photos_equal_a_clean_build() {
    let site = Fixture::copy("journal");
    build(&site);
    site.write(
        "content/lisbon/ferry.md",
        "---\ntitle: Ferry\ndate: 2020-05-04T08:00:00+01:00\ntags: [river]\n---\nAcross the river.\n",
    );
    build(&site);
    assert!(site.exists("public/lisbon/ferry/index.html"));
    assert_equals_a_clean_build(&site);

    std::fs::remove_file(site.path("content/lisbon/sintra.md")).unwrap();
    build(&site);
    assert!(!site.exists("public/lisbon/sintra"));
    assert_equals_a_clean_build(&site);

    site.write(
        "templates/card.html",
        "<li class=\"mine\"><a href=\"{{ post.href }}\">{{ post.title }}</a></li>",
    );
    build(&site);
    assert!(site.read("public/index.html").contains("class=\"mine\""));
    assert_equals_a_clean_build(&site);

    // A photo replaced by one of another size: its variants and every page showing it change.
    let window = std::fs::read(site.path("content/lisbon/tram/window.jpg")).unwrap();
    std::fs::copy(site.path("content/pages/contact/portrait.jpg"), site.path("content/lisbon/tram/tram.jpg"))
        .unwrap();
    build(&site);
    assert_equals_a_clean_build(&site);
    site.write("content/lisbon/tram/tram.jpg", window);
    build(&site);
    assert_equals_a_clean_build(&site);
}

#[test]
fn a_title_edit_rewrites_the_pages_that_show_the_post_and_no_other() {
    let site = Fixture::copy("journal");
    build(&site);
    let before = modified_times(&site.path("public"));
    let fado = site.read("content/lisbon/fado.md");
    site.write("content/lisbon/fado.md", fado.replace("title: Fado at night", "title: Fado, late"));
    let report = build(&site);
    let after = modified_times(&site.path("public"));
    let rewritten: Vec<&str> =
        after.iter().filter(|(p, t)| before.get(*p) != Some(t)).map(|(p, _)| p.as_str()).collect();
    for shows_it in
        ["index.html", "lisbon/fado/index.html", "lisbon/index.html", "timeline/index.html", "feed.xml"]
    {
        assert!(rewritten.contains(&shows_it), "{shows_it} shows the title: {rewritten:?}");
    }
    for does_not in ["about/index.html", "tags/index.html", "trips/index.html", "404.html", "sitemap.xml"] {
        assert!(!rewritten.contains(&does_not), "{does_not} does not show the title: {rewritten:?}");
    }
    assert!(report.written < after.len() / 2, "{report:?}");
    assert_equals_a_clean_build(&site);
}

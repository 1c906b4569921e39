//! One fixture for each bad input the SPEC names: each build fails with a
//! non-zero exit and a message naming the file (and line) and how to fix it,
//! never a panic, and leaves the previous output as it was.

use crate::fixture::Fixture;

/// Builds `tests/fixtures/bad/<case>` over a previous output and returns
/// what it printed, after checking the output was not touched.
fn fails(case: &str) -> String {
    let site = Fixture::copy(&format!("bad/{case}"));
    site.write("public/index.html", "the previous build");
    let stderr = site.milepost(&["build"]).failed().to_string();
    assert_eq!(site.read("public/index.html"), "the previous build", "{case}: the output was touched");
    assert_eq!(site.files("public").len(), 1, "{case}: the output was touched");
    assert!(stderr.contains("hint: "), "{case}: no hint in\n{stderr}");
    stderr
}

#[test]
fn malformed_yaml() {
    let err = fails("malformed-yaml");
    assert!(err.contains("error: content/post.md:3: the front matter is not valid"), "{err}");
    assert!(err.contains("must be quoted"), "{err}");
}

#[test]
fn missing_title() {
    let err = fails("missing-title");
    assert!(err.contains("content/post.md:1: this post has no title"), "{err}");
}

#[test]
fn impossible_date() {
    let err = fails("impossible-date");
    assert!(
        err.contains("content/post.md:3: `2017-02-30` is not a real date: February 2017 has 28 days"),
        "{err}"
    );
}

#[test]
fn unclosed_front_matter() {
    let err = fails("unclosed-front-matter");
    assert!(
        err.contains("content/post.md:1: the front matter opened with `---` on line 1 is never closed"),
        "{err}"
    );
}

#[test]
fn unknown_front_matter_key() {
    let err = fails("unknown-key");
    assert!(err.contains("content/post.md:4: unknown front-matter key `loaction`"), "{err}");
    assert!(err.contains("did you mean `location`?"), "{err}");
}

#[test]
fn unknown_site_toml_key() {
    let err = fails("bad-site-toml");
    assert!(err.contains("site.toml:2: unknown key `baseurl`"), "{err}");
    assert!(err.contains("did you mean `base_url`?"), "{err}");
}

#[test]
fn two_sources_on_one_url() {
    let err = fails("two-sources-one-url");
    assert!(
        err.contains("two sources would be published at /trip/race/: content/trip/race.md and content/trip/race/index.md"),
        "{err}"
    );
}

#[test]
fn broken_template_override() {
    let err = fails("broken-template");
    assert!(err.contains("templates/post.html:3:"), "{err}");
}

#[test]
fn missing_photo_suggests_a_near_name() {
    let err = fails("missing-photo");
    assert!(err.contains("content/race/index.md:5: the photo `stadium.jpg` does not exist"), "{err}");
    assert!(err.contains("did you mean `stadiun.jpg`?"), "{err}");
}

#[test]
fn photo_path_leaving_the_site() {
    let err = fails("photo-outside-site");
    assert!(
        err.contains(
            "content/race/index.md:5: the photo `../../site.toml` leads outside the site's content folder"
        ),
        "{err}"
    );
}

#[test]
fn every_problem_of_every_post_in_one_run() {
    let err = fails("many-problems");
    assert!(err.contains("content/a.md:3: `2020-02-30` is not a real date"), "{err}");
    assert!(err.contains("content/b.md:1: this post has no title"), "{err}");
    assert!(err.contains("content/c.md:4: unknown front-matter key `tagz`"), "{err}");
    assert!(err.contains("3 problems found"), "{err}");
}

#[test]
fn a_file_that_is_not_utf8() {
    let site = Fixture::copy("bad/missing-title");
    site.write("content/post.md", b"---\ntitle: Caf\xe9\ndate: 2020-01-01\n---\n");
    let run = site.milepost(&["build"]);
    let err = run.failed();
    assert!(err.contains("content/post.md:2: this file is not UTF-8 text"), "{err}");
    assert!(err.contains("save it with the UTF-8 encoding"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_neither_hangs_nor_panics() {
    let site = Fixture::copy("bad/missing-title");
    site.write("content/post.md", "---\ntitle: Fine\ndate: 2020-01-01\n---\n");
    std::os::unix::fs::symlink("..", site.path("content/trip-loop")).unwrap();
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("content/trip-loop: this link loops back to the site folder"), "{err}");
    assert!(!site.exists("public"));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_site_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\ntitle: Secret\ndate: 2020-01-01\n---\n").unwrap();
    let site = Fixture::copy("bad/missing-title");
    site.write("content/post.md", "---\ntitle: Fine\ndate: 2020-01-01\n---\n");
    std::os::unix::fs::symlink(outside.path(), site.path("content/elsewhere")).unwrap();
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(err.contains("content/elsewhere: this link leads outside the site folder"), "{err}");
}

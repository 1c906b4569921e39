//! Crash safety: a build killed at any moment leaves every output file whole
//! (its old or its new version), and the next build repairs the output to
//! exactly what a clean build makes; a torn photo cache entry is made again,
//! never published.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::Fixture;

/// The kill test's runs: 40 in a plain `cargo test` (about 45 s on two
/// cores); `MILEPOST_KILL_RUNS=200 cargo test --test testsuite crash` for the
/// long run docs/RELIABILITY.md reports.
fn runs() -> usize {
    std::env::var("MILEPOST_KILL_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(40)
}

/// A site of `posts` posts, each a bundle with a photo, titled by `version`:
/// every page differs between two versions, and version 2 drops one post
/// and adds another, so a build from one to the other replaces, adds and
/// removes files.
fn write_site(site: &Fixture, version: u32, posts: usize) {
    let _ = std::fs::remove_dir_all(site.path("content"));
    site.write(
        "site.toml",
        format!("title = \"Journal, version {version}\"\nbase_url = \"https://example.org/\"\n"),
    );
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/photos/content/trip/2019-06-01-harbour/mid.jpg"),
    )
    .unwrap();
    let first = if version == 1 { 0 } else { 1 };
    for n in first..posts + first {
        let dir = format!("content/trip/2020-03-{:02}-day-{n}", 1 + n % 28);
        site.write(
            &format!("{dir}/index.md"),
            format!(
                "---\ntitle: Day {n} (v{version})\nphotos: [field.jpg]\n---\nWalked {n} km. #walk #v{version}\n\n{}\n",
                "A paragraph of the day. ".repeat(40)
            ),
        );
        site.write(&format!("{dir}/field.jpg"), &photo);
    }
}

fn build(site: &Fixture) {
    site.milepost(&["build"]).succeeded();
}

/// The output as a reader would take it: every file but our own temporary
/// ones (dot-files an interrupted build leaves, removed by the next).
fn output(site: &Fixture) -> BTreeMap<String, Vec<u8>> {
    let mut files = site.files("public");
    files.retain(|path, _| !path.contains(".milepost-tmp"));
    files
}

/// A small random number generator, seeded, so a failing run can be repeated.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound.max(1)
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_whole_files_and_the_next_build_repairs_it() {
    let site = Fixture::empty();
    // The two versions as clean builds make them.
    write_site(&site, 2, 40);
    build(&site);
    let new = output(&site);
    std::fs::remove_dir_all(site.path("public")).unwrap();
    write_site(&site, 1, 40);
    build(&site);
    let old = output(&site);
    assert!(old.len() > 100 && new.len() > 100, "{} {}", old.len(), new.len());

    // How long a build from the old version to the new one takes, to aim the kills.
    write_site(&site, 2, 40);
    let start = Instant::now();
    build(&site);
    let span = start.elapsed().as_micros() as u64;

    let mut random = Lcg(0x5eed);
    let (mut torn_runs, mut finished) = (0, 0);
    for run in 0..runs() {
        // Back to the old site, its output and its record, built whole.
        write_site(&site, 1, 40);
        build(&site);
        // The photos are made again each time, so kills land in the cache's writes too.
        let _ = std::fs::remove_dir_all(site.path(".milepost/cache"));
        write_site(&site, 2, 40);

        let delay = Duration::from_micros(random.below(span * 5 / 4));
        let mut child = Command::new(env!("CARGO_BIN_EXE_milepost"))
            .arg("build")
            .current_dir(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        finished += usize::from(status.success());

        let mut mixed = false;
        for (path, bytes) in output(&site) {
            let is_old = old.get(&path) == Some(&bytes);
            let is_new = new.get(&path) == Some(&bytes);
            assert!(
                is_old || is_new,
                "run {run} (killed after {delay:?}): {path} is neither its old nor its new version ({} bytes)",
                bytes.len()
            );
            mixed |= is_new && !is_old;
        }
        torn_runs += usize::from(mixed);

        build(&site);
        let repaired = site.files("public");
        assert!(
            repaired == new,
            "run {run} (killed after {delay:?}): the next build did not repair the output: {:?}",
            repaired.keys().filter(|p| new.get(*p) != repaired.get(*p)).collect::<Vec<_>>()
        );
    }
    // The kills must have landed while files were being written, not only before or after.
    assert!(torn_runs > runs() / 20, "only {torn_runs} runs were killed while writing");
    assert!(finished < runs(), "every build finished before its kill");
}

#[test]
fn a_torn_cache_entry_is_made_again_not_published() {
    let site = Fixture::copy("photos");
    site.milepost(&["build"]).succeeded();
    let clean = site.files("public");
    // Cut every cached variant short, as a full disk or a crash before the data reached it would.
    let mut torn = 0;
    for entry in walkdir::WalkDir::new(site.path(".milepost/cache")) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.file_type().is_file() && (name.ends_with(".jpg") || name.ends_with(".webp")) {
            let len = std::fs::metadata(entry.path()).unwrap().len();
            if torn % 2 == 0 {
                // Cut in place: the output's hard link to it is torn as well.
                std::fs::OpenOptions::new().write(true).open(entry.path()).unwrap().set_len(len / 2).unwrap();
            } else {
                // Replaced by a half copy: the output still links the whole one.
                let bytes = std::fs::read(entry.path()).unwrap();
                std::fs::remove_file(entry.path()).unwrap();
                std::fs::write(entry.path(), &bytes[..bytes.len() / 2]).unwrap();
            }
            torn += 1;
        }
    }
    assert!(torn >= 10, "{torn}");
    let out = site.milepost(&["build"]).succeeded().to_string();
    assert!(out.contains(&format!("{torn} variants made")), "{out}");
    assert!(site.files("public") == clean, "the output differs from a clean build's");
}

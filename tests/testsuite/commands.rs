//! The other commands: init, new, check and --help, as a traveller runs them.

use crate::fixture::Fixture;

#[test]
fn init_makes_a_site_that_builds_with_the_builtin_theme() {
    let dir = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_milepost"))
        .args(["init", "diary"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let site = dir.path().join("diary");
    assert!(site.join("site.toml").is_file());
    assert!(!site.join("themes").exists(), "the default theme is built in");
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_milepost"))
        .args(["build"])
        .current_dir(site.join("content"))
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    assert!(site.join("public/first-trip/arrival/index.html").is_file());
    assert!(site.join("public/about/index.html").is_file());
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_milepost"))
        .args(["init", "diary"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!again.status.success(), "init refuses a folder holding a site");
}

#[test]
fn new_writes_a_post_that_builds() {
    let site = Fixture::copy("journal");
    let run = site.milepost(&["new", "Ferry to \"Cacilhas\": day 4", "--trip", "lisbon"]);
    assert!(run.succeeded().contains("content/lisbon/ferry-to-cacilhas-day-4/index.md"), "{}", run.stdout);
    let text = site.read("content/lisbon/ferry-to-cacilhas-day-4/index.md");
    assert!(text.starts_with("---\ntitle: \"Ferry to \\\"Cacilhas\\\": day 4\"\ndate: "), "{text}");
    site.milepost(&["build"]).succeeded();
    assert!(
        site.read("public/lisbon/ferry-to-cacilhas-day-4/index.html")
            .contains("Ferry to &quot;Cacilhas&quot;: day 4")
    );
    let again = site.milepost(&["new", "Ferry to \"Cacilhas\": day 4", "--trip", "lisbon"]);
    assert!(again.failed().contains("exists already"));
}

#[test]
fn new_names_the_trips_when_the_trip_is_unknown() {
    let site = Fixture::copy("journal");
    let err = site.milepost(&["new", "Hello", "--trip", "lisbn"]).failed().to_string();
    assert!(err.contains("there is no trip `lisbn`") && err.contains("the trips are: lisbon"), "{err}");
}

#[test]
fn outside_a_site_the_message_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_milepost"))
        .arg("build")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(err.contains("no site.toml in") && err.contains("milepost init"), "{err}");
}

#[test]
fn every_command_has_help() {
    let site = Fixture::copy("journal");
    for command in ["build", "check", "new", "init"] {
        let run = site.milepost(&[command, "--help"]);
        assert!(run.succeeded().contains("Usage: milepost"), "{command}");
    }
}

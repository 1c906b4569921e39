//! Videos among a post's photos: shown in a `<video>` of the right size with
//! its poster and caption, published without the place it was shot or any
//! other metadata (read back from the published file), and every bad video
//! reported with its post.

use std::path::Path;

use milepost::video::{self, Container};

use crate::fixture::Fixture;

const MEDIA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/media");
const PHOTOS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/photos/content/trip/2019-06-01-harbour");

/// The video fixture with its media copied in from where they live once.
pub fn fixture() -> Fixture {
    let site = Fixture::copy("video");
    let copy = |from: &Path, to: &str| {
        std::fs::copy(from, site.path(to)).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    };
    let media = Path::new(MEDIA);
    copy(&media.join("location.mp4"), "content/walk/2017-04-12-before-the-start/walk.mp4");
    copy(&Path::new(PHOTOS).join("mid.jpg"), "content/walk/2017-04-12-before-the-start/road.jpg");
    copy(&media.join("apple.mov"), "content/walk/2017-04-13-clips/turned.mov");
    copy(&media.join("tagged.webm"), "content/walk/2017-04-13-clips/clip.webm");
    copy(&Path::new(PHOTOS).join("turned.jpg"), "content/walk/2017-04-13-clips/still.jpg");
    site
}

fn built() -> Fixture {
    let site = fixture();
    site.milepost(&["build"]).succeeded();
    site
}

#[test]
fn the_fixtures_carry_a_location_before_milepost_touches_them() {
    // Without this, the tests below could pass on files that never had one.
    for name in ["location.mp4", "apple.mov", "tagged.webm"] {
        let path = Path::new(MEDIA).join(name);
        assert!(video::read(&path).unwrap().location.is_some(), "{name}");
        assert!(!video::metadata_left(&path).unwrap().is_empty(), "{name}");
    }
}

#[test]
fn a_published_video_has_its_size_and_length_and_no_location() {
    let site = built();
    for (published, container, size) in [
        ("public/walk/before-the-start/walk.mp4", Container::Mp4, (64, 36)),
        // Stored 96x54 and turned a quarter on the phone: shown upright.
        ("public/walk/clips/turned.mov", Container::Mov, (54, 96)),
        ("public/walk/clips/clip.webm", Container::Webm, (64, 36)),
    ] {
        let path = site.path(published);
        let facts = video::read(&path).unwrap_or_else(|e| panic!("{published}: {e}"));
        assert_eq!((facts.width, facts.height), size, "{published}");
        assert!((1900..=2100).contains(&facts.duration_ms), "{published}: {}", facts.duration_ms);
        assert_eq!(facts.container, container, "{published}");
        assert_eq!(facts.location, None, "{published}");
        assert_eq!(video::metadata_left(&path).unwrap(), Vec::<String>::new(), "{published}");
        let bytes = std::fs::read(&path).unwrap();
        for secret in [&b"+35.6895"[..], b"139.6917", b"Grandma"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret), "{published} still holds {secret:?}");
        }
    }
}

#[test]
fn the_page_shows_each_video_sized_with_its_poster_and_caption() {
    let site = built();
    let page = site.read("public/walk/before-the-start/index.html");
    // No poster given: the next photo of the list is shown before it plays.
    assert!(page.contains(
        "<video controls playsinline preload=\"metadata\" width=\"64\" height=\"36\" poster=\"road-600.jpg\" \
         aria-label=\"Runners walking to the start line\"><source src=\"walk.mp4\" type=\"video/mp4\">"
    ), "{page}");
    assert!(
        page.contains("<figcaption>Footage by a friend on the walk before the start <a class=\"hashtag\"")
    );
    let clips = site.read("public/walk/clips/index.html");
    // `media:` is `photos:` by another name; `poster:` picks the picture.
    assert!(
        clips.contains(
            "width=\"54\" height=\"96\" poster=\"still-60.jpg\" aria-label=\"Filmed upright on a phone\">\
         <source src=\"turned.mov\" type=\"video/mp4\">"
        ),
        "{clips}"
    );
    // The last video has no photo after it: no poster.
    assert!(clips.contains(
        "<video controls playsinline preload=\"metadata\" width=\"64\" height=\"36\"><source src=\"clip.webm\" type=\"video/webm\">"
    ), "{clips}");
    // A post of videos only shows its first poster on its card.
    let home = site.read("public/index.html");
    assert!(home.contains("walk/clips/still-60.jpg"), "{home}");
    // Feeds link to the video, shown by its poster.
    let feed = site.read("public/feed.xml");
    assert!(feed.contains("walk/clips/turned.mov"), "{feed}");
}

#[test]
fn a_photo_in_the_text_already_in_a_link_is_not_wrapped_in_another() {
    let site = built();
    let page = site.read("public/walk/before-the-start/index.html");
    assert!(page.contains("<a href=\"https://example.org/about/\"><picture>"), "{page}");
    assert!(!page.contains("<a href=\"https://example.org/about/\"><a class=\"zoom\""), "{page}");
}

#[test]
fn a_second_build_cleans_nothing_and_unused_copies_leave_the_cache() {
    let site = built();
    let cached = |site: &Fixture| {
        crate::fixture::tree(&site.path(".milepost/cache"))
            .into_keys()
            .filter(|k| k.starts_with("videos-"))
            .count()
    };
    assert_eq!(cached(&site), 3);
    let before = site.files("public");
    std::fs::remove_dir_all(site.path("public")).unwrap();
    site.milepost(&["build"]).succeeded();
    assert_eq!(site.files("public"), before);
    std::fs::remove_file(site.path("content/walk/2017-04-13-clips/clip.webm")).unwrap();
    site.write(
        "content/walk/2017-04-13-clips/index.md",
        "---\ntitle: Clips\nmedia:\n  - src: turned.mov\n---\n",
    );
    site.milepost(&["build"]).succeeded();
    assert_eq!(cached(&site), 2);
}

#[test]
fn a_video_nobody_shows_is_still_published_clean() {
    let site = fixture();
    std::fs::copy(Path::new(MEDIA).join("tagged.webm"), site.path("content/walk/spare.webm")).unwrap();
    site.milepost(&["build"]).succeeded();
    let path = site.path("public/walk/spare.webm");
    assert_eq!(video::metadata_left(&path).unwrap(), Vec::<String>::new());
}

#[test]
fn a_corrupt_video_names_the_post_line_and_file() {
    let site = built();
    let before = site.files("public");
    std::fs::copy(Path::new(MEDIA).join("corrupt.mp4"), site.path("content/walk/2017-04-13-clips/clip.webm"))
        .unwrap();
    std::fs::rename(
        site.path("content/walk/2017-04-13-clips/clip.webm"),
        site.path("content/walk/2017-04-13-clips/broken.mp4"),
    )
    .unwrap();
    site.write(
        "content/walk/2017-04-13-clips/index.md",
        "---\ntitle: Clips\nmedia:\n  - turned.mov\n  - broken.mp4\n---\n",
    );
    let message = site.milepost(&["build"]).failed().to_string();
    assert!(message.contains("content/walk/2017-04-13-clips/index.md:5"), "{message}");
    assert!(message.contains("the video `broken.mp4` cannot be used"), "{message}");
    assert!(message.contains("export it again"), "{message}");
    assert_eq!(site.files("public"), before, "the previous output is left as it was");
}

#[test]
fn a_video_that_cannot_be_cleaned_is_refused_unless_originals_are_published() {
    let site = built();
    // Lying in content/ and shown by no post: it would still be published.
    std::fs::copy(Path::new(MEDIA).join("corrupt.mp4"), site.path("content/walk/spare.mp4")).unwrap();
    for command in ["build", "check"] {
        let message = site.milepost(&[command]).failed().to_string();
        assert!(message.contains("content/walk/spare.mp4"), "{command}: {message}");
        assert!(message.contains("cannot be published without what it may carry"), "{command}: {message}");
    }
    site.write("site.toml", site.read("site.toml") + "publish_originals = true\n");
    let run = site.milepost(&["build"]);
    run.succeeded();
    let said = &run.stderr;
    assert!(said.contains("spare.mp4") && said.contains("published as it is"), "{said}");
    assert_eq!(
        std::fs::read(site.path("public/walk/spare.mp4")).unwrap(),
        std::fs::read(Path::new(MEDIA).join("corrupt.mp4")).unwrap()
    );
}

#[test]
fn a_large_video_gets_a_warning_naming_it() {
    let site = fixture();
    site.write("site.toml", site.read("site.toml") + "video_warn_mb = 0\n");
    let run = site.milepost(&["build"]);
    run.succeeded();
    let said = &run.stderr;
    assert!(said.contains("content/walk/2017-04-13-clips/turned.mov"), "{said}");
    assert!(said.contains("over the 0 MB the site warns at"), "{said}");
}

#[test]
fn a_poster_on_a_photo_is_an_error() {
    let site = fixture();
    site.write(
        "content/walk/2017-04-13-clips/index.md",
        "---\ntitle: Clips\nmedia:\n  - src: still.jpg\n    poster: still.jpg\n---\n",
    );
    let message = site.milepost(&["build"]).failed().to_string();
    assert!(message.contains("which is not a video"), "{message}");
}

//! `milepost import instagram`: exports in each layout, as folders and as
//! zips, made here; what one post becomes; re-imports; bad exports.

use std::io::Write;
use std::path::Path;

use crate::fixture::Fixture;

/// Instagram writes each UTF-8 byte of a caption as its own character.
fn mojibake(text: &str) -> String {
    text.bytes().map(|b| format!("\\u{b:04x}")).collect()
}

fn jpeg(shade: u8) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(16, 16, image::Rgb([shade, 100, 50]));
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut bytes).encode_image(&image).unwrap();
    bytes
}

/// The files of an export: (path, bytes). `layout` is where the posts file
/// goes (`content`, `your_instagram_activity/content`, `your_instagram_activity/media`).
fn export_files(layout: &str) -> Vec<(String, Vec<u8>)> {
    let caption = mojibake("Sydney ☀️ café #harbour#bridge with @ana_k\nSecond line");
    let posts = format!(
        r#"[
  {{"media": [
      {{"uri": "media/posts/201904/a.jpg", "creation_timestamp": 1555130000, "title": "",
        "media_metadata": {{"photo_metadata": {{"exif_data": [{{"latitude": -33.8568, "longitude": 151.2153}}]}}}}}},
      {{"uri": "media/posts/201904/b.webp", "creation_timestamp": 1555130000, "title": ""}}],
    "title": "{caption}", "creation_timestamp": 1555130000}},
  {{"media": [{{"uri": "media/posts/201904/c.jpg", "creation_timestamp": 1555230000, "title": "Lisbon tram #tram28"}}]}},
  {{"media": {{"uri": "media/posts/201904/start", "creation_timestamp": 1555330000, "title": "Start line #marathon"}}}},
  {{"media": [{{"uri": "", "creation_timestamp": 1555430000, "title": "A photo that was lost #lost"}}]}}
]"#
    );
    // A real phone video, carrying where it was shot: the build publishes it cleaned.
    let video =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/media/location.mp4")).unwrap();
    vec![
        (format!("{layout}/posts_1.json"), posts.into_bytes()),
        ("media/posts/201904/a.jpg".to_string(), jpeg(10)),
        // Real exports name JPEG files .webp: the bytes decide.
        ("media/posts/201904/b.webp".to_string(), jpeg(80)),
        ("media/posts/201904/c.jpg".to_string(), jpeg(160)),
        ("media/posts/201904/start".to_string(), video),
    ]
}

fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn site() -> Fixture {
    let site = Fixture::empty();
    site.write(
        "site.toml",
        "title = \"Imported\"\nbase_url = \"https://example.org/\"\ntimezone = \"Europe/Lisbon\"\n",
    );
    site
}

#[test]
fn every_layout_zipped_or_not_becomes_the_same_posts() {
    for layout in ["content", "your_instagram_activity/content", "your_instagram_activity/media"] {
        for zipped in [false, true] {
            let site = site();
            let export = site.path("export");
            let files = export_files(layout);
            let export = if zipped {
                let zip = site.path("export.zip");
                write_zip(&zip, &files);
                zip
            } else {
                write_folder(&export, &files);
                export
            };
            let run = site.milepost(&["import", "instagram", export.to_str().unwrap()]);
            let out = run.succeeded();
            assert!(
                out.contains("Imported 4 posts (3 photos, 1 video)"),
                "{layout} {zipped}: {out}\n{}",
                run.stderr
            );
            assert!(run.stderr.contains("no file named"), "{}", run.stderr);

            let carousel = site.read("content/instagram/2019-04-13-sydney-café-with/index.md");
            assert!(carousel.contains("title: \"Sydney ☀️ café with\""), "{carousel}");
            assert!(carousel.contains("date: 2019-04-13T05:33:20+01:00"), "{carousel}");
            assert!(carousel.contains("coords: [-33.856800, 151.215300]"), "{carousel}");
            assert!(carousel.contains("photos:\n  - \"a.jpg\"\n  - \"b.jpg\"\n"), "{carousel}");
            assert!(carousel.contains("#harbour#bridge with @ana\\_k\\\nSecond line"), "{carousel}");
            assert!(carousel.contains("instagram: "));
            assert!(site.exists("content/instagram/2019-04-13-sydney-café-with/b.jpg"));
            let video = site.read("content/instagram/2019-04-15-start-line/index.md");
            // A video is listed with the photos, shown in a player.
            assert!(video.contains("photos:\n  - \"start.mp4\"\n"), "{video}");
            assert!(site.exists("content/instagram/2019-04-15-start-line/start.mp4"));
            assert!(
                site.read("content/instagram/2019-04-16-a-photo-that-was-lost/index.md").contains("#lost")
            );
        }
    }
}

#[test]
fn an_export_inside_a_folder_of_its_own_is_found() {
    let site = site();
    let files: Vec<(String, Vec<u8>)> = export_files("your_instagram_activity/media")
        .into_iter()
        .map(|(name, bytes)| (format!("instagram-ana-2025-01-01/{name}"), bytes))
        .collect();
    write_zip(&site.path("export.zip"), &files);
    let out = site.milepost(&["import", "instagram", "export.zip"]).succeeded().to_string();
    assert!(out.contains("Imported 4 posts (3 photos, 1 video)"), "{out}");
}

#[test]
fn the_imported_site_builds_with_its_tags() {
    let site = site();
    write_folder(&site.path("export"), &export_files("content"));
    site.milepost(&["import", "instagram", "export", "--trip", "sydney-2019"]).succeeded();
    assert!(site.read("content/sydney-2019/_trip.md").contains("title: \"Sydney 2019\""));
    site.milepost(&["build"]).succeeded();
    for tag in ["harbour", "bridge", "tram28", "marathon", "lost"] {
        assert!(site.exists(&format!("public/tags/{tag}/index.html")), "{tag}");
    }
    let page = site.read("public/sydney-2019/sydney-café-with/index.html");
    assert!(page.contains("<span class=\"mention\">@ana_k</span>"), "{page}");
    // The reel plays on its page, published without the place it was shot.
    let reel = site.read("public/sydney-2019/start-line/index.html");
    assert!(reel.contains("<source src=\"start.mp4\" type=\"video/mp4\">"), "{reel}");
    let published = milepost::video::read(&site.path("public/sydney-2019/start-line/start.mp4")).unwrap();
    assert_eq!(published.location, None);
}

#[test]
fn importing_again_adds_nothing_and_keeps_edits() {
    let site = site();
    write_folder(&site.path("export"), &export_files("content"));
    site.milepost(&["import", "instagram", "export"]).succeeded();
    let post = "content/instagram/2019-04-14-lisbon-tram/index.md";
    site.write(post, site.read(post).replace("Lisbon tram", "Lisbon tram, edited"));
    let before = site.files("content");
    let out = site.milepost(&["import", "instagram", "export"]).succeeded().to_string();
    assert!(out.contains("Imported 0 posts") && out.contains("4 imported before"), "{out}");
    assert_eq!(site.files("content"), before);
}

#[test]
fn a_dry_run_lists_and_writes_nothing() {
    let site = site();
    write_folder(&site.path("export"), &export_files("content"));
    let out = site.milepost(&["import", "instagram", "export", "--dry-run"]).succeeded().to_string();
    assert!(out.contains("would make content/instagram/2019-04-14-lisbon-tram/index.md"), "{out}");
    assert!(out.contains("Would import 4 posts (4 media files)"), "{out}");
    assert!(!site.exists("content"));
}

#[test]
fn a_zip_that_climbs_out_is_refused_and_nothing_written() {
    let site = site();
    let mut files = export_files("content");
    files.push(("../escaped.txt".to_string(), b"out".to_vec()));
    write_zip(&site.path("export.zip"), &files);
    let stderr = site.milepost(&["import", "instagram", "export.zip"]).failed().to_string();
    assert!(stderr.contains("../escaped.txt") && stderr.contains("outside"), "{stderr}");
    assert!(!site.exists("content") && !site.path("../escaped.txt").exists());

    let mut zip = zip::ZipWriter::new(std::fs::File::create(site.path("link.zip")).unwrap());
    zip.add_symlink("content/posts_1.json", "/etc/passwd", zip::write::SimpleFileOptions::default()).unwrap();
    zip.finish().unwrap();
    let stderr = site.milepost(&["import", "instagram", "link.zip"]).failed().to_string();
    assert!(stderr.contains("outside the export (or a link)"), "{stderr}");
    assert!(!site.exists("content"));
}

#[test]
fn bad_exports_say_what_is_wrong() {
    let site = site();
    write_folder(
        &site.path("broken"),
        &[("content/posts_1.json".to_string(), b"[\n  {\"media\": [\n  }\n".to_vec())],
    );
    let stderr = site.milepost(&["import", "instagram", "broken"]).failed().to_string();
    assert!(stderr.contains("posts_1.json") && stderr.contains("line 3"), "{stderr}");

    write_folder(&site.path("old"), &[("media.json".to_string(), b"{}".to_vec())]);
    let stderr = site.milepost(&["import", "instagram", "old"]).failed().to_string();
    assert!(stderr.contains("old layout"), "{stderr}");

    write_folder(
        &site.path("html"),
        &[("your_instagram_activity/content/posts_1.html".to_string(), b"<html>".to_vec())],
    );
    let stderr = site.milepost(&["import", "instagram", "html"]).failed().to_string();
    assert!(stderr.contains("JSON format"), "{stderr}");

    write_folder(&site.path("empty"), &[("readme.txt".to_string(), b"hi".to_vec())]);
    let stderr = site.milepost(&["import", "instagram", "empty"]).failed().to_string();
    assert!(stderr.contains("no posts file"), "{stderr}");
    assert!(!site.exists("content"));
}

/// `files` zipped, with `name` written as `head` followed by `zeros` zero
/// bytes, streamed into the zip (deflate makes megabytes of zeros a few KB).
fn write_zip_with_large(path: &Path, files: &[(String, Vec<u8>)], name: &str, head: &[u8], zeros: usize) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (file, bytes) in files.iter().filter(|(file, _)| file != name) {
        zip.start_file(file.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file(name, zip::write::SimpleFileOptions::default().large_file(zeros > u32::MAX as usize))
        .unwrap();
    zip.write_all(head).unwrap();
    let piece = vec![0u8; 1 << 20];
    for _ in 0..zeros / piece.len() {
        zip.write_all(&piece).unwrap();
    }
    zip.finish().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_large_video_in_a_zip_is_copied_without_holding_it_in_memory() {
    let site = site();
    let files = export_files("your_instagram_activity/content");
    let video = files.iter().find(|(name, _)| name.ends_with("/start")).unwrap().1.clone();
    let zeros = 128 << 20;
    write_zip_with_large(&site.path("export.zip"), &files, "media/posts/201904/start", &video, zeros);
    assert!(std::fs::metadata(site.path("export.zip")).unwrap().len() < 4 << 20);
    let (run, peak) = site.milepost_measured(&["import", "instagram", "export.zip"]);
    run.succeeded();
    assert!(peak < 100 << 20, "peak memory {} MiB for a 128 MiB video", peak >> 20);
    let imported = crate::fixture::tree(&site.path("content"));
    let (_, clip) = imported.iter().find(|(name, _)| name.ends_with(".mp4")).expect("the video imported");
    assert_eq!(clip.len(), video.len() + zeros);
    assert!(clip.starts_with(&video));
}

#[cfg(target_os = "linux")]
#[test]
fn a_posts_file_inflating_past_its_limit_is_refused_in_bounded_memory() {
    let site = site();
    let files = export_files("your_instagram_activity/content");
    let (name, posts) = files.iter().find(|(name, _)| name.ends_with("posts_1.json")).unwrap().clone();
    // The posts, then 300 MB of zeros: refused once past the limit, not
    // read whole first (before, the whole was read, then found broken).
    let mut head = posts;
    head.push(b'\n');
    let zeros = 300 << 20;
    write_zip_with_large(&site.path("export.zip"), &files, &name, &head, zeros);
    let (run, peak) = site.milepost_measured(&["import", "instagram", "export.zip"]);
    let stderr = run.failed();
    assert!(stderr.contains("posts_1.json") && stderr.contains("over 256 MB"), "{stderr}");
    assert!(peak < 400 << 20, "peak memory {} MiB", peak >> 20);
    assert!(!site.exists("content"), "nothing imported");
}

//! Hostile content: huge, deep, odd or malicious input finishes in bounded
//! time and memory with a correct page or a clear message, never a hang or a
//! panic.

use std::time::{Duration, Instant};

use crate::fixture::Fixture;

/// Builds `site`, failing the test if it takes longer than `limit`.
fn build_within(site: &Fixture, limit: Duration) -> crate::fixture::Run {
    let start = Instant::now();
    let run = site.milepost(&["build"]);
    assert!(start.elapsed() < limit, "the build took {:?}", start.elapsed());
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn post(site: &Fixture, slug: &str, front: &str, body: &str) {
    site.write(&format!("content/{slug}/index.md"), format!("---\n{front}\n---\n{body}"));
}

#[test]
fn a_caption_with_a_hundred_thousand_hashtags_builds() {
    let site = Fixture::copy("photos");
    let tags: String = (0..100_000).map(|n| format!("#t{n} ")).collect();
    let md = "content/trip/2019-06-01-harbour/index.md";
    site.write(
        md,
        site.read(md).replace("caption: \"Boats at dawn #harbour\"", &format!("caption: \"{tags}\"")),
    );
    let run = build_within(&site, Duration::from_secs(60));
    run.succeeded();
    // Each tag page shows the post: 100,000 of them would be gigabytes.
    assert!(
        run.stderr.contains("2019-06-01-harbour/index.md")
            && run.stderr.contains("100000 different tags: only its first 100 get tag pages"),
        "{}",
        run.stderr
    );
    assert!(site.exists("public/tags/t99/index.html") && !site.exists("public/tags/t100/index.html"));
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains("href=\"../../tags/t99/\"") && page.contains("#t99999"), "caption kept");
    let size: u64 = site.files("public").values().map(|b| b.len() as u64).sum();
    // The 100 tags' feeds each carry the whole 2 MB caption: bounded, if large.
    assert!(size < 400_000_000, "{size} bytes");
}

#[test]
fn markdown_nested_ten_thousand_deep_builds() {
    let site = Fixture::copy("journal");
    let quotes = format!("{} deep\n", ">".repeat(10_000));
    let lists: String = (0..10_000).map(|n| format!("{}- level {n}\n", "  ".repeat(n))).collect();
    let emphasis = format!("{}deep{}", "*_".repeat(5_000), "_*".repeat(5_000));
    let links = format!("{}x{}", "[".repeat(10_000), "](a)".repeat(10_000));
    post(&site, "2021-01-02-deep", "title: Deep", &format!("{quotes}\n{lists}\n{emphasis}\n\n{links}\n"));
    build_within(&site, Duration::from_secs(60)).succeeded();
    assert!(site.read("public/deep/index.html").contains("deep"));
}

/// A PNG whose header claims `width`×`height` pixels, with a few bytes of data.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crate::photos::crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    // A zlib stream of zeros: what a decompression bomb would go on with.
    chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A baseline JPEG whose frame header claims `width`×`height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    jpeg.extend_from_slice(&height.to_be_bytes());
    jpeg.extend_from_slice(&width.to_be_bytes());
    jpeg.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    jpeg
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    for (name, bytes) in
        [("bomb.png", png_claiming(100_000, 100_000)), ("bomb.jpg", jpeg_claiming(65_000, 65_000))]
    {
        let site = Fixture::copy("journal");
        site.milepost(&["build"]).succeeded();
        site.write(&format!("content/2021-01-03-bomb/{name}"), &bytes);
        post(&site, "2021-01-03-bomb", &format!("title: Bomb\nphotos: [{name}]"), "Boom.");
        let before = site.files("public");
        let run = build_within(&site, Duration::from_secs(30));
        let message = run.failed();
        assert!(message.contains(name) && message.contains("megapixels"), "{message}");
        assert_eq!(site.files("public"), before);
    }
}

#[test]
fn odd_file_names_are_published_and_linked() {
    let site = Fixture::copy("journal");
    let names = ["a photo with spaces.png", "ünïcødé 写真.png", "100% sure.png", "#1 view.png", "what?.png"];
    let png = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/photos/content/trip/2019-06-01-harbour/map.png"),
    )
    .unwrap();
    let mut body = String::new();
    for name in names {
        site.write(&format!("content/2021-01-04-names/{name}"), &png);
        site.write(&format!("content/2021-01-04-names/{name}.txt"), "notes");
        let encoded = name.replace('%', "%25").replace('#', "%23").replace('?', "%3F").replace(' ', "%20");
        body.push_str(&format!("![{name}]({encoded}) [notes]({encoded}.txt)\n\n"));
    }
    post(&site, "2021-01-04-names", "title: Names", &body);
    build_within(&site, Duration::from_secs(30)).succeeded();
    for name in names {
        assert!(site.exists(&format!("public/names/{name}.txt")), "{name}");
    }
    crate::links::assert_all_resolve(&site.path("public"), "https://example.org/diary/");
}

#[test]
fn crlf_line_endings_and_a_byte_order_mark_are_accepted() {
    let site = Fixture::copy("journal");
    let text = "\u{feff}---\r\ntitle: Windows\r\ndate: 2021-01-05\r\ntags: [notepad]\r\n---\r\nWritten on Windows.\r\n\r\nSecond paragraph.\r\n";
    site.write("content/2021-01-05-windows.md", text);
    build_within(&site, Duration::from_secs(30)).succeeded();
    let page = site.read("public/windows/index.html");
    assert!(page.contains("<h1>Windows</h1>") && page.contains("<p>Second paragraph.</p>"), "{page}");
    assert!(site.exists("public/tags/notepad/index.html"));
}

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

/// Peak memory allowed to a build of a fixture with one hostile file: well
/// below the gigabyte that reading the 1 GB file whole would take.
const MEMORY_BOUND: u64 = 400 << 20;

#[cfg(target_os = "linux")]
#[test]
fn a_gigabyte_sparse_file_is_copied_without_reading_it_whole() {
    let site = Fixture::copy("journal");
    post(&site, "2021-01-06-big", "title: Big", "The [whole archive](archive.bin).");
    let big = site.path("content/2021-01-06-big/archive.bin");
    let file = std::fs::File::create(&big).unwrap();
    // A gigabyte of holes with a few real bytes: a sparse file costs no disk.
    file.set_len(1 << 30).unwrap();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = &file;
        file.seek(SeekFrom::Start(12_345_678)).unwrap();
        file.write_all(b"milepost").unwrap();
    }
    drop(file);
    let start = Instant::now();
    let (run, peak) = site.milepost_measured(&["build"]);
    run.succeeded();
    assert!(start.elapsed() < Duration::from_secs(120), "the build took {:?}", start.elapsed());
    assert!(peak < MEMORY_BOUND, "peak memory {} MiB", peak >> 20);
    let published = site.path("public/big/archive.bin");
    let meta = std::fs::metadata(&published).unwrap();
    assert_eq!(meta.len(), 1 << 30);
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut copy = std::fs::File::open(&published).unwrap();
        copy.seek(SeekFrom::Start(12_345_670)).unwrap();
        let mut around = [1u8; 16];
        copy.read_exact(&mut around).unwrap();
        assert_eq!(&around, b"\0\0\0\0\0\0\0\0milepost");
    }
    #[cfg(unix)]
    {
        // Copied as sparse as it came: the test machine's disk is not filled.
        use std::os::unix::fs::MetadataExt;
        assert!(meta.blocks() * 512 < 64 << 20, "{} bytes on disk", meta.blocks() * 512);
    }
    // Built again unchanged, the file is compared, not copied, and still bounded.
    let (again, peak) = site.milepost_measured(&["build"]);
    again.succeeded();
    assert!(peak < MEMORY_BOUND, "peak memory {} MiB", peak >> 20);
    assert_eq!(std::fs::metadata(&published).unwrap().modified().unwrap(), meta.modified().unwrap());
    std::fs::remove_file(&published).unwrap();
    std::fs::remove_file(&big).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_ten_megabyte_post_of_hashtags_and_mentions_builds_in_bounded_memory() {
    let site = Fixture::copy("journal");
    // About 10 MB: paragraphs of words, a hashtag and a mention in each line,
    // with links, so every part of the body's treatment is exercised at size.
    let mut body = String::with_capacity(10 << 20);
    let mut n = 0;
    while body.len() < 10 << 20 {
        body.push_str(&format!(
            "Day {n} of the walk: #stage{} with @friend{} past [the bridge](https://example.com/{n}) and on.\n",
            n % 50,
            n % 20
        ));
        if n % 8 == 7 {
            body.push('\n');
        }
        n += 1;
    }
    post(&site, "2021-01-07-huge", "title: Huge\ntags: [long]", &body);
    let start = Instant::now();
    let (run, peak) = site.milepost_measured(&["build"]);
    run.succeeded();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(120), "the build took {took:?}");
    // The post is 10 MB; its page, the tag pages and feeds that show it are
    // each larger (links), and a few are in memory at once.
    assert!(peak < 1 << 30, "peak memory {} MiB", peak >> 20);
    let page = site.read("public/huge/index.html");
    assert!(page.contains(&format!("Day {} of the walk", n - 1)), "the whole body is published");
    assert!(page.contains("href=\"../tags/stage49/\""), "hashtags linked");
    // Each of the post's 51 tag feeds would repeat its 20 MB of HTML: a
    // gigabyte. Feeds carry a link to it instead.
    let feed = site.read("public/tags/stage7/feed.xml");
    assert!(feed.len() < 100_000 && feed.contains("Read the whole post on the site"), "{} bytes", feed.len());
    let size: u64 = site.files("public").values().map(|b| b.len() as u64).sum();
    assert!(size < 100 << 20, "{size} bytes of output");
    eprintln!("10 MB post: {took:?}, peak {} MiB", peak >> 20);
}

#[test]
fn two_names_differing_only_in_case_are_an_error_naming_both() {
    let site = Fixture::copy("journal");
    site.milepost(&["build"]).succeeded();
    let before = site.files("public");
    post(&site, "2021-01-08-case", "title: Case", "[Day map](Map.txt) and [night map](map.txt).");
    site.write("content/2021-01-08-case/Map.txt", "day");
    site.write("content/2021-01-08-case/map.txt", "night");
    let message = build_within(&site, Duration::from_secs(30)).failed().to_string();
    assert!(
        message.contains("content/2021-01-08-case/Map.txt")
            && message.contains("content/2021-01-08-case/map.txt"),
        "{message}"
    );
    assert!(message.contains("differ only in capital letters"), "{message}");
    assert_eq!(site.files("public"), before, "the previous output is left as it was");
}

#[test]
fn a_yaml_alias_bomb_in_front_matter_is_refused_quickly() {
    let site = Fixture::copy("journal");
    // Each level refers to the one before nine times: a billion strings if
    // expanded. `instagram:` takes any YAML, so the value is read whole.
    let mut front = String::from("title: Laughs\ninstagram:\n  l0: &l0 [lol]\n");
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 9].join(", ");
        front.push_str(&format!("  l{level}: &l{level} [{refs}]\n"));
    }
    post(&site, "2021-01-09-laughs", front.trim_end(), "Ha.");
    let message = build_within(&site, Duration::from_secs(30)).failed().to_string();
    assert!(
        message.contains("2021-01-09-laughs/index.md") && message.contains("repeat values too often"),
        "{message}"
    );
}

#[test]
fn templates_that_never_end_are_clear_errors_not_hangs() {
    let site = Fixture::copy("journal");
    site.milepost(&["build"]).succeeded();
    let before = site.files("public");
    let cases = [
        ("page.html", "{% include \"page.html\" %}"),
        ("page.html", "{% for i in range(end=5, step_by=0) %}{% endfor %}"),
        (
            "page.html",
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        ),
        ("page.html", "{% macro m() %}{{ self::m() }}{% endmacro m %}{{ self::m() }}"),
    ];
    for (name, template) in cases {
        site.write(&format!("templates/{name}"), template);
        let message = build_within(&site, Duration::from_secs(30)).failed().to_string();
        assert!(message.contains(&format!("templates/{name}")), "{template}: {message}");
        assert_eq!(site.files("public"), before, "{template}: the output is left as it was");
    }
}

//! Photos: responsive variants never upscaled, the markup that shows them,
//! EXIF read (orientation, date, place, camera) but never published, the
//! persistent cache, and every bad photo reported with its post.

use std::io::Cursor;

use milepost::BuildOptions;
use milepost::config::Encoding;

use crate::fixture::{Fixture, tree};

fn built() -> Fixture {
    let site = Fixture::copy("photos");
    site.milepost(&["build"]).succeeded();
    site
}

/// (width, height) of a JPEG or PNG in the output.
fn size(site: &Fixture, path: &str) -> (u32, u32) {
    let bytes = std::fs::read(site.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().into_dimensions().unwrap()
}

#[test]
fn variants_have_the_configured_widths_and_are_never_upscaled() {
    let site = built();
    let dir = "public/trip/harbour";
    assert_eq!(size(&site, &format!("{dir}/harbour-480.jpg")), (480, 360));
    assert_eq!(size(&site, &format!("{dir}/harbour-960.jpg")), (960, 720));
    assert_eq!(size(&site, &format!("{dir}/harbour-1600.jpg")), (1600, 1200));
    // 600 wide: 480, then its own width, nothing larger.
    assert_eq!(size(&site, &format!("{dir}/mid-480.jpg")), (480, 320));
    assert_eq!(size(&site, &format!("{dir}/mid-600.jpg")), (600, 400));
    assert!(!site.exists(&format!("{dir}/mid-960.jpg")));
    // Smaller than every width: only its own.
    let files: Vec<String> = site.files(dir).into_keys().collect();
    assert!(files.contains(&"turned-60.jpg".to_string()), "{files:?}");
    let turned: Vec<&String> = files.iter().filter(|f| f.starts_with("turned")).collect();
    assert_eq!(turned, ["turned-60.jpg", "turned-60.webp"], "{files:?}");
    // The originals are not published.
    assert!(!site.exists(&format!("{dir}/harbour.jpg")) && !site.exists(&format!("{dir}/turned.jpg")));
}

#[test]
fn the_page_shows_each_photo_with_srcset_size_alt_and_caption() {
    let site = built();
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains(
        "<img src=\"harbour-960.jpg\" srcset=\"harbour-480.jpg 480w, harbour-960.jpg 960w, harbour-1600.jpg 1600w\" \
         sizes=\"(max-width: 56rem) 100vw, 56rem\" width=\"1600\" height=\"1200\" alt=\"Striped boats in a harbour\" \
         loading=\"eager\" decoding=\"async\">"
    ), "{page}");
    assert!(page.contains(
        "<figcaption>Boats at dawn <a class=\"hashtag\" href=\"../../tags/harbour/\">#harbour</a>"
    ));
    // Camera and exposure, quietly.
    assert!(
        page.contains("<span class=\"exif\">Fixture Cam 1 · 1/250 s · f/5.6 · ISO 200 · 35 mm</span>"),
        "{page}"
    );
    // A photo in the body gets the same treatment; a link to one goes to its largest variant.
    assert!(page.contains("<img src=\"map-120.jpg\" srcset=\"map-120.jpg 120w\""), "{page}");
    assert!(page.contains("<a href=\"harbour-1600.jpg\">The big picture</a>"), "{page}");
    // The lightbox opens the largest variant.
    assert!(page.contains("<a class=\"zoom\" href=\"harbour-1600.jpg\">"));
}

#[test]
fn an_orientation_6_photo_comes_out_portrait() {
    let site = built();
    // Stored 80x60 with the camera turned: shown 60 wide, 80 high.
    assert_eq!(size(&site, "public/trip/harbour/turned-60.jpg"), (60, 80));
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains(
        "srcset=\"turned-60.jpg 60w\" sizes=\"(max-width: 56rem) 100vw, 56rem\" width=\"60\" height=\"80\""
    ));
    // The left half (red) was the top: turned a quarter clockwise, red is on top.
    let bytes = std::fs::read(site.path("public/trip/harbour/turned-60.jpg")).unwrap();
    let pixels = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let top = pixels.get_pixel(30, 10);
    let bottom = pixels.get_pixel(30, 70);
    assert!(top[0] > 200 && top[2] < 60, "top is red: {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "bottom is blue: {bottom:?}");
}

#[test]
fn no_published_image_carries_gps_or_any_exif() {
    let site = built();
    let mut checked = 0;
    for (path, bytes) in tree(&site.path("public")) {
        if !(path.ends_with(".jpg") || path.ends_with(".png")) {
            continue;
        }
        let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&bytes));
        assert!(exif.is_err(), "{path} carries EXIF");
        checked += 1;
    }
    assert!(checked >= 7, "{checked}");
}

/// (width, height) of an AVIF from its `ispe` box, which holds the size of the picture.
fn avif_size(bytes: &[u8]) -> (u32, u32) {
    let at = bytes.windows(4).position(|w| w == b"ispe").expect("an ispe box");
    let word = |i: usize| u32::from_be_bytes(bytes[at + i..at + i + 4].try_into().unwrap());
    // After the type: version and flags, then width and height.
    (word(8), word(12))
}

/// The photo fixture with every format; AVIF's encoder is slow enough
/// unoptimised to keep its widths to two here.
fn built_in_every_format() -> Fixture {
    let site = Fixture::copy("photos");
    let toml = site.read("site.toml").replace("widths = [480, 960, 1600]", "widths = [480, 960]");
    site.write(
        "site.toml",
        toml.replace("[photos]\n", "[photos]\nformats = [\"avif\", \"webp\", \"jpeg\"]\n"),
    );
    site.milepost(&["build"]).succeeded();
    site
}

#[test]
fn avif_and_webp_variants_have_the_widths_of_the_jpeg_ones_and_no_metadata() {
    let site = built_in_every_format();
    let dir = "public/trip/harbour";
    for (width, height) in [(480, 360), (960, 720)] {
        let avif = std::fs::read(site.path(&format!("{dir}/harbour-{width}.avif"))).unwrap();
        assert_eq!(&avif[4..12], b"ftypavif", "an AVIF file");
        assert_eq!(avif_size(&avif), (width, height));
        assert_eq!(size(&site, &format!("{dir}/harbour-{width}.webp")), (width, height));
    }
    // Turned upright like the JPEG.
    assert_eq!(avif_size(&std::fs::read(site.path(&format!("{dir}/turned-60.avif"))).unwrap()), (60, 80));
    assert_eq!(size(&site, &format!("{dir}/turned-60.webp")), (60, 80));
    let mut checked = 0;
    for (path, bytes) in tree(&site.path("public")) {
        if path.ends_with(".webp") {
            // RIFF chunks after the header: metadata would be EXIF or XMP.
            let mut at = 12;
            while at + 8 <= bytes.len() {
                let kind = &bytes[at..at + 4];
                assert!(kind != b"EXIF" && kind != b"XMP ", "{path} carries {kind:?}");
                let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
                at += 8 + len + len % 2;
            }
            checked += 1;
        } else if path.ends_with(".avif") {
            // An AVIF's metadata are items of type Exif or mime (XMP).
            assert!(!bytes.windows(4).any(|w| w == b"Exif" || w == b"mime"), "{path} carries metadata");
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "7 sizes in two formats");
    // Each format a `<source>` of the picture, the browser's first choice first.
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains(
        "<picture><source type=\"image/avif\" srcset=\"harbour-480.avif 480w, harbour-960.avif 960w\" sizes=\"(max-width: 56rem) 100vw, 56rem\">\
         <source type=\"image/webp\" srcset=\"harbour-480.webp 480w, harbour-960.webp 960w\" sizes=\"(max-width: 56rem) 100vw, 56rem\">\
         <img src=\"harbour-960.jpg\""
    ), "{page}");
    assert!(page.contains(
        "<a class=\"zoom\" href=\"map-120.jpg\"><picture><source type=\"image/avif\" srcset=\"map-120.avif 120w\" sizes=\"(max-width: 42rem) 100vw, 40rem\">"
    ), "{page}");
    assert_srcsets_resolve(&site);
}

#[test]
fn every_format_is_a_source_of_the_picture_and_every_srcset_resolves() {
    let site = built();
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains(
        "<picture><source type=\"image/webp\" srcset=\"harbour-480.webp 480w, harbour-960.webp 960w, harbour-1600.webp 1600w\" sizes=\"(max-width: 56rem) 100vw, 56rem\">\
         <img src=\"harbour-960.jpg\""
    ), "{page}");
    assert_srcsets_resolve(&site);
}

/// Every candidate of every `srcset` of the built site is a file.
fn assert_srcsets_resolve(site: &Fixture) {
    let mut candidates = 0;
    for (path, html) in tree(&site.path("public")).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(html).unwrap();
        let folder = std::path::Path::new("public").join(&path);
        let folder = folder.parent().unwrap();
        for srcset in html.split("srcset=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            for candidate in srcset.split(", ") {
                let (url, width) = candidate.rsplit_once(' ').expect("url and width");
                assert!(width.ends_with('w'), "{path}: {candidate}");
                let file = folder.join(url);
                assert!(site.path(file.to_str().unwrap()).is_file(), "{path}: {url} does not resolve");
                candidates += 1;
            }
        }
    }
    assert!(candidates > 20, "{candidates}");
}

#[test]
fn formats_are_chosen_in_site_toml_and_jpeg_is_always_among_them() {
    // WebP and JPEG unless site.toml says otherwise.
    let site = Fixture::copy("photos");
    assert_eq!(site.site().config.photos.formats, [Encoding::Webp, Encoding::Jpeg]);
    let site = Fixture::copy("photos");
    site.write(
        "site.toml",
        site.read("site.toml").replace("[photos]\n", "[photos]\nformats = [\"webp\", \"jpeg\"]\n"),
    );
    site.milepost(&["build"]).succeeded();
    let page = site.read("public/trip/harbour/index.html");
    assert!(page.contains("<picture><source type=\"image/webp\""), "{page}");
    // JPEG only: a plain `<img>`, as before.
    site.write("site.toml", site.read("site.toml").replace("[\"webp\", \"jpeg\"]", "[\"jpeg\"]"));
    site.milepost(&["build"]).succeeded();
    let page = site.read("public/trip/harbour/index.html");
    assert!(!page.contains("<picture>") && !site.exists("public/trip/harbour/harbour-480.webp"), "{page}");
    // Without JPEG, older browsers would show nothing.
    site.write("site.toml", site.read("site.toml").replace("[\"jpeg\"]", "[\"avif\", \"webp\"]"));
    let message = site.milepost(&["build"]).failed().to_string();
    assert!(message.contains("site.toml") && message.contains("has no \"jpeg\""), "{message}");
    site.write(
        "site.toml",
        site.read("site.toml").replace("[\"avif\", \"webp\"]", "[\"avif\", \"heic\", \"jpeg\"]"),
    );
    let message = site.milepost(&["build"]).failed().to_string();
    assert!(message.contains("site.toml:6: site.toml: unknown variant `heic`"), "{message}");
}

#[test]
fn a_photo_in_the_text_gets_variants_every_format_and_the_lightbox() {
    let site = built();
    let page = site.read("public/trip/harbour/index.html");
    // ![A red blob](map.png): 120 wide, so only its own width.
    assert!(page.contains(
        "<a class=\"zoom\" href=\"map-120.jpg\"><picture><source type=\"image/webp\" srcset=\"map-120.webp 120w\" sizes=\"(max-width: 42rem) 100vw, 40rem\">\
         <img src=\"map-120.jpg\" srcset=\"map-120.jpg 120w\" sizes=\"(max-width: 42rem) 100vw, 40rem\" width=\"120\" height=\"90\" loading=\"lazy\" decoding=\"async\" alt=\"A red blob\" /></picture></a>"
    ), "{page}");
    // Its feed entry keeps a plain image, which every reader shows.
    let feed = site.read("public/feed.xml");
    assert!(!feed.contains("&lt;picture") && feed.contains("map-120.jpg"), "{feed}");
}

#[test]
fn every_photo_link_has_a_name_for_screen_readers() {
    let site = Fixture::copy("photos");
    let post = "content/trip/2019-06-01-harbour/index.md";
    site.write(
        post,
        site.read(post).replace("[The big picture]", "Again, bare: ![](map.png)\n\n[The big picture]"),
    );
    site.milepost(&["build"]).succeeded();
    let page = site.read("public/trip/harbour/index.html");
    // A photo with alt text names its link; `- turned.jpg` has none, so its link says what it opens.
    assert!(page.contains("<a class=\"zoom\" href=\"harbour-1600.jpg\"><picture>"), "{page}");
    assert!(
        page.contains("<a class=\"zoom\" href=\"turned-60.jpg\" aria-label=\"Photo 2, full size\">"),
        "{page}"
    );
    assert!(page.contains("<a class=\"zoom\" href=\"map-120.jpg\"><picture>"), "{page}");
    assert!(
        page.contains(
            "<a class=\"zoom\" href=\"map-120.jpg\" aria-label=\"Picture 2 in the text, full size\">"
        ),
        "{page}"
    );
}

#[test]
fn originals_are_published_only_when_asked_and_then_stripped() {
    let site = Fixture::copy("photos");
    let toml = site.read("site.toml") + "publish_originals = true\n";
    site.write("site.toml", toml);
    site.milepost(&["build"]).succeeded();
    let original = std::fs::read(site.path("public/trip/harbour/harbour.jpg")).unwrap();
    assert!(exif::Reader::new().read_from_container(&mut Cursor::new(&original)).is_err(), "EXIF stripped");
    // Same pixels: only the metadata went.
    let before = image::load_from_memory(
        &std::fs::read(site.path("content/trip/2019-06-01-harbour/harbour.jpg")).unwrap(),
    )
    .unwrap();
    let after = image::load_from_memory(&original).unwrap();
    assert_eq!(before.to_rgb8(), after.to_rgb8());
}

#[test]
fn a_post_takes_its_date_and_place_from_its_photo() {
    let site = built();
    let post = site.read("public/trip/no-date/index.html");
    assert!(post.contains("datetime=\"2019-06-02T23:10:00+02:00\""), "{post}");
    assert!(post.contains("Sun 2 Jun 2019, 23:10"));
    assert!(post.contains("data-coords=\"39.0437,125.7553\""), "{post}");
    // The published photo still carries no place.
    let night = std::fs::read(site.path("public/trip/no-date/night-300.jpg")).unwrap();
    assert!(exif::Reader::new().read_from_container(&mut Cursor::new(&night)).is_err());
}

#[test]
fn a_photo_written_from_the_content_root_gives_its_date_too() {
    let site = Fixture::copy("photos");
    let post = "content/trip/no-date/index.md";
    site.write(post, site.read(post).replace("photos: [night.jpg]", "photos: [/trip/no-date/night.jpg]"));
    site.milepost(&["build"]).succeeded();
    let page = site.read("public/trip/no-date/index.html");
    assert!(page.contains("datetime=\"2019-06-02T23:10:00+02:00\""), "{page}");
}

#[test]
fn a_second_build_takes_every_variant_from_the_cache() {
    let site = Fixture::copy("photos");
    let first = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert_eq!(first.photos.photos, 5);
    assert_eq!(first.photos.decoded, 5);
    // 8 sizes, each in WebP and JPEG.
    assert_eq!(first.photos.variants_made, 16);
    // Even into an empty output folder: the cache lives outside it.
    std::fs::remove_dir_all(site.path("public")).unwrap();
    let second = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert_eq!(second.photos.decoded, 0, "{:?}", second.photos);
    assert_eq!(second.photos.variants_made, 0);
    assert_eq!(second.photos.variants_cached, 16);
    assert_eq!(site.files("public"), {
        let again = Fixture::copy("photos");
        again.milepost(&["build"]).succeeded();
        again.files("public")
    });
}

#[test]
fn cache_entries_no_longer_used_are_pruned() {
    let site = built();
    let variants =
        |site: &Fixture| tree(&site.path(".milepost/cache")).keys().filter(|k| k.ends_with(".jpg")).count();
    assert_eq!(variants(&site), 8);
    std::fs::remove_dir_all(site.path("content/trip/no-date")).unwrap();
    site.milepost(&["build"]).succeeded();
    assert_eq!(variants(&site), 7);
}

#[test]
fn the_cache_survives_a_fresh_clone_with_new_timestamps() {
    let site = built();
    // Touch every photo: its bytes, not its time, are the key.
    for (path, bytes) in tree(&site.path("content")) {
        if path.ends_with(".jpg") {
            std::fs::write(site.path("content").join(&path), bytes).unwrap();
        }
    }
    let report = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert_eq!(report.photos.decoded, 0);
}

/// Replaces a photo of the fixture and returns the failed build's message,
/// after checking the previous output was left as it was.
fn fails_with_photo(name: &str, bytes: &[u8], extra_config: &str) -> String {
    let site = built();
    let before = site.files("public");
    site.write(&format!("content/trip/2019-06-01-harbour/{name}"), bytes);
    if !extra_config.is_empty() {
        let toml = site.read("site.toml").replace("[photos]\n", &format!("[photos]\n{extra_config}\n"));
        site.write("site.toml", toml);
    }
    let err = site.milepost(&["build"]).failed().to_string();
    assert_eq!(site.files("public"), before, "the output was touched");
    err
}

#[test]
fn a_photo_that_is_not_an_image_names_the_post_line_and_file() {
    let err = fails_with_photo("mid.jpg", b"this is not a jpeg", "");
    assert!(
        err.contains("content/trip/2019-06-01-harbour/index.md:8: the photo `mid.jpg` cannot be used"),
        "{err}"
    );
}

#[test]
fn a_heic_photo_says_how_to_convert_it_and_is_never_published_as_it_is() {
    let site = built();
    let before = site.files("public");
    // The bytes an iPhone's HEIC starts with; milepost refuses it by its name and never decodes it.
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    site.write("content/trip/2019-06-01-harbour/IMG_0001.HEIC", heic);
    // Not shown by any page: not published either (it would carry its GPS).
    site.milepost(&["build"]).succeeded();
    assert!(!site.files("public").keys().any(|k| k.to_lowercase().contains("img_0001")));
    let post =
        site.read("content/trip/2019-06-01-harbour/index.md").replace("  - turned.jpg", "  - IMG_0001.HEIC");
    site.write("content/trip/2019-06-01-harbour/index.md", post);
    let before_error = site.files("public");
    let err = site.milepost(&["build"]).failed().to_string();
    assert!(
        err.contains("index.md:7: the photo `IMG_0001.HEIC` cannot be used: it is a HEIC photo"),
        "{err}"
    );
    assert!(err.contains("File → Export → JPEG"), "{err}");
    assert_eq!(site.files("public"), before_error);
    assert_ne!(before.len(), 0);
}

#[test]
fn a_truncated_jpeg_names_the_post_and_the_file() {
    let good = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/photos/content/trip/2019-06-01-harbour/harbour.jpg"),
    )
    .unwrap();
    let err = fails_with_photo("harbour.jpg", &good[..good.len() / 3], "");
    assert!(
        err.contains(
            "content/trip/2019-06-01-harbour/index.md: the photo `harbour.jpg` could not be decoded"
        ),
        "{err}"
    );
}

#[test]
fn a_photo_over_the_megapixel_limit_is_refused_before_decoding() {
    let err = fails_with_photo(
        "harbour.jpg",
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/photos/content/trip/2019-06-01-harbour/harbour.jpg"),
        )
        .unwrap(),
        "max_megapixels = 1",
    );
    assert!(
        err.contains("the photo `harbour.jpg` is 2000×1500 (3 megapixels), over the limit of 1 megapixels"),
        "{err}"
    );
    assert!(err.contains("max_megapixels"), "{err}");
}

#[test]
fn a_decompression_bomb_is_an_error_not_an_out_of_memory() {
    // A PNG header claiming 100,000 × 100,000 pixels, in a few dozen bytes.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&100_000u32.to_be_bytes());
    png.extend_from_slice(&100_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&png[12..]);
    png.extend_from_slice(&crc.to_be_bytes());
    // An empty zlib stream where the pixels would be, and the end.
    for (kind, data) in [(&b"IDAT"[..], &b"\x78\x9c\x03\x00\x00\x00\x00\x01"[..]), (b"IEND", b"")] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }
    let err = fails_with_photo("map.png", &png, "");
    assert!(
        err.contains(
            "the photo `map.png` is 100000×100000 (10000 megapixels), over the limit of 100 megapixels"
        ),
        "{err}"
    );
}

/// The CRC-32 of PNG chunks, for hand-made test images.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn one_photo_in_many_posts_is_made_once_without_a_race() {
    // Each post is a job of its own; identical bytes make identical cache
    // entries, written at the same moment by different threads.
    let site = Fixture::copy("photos");
    let photo = std::fs::read(site.path("content/trip/2019-06-01-harbour/mid.jpg")).unwrap();
    for n in 0..24 {
        let dir = format!("content/trip/2019-07-{:02}-copy-{n}", 1 + n);
        site.write(
            &format!("{dir}/index.md"),
            format!("---\ntitle: Copy {n}\nphotos: [mid.jpg]\n---\nThe same field.\n"),
        );
        site.write(&format!("{dir}/mid.jpg"), &photo);
    }
    site.milepost(&["build"]).succeeded();
    assert_eq!(
        site.files("public/trip/copy-23")["mid-600.jpg"],
        site.files("public/trip/harbour")["mid-600.jpg"]
    );
}

//! Photos: responsive variants never upscaled, the markup that shows them,
//! EXIF read (orientation, date, place, camera) but never published, the
//! persistent cache, and every bad photo reported with its post.

use std::io::Cursor;

use milepost::BuildOptions;

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
    assert_eq!(files.iter().filter(|f| f.starts_with("turned")).count(), 1, "{files:?}");
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
fn a_second_build_takes_every_variant_from_the_cache() {
    let site = Fixture::copy("photos");
    let first = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert_eq!(first.photos.photos, 5);
    assert_eq!(first.photos.decoded, 5);
    assert_eq!(first.photos.variants_made, 8);
    // Even into an empty output folder: the cache lives outside it.
    std::fs::remove_dir_all(site.path("public")).unwrap();
    let second = milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    assert_eq!(second.photos.decoded, 0, "{:?}", second.photos);
    assert_eq!(second.photos.variants_made, 0);
    assert_eq!(second.photos.variants_cached, 8);
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

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

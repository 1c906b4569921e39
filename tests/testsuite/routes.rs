//! Routes as readers see them: a GPX beside a post becomes a map, a height
//! profile, figures and splits; a trip becomes a map of where it went; bad
//! GPX files are refused with what is wrong, and the last output kept.

use milepost::BuildOptions;

use crate::fixture::Fixture;

/// A loop out of Kim Il Sung Stadium: `n` fixes 2 s apart, about 6 m
/// apart, over an 80 m hill, with ±1.5 m of GPS height noise.
fn course(n: usize) -> Vec<(f64, f64, f64, i64)> {
    (0..n)
        .map(|i| {
            let t = i as f64 / n as f64 * std::f64::consts::TAU;
            let lat = 39.0437 + 0.02 * t.sin();
            let lon = 125.7553 + 0.025 * (1.0 - t.cos());
            let noise = if i % 2 == 0 { 1.5 } else { -1.5 };
            let ele = 30.0 + 80.0 * (t / 2.0).sin().powi(2) + noise;
            (lat, lon, ele, i as i64 * 2)
        })
        .collect()
}

/// The points as a GPX track starting at 2017-04-08T22:30:00Z (07:00 in Pyongyang).
fn gpx(points: &[(f64, f64, f64, i64)]) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"milepost tests\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>Ridge loop</name><trkseg>\n",
    );
    for (lat, lon, ele, t) in points {
        let s = 22 * 3600 + 30 * 60 + t;
        let (day, s) = (8 + s / 86_400, s % 86_400);
        text.push_str(&format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\"><ele>{ele:.1}</ele><time>2017-04-{day:02}T{:02}:{:02}:{:02}Z</time></trkpt>\n",
            s / 3600,
            s / 60 % 60,
            s % 60
        ));
    }
    text.push_str("</trkseg></trk>\n</gpx>\n");
    text
}

/// An independent distance: haversine on a sphere of the mean Earth radius.
fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// The number in `attribute="…"` of `html`.
fn number(html: &str, attribute: &str) -> f64 {
    let at = html.find(&format!("{attribute}=\"")).unwrap_or_else(|| panic!("no {attribute}"))
        + attribute.len()
        + 2;
    html[at..at + html[at..].find('"').unwrap()].parse().unwrap()
}

/// The `<svg …>…</svg>` element of `html` whose class is `class`.
fn svg<'a>(html: &'a str, class: &str) -> &'a str {
    let start = html.find(&format!("<svg class=\"{class}\"")).unwrap_or_else(|| panic!("no {class} svg"));
    let end = start + html[start..].find("</svg>").unwrap() + 6;
    &html[start..end]
}

fn site_with_course() -> (Fixture, Vec<(f64, f64, f64, i64)>) {
    let site = Fixture::copy("routes");
    let points = course(2000);
    site.write("content/run/2017-04-09-ridge/ridge.gpx", gpx(&points));
    (site, points)
}

#[test]
fn a_route_becomes_a_map_a_profile_figures_and_splits() {
    let (site, points) = site_with_course();
    site.milepost(&["build"]).succeeded();
    let html = site.read("public/run/ridge/index.html");

    let independent: f64 = points.windows(2).map(|p| haversine((p[0].0, p[0].1), (p[1].0, p[1].1))).sum();
    let distance = number(&html, "data-distance-m");
    assert!((distance - independent).abs() / independent < 0.005, "{distance} against {independent}");

    let raw_climb: f64 = points.windows(2).map(|p| (p[1].2 - p[0].2).max(0.0)).sum();
    let climb = number(&html, "data-climb-m");
    assert!(climb > 60.0 && climb < raw_climb, "climb {climb}, raw {raw_climb}");
    assert_eq!(number(&html, "data-duration-s"), 3998.0);

    let map = roxmltree::Document::parse(svg(&html, "route-map")).expect("the map is XML");
    let route_path = map
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
        .map(|n| n.attribute("d").unwrap().matches('L').count() + 1)
        .next()
        .expect("the route is a path");
    assert!((20..2000).contains(&route_path), "{route_path} points drawn of 2000");
    // The photo with GPS is a numbered dot linking to it.
    let photo_dot = map.descendants().find(|n| n.has_tag_name("a")).expect("a photo dot");
    assert_eq!(photo_dot.attribute("href"), Some("#photo-1"));
    assert!(html.contains("id=\"photo-1\""));
    roxmltree::Document::parse(svg(&html, "route-profile")).expect("the profile is XML");

    let splits = html.matches("<tr><th scope=\"row\">").count();
    assert_eq!(splits, (distance / 1000.0).ceil() as usize, "one row a kilometre");
    assert!(html.contains("<dt>Pace</dt>") && html.contains("/km</dd>"));
    assert!(html.contains("href=\"ridge.gpx\" download"));

    // Feeds show the map as an image (readers drop inline SVG), with the figures.
    let file = site.read("public/run/ridge/route-map.svg");
    roxmltree::Document::parse(&file).expect("the map file is XML");
    let feed = site.read("public/run/feed.xml");
    assert!(feed.contains("https://example.org/routes/run/ridge/route-map.svg"), "{feed}");
    assert!(feed.contains(" km · 1:06:38 · "), "{feed}");
}

#[test]
fn the_trip_page_maps_its_posts_and_the_map_page_every_trip() {
    let (site, _) = site_with_course();
    site.milepost(&["build"]).succeeded();
    let trip = site.read("public/run/index.html");
    let map = roxmltree::Document::parse(svg(&trip, "trip-map-drawing")).expect("the trip map is XML");
    let links: Vec<_> =
        map.descendants().filter(|n| n.has_tag_name("a")).filter_map(|n| n.attribute("href")).collect();
    assert_eq!(links, ["ridge/", "river/"]);
    assert!(trip.contains("<dt>Travelled</dt>"), "{trip}");
    assert!(trip.contains("North Korea"));
    let all = site.read("public/map/index.html");
    assert!(svg(&all, "trip-map-drawing").contains("href=\"../run/\""));
    assert!(site.read("public/index.html").contains(">Map</a>"));
}

#[test]
fn imperial_units_are_miles_and_feet() {
    let (site, _) = site_with_course();
    let settings = site.read("site.toml") + "units = \"imperial\"\n";
    site.write("site.toml", settings);
    site.milepost(&["build"]).succeeded();
    let html = site.read("public/run/ridge/index.html");
    assert!(html.contains(" mi</dd>") && html.contains(" ft</dd>") && html.contains("/mi</dd>"), "{html}");
}

#[test]
fn bad_gpx_files_are_refused_with_what_is_wrong() {
    let (site, points) = site_with_course();
    site.milepost(&["build"]).succeeded();
    let before = site.files("public");
    let one_point = gpx(&points[..1]);
    let absurd = gpx(&points[..10]).replace("lat=\"39.0437000\"", "lat=\"95.0\"");
    let cases: [(&str, &[u8], &str); 5] = [
        ("not XML", b"this is not a track", "not a GPX file"),
        ("no track", b"<gpx version=\"1.1\" creator=\"x\"></gpx>", "no track"),
        ("one point", one_point.as_bytes(), "only one point"),
        ("absurd coordinates", absurd.as_bytes(), "latitude"),
        ("an image", b"\xff\xd8\xff\xe0 not xml", "not a GPX file"),
    ];
    for (what, bytes, says) in cases {
        site.write("content/run/2017-04-09-ridge/ridge.gpx", bytes);
        let stderr = site.milepost(&["build"]).failed().to_string();
        assert!(stderr.contains("content/run/2017-04-09-ridge/index.md"), "{what}: {stderr}");
        assert!(stderr.contains("ridge.gpx") && stderr.contains(says), "{what}: {stderr}");
        assert_eq!(site.files("public"), before, "{what}: the last output is kept");
    }

    // Far too large: refused before it is read.
    let file = std::fs::File::create(site.path("content/run/2017-04-09-ridge/ridge.gpx")).unwrap();
    file.set_len(200 * 1024 * 1024).unwrap();
    let stderr = site.milepost(&["build"]).failed().to_string();
    assert!(stderr.contains("200 MB") && stderr.contains("at most 50 MB"), "{stderr}");
    assert_eq!(site.files("public"), before);

    site.write("content/run/2017-04-09-ridge/ridge.gpx", gpx(&points));
    site.write(
        "content/run/2017-04-10-river.md",
        "---\ntitle: River\ndate: 2017-04-10\ngpx: river.gpx\n---\n",
    );
    let stderr = site.milepost(&["build"]).failed().to_string();
    assert!(stderr.contains("river.gpx") && stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn times_going_backwards_are_a_warning_and_the_route_still_shows() {
    let (site, mut points) = site_with_course();
    points[500].3 = 10;
    site.write("content/run/2017-04-09-ridge/ridge.gpx", gpx(&points));
    let run = site.milepost(&["build"]);
    let out = run.succeeded();
    assert!(run.stderr.contains("times go backwards"), "{out}\n{}", run.stderr);
    let html = site.read("public/run/ridge/index.html");
    assert!(html.contains("<svg class=\"route-map\""));
    assert!(!html.contains("<dt>Pace</dt>"));
}

#[test]
fn an_edited_route_rerenders_only_the_pages_that_show_it() {
    let (site, mut points) = site_with_course();
    site.milepost(&["build"]).succeeded();
    let before = site.files("public");
    for p in points.iter_mut().skip(1000) {
        p.1 += 0.001;
    }
    site.write("content/run/2017-04-09-ridge/ridge.gpx", gpx(&points));
    milepost::build(&site.site(), &BuildOptions::default()).unwrap();
    let after = site.files("public");
    let changed: Vec<&String> = after.keys().filter(|path| before.get(*path) != after.get(*path)).collect();
    for shown in [
        "run/ridge/index.html",
        "run/ridge/ridge.gpx",
        "run/ridge/route-map.svg",
        "run/index.html",
        "map/index.html",
        "run/feed.xml",
    ] {
        assert!(changed.iter().any(|c| c.as_str() == shown), "{shown} not remade: {changed:?}");
    }
    assert!(after.contains_key("home/home/index.html"));
    assert!(!changed.iter().any(|c| c.as_str() == "home/home/index.html"), "{changed:?}");
    assert!(!changed.iter().any(|c| c.starts_with("tags/")), "{changed:?}");
}

#[test]
fn a_route_is_kept_decoded_and_a_torn_copy_is_read_again() {
    let (site, _) = site_with_course();
    site.milepost(&["build"]).succeeded();
    let kept = site.files(".milepost/cache/decoded-v1");
    assert_eq!(kept.len(), 1, "{:?}", kept.keys());
    let (name, bytes) = kept.into_iter().next().unwrap();
    let before = site.files("public");

    let path = site.path(".milepost/cache/decoded-v1").join(&name);
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    site.write("content/run/2017-04-10-river.md", site.read("content/run/2017-04-10-river.md") + "\nMore.\n");
    site.milepost(&["build"]).succeeded();
    assert_eq!(
        site.read("public/run/ridge/index.html"),
        String::from_utf8(before["run/ridge/index.html"].clone()).unwrap()
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the torn copy is made again");
}

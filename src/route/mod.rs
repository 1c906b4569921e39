//! Routes: every GPX file of the content tree read and checked (the survey),
//! then measured (`figures`) and drawn (`map`, `profile`) for the posts that
//! show them. The maps are plain SVG drawn here, over country outlines
//! embedded in the binary (`outlines`): no tiles, no scripts, no requests.

pub(crate) mod figures;
pub(crate) mod map;
pub(crate) mod outlines;
pub(crate) mod profile;
mod stored;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use crate::config::Units;
use crate::images::Cache;
use crate::load::Asset;
use crate::paths::ContentPath;

/// The largest GPX file read: a day's track at one point a second is about
/// 10 MB; anything far larger is an export of many activities or not a track.
pub(crate) const MAX_BYTES: u64 = 50 * 1024 * 1024;

/// A point of a track or route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    /// Metres above sea level.
    pub(crate) ele: Option<f64>,
    /// Seconds since the Unix epoch.
    pub(crate) time: Option<f64>,
}

/// A named place of the file (`<wpt>`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Waypoint {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) name: Option<String>,
}

/// One GPX file, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The first track's or route's name.
    pub(crate) name: Option<String>,
    /// Each track segment and each route, in the file's order; never empty,
    /// and each with two points or more.
    pub(crate) lines: Vec<Vec<Point>>,
    pub(crate) waypoints: Vec<Waypoint>,
    /// Things worth fixing in the file that still let it be shown.
    pub(crate) warnings: Vec<String>,
    /// Of the file's bytes: what the build record remembers it by.
    pub(crate) hash: u64,
}

/// Every GPX file of the content tree, read: an `Err` says why it cannot be
/// shown, for the posts that use it.
#[derive(Debug, Default)]
pub struct Routes {
    pub(crate) files: BTreeMap<ContentPath, Result<Arc<Route>, String>>,
    /// (file, hash) of each file read, for the cache to remember.
    pub(crate) hashed: Vec<(PathBuf, String)>,
}

/// Whether a content file is a GPX file.
pub(crate) fn is_gpx(rel: &str) -> bool {
    rel.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("gpx"))
}

/// Reads every GPX file among `assets`, in parallel: from the cache when
/// its bytes were read before.
pub fn survey(assets: &[Asset], cache: &Cache) -> Routes {
    let found: Vec<_> = assets
        .par_iter()
        .filter(|asset| is_gpx(asset.rel.as_str()))
        .map(|asset| (asset, read_file(&asset.path, cache)))
        .collect();
    let mut routes = Routes::default();
    for (asset, read) in found {
        let read = read.map(|(route, hash)| {
            routes.hashed.push((asset.path.clone(), hash));
            Arc::new(route)
        });
        routes.files.insert(asset.rel.clone(), read);
    }
    routes
}

/// Reads the GPX file at `path` (or its decoded copy in the cache), and the
/// hash of its bytes.
fn read_file(path: &Path, cache: &Cache) -> Result<(Route, String), String> {
    let from_cache = |hash: String| {
        let route = stored::decode(&cache.decoded(&hash)?, crate::fingerprint::hash_of(&hash))?;
        Some((route, hash))
    };
    if let Some(known) = cache.known_hash(path).and_then(from_cache) {
        return Ok(known);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("it could not be read ({e})"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_BYTES {
        return Err(format!(
            "it is {} MB, and a route file may be at most {} MB",
            size / (1024 * 1024),
            MAX_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("it could not be read ({e})"))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    if let Some(known) = from_cache(hash.clone()) {
        return Ok(known);
    }
    let mut route = read(&bytes)?;
    route.hash = crate::fingerprint::hash_of(&hash);
    // A cache that cannot be written only costs the next build a re-read.
    let _ = cache.put_decoded(&hash, &stored::encode(&route));
    Ok((route, hash))
}

/// Reads the bytes of a GPX file: an `Err` says what is wrong with it.
pub fn read(bytes: &[u8]) -> Result<Route, String> {
    let gpx = gpx::read(bytes).map_err(|e| format!("it is not a GPX file that can be read: {e}"))?;
    let mut warnings = Vec::new();
    let mut name = None;
    let mut lines = Vec::new();
    let mut lone_points = 0;
    let mut add = |points: Vec<Point>, line_name: &Option<String>| {
        if name.is_none() {
            name = line_name.clone().filter(|n| !n.trim().is_empty());
        }
        match points.len() {
            0 => {}
            1 => lone_points += 1,
            _ => lines.push(points),
        }
    };
    for track in &gpx.tracks {
        for segment in &track.segments {
            add(segment.points.iter().map(point).collect(), &track.name);
        }
    }
    for route in &gpx.routes {
        add(route.points.iter().map(point).collect(), &route.name);
    }
    let waypoints: Vec<Waypoint> = gpx
        .waypoints
        .iter()
        .map(|w| {
            let p = w.point();
            Waypoint { lat: p.y(), lon: p.x(), name: w.name.clone().filter(|n| !n.trim().is_empty()) }
        })
        .collect();
    if lines.is_empty() {
        return Err(if lone_points > 0 {
            "its track has only one point, and a route needs two or more".to_string()
        } else if waypoints.is_empty() {
            "it holds no track, route or point".to_string()
        } else {
            "it holds only waypoints, no track or route to draw".to_string()
        });
    }
    check_times(&mut lines, &mut warnings);
    Ok(Route { name, lines, waypoints, warnings, hash: crate::fingerprint::hash_of(bytes) })
}

fn point(waypoint: &gpx::Waypoint) -> Point {
    let p = waypoint.point();
    Point {
        lat: p.y(),
        lon: p.x(),
        ele: waypoint.elevation.filter(|e| e.is_finite() && (-500.0..=9000.0).contains(e)),
        time: waypoint.time.map(|t| {
            let t: time::OffsetDateTime = t.into();
            t.unix_timestamp_nanos() as f64 / 1e9
        }),
    }
}

/// Times that go backwards (a clock reset, two activities merged) make every
/// duration wrong: they are dropped from the file, with a warning.
fn check_times(lines: &mut [Vec<Point>], warnings: &mut Vec<String>) {
    let mut last = f64::NEG_INFINITY;
    let mut all_timed = true;
    for (n, point) in lines.iter().flatten().enumerate() {
        match point.time {
            Some(t) if t < last => {
                warnings.push(format!(
                    "its times go backwards at point {} (by {:.0} s), so no duration, pace or speed is shown",
                    n + 1,
                    last - t
                ));
                for point in lines.iter_mut().flatten() {
                    point.time = None;
                }
                return;
            }
            Some(t) => last = t,
            None => all_timed = false,
        }
    }
    if !all_timed {
        for point in lines.iter_mut().flatten() {
            point.time = None;
        }
    }
}

// `Units` is a setting (config.rs); how each is written out is a route's business.
impl Units {
    /// Metres in one unit of distance.
    pub(crate) fn distance_unit(self) -> f64 {
        match self {
            Units::Metric => 1000.0,
            Units::Imperial => 1609.344,
        }
    }

    pub(crate) fn distance_name(self) -> &'static str {
        match self {
            Units::Metric => "km",
            Units::Imperial => "mi",
        }
    }

    /// Metres in one unit of height.
    pub(crate) fn height_unit(self) -> f64 {
        match self {
            Units::Metric => 1.0,
            Units::Imperial => 0.3048,
        }
    }

    pub(crate) fn height_name(self) -> &'static str {
        match self {
            Units::Metric => "m",
            Units::Imperial => "ft",
        }
    }

    /// A distance in metres, as people read it: `42.2 km`, `850 m`.
    pub(crate) fn distance(self, metres: f64) -> String {
        let units = metres / self.distance_unit();
        match self {
            Units::Metric if metres < 1000.0 => format!("{metres:.0} m"),
            _ if units < 100.0 => format!("{units:.1} {}", self.distance_name()),
            _ => format!("{} {}", thousands(units.round() as u64), self.distance_name()),
        }
    }

    /// A height in metres: `1,234 m`.
    pub(crate) fn height(self, metres: f64) -> String {
        let value = (metres / self.height_unit()).round();
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{} {}", thousands(value.abs() as u64), self.height_name())
    }

    /// Seconds per unit of distance, as a pace: `5:48 /km`.
    pub(crate) fn pace(self, seconds: f64, metres: f64) -> Option<String> {
        let per_unit = seconds / (metres / self.distance_unit());
        (metres > 0.0 && per_unit.is_finite()).then(|| {
            let s = per_unit.round() as u64;
            format!("{}:{:02} /{}", s / 60, s % 60, self.distance_name())
        })
    }

    /// Speed: `10.3 km/h`, `6.4 mph`.
    pub(crate) fn speed(self, seconds: f64, metres: f64) -> Option<String> {
        let per_hour = metres / self.distance_unit() / (seconds / 3600.0);
        (seconds > 0.0 && per_hour.is_finite()).then(|| match self {
            Units::Metric => format!("{per_hour:.1} km/h"),
            Units::Imperial => format!("{per_hour:.1} mph"),
        })
    }
}

/// `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration: `4:21:37`, or `21:05` under an hour.
pub(crate) fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s / 60 % 60, s % 60),
    }
}

/// A photo that knows where it was taken, for the map.
pub struct PlacedPhoto {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    /// Its number on the page (1 for the first photo).
    pub(crate) number: usize,
    pub(crate) caption: Option<String>,
}

/// A post's route: its files read one after another, measured and drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRoute {
    pub(crate) name: Option<String>,
    pub(crate) figures: figures::Figures,
    /// (lat, lon) of each line, as recorded: for the trip's map.
    pub(crate) lines: Vec<Vec<(f64, f64)>>,
    pub(crate) map_svg: String,
    /// The map's height, its width being `map::WIDTH`.
    pub(crate) map_height: f64,
    pub(crate) profile_svg: Option<String>,
    /// Of the GPX files' bytes.
    pub(crate) hash: u64,
    /// About the files, for the build to show.
    pub(crate) warnings: Vec<String>,
}

/// Measures and draws the route of `files` (in order) for a post titled
/// `title`, with its `photos` that know where they were taken as numbered
/// dots linking to `#photo-N`.
pub fn for_post(files: &[Arc<Route>], photos: &[PlacedPhoto], units: Units, title: &str) -> PostRoute {
    let lines: Vec<Vec<Point>> = files.iter().flat_map(|f| f.lines.iter().cloned()).collect();
    let figures = figures::measure(&lines, units.distance_unit());
    let latlon: Vec<Vec<(f64, f64)>> =
        lines.iter().map(|l| l.iter().map(|p| (p.lat, p.lon)).collect()).collect();

    let mut dots = Vec::new();
    let (first, last) = (lines[0][0], *lines[lines.len() - 1].last().unwrap_or(&lines[0][0]));
    // Distance marks at round numbers, at most about ten.
    let total_units = figures.distance / units.distance_unit();
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .find(|s| total_units / s <= 10.0)
        .unwrap_or(2000.0);
    let mut mark = step;
    let fixes = lines.iter().flatten().zip(figures.along.iter().flatten());
    let mut fixes = fixes.peekable();
    while mark < total_units - step * 0.3 {
        let at = mark * units.distance_unit();
        while fixes.peek().is_some_and(|(_, d)| **d < at) {
            fixes.next();
        }
        let Some((p, _)) = fixes.peek() else { break };
        let label = if mark.fract() == 0.0 { format!("{mark:.0}") } else { format!("{mark}") };
        dots.push(map::Dot {
            lat: p.lat,
            lon: p.lon,
            kind: map::DotKind::Distance,
            title: format!("{label} {}", units.distance_name()),
            label,
            href: None,
        });
        mark += step;
    }
    dots.push(map::Dot {
        lat: first.lat,
        lon: first.lon,
        kind: map::DotKind::Start,
        label: String::new(),
        title: "Start".into(),
        href: None,
    });
    dots.push(map::Dot {
        lat: last.lat,
        lon: last.lon,
        kind: map::DotKind::Finish,
        label: String::new(),
        title: "Finish".into(),
        href: None,
    });
    for waypoint in files.iter().flat_map(|f| &f.waypoints) {
        dots.push(map::Dot {
            lat: waypoint.lat,
            lon: waypoint.lon,
            kind: map::DotKind::Waypoint,
            label: String::new(),
            title: waypoint.name.clone().unwrap_or_else(|| "A waypoint".into()),
            href: None,
        });
    }
    for photo in photos {
        dots.push(map::Dot {
            lat: photo.lat,
            lon: photo.lon,
            kind: map::DotKind::Place,
            label: photo.number.to_string(),
            title: match &photo.caption {
                Some(caption) => format!("Photo {}: {caption}", photo.number),
                None => format!("Photo {}", photo.number),
            },
            href: Some(format!("#photo-{}", photo.number)),
        });
    }
    let map = map::Map {
        lines: latlon.iter().map(|l| map::Line { points: l.clone(), kind: map::LineKind::Route }).collect(),
        dots,
    };
    let distance = units.distance(figures.distance);
    let map_height = map::height_of(&map).unwrap_or(0.0);
    let map_svg = map::draw(&map, &format!("Map of the route of “{title}”: {distance}"), "route-map")
        .unwrap_or_default();
    let heights: Vec<(f64, f64)> = figures
        .along
        .iter()
        .flatten()
        .zip(figures.heights.iter().flatten())
        .filter_map(|(&d, h)| h.map(|h| (d, h)))
        .collect();
    let scale = profile::Scale {
        distance_unit: units.distance_unit(),
        distance_name: units.distance_name(),
        height_unit: units.height_unit(),
        height_name: units.height_name(),
    };
    let profile_svg = profile::draw(&heights, &scale, &format!("Height profile of the route of “{title}”"));
    PostRoute {
        name: files.iter().find_map(|f| f.name.clone()),
        figures,
        lines: latlon,
        map_svg,
        map_height,
        profile_svg,
        hash: crate::fingerprint::hash_of(files.iter().map(|f| f.hash).collect::<Vec<_>>()),
        warnings: files.iter().flat_map(|f| f.warnings.iter().cloned()).collect(),
    }
}

impl PostRoute {
    /// The map, an SVG element.
    pub fn map_svg(&self) -> &str {
        &self.map_svg
    }

    /// The height profile, an SVG element, when the route has heights.
    pub fn profile_svg(&self) -> Option<&str> {
        self.profile_svg.as_deref()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GPX track of `points` (lat, lon, ele, seconds after 2017-04-13T00:00:00Z).
    pub(crate) fn gpx(points: &[(f64, f64, f64, f64)]) -> String {
        let mut text = String::from(
            "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><name>Test run</name><trkseg>\n",
        );
        for (lat, lon, ele, t) in points {
            let t = *t as i64;
            text.push_str(&format!(
                "<trkpt lat=\"{lat}\" lon=\"{lon}\"><ele>{ele}</ele><time>2017-04-13T{:02}:{:02}:{:02}Z</time></trkpt>\n",
                t / 3600,
                t / 60 % 60,
                t % 60
            ));
        }
        text.push_str("</trkseg></trk></gpx>\n");
        text
    }

    #[test]
    fn reads_tracks_with_elevation_and_time() {
        let route = read(gpx(&[(39.0, 125.7, 30.0, 0.0), (39.001, 125.7, 32.0, 20.0)]).as_bytes()).unwrap();
        assert_eq!(route.name.as_deref(), Some("Test run"));
        assert_eq!(route.lines.len(), 1);
        assert_eq!(route.lines[0][1].ele, Some(32.0));
        assert_eq!(route.lines[0][1].time.unwrap() - route.lines[0][0].time.unwrap(), 20.0);
        assert!(route.warnings.is_empty());
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err = |text: &str| read(text.as_bytes()).unwrap_err();
        assert!(err("not xml at all").contains("not a GPX file"), "{}", err("not xml at all"));
        assert!(err("<gpx version=\"1.1\" creator=\"x\"></gpx>").contains("no track"));
        assert!(err(&gpx(&[(39.0, 125.7, 30.0, 0.0)])).contains("only one point"));
        let absurd = gpx(&[(39.0, 125.7, 30.0, 0.0), (95.0, 125.7, 30.0, 1.0)]);
        assert!(err(&absurd).contains("not a GPX file"), "{}", err(&absurd));
        let waypoints =
            "<gpx version=\"1.1\" creator=\"x\"><wpt lat=\"1\" lon=\"2\"><name>a</name></wpt></gpx>";
        assert!(err(waypoints).contains("only waypoints"));
    }

    proptest::proptest! {
        // Each case may draw the whole world's outlines: a few dozen suffice.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever a file holds, reading it says what is wrong or gives a
        /// route, and a route is always measured and drawn: never a panic.
        #[test]
        fn any_file_is_read_or_refused_and_any_route_drawn(
            cut in 0usize..2000,
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            points in proptest::collection::vec((-90.0f64..=90.0, -180.0f64..180.0, -500.0f64..9000.0, 0.0f64..86_000.0), 1..40),
        ) {
            let text = gpx(&points);
            let mut bytes = text.as_bytes()[..cut.min(text.len())].to_vec();
            bytes.extend(&noise);
            bytes.extend(&text.as_bytes()[cut.min(text.len())..]);
            for input in [text.as_bytes(), &bytes[..]] {
                if let Ok(route) = read(input) {
                    let drawn = for_post(&[Arc::new(route)], &[], Units::Metric, "Any");
                    proptest::prop_assert!(drawn.map_svg.starts_with("<svg") && drawn.map_svg.ends_with("</svg>"));
                    proptest::prop_assert!(drawn.figures.distance.is_finite() && drawn.figures.distance >= 0.0);
                }
            }
        }
    }

    #[test]
    fn routes_at_the_edges_of_the_world_are_drawn() {
        for points in [
            vec![(89.9, 0.0, 0.0, 0.0), (-89.9, 0.0, 0.0, 10.0)],
            vec![(65.0, 179.99, 0.0, 0.0), (65.0, -179.99, 0.0, 10.0)],
            vec![(39.0, 125.7, 30.0, 0.0), (39.0, 125.7, 30.0, 10.0)],
        ] {
            let route = read(gpx(&points).as_bytes()).unwrap();
            let drawn = for_post(&[Arc::new(route)], &[], Units::Metric, "Edge");
            roxmltree::Document::parse(&drawn.map_svg).unwrap();
        }
    }

    #[test]
    fn planned_routes_and_several_files_are_read_one_after_another() {
        let planned = "<gpx version=\"1.1\" creator=\"x\"><rte><name>Planned</name><rtept lat=\"39.0\" lon=\"125.7\"/><rtept lat=\"39.01\" lon=\"125.7\"/></rte></gpx>";
        let route = read(planned.as_bytes()).unwrap();
        assert_eq!(route.name.as_deref(), Some("Planned"));
        assert!(route.lines[0].iter().all(|p| p.ele.is_none() && p.time.is_none()));
        let morning = Arc::new(route);
        let evening = Arc::new(
            read(gpx(&[(39.02, 125.7, 30.0, 0.0), (39.03, 125.7, 31.0, 600.0)]).as_bytes()).unwrap(),
        );
        let both = for_post(&[morning, evening], &[], Units::Metric, "Day");
        assert_eq!(both.lines.len(), 2);
        // Two lines of about 1.1 km each; the gap between them is not walked.
        assert!((2100.0..2300.0).contains(&both.figures.distance), "{}", both.figures.distance);
        assert_eq!(both.name.as_deref(), Some("Planned"));
    }

    #[test]
    fn waypoints_are_drawn_with_their_names() {
        let text = gpx(&[(39.0, 125.7, 30.0, 0.0), (39.01, 125.71, 32.0, 600.0)]).replace(
            "</gpx>",
            "<wpt lat=\"39.005\" lon=\"125.705\"><name>Water &amp; gels</name></wpt></gpx>",
        );
        let drawn = for_post(&[Arc::new(read(text.as_bytes()).unwrap())], &[], Units::Metric, "Run");
        assert!(drawn.map_svg.contains("<title>Water &amp; gels</title>"), "{}", drawn.map_svg);
    }

    #[test]
    fn times_going_backwards_are_dropped_with_a_warning() {
        let route = read(
            gpx(&[(39.0, 125.7, 30.0, 100.0), (39.001, 125.7, 30.0, 50.0), (39.002, 125.7, 30.0, 150.0)])
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(route.warnings.len(), 1, "{:?}", route.warnings);
        assert!(route.warnings[0].contains("point 2"));
        assert!(route.lines[0].iter().all(|p| p.time.is_none()));
    }
}

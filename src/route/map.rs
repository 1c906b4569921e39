//! Maps as inline SVG: lines (routes, hops between posts) and numbered dots
//! over the land, in Web Mercator fitted to the view. Lines are simplified
//! (Douglas–Peucker) to what the drawn size can show, and the outlines are
//! clipped to the view, so a 100,000-point track stays a small page.
//!
//! Colours are CSS custom properties (`--map-sea`, `--map-land`, …) with
//! fallbacks in attributes, so the theme can restyle them (dark mode) and a
//! feed reader without the theme still shows a map.

use std::f64::consts::PI;
use std::fmt::Write;

use geo::{Coord, LineString, Simplify};

use super::outlines;
use crate::html::escape;

/// The drawn width, in SVG units; pages scale it to their column.
pub(crate) const WIDTH: f64 = 640.0;
/// Simplification tolerance in SVG units: finer than a phone can show, the
/// map being drawn at about 0.6 of its units per CSS pixel there.
pub(crate) const TOLERANCE: f64 = 0.5;

/// The same for land: coasts and borders need less detail than a route.
const LAND_TOLERANCE: f64 = 1.0;

/// What a line is: its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// A recorded route.
    Route,
    /// A straight hop between two places (a trip's posts).
    Hop,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// (lat, lon).
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) kind: LineKind,
}

/// What a dot is: its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DotKind {
    Start,
    Finish,
    /// A distance mark along a route (its label the distance).
    Distance,
    /// A photo or a post: numbered, a link.
    Place,
    /// A named place of the route file (`<wpt>`).
    Waypoint,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dot {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) kind: DotKind,
    pub(crate) label: String,
    /// What a reader hovering it (or a screen reader) is told.
    pub(crate) title: String,
    pub(crate) href: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Map {
    pub(crate) lines: Vec<Line>,
    pub(crate) dots: Vec<Dot>,
}

/// Web Mercator, in units of the world's width (0..1 both ways, y down).
fn mercator(lat: f64, lon: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.0, 85.0).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (PI / 4.0 + lat / 2.0).tan().ln() / PI) / 2.0;
    (x, y)
}

/// Where the world goes in the drawing.
struct View {
    /// Mercator of the top-left corner.
    x0: f64,
    y0: f64,
    /// SVG units per Mercator unit.
    scale: f64,
    width: f64,
    height: f64,
}

impl View {
    /// The view that fits every point of `map` with a margin, its height
    /// following the points' shape (between 0.45 and 1.1 of the width).
    fn fit(map: &Map) -> Option<View> {
        let points = map
            .lines
            .iter()
            .flat_map(|l| l.points.iter().copied())
            .chain(map.dots.iter().map(|d| (d.lat, d.lon)));
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (lat, lon) in points {
            let (x, y) = mercator(lat, lon);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        if x0 > x1 {
            return None;
        }
        // At least about 1.5 km across, so a single place or a short walk
        // is shown among its streets' worth of land, not as one pixel.
        let least = 1.0 / 25_000.0;
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let (mut w, mut h) = ((x1 - x0).max(least), (y1 - y0).max(least));
        let margin = 1.15;
        w *= margin;
        h *= margin;
        let height_ratio = (h / w).clamp(0.45, 1.1);
        let height = (WIDTH * height_ratio).round();
        // Grow the narrower side so the points keep their shape.
        if h / w < height_ratio {
            h = w * height_ratio;
        } else {
            w = h / height_ratio;
        }
        Some(View { x0: cx - w / 2.0, y0: cy - h / 2.0, scale: WIDTH / w, width: WIDTH, height })
    }

    fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        let (x, y) = mercator(lat, lon);
        ((x - self.x0) * self.scale, (y - self.y0) * self.scale)
    }

    /// The view's corners in degrees (south-west, north-east), with a margin.
    fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let unproject = |x: f64, y: f64| {
            let lon = x * 360.0 - 180.0;
            let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
            (lat, lon)
        };
        let pad = 0.1 * self.width / self.scale;
        let sw = unproject(self.x0 - pad, self.y0 + self.height / self.scale + pad);
        let ne = unproject(self.x0 + self.width / self.scale + pad, self.y0 - pad);
        (sw, ne)
    }
}

/// `points` in SVG units, simplified to `tolerance`.
fn simplified(points: impl Iterator<Item = (f64, f64)>, tolerance: f64) -> Vec<(f64, f64)> {
    let line: LineString<f64> = points.map(|(x, y)| Coord { x, y }).collect();
    line.simplify(tolerance).0.into_iter().map(|c| (c.x, c.y)).collect()
}

/// An SVG path's data for `points` (one decimal: a tenth of a unit is finer
/// than any screen shows).
fn path_data(out: &mut String, points: &[(f64, f64)], closed: bool) {
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(out, "{}{:.1} {:.1}", if i == 0 { 'M' } else { 'L' }, x, y);
    }
    if closed {
        out.push('Z');
    }
}

/// Clips a closed ring to the rectangle `[min, max]` (Sutherland–Hodgman:
/// the land only has to look right inside the view, and edges left along the
/// rectangle lie outside the drawing).
fn clip(ring: &[(f64, f64)], min: (f64, f64), max: (f64, f64)) -> Vec<(f64, f64)> {
    type Edge = (fn((f64, f64), (f64, f64), (f64, f64)) -> bool, usize, f64);
    let inside_edges: [Edge; 4] = [
        (|p, min, _| p.0 >= min.0, 0, min.0),
        (|p, _, max| p.0 <= max.0, 0, max.0),
        (|p, min, _| p.1 >= min.1, 1, min.1),
        (|p, _, max| p.1 <= max.1, 1, max.1),
    ];
    let mut out: Vec<(f64, f64)> = ring.to_vec();
    for (inside, axis, at) in inside_edges {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else { break };
        let mut prev = last;
        for &p in &input {
            let cross = |a: (f64, f64), b: (f64, f64)| {
                let (a_axis, b_axis) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
                let t = (at - a_axis) / (b_axis - a_axis);
                (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
            };
            match (inside(p, min, max), inside(prev, min, max)) {
                (true, true) => out.push(p),
                (true, false) => {
                    out.push(cross(prev, p));
                    out.push(p);
                }
                (false, true) => out.push(cross(prev, p)),
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

/// The land of the view, one path.
fn land(view: &View) -> String {
    let ((s, w), (n, e)) = view.bounds();
    let pad = 0.1 * view.width;
    let (min, max) = ((-pad, -pad), (view.width + pad, view.height + pad));
    let mut data = String::new();
    for country in outlines::world() {
        let b = country.bounds;
        if b.max().x < w || b.min().x > e || b.max().y < s || b.min().y > n {
            continue;
        }
        for polygon in &country.shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let projected: Vec<(f64, f64)> = ring.0.iter().map(|c| view.project(c.y, c.x)).collect();
                let clipped = clip(&projected, min, max);
                if clipped.len() < 3 {
                    continue;
                }
                // Land needs less detail than a route, and an island smaller
                // than a unit cannot be seen.
                let points = simplified(clipped.into_iter(), LAND_TOLERANCE);
                let (lo, hi) =
                    points.iter().fold(((f64::MAX, f64::MAX), (f64::MIN, f64::MIN)), |(lo, hi), p| {
                        ((lo.0.min(p.0), lo.1.min(p.1)), (hi.0.max(p.0), hi.1.max(p.1)))
                    });
                if points.len() >= 3 && (hi.0 - lo.0 >= 1.0 || hi.1 - lo.1 >= 1.0) {
                    path_data(&mut data, &points, true);
                }
            }
        }
    }
    data
}

/// The height `draw` gives the drawing of `map` (its width is `WIDTH`).
pub(crate) fn height_of(map: &Map) -> Option<f64> {
    View::fit(map).map(|view| view.height)
}

/// Draws `map` as an SVG element titled `title`; `None` when it has no point.
pub(crate) fn draw(map: &Map, title: &str, class: &str) -> Option<String> {
    let view = View::fit(map)?;
    let (w, h) = (view.width, view.height);
    let mut svg = String::with_capacity(16 * 1024);
    // A picture has no parts to reach, so a map whose dots are links is a
    // named group: a screen reader then offers each link inside it.
    let role = if map.dots.iter().any(|dot| dot.href.is_some()) { "group" } else { "img" };
    let _ = write!(
        svg,
        "<svg class=\"{class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"{role}\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    let _ = write!(
        svg,
        "<rect width=\"{w}\" height=\"{h}\" fill=\"#dce8ef\" style=\"fill:var(--map-sea,#dce8ef)\"/>"
    );
    let land = land(&view);
    if !land.is_empty() {
        let _ = write!(
            svg,
            "<path d=\"{land}\" fill=\"#f2efe6\" stroke=\"#c9c2b0\" stroke-width=\"0.8\" fill-rule=\"evenodd\" style=\"fill:var(--map-land,#f2efe6);stroke:var(--map-border,#c9c2b0)\"/>"
        );
    }
    for kind in [LineKind::Hop, LineKind::Route] {
        let mut data = String::new();
        for line in map.lines.iter().filter(|l| l.kind == kind) {
            let points = simplified(line.points.iter().map(|&(lat, lon)| view.project(lat, lon)), TOLERANCE);
            // A line shorter than a unit would draw nothing to see.
            let (Some(&first), Some(&last)) = (points.first(), points.last()) else { continue };
            if points.len() == 2 && (first.0 - last.0).abs() < 1.0 && (first.1 - last.1).abs() < 1.0 {
                continue;
            }
            path_data(&mut data, &points, false);
        }
        if data.is_empty() {
            continue;
        }
        let look = match kind {
            LineKind::Route => {
                "stroke=\"#c0392b\" stroke-width=\"3\" style=\"stroke:var(--map-route,#c0392b)\""
            }
            LineKind::Hop => {
                "stroke=\"#6b6b6b\" stroke-width=\"1.6\" stroke-dasharray=\"5 4\" style=\"stroke:var(--map-hop,#6b6b6b)\""
            }
        };
        let _ = write!(
            svg,
            "<path d=\"{data}\" fill=\"none\" {look} stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
        );
    }
    // Dots of a kind share their look on a group, so a map of many places
    // does not repeat it for each.
    let text_look = "font-family=\"sans-serif\" font-weight=\"600\" text-anchor=\"middle\"";
    for kind in [DotKind::Waypoint, DotKind::Distance, DotKind::Start, DotKind::Finish, DotKind::Place] {
        let dots: Vec<&Dot> = map.dots.iter().filter(|d| d.kind == kind).collect();
        if dots.is_empty() {
            continue;
        }
        let (r, fill, style, text) = match kind {
            DotKind::Start => (6.0, "#2e7d32", "var(--map-start,#2e7d32)", "#ffffff"),
            DotKind::Finish => (6.0, "#1a1a1a", "var(--map-finish,#1a1a1a)", "#ffffff"),
            DotKind::Distance => (7.5, "#ffffff", "var(--map-mark,#ffffff)", "#1a1a1a"),
            DotKind::Place => (9.0, "#1f4e79", "var(--map-place,#1f4e79)", "#ffffff"),
            DotKind::Waypoint => (4.5, "#6b6b6b", "var(--map-hop,#6b6b6b)", "#ffffff"),
        };
        let _ = write!(
            svg,
            "<g fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1.5\" style=\"fill:{style}\"><g {text_look} stroke=\"none\">"
        );
        for dot in dots {
            let (x, y) = view.project(dot.lat, dot.lon);
            let (open, close) = match &dot.href {
                Some(href) => (format!("<a href=\"{}\">", escape(href)), "</a>"),
                None => ("<g>".to_string(), "</g>"),
            };
            let _ = write!(
                svg,
                "{open}<title>{}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" stroke=\"#ffffff\"/>",
                escape(&dot.title)
            );
            if !dot.label.is_empty() {
                let _ = write!(
                    svg,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{}\" style=\"fill:{text}\">{}</text>",
                    y + 3.4,
                    if dot.label.len() > 2 { 8 } else { 10 },
                    escape(&dot.label)
                );
            }
            svg.push_str(close);
        }
        svg.push_str("</g></g>");
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spiral(n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * 40.0;
                (39.03 + t.sin() * 0.0004 * t, 125.75 + t.cos() * 0.0004 * t)
            })
            .collect()
    }

    fn route_map(points: Vec<(f64, f64)>) -> Map {
        let (start, finish) = (points[0], points[points.len() - 1]);
        Map {
            lines: vec![Line { points, kind: LineKind::Route }],
            dots: vec![
                Dot {
                    lat: start.0,
                    lon: start.1,
                    kind: DotKind::Start,
                    label: String::new(),
                    title: "Start".into(),
                    href: None,
                },
                Dot {
                    lat: finish.0,
                    lon: finish.1,
                    kind: DotKind::Finish,
                    label: String::new(),
                    title: "Finish".into(),
                    href: None,
                },
                Dot {
                    lat: 39.031,
                    lon: 125.751,
                    kind: DotKind::Place,
                    label: "1".into(),
                    title: "Photo 1".into(),
                    href: Some("#photo-1".into()),
                },
            ],
        }
    }

    #[test]
    fn the_map_is_svg_with_the_route_marks_and_land() {
        let svg = draw(&route_map(spiral(5000)), "Route <map>", "route-map").unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("the map is XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("aria-label"), Some("Route <map>"));
        let paths: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("path")).collect();
        assert_eq!(paths.len(), 2, "land and the route");
        let links: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].attribute("href"), Some("#photo-1"));
        assert!(svg.contains(">1</text>"));
        assert!(!svg.contains("http://") || svg.matches("http://").count() == 1, "only the namespace");
    }

    #[test]
    fn lines_are_simplified_to_the_drawn_size() {
        let svg = draw(&route_map(spiral(100_000)), "Route", "route-map").unwrap();
        let route = svg.split("<path").nth(2).unwrap();
        let points = route.matches('L').count() + 1;
        assert!(points < 5000, "{points} points drawn of 100,000");
        assert!(svg.len() < 60 * 1024, "{} bytes", svg.len());
        let projected = || spiral(5000).into_iter().map(|(lat, lon)| (lon * 100_000.0, lat * 100_000.0));
        let (coarse, fine) =
            (simplified(projected(), TOLERANCE).len(), simplified(projected(), TOLERANCE / 10.0).len());
        assert!(coarse < fine && fine < 5000, "{coarse} against {fine}");
    }

    #[test]
    fn clipping_keeps_what_is_inside() {
        let square = [(-10.0, -10.0), (50.0, -10.0), (50.0, 50.0), (-10.0, 50.0), (-10.0, -10.0)];
        let clipped = clip(&square, (0.0, 0.0), (20.0, 20.0));
        assert!(
            clipped.iter().all(|&(x, y)| (0.0..=20.0).contains(&x) && (0.0..=20.0).contains(&y)),
            "{clipped:?}"
        );
        assert!(clipped.len() >= 4);
        assert!(clip(&[(30.0, 30.0), (40.0, 30.0), (40.0, 40.0)], (0.0, 0.0), (20.0, 20.0)).is_empty());
    }

    #[test]
    fn a_map_of_nothing_is_none() {
        assert!(draw(&Map::default(), "x", "route-map").is_none());
    }
}

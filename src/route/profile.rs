//! A route's height profile as inline SVG: smoothed height against distance,
//! with the lowest and highest heights and distance ticks marked.

use std::fmt::Write;

use super::map::WIDTH;
use crate::html::escape;

const HEIGHT: f64 = 140.0;
/// Room for the labels: left for heights, below for distances.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 20.0;
const TOP: f64 = 8.0;

/// How distances and heights are written.
pub(crate) struct Scale<'a> {
    /// Metres in one unit of distance (1000 or 1609.344).
    pub(crate) distance_unit: f64,
    pub(crate) distance_name: &'a str,
    /// Metres in one unit of height (1 or 0.3048).
    pub(crate) height_unit: f64,
    pub(crate) height_name: &'a str,
}

/// The profile of (distance, height) points in metres, titled `title`;
/// `None` when fewer than two points have heights or the route has no length.
pub(crate) fn draw(points: &[(f64, f64)], scale: &Scale<'_>, title: &str) -> Option<String> {
    let (first, last) = (points.first()?.0, points.last()?.0);
    let length = last - first;
    if points.len() < 2 || length <= 0.0 {
        return None;
    }
    let (low, high) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &(_, h)| (lo.min(h), hi.max(h)));
    // At least 20 m of height shown, so a flat course looks flat.
    let span = (high - low).max(20.0);
    let floor = low - span * 0.1;
    let top = floor + span * 1.2;
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let x = |d: f64| LEFT + (d - first) / length * plot_w;
    let y = |h: f64| TOP + (top - h) / (top - floor) * plot_h;

    // One point per half unit of width at most: the rest cannot be seen.
    let mut drawn: Vec<(f64, f64)> = Vec::with_capacity(2 * WIDTH as usize);
    for &(d, h) in points {
        let p = (x(d), y(h));
        match drawn.last() {
            Some(last) if p.0 - last.0 < 0.5 => {}
            _ => drawn.push(p),
        }
    }
    if let Some(&(d, h)) = points.last() {
        drawn.push((x(d), y(h)));
    }

    let mut svg = String::with_capacity(8 * 1024);
    let _ = write!(
        svg,
        "<svg class=\"route-profile\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{0}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{0}</title>",
        escape(title)
    );
    let base = TOP + plot_h;
    let mut area = format!("M{:.1} {base:.1}", drawn[0].0);
    let mut line = String::new();
    for (i, (px, py)) in drawn.iter().enumerate() {
        let _ = write!(area, "L{px:.1} {py:.1}");
        let _ = write!(line, "{}{px:.1} {py:.1}", if i == 0 { 'M' } else { 'L' });
    }
    let _ = write!(area, "L{:.1} {base:.1}Z", drawn[drawn.len() - 1].0);
    let _ = write!(
        svg,
        "<path d=\"{area}\" fill=\"#f3d9d4\" style=\"fill:var(--profile-fill,#f3d9d4)\"/><path d=\"{line}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" style=\"stroke:var(--map-route,#c0392b)\"/>"
    );
    let text = "font-size=\"10\" font-family=\"sans-serif\" fill=\"#555555\" style=\"fill:var(--profile-text,#555555)\"";
    for h in [low, high] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" {text}>{:.0} {}</text>",
            LEFT - 4.0,
            y(h) + 3.5,
            h / scale.height_unit,
            scale.height_name
        );
    }
    // Ticks at round distances, about five of them.
    let units = length / scale.distance_unit;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .find(|s| units / s <= 6.0)
        .unwrap_or(1000.0);
    let mut tick = 0.0;
    while tick <= units + 1e-9 {
        let px = x(first + tick * scale.distance_unit);
        let _ = write!(
            svg,
            "<line x1=\"{px:.1}\" y1=\"{base:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#999999\" stroke-width=\"0.8\"/><text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" {text}>{tick} {}</text>",
            base + 4.0,
            base + 15.0,
            scale.distance_name
        );
        tick += step;
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KM: Scale<'static> =
        Scale { distance_unit: 1000.0, distance_name: "km", height_unit: 1.0, height_name: "m" };

    #[test]
    fn the_profile_is_svg_with_heights_and_ticks() {
        let points: Vec<(f64, f64)> =
            (0..42_195).step_by(5).map(|d| (d as f64, 30.0 + (d as f64 / 3000.0).sin() * 20.0)).collect();
        let svg = draw(&points, &KM, "Height profile").unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("the profile is XML");
        let texts: Vec<_> =
            doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        assert!(texts.contains(&"10 m") && texts.contains(&"50 m"), "{texts:?}");
        assert!(texts.contains(&"0 km") && texts.contains(&"40 km"), "{texts:?}");
        let line = doc.descendants().filter(|n| n.has_tag_name("path")).nth(1).unwrap();
        let drawn = line.attribute("d").unwrap().matches('L').count() + 1;
        assert!(drawn <= 2 * WIDTH as usize + 2, "{drawn} points");
        assert!(svg.len() < 30 * 1024, "{} bytes", svg.len());
    }

    #[test]
    fn no_profile_without_two_heights() {
        assert!(draw(&[(0.0, 10.0)], &KM, "x").is_none());
        assert!(draw(&[], &KM, "x").is_none());
    }
}

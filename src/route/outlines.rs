//! The world's country outlines (Natural Earth 1:50m, public domain; see
//! data/README.md), embedded in the binary and decoded on first use: the
//! land behind every map, and which country a point is in.

use std::sync::OnceLock;

use geo::{BoundingRect, Contains, Coord, Distance, Euclidean, LineString, MultiPolygon, Polygon, Rect};

const WORLD: &[u8] = include_bytes!("../../data/countries-50m.bin");

pub(crate) struct Country {
    /// Natural Earth's short name ("North Korea", "Bosnia and Herz.").
    pub(crate) name: String,
    /// In degrees: x longitude, y latitude.
    pub(crate) bounds: Rect<f64>,
    pub(crate) shape: MultiPolygon<f64>,
    /// The bounds of each polygon of `shape`: most points are far from most
    /// of a country's islands.
    parts: Vec<Rect<f64>>,
}

/// Every country, sorted by name.
pub(crate) fn world() -> &'static [Country] {
    static WORLD_DECODED: OnceLock<Vec<Country>> = OnceLock::new();
    // The file is part of the binary and checked by a test: it always decodes.
    WORLD_DECODED.get_or_init(|| decode(WORLD).unwrap_or_default())
}

/// How far off the coast (degrees, about 10 km) a point still counts as in
/// the nearest country: at 1:50m a coast is drawn in steps of a few
/// kilometres, and central Lisbon falls in the Tagus.
const COAST_REACH: f64 = 0.1;

/// The country holding the point, else the nearest one within
/// `COAST_REACH`; `None` at sea. `likely` is tried first: the country of the
/// place before, which most places of a trip share.
pub(crate) fn country_near(lat: f64, lon: f64, likely: Option<&'static Country>) -> Option<&'static Country> {
    let point = geo::Point::new(lon, lat);
    let within = |rect: &Rect<f64>, reach: f64| {
        let (min, max) = (rect.min(), rect.max());
        (min.x - reach..=max.x + reach).contains(&lon) && (min.y - reach..=max.y + reach).contains(&lat)
    };
    let world = world();
    let inside = |c: &Country| {
        within(&c.bounds, 0.0)
            && c.shape
                .0
                .iter()
                .zip(&c.parts)
                .any(|(polygon, part)| within(part, 0.0) && polygon.contains(&point))
    };
    if let Some(country) = likely.filter(|c| inside(c)).or_else(|| world.iter().find(|c| inside(c))) {
        return Some(country);
    }
    world
        .iter()
        .filter(|c| within(&c.bounds, COAST_REACH))
        .filter_map(|c| {
            let near = c.shape.0.iter().zip(&c.parts).filter(|(_, part)| within(part, COAST_REACH));
            let d = near.map(|(polygon, _)| Euclidean.distance(&point, polygon)).min_by(f64::total_cmp)?;
            (d <= COAST_REACH).then_some((c, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(slice)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    /// A zigzag-encoded LEB128 varint.
    fn delta(&mut self) -> Option<i64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some((value >> 1) as i64 ^ -((value & 1) as i64));
            }
        }
        None
    }
}

const UNIT: f64 = 1e-5;

/// Decodes the format data/README.md describes; `None` if it is not that.
fn decode(bytes: &[u8]) -> Option<Vec<Country>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != b"MPWORLD1" {
        return None;
    }
    let count = r.u32()?;
    let mut countries = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let len = r.u8()? as usize;
        let name = String::from_utf8(r.take(len)?.to_vec()).ok()?;
        // The ISO 3166-1 numeric id: not unique in the data (names are).
        let _id = r.u16()?;
        let [x0, y0, x1, y1] = [r.i32()?, r.i32()?, r.i32()?, r.i32()?].map(|v| f64::from(v) * UNIT);
        let bounds = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 });
        let polygons = r.u32()?;
        let mut shape = Vec::with_capacity(polygons as usize);
        for _ in 0..polygons {
            let rings = r.u32()?;
            let mut decoded: Vec<LineString<f64>> = Vec::with_capacity(rings as usize);
            for _ in 0..rings {
                let n = r.u32()? as usize;
                let (mut x, mut y) = (i64::from(r.i32()?), i64::from(r.i32()?));
                let mut ring = Vec::with_capacity(n);
                ring.push(Coord { x: x as f64 * UNIT, y: y as f64 * UNIT });
                for _ in 1..n {
                    x += r.delta()?;
                    y += r.delta()?;
                    ring.push(Coord { x: x as f64 * UNIT, y: y as f64 * UNIT });
                }
                decoded.push(LineString::new(ring));
            }
            let mut rings = decoded.into_iter();
            if let Some(outer) = rings.next() {
                shape.push(Polygon::new(outer, rings.collect()));
            }
        }
        let nowhere = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 });
        let parts = shape.iter().map(|p: &Polygon<f64>| p.bounding_rect().unwrap_or(nowhere)).collect();
        countries.push(Country { name, bounds, shape: MultiPolygon::new(shape), parts });
    }
    (r.at == bytes.len()).then_some(countries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_outlines_decode_whole() {
        let world = decode(WORLD).expect("data/countries-50m.bin decodes");
        assert!(world.len() > 200, "{} countries", world.len());
        let points: usize = world.iter().flat_map(|c| &c.shape.0).map(|p| p.exterior().0.len()).sum();
        assert!(points > 50_000, "{points} points");
    }

    #[test]
    fn points_fall_in_their_countries() {
        let name = |lat, lon| country_near(lat, lon, None).map(|c| c.name.as_str());
        assert_eq!(name(39.04, 125.75), Some("North Korea"));
        assert_eq!(name(38.72, -9.14), Some("Portugal"));
        assert_eq!(name(48.86, 2.35), Some("France"));
        assert_eq!(name(35.69, 139.69), Some("Japan"));
        assert_eq!(name(-22.91, -43.17), Some("Brazil"));
        assert_eq!(name(30.0, -30.0), None);
        // Across the antimeridian, and north of the Arctic Circle elsewhere.
        assert_eq!(name(66.5, 25.7), Some("Finland"));
        assert_eq!(name(64.7, 177.5), Some("Russia"));
        assert_eq!(name(67.0, -30.0), None);
    }
}

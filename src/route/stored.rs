//! A read route as bytes, for the cache: a GPX file is XML read at about
//! 20 MB a second, so a long track costs a build half a second; decoded from
//! here, a few milliseconds. Little-endian; heights and times that the file
//! lacks are NaN.

use super::{Point, Route, Waypoint};

const MAGIC: &[u8] = b"MPROUTE1";

pub(super) fn encode(route: &Route) -> Vec<u8> {
    let points: usize = route.lines.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(64 + points * 32);
    out.extend_from_slice(MAGIC);
    text(&mut out, route.name.as_deref().unwrap_or(""));
    count(&mut out, route.warnings.len());
    for warning in &route.warnings {
        text(&mut out, warning);
    }
    count(&mut out, route.lines.len());
    for line in &route.lines {
        count(&mut out, line.len());
        for p in line {
            for v in [p.lat, p.lon, p.ele.unwrap_or(f64::NAN), p.time.unwrap_or(f64::NAN)] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    count(&mut out, route.waypoints.len());
    for w in &route.waypoints {
        out.extend_from_slice(&w.lat.to_le_bytes());
        out.extend_from_slice(&w.lon.to_le_bytes());
        text(&mut out, w.name.as_deref().unwrap_or(""));
    }
    out
}

/// The route in `bytes`; `None` when they are not what `encode` wrote (a
/// torn or foreign cache file, which is then read again from the GPX).
pub(super) fn decode(bytes: &[u8], hash: u64) -> Option<Route> {
    let mut r = Reader { bytes: bytes.strip_prefix(MAGIC)? };
    let name = Some(r.text()?).filter(|n| !n.is_empty());
    let warnings = (0..r.count()?).map(|_| r.text()).collect::<Option<Vec<_>>>()?;
    let mut lines = Vec::new();
    for _ in 0..r.count()? {
        let n = r.count()?;
        let mut line = Vec::with_capacity(n.min(r.bytes.len() / 32));
        for _ in 0..n {
            let [lat, lon, ele, time] = [r.f64()?, r.f64()?, r.f64()?, r.f64()?];
            let known = |v: f64| (!v.is_nan()).then_some(v);
            line.push(Point { lat, lon, ele: known(ele), time: known(time) });
        }
        lines.push(line);
    }
    let mut waypoints = Vec::new();
    for _ in 0..r.count()? {
        let (lat, lon) = (r.f64()?, r.f64()?);
        waypoints.push(Waypoint { lat, lon, name: Some(r.text()?).filter(|n| !n.is_empty()) });
    }
    let whole = r.bytes.is_empty() && !lines.is_empty() && lines.iter().all(|l| l.len() >= 2);
    whole.then_some(Route { name, lines, waypoints, warnings, hash })
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn text(out: &mut Vec<u8>, s: &str) {
    count(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.bytes.get(..n)?, self.bytes.get(n..)?);
        self.bytes = rest;
        Some(head)
    }

    fn count(&mut self) -> Option<usize> {
        usize::try_from(u64::from_le_bytes(self.take(8)?.try_into().ok()?)).ok()
    }

    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        let n = self.count()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_comes_back_as_it_was_stored() {
        let text = crate::route::tests::gpx(&[(39.0, 125.7, 30.0, 0.0), (39.001, 125.7, 32.5, 20.0)])
            .replace("</gpx>", "<wpt lat=\"39.5\" lon=\"125.5\"><name>Arch</name></wpt></gpx>");
        let mut route = crate::route::read(text.as_bytes()).unwrap();
        route.lines[0][1].ele = None;
        route.warnings.push("a warning".into());
        let bytes = encode(&route);
        assert_eq!(decode(&bytes, route.hash), Some(route));
    }

    #[test]
    fn a_torn_file_is_not_a_route() {
        let text = crate::route::tests::gpx(&[(39.0, 125.7, 30.0, 0.0), (39.001, 125.7, 32.5, 20.0)]);
        let bytes = encode(&crate::route::read(text.as_bytes()).unwrap());
        for cut in [0, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], 0), None, "cut at {cut}");
        }
        assert_eq!(decode(b"garbage that is long enough to read", 0), None);
    }
}

//! A route's numbers: distance on the ellipsoid, climb and descent after
//! smoothing the noise of GPS heights, time, moving time, highest and lowest
//! points, and splits of one kilometre or one mile.

use geo::{Distance, Geodesic};

use super::Point;

/// Heights are averaged over this much track (metres) before climbs are
/// counted: a GPS height wanders by metres from one fix to the next.
pub(crate) const SMOOTHING_WINDOW_M: f64 = 100.0;
/// A climb or descent counts once it reaches this many metres (after
/// smoothing), so what is left of the noise does not add up.
pub(crate) const CLIMB_THRESHOLD_M: f64 = 3.0;
/// Slower than this between two fixes (1.8 km/h) is standing still.
pub(crate) const MOVING_SPEED: f64 = 0.5;

/// A place on the route and its height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spot {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) ele: f64,
}

/// One split: a kilometre or a mile of the route (the last one shorter).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Split {
    /// Metres of route in it.
    pub(crate) distance: f64,
    /// Seconds it took, when the file has times.
    pub(crate) time: Option<f64>,
    pub(crate) climb: f64,
    pub(crate) descent: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figures {
    /// Metres, on the WGS 84 ellipsoid.
    pub(crate) distance: f64,
    /// Metres climbed and descended, after smoothing; `None` without heights.
    pub(crate) climb: Option<f64>,
    pub(crate) descent: Option<f64>,
    /// Seconds from the first fix to the last, when the file has times.
    pub(crate) duration: Option<f64>,
    /// Seconds moving (see `MOVING_SPEED`).
    pub(crate) moving: Option<f64>,
    /// Seconds since the Unix epoch of the first fix.
    pub(crate) start: Option<f64>,
    pub(crate) highest: Option<Spot>,
    pub(crate) lowest: Option<Spot>,
    pub(crate) splits: Vec<Split>,
    /// For each line, each point's distance from the start of the route
    /// (metres): for distance marks and the height profile.
    pub(crate) along: Vec<Vec<f64>>,
    /// For each line, each point's smoothed height, where it has one.
    pub(crate) heights: Vec<Vec<Option<f64>>>,
}

/// The distance in metres between two points, on the WGS 84 ellipsoid.
pub(crate) fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    Geodesic.distance(geo::Point::new(a.1, a.0), geo::Point::new(b.1, b.0))
}

/// Measures the lines of a route (one after another, as walked), with
/// splits every `split_length` metres.
pub(crate) fn measure(lines: &[Vec<Point>], split_length: f64) -> Figures {
    let mut along = Vec::with_capacity(lines.len());
    let mut total = 0.0;
    for line in lines {
        let mut at = Vec::with_capacity(line.len());
        at.push(total);
        for pair in line.windows(2) {
            total += distance((pair[0].lat, pair[0].lon), (pair[1].lat, pair[1].lon));
            at.push(total);
        }
        along.push(at);
    }
    let heights: Vec<Vec<Option<f64>>> =
        lines.iter().zip(&along).map(|(line, at)| smooth(line, at)).collect();

    let timed = lines.iter().flatten().all(|p| p.time.is_some());
    let times = |f: &dyn Fn(&Point) -> bool| lines.iter().flatten().find(|p| f(p)).and_then(|p| p.time);
    let (start, end) = if timed {
        (times(&|_| true), lines.iter().flatten().next_back().and_then(|p| p.time))
    } else {
        (None, None)
    };
    let moving = timed.then(|| {
        lines
            .iter()
            .zip(&along)
            .flat_map(|(line, at)| line.windows(2).zip(at.windows(2)))
            .map(|(pair, at)| {
                let dt = pair[1].time.unwrap_or(0.0) - pair[0].time.unwrap_or(0.0);
                let dd = at[1] - at[0];
                if dt > 0.0 && dd / dt >= MOVING_SPEED { dt } else { 0.0 }
            })
            .sum()
    });

    let (climb, descent) = climbs(heights.iter().flatten().copied());
    let spots = lines
        .iter()
        .flatten()
        .zip(heights.iter().flatten())
        .filter_map(|(p, h)| h.map(|ele| Spot { lat: p.lat, lon: p.lon, ele }));
    let highest = spots.clone().max_by(|a, b| a.ele.total_cmp(&b.ele));
    let lowest = spots.min_by(|a, b| a.ele.total_cmp(&b.ele));

    Figures {
        distance: total,
        climb,
        descent,
        duration: start.zip(end).map(|(s, e)| e - s),
        moving,
        start,
        highest,
        lowest,
        splits: splits(lines, &along, &heights, split_length, timed),
        along,
        heights,
    }
}

/// Each point's height averaged over `SMOOTHING_WINDOW_M` of track around it.
fn smooth(line: &[Point], along: &[f64]) -> Vec<Option<f64>> {
    let half = SMOOTHING_WINDOW_M / 2.0;
    let (mut from, mut to) = (0, 0);
    let (mut sum, mut count) = (0.0, 0usize);
    let mut out = Vec::with_capacity(line.len());
    for i in 0..line.len() {
        while to < line.len() && along[to] <= along[i] + half {
            if let Some(e) = line[to].ele {
                sum += e;
                count += 1;
            }
            to += 1;
        }
        while along[from] < along[i] - half {
            if let Some(e) = line[from].ele {
                sum -= e;
                count -= 1;
            }
            from += 1;
        }
        out.push(line[i].ele.map(|_| sum / count.max(1) as f64));
    }
    out
}

/// Metres climbed and descended along `heights`; `None` without heights.
fn climbs(heights: impl Iterator<Item = Option<f64>>) -> (Option<f64>, Option<f64>) {
    let mut counted = Climbs::new(None);
    heights.for_each(|h| counted.add(h));
    let known = counted.anchor.is_some();
    let (up, down) = counted.take();
    if known { (Some(up), Some(down)) } else { (None, None) }
}

/// The route cut every `length` metres; times and heights at each cut are
/// found between the two fixes around it.
fn splits(
    lines: &[Vec<Point>],
    along: &[Vec<f64>],
    heights: &[Vec<Option<f64>>],
    length: f64,
    timed: bool,
) -> Vec<Split> {
    // (distance, time, smoothed height) of every fix, in order.
    let fixes: Vec<(f64, Option<f64>, Option<f64>)> = lines
        .iter()
        .zip(along)
        .zip(heights)
        .flat_map(|((line, at), h)| line.iter().zip(at).zip(h).map(|((p, &d), &h)| (d, p.time, h)))
        .collect();
    let Some(&(total, _, _)) = fixes.last() else { return Vec::new() };
    if total <= 0.0 {
        return Vec::new();
    }
    let lerp = |a: Option<f64>, b: Option<f64>, f: f64| a.zip(b).map(|(a, b)| a + (b - a) * f);
    let mut splits = Vec::new();
    let mut start_time = fixes[0].1;
    let mut climb = Climbs::new(fixes[0].2);
    let mut next = length;
    for pair in fixes.windows(2) {
        let ((d0, t0, h0), (d1, t1, h1)) = (pair[0], pair[1]);
        while next <= d1 && next < total && d1 > d0 {
            let f = (next - d0) / (d1 - d0);
            let time = lerp(t0, t1, f);
            climb.add(lerp(h0, h1, f));
            let (up, down) = climb.take();
            splits.push(Split {
                distance: length,
                time: if timed { time.zip(start_time).map(|(t, s)| t - s) } else { None },
                climb: up,
                descent: down,
            });
            start_time = time;
            next += length;
        }
        climb.add(h1);
    }
    let (up, down) = climb.take();
    let rest = total - (next - length);
    if rest > 1.0 {
        let end = fixes.last().and_then(|f| f.1);
        splits.push(Split {
            distance: rest,
            time: if timed { end.zip(start_time).map(|(e, s)| e - s) } else { None },
            climb: up,
            descent: down,
        });
    }
    splits
}

/// Climbs and descents counted as they reach `CLIMB_THRESHOLD_M`, from
/// the last height where one was counted.
struct Climbs {
    anchor: Option<f64>,
    up: f64,
    down: f64,
}

impl Climbs {
    fn new(first: Option<f64>) -> Climbs {
        Climbs { anchor: first, up: 0.0, down: 0.0 }
    }

    fn add(&mut self, height: Option<f64>) {
        let Some(h) = height else { return };
        let Some(a) = self.anchor else {
            self.anchor = Some(h);
            return;
        };
        if h - a >= CLIMB_THRESHOLD_M {
            self.up += h - a;
            self.anchor = Some(h);
        } else if a - h >= CLIMB_THRESHOLD_M {
            self.down += a - h;
            self.anchor = Some(h);
        }
    }

    fn take(&mut self) -> (f64, f64) {
        (std::mem::take(&mut self.up), std::mem::take(&mut self.down))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent distance: haversine on a sphere of the mean Earth radius.
    fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
        let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    }

    /// A run north from Pyongyang: `n` fixes 10 m apart every 3 s, over a
    /// hill of `hill` metres, with ±`noise` metres of GPS height noise.
    fn run(n: usize, hill: f64, noise: f64) -> Vec<Point> {
        (0..n)
            .map(|i| {
                let f = i as f64 / n as f64;
                let wobble = if i % 2 == 0 { noise } else { -noise };
                Point {
                    lat: 39.0 + i as f64 * 10.0 / 111_000.0,
                    lon: 125.75 + (f * 20.0).sin() * 0.001,
                    ele: Some(30.0 + hill * (f * std::f64::consts::PI).sin() + wobble),
                    time: Some(1_492_041_600.0 + i as f64 * 3.0),
                }
            })
            .collect()
    }

    #[test]
    fn distance_agrees_with_an_independent_sum() {
        let line = run(2000, 50.0, 1.5);
        let figures = measure(std::slice::from_ref(&line), 1000.0);
        let independent: f64 =
            line.windows(2).map(|p| haversine((p[0].lat, p[0].lon), (p[1].lat, p[1].lon))).sum();
        let error = (figures.distance - independent).abs() / independent;
        assert!(error < 0.005, "{} against {independent}: {error}", figures.distance);
        assert!(figures.distance > 19_000.0);
    }

    #[test]
    fn smoothing_takes_out_the_noise_but_not_the_hill() {
        let line = run(2000, 50.0, 1.5);
        let raw: f64 = line.windows(2).map(|p| (p[1].ele.unwrap() - p[0].ele.unwrap()).max(0.0)).sum();
        let figures = measure(&[line], 1000.0);
        let climb = figures.climb.unwrap();
        assert!(climb < raw / 10.0, "{climb} against a raw {raw}");
        assert!((45.0..=52.0).contains(&climb), "{climb}");
        assert!((45.0..=52.0).contains(&figures.descent.unwrap()));
        let highest = figures.highest.unwrap();
        assert!((78.0..=81.0).contains(&highest.ele), "{highest:?}");
    }

    #[test]
    fn splits_add_up() {
        let line = run(2000, 50.0, 0.0);
        let figures = measure(&[line], 1000.0);
        assert_eq!(figures.splits.len(), (figures.distance / 1000.0).ceil() as usize);
        let distance: f64 = figures.splits.iter().map(|s| s.distance).sum();
        assert!((distance - figures.distance).abs() < 0.01, "{distance} {}", figures.distance);
        let time: f64 = figures.splits.iter().map(|s| s.time.unwrap()).sum();
        assert!((time - figures.duration.unwrap()).abs() < 0.01);
        let climb: f64 = figures.splits.iter().map(|s| s.climb).sum();
        assert!(climb > 40.0 && climb <= figures.climb.unwrap() + CLIMB_THRESHOLD_M, "{climb}");
        // 10 m every 3 s: 5:00 a kilometre.
        assert!((figures.splits[3].time.unwrap() - 300.0).abs() < 2.0, "{:?}", figures.splits[3]);
    }

    #[test]
    fn standing_still_is_not_moving_time() {
        let mut line = run(200, 0.0, 0.0);
        let last = *line.last().unwrap();
        for i in 1..=20 {
            line.push(Point { time: Some(last.time.unwrap() + i as f64 * 3.0), ..last });
        }
        let figures = measure(&[line], 1000.0);
        assert!((figures.duration.unwrap() - (219.0 * 3.0)).abs() < 0.01);
        assert!((figures.moving.unwrap() - (199.0 * 3.0)).abs() < 0.01);
    }

    #[test]
    fn without_times_or_heights_there_are_no_such_figures() {
        let line: Vec<Point> =
            run(100, 10.0, 0.0).into_iter().map(|p| Point { ele: None, time: None, ..p }).collect();
        let figures = measure(&[line], 1000.0);
        assert!(figures.duration.is_none() && figures.moving.is_none() && figures.climb.is_none());
        assert!(figures.highest.is_none());
        assert!(figures.distance > 900.0);
    }
}

#!/usr/bin/env python3
"""Write the demo journal's race-day track:
content/pyongyang-2017/2017-04-13-race-day/course.gpx

A made-up but plausible GPS recording of the Pyongyang Marathon, 13 April 2017,
as the race-day post tells it: a lap of the Kim Il Sung Stadium track, four
loops of about 10.2 km through the city, the last lap of the track, 42.2 km in
4:21:37 (10 km in 58 minutes, half way in 2:04, the wall at 34 km), with a
40-second stop at the drinks station near km 21.

The gun went at 08:30 Pyongyang time (UTC+08:30), which is 00:00:00Z.
One point every 5 seconds of running; coordinates to 6 decimals, elevation to
1 decimal. Python 3.11 standard library only, and deterministic: the noise
comes from a random.Random with a fixed seed, so every run writes the same
bytes.

    python3 tools/demo_course.py
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content/pyongyang-2017/2017-04-13-race-day/course.gpx"

SEED = 20170413
EARTH_RADIUS = 6_371_008.8  # metres, the mean radius
START = dt.datetime(2017, 4, 13, 0, 0, 0, tzinfo=dt.timezone.utc)  # 08:30 +08:30
FINISH = 4 * 3600 + 21 * 60 + 37  # 4:21:37 elapsed, in seconds
STEP = 5  # seconds between points
MARATHON = 42_195.0  # metres the runner really covers
TARGET_MEASURED = 42_200.0  # what the jittered track should sum to
STOP_AT = 20_900.0  # the drinks station, metres from the start
STOP_FOR = 40  # seconds standing still there

# Kim Il Sung Stadium: the centre of the track, and the tunnel out of it.
STADIUM = (39.0437, 125.7553)
TUNNEL = (39.0428, 125.7547)

# One loop through the city, from the Arch of Triumph and back to it:
# south down Chollima Street, past Pyongyang Station, east along Yonggwang
# Street to the river, north along Sungri Street to Kim Il Sung Square, over
# the Taedong Bridge, up the east bank past the Juche Tower, back over the
# Okryu Bridge, and north along the river under Moranbong to the stadium.
LOOP = [
    (39.0420, 125.7536),  # Arch of Triumph
    (39.0381, 125.7512),
    (39.0330, 125.7481),  # Chollima Street
    (39.0288, 125.7458),
    (39.0250, 125.7440),  # Pyongyang Grand Theatre
    (39.0203, 125.7418),
    (39.0155, 125.7395),  # Pyongyang Station
    (39.0137, 125.7432),
    (39.0120, 125.7470),  # Yonggwang Street
    (39.0143, 125.7497),
    (39.0168, 125.7521),  # Sungri Street, along the river
    (39.0192, 125.7540),  # Kim Il Sung Square
    (39.0181, 125.7575),  # Taedong Bridge
    (39.0169, 125.7612),
    (39.0163, 125.7648),  # east bank
    (39.0178, 125.7662),  # Juche Tower
    (39.0205, 125.7668),
    (39.0238, 125.7671),
    (39.0262, 125.7654),  # Okryu Bridge
    (39.0276, 125.7622),
    (39.0290, 125.7590),  # Okryu Restaurant
    (39.0320, 125.7600),
    (39.0352, 125.7611),  # Mansudae
    (39.0380, 125.7620),  # under Moranbong
    (39.0404, 125.7590),
    (39.0420, 125.7536),  # Arch of Triumph
]

# Rolling city terrain: a base height, two gentle hills (Mansu Hill and the
# foot of Moranbong, and the rise past Pyongyang Station) and a long swell.
HILLS = [
    # lat, lon, height (m), radius (m)
    (39.0345, 125.7555, 19.0, 700.0),
    (39.0180, 125.7410, 13.0, 600.0),
]


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude, near `lat`."""
    m_lat = math.pi * EARTH_RADIUS / 180
    return m_lat, m_lat * math.cos(math.radians(lat))


def offset(p: tuple[float, float], north: float, east: float) -> tuple[float, float]:
    m_lat, m_lon = metres_per_degree(p[0])
    return p[0] + north / m_lat, p[1] + east / m_lon


def track_lap(start_angle: float) -> list[tuple[float, float]]:
    """A 400 m lap of the stadium track (two 84.39 m straights, two bends of
    radius 36.5 m) from the middle of the home straight, running anticlockwise,
    its long axis turned `start_angle` degrees from north."""
    straight, radius = 84.39, 36.5
    turn = math.radians(start_angle)
    pts = []
    n = 200
    perimeter = 2 * straight + 2 * math.pi * radius
    for i in range(n + 1):
        s = (perimeter * i / n + straight / 2) % perimeter  # start mid-straight
        if s < straight:  # east straight, going north
            x, y = radius, -straight / 2 + s
        elif s < straight + math.pi * radius:  # north bend
            a = (s - straight) / radius
            x, y = radius * math.cos(a), straight / 2 + radius * math.sin(a)
        elif s < 2 * straight + math.pi * radius:  # west straight, going south
            x, y = -radius, straight / 2 - (s - straight - math.pi * radius)
        else:  # south bend
            a = math.pi + (s - 2 * straight - math.pi * radius) / radius
            x, y = radius * math.cos(a), -straight / 2 + radius * math.sin(a)
        east = x * math.cos(turn) + y * math.sin(turn)
        north = -x * math.sin(turn) + y * math.cos(turn)
        pts.append(offset(STADIUM, north, east))
    return pts


def scaled_loop(scale: float) -> list[tuple[float, float]]:
    """The city loop stretched about the Arch of Triumph by `scale`."""
    o = LOOP[0]
    return [(o[0] + (p[0] - o[0]) * scale, o[1] + (p[1] - o[1]) * scale) for p in LOOP]


def course(scale: float) -> list[tuple[float, float]]:
    """The whole course as a polyline: a lap of the track, out through the
    tunnel, four loops, back in, and the last lap."""
    lap = track_lap(15.0)
    path = list(lap)
    path.append(TUNNEL)
    loop = scaled_loop(scale)
    for _ in range(4):
        path.extend(loop)
    path.append(TUNNEL)
    path.extend(lap)
    # Drop repeated vertices so every segment has a length.
    out = [path[0]]
    for p in path[1:]:
        if haversine(out[-1], p) > 0.01:
            out.append(p)
    return out


class Polyline:
    def __init__(self, pts: list[tuple[float, float]]):
        self.pts = pts
        self.cum = [0.0]
        for a, b in zip(pts, pts[1:]):
            self.cum.append(self.cum[-1] + haversine(a, b))

    @property
    def length(self) -> float:
        return self.cum[-1]

    def at(self, d: float) -> tuple[tuple[float, float], float]:
        """The point `d` metres along, and the heading there (radians from north)."""
        d = min(max(d, 0.0), self.length)
        i = max(1, bisect.bisect_left(self.cum, d))
        i = min(i, len(self.pts) - 1)
        a, b = self.pts[i - 1], self.pts[i]
        seg = self.cum[i] - self.cum[i - 1]
        f = (d - self.cum[i - 1]) / seg if seg else 0.0
        p = (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
        m_lat, m_lon = metres_per_degree(a[0])
        heading = math.atan2((b[1] - a[1]) * m_lon, (b[0] - a[0]) * m_lat)
        return p, heading


def scale_for(length: float) -> float:
    """The loop scale that makes the whole course `length` metres."""
    lo, hi = 0.5, 2.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if Polyline(course(mid)).length < length:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# Split times (seconds of running, without the drinks stop) at distances
# (metres): 10 km in 58:00, half way in 2:04:00 with the stop, 34 km at
# 3:22:30, and the finish at 4:21:37 with the stop. After 34 km the pace
# falls from about 6:00/km to over 7:00/km.
def splits(total: float) -> list[tuple[float, float]]:
    return [
        (0.0, 0.0),
        (10_000.0, 58 * 60),
        (21_097.5, 2 * 3600 + 4 * 60 - STOP_FOR),
        (34_000.0, 3 * 3600 + 22 * 60 + 30 - STOP_FOR),
        (total, FINISH - STOP_FOR),
    ]


def running_time(d: float, marks: list[tuple[float, float]]) -> float:
    """Seconds of running to reach `d` metres: linear between the splits, with
    a small wobble (zero at every split) for the hills and the crowds."""
    for (d0, t0), (d1, t1) in zip(marks, marks[1:]):
        if d <= d1:
            f = (d - d0) / (d1 - d0)
            wobble = 9.0 * math.sin(math.pi * f * 3) * math.sin(math.pi * f)
            return t0 + (t1 - t0) * f + wobble
    return marks[-1][1]


def distance_at(t: float, marks: list[tuple[float, float]], total: float) -> float:
    """The inverse of `running_time`, by bisection (it is increasing)."""
    lo, hi = 0.0, total
    for _ in range(60):
        mid = (lo + hi) / 2
        if running_time(mid, marks) < t:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def terrain(p: tuple[float, float]) -> float:
    m_lat, m_lon = metres_per_degree(p[0])
    h = 27.0
    for lat, lon, height, radius in HILLS:
        dn, de = (p[0] - lat) * m_lat, (p[1] - lon) * m_lon
        h += height * math.exp(-(dn * dn + de * de) / (2 * radius * radius))
    # A long, low swell across the city.
    h += 4.0 * math.sin((p[0] - 39.0) * m_lat / 900.0) * math.cos((p[1] - 125.7) * m_lon / 1300.0)
    return h


def sample(
    line: Polyline, marks: list[tuple[float, float]], rng: random.Random
) -> list[tuple[int, tuple[float, float], float]]:
    """(seconds since the gun, position, elevation) every STEP seconds."""
    total = line.length
    stop_run = running_time(STOP_AT, marks)
    stop_start = STEP * round(stop_run / STEP)  # on a sample, so the stop's points repeat
    stop_end = stop_start + STOP_FOR
    times = list(range(0, FINISH, STEP)) + [FINISH]

    lateral = 0.0  # metres right of the line, a slow random walk pulled back to 0
    ele_noise = 0.0
    out = []
    frozen = None
    for t in times:
        if stop_start <= t <= stop_end:
            if frozen is None:
                d = distance_at(stop_start, marks, total)
                p, heading = line.at(d)
                frozen = (offset(p, -math.sin(heading) * lateral, math.cos(heading) * lateral), ele_noise, p)
            pos, noise, true_p = frozen
            out.append((t, pos, terrain(true_p) + noise))
            continue
        run_t = t - STOP_FOR if t > stop_end else t
        d = total if t == FINISH else distance_at(run_t, marks, total)
        p, heading = line.at(d)
        lateral = 0.93 * lateral + rng.gauss(0.0, 0.55)
        lateral = max(-3.0, min(3.0, lateral))
        ele_noise = 0.6 * ele_noise + rng.gauss(0.0, 0.5)
        ele_noise = max(-1.5, min(1.5, ele_noise))
        pos = offset(p, -math.sin(heading) * lateral, math.cos(heading) * lateral)
        out.append((t, pos, terrain(p) + ele_noise))
    return out


def rounded(points):
    return [(t, (round(p[0], 6), round(p[1], 6)), round(e, 1)) for t, p, e in points]


def measured(points) -> float:
    return sum(haversine(a[1], b[1]) for a, b in zip(points, points[1:]))


def build(true_length: float):
    scale = scale_for(true_length)
    line = Polyline(course(scale))
    marks = splits(line.length)
    points = rounded(sample(line, marks, random.Random(SEED)))
    return scale, line, points


def main() -> None:
    # The jitter adds a little length: shorten the true course until the
    # recorded one sums to the target (two passes are plenty).
    true_length = MARATHON
    for _ in range(3):
        scale, line, points = build(true_length)
        true_length += TARGET_MEASURED - measured(points)

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="milepost demo" xmlns="http://www.topografix.com/GPX/1/1">',
        "<metadata>",
        "  <name>Pyongyang Marathon 2017</name>",
        "  <desc>Four loops of the city from the Kim Il Sung Stadium; the demo journal's race day.</desc>",
        "  <time>2017-04-13T00:00:00Z</time>",
        "</metadata>",
        "<trk>",
        "  <name>Pyongyang Marathon 2017</name>",
        "  <type>running</type>",
        "  <trkseg>",
    ]
    for t, (lat, lon), ele in points:
        when = (START + dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f'    <trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{ele:.1f}</ele><time>{when}</time></trkpt>')
    lines += ["  </trkseg>", "</trk>", "</gpx>", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")

    total = measured(points)
    elapsed = points[-1][0] - points[0][0]
    moving = sum(b[0] - a[0] for a, b in zip(points, points[1:]) if a[1] != b[1])
    eles = [e for _, _, e in points]

    def hms(s: int) -> str:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"

    def split_at(metres: float) -> str:
        run = 0.0
        for a, b in zip(points, points[1:]):
            run += haversine(a[1], b[1])
            if run >= metres:
                return hms(b[0])
        return "-"

    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")
    print(f"distance (haversine sum): {total / 1000:.3f} km")
    print(f"elapsed time: {hms(elapsed)}  moving time: {hms(moving)}")
    print(f"points: {len(points)}")
    print(f"loop: {Polyline(scaled_loop(scale)).length / 1000:.3f} km (scale {scale:.4f}), true course {line.length / 1000:.3f} km")
    print(f"elevation: {min(eles):.1f}-{max(eles):.1f} m")
    print(f"splits: 10 km {split_at(10_000)}, half {split_at(21_097.5)}, 34 km {split_at(34_000)}")


if __name__ == "__main__":
    main()

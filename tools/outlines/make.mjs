// Builds data/countries-50m.bin: country outlines (Natural Earth 1:50m admin 0,
// via the world-atlas npm package) in milepost's compact "MPWORLD1" format.
// The format is documented in data/README.md.
//
//   cd tools/outlines && npm ci && node make.mjs
//
// By default rings are kept exactly as world-atlas gives them. NOTE: world-atlas
// ran Natural Earth through `geostitch`, which REMOVED Natural Earth's cuts at
// the antimeridian, so a few rings (Russia, Fiji, Antarctica) cross lon ±180 and
// are wrong for planar (lon/lat) point-in-polygon tests. With
//
//   node make.mjs --split-antimeridian
//
// those rings are cut at ±180 again (each piece becomes its own polygon, closed
// along the meridian; Antarctica's pole-enclosing ring is closed via lat -90).
//
// Output is deterministic: the same input gives the same bytes on every run.
// check.mjs imports buildCountries()/encode() from here to compare its own
// independent decoder against what the encoder produced.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SOURCE = join(HERE, "node_modules", "world-atlas", "countries-50m.json");
export const OUTPUT = join(HERE, "..", "..", "data", "countries-50m.bin");
export const MAGIC = "MPWORLD1";
export const SCALE = 1e5; // coordinates are stored in units of 1e-5 degree

/** Round half away from zero (same as Rust's f64::round), never -0. */
function roundUnits(deg) {
  const v = deg * SCALE;
  const r = Math.sign(v) * Math.round(Math.abs(v));
  if (!Number.isSafeInteger(r) || r < -(2 ** 31) || r >= 2 ** 31) {
    throw new Error(`coordinate out of i32 range: ${deg}`);
  }
  return r === 0 ? 0 : r;
}

/** ISO 3166-1 numeric id as a u16; 0 when missing, "-99" or otherwise not numeric. */
function parseId(id) {
  if (id === undefined || id === null) return 0;
  const s = String(id);
  if (!/^[0-9]+$/.test(s)) return 0;
  const n = Number(s);
  return n <= 0xffff ? n : 0;
}

/** UTF-8 bytes of name, truncated at a char boundary to at most 255 bytes. */
function nameBytes(name) {
  let buf = Buffer.from(name, "utf8");
  if (buf.length > 255) {
    let end = 255;
    while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // back up to a char start
    buf = buf.subarray(0, end);
  }
  return buf;
}

/**
 * Rounds a ring to integer units, drops consecutive duplicates, keeps it closed.
 * Returns null when fewer than 4 points remain.
 */
function cleanRing(ring, stats) {
  const out = [];
  for (const [lon, lat] of ring) {
    const p = [roundUnits(lon), roundUnits(lat)];
    const last = out[out.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) {
      stats.duplicatesDropped++;
      continue;
    }
    out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (out.length > 0 && (first[0] !== last[0] || first[1] !== last[1])) {
    // Natural Earth rings are closed; if rounding ever opened one, close it again.
    out.push([first[0], first[1]]);
    stats.ringsReclosed++;
  }
  if (out.length < 4) {
    stats.ringsDropped++;
    return null;
  }
  return out;
}

/**
 * Reads the TopoJSON and returns the countries exactly as they will be encoded:
 * [{ name, nameBytes, id, rawId, bbox: [minLon, minLat, maxLon, maxLat],
 *    polygons: [[ring: [[lon, lat], ...], ...], ...] }], sorted, coords in 1e-5 deg.
 */
export function buildCountries({ sourcePath = SOURCE, splitAntimeridian = false } = {}) {
  const topology = JSON.parse(readFileSync(sourcePath, "utf8"));
  const collection = feature(topology, topology.objects.countries);
  const stats = {
    features: collection.features.length,
    skippedNoGeometry: [],
    duplicatesDropped: 0,
    ringsDropped: 0,
    polygonsDropped: 0,
    ringsReclosed: 0,
    splitAntimeridian,
    antimeridianRings: [], // rings with an edge spanning > 180 deg of longitude
    poleArtifactsDropped: 0,
  };
  const countries = [];
  for (const f of collection.features) {
    const name = (f.properties && f.properties.name) || "";
    const g = f.geometry;
    let rawPolygons;
    if (!g) rawPolygons = [];
    else if (g.type === "Polygon") rawPolygons = [g.coordinates];
    else if (g.type === "MultiPolygon") rawPolygons = g.coordinates;
    else throw new Error(`${name}: unexpected geometry type ${g.type}`);

    const polygons = [];
    for (const rawPoly of rawPolygons) {
      const rings = [];
      for (let i = 0; i < rawPoly.length; i++) {
        const ring = cleanRing(rawPoly[i], stats);
        if (ring) rings.push(ring);
        else if (i === 0) break; // outer ring gone: holes alone mean nothing
      }
      // Any non-empty result starts with the outer ring (we stop at a dropped outer ring).
      if (rings.length === 0) {
        stats.polygonsDropped++;
        continue;
      }
      for (const r of rings) {
        const n = antimeridianEdges(r).length;
        if (n) stats.antimeridianRings.push({ name, edges: n, points: r.length });
      }
      if (splitAntimeridian) polygons.push(...splitPolygon(name, rings, stats));
      else polygons.push(rings);
    }
    if (polygons.length === 0) {
      stats.skippedNoGeometry.push({ name, id: f.id });
      continue;
    }
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (const poly of polygons) {
      for (const ring of poly) {
        for (const [x, y] of ring) {
          if (x < minLon) minLon = x;
          if (x > maxLon) maxLon = x;
          if (y < minLat) minLat = y;
          if (y > maxLat) maxLat = y;
        }
      }
    }
    countries.push({
      name,
      nameBytes: nameBytes(name),
      id: parseId(f.id),
      rawId: f.id,
      bbox: [minLon, minLat, maxLon, maxLat],
      polygons,
    });
  }
  // Sort by name as UTF-8 bytes (= Rust's str ordering), then by id.
  countries.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes) || a.id - b.id);
  return { countries, stats };
}

// ---------- optional antimeridian split (--split-antimeridian) ----------
const LON180 = 180 * SCALE;
const LAT90 = 90 * SCALE;

/** Indices i whose edge i -> i+1 jumps more than 180 degrees of longitude. */
function antimeridianEdges(ring) {
  const out = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    if (Math.abs(ring[i + 1][0] - ring[i][0]) > LON180) out.push(i);
  }
  return out;
}

/** For an edge a -> b crossing the antimeridian: [last point before, first point after]. */
function cutEdge(a, b) {
  const east = a[0] > b[0]; // a on the +180 side, b on the -180 side
  const bx = east ? b[0] + 2 * LON180 : b[0] - 2 * LON180; // unwrap b next to a
  const X = east ? LON180 : -LON180;
  const t = bx === a[0] ? 0 : (X - a[0]) / (bx - a[0]);
  const yRaw = a[1] + t * (b[1] - a[1]);
  const y = Math.sign(yRaw) * Math.round(Math.abs(yRaw)) || 0;
  return [[X, y], [-X, y]];
}

function pushDistinct(arr, p) {
  const last = arr[arr.length - 1];
  if (!last || last[0] !== p[0] || last[1] !== p[1]) arr.push(p);
}

/** Cuts a closed ring at the antimeridian; returns closed planar rings. */
function splitRing(name, ring) {
  const pts = ring.slice(0, -1); // open; edge i -> (i+1) % n
  const n = pts.length;
  const crosses = (i) => Math.abs(pts[(i + 1) % n][0] - pts[i][0]) > LON180;
  let c0 = -1;
  for (let i = 0; i < n; i++) if (crosses(i)) { c0 = i; break; }
  if (c0 < 0) return [ring];
  const pieces = [];
  let cur = [cutEdge(pts[c0], pts[(c0 + 1) % n])[1]];
  for (let step = 1; step <= n; step++) {
    const i = (c0 + step) % n;
    pushDistinct(cur, pts[i]);
    if (crosses(i)) {
      const [end, start] = cutEdge(pts[i], pts[(i + 1) % n]);
      pushDistinct(cur, end);
      pieces.push(cur);
      cur = [start];
    }
  }
  let out;
  if (pieces.length === 2) {
    // Two crossings: each piece starts and ends on the same side; close along the meridian.
    out = pieces.map((p) => {
      if (p[0][0] !== p[p.length - 1][0]) throw new Error(`${name}: piece does not return to its side`);
      return [...p, p[0]];
    });
  } else if (pieces.length === 1) {
    // One crossing: the ring encloses a pole; close it through the pole.
    const p = pieces[0];
    const meanLat = p.reduce((s, q) => s + q[1], 0) / p.length;
    const pole = meanLat < 0 ? -LAT90 : LAT90;
    const a = p[0], z = p[p.length - 1];
    const closed = [...p];
    pushDistinct(closed, [z[0], pole]);
    pushDistinct(closed, [a[0], pole]);
    pushDistinct(closed, a);
    out = [closed];
  } else {
    throw new Error(`${name}: ring crosses the antimeridian ${pieces.length} times; not handled`);
  }
  for (const r of out) if (r.length < 4) throw new Error(`${name}: split piece too small`);
  return out;
}

/** Splits one polygon (array of closed rings) into planar polygons. */
function splitPolygon(name, rings, stats) {
  // geostitch leaves a degenerate ring along lat ~-89.999 next to a pole-enclosing
  // ring (Antarctica): drop it; the remaining ring is then the outer ring.
  const isPoleArtifact = (r) => r.every((q) => q[1] === r[0][1]) && Math.abs(r[0][1]) >= 89.99 * SCALE;
  const kept = rings.filter((r) => !isPoleArtifact(r));
  if (kept.length !== rings.length) {
    stats.poleArtifactsDropped += rings.length - kept.length;
    if (kept.length !== 1) throw new Error(`${name}: unexpected rings next to a pole artifact`);
  }
  if (!kept.some((r) => antimeridianEdges(r).length)) return kept.length ? [kept] : [];
  if (kept.length !== 1) throw new Error(`${name}: holes in an antimeridian-crossing polygon; not handled`);
  return splitRing(name, kept[0]).map((r) => [r]);
}

class Writer {
  constructor() {
    this.buf = Buffer.alloc(1 << 20);
    this.len = 0;
  }
  ensure(n) {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  bytes(b) { this.ensure(b.length); b.copy(this.buf, this.len); this.len += b.length; }
  u8(v) { this.ensure(1); this.buf.writeUInt8(v, this.len); this.len += 1; }
  u16(v) { this.ensure(2); this.buf.writeUInt16LE(v, this.len); this.len += 2; }
  u32(v) { this.ensure(4); this.buf.writeUInt32LE(v, this.len); this.len += 4; }
  i32(v) { this.ensure(4); this.buf.writeInt32LE(v, this.len); this.len += 4; }
  /** zigzag + unsigned LEB128 of a signed integer (|v| < 2^31) */
  zigzag(v) {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(5);
    while (z >= 0x80) {
      this.buf[this.len++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.len++] = z;
  }
  finish() { return this.buf.subarray(0, this.len); }
}

export function encode(countries) {
  const w = new Writer();
  w.bytes(Buffer.from(MAGIC, "ascii"));
  w.u32(countries.length);
  for (const c of countries) {
    w.u8(c.nameBytes.length);
    w.bytes(c.nameBytes);
    w.u16(c.id);
    for (const v of c.bbox) w.i32(v);
    w.u32(c.polygons.length);
    for (const poly of c.polygons) {
      w.u32(poly.length);
      for (const ring of poly) {
        w.u32(ring.length);
        w.i32(ring[0][0]);
        w.i32(ring[0][1]);
        for (let i = 1; i < ring.length; i++) {
          w.zigzag(ring[i][0] - ring[i - 1][0]);
          w.zigzag(ring[i][1] - ring[i - 1][1]);
        }
      }
    }
  }
  return Buffer.from(w.finish());
}

function main() {
  const args = process.argv.slice(2);
  for (const a of args) if (a !== "--split-antimeridian") throw new Error(`unknown argument ${a}`);
  const { countries, stats } = buildCountries({ splitAntimeridian: args.includes("--split-antimeridian") });
  const bytes = encode(countries);
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, bytes);
  let polygons = 0, rings = 0, points = 0;
  for (const c of countries) {
    polygons += c.polygons.length;
    for (const p of c.polygons) {
      rings += p.length;
      for (const r of p) points += r.length;
    }
  }
  const rel = relative(process.cwd(), OUTPUT);
  console.log(`wrote ${rel}: ${bytes.length} bytes`);
  console.log(`countries ${countries.length} (of ${stats.features} features), polygons ${polygons}, rings ${rings}, points ${points}`);
  console.log(`consecutive duplicate points dropped ${stats.duplicatesDropped}, rings dropped (<4 points) ${stats.ringsDropped}, polygons dropped ${stats.polygonsDropped}, rings re-closed ${stats.ringsReclosed}`);
  const am = stats.antimeridianRings.map((r) => `${r.name} (${r.edges} edge${r.edges > 1 ? "s" : ""})`);
  console.log(
    stats.splitAntimeridian
      ? `antimeridian: split rings of ${am.join(", ") || "none"}; pole artifact rings dropped ${stats.poleArtifactsDropped}`
      : `antimeridian: kept as given; rings crossing lon ±180: ${am.join(", ") || "none"} (use --split-antimeridian for planar-safe rings)`
  );
  if (stats.skippedNoGeometry.length) {
    console.log(`skipped (no geometry): ${stats.skippedNoGeometry.map((s) => `${s.name} (${s.id})`).join(", ")}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();

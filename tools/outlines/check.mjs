// Checks data/countries-50m.bin: decodes it with a decoder written here (not
// shared with make.mjs), then compares it with what the encoder built, with the
// raw TopoJSON, and with a few point-in-polygon expectations.
//
//   cd tools/outlines && node check.mjs      (exit status 1 on any failure)
//
// Works for either output of make.mjs (as given, or --split-antimeridian); it
// detects which one the file is. Known limitations of the data are printed as
// WARN and do not fail the check (see data/README.md).

import { readFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";
import { buildCountries, encode, SOURCE } from "./make.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, "..", "..", "data", "countries-50m.bin");

let failures = 0, warnings = 0;
function check(ok, msg) {
  if (!ok) {
    failures++;
    console.log(`FAIL: ${msg}`);
  }
}

// ---------- independent decoder ----------
function decode(buf) {
  let pos = 0;
  const need = (n) => {
    if (pos + n > buf.length) throw new Error(`truncated at byte ${pos} (need ${n})`);
  };
  const u8 = () => { need(1); return buf[pos++]; };
  const u16 = () => { need(2); const v = buf.readUInt16LE(pos); pos += 2; return v; };
  const u32 = () => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const i32 = () => { need(4); const v = buf.readInt32LE(pos); pos += 4; return v; };
  const varint = () => {
    let result = 0n, shift = 0n;
    for (;;) {
      const b = u8();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 35n) throw new Error(`varint too long at byte ${pos}`);
    }
    // zigzag decode
    const v = (result >> 1n) ^ -(result & 1n);
    return Number(v);
  };

  need(8);
  const magic = buf.subarray(0, 8).toString("latin1");
  pos = 8;
  if (magic !== "MPWORLD1") throw new Error(`bad magic ${JSON.stringify(magic)}`);
  const count = u32();
  const countries = [];
  for (let c = 0; c < count; c++) {
    const nlen = u8();
    need(nlen);
    const name = new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(pos, pos + nlen));
    pos += nlen;
    const id = u16();
    const bbox = [i32(), i32(), i32(), i32()];
    const npoly = u32();
    const polygons = [];
    for (let p = 0; p < npoly; p++) {
      const nring = u32();
      const rings = [];
      for (let r = 0; r < nring; r++) {
        const n = u32();
        let x = i32(), y = i32();
        const ring = [[x, y]];
        for (let i = 1; i < n; i++) {
          x += varint();
          y += varint();
          ring.push([x, y]);
        }
        rings.push(ring);
      }
      polygons.push(rings);
    }
    countries.push({ name, id, bbox, polygons });
  }
  if (pos !== buf.length) throw new Error(`${buf.length - pos} trailing bytes`);
  return countries;
}

// even-odd rule over all rings of one polygon (outer + holes); coords in 1e-5 deg
function inPolygon(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
const containing = (countries, lon, lat) =>
  countries.filter((c) => c.polygons.some((p) => inPolygon(p, lon * 1e5, lat * 1e5))).map((c) => c.name);

// ---------- run ----------
const bytes = readFileSync(BIN);
const decoded = decode(bytes);
// Which make.mjs mode produced the file? (also the determinism check)
let mode = null, built, stats;
for (const splitAntimeridian of [false, true]) {
  const b = buildCountries({ splitAntimeridian });
  if (Buffer.compare(encode(b.countries), bytes) === 0) {
    mode = splitAntimeridian ? "--split-antimeridian" : "as given";
    ({ countries: built, stats } = b);
    break;
  }
}
check(mode !== null, "re-running the encoder (either mode) does not reproduce the file byte for byte");
if (!mode) ({ countries: built, stats } = buildCountries());

let totalPoints = 0, totalRings = 0, totalPolys = 0;
for (const c of decoded) {
  totalPolys += c.polygons.length;
  for (const p of c.polygons) {
    totalRings += p.length;
    for (const r of p) totalPoints += r.length;
  }
}
console.log(`file ${BIN}`);
console.log(`size ${statSync(BIN).size} bytes (${(statSync(BIN).size / 1024).toFixed(1)} KiB)`);
console.log(`countries ${decoded.length}, polygons ${totalPolys}, rings ${totalRings}, points ${totalPoints}`);
console.log(`file reproduced byte for byte by: node make.mjs ${mode === "as given" ? "" : mode}${mode ? "" : "(NEITHER MODE)"}`);

// 2. decoded == encoder's model (names, ids, bboxes, ring point counts, every point)
check(decoded.length === built.length, `country count ${decoded.length} != encoder ${built.length}`);
let ringCountMismatches = 0, pointMismatches = 0, ringsCompared = 0;
for (let i = 0; i < Math.min(decoded.length, built.length); i++) {
  const d = decoded[i], b = built[i];
  check(d.name === b.name, `#${i} name ${d.name} != ${b.name}`);
  check(d.id === b.id, `${d.name}: id ${d.id} != ${b.id}`);
  check(d.bbox.join() === b.bbox.join(), `${d.name}: bbox differs`);
  check(d.polygons.length === b.polygons.length, `${d.name}: polygon count differs`);
  for (let p = 0; p < Math.min(d.polygons.length, b.polygons.length); p++) {
    check(d.polygons[p].length === b.polygons[p].length, `${d.name} poly ${p}: ring count differs`);
    for (let r = 0; r < Math.min(d.polygons[p].length, b.polygons[p].length); r++) {
      const dr = d.polygons[p][r], br = b.polygons[p][r];
      ringsCompared++;
      if (dr.length !== br.length) { ringCountMismatches++; continue; }
      for (let k = 0; k < dr.length; k++) {
        if (dr[k][0] !== br[k][0] || dr[k][1] !== br[k][1]) pointMismatches++;
      }
    }
  }
}
check(ringCountMismatches === 0, `${ringCountMismatches} rings with a different point count`);
check(pointMismatches === 0, `${pointMismatches} points differ from the encoder's`);
console.log(`ring point counts: ${ringsCompared} rings compared with the encoder, ${ringCountMismatches} mismatches; ${pointMismatches} point mismatches`);

// 3. structural invariants of the decoded file
for (let i = 1; i < decoded.length; i++) {
  const a = Buffer.from(decoded[i - 1].name), b = Buffer.from(decoded[i].name);
  const cmp = Buffer.compare(a, b) || decoded[i - 1].id - decoded[i].id;
  check(cmp < 0, `not sorted: ${decoded[i - 1].name} / ${decoded[i].name}`);
}
for (const c of decoded) {
  let bb = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of c.polygons) {
    check(p.length >= 1, `${c.name}: polygon without rings`);
    for (const r of p) {
      check(r.length >= 4, `${c.name}: ring with ${r.length} points`);
      const f = r[0], l = r[r.length - 1];
      check(f[0] === l[0] && f[1] === l[1], `${c.name}: open ring`);
      for (let k = 0; k < r.length; k++) {
        const [x, y] = r[k];
        if (k > 0) check(x !== r[k - 1][0] || y !== r[k - 1][1], `${c.name}: consecutive duplicate`);
        check(x >= -18000000 && x <= 18000000 && y >= -9000000 && y <= 9000000, `${c.name}: out of range ${x},${y}`);
        bb = [Math.min(bb[0], x), Math.min(bb[1], y), Math.max(bb[2], x), Math.max(bb[3], y)];
      }
    }
  }
  check(bb.join() === c.bbox.join(), `${c.name}: stored bbox ${c.bbox} != points' bbox ${bb}`);
}

// 4. against the raw TopoJSON (unrounded): every point within half a unit
//    (only for the as-given mode; splitting changes the rings of Russia, Fiji, Antarctica)
if (mode === "as given") {
  const topology = JSON.parse(readFileSync(SOURCE, "utf8"));
  const fc = feature(topology, topology.objects.countries);
  const byName = new Map(decoded.map((c) => [c.name, c]));
  let maxErr = 0, rawPoints = 0;
  for (const f of fc.features) {
    const c = byName.get(f.properties.name);
    if (!f.geometry) continue;
    const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
    check(c && c.polygons.length === polys.length, `${f.properties.name}: polygon count vs source`);
    if (!c) continue;
    polys.forEach((poly, p) =>
      poly.forEach((ring, r) => {
        const dr = c.polygons[p]?.[r];
        rawPoints += ring.length;
        if (!dr || dr.length !== ring.length) return; // only when dedupe changed it (reported by make.mjs)
        ring.forEach(([lon, lat], k) => {
          maxErr = Math.max(maxErr, Math.abs(lon * 1e5 - dr[k][0]), Math.abs(lat * 1e5 - dr[k][1]));
        });
      })
    );
  }
  check(maxErr <= 0.5 + 1e-6, `max rounding error ${maxErr} units`);
  console.log(`source points ${rawPoints}, max |source - decoded| = ${maxErr.toFixed(4)} units of 1e-5 deg`);
}

// 5. a few bboxes
const fmt = (v) => (v / 1e5).toFixed(5);
for (const name of ["France", "Japan", "North Korea", "Portugal", "Brazil"]) {
  const c = decoded.find((x) => x.name === name);
  if (!c) {
    check(false, `${name} not found`);
    continue;
  }
  const pts = c.polygons.flat().reduce((s, r) => s + r.length, 0);
  console.log(
    `${name.padEnd(12)} id ${String(c.id).padStart(3)}  bbox lon ${fmt(c.bbox[0])}..${fmt(c.bbox[2])}  lat ${fmt(c.bbox[1])}..${fmt(c.bbox[3])}  polygons ${c.polygons.length}  points ${pts}`
  );
}

// 6. point-in-polygon sanity (planar even-odd test on lon/lat)
// km from (lon, lat) to the nearest edge of a country (local equirectangular approx.)
function kmToCountry(c, lon, lat) {
  const kx = 111.32 * Math.cos((lat * Math.PI) / 180), ky = 110.57;
  let best = Infinity;
  for (const p of c.polygons)
    for (const r of p)
      for (let k = 1; k < r.length; k++) {
        const ax = (r[k - 1][0] / 1e5 - lon) * kx, ay = (r[k - 1][1] / 1e5 - lat) * ky;
        const bx = (r[k][0] / 1e5 - lon) * kx, by = (r[k][1] / 1e5 - lat) * ky;
        const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        const t = len2 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
  return best;
}
const COAST_KM = 5; // a miss this close to the expected country is a coastline-generalisation WARN
function expectAt(label, lon, lat, want, { warnOnly = false } = {}) {
  const got = containing(decoded, lon, lat);
  if (got.join("|") === want.join("|")) {
    console.log(`ok   (${lon}, ${lat}) ${label} -> [${got.join(", ")}]`);
    return;
  }
  let note = "";
  let warn = warnOnly;
  if (want.length === 1 && got.length === 0 && !warnOnly) {
    const km = kmToCountry(decoded.find((c) => c.name === want[0]), lon, lat);
    note = ` (${km.toFixed(1)} km outside ${want[0]}'s 1:50m outline)`;
    if (km <= COAST_KM) warn = true;
  }
  const msg = `(${lon}, ${lat}) ${label} -> [${got.join(", ")}], expected [${want.join(", ")}]${note}`;
  if (warn) {
    warnings++;
    console.log(`WARN ${msg}`);
  } else check(false, msg);
}
expectAt("Pyongyang", 125.75, 39.04, ["North Korea"]);
expectAt("Lisbon", -9.14, 38.72, ["Portugal"]);
expectAt("Paris", 2.35, 48.86, ["France"]);
expectAt("Tokyo", 139.69, 35.69, ["Japan"]);
expectAt("Atlantic", -30, 30, []);

// Points that a planar test gets wrong when rings cross the antimeridian.
// Expected to WARN for the as-given file, must pass with --split-antimeridian.
console.log(`antimeridian probes (${mode === "--split-antimeridian" ? "must pass" : "WARN only: rings kept as given"}):`);
const amWarn = { warnOnly: mode !== "--split-antimeridian" };
expectAt("Rovaniemi", 25.72, 66.5, ["Finland"], amWarn);
expectAt("Kiruna", 20.22, 67.85, ["Sweden"], amWarn);
expectAt("Akureyri", -18.1, 65.68, ["Iceland"], amWarn);
expectAt("Nunavut 67N", -95, 67, ["Canada"], amWarn);
expectAt("Denmark Strait 67N", -30, 67, [], amWarn);
expectAt("Murmansk", 33.08, 68.97, ["Russia"], amWarn);
expectAt("Chukotka", -175, 66.5, ["Russia"], amWarn);
expectAt("Wrangel Island", -179.5, 71.2, ["Russia"], amWarn);
expectAt("La Paz", -68.15, -16.5, ["Bolivia"], amWarn);
expectAt("Vanua Levu", 179.39, -16.43, ["Fiji"], amWarn);
expectAt("Taveuni", -179.9, -16.8, ["Fiji"], amWarn);
expectAt("near South Pole", 0, -89.5, ["Antarctica"], amWarn);
expectAt("East Antarctica", 0, -80, ["Antarctica"], amWarn);

// 7. notes about the data
const nonAscii = decoded.filter((c) => /[^\x00-\x7f]/.test(c.name)).map((c) => c.name);
console.log(`non-ASCII names (${nonAscii.length}): ${nonAscii.join(", ")}`);
const noId = decoded.filter((c) => c.id === 0).map((c) => c.name);
console.log(`id 0 / missing (${noId.length}): ${noId.join(", ")}`);
const idUse = new Map();
for (const c of decoded) if (c.id) idUse.set(c.id, [...(idUse.get(c.id) || []), c.name]);
for (const [id, names] of idUse) if (names.length > 1) console.log(`shared id ${id}: ${names.join(", ")}`);
const at180 = [], crossing = [];
for (const c of decoded) {
  let touches = false, jumps = 0;
  for (const p of c.polygons)
    for (const r of p)
      for (let k = 0; k < r.length; k++) {
        if (Math.abs(r[k][0]) === 18000000) touches = true;
        if (k > 0 && Math.abs(r[k][0] - r[k - 1][0]) > 18000000) jumps++;
      }
  if (touches) at180.push(c.name);
  if (jumps) crossing.push(`${c.name} (${jumps})`);
}
console.log(`countries with vertices on lon ±180: ${at180.join(", ") || "none"}`);
console.log(`edges spanning > 180° of longitude (rings crossing the antimeridian): ${crossing.join(", ") || "none"}`);
const holes = decoded.filter((c) => c.polygons.some((p) => p.length > 1)).map((c) => c.name);
console.log(`countries with holes (${holes.length}): ${holes.join(", ")}`);
console.log(`encoder: duplicates dropped ${stats.duplicatesDropped}, rings dropped ${stats.ringsDropped}, features skipped ${stats.skippedNoGeometry.length}`);

if (failures) {
  console.log(`${failures} check(s) FAILED, ${warnings} warning(s)`);
  process.exit(1);
}
console.log(`all checks passed, ${warnings} warning(s)`);

// Check 8: Lighthouse at its mobile defaults (a phone's screen, simulated slow
// 4G and a slower CPU) on the post with photos, the home page and the trip,
// served by run.sh's test server under /diary/. Every category must score at
// least 95 (a page below that is run twice more and judged on the median
// run). Scores go to --out (default /tmp/browser-lighthouse.json) and to
// the run's results, and are printed with every audit that cost points.
//
//   node tests/browser/lighthouse.mjs [--out FILE]   (run.sh sets MP_*)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import lighthouse from 'lighthouse';
import { env, sites, siteUrl, pageTypes, CHROMIUM_ARGS, writeResult } from './lib/common.mjs';

const MIN = 95;
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

let out = '/tmp/browser-lighthouse.json';
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--out') out = process.argv[++i];
}

/** Starts Chromium with a DevTools port of its own choosing; returns { port, stop }. */
async function startChromium() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-lh-profile-'));
  const child = spawn(env.chromium, [
    '--headless=new', ...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium gave no DevTools port in 30 s:\n${err}`)), 30_000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${code}):\n${err}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => { const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 3000); child.on('exit', () => { clearTimeout(t); r(); }); });
    }
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { port, stop };
}

const types = pageTypes(sites.demo.served);
const pages = [['post', types.post], ['home', types.home], ['trip', types.trip]];

const chrome = await startChromium();
const results = {};
let failed = false;

/** One Lighthouse run of `url`: its scores, the audits that cost points, its metrics. */
async function once(url) {
  const runner = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES });
  const lhr = runner.lhr;
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c]?.score == null ? null : Math.round(lhr.categories[c].score * 100)]));
  const lost = {};
  for (const c of CATEGORIES) {
    lost[c] = lhr.categories[c].auditRefs
      .filter((ref) => ref.weight > 0)
      .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
      .filter(({ audit }) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative' && audit.scoreDisplayMode !== 'notApplicable')
      .map(({ ref, audit }) => {
        // What the audit found, briefly: a URL, a console text or an element.
        const items = (audit.details?.items || []).slice(0, 3).map((it) => it.description || it.url || it.source?.url || it.node?.snippet || it.node?.selector || '').filter(Boolean);
        return `${ref.id} (${Math.round(audit.score * 100)}${audit.displayValue ? `, ${audit.displayValue}` : ''}${items.length ? `: ${items.join(' ; ')}` : ''})`;
      });
  }
  const metrics = Object.fromEntries(['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']
    .map((id) => [id, lhr.audits[id]?.displayValue ?? null]));
  return { scores, lost, metrics, lighthouse: lhr.lighthouseVersion, formFactor: lhr.configSettings.formFactor };
}

const below = (scores) => CATEGORIES.some((c) => scores[c] === null || scores[c] < MIN);

try {
  for (const [name, rel] of pages) {
    const url = siteUrl(sites.demo, rel);
    const started = Date.now();
    // Performance under simulated throttling moves with the machine's load: a
    // page below the minimum is measured twice more and judged on the run
    // with the median performance score (as Lighthouse's docs advise).
    const runs = [await once(url)];
    if (below(runs[0].scores)) runs.push(await once(url), await once(url));
    const sorted = [...runs].sort((a, b) => (a.scores.performance ?? 0) - (b.scores.performance ?? 0));
    const chosen = sorted[Math.floor(sorted.length / 2)];
    results[name] = {
      url: sites.demo.prefix + decodeURIComponent(rel),
      ...chosen,
      runs: runs.map((r) => r.scores),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    if (below(chosen.scores)) failed = true;
  }
} finally {
  await chrome.stop();
}

fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
if (process.env.MP_RESULTS) writeResult('lighthouse.json', results);

console.log(`Lighthouse ${Object.values(results)[0]?.lighthouse} (${Object.values(results)[0]?.formFactor}, simulated throttling); minimum ${MIN}; scores in ${out}`);
console.log('page      perf  a11y  best  seo   url');
for (const [name, r] of Object.entries(results)) {
  const s = r.scores;
  const cell = (v) => String(v ?? '-').padStart(4) + (v !== null && v < MIN ? '!' : ' ');
  const runs = r.runs.length > 1 ? `, median of ${r.runs.length} runs: performance ${r.runs.map((x) => x.performance).join(', ')}` : '';
  console.log(`${name.padEnd(9)} ${cell(s.performance)} ${cell(s.accessibility)} ${cell(s['best-practices'])} ${cell(s.seo)} ${r.url}  (${r.seconds} s${runs})`);
}
for (const [name, r] of Object.entries(results)) {
  for (const c of CATEGORIES) {
    if (r.lost[c].length) console.log(`  ${name} ${c} ${r.scores[c]}: lost points on ${r.lost[c].join(', ')}`);
  }
  console.log(`  ${name} metrics: ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
const passed = Object.values(results).filter((r) => CATEGORIES.every((c) => r.scores[c] >= MIN)).length;
console.log(`Lighthouse: ${passed} of ${Object.keys(results).length} pages at ${MIN} or more in every category`);
process.exit(failed ? 1 : 0);

// What every test file of the browser suite shares: where run.sh put the
// built sites and the server, how to start Chromium, how to watch a page for
// console errors, failed and third-party requests, and how to run axe.
//
// run.sh sets the MP_* variables below; a test file run without them fails
// at once saying so.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with \`bash tests/browser/run.sh\` from the repository root`);
  }
  return value;
}

export const env = {
  get origin() { return need('MP_ORIGIN'); }, // http://127.0.0.1:PORT
  get work() { return need('MP_WORK'); }, // the run's temp dir
  get results() { return need('MP_RESULTS'); }, // figures for docs/QUALITY.md
  get bin() { return need('MP_BIN'); }, // the milepost binary
  get chromium() { return need('MP_CHROMIUM'); },
  get repo() { return need('MP_REPO'); }, // where tests/browser lives
  get site() { return need('MP_SITE'); }, // the site under test (the demo), MILEPOST_SITE
  get requestLog() { return need('MP_REQUEST_LOG'); },
};

/** The sites run.sh built: served under a sub-path, and for file://. */
export const sites = {
  demo: {
    name: 'demo',
    prefix: '/diary/',
    get served() { return path.join(env.work, 'out', 'demo'); },
    get file() { return path.join(env.work, 'out', 'demo-file'); },
    get disk() { return path.join(env.work, 'out', 'demo-disk'); },
    get diskError() { return path.join(env.work, 'out', 'demo-disk.err'); },
    get source() { return path.join(env.work, 'sites', 'demo'); },
  },
  journal: {
    name: 'journal',
    prefix: '/journal/',
    get served() { return path.join(env.work, 'out', 'journal'); },
    get file() { return path.join(env.work, 'out', 'journal-file'); },
    get disk() { return path.join(env.work, 'out', 'journal-disk'); },
    get diskError() { return path.join(env.work, 'out', 'journal-disk.err'); },
    get source() { return path.join(env.work, 'sites', 'journal'); },
  },
  // tests/fixtures/search: posts in several scripts, search on.
  finder: {
    name: 'finder',
    prefix: '/finder/',
    get served() { return path.join(env.work, 'out', 'finder'); },
    get source() { return path.join(env.work, 'sites', 'finder'); },
  },
};

export function siteUrl(site, rel = '') {
  return env.origin + site.prefix + rel;
}

/** The page types, in the order they are checked and reported. */
export const ORDER = ['home', 'page2', 'post', 'video', 'route', 'trip', 'trips', 'tags', 'tag', 'timeline', 'map', 'about', '404'];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: 60_000,
  });
}

/**
 * Finds the page types of a built site by reading its output: the post with
 * the most photos, one with a video, one with a route, the trip, a tag.
 * Paths are relative to the site's root, each a folder (`race-day/`) or a file.
 */
export function pageTypes(outDir) {
  const pages = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'index.html') pages.push(path.relative(outDir, dir).split(path.sep).join('/'));
    }
  };
  walk(outDir);
  const read = (rel) => fs.readFileSync(path.join(outDir, rel, 'index.html'), 'utf8');
  const isPost = (rel) => /<article class="post"/.test(read(rel));
  const posts = pages.filter(isPost).sort();
  const count = (rel, re) => (read(rel).match(re) || []).length;
  const byPhotos = [...posts].sort((a, b) => count(b, /class="zoom"/g) - count(a, /class="zoom"/g) || a.localeCompare(b));
  const video = posts.find((rel) => /<video/.test(read(rel)));
  const route = posts.find((rel) => /<section class="route"/.test(read(rel)));
  // The trip: the first one the trips page links to (else a page headed like a trip).
  let trips = [];
  if (pages.includes('trips')) {
    const main = read('trips').split('<main>')[1] || '';
    for (const m of main.matchAll(/href="([^"#]+)"/g)) {
      const rel = decodeURIComponent(new URL(m[1], 'http://x/trips/').pathname).replace(/^\/|\/$/g, '');
      if (pages.includes(rel) && rel !== 'trips' && !isPost(rel) && !rel.startsWith('tags')) { trips = [rel]; break; }
    }
  }
  if (!trips.length) trips = pages.filter((rel) => rel && /class="trip-head"/.test(read(rel)));
  const tagPages = pages.filter((rel) => /^tags\/[^/]+$/.test(rel)).sort();
  // The tag with the most posts: the one the tags page lists first.
  const tagsHtml = pages.includes('tags') ? read('tags') : '';
  const firstTag = /href="([^"]+)"/.exec(tagsHtml.split('<main>')[1] || '')?.[1];
  let tag = tagPages[0];
  if (firstTag) {
    const rel = decodeURIComponent(new URL(firstTag, 'http://x/tags/').pathname).replace(/^\/|\/$/g, '');
    if (tagPages.includes(rel)) tag = rel;
  }
  const types = {
    home: '',
    page2: pages.includes('page/2') ? 'page/2/' : null,
    post: byPhotos.length && count(byPhotos[0], /class="zoom"/g) ? byPhotos[0] + '/' : null,
    video: video ? video + '/' : null,
    route: route ? route + '/' : null,
    trip: trips.length ? trips[0] + '/' : null,
    trips: pages.includes('trips') ? 'trips/' : null,
    tags: pages.includes('tags') ? 'tags/' : null,
    tag: tag ? tag.split('/').map(encodeURIComponent).join('/') + '/' : null,
    timeline: pages.includes('timeline') ? 'timeline/' : null,
    map: pages.includes('map') ? 'map/' : null,
    about: pages.includes('about') ? 'about/' : null,
    404: 'no/such/page/',
  };
  Object.defineProperty(types, 'posts', { value: posts.map((p) => p + '/'), enumerable: false });
  const tagged = posts.filter((rel) => /href="[^"]*tags\/[^"/]+\/(index\.html)?"/.test(read(rel).split('<main>')[1] || ''));
  Object.defineProperty(types, 'taggedPosts', { value: tagged.map((p) => p + '/'), enumerable: false });
  return types;
}

/**
 * Watches a browser context: every request, every failed request or response
 * >= 400, every console error or warning and uncaught exception, by page URL.
 */
export function observe(context) {
  const log = { requests: [], failures: [], console: [], errors: [] };
  context.on('request', (req) => log.requests.push({ url: req.url(), type: req.resourceType(), frame: safeFrameUrl(req) }));
  context.on('requestfailed', (req) => {
    log.failures.push({ url: req.url(), type: req.resourceType(), why: req.failure()?.errorText || 'failed' });
  });
  context.on('response', (res) => {
    if (res.status() >= 400) {
      log.failures.push({ url: res.url(), type: res.request().resourceType(), why: `HTTP ${res.status()}` });
    }
  });
  context.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      const loc = msg.location();
      log.console.push({ type: msg.type(), text: msg.text(), where: loc?.url ? `${loc.url}:${loc.lineNumber}` : '' });
    }
  });
  context.on('weberror', (err) => log.errors.push(String(err.error())));
  log.reset = () => {
    log.requests.length = 0;
    log.failures.length = 0;
    log.console.length = 0;
    log.errors.length = 0;
  };
  return log;
}

function safeFrameUrl(req) {
  try { return req.frame().url(); } catch { return ''; }
}

/** A media load the browser itself stopped after the first bytes is no failure. */
export function realFailures(failures) {
  return failures.filter((f) => !(f.type === 'media' && /ERR_ABORTED/.test(f.why)));
}

/** Hosts a request went to other than the test server (data: and blob: are local). */
export function thirdParty(requests, origin) {
  const own = new URL(origin).host;
  return requests.filter((r) => {
    const u = new URL(r.url);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return false;
    if (u.protocol === 'file:') return false;
    return u.host !== own;
  });
}

export const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** Runs axe on the page as it is; returns its violations. */
export async function axe(page, options = {}) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (opts) => {
    const { include, ...rest } = opts;
    const r = await window.axe.run(include ? { include: include.map((s) => [s]) } : document, {
      resultTypes: ['violations'],
      // axe would fetch the page's stylesheets again by XHR: no requests of its own.
      preload: false,
      ...rest,
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160), summary: n.failureSummary })),
    }));
  }, options);
}

/** The moderate axe rules accepted, with their reasons (tests/browser/axe-allow.json). */
export function axeAllowList() {
  const file = new URL('../axe-allow.json', import.meta.url);
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  const allowed = new Map();
  for (const entry of list.moderate || []) {
    if (!entry.rule || !entry.reason || !entry.reason.trim()) {
      throw new Error(`axe-allow.json: every entry needs a rule and a written reason: ${JSON.stringify(entry)}`);
    }
    allowed.set(entry.rule, entry);
  }
  return allowed;
}

/** axe violations that fail the suite: critical, serious, and moderate ones not allowed. */
export function failingViolations(violations, allowed = axeAllowList()) {
  return violations.filter((v) => {
    if (v.impact === 'critical' || v.impact === 'serious') return true;
    if (v.impact === 'moderate') {
      return !allowed.has(v.id);
    }
    return false;
  });
}

export function describeViolations(list) {
  return list
    .map((v) => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.map((n) => `${n.target} ${n.html}`).join(' | '))
    .join('\n    ');
}

/** Writes one figure file for docs/QUALITY.md into the run's results dir. */
export function writeResult(name, data) {
  fs.mkdirSync(env.results, { recursive: true });
  fs.writeFileSync(path.join(env.results, name), JSON.stringify(data, null, 2) + '\n');
}

/** The server's request log lines written since `from` (a byte offset). */
export function serverLog(from = 0) {
  const text = fs.readFileSync(env.requestLog, 'utf8').slice(from);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
export function serverLogSize() {
  try { return fs.statSync(env.requestLog).size; } catch { return 0; }
}

/** A page of the site: the masthead is there (not an error page, not a listing). */
export async function isSitePage(page) {
  return page.evaluate(() => {
    const brand = document.querySelector('header.masthead .brand, header.masthead a');
    return Boolean(brand && document.querySelector('main'));
  });
}

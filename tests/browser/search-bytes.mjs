// What the search page's first query moves over the network, for
// docs/BENCHMARKS.md: serves a built site (its folder, at the root) the way a
// static host does (JS, CSS, JSON and HTML gzip-compressed), opens /search/,
// types QUERY, and sums the bytes the server sent from the first key press to
// the results (the index's files under /search/index/), plus the theme's
// scripts (milepost.js and search.js, loaded with the page).
//
//   node tests/browser/search-bytes.mjs OUTPUT_DIR QUERY [--no-gzip]
//
// Needs tests/browser's packages (run.sh installs them) and Chromium
// (CHROMIUM, else `chromium`).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const [dir, query, flag] = process.argv.slice(2);
if (!dir || !query) {
  console.error('usage: node search-bytes.mjs OUTPUT_DIR QUERY [--no-gzip]');
  process.exit(2);
}
const gzip = flag !== '--no-gzip';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

const sent = [];
const server = http.createServer((req, res) => {
  let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(dir, rel);
  if (!file.startsWith(path.resolve(dir)) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  const type = TYPES[path.extname(file)] || 'application/octet-stream';
  let body = fs.readFileSync(file);
  const headers = { 'Content-Type': type };
  if (gzip && TYPES[path.extname(file)] && /gzip/.test(req.headers['accept-encoding'] || '')) {
    body = zlib.gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.length;
  sent.push({ url: req.url, bytes: body.length });
  res.writeHead(200, headers).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/search/`);
  const script = sent.filter((g) => /\/(milepost|search)\.js$/.test(g.url));
  sent.length = 0;
  await page.fill('#search-q', query);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => /found|Nothing/.test(document.getElementById('search-status').textContent), null, { timeout: 60_000 });
  const files = script.concat(sent.filter((g) => g.url.includes('/search/index/')));
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const status = await page.textContent('#search-status');
  for (const f of files) console.log(`${String(f.bytes).padStart(8)}  ${f.url}`);
  console.log(`${String(total).padStart(8)}  total for "${query}" (${status.trim()}), gzip ${gzip ? 'on' : 'off'}`);
} finally {
  await browser.close();
  server.close();
}

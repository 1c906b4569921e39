// Check 5: clicking home → a post → a tag → a trip → the timeline lands on a
// real page of the site (its masthead and <main>, not a directory listing or
// an error) every time:
//   (a) served under a sub-path (/diary/, /journal/),
//   (b) opened from file:// with JavaScript on (the normal build: milepost.js
//       adds index.html to folder links),
//   (c) opened from file:// with JavaScript off (the `--for-disk` build, whose
//       links name index.html themselves).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { env, sites, siteUrl, launch, pageTypes, observe, realFailures, thirdParty } from '../lib/common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const MODES = [
  { key: 'served', label: '(a) served under the sub-path, JavaScript on', js: true },
  { key: 'file', label: '(b) from file://, JavaScript on, normal build', js: true },
  { key: 'disk', label: '(c) from file://, JavaScript off, --for-disk build', js: false },
];

/** The page a URL of this mode shows, as a path relative to the site root ('' for home). */
function relOf(url, site, mode, outDir) {
  const u = new URL(url);
  let p;
  if (mode.key === 'served') {
    p = decodeURIComponent(u.pathname);
    if (!p.startsWith(site.prefix)) return `(outside the site: ${url})`;
    p = p.slice(site.prefix.length);
  } else {
    p = path.relative(outDir, decodeURIComponent(u.pathname)).split(path.sep).join('/');
    if (p.startsWith('..')) return `(outside the output: ${url})`;
    if (decodeURIComponent(u.pathname).endsWith('/') && p) p += '/';
  }
  if (p === 'index.html') return '';
  if (p.endsWith('/index.html')) return p.slice(0, -'index.html'.length);
  return p;
}

for (const site of [sites.demo, sites.journal]) {
  for (const mode of MODES) {
    describe(`${site.name}: home → post → tag → trip → timeline, ${mode.label}`, () => {
      const outDir = mode.key === 'served' ? site.served : mode.key === 'file' ? site.file : site.disk;
      let context;
      let page;
      let log;
      const trail = [];
      before(async () => {
        if (mode.key === 'disk' && fs.existsSync(site.diskError)) return;
        context = await browser.newContext({ javaScriptEnabled: mode.js });
        log = observe(context);
        page = await context.newPage();
      });
      after(async () => { await context?.close(); });

      if (mode.key === 'disk') {
        test('`milepost build --for-disk` builds the site', () => {
          if (fs.existsSync(site.diskError)) {
            assert.fail(`milepost build --for-disk failed:\n${fs.readFileSync(site.diskError, 'utf8').trim()}`);
          }
        });
        test('every link of the --for-disk output to a page names its index.html', () => {
          if (fs.existsSync(site.diskError)) assert.fail('no --for-disk output (see above)');
          const bad = [];
          const walk = (dir) => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
              const p = path.join(dir, e.name);
              if (e.isDirectory()) walk(p);
              // 404.html is served at any path, so its links are rooted at
              // base_url's path on purpose: it is no page to open from disk.
              else if (e.name.endsWith('.html') && path.relative(outDir, p) !== '404.html') {
                const html = fs.readFileSync(p, 'utf8');
                for (const m of html.matchAll(/<a\s[^>]*href="([^"]*)"/g)) {
                  const href = m[1].split('#')[0];
                  if (/^[a-z]+:/i.test(m[1]) || m[1].startsWith('#') || href === '' && m[1].startsWith('#')) continue;
                  if (href === '' || href.endsWith('/') || href === '.' || href === '..') {
                    bad.push(`${path.relative(outDir, p)}: href="${m[1]}"`);
                  }
                }
              }
            }
          };
          walk(outDir);
          assert.equal(bad.length, 0, `${bad.length} folder links, e.g.\n${bad.slice(0, 8).join('\n')}`);
        });
      }

      const types = fs.existsSync(outDir) ? pageTypes(outDir) : null;
      const start = () => (mode.key === 'served' ? siteUrl(site, '') : pathToFileURL(path.join(outDir, 'index.html')).href);

      // Where the page is now, checked to be a real page of the site.
      async function landed(expectRel, response, step) {
        const url = page.url();
        const rel = relOf(url, site, mode, outDir);
        const facts = await page.evaluate(() => ({
          masthead: Boolean(document.querySelector('header.masthead') && document.querySelector('main')),
          title: document.title,
          h1: document.querySelector('h1')?.textContent.trim() || '',
          listing: /^Index of /.test(document.title) || Boolean(document.querySelector('#parentDirLinkBox, table#tbl')),
        })).catch((e) => ({ masthead: false, title: String(e), listing: false }));
        trail.push(`${step}: ${decodeURIComponent(url)} (${facts.h1 || facts.title})`);
        assert.ok(!url.startsWith('chrome-error:'), `${step}: the browser shows an error page for ${url}`);
        assert.ok(!facts.listing, `${step}: a directory listing (${facts.title}) at ${url}, not a page`);
        if (response && mode.key === 'served') assert.equal(response.status(), 200, `${step}: status of ${url}`);
        assert.ok(facts.masthead, `${step}: no masthead at ${url} (title "${facts.title}")`);
        if (expectRel !== undefined) assert.equal(rel, expectRel, `${step}: landed on ${decodeURIComponent(url)}`);
        return rel;
      }

      // Clicks the first link in the page whose target is one of `rels`.
      async function clickTo(rels, step, where = 'body') {
        const hrefs = await page.evaluate((sel) => [...document.querySelectorAll(`${sel} a[href]`)].map((a) => a.href), where);
        const index = hrefs.findIndex((h) => rels.includes(relOf(h, site, mode, outDir)));
        if (index < 0) {
          assert.fail(`${step}: no link to ${rels.slice(0, 3).join(' or ')} on ${decodeURIComponent(page.url())}; its links go to ${[...new Set(hrefs.map((h) => relOf(h, site, mode, outDir)))].slice(0, 12).join(', ')}`);
        }
        const target = relOf(hrefs[index], site, mode, outDir);
        const link = page.locator(`${where} a[href]`).nth(index);
        await link.scrollIntoViewIfNeeded();
        const [response] = await Promise.all([
          page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }),
          link.click(),
        ]);
        return landed(target, response, step);
      }

      test('the walk lands on a real page at every step', async (t) => {
        if (mode.key === 'disk' && fs.existsSync(site.diskError)) assert.fail('no --for-disk output to walk');
        assert.ok(types, `no output at ${outDir}`);
        const response = await page.goto(start(), { waitUntil: 'load' });
        await landed('', response, 'home');
        // A post with a tag: on the home page, or on one of its older pages.
        for (let i = 0; i < 5; i++) {
          const rels = (await page.evaluate(() => [...document.querySelectorAll('main a[href]')].map((a) => a.href)))
            .map((h) => relOf(h, site, mode, outDir));
          if (rels.some((r) => types.taggedPosts.includes(r))) break;
          const older = rels.find((r) => /^page\/\d+\/$/.test(r) && r !== relOf(page.url(), site, mode, outDir) && (!i || r > relOf(page.url(), site, mode, outDir)));
          if (!older) break;
          await clickTo([older], `→ older posts`, 'main');
        }
        const post = await clickTo(types.taggedPosts, 'home → a post with a tag', 'main');
        const tag = await clickTo(
          (await page.evaluate(() => [...document.querySelectorAll('main a[href]')].map((a) => a.href)))
            .map((h) => relOf(h, site, mode, outDir)).filter((r) => /^tags\/[^/]+\/$/.test(r)),
          `${post} → a tag`, 'main');
        // A trip: linked from the tag page if it is, else through the navigation's Trips.
        const tripLinked = (await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.href)))
          .some((h) => relOf(h, site, mode, outDir) === types.trip);
        if (!tripLinked) await clickTo(['trips/'], `${tag} → trips (nav)`);
        await clickTo([types.trip], `→ the trip`);
        await clickTo(['timeline/'], `${types.trip} → timeline`);
        t.diagnostic(trail.join('\n'));
      });

      test('no failed request, no third-party request, no console error on the way', () => {
        if (!log) assert.fail('the walk did not run');
        assert.deepEqual(realFailures(log.failures).map((f) => `${f.why} ${f.url}`), []);
        if (mode.key === 'served') assert.deepEqual(thirdParty(log.requests, env.origin).map((r) => r.url), []);
        else assert.deepEqual(log.requests.filter((r) => !/^(file|data|blob|about):/.test(r.url)).map((r) => r.url), []);
        assert.deepEqual([...log.console.map((c) => `${c.type}: ${c.text} ${c.where}`), ...log.errors], []);
      });
    });
  }
}

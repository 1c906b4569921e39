// Checks 1–3 on every page type, served under a sub-path like GitHub Pages:
// it loads with no console error or warning and no failed request (no
// /favicon.ico 404 either), asks nothing of any host but the test server, and
// axe finds no critical or serious violation (moderate ones only when
// axe-allow.json lists them with a reason), in the light and the dark theme.
// Also the theme's promises that are checked page by page: one h1, every
// <nav> labelled, an SVG favicon, photo links with a name.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ORDER, env, sites, siteUrl, launch, pageTypes, observe, realFailures, thirdParty,
  axe, failingViolations, describeViolations, writeResult, serverLog, serverLogSize, isSitePage,
} from '../lib/common.mjs';

let browser;
const figures = {};

before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  writeResult('pages.json', figures);
});

for (const site of [sites.demo, sites.journal]) {
  describe(`${site.name} site served under ${site.prefix}`, () => {
    const types = pageTypes(site.served);
    figures[site.name] = {};
    for (const type of ORDER) {
      const rel = types[type];
      if (rel == null) {
        // The journal fixture has no video and no page 2 of some lists: only the demo must have all.
        if (site === sites.demo) test(`${type}: the demo has this page type`, () => assert.fail(`no ${type} page found in the demo's output`));
        continue;
      }
      describe(`${type} (${site.prefix}${decodeURIComponent(rel)})`, () => {
        const seen = {};
        before(async () => {
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          const log = observe(context);
          const page = await context.newPage();
          const from = serverLogSize();
          const url = siteUrl(site, rel);
          const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
          await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
          // Scroll through, so lazy photos load too and are checked as well.
          await page.evaluate(async () => {
            for (let y = 0; y < document.body.scrollHeight; y += 700) {
              window.scrollTo(0, y);
              await new Promise((r) => setTimeout(r, 60));
            }
            window.scrollTo(0, 0);
          });
          await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
          seen.status = response?.status();
          seen.isSitePage = await isSitePage(page);
          seen.dom = await page.evaluate(() => {
            const name = (el) => {
              const label = el.getAttribute('aria-label');
              if (label && label.trim()) return label.trim();
              const by = el.getAttribute('aria-labelledby');
              if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
              return '';
            };
            const icons = [...document.querySelectorAll('link[rel~="icon"]')].map((l) => ({ href: l.href, type: l.type }));
            return {
              h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
              navs: [...document.querySelectorAll('nav')].map((n) => ({ cls: n.className, name: name(n) })),
              icons,
              photoLinks: [...document.querySelectorAll('a.zoom')].map((a) => {
                const img = a.querySelector('img');
                return { href: a.getAttribute('href'), name: (a.getAttribute('aria-label') || (img && img.getAttribute('alt')) || a.textContent).trim() };
              }),
            };
          });
          seen.icons = [];
          for (const icon of seen.dom.icons) {
            const r = await context.request.get(icon.href).catch((e) => ({ status: () => String(e) }));
            seen.icons.push({ ...icon, status: r.status() });
          }
          seen.axeLight = await axe(page);
          await page.emulateMedia({ colorScheme: 'dark' });
          seen.axeDark = await axe(page);
          // Give the browser a moment to ask for a favicon, as it does for a tab.
          await page.waitForTimeout(200);
          seen.requests = [...log.requests];
          seen.failures = realFailures(log.failures).filter((f) => !(type === '404' && f.url === url && f.why === 'HTTP 404'));
          // The missing page's own 404 is the point of the 404 check, not an error.
          const own404 = (c) => type === '404' && c.where.startsWith(url) && /status of 404/.test(c.text);
          seen.console = [...log.console.filter((c) => !own404(c)), ...log.errors.map((e) => ({ type: 'exception', text: e, where: '' }))];
          seen.thirdParty = thirdParty(log.requests, env.origin);
          seen.server = serverLog(from);
          await context.close();

          const byImpact = (list) => list.reduce((acc, v) => ({ ...acc, [v.impact]: (acc[v.impact] || 0) + v.nodes.length }), {});
          figures[site.name][type] = {
            url: site.prefix + decodeURIComponent(rel),
            status: seen.status,
            requests: seen.requests.length,
            thirdParty: seen.thirdParty.length,
            failedRequests: seen.failures.map((f) => `${f.why} ${f.url}`),
            console: seen.console.map((c) => `${c.type}: ${c.text}`),
            axe: { light: byImpact(seen.axeLight), dark: byImpact(seen.axeDark) },
            axeRules: [...new Set([...seen.axeLight, ...seen.axeDark].map((v) => `${v.impact}:${v.id}`))],
            h1: seen.dom.h1.length,
          };
        });

        test('is the site\'s own page with the expected status', () => {
          assert.equal(seen.status, type === '404' ? 404 : 200, `status of ${site.prefix}${rel}`);
          assert.ok(seen.isSitePage, 'no masthead and <main>: not one of the site\'s pages');
        });

        test('no console error or warning, no uncaught exception', () => {
          assert.deepEqual(seen.console.map((c) => `${c.type}: ${c.text} ${c.where || ''}`.trim()), []);
        });

        test('no failed request (status >= 400 or requestfailed)', () => {
          assert.deepEqual(seen.failures.map((f) => `${f.why} ${f.type} ${f.url}`), []);
        });

        test('no /favicon.ico or other 404 in the server log; an icon is declared and loads', () => {
          const bad = seen.server.filter((l) => l.status >= 400 && !(type === '404' && l.url === site.prefix + rel));
          assert.deepEqual(bad.map((l) => `${l.status} ${l.url}`), [], 'requests the server answered with an error');
          assert.ok(seen.icons.length > 0, 'no <link rel="icon">: browsers ask for /favicon.ico at the host\'s root, which 404s');
          for (const icon of seen.icons) assert.equal(icon.status, 200, `icon ${icon.href}`);
          assert.ok(seen.icons.some((i) => /svg/.test(i.type) || /\.svg(\?|$)/.test(i.href)), `no SVG favicon among ${JSON.stringify(seen.icons)}`);
        });

        test('every request goes to the test server (no third party)', () => {
          assert.deepEqual(seen.thirdParty.map((r) => r.url), []);
        });

        test('axe: no critical or serious violation, no moderate one unless allowed (light theme)', () => {
          const bad = failingViolations(seen.axeLight);
          assert.equal(bad.length, 0, describeViolations(bad));
        });

        test('axe: no critical or serious violation, no moderate one unless allowed (dark theme)', () => {
          const bad = failingViolations(seen.axeDark);
          assert.equal(bad.length, 0, describeViolations(bad));
        });

        test('exactly one h1', () => {
          assert.equal(seen.dom.h1.length, 1, `h1s: ${JSON.stringify(seen.dom.h1)}`);
        });

        test('every <nav> has an accessible name', () => {
          const unnamed = seen.dom.navs.filter((n) => !n.name);
          assert.deepEqual(unnamed.map((n) => `nav.${n.cls}`), []);
        });

        if (type === 'post') {
          test('every photo link has an accessible name', () => {
            assert.ok(seen.dom.photoLinks.length > 0, 'no a.zoom on the post with photos');
            assert.deepEqual(seen.dom.photoLinks.filter((l) => !l.name).map((l) => l.href), []);
          });
        }
      });
    }
  });
}

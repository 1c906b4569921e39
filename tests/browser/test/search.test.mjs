// Search (`[search] enabled = true`): queries run through the site's own
// index (search/index/) and the theme's script, in Chromium.
//   - the demo, served under /diary/: a word only a photo caption holds finds
//     its post, and the result links to the post under the sub-path; the
//     header's search box leads to the search page with the words; no console
//     error, no failed or third-party request; axe (light and dark) clean;
//     the bytes the first query moved are written to the results;
//   - the search fixture (tests/fixtures/search), served under /finder/:
//     Korean, Japanese, Hindi and accented Latin queries, with and without
//     their accents, and the trip, tag and year filters;
//   - from file://: the same search works from the folder opened on disk
//     (the index's files are scripts, which browsers load from file://), and
//     results link to the pages' index.html.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  env, sites, siteUrl, launch, observe, realFailures, thirdParty, axe, failingViolations, describeViolations,
  writeResult,
} from '../lib/common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Types `words` into the search page's box and waits for the results (or "Nothing found"). */
async function searchFor(page, words) {
  await page.fill('#search-q', words);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => {
    const status = document.getElementById('search-status').textContent;
    return /found|Nothing/.test(status);
  }, null, { timeout: 20_000 });
  return resultTitles(page);
}

async function resultTitles(page) {
  return page.$$eval('#search-results li h2 a', (links) => links.map((a) => a.textContent));
}

/** Fails on console errors, failed requests and requests to other hosts seen by `log`. */
function assertClean(log) {
  assert.deepEqual(log.console, [], 'console errors or warnings');
  assert.deepEqual(log.errors, [], 'uncaught errors');
  assert.deepEqual(realFailures(log.failures), [], 'failed requests');
  assert.deepEqual(thirdParty(log.requests, env.origin), [], 'requests to other hosts');
}

describe('search on the demo, served under /diary/', () => {
  let context;
  let page;
  let log;
  const transfers = [];
  before(async () => {
    context = await browser.newContext();
    log = observe(context);
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map();
    cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => {
      transfers.push({ url: urls.get(e.requestId) || '', bytes: e.encodedDataLength });
    });
  });
  after(async () => { await context?.close(); });

  test('a word only a caption holds finds its post, linked under the sub-path', async () => {
    await page.goto(siteUrl(sites.demo, 'search/'));
    transfers.length = 0;
    const titles = await searchFor(page, 'rowers');
    assert.deepEqual(titles, ['First run along the Taedong']);
    const index = transfers.filter((t) => t.url.includes('/search/index/'));
    const bytes = index.reduce((sum, t) => sum + t.bytes, 0);
    // The index's files, uncompressed as this test server sends them;
    // tests/browser/search-bytes.mjs counts them gzip-compressed, with the script.
    writeResult('search-first-query.json', { site: 'demo', query: 'rowers', indexBytes: bytes, files: index });
    const href = await page.$eval('#search-results li h2 a', (a) => a.href);
    assert.equal(new URL(href).pathname, '/diary/pyongyang-2017/river-run/');
    await page.click('#search-results li h2 a');
    await page.waitForURL(/river-run/);
    assert.match(await page.textContent('h1'), /First run along the Taedong/);
    assert.equal(new URL(page.url()).pathname, '/diary/pyongyang-2017/river-run/');
    assertClean(log);
  });

  test('the header search box opens the search page with the words, and they are searched', async () => {
    log.reset();
    await page.goto(siteUrl(sites.demo, ''));
    await page.fill('.searchbox input', 'buckwheat');
    await page.press('.searchbox input', 'Enter');
    await page.waitForURL(/\/diary\/search\/\?q=buckwheat/);
    await page.waitForFunction(() => /found/.test(document.getElementById('search-status').textContent));
    assert.deepEqual(await resultTitles(page), ['Cold noodles, hot debate']);
    assertClean(log);
  });

  test('the header search box fits a phone (390 px) without scrolling sideways', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await phone.newPage();
    await p.goto(siteUrl(sites.demo, 'pyongyang-2017/river-run/'));
    const box = await p.$eval('.searchbox', (el) => el.getBoundingClientRect().toJSON());
    const wide = await p.evaluate(() => document.documentElement.scrollWidth);
    await phone.close();
    assert.ok(box.right <= 390 && box.left >= 0, `search box at ${JSON.stringify(box)}`);
    assert.ok(wide <= 390, `the page is ${wide} px wide`);
  });

  for (const scheme of ['light', 'dark']) {
    test(`axe on the search page with results, ${scheme}: no critical or serious violation`, async () => {
      const c = await browser.newContext({ colorScheme: scheme });
      const p = await c.newPage();
      await p.goto(siteUrl(sites.demo, 'search/?q=run'));
      await p.waitForFunction(() => /found/.test(document.getElementById('search-status').textContent));
      const violations = failingViolations(await axe(p));
      await c.close();
      assert.deepEqual(violations, [], describeViolations(violations));
    });
  }
});

describe('search in any script: the search fixture, served under /finder/', () => {
  let context;
  let page;
  let log;
  before(async () => {
    context = await browser.newContext();
    log = observe(context);
    page = await context.newPage();
    await page.goto(siteUrl(sites.finder, 'search/'));
  });
  after(async () => { await context?.close(); });

  const CASES = [
    ['서울', ['서울 도착'], 'Korean, a word with a particle after it (서울에)'],
    ['비빔밥', ['서울 도착'], 'Korean, in the body'],
    ['東京', ['東京の朝'], 'Japanese, in the title'],
    ['上野公園', ['東京の朝'], 'Japanese, the start of a sentence in the body'],
    // Text without spaces is indexed by characters and their pairs: a word
    // inside a Japanese sentence is found.
    ['桜', ['東京の朝'], 'Japanese, a word inside a sentence'],
    ['公園', ['東京の朝'], 'Japanese, two characters inside a sentence'],
    ['서울 비빔', ['서울 도착'], 'Korean, the last word typed half way'],
    ['zur', ['A café in Zürich'], 'a word typed half way'],
    ['도착했다', ['서울 도착'], 'Korean, a verb'],
    ['दिल्ली', ['दिल्ली की सुबह'], 'Hindi'],
    ['कोहरा', ['दिल्ली की सुबह'], 'Hindi, in the body'],
    ['Zürich', ['A café in Zürich'], 'accented Latin, as written'],
    ['zurich', ['A café in Zürich'], 'accented Latin, typed without the accent'],
    ['creme brulee', ['A café in Zürich'], 'two words typed without their accents'],
    ['cafe', ['A café in Zürich'], 'café typed without its accent'],
    ['wanderings', ['About'], 'a page'],
    ['zeppelin', [], 'a draft is not found'],
  ];
  for (const [query, expected, what] of CASES) {
    test(`${what}: "${query}"`, async () => {
      assert.deepEqual(await searchFor(page, query), expected);
    });
  }

  test('the trip, tag and year filters narrow the results, with no words typed', async () => {
    await page.fill('#search-q', '');
    await page.selectOption('#search-trip', 'Seoul and Tokyo');
    await page.waitForFunction(() => /found/.test(document.getElementById('search-status').textContent));
    assert.deepEqual((await resultTitles(page)).sort(), ['서울 도착', '東京の朝'].sort());
    await page.selectOption('#search-trip', '');
    await page.selectOption('#search-year', '2024');
    await page.waitForFunction(() => document.querySelectorAll('#search-results li').length === 2);
    assert.deepEqual((await resultTitles(page)).sort(), ['A café in Zürich', 'दिल्ली की सुबह'].sort());
    await page.selectOption('#search-tag', 'sakura');
    await page.waitForFunction(() => /Nothing/.test(document.getElementById('search-status').textContent));
    await page.selectOption('#search-year', '');
    await page.waitForFunction(() => document.querySelectorAll('#search-results li').length === 1);
    assert.deepEqual(await resultTitles(page), ['東京の朝']);
    assert.match(page.url(), /\?tag=sakura$/);
    assertClean(log);
  });
});

describe('search from file://', () => {
  test('the search page works from the folder opened on disk, and its results lead to pages', async () => {
    const context = await browser.newContext();
    const log = observe(context);
    const page = await context.newPage();
    const url = pathToFileURL(path.join(sites.demo.file, 'search', 'index.html')).href + '?q=rowers';
    await page.goto(url);
    await page.waitForFunction(() => /found|Nothing|could not/.test(document.getElementById('search-status').textContent));
    assert.deepEqual(await resultTitles(page), ['First run along the Taedong']);
    await page.click('#search-results li h2 a');
    await page.waitForURL(/river-run\/index\.html$/);
    assert.match(await page.textContent('h1'), /First run along the Taedong/);
    // The header's box on another page leads back to the search, which runs.
    await page.fill('.searchbox input', 'buckwheat');
    await page.press('.searchbox input', 'Enter');
    await page.waitForURL(/search\/index\.html\?q=buckwheat$/);
    await page.waitForFunction(() => /found/.test(document.getElementById('search-status').textContent));
    assert.deepEqual(await resultTitles(page), ['Cold noodles, hot debate']);
    assert.deepEqual(log.console, [], 'console errors or warnings');
    assert.deepEqual(log.errors, [], 'uncaught errors');
    await context.close();
  });
});

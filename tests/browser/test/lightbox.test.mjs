// Check 4: the lightbox of a post's photos (click, Enter, arrow keys, swipe,
// Escape, focus back on the opening link), and hashtag and mention links
// landing on real pages.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  env, sites, siteUrl, launch, pageTypes, axe, describeViolations, observe, thirdParty,
} from '../lib/common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const site = sites.demo;

describe('lightbox on the post with the most photos', () => {
  let context;
  let page;
  let log;
  const types = pageTypes(site.served);
  const url = siteUrl(site, types.post || '');

  before(async () => {
    assert.ok(types.post, 'the demo has no post with photos (a.zoom)');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, hasTouch: true });
    log = observe(context);
    page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
  });
  after(async () => { await context?.close(); });

  // Which photo the lightbox shows, as the index of its link (-1: none).
  const state = () => page.evaluate(() => {
    const box = document.querySelector('div.lightbox[role="dialog"]');
    const links = [...document.querySelectorAll('a.zoom')];
    if (!box) return { exists: false, links: links.length };
    const open = !box.hidden && getComputedStyle(box).display !== 'none';
    const img = box.querySelector('img');
    const src = img && img.getAttribute('src') ? new URL(img.getAttribute('src'), location.href).pathname : null;
    const active = document.activeElement;
    return {
      exists: true,
      open,
      links: links.length,
      shown: links.findIndex((a) => new URL(a.href).pathname === src),
      focusInBox: box.contains(active),
      focusedLink: links.indexOf(active),
      focused: active ? active.outerHTML.slice(0, 80) : null,
    };
  });

  test('the post has at least two photo links (a.zoom)', async () => {
    const s = await state();
    assert.ok(s.links >= 2, `${s.links} a.zoom on ${url}`);
    assert.ok(s.exists, 'milepost.js made no div.lightbox[role=dialog]');
  });

  test('a click on the first photo opens it in the lightbox, focus inside the dialog', async () => {
    await page.locator('a.zoom').first().click();
    const s = await state();
    assert.equal(s.open, true, 'the lightbox did not open on click');
    assert.equal(s.shown, 0, 'the lightbox does not show the clicked photo');
    assert.equal(s.focusInBox, true, `focus is not in the dialog but on ${s.focused}`);
    assert.equal(new URL(page.url()).pathname, new URL(url).pathname, 'the click navigated away instead of opening the lightbox');
  });

  test('the open lightbox (the dialog alone) has no critical or serious axe violation', async () => {
    const v = (await axe(page, { include: ['div.lightbox'] })).filter((x) => x.impact === 'critical' || x.impact === 'serious');
    assert.equal(v.length, 0, describeViolations(v));
  });

  test('ArrowRight shows the next photo, ArrowLeft the previous one', async () => {
    await page.keyboard.press('ArrowRight');
    assert.equal((await state()).shown, 1, 'ArrowRight did not move to the second photo');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await state()).shown, 0, 'ArrowLeft did not move back to the first photo');
  });

  test('a swipe to the left shows the next photo, to the right the previous one', async () => {
    const swipe = (fromX, toX) => page.evaluate(([a, b]) => {
      const box = document.querySelector('div.lightbox');
      const target = box.querySelector('img') || box;
      const touch = (x) => new Touch({ identifier: 1, target, clientX: x, clientY: 400, pageX: x, pageY: 400 });
      target.dispatchEvent(new TouchEvent('touchstart', { touches: [touch(a)], targetTouches: [touch(a)], changedTouches: [touch(a)], bubbles: true, cancelable: true }));
      target.dispatchEvent(new TouchEvent('touchmove', { touches: [touch(b)], targetTouches: [touch(b)], changedTouches: [touch(b)], bubbles: true, cancelable: true }));
      target.dispatchEvent(new TouchEvent('touchend', { touches: [], targetTouches: [], changedTouches: [touch(b)], bubbles: true, cancelable: true }));
    }, [fromX, toX]);
    await swipe(900, 300);
    assert.equal((await state()).shown, 1, 'a swipe to the left did not move to the next photo');
    await swipe(300, 900);
    assert.equal((await state()).shown, 0, 'a swipe to the right did not move back');
  });

  test('Escape closes it and focus returns to the link that opened it', async () => {
    await page.keyboard.press('Escape');
    const s = await state();
    assert.equal(s.open, false, 'Escape did not close the lightbox');
    assert.equal(s.focusedLink, 0, `focus is on ${s.focused}, not on the first photo link`);
  });

  test('Enter on a focused photo link opens that photo; Escape returns focus to it', async () => {
    // Reach the second photo link with the keyboard.
    await page.evaluate(() => document.querySelectorAll('a.zoom')[0].focus());
    let s;
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      s = await state();
      if (s.focusedLink === 1) break;
    }
    assert.equal(s.focusedLink, 1, `Tab from the first photo link never reached the second (focus on ${s.focused})`);
    await page.keyboard.press('Enter');
    s = await state();
    assert.equal(s.open, true, 'Enter on a focused photo link did not open the lightbox');
    assert.equal(s.shown, 1, 'the lightbox does not show the photo whose link had focus');
    await page.keyboard.press('Escape');
    s = await state();
    assert.equal(s.open, false, 'Escape did not close the lightbox');
    assert.equal(s.focusedLink, 1, `focus is on ${s.focused}, not back on the second photo link`);
  });

  test('no console error and no third-party request meanwhile', () => {
    assert.deepEqual([...log.console.map((c) => `${c.text} ${c.where}`.trim()), ...log.errors], []);
    assert.deepEqual(thirdParty(log.requests, env.origin).map((r) => r.url), []);
  });
});

describe('hashtag and mention links', () => {
  let context;
  let page;
  const types = pageTypes(site.served);
  const found = { hashtags: new Map(), mentions: [] };

  before(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    for (const rel of types.posts) {
      await page.goto(siteUrl(site, rel), { waitUntil: 'domcontentloaded' });
      const links = await page.evaluate(() => ({
        hashtags: [...document.querySelectorAll('main a.hashtag')].map((a, i) => ({ i, text: a.textContent.trim(), href: a.href })),
        mentions: [...document.querySelectorAll('main a.mention, main .mention')].map((a) => ({ text: a.textContent.trim(), href: a.href || null })),
      }));
      for (const h of links.hashtags) if (!found.hashtags.has(h.href)) found.hashtags.set(h.href, { ...h, from: rel });
      for (const m of links.mentions) found.mentions.push({ ...m, from: rel });
    }
  });
  after(async () => { await context?.close(); });

  test('every hashtag link in the posts lands on its tag page (200, tag name in the h1)', async () => {
    assert.ok(found.hashtags.size > 0, 'no a.hashtag in any post of the demo');
    const bad = [];
    const fold = (s) => s.normalize('NFC').toLocaleLowerCase().replace(/^[#＃]/, '');
    for (const h of found.hashtags.values()) {
      await page.goto(siteUrl(site, h.from), { waitUntil: 'domcontentloaded' });
      const [response] = await Promise.all([
        page.waitForEvent('response', (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
        page.locator('main a.hashtag').nth(h.i).click(),
      ]);
      await page.waitForLoadState('domcontentloaded');
      const h1 = await page.locator('h1').allTextContents();
      const ok = response.status() === 200 && h1.some((t) => fold(t).includes(fold(h.text)));
      if (!ok) bad.push(`${h.text} on ${h.from} -> ${decodeURIComponent(h.href)}: status ${response.status()}, h1 ${JSON.stringify(h1)}`);
    }
    assert.deepEqual(bad, []);
  });

  test('every mention links to the target site.toml gives it (`mentions`), and the link is followed', async () => {
    const toml = fs.readFileSync(path.join(site.source, 'site.toml'), 'utf8');
    const pattern = /^\s*mentions\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
    if (!pattern) {
      assert.deepEqual(found.mentions.filter((m) => m.href), [], 'mentions are links although site.toml has no `mentions`');
      return;
    }
    assert.ok(found.mentions.length > 0, 'site.toml sets `mentions` but no post has an @mention link');
    const bad = [];
    for (const m of found.mentions) {
      const name = m.text.replace(/^[@＠]/, '');
      const expected = pattern.replace('{}', name);
      if (m.href !== expected) bad.push(`${m.text} on ${m.from}: href ${m.href}, expected ${expected}`);
    }
    assert.deepEqual(bad, []);
    // The target is on another site, which this machine cannot reach: a stub
    // answers for it, to show that the link is followed where it says.
    const first = found.mentions[0];
    const host = new URL(first.href).origin;
    await context.route(`${host}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>stub</h1>' }));
    await page.goto(siteUrl(site, first.from), { waitUntil: 'domcontentloaded' });
    await Promise.all([page.waitForURL(first.href), page.locator('main a.mention').first().click()]);
    assert.equal(page.url(), first.href);
  });
});

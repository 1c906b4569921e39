// The theme's promises that are not one page's markup: a dark theme for a
// reader whose system asks for one, a visible focus on everything reached with
// Tab, and no motion for a reader who asks for reduced motion.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sites, siteUrl, launch, pageTypes } from '../lib/common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const site = sites.demo;
const types = pageTypes(site.served);

// The colours a reader sees: the first non-transparent background up from <main>.
async function colours(page) {
  return page.evaluate(() => {
    const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let el = document.querySelector('main') || document.body;
    let bg = null;
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
    }
    bg ||= [255, 255, 255];
    const text = parse(getComputedStyle(document.querySelector('main p, main h1, main') || document.body).color).slice(0, 3);
    return { bg: bg.join(','), text: text.join(','), bgLum: lum(bg), textLum: lum(text) };
  });
}

describe('dark theme', () => {
  for (const type of ['home', 'post']) {
    test(`${type}: light by default, dark when the system prefers dark`, async () => {
      const context = await browser.newContext({ colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto(siteUrl(site, types[type]), { waitUntil: 'load' });
      const light = await colours(page);
      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await colours(page);
      await context.close();
      assert.ok(light.bgLum > 0.5, `light background is not light: rgb(${light.bg})`);
      assert.ok(dark.bgLum < 0.2, `with prefers-color-scheme: dark the background stays rgb(${dark.bg}) (light: rgb(${light.bg}))`);
      assert.ok(dark.textLum > 0.4, `dark theme text rgb(${dark.text}) on rgb(${dark.bg}) is not light`);
    });
  }
});

describe('visible focus', () => {
  for (const type of ['home', 'post']) {
    test(`${type}: every element reached with Tab shows a focus indicator`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(siteUrl(site, types[type]), { waitUntil: 'load' });
      const bad = [];
      const seen = new Set();
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press('Tab');
        const r = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = (e) => {
            const s = getComputedStyle(e);
            return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), shadow: s.boxShadow, bg: s.backgroundColor, deco: s.textDecorationLine };
          };
          const focused = style(el);
          const desc = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '') + (el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : '');
          return { desc, focused, visible: el.matches(':focus-visible') };
        });
        if (!r || seen.has(r.desc)) continue;
        seen.add(r.desc);
        const f = r.focused;
        const ring = (f.outlineStyle !== 'none' && f.outlineWidth > 0) || (f.shadow && f.shadow !== 'none');
        if (!r.visible || !ring) bad.push(`${r.desc}: outline ${f.outline}, box-shadow ${f.shadow}`);
      }
      await context.close();
      assert.ok(seen.size > 2, `Tab reached only ${seen.size} elements`);
      assert.deepEqual(bad, [], 'focused without a visible outline or ring');
    });
  }
});

describe('reduced motion', () => {
  for (const type of ['home', 'post']) {
    test(`${type}: with prefers-reduced-motion: reduce nothing moves (transitions, animations, smooth scroll)`, async () => {
      const context = await browser.newContext({ reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(siteUrl(site, types[type]), { waitUntil: 'load' });
      if (type === 'post') await page.locator('a.zoom').first().click().catch(() => {});
      const moving = await page.evaluate(() => {
        const secs = (v) => Math.max(...v.split(',').map((x) => (x.trim().endsWith('ms') ? parseFloat(x) / 1000 : parseFloat(x) || 0)));
        const out = [];
        const html = getComputedStyle(document.documentElement);
        if (html.scrollBehavior === 'smooth') out.push('html: scroll-behavior: smooth');
        for (const el of document.querySelectorAll('*')) {
          for (const pseudo of [null, '::before', '::after']) {
            const s = getComputedStyle(el, pseudo);
            const desc = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + (pseudo || '');
            if (s.transitionProperty !== 'none' && secs(s.transitionDuration) > 0.01) out.push(`${desc}: transition ${s.transitionProperty} ${s.transitionDuration}`);
            if (s.animationName !== 'none' && secs(s.animationDuration) > 0.01) out.push(`${desc}: animation ${s.animationName} ${s.animationDuration}`);
          }
        }
        return [...new Set(out)];
      });
      await context.close();
      assert.deepEqual(moving, []);
    });
  }
});

// Check 9: screenshots of every page type of the demo, served under /diary/,
// at a phone's 390×844 (the whole page, at most 3000 px tall) and a desktop's
// 1440×900 (the first screen), as <page>-phone.png and <page>-desktop.png.
//
//   bash tests/browser/run.sh --screenshots [DIR]   (default docs/screenshots/)

import fs from 'node:fs';
import path from 'node:path';
import { ORDER, sites, siteUrl, launch, pageTypes } from './lib/common.mjs';

const dir = path.resolve(process.argv[2] || 'docs/screenshots');
fs.mkdirSync(dir, { recursive: true });
const MAX_HEIGHT = 3000;
const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1, fullPage: true },
  desktop: { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, fullPage: false },
};

const types = pageTypes(sites.demo.served);
const browser = await launch();
const written = [];
try {
  for (const [device, { fullPage, ...options }] of Object.entries(DEVICES)) {
    const context = await browser.newContext({ ...options, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await context.newPage();
    for (const name of ORDER) {
      const rel = types[name];
      if (rel == null) continue;
      await page.goto(siteUrl(sites.demo, rel), { waitUntil: 'load' });
      // Bring in the lazy photos, then go back up.
      await page.evaluate(async (max) => {
        for (let y = 0; y < Math.min(document.body.scrollHeight, max); y += 500) {
          window.scrollTo(0, y);
          await new Promise((r) => setTimeout(r, 50));
        }
        window.scrollTo(0, 0);
      }, MAX_HEIGHT);
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
      await page.evaluate(() => document.fonts.ready);
      const file = path.join(dir, `${name}-${device}.png`);
      // The route is the post's: its picture starts at the route's section.
      const top = name === 'route'
        ? await page.evaluate(() => Math.max(0, Math.round((document.querySelector('section.route')?.getBoundingClientRect().top ?? 0) + window.scrollY - 16)))
        : 0;
      if (fullPage) {
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: top, width: options.viewport.width, height: Math.min(height - top, MAX_HEIGHT) } });
      } else {
        await page.evaluate((y) => window.scrollTo(0, y), top);
        await page.waitForTimeout(100);
        await page.screenshot({ path: file });
      }
      written.push(path.basename(file));
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(`${written.length} screenshots in ${dir}: ${written.join(' ')}`);

// Check 6: `milepost serve` on a copy of the journal fixture. An edit to a
// post reloads the open page, which shows the new text; a post with malformed
// YAML front matter shows the error overlay (src/serve/live.rs: a
// div[role=alert] headed "The site has a problem"); fixing it clears it.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { env, sites, launch, observe } from '../lib/common.mjs';

const STEP_MS = 25_000;

describe('milepost serve: live reload and the error overlay', () => {
  let browser;
  let context;
  let page;
  let log;
  let server;
  let serverOutput = '';
  let url;
  let post;
  let original;
  const dir = path.join(env.work, 'serve-site');

  before(async () => {
    fs.cpSync(sites.journal.source, dir, { recursive: true });
    fs.rmSync(path.join(dir, '.milepost'), { recursive: true, force: true });
    post = path.join(dir, 'content', 'lisbon', 'fado.md');
    original = fs.readFileSync(post, 'utf8');
    server = spawn(env.bin, ['serve', '--site', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    fs.writeFileSync(path.join(env.work, 'serve.pid'), String(server.pid));
    process.on('exit', () => server.kill('SIGKILL'));
    const origin = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`milepost serve said nothing of where it serves within 60 s:\n${serverOutput}`)), 60_000);
      const onData = (chunk) => {
        serverOutput += chunk;
        // "Serving T at http://127.0.0.1:N/ and at http://127.0.0.1:N/diary/ (as it will be published)"
        const m = /Serving .* at (http:\/\/127\.0\.0\.1:\d+\/)(?: and at (http:\/\/127\.0\.0\.1:\d+\/\S*))?/.exec(serverOutput);
        if (m) { clearTimeout(timer); resolve(m[2] || m[1]); }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`milepost serve exited (${code}):\n${serverOutput}`)); });
    });
    url = origin + 'lisbon/fado/';
    browser = await launch();
    context = await browser.newContext();
    log = observe(context);
    page = await context.newPage();
    const response = await page.goto(url, { waitUntil: 'load' });
    assert.equal(response.status(), 200, `status of ${url}`);
    // The live script connects to /__milepost/events; give it its hello.
    await page.waitForTimeout(700);
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((r) => { const t = setTimeout(() => { server.kill('SIGKILL'); r(); }, 3000); server.on('exit', () => { clearTimeout(t); r(); }); });
    }
  });

  const overlay = () => page.evaluate(() => {
    const el = [...document.querySelectorAll('[role="alert"]')].find((e) => /The site has .*problem/.test(e.textContent));
    return el ? el.innerText : null;
  });

  test('the served page carries the live-reload script', async () => {
    assert.ok(await page.locator('script#milepost-live').count(), `no script#milepost-live in ${url}`);
  });

  const marker = `Edited by the browser suite ${Date.now()}`;

  test('an edit to the post reloads the open page, which shows the new text', async () => {
    await page.evaluate(() => { window.__beforeEdit = true; });
    fs.writeFileSync(post, original.trimEnd() + `\n\n${marker}.\n`);
    await page.waitForFunction((m) => document.body && document.body.innerText.includes(m), marker, { timeout: STEP_MS })
      .catch(() => assert.fail(`the page did not show the edited text within ${STEP_MS / 1000} s; milepost serve said:\n${serverOutput.slice(-2000)}`));
    assert.equal(await page.evaluate(() => window.__beforeEdit), undefined, 'the text changed without a reload');
  });

  test('malformed YAML front matter shows the error overlay over the page', async () => {
    const broken = original.replace(/^location: .*$/m, 'location: Mouraria: upstairs\n  - [unclosed');
    assert.notEqual(broken, original);
    fs.writeFileSync(post, broken);
    await page.waitForFunction(
      () => [...document.querySelectorAll('[role="alert"]')].some((e) => /The site has .*problem/.test(e.textContent)),
      null, { timeout: STEP_MS },
    ).catch(() => assert.fail(`no error overlay within ${STEP_MS / 1000} s; milepost serve said:\n${serverOutput.slice(-2000)}`));
    const text = await overlay();
    assert.match(text, /fado\.md/, `the overlay does not name the broken file: ${text}`);
    assert.ok(await page.locator('[role="alert"]').first().isVisible(), 'the overlay is not visible');
  });

  test('fixing the post clears the overlay', async () => {
    fs.writeFileSync(post, original.trimEnd() + `\n\n${marker} (fixed).\n`);
    await page.waitForFunction(
      () => ![...document.querySelectorAll('[role="alert"]')].some((e) => /The site has .*problem/.test(e.textContent)),
      null, { timeout: STEP_MS },
    ).catch(() => assert.fail(`the overlay is still there ${STEP_MS / 1000} s after the fix`));
    await page.waitForFunction((m) => document.body.innerText.includes(m), `${marker} (fixed)`, { timeout: STEP_MS })
      .catch(() => assert.fail('the fixed text is not shown'));
  });

  test('no uncaught exception in the page meanwhile', () => {
    assert.deepEqual(log.errors, []);
  });
});

// Check 7: html-validate's recommended rules (tests/browser/.htmlvalidate.json;
// any style rule turned off there is explained in tests/browser/README.md) on
// every .html file of the demo's output: zero errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlValidate, FileSystemConfigLoader } from 'html-validate';
import { sites, writeResult } from '../lib/common.mjs';

const CONFIG = fileURLToPath(new URL('../.htmlvalidate.json', import.meta.url));

function htmlFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out.sort();
}

test('html-validate (recommended): no error in any .html file of the demo output', async () => {
  const config = JSON.parse(fs.readFileSync(CONFIG, 'utf8'));
  const validator = new HtmlValidate(new FileSystemConfigLoader(config));
  const files = htmlFiles(sites.demo.served);
  assert.ok(files.length > 10, `only ${files.length} .html files in ${sites.demo.served}`);
  const byRule = {};
  const warnings = {};
  const examples = {};
  for (const file of files) {
    const report = await validator.validateFile(file);
    for (const result of report.results) {
      for (const m of result.messages) {
        const bucket = m.severity === 2 ? byRule : warnings;
        bucket[m.ruleId] = (bucket[m.ruleId] || 0) + 1;
        if (m.severity === 2) {
          (examples[m.ruleId] ||= []).push(`${path.relative(sites.demo.served, file)}:${m.line}:${m.column} ${m.message}${m.selector ? ` (${m.selector})` : ''}`);
        }
      }
    }
  }
  const errors = Object.values(byRule).reduce((a, b) => a + b, 0);
  writeResult('html-validate.json', { files: files.length, errors, byRule, warnings, examples });
  const lines = Object.entries(byRule).map(([rule, n]) => `${rule}: ${n} error${n > 1 ? 's' : ''}, e.g. ${examples[rule].slice(0, 2).join(' | ')}`);
  assert.equal(errors, 0, `${errors} errors in ${files.length} files:\n${lines.join('\n')}`);
});

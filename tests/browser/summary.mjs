// Prints the figures of a run (the JSON files run.sh copies to
// /tmp/browser-results/) as Markdown tables, for docs/QUALITY.md.
//
//   node tests/browser/summary.mjs [/tmp/browser-results]

import fs from 'node:fs';
import path from 'node:path';
import { ORDER } from './lib/common.mjs';

const dir = process.argv[2] || '/tmp/browser-results';
const read = (name) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')); } catch { return null; }
};
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];
const impacts = (a) => IMPACTS.map((i) => a?.[i] || 0).join(' / ');

const pages = read('pages.json');
if (pages) {
  for (const [site, types] of Object.entries(pages)) {
    console.log(`\n#### ${site}: page types\n`);
    console.log('| page | URL | status | requests | third-party | failed requests | console errors | axe light (crit/ser/mod/min nodes) | axe dark | axe rules | h1s |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [type, f] of Object.entries(types).sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b))) {
      console.log(`| ${type} | \`${f.url}\` | ${f.status} | ${f.requests} | ${f.thirdParty} | ${f.failedRequests.length ? f.failedRequests.map((x) => `\`${x}\``).join('<br>') : 0} | ${f.console.length} | ${impacts(f.axe.light)} | ${impacts(f.axe.dark)} | ${f.axeRules.join(', ') || '–'} | ${f.h1} |`);
    }
  }
}
const hv = read('html-validate.json');
if (hv) {
  console.log(`\n#### html-validate: ${hv.errors} errors in ${hv.files} files\n`);
  for (const [rule, n] of Object.entries(hv.byRule)) console.log(`- \`${rule}\`: ${n} — e.g. ${hv.examples[rule][0]}`);
  if (Object.keys(hv.warnings).length) console.log(`- warnings: ${Object.entries(hv.warnings).map(([r, n]) => `${r} ${n}`).join(', ')}`);
}
const lh = read('lighthouse.json');
if (lh) {
  console.log('\n#### Lighthouse (mobile)\n');
  console.log('| page | performance | accessibility | best-practices | SEO | points lost on |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of Object.entries(lh)) {
    const s = r.scores;
    const lost = Object.entries(r.lost).flatMap(([c, l]) => l.map((x) => `${c}: ${x}`)).join('<br>') || '–';
    console.log(`| ${name} \`${r.url}\` | ${s.performance} | ${s.accessibility} | ${s['best-practices']} | ${s.seo} | ${lost} |`);
  }
}

// The simulation report renders in headless Chromium: every chart's SVG is
// there with a size and the expected number of bars, lines and boxes, the
// Chinese labels render with a CJK font, nothing is fetched, nothing is
// logged to the console; a screenshot of the page is saved.
//
//   node tests/js/sim-report-check.mjs --cli build/cli/yilian [--screenshot docs/simulation-report.png]
//
// The report comes from `yilian simulate kindergarten-setup
// chains/scenarios/kindergarten-setup.yaml --report ...` (fewer cases, so
// the test is quick). Run from the project root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const cli = opt('--cli', process.env.YILIAN_CLI || 'build/cli/yilian');
const screenshot = opt('--screenshot', 'docs/simulation-report.png');

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

const dir = mkdtempSync(path.join(tmpdir(), 'yilian-report-'));
const report = path.join(dir, 'report.html');
const json = JSON.parse(
  execFileSync(cli, ['simulate', 'kindergarten-setup', 'chains/scenarios/kindergarten-setup.yaml', '--cases', '4000',
    '--report', report, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const html = readFileSync(report, 'utf8');
const plan = JSON.parse(execFileSync(cli, ['plan', 'kindergarten-setup', '--json'], { encoding: 'utf8' }));

// Self-contained: no script, no stylesheet or image from anywhere.
check(!/<script/i.test(html), 'no <script> in the report');
check(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no src or href to another host');
check(!/@import|url\(\s*["']?https?:/i.test(html), 'no CSS import or remote url()');
check(/Noto Sans CJK SC/.test(html), 'the font stack names Noto Sans CJK SC');

const departments = Object.keys(json.departments).length;
const matters = Object.keys(json.matters).length;
const expected = {
  'chart-lead-time': { 'rect.bar': 40, 'line.limit.promised': 1, 'line.limit.statutory': 1 },
  'chart-utilisation': { 'rect.bar': departments, 'rect.bar.bottleneck': 1 },
  'chart-queue': { 'polyline.series': departments },
  'chart-gantt': { 'rect.gantt-bar': matters, 'rect.gantt-bar.critical': plan.critical_path.matters.length, 'rect.gantt-uncounted': 1 },
  'chart-comparison': { 'rect.bar.chain': 4, 'rect.bar.separate': 4 },
  'chart-flow': { 'g.node.matter': matters, 'g.node.terminal': 2, 'g.node.conditional': 4 },
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const messages = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => messages.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith('file:')) {
      requests.push(url);
      return route.abort();
    }
    return route.continue();
  });
  await page.goto(`file://${report}`, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready);

  for (const [id, counts] of Object.entries(expected)) {
    const box = await page.locator(`svg#${id}`).boundingBox();
    check(box && box.width > 100 && box.height > 100, `${id}: rendered, ${box ? `${Math.round(box.width)}×${Math.round(box.height)}` : 'missing'}`);
    for (const [selector, n] of Object.entries(counts)) {
      const found = await page.locator(`svg#${id} ${selector}`).count();
      check(found === n, `${id}: ${found} × ${selector} (expected ${n})`);
    }
  }
  // Every queue series has one point per sample.
  const points = await page.$$eval('svg#chart-queue polyline.series', (ps) => ps.map((p) => p.points.numberOfItems));
  check(points.every((n) => n === 200), `chart-queue: 200 points per series (${[...new Set(points)].join(', ')})`);
  // Bars have real heights, and the tallest lead-time bar is inside the plot.
  const heights = await page.$$eval('svg#chart-lead-time rect.bar', (rs) => rs.map((r) => r.getBBox().height));
  check(heights.some((h) => h > 50), 'chart-lead-time: bars have height');

  // Chinese renders with Noto Sans CJK: ask Chromium which platform font
  // drew the glyphs of a Chinese label, and check the label is about one em
  // per character wide.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'svg#chart-flow g.node.terminal text.node-title' });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  const families = fonts.map((f) => f.familyName);
  check(families.some((f) => /Noto Sans CJK/.test(f)), `Chinese drawn with Noto Sans CJK (${families.join(', ')})`);
  const cjk = await page.evaluate(() => {
    const t = document.querySelector('svg#chart-flow g.node.terminal text.node-title');
    const size = parseFloat(getComputedStyle(t).fontSize);
    return { width: t.getComputedTextLength(), chars: [...t.textContent].length, size };
  });
  check(Math.abs(cjk.width / (cjk.chars * cjk.size) - 1) < 0.15,
    `Chinese label is one em per character (${cjk.width.toFixed(1)} px for ${cjk.chars} at ${cjk.size} px)`);
  const h1 = await page.locator('h1').textContent();
  check(h1.includes('幼儿园设立'), `title in Chinese: ${h1}`);

  check(requests.length === 0, `no network request (${requests.join(', ') || 'none'})`);
  check(messages.length === 0, `no console error or warning${messages.length ? `: ${messages.join(' | ')}` : ''}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\n${failures.length} check(s) failed`);
  process.exit(1);
}

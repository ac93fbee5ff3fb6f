// The service guide (办事指南, `yilian guide`) renders in headless Chromium:
// for every shipped chain the title, the overview, the flow chart (one box
// per matter) and every matter's facts and materials are visible; Chinese
// is drawn with Noto Sans CJK; nothing is fetched and nothing is logged;
// printed on A4 each matter starts a page. A screenshot is saved.
//
//   node tests/js/guide-render-check.mjs --cli build/cli/yilian [--screenshot docs/guide.png]
//
// Run from the project root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const cli = opt('--cli', process.env.YILIAN_CLI || 'build/cli/yilian');
const screenshot = opt('--screenshot', 'docs/guide.png');

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

const dir = mkdtempSync(path.join(tmpdir(), 'yilian-guide-'));
const chains = readdirSync('chains').filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
check(chains.length >= 7, `${chains.length} shipped chains`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const id of chains) {
    const file = path.join(dir, `${id}.html`);
    execFileSync(cli, ['guide', id, '-o', file], { stdio: ['ignore', 'inherit', 'inherit'] });
    const html = readFileSync(file, 'utf8');
    const form = JSON.parse(execFileSync(cli, ['form', id, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const matters = form.matters;

    // Self-contained in the text too: no script, no stylesheet or image from anywhere.
    check(!/<script/i.test(html), `${id}: no <script>`);
    check(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), `${id}: no src or href to another host`);
    check(!/@import|url\(\s*["']?https?:/i.test(html), `${id}: no CSS import or remote url()`);

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
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);

    const h1 = page.locator('h1');
    check(await h1.isVisible() && (await h1.textContent()) === form.name, `${id}: title ${form.name} visible`);
    check(await page.locator('#overview table.facts').isVisible(), `${id}: overview visible`);
    const flow = page.locator('#flow svg#chart-flow');
    const box = await flow.boundingBox();
    check(box && box.width > 300 && box.height > 100, `${id}: flow chart rendered ${box ? `${Math.round(box.width)}×${Math.round(box.height)}` : 'missing'}`);
    const nodes = await page.locator('#flow g.node.matter').count();
    check(nodes === matters.length, `${id}: ${nodes} boxes in the flow chart for ${matters.length} matters`);
    const sections = page.locator('section.matter');
    check(await sections.count() === matters.length, `${id}: one section per matter (${await sections.count()})`);
    let visible = 0;
    let facts = 0;
    let materialRows = 0;
    for (const m of matters) {
      const s = page.locator(`section.matter[data-matter="${m.id}"]`);
      if (await s.locator('h2').isVisible() && (await s.locator('h2').textContent()).includes(m.name)) ++visible;
      const labels = await s.locator('table.facts th').allTextContents();
      if (['事项名称', '事项类型', '事项编码', '设定依据', '实施主体', '法定办结时限', '承诺办结时限', '适用情形',
        '到现场次数', '收费标准', '办理结果'].every((l) => labels.includes(l))) ++facts;
      const rows = s.locator('table.materials tbody tr');
      const n = await rows.count();
      if (n === m.materials.length && (n === 0 || await rows.first().isVisible())) ++materialRows;
    }
    check(visible === matters.length, `${id}: every matter's heading visible (${visible}/${matters.length})`);
    check(facts === matters.length, `${id}: every matter has the guide's facts (${facts}/${matters.length})`);
    check(materialRows === matters.length, `${id}: every matter lists its materials (${materialRows}/${matters.length})`);

    if (id === 'kindergarten-setup') {
      // Chinese drawn with Noto Sans CJK.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'h1' });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const families = fonts.map((f) => f.familyName);
      check(families.some((f) => /Noto Sans CJK/.test(f)), `${id}: Chinese drawn with Noto Sans CJK (${families.join(', ')})`);
      await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: 1100, height: 2600 }, fullPage: true });
      console.log(`screenshot: ${screenshot}`);
      // Printed on A4: the contents list is left out, each matter starts a
      // page, so there are at least as many pages as matters.
      await page.emulateMedia({ media: 'print' });
      check(!(await page.locator('#contents').isVisible()), `${id}: printed without the contents list`);
      const breaks = await page.$$eval('section.matter', (ss) => ss.map((s) => getComputedStyle(s).breakBefore));
      check(breaks.every((b) => b === 'page'), `${id}: printed, each matter starts a page`);
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      check(pages >= matters.length + 1, `${id}: ${pages} A4 pages for ${matters.length} matters`);
    }

    check(requests.length === 0, `${id}: no network request (${requests.join(', ') || 'none'})`);
    check(messages.length === 0, `${id}: no console error or warning${messages.length ? `: ${messages.join(' | ')}` : ''}`);
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`\n${chains.length} guides render`);

#!/usr/bin/env node
// The reform's case rules in the officers' web UI (issue 21, docs/ui.md):
// Debian's Chromium against a real `yilian serve` serving the hotel chain
// and a test chain with a deferrable material (tests/js/ui-chains/). The
// window hands in an application through an agent (代办帮办) who brings the
// 授权委托书 the live 一次告知 asks for, committing to the fire check (告知承诺);
// the receipt names the agent and the commitment. A second application is
// accepted with a material deferred (容缺受理): the live panel, the receipt
// and the case page show it with its due day, delivery waits until it is
// handed in. The fire brigade finds the verification (核查) in its queue and
// passes it after the results were handed out; the window records a bad
// rating (好差评), a supervisor records the call-back and the rectification
// on the timeline; the board shows the rating statistics and, after a
// restart with a later clock, a verification's red limit. Every answer the
// browser and the test receive is checked against schemas/openapi.json.
//
//   node tests/js/ui-reform.mjs --cli build/cli/yilian [--shots DIR]
//
// Screenshots go to --shots (default build/ui-reform/); `--shots docs`
// refreshes docs/ui-reform-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import YAML from 'yaml';

import { loadContract } from './openapi-lib.mjs';
import { Serve } from './serve-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const arg = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const cli = arg('--cli') || process.env.YILIAN_CLI;
if (!cli) {
  console.error('usage: node tests/js/ui-reform.mjs --cli PATH [--shots DIR]');
  process.exit(2);
}
const shots = path.resolve(root, arg('--shots') || path.join('build', 'ui-reform'));
mkdirSync(shots, { recursive: true });

const started = Date.now();
const T0 = '2025-03-03T09:00';    // a Monday
const LATER = '2025-04-02T09:00'; // past the verification's 20 working days
const PASSWORD = 'correct horse battery';
const serve = new Serve(cli, { now: T0, chains: ['chains/hotel-restaurant.yaml', 'tests/js/ui-chains/snack-bar-deferral.yaml'] });
const contract = await loadContract();
const contractProblems = [];
let contractChecked = 0;
let passed = 0;
let failed = 0;

// --- the server (restarted on the same port with a later clock) --------------
let base;
async function start(now) {
  await serve.start([], { now });
  base = serve.base;
}
const stop = () => serve.stop();
function account(name, role, department, { key = false } = {}) {
  return serve.account(name, role, department, key ? {} : { password: PASSWORD });
}
/** An API call with a key, its answer checked against the contract; the JSON, or throws on another status. */
async function call(key, method, p, body, { expect = [200, 201], headers = {} } = {}) {
  const h = { Authorization: `Bearer ${key}`, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  contract.check({ method, path: p, status: res.status, contentType: res.headers.get('content-type'), body: parsed });
  if (![expect].flat().includes(res.status)) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return parsed;
}
async function test(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAILED ${name}\n${e.stack}`);
    for (const [i, p] of pages.entries()) {
      const file = path.join(shots, `failed-${passed + failed}-${i}.png`);
      await p.screenshot({ path: file }).then(() => console.log(`  page ${p.url()}: ${file}`)).catch(() => {});
    }
  }
}

// --- the browser ------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--lang=zh-CN',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const offsite = [];
const pageErrors = [];
const pages = [];
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith('http://127.0.0.1:')) return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  pages.push(page);
  page.setDefaultTimeout(8000);
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|EventSource|ERR_CONNECTION_REFUSED/.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
  });
  // Every API answer the page receives keeps the contract (the event stream excepted: not JSON).
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/v1/') || url.pathname === '/api/v1/events') return;
    try {
      const type = res.headers()['content-type'] || '';
      const text = await res.text();
      contract.check({ method: res.request().method(), path: url.pathname, status: res.status(), contentType: type, body: text && /json/.test(type) ? JSON.parse(text) : text });
      contractChecked++;
    } catch (e) {
      if (!/Target closed|has been closed|No resource with given identifier/.test(e.message)) contractProblems.push(e.message);
    }
  });
  return page;
}
async function login(page, name) {
  await page.goto(`${base}/`);
  await page.getByLabel('账号').fill(name);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== '#/login');
}
async function shot(page, name, opts = {}) {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(shots, `ui-reform-${name}.png`), ...opts });
}
/** Every input has a <label>; every button is named in Chinese words. */
async function assertAccessible(page, where) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const name = el.labels && el.labels.length ? [...el.labels].map((l) => l.textContent.trim()).join(' ') : '';
      if (!name) out.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name || el.id}`);
    }
    for (const b of document.querySelectorAll('button')) {
      if (!/^[\u4e00-\u9fff（），]+$/.test(b.textContent.trim())) out.push(`button "${b.textContent.trim()}"`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `${where}: ${problems.join(', ')}`);
}
/** Fills the one form from an application's fields, through the labels, as an officer would. */
async function fillForm(page, chain, fields) {
  const byKey = new Map(chain.form.fields.map((f) => [f.key, f]));
  for (const [k, v] of Object.entries(fields)) {
    const f = byKey.get(k);
    if (f.type === 'set') {
      const group = page.getByRole('group', { name: new RegExp(f.label) });
      for (const x of v) await group.getByLabel(f.labels?.[x] || x, { exact: true }).check();
      continue;
    }
    const input = page.getByLabel(f.label, { exact: true });
    await input.waitFor({ state: 'visible' });
    if (f.type === 'enum' || f.type === 'boolean') await input.selectOption(String(v));
    else await input.fill(String(v));
  }
}
const items = (page, scope) => page.locator(`${scope} li[data-key]`).evaluateAll((els) => els.map((e) => `${e.dataset.kind}:${e.dataset.key}`));

// --- the scenario -------------------------------------------------------------
const hotelApp = YAML.parse(readFileSync(path.join(root, 'examples/applications/hotel-restaurant-complete.yaml'), 'utf8'));
const snack = {
  fields: { 'applicant.name': '松龄路老街坊小吃店', 'applicant.legal_rep_id': '370302198506124019', 'site.address': '淄博市淄川区松龄路 8 号' },
  materials: ['site-title', 'food-safety-rules'],
};
const AGENT = { name: '孙帮办', id_number: '11010519491231002X', phone: '13800138000' };
const FIRE = '公众聚集场所投入使用、营业前消防安全检查';
const produceFor = {
  'business-registration': { 'applicant.uscc': '91350100M000100Y43' },
  'food-permit': { 'food.licence_no': 'JY13703020000001' },
};

account('王芳', 'window');
account('消防科', 'department', 'fire');
account('督办员', 'supervisor');
const keys = { window: account('窗口接口', 'window', null, { key: true }) };
for (const d of ['market', 'urban', 'fire', 'seal-engraver', 'fund']) keys[d] = account(`${d}-系统`, 'department', d, { key: true });

let hotel;
let hotelCase;     // agent + commitment, through the UI
let deferCase;     // a deferred material, through the UI
let openVerification; // a committed case over the API, its verification left open
let windowPage;
let firePage;
let supervisorPage;

/** Approves every open task of a case over the API, except `skip` (hotel values produced where asked). */
async function approveOverApi(id, skip = []) {
  for (let round = 0; round < 10; round++) {
    const view = await call(keys.window, 'GET', `/api/v1/cases/${id}`);
    const open = view.tasks.filter((t) => t.status === 'dispatched' && !skip.includes(t.matter));
    if (!open.length) return view;
    for (const t of open) {
      const key = keys[t.department];
      if (!t.claimed_by) await call(key, 'POST', `/api/v1/tasks/${id}/${t.matter}/claim`, {});
      const produce = view.chain === 'hotel-restaurant' ? produceFor[t.matter] || {} : {};
      await call(key, 'POST', `/api/v1/tasks/${id}/${t.matter}/approve`, { produce });
    }
  }
  throw new Error('tasks kept opening');
}

try {
  await start(T0);
  hotel = await call(keys.window, 'GET', '/api/v1/chains/hotel-restaurant');

  await test('the window: 告知承诺 offers the fire check only; an agent makes the live notice ask for the 授权委托书', async () => {
    windowPage = await newPage();
    const p = windowPage;
    await login(p, '王芳');
    await p.getByLabel('选择“一件事”').selectOption('hotel-restaurant');
    await p.getByRole('heading', { name: '告知承诺（选填）' }).waitFor();
    const offered = await p.locator('input[name="commitments"]').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(offered, ['fire-inspection'], 'only the matter with commitment: optional');
    const commit = p.getByLabel(`以告知承诺方式办理（${FIRE}）`, { exact: true });
    assert.equal(await commit.isChecked(), false);
    await fillForm(p, hotel, hotelApp.fields);
    const materialName = new Map(hotel.form.materials.map((m) => [m.id, m.name]));
    for (const m of hotelApp.materials) await p.getByLabel(materialName.get(m), { exact: true }).check();
    await p.locator('.notice-live .complete').waitFor();
    // An agent: the server's check now asks for the authorisation.
    await p.getByLabel('代办人姓名').fill(AGENT.name);
    await p.getByLabel('代办人身份证号码').fill('110105194912310021');   // wrong check character
    await p.getByLabel('代办人联系电话').fill(AGENT.phone);
    await p.locator('.field.has-error', { hasText: '代办人身份证号码' }).waitFor();
    assert.equal(await p.getByLabel('代办人身份证号码').getAttribute('aria-invalid'), 'true');
    const sent = p.waitForRequest((r) => r.url().endsWith('/check') && r.postDataJSON().agent?.id_number === AGENT.id_number).then((r) => r.postDataJSON());
    await p.getByLabel('代办人身份证号码').fill(AGENT.id_number);
    assert.deepEqual((await sent).agent, AGENT);
    const asked = p.locator('.notice-live li[data-key="agent-authorisation"]');
    await asked.waitFor();
    assert.match(await asked.textContent(), /授权委托书（委托代办）/);
    assert.equal(await p.getByLabel('代办人身份证号码').getAttribute('aria-invalid'), null);
    // The authorisation handed in and the commitment chosen: complete, both sent.
    const full = p.waitForRequest((r) => r.url().endsWith('/check') && (r.postDataJSON().commitments || []).includes('fire-inspection')
      && r.postDataJSON().materials.includes('agent-authorisation')).then((r) => r.postDataJSON());
    await p.getByLabel('授权委托书（委托代办）', { exact: true }).check();
    await commit.check();
    const body = await full;
    assert.deepEqual(body.commitments, ['fire-inspection']);
    await p.locator('.notice-live .complete').waitFor();
    assert.deepEqual(await items(p, '.notice-live'), [], 'nothing missing');
    await assertAccessible(p, 'window');
    await p.locator('#sec-commitments').scrollIntoViewIfNeeded();
    await shot(p, 'window');
  });

  await test('提交: the receipt names the agent (ID masked) and the commitment; the case records both', async () => {
    const p = windowPage;
    await p.getByRole('button', { name: '提交', exact: true }).click();
    await p.getByRole('heading', { name: '受理回执' }).waitFor();
    hotelCase = Number(await p.locator('dd[data-field="办件编号"]').textContent());
    const agentRow = await p.locator('dd[data-field="代办人"]').textContent();
    assert.match(agentRow, /孙帮办/);
    assert.match(agentRow, /1101\*{10}002X/);
    assert.ok(!agentRow.includes(AGENT.id_number), 'the full ID number is not on the receipt');
    assert.match(await p.locator('dd[data-field="告知承诺"]').textContent(), new RegExp(FIRE));
    const view = await call(keys.window, 'GET', `/api/v1/cases/${hotelCase}`);
    assert.deepEqual(view.agent, AGENT);
    assert.equal(view.stage, 'running');
    assert.deepEqual(view.events[0].detail.commitments, ['fire-inspection']);
    assert.ok(view.events[0].detail.materials.includes('agent-authorisation'));
  });

  await test('容缺受理: the live panel lists the deferrable material apart; the receipt gives its due day', async () => {
    const p = windowPage;
    await p.goto(`${base}/#/window?chain=snack-bar-deferral`);
    await p.getByRole('heading', { name: '综合窗口 · 一表申请' }).waitFor();
    const chain = await call(keys.window, 'GET', '/api/v1/chains/snack-bar-deferral');
    assert.equal(await p.locator('#sec-commitments').isVisible(), false, 'no matter of this chain allows a commitment');
    await fillForm(p, chain, snack.fields);
    for (const m of snack.materials) await p.getByLabel(chain.form.materials.find((x) => x.id === m).name, { exact: true }).check();
    const deferred = p.locator('.notice-live li[data-kind="deferred"][data-key="staff-health-certificates"]');
    await deferred.waitFor();
    assert.match(await deferred.textContent(), /从业人员健康证明.*容缺/);
    assert.match(await p.locator('.notice-live .complete').textContent(), /容缺受理：1 份材料/);
    assert.deepEqual(await p.locator('.notice-live li[data-kind="material"]').count(), 0, 'deferred is not missing');
    await p.getByRole('button', { name: '提交', exact: true }).click();
    await p.getByRole('heading', { name: '受理回执' }).waitFor();
    deferCase = Number(await p.locator('dd[data-field="办件编号"]').textContent());
    const view = await call(keys.window, 'GET', `/api/v1/cases/${deferCase}`);
    assert.equal(view.stage, 'running');
    assert.deepEqual(view.deferred, [{ key: 'staff-health-certificates', label: '从业人员健康证明', due: '2025-03-06' }]);
    const onReceipt = p.locator('.sheet li[data-kind="deferred"]');
    assert.equal(await onReceipt.count(), 1);
    assert.match(await onReceipt.textContent(), /从业人员健康证明.*容缺，请于 2025-03-06 前补交/);
    await assertAccessible(p, 'receipt');
    await shot(p, 'receipt-deferred', { fullPage: true });
  });

  await test('容缺受理: results are held until the material arrives, then the window delivers', async () => {
    await approveOverApi(deferCase);
    const p = windowPage;
    await p.goto(`${base}/#/case/${deferCase}`);
    await p.getByRole('heading', { name: '容缺受理：待补交材料' }).waitFor();
    assert.match(await p.locator('.panel.deferred').textContent(), /从业人员健康证明.*容缺，请于 2025-03-06 前补交/);
    assert.match(await p.locator('.panel.deferred').textContent(), /正常/);
    await p.getByText('结果暂缓发放').waitFor();
    assert.equal(await p.getByRole('button', { name: '出件', exact: true }).count(), 0, 'no delivery while the material is out');
    await shot(p, 'deferred', { fullPage: true });
    const panel = p.locator('form.supplement');
    await panel.getByLabel('从业人员健康证明（已收取）').check();
    await panel.getByRole('button', { name: '补正' }).click();
    await p.getByRole('button', { name: '出件', exact: true }).waitFor();
    assert.equal(await p.locator('.panel.deferred').count(), 0);
    await p.getByRole('button', { name: '出件', exact: true }).click();
    await p.getByText('已出件。').waitFor();
    assert.equal((await call(keys.window, 'GET', `/api/v1/cases/${deferCase}`)).stage, 'delivered');
  });

  await test('核查: the fire brigade\'s queue shows the verification as such; its page offers 核查通过 and 核查不通过，撤销许可 only', async () => {
    await approveOverApi(hotelCase, ['fire-inspection']);
    // A second committed case whose verification stays open (for the board).
    const app = { ...hotelApp, agent: AGENT, materials: [...hotelApp.materials, 'agent-authorisation'] };
    openVerification = (await call(keys.window, 'POST', '/api/v1/cases', app, { headers: { 'Idempotency-Key': 'ui-reform-open' } })).case;
    await approveOverApi(openVerification, ['fire-inspection']);
    firePage = await newPage();
    const p = firePage;
    await login(p, '消防科');
    const row = p.locator(`tr[data-case="${hotelCase}"][data-matter="fire-inspection"]`);
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /告知承诺核查/);
    assert.match(text, /承诺通过，核查中/);
    assert.match(text, /2025-03-31/);
    assert.match(text, /剩余 20 个工作日/);
    await assertAccessible(p, 'fire queue');
    await shot(p, 'verify-queue');
    await row.getByRole('button', { name: '认领' }).click();
    await p.getByRole('heading', { name: `核查：${FIRE}` }).waitFor();
    await p.getByRole('button', { name: '核查通过' }).waitFor();
    await p.getByRole('button', { name: '核查不通过，撤销许可' }).waitFor();
    assert.equal(await p.getByRole('button', { name: '要求补正' }).count(), 0);
    assert.equal(await p.getByRole('button', { name: '中止计时' }).count(), 0);
    await p.getByLabel('消防安全检查合格证文号').waitFor();
    await assertAccessible(p, 'verification');
    await shot(p, 'verify-task', { fullPage: true });
  });

  await test('出件 while the verification runs; the window records a bad rating and sees its follow-up', async () => {
    const p = windowPage;
    await p.goto(`${base}/#/case/${hotelCase}`);
    await p.getByRole('heading', { name: '出件', exact: true }).waitFor();
    await p.getByRole('button', { name: '出件', exact: true }).click();
    await p.getByText('已出件。').waitFor();
    await p.getByText('已出件（告知承诺核查中）').first().waitFor();
    assert.match(await p.locator('dd[data-fact="代办人"]').textContent(), /孙帮办（身份证号 11010519491231002X，电话 13800138000）/);
    assert.match(await p.locator(`tr[data-matter="fire-inspection"]`).textContent(), /告知承诺.*承诺通过，核查中/);
    // 好差评: grade 1 on the whole case.
    const rate = p.locator('form.rate');
    const grades = await rate.getByRole('radio').evaluateAll((els) => els.map((e) => e.labels[0].textContent));
    assert.deepEqual(grades, ['非常不满意（1 分）', '不满意（2 分）', '基本满意（3 分）', '满意（4 分）', '非常满意（5 分）']);
    const targets = await rate.getByLabel('评价对象').locator('option').allTextContents();
    assert.ok(targets.includes('整件办理（全案）') && targets.includes(FIRE), targets.join('|'));
    assert.ok(!targets.includes('旅馆业特种行业许可'), 'a skipped matter is not rated');
    await rate.getByRole('button', { name: '提交评价' }).click();
    await rate.getByText('请选择评价等级').waitFor();
    await rate.getByLabel('非常不满意（1 分）').check();
    await rate.getByLabel('评价内容（选填）').fill('窗口等候时间过长');
    await assertAccessible(p, 'rating');
    await rate.getByRole('button', { name: '提交评价' }).click();
    await p.getByText('已记录评价：整件办理“非常不满意”（差评，已转效能监察回访、整改）').waitFor();
    const item = p.locator('.rating-item[data-number="1"]');
    const shown = await item.textContent();
    assert.match(shown, /非常不满意（1 分）/);
    assert.match(shown, /窗口等候时间过长/);
    assert.match(shown, /回访期限 2025-03-04：未完成/);
    assert.match(shown, /整改期限 2025-03-24：未完成/);
    assert.match(shown, /申诉复核：未申诉/);
    assert.equal(await item.getByRole('button').count(), 0, 'the window records no follow-up');
    // The same target again is no longer offered; the server refuses it too.
    assert.ok(!(await p.locator('form.rate').getByLabel('评价对象').locator('option').allTextContents()).includes('整件办理（全案）'));
    await call(keys.window, 'POST', `/api/v1/cases/${hotelCase}/ratings`, { grade: 5 }, { expect: 400 });
    await p.getByText(/好差评：?.*整件办理：非常不满意（1 分），窗口等候时间过长/).waitFor();
    await p.locator('#sec-ratings').scrollIntoViewIfNeeded();
    await shot(p, 'rating');
  });

  await test('差评处理: the supervisor records the call-back and the rectification on the timeline', async () => {
    supervisorPage = await newPage();
    const p = supervisorPage;
    await login(p, '督办员');
    await p.goto(`${base}/#/case/${hotelCase}`);
    const item = p.locator('.rating-item[data-number="1"]');
    await item.waitFor();
    // Before the call-back: 回访 and 申诉 only (the flow core's order).
    assert.deepEqual(await item.getByRole('button').allTextContents(), ['记录回访', '提出申诉']);
    await item.getByRole('button', { name: '提出申诉' }).click();
    await item.getByText('申诉须说明理由').waitFor();
    await item.getByLabel('处理说明（第 1 条评价）').fill('已电话回访申请人，致歉并说明排队原因');
    await item.getByRole('button', { name: '记录回访' }).click();
    await p.getByText('已记录：第 1 条评价 回访。').waitFor();
    await until(async () => /回访期限 2025-03-04：已于 2025-03-03 完成/.test(await item.textContent()), 'the call-back is shown done');
    assert.deepEqual(await item.getByRole('button').allTextContents(), ['记录整改', '提出申诉']);
    await item.getByLabel('处理说明（第 1 条评价）').fill('窗口增设取号机，高峰期增开窗口');
    await assertAccessible(p, 'follow-up');
    await shot(p, 'follow-up', { fullPage: true });
    await item.getByRole('button', { name: '记录整改' }).click();
    await p.getByText('已记录：第 1 条评价 整改。').waitFor();
    await until(async () => /已结案（已整改）/.test(await item.textContent()), 'the follow-up is closed');
    assert.equal(await item.getByRole('button').count(), 0);
    const view = await call(keys.window, 'GET', `/api/v1/cases/${hotelCase}`);
    const steps = view.events.filter((e) => e.kind === 'followed-up');
    assert.deepEqual(steps.map((e) => [e.detail.step, e.actor.account]), [['called-back', '督办员'], ['rectified', '督办员']]);
    const log = await p.locator('ol.timeline').textContent();
    assert.match(log, /第 1 条评价：回访（已电话回访申请人，致歉并说明排队原因）/);
    assert.match(log, /第 1 条评价：整改（窗口增设取号机，高峰期增开窗口）/);
  });

  await test('核查通过 closes the case: delivered, the timeline says 核查通过', async () => {
    const p = firePage;
    await p.getByLabel('消防安全检查合格证文号').fill('淄消检字〔2025〕第0031号');
    await p.getByRole('button', { name: '核查通过' }).click();
    await p.getByText('核查通过。').waitFor();
    const view = await call(keys.window, 'GET', `/api/v1/cases/${hotelCase}`);
    assert.equal(view.stage, 'delivered');
    assert.equal(view.tasks.find((t) => t.matter === 'fire-inspection').status, 'approved');
    await windowPage.goto(`${base}/#/case/${hotelCase}`);
    await windowPage.getByText(new RegExp(`${FIRE}：核查通过，消防安全检查合格证文号`)).waitFor();
  });

  await test('督办 · 好差评: the board counts the ratings per department and matter, follow-ups on time', async () => {
    await call(keys.window, 'POST', `/api/v1/cases/${hotelCase}/ratings`, { grade: 5, matter: 'fire-inspection' });
    const p = supervisorPage;
    await p.goto(`${base}/#/board`);
    await p.getByRole('heading', { name: '好差评' }).waitFor();
    const market = p.locator('table.ratings-by-department tr[data-department="market"]');
    await market.waitFor();
    const cells = await market.locator('th, td').allTextContents();
    assert.deepEqual(cells, ['区市场监督管理局', '1', '0', '0', '0', '0', '1', '100.0%（1 件）', '0', '回访及时 1/1，整改及时 1/1', '0']);
    const fire = await p.locator('table.ratings-by-department tr[data-department="fire"]').locator('th, td').allTextContents();
    assert.deepEqual(fire.slice(0, 9), ['区消防救援大队', '0', '0', '0', '0', '1', '1', '0.0%（0 件）', '0']);
    const whole = p.locator('table.ratings-by-matter tr[data-matter=""]');
    assert.match(await whole.textContent(), /整件办理：酒店和餐饮企业设立/);
    assert.match(await p.locator('.rating-summary').textContent(), /共 2 件评价，差评 1 件（差评率 50.0%）/);
    const stats = await call(keys.window, 'GET', '/api/v1/ratings');
    assert.equal(stats.departments.find((d) => d.department === 'market').bad, 1);
  });

  await test('督办: after a restart with a later clock the open verification is red and named 核查, without a reload', async () => {
    const p = supervisorPage;
    await p.evaluate(() => { window.__sameDocument = true; });
    const row = p.locator(`tr[data-case="${openVerification}"][data-matter="fire-inspection"]`);
    assert.equal(await row.count(), 0, 'green on the first day');
    await stop();
    await start(LATER);
    await p.getByText(`系统日期 ${LATER.slice(0, 10)}`).waitFor({ timeout: 20000 });
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /红牌预警/);
    assert.match(text, new RegExp(`核查：${FIRE}`));
    assert.match(text, /告知承诺核查/);
    assert.match(await p.locator('.card-verify').textContent(), /1\s*告知承诺核查预警/);
    assert.match(await p.locator('table.matrix').textContent(), new RegExp(`核查：${FIRE}\\s*■ 红牌 1 件`));
    assert.equal(await p.evaluate(() => window.__sameDocument), true, 'no reload');
    await assertAccessible(p, 'board');
    await shot(p, 'board', { fullPage: true });
  });

  await test('督办 · 告知承诺撤销: a failed verification is listed with its finding and what proceeded on it', async () => {
    const p = supervisorPage;
    assert.match(await p.locator('#sec-revoked + *').textContent(), /没有因核查不通过而撤销的决定/);
    await call(keys.fire, 'POST', `/api/v1/tasks/${openVerification}/fire-inspection/claim`, {});
    await call(keys.fire, 'POST', `/api/v1/tasks/${openVerification}/fire-inspection/reject`, { reason: '疏散通道被占用，与承诺不符' });
    const row = p.locator(`table.revoked tr[data-case="${openVerification}"]`);
    await row.waitFor();
    const cells = await row.locator('th, td').allTextContents();
    assert.equal(cells[0], LATER.slice(0, 10));
    assert.equal(cells[1], FIRE);
    assert.equal(cells[2], '区消防救援大队');
    assert.equal(cells[4], '疏散通道被占用，与承诺不符');
    const board = await call(keys.window, 'GET', '/api/v1/overdue');
    assert.deepEqual(board.revoked.map((r) => [r.case, r.matter, r.stage]), [[openVerification, 'fire-inspection', 'rejected']]);
    // No matter of the hotel chain waits for the fire check: nothing else falls with it.
    assert.deepEqual(board.revoked[0].dependents, []);
    assert.equal(cells[5], '无');
    // Its verification is no longer on the board's limits.
    assert.equal(await p.locator(`table.grid:not(.revoked) tr[data-case="${openVerification}"][data-matter="fire-inspection"]`).count(), 0);
  });

  await test('nothing left the machine; no page error; every answer kept the contract', async () => {
    assert.deepEqual(offsite, []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(contractProblems, []);
    assert.ok(contractChecked > 50, `the browser's answers were checked (${contractChecked})`);
  });
} catch (e) {
  failed++;
  console.log(`FAILED setup\n${e.stack}`);
} finally {
  await browser.close().catch(() => {});
  await serve.close();
}
console.log(`screenshots: ${shots}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

/** Waits until fn() holds (it may throw meanwhile). */
async function until(fn, what, ms = 8000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      if (await fn()) return;
      last = new Error(`not yet: ${what}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: ${last?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

#!/usr/bin/env node
// Enum labels and multiple choice in the officers' web UI (docs/ui.md): the
// hotel-restaurant chain served by a real `yilian serve`, its one form in
// headless Chromium. A select shows the labels (有限责任公司) and submits
// the codes (limited-company); a set field (餐饮服务项目) is a group of
// checkboxes whose checked codes go to the server as a list; the check's
// Chinese message names labels; the case's timeline shows labels again.
//
//   node tests/js/ui-choices.mjs --cli build/cli/yilian [--shots DIR]
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import YAML from 'yaml';

import { Serve } from './serve-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const arg = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const cli = arg('--cli') || process.env.YILIAN_CLI;
if (!cli) {
  console.error('usage: node tests/js/ui-choices.mjs --cli PATH [--shots DIR]');
  process.exit(2);
}
const shots = path.resolve(root, arg('--shots') || path.join('build', 'ui-choices'));
mkdirSync(shots, { recursive: true });
const NOW = '2025-03-03T09:00';
const PASSWORD = 'correct horse battery';
const serve = new Serve(cli, { now: NOW, chain: 'chains/hotel-restaurant.yaml' });
const { dir, db, env } = serve;

execFileSync(cli, ['account', 'add', '--db', db, '王芳', '--role', 'window', '--password-stdin'], { input: `${PASSWORD}\n`, env });
const apiKey = JSON.parse(execFileSync(cli, ['account', 'add', '--db', db, '窗口接口', '--role', 'window', '--api-key', '--json'], { env })).api_key;
/** An API call with the window's key: the answer's status and JSON. */
async function call(method, p, body, headers = {}) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
await serve.start();
const { base, server } = serve;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--lang=zh-CN', '--disable-background-networking'],
});
let failed = 0;
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  await context.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/`);
  await page.getByLabel('账号').fill('王芳');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '综合窗口 · 一表申请' }).waitFor();

  const test = async (name, fn) => {
    try {
      await fn();
      console.log(`ok ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAILED ${name}\n${e.stack}`);
      await page.screenshot({ path: path.join(shots, `failed-${failed}.png`) }).catch(() => {});
    }
  };
  /** The body of the next check request the form sends. */
  const nextCheck = () => page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/check')).then((r) => r.postDataJSON());

  await test('a select shows labels and submits codes', async () => {
    const form = page.getByLabel('市场主体类型', { exact: true });
    // Wait for the options before reading them: read at once, they were
    // once found empty under load (the test failed, the page was right).
    await form.locator('option', { hasText: '个体工商户' }).waitFor({ state: 'attached' });
    assert.deepEqual((await form.locator('option').allTextContents()).slice(1), ['有限责任公司', '个人独资企业', '合伙企业', '个体工商户']);
    const sent = nextCheck();
    await form.selectOption({ label: '个体工商户' });
    assert.equal((await sent).fields['applicant.form'], 'individual-business');
    const venue = page.getByLabel('经营类型', { exact: true });
    await venue.locator('option', { hasText: '带餐饮服务的宾馆、酒店' }).waitFor({ state: 'attached' });
    assert.deepEqual((await venue.locator('option').allTextContents()).slice(1),
      ['餐馆（含饮品店、小吃店）', '宾馆、酒店、旅馆（不提供餐饮）', '带餐饮服务的宾馆、酒店']);
    await venue.selectOption({ label: '餐馆（含饮品店、小吃店）' });
  });

  await test('a set field is a group of checkboxes sending a list of codes', async () => {
    const group = page.getByRole('group', { name: /餐饮服务项目/ });
    await group.waitFor({ state: 'visible' });
    assert.deepEqual(await group.locator('label').allTextContents(), ['热食类', '冷食类', '生食类', '自制饮品制售']);
    assert.equal(await group.getByRole('checkbox').count(), 4);
    let sent = nextCheck();
    await group.getByLabel('热食类', { exact: true }).check();
    assert.deepEqual((await sent).fields['food.categories'], ['hot-food']);
    sent = nextCheck();
    await group.getByLabel('自制饮品制售', { exact: true }).check();
    assert.deepEqual((await sent).fields['food.categories'], ['hot-food', 'drinks']);
    // Unchecking everything sends no value: the field is missing again.
    const cleared = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/check')
      && r.postDataJSON().fields['food.categories'] === undefined);
    await group.getByLabel('热食类', { exact: true }).uncheck();
    await group.getByLabel('自制饮品制售', { exact: true }).uncheck();
    await cleared;
    await group.getByLabel('冷食类', { exact: true }).check();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'ui-choices.png'), fullPage: false });
    // Every checkbox has its label (accessible name).
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input[type=checkbox]')]
      .filter((el) => !(el.labels && el.labels.length)).map((el) => el.name));
    assert.deepEqual(unlabelled, []);
  });

  await test('submitted, the case holds codes and the timeline shows labels', async () => {
    const app = YAML.parse(readFileSync(path.join(root, 'examples/applications/hotel-restaurant-complete.yaml'), 'utf8'));
    const res = await call('POST', '/api/v1/cases', app, { 'Idempotency-Key': 'ui-choices-1' });
    assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
    const id = res.body.case;
    const view = (await call('GET', `/api/v1/cases/${id}`)).body;
    const submitted = view.events[0].detail.fields;
    assert.deepEqual(submitted['food.categories'], ['hot-food', 'cold-food', 'drinks']);
    await page.goto(`${base}/#/case/${id}`);
    await page.locator('dl.data dd').first().waitFor({ state: 'attached' });
    const shown = await page.locator('dl.data dd').allTextContents();
    assert.ok(shown.includes('热食类、冷食类、自制饮品制售'), shown.join(' | '));
    assert.ok(shown.includes('有限责任公司'), 'the enum shows its label');
    assert.ok(shown.includes('餐馆（含饮品店、小吃店）'));
    assert.equal(shown.filter((t) => /hot-food|limited-company|restaurant/.test(t)).length, 0, 'no code is shown');
  });
  assert.deepEqual(pageErrors, [], 'no script errors');
} catch (e) {
  failed++;
  console.log(`FAILED ${e.stack}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);

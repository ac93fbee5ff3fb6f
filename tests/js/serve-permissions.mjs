// Every role against every endpoint of yilian serve (DESIGN.md "Accounts and
// roles"): allowed gets its 2xx (or the engine's own refusal where the case
// cannot take the request), a role without the right 403, a case or task
// outside the caller's scope 404. Each row runs on fresh cases where the
// request changes one.
//   node tests/js/serve-permissions.mjs --cli build/cli/yilian
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Serve, Tests, cliArgument, projectRoot } from './serve-lib.mjs';

const serve = new Serve(cliArgument('serve-permissions.mjs'));
const runner = new Tests();
const app = YAML.parse(readFileSync(join(projectRoot, 'examples/applications/kindergarten-setup-complete.yaml'), 'utf8'));

const roles = ['admin', 'window', 'health', 'outsider', 'supervisor', 'portal'];
let keys;
let n = 0;
/// A fresh running case submitted by `key` (the window's by default).
async function fresh(key = keys.window) {
  const r = await serve.call('POST', '/api/v1/cases', { key, body: app, headers: { 'Idempotency-Key': `fresh-${n++}` } });
  assert.equal(r.status, 201);
  return r.body.case;
}

/// A small PDF (recognised by its content) as an upload's body.
const pdf = { raw: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n'), type: 'application/pdf' };
/// The window hands in the floor plan's file of case `c` (for the downloads).
async function withPlan(c) {
  const r = await serve.call('POST', `/api/v1/cases/${c}/materials/floor-plan`, { key: keys.window, raw: pdf.raw, headers: { 'Content-Type': pdf.type } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

// [name, method, path(case), body, {role: status}, prepare(case)?]
// `outsider` is a department with no matter in the chain; `health`'s matter
// asks for the floor plan. A body with `raw` is sent as those bytes.
const rows = [
  ['list chains', 'GET', () => '/api/v1/chains', undefined, { admin: 200, window: 200, health: 200, outsider: 200, supervisor: 200, portal: 200 }],
  ['read a chain', 'GET', () => '/api/v1/chains/kindergarten-setup', undefined, { admin: 200, window: 200, health: 200, outsider: 200, supervisor: 200, portal: 200 }],
  ['check', 'POST', () => '/api/v1/chains/kindergarten-setup/check', { fields: {}, materials: [] },
    { admin: 200, window: 200, health: 403, outsider: 403, supervisor: 403, portal: 200 }],
  ['submit', 'POST', () => '/api/v1/cases', app, { admin: 201, window: 201, health: 403, outsider: 403, supervisor: 403, portal: 201 }],
  ['list cases', 'GET', () => '/api/v1/cases', undefined, { admin: 200, window: 200, health: 200, outsider: 200, supervisor: 200, portal: 200 }],
  ['read a case', 'GET', (c) => `/api/v1/cases/${c}`, undefined, { admin: 200, window: 200, health: 200, outsider: 404, supervisor: 200, portal: 404 }],
  ['supplement', 'POST', (c) => `/api/v1/cases/${c}/supplement`, { fields: { 'applicant.phone': '13900000000' }, materials: [] },
    { admin: 200, window: 200, health: 403, outsider: 403, supervisor: 403, portal: 404 }],
  ['upload a material file', 'POST', (c) => `/api/v1/cases/${c}/materials/floor-plan`, pdf,
    { admin: 201, window: 201, health: 403, outsider: 403, supervisor: 403, portal: 404 }],
  ['list material files', 'GET', (c) => `/api/v1/cases/${c}/materials`, undefined,
    { admin: 200, window: 200, health: 200, outsider: 404, supervisor: 200, portal: 404 }],
  ['download a material file', 'GET', (c) => `/api/v1/cases/${c}/materials/floor-plan`, undefined,
    { admin: 200, window: 200, health: 200, outsider: 404, supervisor: 200, portal: 404 }, withPlan],
  ['withdraw', 'POST', (c) => `/api/v1/cases/${c}/withdraw`, { reason: '申请人撤回' },
    { admin: 200, window: 200, health: 403, outsider: 403, supervisor: 403, portal: 404 }],
  // A running case cannot be delivered: the roles that may deliver reach the engine, which refuses.
  ['deliver', 'POST', (c) => `/api/v1/cases/${c}/deliver`, { method: 'in-person' },
    { admin: 400, window: 400, health: 403, outsider: 403, supervisor: 403, portal: 403 }],
  ['urge (督办)', 'POST', (c) => `/api/v1/cases/${c}/urge`, { note: '请加快办理', matter: 'health-evaluation' },
    { admin: 200, window: 403, health: 403, outsider: 403, supervisor: 200, portal: 403 }],
  ['list tasks', 'GET', () => '/api/v1/tasks', undefined, { admin: 200, window: 403, health: 200, outsider: 200, supervisor: 200, portal: 403 }],
  ['claim', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/claim`, {},
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],
  ['release', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/release`, {},
    { admin: 400, window: 403, health: 400, outsider: 404, supervisor: 403, portal: 403 }],  // nothing claimed: the engine refuses
  ['approve', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/approve`, { produce: {} },
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],
  ['reject', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/reject`, { reason: '卫生评价不合格' },
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],
  ['request supplements', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/request-supplement`, { materials: ['floor-plan'], fields: [], note: '平面图不清' },
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],
  ['suspend (Art. 45)', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/suspend`, { for: 'expert-review', told_days: 10 },
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],
  ['resume', 'POST', (c) => `/api/v1/tasks/${c}/health-evaluation/resume`, {},
    { admin: 200, window: 403, health: 200, outsider: 404, supervisor: 403, portal: 403 }],  // not suspended: recorded as ignored
  ['overdue', 'GET', () => '/api/v1/overdue', undefined, { admin: 200, window: 200, health: 403, outsider: 403, supervisor: 200, portal: 403 }],
  ['audit', 'GET', () => '/api/v1/audit/verify', undefined, { admin: 200, window: 403, health: 403, outsider: 403, supervisor: 200, portal: 403 }],
  ['fetch work', 'POST', () => '/api/v1/work/fetch-and-lock', { worker: 'w' },
    { admin: 403, window: 403, health: 200, outsider: 200, supervisor: 403, portal: 403 }],
];

try {
  await serve.start(['--rate', '1000']);  // fresh cases for every row and role
  keys = {
    admin: serve.account('管理员', 'admin'),
    window: serve.account('窗口', 'window'),
    health: serve.account('卫健', 'department', 'health'),
    outsider: serve.account('外局', 'department', 'civil-affairs-elsewhere'),
    supervisor: serve.account('督办', 'supervisor'),
    portal: serve.account('平台', 'portal'),
  };
  for (const [name, method, path, body, expected, prepare] of rows) {
    await runner.test(`${name}: ${roles.map((r) => `${r} ${expected[r]}`).join(', ')}`, async () => {
      for (const role of roles) {
        const c = await fresh();
        if (prepare) await prepare(c);
        const headers = method === 'POST' && path(c) === '/api/v1/cases' ? { 'Idempotency-Key': `row-${n++}` } : {};
        const r = await serve.call(method, path(c), body?.raw
          ? { key: keys[role], raw: body.raw, headers: { ...headers, 'Content-Type': body.type } }
          : { key: keys[role], body, headers });
        assert.equal(r.status, expected[role], `${role} ${method} ${path(c)}: ${JSON.stringify(r.body)}`);
        if (name === 'resume' && r.status === 200) assert.equal(r.body.result, 'ignored');
      }
    });
  }
  await runner.test('a portal works on the cases it submitted', async () => {
    const own = await fresh(keys.portal);
    assert.equal((await serve.call('GET', `/api/v1/cases/${own}`, { key: keys.portal })).status, 200);
    const sup = await serve.call('POST', `/api/v1/cases/${own}/supplement`, { key: keys.portal, body: { fields: { 'applicant.phone': '13900000001' }, materials: [] } });
    assert.equal(sup.status, 200);
    assert.equal((await serve.call('POST', `/api/v1/cases/${own}/withdraw`, { key: keys.portal, body: { reason: '不办了' } })).status, 200);
  });
  await runner.test('every role reads the event stream of what it may see', async () => {
    for (const role of roles) await serve.events(keys[role], 0, () => true, 1000);
  });
} finally {
  await serve.close();
}
process.exit(runner.summary());

#!/usr/bin/env node
// openapi-check: schemas/openapi.json, the HTTP API's contract, is a valid
// OpenAPI 3.1 document (@apidevtools/swagger-parser), keeps the rules the
// end-to-end tests rely on (no `default` answers, every error a Problem,
// every authenticated operation with 401, 403 and 429), and openapi-lib.mjs
// checks answers against it as it should: good answers pass; a wrong shape,
// an undocumented status, a wrong content type or an unknown path fail.
//
//   node tests/js/openapi-check.mjs [--cli PATH]
//
// With --cli (or $YILIAN_CLI), the CLI's own --json documents that the
// server reuses (check, form, plan) are checked against the schemas too.
// Prints "N passed, M failed"; exits 1 when a test failed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import SwaggerParser from '@apidevtools/swagger-parser';

import { loadContract, operations, projectRoot } from './openapi-lib.mjs';

const docFile = path.join(projectRoot, 'schemas', 'openapi.json');
const cliIndex = process.argv.indexOf('--cli');
const cli = cliIndex > 0 ? process.argv[cliIndex + 1] : process.env.YILIAN_CLI || '';

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e && e.stack ? e.stack : e).split('\n').join('\n     ')}`);
  }
}

/** Asserts that check() throws an Error whose message names every string of `names`. */
function rejects(contract, answer, ...names) {
  assert.throws(
    () => contract.check(answer),
    (e) => {
      assert.ok(e instanceof Error, 'an Error');
      for (const n of names) assert.ok(e.message.includes(String(n)), `the message names ${n}: ${e.message}`);
      return true;
    },
  );
}

const clone = (x) => structuredClone(x);
const JSON_TYPE = 'application/json';
const PROBLEM = 'application/problem+json';

// ------------------------------------------------------------- sample answers
// Written from the C++ printers (cli/engine_support.cpp, cli/cmd_*.cpp,
// engine/src/export/form_json.cpp).

const health = { status: 'ok', engine: 'active', store: 'sqlite', version: '0.9.0' };
const problem = (status, title, detail, errors = []) => ({ type: 'about:blank', title, status, detail, errors });
const task = {
  matter: 'school-permit',
  name: '民办学校办学许可',
  department: 'education',
  department_name: '教育局',
  key: '7:school-permit:1',
  status: 'dispatched',
  attempt: 1,
  started: '2025-03-12',
  finished: null,
  deadline: '2025-04-09',
  clock_stopped: false,
  alert: 'green',
  supervision: 'none',
  remaining_days: 20,
  overdue_days: 0,
  requested: [],
  note: '',
  claimed_by: '王五',
};
const caseView = {
  id: 7,
  chain: 'kindergarten-setup',
  version: 1,
  chain_name: '开办幼儿园',
  stage: 'running',
  channel: 'window',
  submitted_at: '2025-03-12T09:30:00',
  accepted_on: '2025-03-12',
  finished_on: null,
  deadline: '2025-04-23',
  deadline_provisional: false,
  alert: 'green',
  supervision: 'none',
  remaining_days: 30,
  overdue_days: 0,
  visits: 1,
  notices: 0,
  reason: '',
  delivery: null,
  tracking: '',
  tasks: [task, { ...task, matter: 'fire-acceptance', status: 'waiting', attempt: 0, started: null, deadline: null, claimed_by: '', key: '' }],
  events: [
    {
      seq: 1,
      at: '2025-03-12T09:30:00',
      kind: 'submitted',
      result: 'applied',
      summary: 'submitted at the window',
      detail: { channel: 'window' },
      actor: { account: '张三', role: 'window', channel: 'window' },
    },
    { seq: 2, at: '2025-03-12T09:30:00', kind: 'task-dispatched', result: 'note', summary: 'sent', detail: {} },
    {
      seq: 3,
      at: '2025-03-13T10:00:00',
      kind: 'task-claimed',
      result: 'note',
      summary: 'claimed',
      detail: {},
      actor: { account: '王五', role: 'department', department: 'education', channel: 'department' },
    },
  ],
};
const checkResult = {
  complete: false,
  missing: [
    { kind: 'field', key: 'site.area', label: '场地面积', needed_by: ['school-permit'], if_applicable: false },
    { kind: 'material', key: 'floor-plan', label: '平面图', needed_by: ['fire-acceptance'], if_applicable: true },
  ],
  invalid: [{ key: 'applicant.id', code: 'id-card', reason: 'bad check character', reason_zh: '校验码错误', hint: '' }],
  ignored: [{ key: 'school.permit_no', reason: 'produced-by-chain', detail: 'school-permit' }],
  applicable_matters: ['school-permit', 'fire-acceptance'],
  skipped_matters: ['food-permit'],
  undetermined_matters: [],
};
const receipt = { case: 7, seq: 4, result: 'applied', reason: '', stage: 'running' };
// cli/engine_support.cpp file_json: the same document from `yilian case files --json`.
const materialFile = {
  case: 7, entry: 5, material: 'floor-plan', name: '平面图.pdf', media_type: 'application/pdf', bytes: 51234,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', at: '2025-03-12T09:41:00',
};
const submitted = {
  case: 8,
  chain: 'kindergarten-setup',
  version: 1,
  stage: 'incomplete',
  missing: [{ kind: 'material', key: 'floor-plan' }],
  query_code: 'K7Q2-93XD',
};
const caseList = {
  cases: [
    {
      id: 7,
      chain: 'kindergarten-setup',
      version: 1,
      stage: 'running',
      submitted_at: '2025-03-12T09:30:00',
      deadline: '2025-04-23',
      alert: 'yellow',
      supervision: 'none',
    },
    {
      id: 6,
      chain: 'kindergarten-setup',
      version: 1,
      stage: 'incomplete',
      submitted_at: '2025-03-11T15:00:00',
      deadline: null,
      alert: 'green',
      supervision: 'none',
    },
  ],
  next: 'c6',
};
const taskList = { tasks: [{ ...task, case: 7, chain: 'kindergarten-setup', version: 1 }] };
const overdue = {
  today: '2025-04-24',
  departments: {
    education: [
      {
        case: 7,
        chain: 'kindergarten-setup',
        kind: 'task',
        matter: 'school-permit',
        alert: 'red',
        supervision: 'first-level',
        deadline: '2025-04-09',
        remaining_days: 0,
        overdue_days: 11,
      },
    ],
    'market-regulation': [
      {
        case: 9,
        chain: 'kindergarten-setup',
        kind: 'case',
        matter: null,
        alert: 'yellow',
        supervision: 'none',
        deadline: '2025-04-28',
        remaining_days: 2,
        overdue_days: 0,
      },
    ],
  },
  revoked_since: '2025-03-25',
  revoked: [{
    case: 4, chain: 'hotel-restaurant', chain_name: '酒店和餐饮企业设立', matter: 'fire-inspection',
    matter_name: '公众聚集场所投入使用、营业前消防安全检查', department: 'fire', department_name: '区消防救援大队',
    on: '2025-04-20', reason: '疏散通道被占用', dependents: [], stage: 'delivered',
  }],
};
const audit = { ok: true, cases: 3, entries: 41, files: 2, seal: '41:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', sealed: true, first_break: null };
const publicCase = {
  id: 7,
  chain_name: '开办幼儿园',
  stage: 'running',
  submitted_on: '2025-03-12',
  accepted_on: '2025-03-12',
  deadline: '2025-04-23',
  matters: [
    { name: '民办学校办学许可', status: 'approved', finished: '2025-03-20' },
    { name: '消防验收', status: 'dispatched' },
  ],
};
const chainDetail = {
  id: 'kindergarten-setup',
  version: 1,
  name: '开办幼儿园',
  form: {
    chain: 'kindergarten-setup',
    version: 1,
    name: '开办幼儿园',
    lead: 'education',
    fields: [{ key: 'site.area', label: '场地面积', type: 'number', required: true, requirement: 'always' }],
    materials: [{ id: 'floor-plan', name: '平面图', required: true, requirement: 'always' }],
    matters: [{ id: 'school-permit', name: '民办学校办学许可', department: 'education', when: null, fields: [], materials: [] }],
    stats: {},
  },
  plan: {
    chain: 'kindergarten-setup',
    version: 1,
    mode: 'worst-case',
    applicable: ['school-permit'],
    skipped: [],
    undetermined: [],
    stages: [['school-permit']],
    critical_path: { matters: ['school-permit'], promised_days: 20, statutory_days: 20 },
    timings: [],
  },
};

// ------------------------------------------------------------------ the tests

const rawText = readFileSync(docFile, 'utf8');
const raw = JSON.parse(rawText);
let contract;

await test('swagger-parser validates the document as OpenAPI 3.1', async () => {
  const api = await SwaggerParser.validate(clone(raw));
  assert.equal(api.openapi, '3.1.0');
  assert.equal(api.info.title, 'yilian HTTP API');
  assert.equal(api.info.version, '1');
});

await test('every $ref resolves (swagger-parser dereferences the document)', async () => {
  const api = await SwaggerParser.dereference(clone(raw));
  assert.ok(!JSON.stringify(api.paths).includes('"$ref"'), 'no $ref left in paths');
});

await test('openapi-lib loads the document and compiles every answer\'s schema in strict mode', async () => {
  contract = await loadContract();
  assert.equal(contract.document.info.title, 'yilian HTTP API');
  const alsoRelative = await loadContract('schemas/openapi.json');
  assert.equal(alsoRelative.operations().length, contract.operations().length);
});

if (!contract) {
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

await test('the documented operations are exactly the API of DESIGN.md v1 as served', () => {
  const ops = contract.operations().map((o) => `${o.method} ${o.template}`).sort();
  const expected = [
    'GET /api/v1/health',
    'GET /api/v1/openapi.json',
    'POST /api/v1/session',
    'GET /api/v1/session',
    'DELETE /api/v1/session',
    'GET /api/v1/chains',
    'GET /api/v1/chains/{id}',
    'POST /api/v1/chains/{id}/check',
    'POST /api/v1/cases',
    'GET /api/v1/cases',
    'GET /api/v1/cases/{id}',
    'POST /api/v1/cases/{id}/supplement',
    'GET /api/v1/cases/{id}/materials',
    'GET /api/v1/cases/{id}/materials/{material}',
    'POST /api/v1/cases/{id}/materials/{material}',
    'POST /api/v1/cases/{id}/withdraw',
    'POST /api/v1/cases/{id}/deliver',
    'POST /api/v1/cases/{id}/urge',
    'POST /api/v1/cases/{id}/ratings',
    'POST /api/v1/cases/{id}/ratings/{n}/follow-up',
    'GET /api/v1/ratings',
    'GET /api/v1/tasks',
    'POST /api/v1/tasks/{case}/{matter}/claim',
    'POST /api/v1/tasks/{case}/{matter}/release',
    'POST /api/v1/tasks/{case}/{matter}/approve',
    'POST /api/v1/tasks/{case}/{matter}/reject',
    'POST /api/v1/tasks/{case}/{matter}/request-supplement',
    'POST /api/v1/tasks/{case}/{matter}/suspend',
    'POST /api/v1/tasks/{case}/{matter}/resume',
    'GET /api/v1/overdue',
    'GET /api/v1/audit/verify',
    'GET /api/v1/public/cases/{id}',
    'GET /api/v1/events',
    'POST /api/v1/work/fetch-and-lock',
    'POST /api/v1/work/{token}/complete',
  ].sort();
  assert.deepEqual(ops, expected);
  // The module-level operations() reads the same list from a file, a document or a contract.
  assert.deepEqual(operations(), contract.operations());
  assert.deepEqual(operations(raw), contract.operations());
  assert.deepEqual(operations(contract), contract.operations());
  const ids = contract.operations().map((o) => o.operationId);
  assert.ok(ids.every(Boolean), 'every operation has an operationId');
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
});

/** Each operation with its responses resolved. */
function eachOperation(doc, fn) {
  for (const [template, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item))
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) fn(method.toUpperCase(), template, op, item);
}
const resolveResponse = (r) => (r.$ref ? raw.components.responses[r.$ref.split('/').pop()] : r);

await test('no `default` or ranged answer; every 4xx and 5xx is a Problem (application/problem+json)', () => {
  eachOperation(raw, (method, template, op) => {
    for (const [status, r0] of Object.entries(op.responses)) {
      assert.match(status, /^[1-5][0-9][0-9]$/, `${method} ${template}: response "${status}"`);
      const r = resolveResponse(r0);
      assert.ok(r, `${method} ${template} ${status} resolves`);
      if (Number(status) >= 400) {
        assert.deepEqual(Object.keys(r.content ?? {}), [PROBLEM], `${method} ${template} ${status}: problem+json only`);
        assert.deepEqual(r.content[PROBLEM].schema, { $ref: '#/components/schemas/Problem' });
      }
    }
  });
});

await test('every authenticated operation documents 401, 403 and 429; public ones say `security: []`', () => {
  const open = new Set(['GET /api/v1/health', 'GET /api/v1/openapi.json', 'POST /api/v1/session', 'GET /api/v1/session',
                        'GET /api/v1/public/cases/{id}']);
  assert.deepEqual(raw.security, [{ bearer: [] }, { session: [] }]);
  assert.equal(raw.components.securitySchemes.bearer.type, 'http');
  assert.equal(raw.components.securitySchemes.bearer.scheme, 'bearer');
  assert.deepEqual(
    { type: raw.components.securitySchemes.session.type, in: raw.components.securitySchemes.session.in, name: raw.components.securitySchemes.session.name },
    { type: 'apiKey', in: 'cookie', name: 'yilian_session' },
  );
  eachOperation(raw, (method, template, op) => {
    const name = `${method} ${template}`;
    if (open.has(name)) {
      assert.deepEqual(op.security, [], `${name} is public`);
    } else {
      assert.equal(op.security, undefined, `${name} uses the document's security`);
      for (const s of ['401', '403', '429']) assert.ok(op.responses[s], `${name} documents ${s}`);
    }
    assert.ok(op.responses['429'], `${name} documents 429`);
    assert.ok(op.responses['500'], `${name} documents 500`);
    if (op.requestBody) {
      // Every body is JSON but an upload's, which is the file's bytes.
      const types = name === 'POST /api/v1/cases/{id}/materials/{material}'
        ? ['application/pdf', 'image/jpeg', 'image/png', 'application/octet-stream'] : [JSON_TYPE];
      assert.deepEqual(Object.keys(op.requestBody.content), types, `${name}: the body's types`);
      for (const s of ['400', '413', '415']) assert.ok(op.responses[s], `${name} documents ${s}`);
    }
    // Writes accept the session cookie, so they document the CSRF header.
    if ((method === 'POST' || method === 'DELETE') && !open.has(name))
      assert.ok(
        (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/CsrfToken'),
        `${name} documents X-CSRF-Token`,
      );
    // Every {param} of the template is declared.
    const declared = [...(op.parameters ?? []), ...(raw.paths[template].parameters ?? [])]
      .map((p) => (p.$ref ? raw.components.parameters[p.$ref.split('/').pop()] : p))
      .filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort();
    const used = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(declared, used, `${name}: path parameters`);
  });
  const submit = raw.paths['/api/v1/cases'].post;
  const key = submit.parameters.map((p) => raw.components.parameters[p.$ref.split('/').pop()]).find((p) => p.name === 'Idempotency-Key');
  assert.ok(key && key.required === true && key.in === 'header', 'Idempotency-Key is a required header');
  for (const s of ['200', '201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503'])
    assert.ok(submit.responses[s], `POST /api/v1/cases documents ${s}`);
});

await test('Problem lists exactly type, title, status, detail, errors', () => {
  const p = raw.components.schemas.Problem;
  assert.deepEqual([...p.required].sort(), ['detail', 'errors', 'status', 'title', 'type']);
  assert.equal(p.additionalProperties, false);
  assert.equal(raw.components.schemas.ProblemItem.additionalProperties, true);
});

// -- the self-tests the brief names

await test('a valid health answer passes', () => {
  const r = contract.check({ method: 'GET', path: '/api/v1/health', status: 200, contentType: JSON_TYPE, body: health });
  assert.deepEqual(r, { method: 'GET', template: '/api/v1/health', operationId: 'health', status: '200', contentType: JSON_TYPE });
  // Lower-case method, numeric-string status, a charset parameter and a query string change nothing.
  contract.check({ method: 'get', path: '/api/v1/health?x=1', status: '200', contentType: 'application/json; charset=utf-8', body: health });
  contract.check({ method: 'GET', path: '/api/v1/health', status: 200, contentType: 'Application/JSON', body: { ...health, engine: 'standby', store: 'postgresql' } });
});

await test('a 200 with a wrong shape fails, naming method, path, status and the Ajv errors', () => {
  const a = { method: 'GET', path: '/api/v1/health', status: 200, contentType: JSON_TYPE };
  rejects(contract, { ...a, body: { ...health, engine: 'sleeping' } }, 'GET', '/api/v1/health', '200', '/engine', 'allowed values');
  rejects(contract, { ...a, body: { status: 'ok', engine: 'active', store: 'sqlite' } }, 'GET', '/api/v1/health', '200', 'version');
  rejects(contract, { ...a, body: { ...health, extra: 1 } }, 'additional properties', 'extra');
  rejects(contract, { ...a, body: 'ok' }, 'must be object');
  rejects(contract, { ...a, body: undefined }, 'GET', '/api/v1/health');
});

await test('an undocumented status fails', () => {
  rejects(
    contract,
    { method: 'GET', path: '/api/v1/health', status: 404, contentType: PROBLEM, body: problem(404, 'Not Found', 'no') },
    'GET',
    '/api/v1/health',
    '404',
    'not documented',
  );
  rejects(contract, { method: 'POST', path: '/api/v1/cases/3/withdraw', status: 201, contentType: JSON_TYPE, body: receipt }, '201', 'not documented');
});

await test('a wrong content type fails', () => {
  const a = { method: 'GET', path: '/api/v1/health', status: 200, body: health };
  rejects(contract, { ...a, contentType: 'text/plain' }, 'GET', '/api/v1/health', '200', 'text/plain');
  rejects(contract, { ...a, contentType: undefined }, 'content type', '(none)');
  rejects(contract, { ...a, contentType: PROBLEM }, 'application/problem+json');
  // An error as plain JSON instead of a problem document.
  rejects(
    contract,
    { method: 'GET', path: '/api/v1/cases/9', status: 404, contentType: JSON_TYPE, body: problem(404, 'Not Found', 'no case 9') },
    'GET',
    '/api/v1/cases/9',
    '404',
    'application/json',
  );
});

await test('a path or method with no operation fails', () => {
  rejects(contract, { method: 'GET', path: '/api/v1/nothing', status: 200, contentType: JSON_TYPE, body: {} }, 'GET', '/api/v1/nothing', '200', 'no documented operation');
  rejects(contract, { method: 'PUT', path: '/api/v1/health', status: 200, contentType: JSON_TYPE, body: health }, 'PUT', 'no documented operation');
  rejects(contract, { method: 'GET', path: '/api/v1/health/', status: 200, contentType: JSON_TYPE, body: health }, 'no documented operation');
  rejects(contract, { method: 'GET', path: '/api/v1/cases//x', status: 200, contentType: JSON_TYPE, body: {} }, 'no documented operation');
  rejects(contract, { method: 'POST', path: '/api/v1/tasks/7/claim', status: 200, contentType: JSON_TYPE, body: receipt }, 'no documented operation');
  assert.equal(contract.find('GET', '/api/v1/chains/x/y'), null);
});

// -- matching

await test('concrete paths match their templates; the query string is ignored', () => {
  const cases = [
    ['GET', '/api/v1/cases/12', '/api/v1/cases/{id}'],
    ['GET', '/api/v1/cases?stage=running&limit=2', '/api/v1/cases'],
    ['POST', '/api/v1/cases', '/api/v1/cases'],
    ['POST', '/api/v1/cases/12/supplement', '/api/v1/cases/{id}/supplement'],
    ['POST', '/api/v1/tasks/7/school-permit/request-supplement', '/api/v1/tasks/{case}/{matter}/request-supplement'],
    ['GET', '/api/v1/public/cases/7?code=AB12', '/api/v1/public/cases/{id}'],
    ['GET', '/api/v1/chains/kindergarten-setup', '/api/v1/chains/{id}'],
    ['POST', '/api/v1/chains/kindergarten-setup/check', '/api/v1/chains/{id}/check'],
    ['DELETE', '/api/v1/session', '/api/v1/session'],
  ];
  for (const [m, p, t] of cases) assert.equal(contract.find(m, p)?.template, t, `${m} ${p}`);
});

await test('literal segments win over parameters, from the left', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-openapi-'));
  try {
    const op = (id) => ({
      operationId: id,
      responses: { 200: { description: id, content: { 'application/json': { schema: { type: 'object', required: [id], properties: { [id]: { type: 'boolean' } } } } } } },
    });
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/x/{id}': { get: op('param') },
        '/x/new': { get: op('literal') },
        '/y/{a}/z': { get: op('paramFirst') },
        '/y/b/{c}': { get: op('literalFirst') },
      },
    };
    const file = path.join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(doc));
    const c = await loadContract(file);
    assert.equal(c.find('GET', '/x/new').operationId, 'literal');
    assert.equal(c.find('GET', '/x/12').operationId, 'param');
    assert.equal(c.find('GET', '/y/b/z').operationId, 'literalFirst');
    assert.equal(c.find('GET', '/y/q/z').operationId, 'paramFirst');
    c.check({ method: 'GET', path: '/x/new', status: 200, contentType: JSON_TYPE, body: { literal: true } });
    rejects(c, { method: 'GET', path: '/x/new', status: 200, contentType: JSON_TYPE, body: { param: true } }, '/x/new', 'literal');
    assert.deepEqual(c.unexercised().map((o) => o.operationId).sort(), ['literalFirst', 'param', 'paramFirst']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

await test('a document with a `default` answer is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-openapi-'));
  try {
    const file = path.join(dir, 'doc.json');
    writeFileSync(
      file,
      JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { get: { responses: { default: { description: 'anything' } } } } } }),
    );
    await assert.rejects(loadContract(file), /default/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// -- every documented answer shape, with a good sample and a broken one

const answers = [
  ['GET', '/api/v1/openapi.json', 200, raw],
  ['POST', '/api/v1/session', 200, { account: '张三', role: 'window', csrf: 'tok' }],
  ['GET', '/api/v1/session', 200, { account: '张三', role: 'window', csrf: 'tok' }],
  ['POST', '/api/v1/session', 200, { account: 'edu', role: 'department', department: 'education', csrf: 'tok' }],
  ['GET', '/api/v1/chains', 200, { chains: [{ id: 'kindergarten-setup', version: 1, name: '开办幼儿园' }] }],
  ['GET', '/api/v1/chains/kindergarten-setup', 200, chainDetail],
  ['POST', '/api/v1/chains/kindergarten-setup/check', 200, checkResult],
  ['POST', '/api/v1/chains/kindergarten-setup/check', 200, { ...checkResult, complete: true, missing: [], invalid: [], ignored: [] }],
  ['POST', '/api/v1/cases', 201, submitted],
  ['POST', '/api/v1/cases', 200, { ...submitted, stage: 'running', missing: [] }],
  ['GET', '/api/v1/cases?stage=running', 200, caseList],
  ['GET', '/api/v1/cases', 200, { cases: [], next: null }],
  ['GET', '/api/v1/cases/7', 200, caseView],
  [
    'GET',
    '/api/v1/cases/7',
    200,
    {
      ...caseView,
      stage: 'delivered',
      finished_on: '2025-04-01',
      delivery: 'express',
      tracking: 'SF1234567890',
      tasks: [task],
      events: caseView.events.map(({ detail, ...e }) => e),
      data: { 'site.area': 820, 'applicant.name': '李四', 'school.serves_meals': true, 'site.note': null },
    },
  ],
  ['POST', '/api/v1/cases/7/supplement', 200, receipt],
  ['POST', '/api/v1/cases/7/urge', 200, receipt],
  ['POST', '/api/v1/cases/7/ratings', 200, { ...receipt, stage: 'delivered' }],
  ['POST', '/api/v1/cases/7/ratings/1/follow-up', 200, { ...receipt, stage: 'delivered' }],
  ['GET', '/api/v1/ratings', 200, { today: '2025-04-24', matters: [], departments: [] }],
  ['GET', '/api/v1/ratings?chain=kindergarten-setup', 200, {
    today: '2025-04-24',
    matters: [{ chain: 'kindergarten-setup', matter: null, name: '幼儿园设立', department: 'education',
      grades: { 1: 1, 2: 0, 3: 0, 4: 2, 5: 3 }, total: 6, bad: 1, bad_rate: 1 / 6, set_aside: 0, follow_ups: 1,
      rectified: 1, call_backs_on_time: 1, rectified_on_time: 1, overdue: 0 }],
    departments: [{ name: '教育局', department: 'education', grades: { 1: 1, 2: 0, 3: 0, 4: 2, 5: 3 }, total: 6, bad: 1,
      bad_rate: 1 / 6, set_aside: 0, follow_ups: 1, rectified: 1, call_backs_on_time: 1, rectified_on_time: 1, overdue: 0 }],
  }],
  ['GET', '/api/v1/cases/7', 200, {
    ...caseView,
    deferred: [{ key: 'floor-plan', label: '平面图', due: '2025-04-10' }],
    deferred_alert: 'yellow',
    ratings: [{ number: 1, grade: 2, label: '不满意', matter: null, department: 'education', at: '2025-04-01T10:00:00',
      comment: '等了两次', follow_up: { call_back_due: '2025-04-02', called_back: null, call_back_late: false,
        rectify_due: '2025-04-22', rectified: null, rectify_late: false, appeal: 'none', closed: false, note: '' } }],
  }],
  ['POST', '/api/v1/cases/7/withdraw', 200, { ...receipt, stage: 'withdrawn' }],
  ['POST', '/api/v1/cases/7/materials/floor-plan?name=%E5%B9%B3.pdf', 201, { ...receipt, seq: 5, file: materialFile }],
  ['GET', '/api/v1/cases/7/materials', 200, { files: [materialFile, { ...materialFile, entry: 6, media_type: 'image/jpeg' }] }],
  ['GET', '/api/v1/cases/7/materials', 200, { files: [] }],
  ['POST', '/api/v1/cases/7/deliver', 200, { ...receipt, result: 'ignored', reason: 'already delivered', stage: 'delivered' }],
  ['GET', '/api/v1/tasks?department=education', 200, taskList],
  ['GET', '/api/v1/tasks?department=education&limit=1', 200, { ...taskList, next: '7.2' }],
  ['GET', '/api/v1/tasks?after=7.2', 200, { ...taskList, next: null }],
  ['POST', '/api/v1/tasks/7/school-permit/claim', 200, receipt],
  ['POST', '/api/v1/tasks/7/school-permit/release', 200, receipt],
  ['POST', '/api/v1/tasks/7/school-permit/approve', 200, { ...receipt, stage: 'ready' }],
  ['POST', '/api/v1/tasks/7/school-permit/reject', 200, { ...receipt, stage: 'rejected' }],
  ['POST', '/api/v1/tasks/7/school-permit/request-supplement', 200, receipt],
  ['POST', '/api/v1/tasks/7/school-permit/suspend', 200, receipt],
  ['POST', '/api/v1/tasks/7/school-permit/resume', 200, receipt],
  ['POST', '/api/v1/work/fetch-and-lock', 200, { tasks: [] }],
  ['POST', '/api/v1/work/fetch-and-lock', 200, {
    tasks: taskList.tasks.map((t) => ({ ...t, lease: 'lease_7_school-permit_0f3a', lock_ms: 60000, data: { 'school.classes': 6 } })),
  }],
  ['POST', '/api/v1/work/lease_7_school-permit_0f3a/complete', 200, receipt],
  ['GET', '/api/v1/overdue', 200, overdue],
  ['GET', '/api/v1/overdue', 200, { today: '2025-04-24', departments: {}, revoked_since: '2025-03-25', revoked: [] }],
  ['GET', '/api/v1/audit/verify', 200, audit],
  ['GET', '/api/v1/audit/verify', 200, { ...audit, ok: false, first_break: { case: 3, seq: 5, problem: 'hash mismatch' } }],
  ['GET', '/api/v1/public/cases/7?code=K7Q2', 200, publicCase],
];

await test('good samples of every documented 2xx answer pass', () => {
  for (const [method, p, status, body] of answers) contract.check({ method, path: p, status, contentType: JSON_TYPE, body });
  contract.check({ method: 'DELETE', path: '/api/v1/session', status: 204, contentType: null, body: undefined });
  contract.check({ method: 'DELETE', path: '/api/v1/session', status: 204, contentType: undefined, body: '' });
  // The event stream's body is not validated.
  contract.check({ method: 'GET', path: '/api/v1/events', status: 200, contentType: 'text/event-stream; charset=utf-8', body: 'id: 1\ndata: {}\n\n' });
  contract.check({ method: 'GET', path: '/api/v1/events', status: 200, contentType: 'text/event-stream' });
  // A material file's bytes are not validated; its types are.
  for (const type of ['application/pdf', 'image/jpeg', 'image/png'])
    contract.check({ method: 'GET', path: '/api/v1/cases/7/materials/floor-plan?entry=5', status: 200, contentType: type, body: '%PDF-1.4' });
  contract.check({ method: 'GET', path: '/api/v1/cases/7/materials/floor-plan', status: 304, contentType: null, body: '' });
  rejects(contract, { method: 'GET', path: '/api/v1/cases/7/materials/floor-plan', status: 200, contentType: 'text/html', body: '<p>' }, 'text/html');
});

await test('a 204 with a body or a content type fails', () => {
  rejects(contract, { method: 'DELETE', path: '/api/v1/session', status: 204, contentType: JSON_TYPE, body: {} }, 'DELETE', '204', 'without a body');
  rejects(contract, { method: 'DELETE', path: '/api/v1/session', status: 204, body: { ok: true } }, 'DELETE', '204', 'body came');
});

await test('broken samples fail where they are broken', () => {
  const broken = [
    ['POST', '/api/v1/session', 200, { account: 'a', role: 'chief', csrf: 't' }, '/role'],
    ['POST', '/api/v1/session', 200, { account: 'a', role: 'window' }, 'csrf'],
    ['GET', '/api/v1/chains', 200, { chains: [{ id: 'x', version: '1', name: 'n' }] }, '/chains/0/version'],
    ['GET', '/api/v1/chains/x', 200, { ...chainDetail, form: { chain: 'x' } }, '/form'],
    ['POST', '/api/v1/chains/x/check', 200, { ...checkResult, missing: [{ kind: 'thing', key: 'a', label: '', needed_by: [], if_applicable: false }] }, '/missing/0/kind'],
    ['POST', '/api/v1/chains/x/check', 200, (({ skipped_matters, ...r }) => r)(checkResult), 'skipped_matters'],
    ['POST', '/api/v1/cases', 201, (({ query_code, ...r }) => r)(submitted), 'query_code'],
    ['POST', '/api/v1/cases', 201, { ...submitted, case: 0 }, '/case'],
    ['GET', '/api/v1/cases', 200, { cases: caseList.cases }, 'next'],
    ['GET', '/api/v1/cases', 200, { ...caseList, cases: [{ ...caseList.cases[0], submitted_at: '2025-03-12 09:30' }] }, '/cases/0/submitted_at'],
    ['GET', '/api/v1/cases', 200, { ...caseList, cases: [{ ...caseList.cases[0], deadline: '2025-02-30' }] }, '/cases/0/deadline'],
    ['GET', '/api/v1/cases/7', 200, { ...caseView, stage: 'open' }, '/stage'],
    ['GET', '/api/v1/cases/7', 200, (({ events, ...v }) => v)(caseView), 'events'],
    ['GET', '/api/v1/cases/7', 200, { ...caseView, tasks: [{ ...task, status: 'done' }] }, '/tasks/0/status'],
    ['GET', '/api/v1/cases/7', 200, { ...caseView, tasks: [(({ claimed_by, ...t }) => t)(task)] }, 'claimed_by'],
    ['GET', '/api/v1/cases/7', 200, { ...caseView, events: [{ ...caseView.events[0], actor: { account: 'a', role: 'window' } }] }, 'channel'],
    ['GET', '/api/v1/cases/7', 200, { ...caseView, data: { 'site.area': [1] } }, '/data'],
    ['POST', '/api/v1/cases/7/withdraw', 200, { ...receipt, result: 'done' }, '/result'],
    ['POST', '/api/v1/cases/7/withdraw', 200, { ...receipt, extra: true }, 'additional properties'],
    ['POST', '/api/v1/cases/7/materials/floor-plan', 201, receipt, 'file'],
    ['POST', '/api/v1/cases/7/materials/floor-plan', 201, { ...receipt, file: { ...materialFile, media_type: 'text/plain' } }, '/file/media_type'],
    ['GET', '/api/v1/cases/7/materials', 200, { files: [{ ...materialFile, sha256: 'ABC' }] }, '/files/0/sha256'],
    ['GET', '/api/v1/tasks', 200, { tasks: [task] }, 'case'],
    ['GET', '/api/v1/overdue', 200, { ...overdue, departments: { education: [{ ...overdue.departments.education[0], alert: 'orange' }] } }, '/departments/education/0/alert'],
    ['GET', '/api/v1/audit/verify', 200, { ...audit, first_break: { case: 1 } }, '/first_break'],
    ['GET', '/api/v1/public/cases/7', 200, { ...publicCase, applicant: '李四' }, 'applicant'],
    ['GET', '/api/v1/public/cases/7', 200, { ...publicCase, matters: [{ name: 'x' }] }, '/matters/0'],
  ];
  for (const [method, p, status, body, where] of broken)
    rejects(contract, { method, path: p, status, contentType: JSON_TYPE, body }, method, p, String(status), where);
});

await test('problem documents pass on documented error statuses, and only exact ones', () => {
  const ok = [
    ['POST', '/api/v1/cases', 400, problem(400, 'Bad Request', '2 invalid items', [{ field: 'applicant.id', code: 'id-card', message: 'bad check character' }, { path: '/materials/0', line: 1, column: 40 }])],
    ['POST', '/api/v1/cases', 422, problem(422, 'Unprocessable Content', 'the key was used with another body')],
    ['POST', '/api/v1/session', 401, problem(401, 'Unauthorized', 'bad name or password')],
    ['GET', '/api/v1/cases/99', 404, problem(404, 'Not Found', 'no case 99')],
    ['POST', '/api/v1/tasks/7/school-permit/claim', 409, problem(409, 'Conflict', 'claimed by 王五')],
    ['GET', '/api/v1/overdue', 403, problem(403, 'Forbidden', 'role portal may not')],
    ['GET', '/api/v1/health', 429, problem(429, 'Too Many Requests', 'try again in 1 s')],
    ['POST', '/api/v1/cases', 503, problem(503, 'Service Unavailable', 'standby')],
    ['GET', '/api/v1/public/cases/7', 404, problem(404, 'Not Found', 'no such case')],
  ];
  for (const [method, p, status, body] of ok) contract.check({ method, path: p, status, contentType: PROBLEM, body });
  const a = { method: 'GET', path: '/api/v1/cases/99', status: 404, contentType: PROBLEM };
  rejects(contract, { ...a, body: (({ errors, ...b }) => b)(problem(404, 'Not Found', 'x')) }, 'errors');
  rejects(contract, { ...a, body: { ...problem(404, 'Not Found', 'x'), instance: '/x' } }, 'additional properties');
  rejects(contract, { ...a, body: problem(404, 'Not Found', 'x', ['a string']) }, '/errors/0');
  rejects(contract, { ...a, body: { ...problem(404, 'Not Found', 'x'), status: '404' } }, '/status');
});

await test('checkRequest: documented request bodies accept good requests and refuse bad ones', () => {
  const good = [
    ['POST', '/api/v1/session', { name: '张三', password: 'secret' }],
    ['POST', '/api/v1/chains/kindergarten-setup/check', { fields: { 'site.area': 820, 'applicant.name': '李四' }, materials: ['floor-plan'] }],
    ['POST', '/api/v1/chains/kindergarten-setup/check', { chain: 'kindergarten-setup', fields: {}, materials: [] }],
    ['POST', '/api/v1/cases', { chain: 'kindergarten-setup', fields: { 'site.area': 820 }, materials: ['floor-plan'], channel: 'hotline' }],
    ['POST', '/api/v1/cases/7/supplement', { fields: { 'site.area': 820 }, materials: [], in_person: true }],
    ['POST', '/api/v1/cases/7/withdraw', { reason: '不再办理' }],
    ['POST', '/api/v1/cases/7/deliver', { method: 'express', tracking: 'SF1' }],
    ['POST', '/api/v1/tasks/7/school-permit/claim', {}],
    ['POST', '/api/v1/tasks/7/school-permit/claim', { force: true }],
    ['POST', '/api/v1/tasks/7/school-permit/release', {}],
    ['POST', '/api/v1/tasks/7/school-permit/approve', { produce: { 'school.permit_no': '教民140101', 'school.capacity': 120, 'school.ok': true }, note: '同意' }],
    ['POST', '/api/v1/tasks/7/school-permit/reject', { reason: '疏散通道不符合要求' }],
    ['POST', '/api/v1/tasks/7/school-permit/request-supplement', { materials: ['fire-opinion'], fields: [], note: '缺件' }],
    ['POST', '/api/v1/tasks/7/school-permit/request-supplement', { fields: ['site.area'] }],
  ];
  for (const [method, p, body] of good) contract.checkRequest({ method, path: p, body });
  const bad = [
    ['POST', '/api/v1/session', { name: '张三' }],
    ['POST', '/api/v1/cases', { fields: {} }],
    ['POST', '/api/v1/cases', { chain: 'kindergarten-setup', channel: 'fax' }],
    ['POST', '/api/v1/chains/x/check', { fields: { 'Bad Key': 1 } }],
    ['POST', '/api/v1/chains/x/check', { materials: ['a', 'a'] }],
    ['POST', '/api/v1/cases/7/deliver', { method: 'pigeon' }],
    ['POST', '/api/v1/tasks/7/m/approve', { produce: { 'a.b': [1] } }],
    ['POST', '/api/v1/tasks/7/m/reject', { reason: '' }],
    ['POST', '/api/v1/tasks/7/m/request-supplement', { note: 'nothing asked' }],
    ['POST', '/api/v1/tasks/7/m/release', { force: true }],
  ];
  for (const [method, p, body] of bad)
    assert.throws(() => contract.checkRequest({ method, path: p, body }), new RegExp(`${method} ${p.replaceAll('/', '\\/')}`), `${method} ${p} ${JSON.stringify(body)}`);
  assert.throws(() => contract.checkRequest({ method: 'POST', path: '/api/v1/cases', contentType: 'text/plain', body: 'x' }), /text\/plain/);
});

await test('operations never matched by check() are reported', () => {
  const fresh = contract; // every operation was exercised above except none: count them
  const missing = fresh.unexercised().map((o) => `${o.method} ${o.template}`);
  assert.deepEqual(missing, [], `exercised every operation above: ${missing.join(', ')}`);
  assert.equal(fresh.exercised().length, fresh.operations().length);
});

// -- optional: the CLI's own documents that the server reuses

if (cli) {
  const run = (args) => {
    const r = spawnSync(cli, args, { cwd: projectRoot, encoding: 'utf8' });
    if (r.error) throw r.error;
    return r;
  };
  const agree = async (name, args) => {
    const r = run(args);
    assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    contract.checkSchema(name, JSON.parse(r.stdout));
  };
  await test('the CLI\'s check --json fits CheckResult', async () => {
    await agree('CheckResult', ['check', 'kindergarten-setup', 'examples/applications/kindergarten-setup-incomplete.yaml', '--json']);
  });
  await test('the CLI\'s form --json fits Form', async () => {
    await agree('Form', ['form', 'kindergarten-setup', '--json']);
  });
  await test('the CLI\'s plan --json fits Plan', async () => {
    await agree('Plan', ['plan', 'kindergarten-setup', '--json']);
  });
  await test('the CLI\'s case, task, overdue and audit documents fit their schemas', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-openapi-'));
    const env = { ...process.env, YILIAN_NOW: '2025-03-12T09:00', YILIAN_OFFICER: '王五' };
    const db = path.join(dir, 'cases.db');
    const json = (args, now) => {
      const r = spawnSync(cli, args, { cwd: projectRoot, encoding: 'utf8', env: now ? { ...env, YILIAN_NOW: now } : env });
      assert.equal(r.status, 0, `yilian ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    try {
      const sub = json(['case', 'submit', '--db', db, 'kindergarten-setup', 'examples/applications/kindergarten-setup-complete.yaml', '--json']);
      contract.checkSchema('SubmitResult', { ...sub, query_code: 'Q' });
      const id = String(sub.case);
      contract.checkSchema('CaseView', json(['case', 'status', '--db', db, id, '--json']));
      contract.checkSchema('CaseList', { ...json(['case', 'list', '--db', db, '--json']), next: null });
      const tasks = json(['task', 'list', '--db', db, '--json']);
      contract.checkSchema('TaskList', tasks);
      assert.ok(tasks.tasks.length > 0, 'an open task');
      const matter = tasks.tasks[0].matter;
      contract.checkSchema('Receipt', json(['task', 'claim', '--db', db, id, matter, '--json']));
      contract.checkSchema('Receipt', json(['task', 'request-supplement', '--db', db, id, matter, '--item', 'x', '--reason', '缺件', '--json']));
      contract.checkSchema('Overdue', json(['overdue', '--db', db, '--json'], '2025-06-12T09:00'));
      contract.checkSchema('AuditReport', json(['audit', 'verify', db, '--json']));
      contract.checkSchema('Receipt', json(['case', 'withdraw', '--db', db, id, '--reason', '不再办理', '--json']));
      contract.checkSchema('CaseView', json(['case', 'status', '--db', db, id, '--json']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// yilian serve against hostile clients, on loopback with small limits: each
// gets a clear problem document or is cut off, the server keeps serving
// others, and nothing is half-applied (the audit verifies and the case
// count is what the accepted requests made).
//   node tests/js/serve-hostile.mjs --cli build/cli/yilian
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Serve, Tests, cliArgument, projectRoot } from './serve-lib.mjs';

const serve = new Serve(cliArgument('serve-hostile.mjs'));
const runner = new Tests();
const test = (name, fn) => runner.test(name, fn);
const app = YAML.parse(readFileSync(join(projectRoot, 'examples/applications/kindergarten-setup-complete.yaml'), 'utf8'));
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/// A raw connection: writes `chunks` (with `gap` ms between them) and
/// resolves with what the server sent and whether it closed the connection.
function raw(chunks, { gap = 0, wait = 3000 } = {}) {
  const port = Number(new URL(serve.base).port);
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const started = Date.now();
    socket.on('data', (d) => { received += d; });
    socket.on('close', () => { closed = true; resolve({ received, closed, ms: Date.now() - started }); });
    socket.on('error', () => {});
    (async () => {
      for (const c of chunks) {
        if (closed) return;
        socket.write(c);
        if (gap) await sleep(gap);
      }
    })();
    setTimeout(() => { if (!closed) { socket.destroy(); resolve({ received, closed: false, ms: Date.now() - started }); } }, wait);
  });
}

let key;
try {
  await serve.start(['--max-body-kib', '64', '--max-header-kib', '8', '--max-connections', '40', '--read-timeout-ms', '1000',
                     '--rate', '20']);
  key = serve.account('窗口', 'window');
  const dept = serve.account('卫健', 'department', 'health');
  const ok = await serve.call('POST', '/api/v1/cases', { key, body: app, headers: { 'Idempotency-Key': 'good' } });
  assert.equal(ok.status, 201);
  const caseId = ok.body.case;

  await test('a body over the limit is 413, refused before it is read', async () => {
    const big = { fields: { 'applicant.name': 'x'.repeat(70 * 1024) }, materials: [] };
    const r = await serve.call('POST', '/api/v1/chains/kindergarten-setup/check', { key, body: big });
    assert.equal(r.status, 413);
    assert.equal(r.body.status, 413);
  });

  await test('a head over the limit is 431 and the connection closes', async () => {
    const r = await raw([`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10 * 1024)}\r\n\r\n`]);
    assert.match(r.received, /^HTTP\/1\.1 431 /);
    assert.match(r.received, /application\/problem\+json/);
  });

  await test('a client sending one byte at a time is cut off; others are served meanwhile', async () => {
    const request = 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n';
    const slow = raw([...request], { gap: 150, wait: 8000 });
    let slowEnded = false;
    slow.then(() => { slowEnded = true; });
    await sleep(200);
    // Served while the slow client still holds its connection (a property,
    // not a time: a loaded machine may take long for both).
    assert.equal((await serve.call('GET', '/api/v1/health')).status, 200);
    assert.ok(!slowEnded, 'another request was answered while the slow client was still connected');
    const r = await slow;
    assert.ok(r.closed, 'the slow connection was closed');
    assert.ok(r.ms < 4000, `closed after ${r.ms} ms`);
    assert.ok(!/HTTP\/1\.1 200/.test(r.received), 'it never got its answer');
  });

  await test('connections over the cap get 503; the server serves again once they go', async () => {
    const port = Number(new URL(serve.base).port);
    const sockets = [];
    const answers = [];
    for (let i = 0; i < 50; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.on('data', (d) => answers.push(String(d)));
      sockets.push(s);
    }
    await sleep(500);
    assert.ok(answers.some((a) => /^HTTP\/1\.1 503 /.test(a)), 'the connections past the cap were told 503');
    for (const s of sockets) s.destroy();
    await sleep(300);
    assert.equal((await serve.call('GET', '/api/v1/health')).status, 200);
  });

  await test('malformed bodies: each a problem document, nothing applied', async () => {
    const post = (path, raw, type = 'application/json') => serve.call('POST', path, { key, raw, headers: { 'Content-Type': type } });
    const check = '/api/v1/chains/kindergarten-setup/check';
    assert.equal((await post(check, '{"fields": {')).status, 400);
    assert.equal((await post(check, '[1, 2]')).status, 400);
    assert.equal((await post(check, 'fields=1', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post(check, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))).status, 400);  // {"\xff\xfe":1}
    const unknown = await post(`/api/v1/cases/${caseId}/withdraw`, '{"reason": "x", "reasn": "y"}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].path, 'reasn');
    const huge = await serve.call('POST', '/api/v1/work/fetch-and-lock', { key: dept, body: { worker: 'w', max: 1e300 } });
    assert.equal(huge.status, 400);
    const hugeRaw = await serve.call('POST', '/api/v1/work/fetch-and-lock',
                                     { key: dept, raw: '{"worker": "w", "max": 1e400}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(hugeRaw.status, 400);
    // A value nested deeper than 32 levels is refused before it is read
    // (serve-e2e.mjs sends 200,000 levels, which once crashed the server).
    const deep = await serve.call('POST', '/api/v1/cases', {
      key, raw: `{"chain": "kindergarten-setup", "fields": {"applicant.name": ${'['.repeat(10000)}${']'.repeat(10000)}}}`,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'deep' } });
    assert.equal(deep.status, 400);
    assert.match(deep.body.detail, /deeper than 32 levels/);
    assert.equal((await serve.call('GET', '/api/v1/health')).status, 200);
    assert.equal((await serve.call('GET', '/api/v1/cases/99999999999999999999999', { key })).status, 404);
    assert.equal((await serve.call('GET', '/api/v1/cases?limit=-1', { key })).status, 400);
    const badField = await serve.call('POST', '/api/v1/cases', {
      key, body: { ...app, fields: { ...app.fields, 'applicant.legal_rep_id': '370304197809201234' } }, headers: { 'Idempotency-Key': 'bad-id' } });
    assert.equal(badField.status, 400);
    assert.ok(badField.body.errors.length >= 1);
    const status = await serve.call('GET', `/api/v1/cases/${caseId}`, { key });
    assert.equal(status.body.stage, 'running', 'the case is as it was: the withdrawal with an unknown key was not applied');
  });

  await test('more requests than the account may send get 429 with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 80 }, () => serve.call('GET', '/api/v1/chains', { key })));
    const limited = answers.filter((r) => r.status === 429);
    assert.ok(limited.length > 0);
    assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
    await sleep(1500);
    assert.equal((await serve.call('GET', '/api/v1/chains', { key })).status, 200);
  });

  await test('afterwards: one case, and the audit verifies', async () => {
    const sup = serve.account('督办', 'supervisor');
    const list = await serve.call('GET', '/api/v1/cases', { key: sup });
    assert.equal(list.body.cases.length, 1);
    const audit = await serve.call('GET', '/api/v1/audit/verify', { key: sup });
    assert.equal(audit.body.ok, true);
  });
} finally {
  await serve.close();
}
process.exit(runner.summary());

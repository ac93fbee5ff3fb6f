// yilian serve end to end over loopback: a real server process on a scratch
// store, accounts made with `yilian account`, and a chain's case driven
// across roles. Every answer is checked against schemas/openapi.json.
//   node tests/js/serve-e2e.mjs --cli build/cli/yilian
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Serve, Tests, cliArgument, projectRoot } from './serve-lib.mjs';

const cli = cliArgument('serve-e2e.mjs');
const serve = new Serve(cli);
const { db, env } = serve;
const account = (...a) => serve.account(...a);
const call = (...a) => serve.call(...a);
const events = (...a) => serve.events(...a);
const start = () => serve.start();
const stop = () => serve.stop();
const runner = new Tests();
const test = (name, fn) => runner.test(name, fn);
const contract = await serve.contract();

const keys = {
  window: account('王芳', 'window'),
  health: account('卫健科', 'department', 'health'),
  education: account('教育科', 'department', 'education'),
  supervisor: account('督办员', 'supervisor'),
  portal: account('一网通办', 'portal'),
  housing: account('住建科', 'department', 'housing'),
};
const app = YAML.parse(readFileSync(join(projectRoot, 'examples/applications/kindergarten-setup-complete.yaml'), 'utf8'));
const submit = (key, idem, body = app) => call('POST', '/api/v1/cases', { key, body, headers: { 'Idempotency-Key': idem } });
let caseId;
let queryCode;

try {
  await start();

  await test('health needs no credentials', async () => {
    const r = await call('GET', '/api/v1/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.engine, 'active');
  });

  await test('no credentials, a bad key, and a role without the right', async () => {
    assert.equal((await call('GET', '/api/v1/cases')).status, 401);
    assert.equal((await call('GET', '/api/v1/cases', { key: 'yk_0000' })).status, 401);
    assert.equal((await submit(keys.supervisor, 's1')).status, 403);
    assert.equal((await submit(keys.health, 'h1')).status, 403);
  });

  await test('the window submits; the same key again is the same case; another body is 422', async () => {
    const first = await submit(keys.window, 'k1');
    assert.equal(first.status, 201);
    assert.equal(first.body.stage, 'running');
    assert.match(first.body.query_code, /^[0-9A-Z]{8}$/);
    caseId = first.body.case;
    queryCode = first.body.query_code;
    const again = await submit(keys.window, 'k1');
    assert.equal(again.body.case, caseId);
    assert.equal(again.body.query_code, queryCode);
    const other = await submit(keys.window, 'k1', { ...app, fields: { ...app.fields, 'applicant.phone': '13900000000' } });
    assert.equal(other.status, 422);
    assert.equal((await call('POST', '/api/v1/cases', { key: keys.window, body: app })).status, 400);  // no key
  });

  await test('bodies that are not JSON objects, or not JSON at all', async () => {
    const path = '/api/v1/chains/kindergarten-setup/check';
    assert.equal((await call('POST', path, { key: keys.window, raw: '{"fields":', headers: { 'Content-Type': 'application/json' } })).status, 400);
    assert.equal((await call('POST', path, { key: keys.window, raw: 'fields=1', headers: { 'Content-Type': 'text/plain' } })).status, 415);
    const checked = await call('POST', path, { key: keys.window, body: { fields: {}, materials: [] } });
    assert.equal(checked.status, 200);
    assert.equal(checked.body.complete, false);
    assert.ok(checked.body.missing.length > 5);
  });

  await test('each department sees its own tasks and its view of the data only', async () => {
    const health = await call('GET', '/api/v1/tasks', { key: keys.health });
    assert.ok(health.body.tasks.length >= 1);
    assert.ok(health.body.tasks.every((t) => t.department === 'health'));
    assert.equal((await call('GET', '/api/v1/tasks?department=education', { key: keys.health })).status, 403);
    const view = await call('GET', `/api/v1/cases/${caseId}`, { key: keys.health });
    assert.equal(view.status, 200);
    assert.ok(view.body.tasks.every((t) => t.department === 'health'));
    assert.ok(view.body.data && typeof view.body.data === 'object');
    assert.ok(!('applicant.bank_account' in view.body.data), 'health does not see the bank account');
    assert.ok(view.body.events.every((e) => e.kind !== 'submitted' || !('detail' in e)));
    const full = await call('GET', `/api/v1/cases/${caseId}`, { key: keys.window });
    assert.ok(full.body.tasks.length > view.body.tasks.length);
    assert.equal(full.body.query_code, queryCode, 'the receipt can be printed again');
    assert.ok(!('query_code' in view.body), 'a department does not get the query code');
  });

  await test('claims: the holder is named, another officer gets 409, another department 404', async () => {
    const m = 'health-evaluation';
    assert.equal((await call('POST', `/api/v1/tasks/${caseId}/${m}/claim`, { key: keys.health, body: {} })).status, 200);
    const other = account('卫健科二', 'department', 'health');
    const taken = await call('POST', `/api/v1/tasks/${caseId}/${m}/claim`, { key: other, body: {} });
    assert.equal(taken.status, 409);
    assert.match(taken.body.detail, /卫健科/);
    assert.equal((await call('POST', `/api/v1/tasks/${caseId}/${m}/approve`, { key: keys.education, body: {} })).status, 404);
    // An Art. 45 expert review stops the clock, and resuming starts it again.
    const stopped = await call('POST', `/api/v1/tasks/${caseId}/${m}/suspend`, { key: keys.health, body: { for: 'expert-review', told_days: 10 } });
    assert.equal(stopped.status, 200);
    const suspended = await call('GET', `/api/v1/cases/${caseId}`, { key: keys.health });
    assert.equal(suspended.body.tasks.find((t) => t.matter === m).status, 'suspended');
    assert.equal((await call('POST', `/api/v1/tasks/${caseId}/${m}/suspend`, { key: keys.health, body: { for: 'a nap' } })).status, 400);
    assert.equal((await call('POST', `/api/v1/tasks/${caseId}/${m}/resume`, { key: keys.health, body: {} })).status, 200);
    const ok = await call('POST', `/api/v1/tasks/${caseId}/${m}/approve`, { key: keys.health, body: {} });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.result, 'applied');
  });

  await test('a whole case across roles: every department approves its tasks (with produced values) until the window delivers', async () => {
    const c = (await submit(keys.window, 'whole')).body.case;
    const produce = {
      'school-permit': { 'school.permit_no': '教民1403020001' },
      'nonprofit-registration': { 'applicant.uscc': '52370302MJ0000000M' },
      'food-permit': { 'food.licence_no': 'JY13703020000001' },
    };
    const officers = {};
    const worked = new Set();
    for (let round = 0; round < 12; round++) {
      const view = await call('GET', `/api/v1/cases/${c}`, { key: keys.window });
      if (view.body.stage !== 'running') break;
      for (const t of view.body.tasks.filter((x) => x.status === 'dispatched')) {
        officers[t.department] ??= account(`${t.department}-科员`, 'department', t.department);
        const key = officers[t.department];
        // The officer sees the task in its own queue, with its view of the data.
        const queue = await call('GET', '/api/v1/tasks', { key });
        assert.ok(queue.body.tasks.some((q) => q.case === c && q.matter === t.matter));
        const r = await call('POST', `/api/v1/tasks/${c}/${t.matter}/approve`, { key, body: { produce: produce[t.matter] ?? {} } });
        assert.equal(r.status, 200, `${t.matter}: ${JSON.stringify(r.body)}`);
        worked.add(t.department);
      }
    }
    assert.ok(worked.size >= 4, `departments that worked: ${[...worked]}`);
    const ready = await call('GET', `/api/v1/cases/${c}`, { key: keys.window });
    assert.equal(ready.body.stage, 'ready');
    const delivered = await call('POST', `/api/v1/cases/${c}/deliver`, { key: keys.window, body: { method: 'express', tracking: 'SF1234567890' } });
    assert.equal(delivered.status, 200);
    assert.equal(delivered.body.stage, 'delivered');
    const sup = await call('GET', `/api/v1/cases/${c}`, { key: keys.supervisor });
    const approvals = sup.body.events.filter((e) => e.kind === 'task-approved');
    assert.ok(approvals.every((e) => e.actor && e.actor.role === 'department' && e.actor.account === `${e.actor.department}-科员`));
    assert.equal(sup.body.events.at(-1).actor.account, '王芳');
  });

  await test('the timeline names every actor; the supervisor reads it and verifies the audit', async () => {
    const v = await call('GET', `/api/v1/cases/${caseId}`, { key: keys.supervisor });
    const actors = v.body.events.filter((e) => e.actor).map((e) => e.actor.account);
    assert.deepEqual([...new Set(actors)], ['王芳', '卫健科']);
    // 督办: the supervisor urges the case on; the note is on its record with the supervisor's name.
    const urged = await call('POST', `/api/v1/cases/${caseId}/urge`, { key: keys.supervisor, body: { note: '请于明日办结' } });
    assert.equal(urged.status, 200);
    const after = await call('GET', `/api/v1/cases/${caseId}`, { key: keys.window });
    const note = after.body.events.find((e) => e.kind === 'urged');
    assert.equal(note.actor.account, '督办员');
    assert.match(note.summary, /请于明日办结/);
    assert.equal((await call('POST', `/api/v1/cases/${caseId}/urge`, { key: keys.supervisor, body: { matter: 'health-evaluation' } })).status, 400,
                 'an approved task cannot be urged');
    const audit = await call('GET', '/api/v1/audit/verify', { key: keys.supervisor });
    assert.equal(audit.status, 200);
    assert.equal(audit.body.ok, true);
    assert.equal((await call('GET', '/api/v1/audit/verify', { key: keys.window })).status, 403);
  });

  await test('a portal sees only the cases it submitted', async () => {
    const mine = await submit(keys.portal, 'p1');
    assert.equal(mine.status, 201);
    const list = await call('GET', '/api/v1/cases', { key: keys.portal });
    assert.deepEqual(list.body.cases.map((c) => c.id), [mine.body.case]);
    assert.equal((await call('GET', `/api/v1/cases/${caseId}`, { key: keys.portal })).status, 404);
    // Pages of one, followed by their cursors, give the whole list once.
    const whole = (await call('GET', '/api/v1/cases', { key: keys.window })).body.cases.map((c) => c.id);
    assert.ok(whole.length >= 3);
    const paged = [];
    let next = null;
    do {
      const page = await call('GET', `/api/v1/cases?limit=2${next ? `&after=${next}` : ''}`, { key: keys.window });
      assert.ok(page.body.cases.length >= 1 && page.body.cases.length <= 2);
      paged.push(...page.body.cases.map((c) => c.id));
      next = page.body.next;
    } while (next !== null);
    assert.deepEqual(paged, whole);
    // The same for a work queue: pages of one, each task once, in the queue's order.
    const queue = (await call('GET', '/api/v1/tasks', { key: keys.supervisor })).body;
    assert.equal(queue.next, undefined);  // the whole queue has no cursor
    const tasks = queue.tasks.map((t) => `${t.case}:${t.matter}`);
    assert.ok(tasks.length >= 2);
    const pagedTasks = [];
    next = null;
    do {
      const page = await call('GET', `/api/v1/tasks?limit=1${next ? `&after=${next}` : ''}`, { key: keys.supervisor });
      assert.equal(page.status, 200);
      assert.equal(page.body.tasks.length, 1);
      pagedTasks.push(...page.body.tasks.map((t) => `${t.case}:${t.matter}`));
      next = page.body.next;
    } while (next !== null && pagedTasks.length <= tasks.length);
    assert.deepEqual(pagedTasks, tasks);
    for (const bad of ['limit=0', 'limit=501', 'after=x', 'after=1']) {
      const r = await call('GET', `/api/v1/tasks?${bad}`, { key: keys.supervisor });
      assert.equal(r.status, 400, bad);
      assert.ok(r.body.detail, bad);
    }
  });

  await test('a body nested 200,000 deep is a problem document, and the server serves on', async () => {
    // nlohmann::json writes and compares nested values by recursion: this
    // body (400 KB, within the 1 MiB limit) once crashed the server.
    const raw = `{"chain": "kindergarten-setup", "fields": {"applicant.name": ${'['.repeat(200000)}${']'.repeat(200000)}}}`;
    const deep = await call('POST', '/api/v1/cases',
                            { key: keys.window, raw, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'deep' } });
    assert.equal(deep.status, 400);
    assert.match(deep.body.detail, /deeper than 32 levels/);
    assert.equal((await call('GET', '/api/v1/health')).status, 200);
  });

  await test('the public lookup needs the right query code and shows no personal data', async () => {
    const r = await call('GET', `/api/v1/public/cases/${caseId}?code=${queryCode}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.stage, 'running');
    assert.ok(!JSON.stringify(r.body).includes('刘建国'));
    assert.equal((await call('GET', `/api/v1/public/cases/${caseId}?code=AAAAAAAA`)).status, 404);
    assert.equal((await call('GET', `/api/v1/public/cases/${caseId}`)).status, 404);
  });

  let streamed = 0;
  await test('the event stream resumes with Last-Event-ID: nothing lost, nothing repeated', async () => {
    const all = await events(keys.window, 0, (got) => got.length >= 4);
    assert.ok(all.length >= 4);
    assert.deepEqual(all.map((e) => e.id), all.map((_, i) => i + 1));  // positions 1, 2, … in order
    assert.equal(all[0].event, 'submitted');
    assert.equal(all[0].data.actor.account, '王芳');
    // Hang up after three, resume after the third, and see a new entry arrive live.
    const first = await events(keys.window, 0, (got) => got.length >= 3);
    const last = first[2].id;
    const pending = events(keys.window, last, (got) => got.some((e) => e.event === 'task-claimed' && e.data.actor?.account === '住建科'));
    await new Promise((ok) => setTimeout(ok, 300));
    const claim = await call('POST', `/api/v1/tasks/${caseId}/fire-filing/claim`, { key: keys.housing, body: {} });
    assert.equal(claim.status, 200);
    const rest = await pending;
    const ids = [...first.slice(0, 3), ...rest].map((e) => e.id);
    assert.deepEqual(ids, ids.map((_, i) => i + 1), 'every position once, in order');
    streamed = ids[ids.length - 1];
    // A portal's stream carries its own case only.
    const portal = await events(keys.portal, 0, () => false, 1500);
    assert.ok(portal.length > 0);
    assert.ok(portal.every((e) => e.data.case !== caseId));
    // Without Last-Event-ID the stream starts with what comes next.
    const fresh = await events(keys.window, undefined, () => false, 700);
    assert.equal(fresh.length, 0);
  });

  await test('an idempotency key holds across a restart', async () => {
    const before = (await call('GET', '/api/v1/cases', { key: keys.window })).body.cases.length;
    await stop();
    await start();
    const again = await submit(keys.window, 'k1');
    assert.equal(again.body.case, caseId);
    const list = await call('GET', '/api/v1/cases', { key: keys.window });
    assert.equal(list.body.cases.length, before);
    // The event stream resumes across the restart too.
    const released = await call('POST', `/api/v1/tasks/${caseId}/fire-filing/release`, { key: keys.housing, body: {} });
    assert.equal(released.status, 200);
    const after = await events(keys.window, streamed, (got) => got.some((e) => e.event === 'task-released'));
    assert.equal(after[0].id, streamed + 1);
  });

  await test('department systems pull work: leases expire, stale tokens are refused, long polls wake', async () => {
    const system = account('住建系统', 'department', 'housing');
    const fetchLock = (body) => call('POST', '/api/v1/work/fetch-and-lock', { key: system, body });
    assert.equal((await call('POST', '/api/v1/work/fetch-and-lock', { key: keys.window, body: { worker: 'w' } })).status, 403);
    assert.equal((await fetchLock({ worker: 'w', max: 0 })).status, 400);
    const fresh = await submit(keys.window, 'k-work');
    const first = await fetchLock({ worker: 'w1', max: 10, lock_ms: 1000 });
    assert.equal(first.status, 200);
    const mine = first.body.tasks.find((t) => t.case === fresh.body.case && t.matter === 'fire-filing');
    assert.ok(mine, 'the new case\'s fire filing is handed out');
    assert.ok(first.body.tasks.every((t) => t.department === 'housing'));
    assert.equal(typeof mine.data, 'object');
    const again = await fetchLock({ worker: 'w2', max: 10, lock_ms: 1000 });
    assert.ok(!again.body.tasks.some((t) => t.lease === mine.lease || (t.case === mine.case && t.matter === mine.matter)));
    await new Promise((ok) => setTimeout(ok, 1200));
    const expired = await fetchLock({ worker: 'w2', max: 10, lock_ms: 30000 });
    const second = expired.body.tasks.find((t) => t.case === mine.case && t.matter === mine.matter);
    assert.ok(second, 'an expired lease is handed out again');
    const stale = await call('POST', `/api/v1/work/${mine.lease}/complete`, { key: system, body: { outcome: 'approved' } });
    assert.equal(stale.status, 409);
    const done = await call('POST', `/api/v1/work/${second.lease}/complete`, { key: system, body: { outcome: 'approved' } });
    assert.equal(done.status, 200);
    assert.equal(done.body.result, 'applied');
    const twice = await call('POST', `/api/v1/work/${second.lease}/complete`, { key: system, body: { outcome: 'approved' } });
    assert.equal(twice.status, 409);
    const view = await call('GET', `/api/v1/cases/${mine.case}`, { key: keys.supervisor });
    const approval = view.body.events.find((e) => e.kind === 'task-approved');
    assert.equal(approval.actor.account, '住建系统/w2');
    // A long poll with nothing free waits, and wakes when work arrives.
    const drained = await fetchLock({ worker: 'w3', max: 100, lock_ms: 30000 });
    assert.equal(drained.status, 200);
    const started = Date.now();
    const waiting = fetchLock({ worker: 'w3', max: 1, lock_ms: 30000, wait_ms: 8000 });
    await new Promise((ok) => setTimeout(ok, 300));
    const another = await submit(keys.window, 'k-work-2');
    const woke = await waiting;
    assert.equal(woke.body.tasks.length, 1);
    assert.equal(woke.body.tasks[0].case, another.body.case);
    assert.ok(Date.now() - started < 7000, 'answered when the work arrived, not at the end of the wait');
  });

  await test('a person logs in: cookie, CSRF on writes, log out', async () => {
    execFileSync(cli, ['account', 'add', '--db', db, '张窗口', '--role', 'window', '--password-stdin'],
                 { env, input: 'correct horse battery\n' });
    const wrong = await call('POST', '/api/v1/session', { body: { name: '张窗口', password: 'not it at all' } });
    assert.equal(wrong.status, 401);
    const res = await fetch(serve.base + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '张窗口', password: 'correct horse battery' }),
    });
    const login = await res.json();
    contract.check({ method: 'POST', path: '/api/v1/session', status: res.status, contentType: res.headers.get('content-type'), body: login });
    assert.equal(res.status, 200);
    assert.equal(login.role, 'window');
    const cookie = res.headers.get('set-cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const jar = cookie.split(';')[0];
    assert.equal((await call('GET', '/api/v1/cases', { headers: { Cookie: jar } })).status, 200);
    const noCsrf = await call('POST', '/api/v1/chains/kindergarten-setup/check', { headers: { Cookie: jar }, body: { fields: {}, materials: [] } });
    assert.equal(noCsrf.status, 403);
    const me = await call('GET', '/api/v1/session', { headers: { Cookie: jar } });
    assert.equal(me.status, 200);
    assert.equal(me.body.account, '张窗口');
    assert.equal(me.body.csrf, login.csrf);
    const withCsrf = await call('POST', '/api/v1/chains/kindergarten-setup/check',
                                { headers: { Cookie: jar, 'X-CSRF-Token': login.csrf }, body: { fields: {}, materials: [] } });
    assert.equal(withCsrf.status, 200);
    assert.equal((await call('DELETE', '/api/v1/session', { headers: { Cookie: jar, 'X-CSRF-Token': login.csrf } })).status, 204);
    assert.equal((await call('GET', '/api/v1/cases', { headers: { Cookie: jar } })).status, 401);
    assert.equal((await call('GET', '/api/v1/session', { headers: { Cookie: jar } })).status, 401);
  });

  await test('a disabled account stops working at once', async () => {
    serve.run('account', 'disable', '--db', db, '一网通办');
    assert.equal((await call('GET', '/api/v1/cases', { key: keys.portal })).status, 401);
  });
} finally {
  await serve.close();
}
process.exit(runner.summary());

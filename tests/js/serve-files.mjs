// Material files over HTTP (DESIGN.md "Materials as files"; issue 24): a
// real `yilian serve` on a scratch SQLite store. Upload as the window and a
// portal, list and download as each role may (a department only the
// materials its matters ask for), every refusal a problem document with a
// clear detail, the upload's own body limit, a file swapped in the store
// caught by the download and by `audit verify`, and kill -9 in the middle of
// an upload leaving no half file. Every answer is checked against
// schemas/openapi.json.
//   node tests/js/serve-files.mjs --cli build/cli/yilian
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { Serve, Tests, cliArgument, jpegFile, pdfFile, projectRoot } from './serve-lib.mjs';

const cli = cliArgument('serve-files.mjs');
const runner = new Tests();
const test = (name, fn) => runner.test(name, fn);
const complete = YAML.parse(readFileSync(join(projectRoot, 'examples/applications/kindergarten-setup-complete.yaml'), 'utf8'));
/// The complete application without the floor plan: incomplete, the plan missing.
const withoutPlan = { ...complete, materials: complete.materials.filter((m) => m !== 'floor-plan') };
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let n = 0;
async function submit(serve, key, app = withoutPlan) {
  const r = await serve.call('POST', '/api/v1/cases', { key, body: app, headers: { 'Idempotency-Key': `files-${n++}` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
/// POST the bytes as the body; the answer checked against the contract.
function upload(serve, key, id, material, bytes, { type = 'application/pdf', name } = {}) {
  const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
  const headers = type ? { 'Content-Type': type } : {};
  return serve.call('POST', `/api/v1/cases/${id}/materials/${material}${query}`, { key, raw: bytes, headers });
}
/// GET a file: its bytes (a Buffer) on 200, the problem document otherwise.
async function download(serve, key, path, headers = {}) {
  const res = await fetch(serve.base + path, { headers: { Authorization: `Bearer ${key}`, ...headers } });
  const contentType = res.headers.get('content-type') ?? '';
  const bytes = Buffer.from(await res.arrayBuffer());
  const body = /json/.test(contentType) ? JSON.parse(bytes.toString('utf8')) : bytes.length ? bytes.toString('latin1') : '';
  serve.api.check({ method: 'GET', path, status: res.status, contentType, body });
  return { status: res.status, bytes, body, headers: res.headers };
}
const files = async (serve, key, id) => serve.call('GET', `/api/v1/cases/${id}/materials`, { key });

/// A raw connection that sends `head`, then `chunks` one by one while the
/// server has not answered; resolves with what came back and how much of
/// the chunks was written.
function rawUpload(serve, head, chunks, { wait = 5000 } = {}) {
  const port = Number(new URL(serve.base).port);
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ received, sent });
    };
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(received)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.write(head);
    (async () => {
      for (const c of chunks) {
        if (done || received) return;
        await new Promise((ok) => socket.write(c, ok));
        sent += c.length;
        await sleep(20);
      }
    })();
    setTimeout(finish, wait);
  });
}
/// The problem document of a raw answer.
function problemOf(raw) {
  const at = raw.indexOf('\r\n\r\n');
  assert.ok(at > 0, `an HTTP answer: ${raw.slice(0, 200)}`);
  assert.match(raw.slice(0, at), /content-type: application\/problem\+json/i);
  return { status: Number(raw.slice(9, 12)), body: JSON.parse(raw.slice(at + 4)) };
}
function auditVerify(serve) {
  const r = spawnSync(cli, ['audit', 'verify', '--db', serve.db], { env: serve.env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const serve = new Serve(cli);
const crash = new Serve(cli);
let keys;
try {
  await serve.start(['--rate', '1000', '--max-file-mb', '2']);
  keys = {
    window: serve.account('窗口', 'window'),
    health: serve.account('卫健', 'department', 'health'),      // health-evaluation asks for floor-plan
    housing: serve.account('住建', 'department', 'housing'),    // fire-acceptance and fire-filing do not
    supervisor: serve.account('督办', 'supervisor'),
    portal: serve.account('平台', 'portal'),
    otherPortal: serve.account('另一平台', 'portal'),
  };
  const plan = pdfFile(150 * 1024, 7);
  const planName = '园舍平面图 2025.pdf';
  let id;
  let entry;

  await test('the window uploads the missing floor plan: 201, the file as stored, the incomplete case runs', async () => {
    const submitted = await submit(serve, keys.window);
    assert.equal(submitted.stage, 'incomplete');
    assert.ok(submitted.missing.some((m) => m.key === 'floor-plan'), JSON.stringify(submitted.missing));
    id = submitted.case;
    const r = await upload(serve, keys.window, id, 'floor-plan', plan, { name: planName });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.case, id);
    assert.equal(r.body.result, 'applied');
    assert.equal(r.body.stage, 'running');
    entry = r.body.seq;
    assert.deepEqual({ ...r.body.file, at: undefined }, {
      case: id, entry, material: 'floor-plan', name: planName, media_type: 'application/pdf', bytes: plan.length,
      sha256: sha256(plan), at: undefined,
    });
    assert.equal(r.headers.get('location'), `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`);
    const status = await serve.call('GET', `/api/v1/cases/${id}`, { key: keys.window });
    assert.equal(status.body.stage, 'running');
    assert.ok(status.body.events.some((e) => e.seq === entry && e.kind === 'file-attached'), 'the timeline shows the upload');
  });

  await test('the window lists the file and downloads the same bytes, with type, name, ETag and nosniff', async () => {
    const list = await files(serve, keys.window, id);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.files.map((f) => [f.entry, f.material, f.sha256]), [[entry, 'floor-plan', sha256(plan)]]);
    const r = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan`);
    assert.equal(r.status, 200);
    assert.ok(r.bytes.equals(plan), 'the bytes handed in');
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.headers.get('etag'), `"${sha256(plan)}"`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const disposition = r.headers.get('content-disposition');
    // An ASCII fallback (a '_' for each other character) and the name itself (RFC 8187).
    assert.match(disposition, /^attachment; filename="_____ 2025\.pdf"; filename\*=UTF-8''/);
    assert.equal(decodeURIComponent(disposition.split("UTF-8''")[1]), planName);
    // The same file by its entry; 304 for the ETag the client holds.
    const byEntry = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`);
    assert.ok(byEntry.bytes.equals(plan));
    const same = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan`, { 'If-None-Match': `"${sha256(plan)}"` });
    assert.equal(same.status, 304);
    assert.equal(same.bytes.length, 0);
  });

  await test('a later file of the material is the latest; ?entry= still reads the first; an entry of another kind is 404', async () => {
    const second = jpegFile(40 * 1024, 9);
    const r = await upload(serve, keys.window, id, 'floor-plan', second, { type: 'image/jpeg' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.file.media_type, 'image/jpeg');
    assert.equal(r.body.file.name, 'floor-plan', 'no name given: the material id');
    const latest = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan`);
    assert.ok(latest.bytes.equals(second));
    assert.equal(latest.headers.get('content-type'), 'image/jpeg');
    assert.match(latest.headers.get('content-disposition'), /filename\*=UTF-8''floor-plan\.jpg$/);
    assert.ok((await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`)).bytes.equals(plan));
    const submitted = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan?entry=1`);
    assert.equal(submitted.status, 404);
    assert.equal(submitted.body.detail, `case ${id} has no file of \`floor-plan\` at entry 1`);
    const bad = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan?entry=x`);
    assert.equal(bad.status, 400);
    assert.equal((await files(serve, keys.window, id)).body.files.length, 2);
  });

  await test('a department whose matter asks for the material lists and downloads it; one whose matters do not gets 404', async () => {
    const health = await files(serve, keys.health, id);
    assert.equal(health.status, 200);
    assert.equal(health.body.files.length, 2);
    const got = await download(serve, keys.health, `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(plan), 'the same bytes');
    // housing sees the case (its fire matters) but not the floor plan: an
    // empty list, and 404 worded as for a material without a file.
    const view = await serve.call('GET', `/api/v1/cases/${id}`, { key: keys.housing });
    assert.equal(view.status, 200);
    // Of a file it may not read, a department's timeline names the material, not the file (its name may be personal data).
    const upload = view.body.events.find((e) => e.seq === entry);
    assert.deepEqual([upload.kind, upload.summary, upload.detail], ['file-attached', 'file of floor-plan handed in', undefined]);
    assert.ok(!JSON.stringify(view.body).includes(planName), 'no file name in a department\'s view');
    const events = await serve.events(keys.housing, 0, (got) => got.some((e) => e.data.case === id && e.data.seq === entry));
    assert.equal(events.find((e) => e.data.case === id && e.data.seq === entry).data.summary, 'file of floor-plan handed in');
    const windowView = await serve.call('GET', `/api/v1/cases/${id}`, { key: keys.window });
    assert.ok(windowView.body.events.find((e) => e.seq === entry).summary.includes(planName), 'the window reads the name');
    // health reads the floor plan: the upload whole, on the timeline and the stream.
    const healthView = await serve.call('GET', `/api/v1/cases/${id}`, { key: keys.health });
    const seen = healthView.body.events.find((e) => e.seq === entry);
    assert.ok(seen.summary.includes(planName), seen.summary);
    assert.equal(seen.detail.sha256, sha256(plan));
    const healthEvents = await serve.events(keys.health, 0, (got) => got.some((e) => e.data.case === id && e.data.seq === entry));
    assert.ok(healthEvents.find((e) => e.data.case === id && e.data.seq === entry).data.summary.includes(planName));
    assert.deepEqual((await files(serve, keys.housing, id)).body, { files: [] });
    const refused = await download(serve, keys.housing, `/api/v1/cases/${id}/materials/floor-plan`);
    assert.equal(refused.status, 404);
    assert.equal(refused.body.detail, `case ${id} has no file of \`floor-plan\``);
    const unreadable = await download(serve, keys.housing, `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`);
    assert.equal(unreadable.status, 404);
    const missing = await download(serve, keys.housing, `/api/v1/cases/${id}/materials/completion-report`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.detail, `case ${id} has no file of \`completion-report\``);
  });

  await test('a portal uploads to and reads the cases it submitted only (404 for any other)', async () => {
    const own = (await submit(serve, keys.portal)).case;
    const r = await upload(serve, keys.portal, own, 'floor-plan', plan, { name: 'plan.pdf' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.stage, 'running');
    assert.ok((await download(serve, keys.portal, `/api/v1/cases/${own}/materials/floor-plan`)).bytes.equals(plan));
    for (const [key, c] of [[keys.otherPortal, own], [keys.portal, id]]) {
      assert.equal((await upload(serve, key, c, 'floor-plan', plan)).status, 404);
      assert.equal((await files(serve, key, c)).status, 404);
      const d = await download(serve, key, `/api/v1/cases/${c}/materials/floor-plan`);
      assert.equal(d.status, 404);
      assert.equal(d.body.detail, `no case ${c}`);
    }
    assert.equal((await files(serve, keys.portal, own)).body.files.length, 1);
  });

  await test('departments and supervisors may not upload (403); nothing is stored', async () => {
    for (const key of [keys.health, keys.supervisor]) {
      const r = await upload(serve, key, id, 'floor-plan', plan);
      assert.equal(r.status, 403);
    }
    assert.equal((await files(serve, keys.window, id)).body.files.length, 2);
  });

  await test('refused uploads are problem documents with a clear detail, and store nothing', async () => {
    const running = (await submit(serve, keys.window, complete)).case;
    const refusals = [
      [running, 'floor-plan', Buffer.from('a text file named plan.pdf\n'), { type: 'application/pdf' }, 400,
        /the file for `floor-plan` is not a PDF, JPEG or PNG \(recognised by its content, not its name\)/],
      [running, 'floor-plan', Buffer.alloc(0), { type: 'application/pdf' }, 400, /not a PDF, JPEG or PNG/],
      [running, 'floor-plan', Buffer.from(JSON.stringify({ file: 'x' })), { type: 'application/json' }, 415,
        /as application\/pdf, image\/jpeg, image\/png or application\/octet-stream, not `application\/json`/],
      [running, 'floor-plan', plan, { type: null }, 415, /not `\(none\)`/],
      [running, 'floor-plan', plan, { type: 'multipart/form-data; boundary=x' }, 415, /not `multipart\/form-data`/],
      [running, 'no-such-material', plan, {}, 400, /`no-such-material` is not a material of chain `kindergarten-setup`/],
      // Not in the complete application and not asked for by any open matter.
      [running, 'fire-facility-test', plan, {}, 400, /the case does not need material `fire-facility-test`/],
      [running, 'floor-plan', plan, { name: 'bad\u0001name.pdf' }, 400, /name: the file name has a control character/],
      [running, 'floor-plan', plan, { name: 'x'.repeat(256) }, 400, /at most 255 bytes/],
      [999999, 'floor-plan', plan, {}, 404, /no case 999999/],
    ];
    for (const [c, material, bytes, options, status, detail] of refusals) {
      const r = await upload(serve, keys.window, c, material, bytes, options);
      assert.equal(r.status, status, `${material} ${JSON.stringify(options)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.status, status);
      assert.match(r.body.detail, detail);
    }
    // A name that is not UTF-8 (a raw %FF): refused as well.
    const latin = await serve.call('POST', `/api/v1/cases/${running}/materials/floor-plan?name=%FF.pdf`,
                                   { key: keys.window, raw: plan, headers: { 'Content-Type': 'application/pdf' } });
    assert.equal(latin.status, 400);
    assert.match(latin.body.detail, /not UTF-8/);
    assert.deepEqual((await files(serve, keys.window, running)).body, { files: [] });
    // A finished (withdrawn) case takes no file.
    const withdrawn = (await submit(serve, keys.window, complete)).case;
    assert.equal((await serve.call('POST', `/api/v1/cases/${withdrawn}/withdraw`, { key: keys.window, body: { reason: '申请人撤回' } })).status, 200);
    const late = await upload(serve, keys.window, withdrawn, 'floor-plan', plan);
    assert.equal(late.status, 400);
    assert.match(late.body.detail, /the case is withdrawn; it takes no files/);
    assert.deepEqual((await files(serve, keys.window, withdrawn)).body, { files: [] });
  });

  await test('the upload has its own body limit (--max-file-mb): 413 before the body is read, or as soon as a chunked one passes it', async () => {
    const limit = 2 * 1024 * 1024;
    const head = (extra) => `POST /api/v1/cases/${id}/materials/floor-plan HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.window}\r\n` +
                            `Content-Type: application/pdf\r\n${extra}\r\n`;
    // Announced: the answer comes with no byte of the body sent.
    const announced = await rawUpload(serve, head(`Content-Length: ${limit + 1}\r\n`), []);
    const p = problemOf(announced.received);
    assert.equal(p.status, 413);
    assert.match(p.body.detail, new RegExp(`limit of ${limit} bytes`));
    // Only a caller who may upload gets the file's limit: without a key, with
    // an unknown one, or as a department, the server's 1 MiB holds (413 from
    // the announced length, before the body); a small body gets the usual 401/403.
    const anonymous = (extra) => `POST /api/v1/cases/${id}/materials/floor-plan HTTP/1.1\r\nHost: x\r\n${extra}` +
                                 `Content-Type: application/pdf\r\nContent-Length: ${limit}\r\n\r\n`;
    for (const who of ['', 'Authorization: Bearer yk_0000\r\n', `Authorization: Bearer ${keys.health}\r\n`]) {
      const refused = problemOf((await rawUpload(serve, anonymous(who), [])).received);
      assert.equal(refused.status, 413, who);
      assert.match(refused.body.detail, new RegExp(`limit of ${1024 * 1024} bytes; this route takes up to ${limit} bytes from a caller it admits`));
    }
    assert.equal((await serve.call('POST', `/api/v1/cases/${id}/materials/floor-plan`, { raw: pdfFile(1000), headers: { 'Content-Type': 'application/pdf' } })).status, 401);
    assert.equal((await upload(serve, keys.health, id, 'floor-plan', pdfFile(1000))).status, 403);
    // Exactly the limit passes the HTTP layer (the engine takes it: 2 MiB is its limit too).
    const whole = pdfFile(limit, 11);
    const atLimit = await upload(serve, keys.window, id, 'floor-plan', whole);
    assert.equal(atLimit.status, 201, JSON.stringify(atLimit.body));
    // Chunked: cut off once past the limit; the rest is never sent.
    const piece = pdfFile(512 * 1024, 12);
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    const chunked = await rawUpload(serve, head('Transfer-Encoding: chunked\r\n'), Array(12).fill(chunk), { wait: 10000 });
    assert.equal(problemOf(chunked.received).status, 413);
    assert.ok(chunked.sent < 12 * chunk.length, `stopped before the end (${chunked.sent} bytes sent)`);
    // JSON routes keep the server's 1 MiB.
    const big = await serve.call('POST', `/api/v1/cases/${id}/supplement`,
                                 { key: keys.window, body: { fields: { 'applicant.phone': 'x'.repeat(1100 * 1024) }, materials: [] } });
    assert.equal(big.status, 413);
    assert.equal((await files(serve, keys.window, id)).body.files.length, 3);
  });

  await test('a file swapped in the store: the download is a 500 problem, audit verify exits 1 naming the case and entry', async () => {
    assert.equal(auditVerify(serve).code, 0, 'intact before');
    const forged = pdfFile(plan.length, 99);
    execFileSync('sqlite3', [serve.db], { input: `UPDATE files SET content = X'${forged.toString('hex')}' WHERE case_id = ${id} AND seq = ${entry};` });
    const r = await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan?entry=${entry}`);
    assert.equal(r.status, 500);
    assert.match(r.body.detail, new RegExp(`stored file of case ${id} entry ${entry} is not the one its log entry recorded`));
    // The other files of the case are untouched and still served.
    assert.equal((await download(serve, keys.window, `/api/v1/cases/${id}/materials/floor-plan`)).status, 200);
    const audit = auditVerify(serve);
    assert.equal(audit.code, 1, audit.out);
    assert.match(audit.out, new RegExp(`broken: case ${id}, entry ${entry}: the stored file of \`floor-plan\` is not the one handed in`));
    const api = await serve.call('GET', '/api/v1/audit/verify', { key: keys.supervisor });
    assert.equal(api.body.ok, false);
    assert.deepEqual([api.body.first_break.case, api.body.first_break.seq], [id, entry]);
  });
  await serve.stop();

  await test('kill -9 in the middle of an upload: no file, audit verify ok; the same upload then completes', async () => {
    await crash.start();
    const window = crash.account('窗口', 'window');
    const c = (await submit(crash, window)).case;
    const body = pdfFile(5 * 1024 * 1024, 21);
    const port = Number(new URL(crash.base).port);
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((ok) => socket.on('connect', ok));
    const half = body.subarray(0, body.length / 2);
    await new Promise((ok) => socket.write(`POST /api/v1/cases/${c}/materials/floor-plan HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${window}\r\nContent-Type: application/pdf\r\nContent-Length: ${body.length}\r\n\r\n`, ok));
    await new Promise((ok) => socket.write(half, ok));
    await sleep(300);  // the server has read what was sent
    const exited = new Promise((ok) => crash.server.on('exit', (code, signal) => ok(signal)));
    crash.server.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    socket.destroy();
    const listed = JSON.parse(execFileSync(cli, ['case', 'files', '--db', crash.db, String(c), '--json'], { env: crash.env }));
    assert.deepEqual(listed, { files: [] });
    const audit = auditVerify(crash);
    assert.equal(audit.code, 0, audit.out);
    await crash.start();
    assert.equal((await crash.call('GET', `/api/v1/cases/${c}`, { key: window })).body.stage, 'incomplete');
    const r = await upload(crash, window, c, 'floor-plan', body, { name: 'plan.pdf' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.stage, 'running');
    assert.equal(r.body.file.sha256, sha256(body));
    const back = await download(crash, window, `/api/v1/cases/${c}/materials/floor-plan`);
    assert.ok(back.bytes.equals(body));
    assert.match(auditVerify(crash).out, /^ok: .*, 1 material file as recorded/);
  });
} finally {
  await serve.close();
  await crash.close();
}
process.exit(runner.summary());

// Shared by the tests of `yilian serve`: a real server process on a scratch
// store, accounts made with `yilian account`, calls whose every answer is
// checked against schemas/openapi.json, the event stream, and a small test
// runner that ends with the `N passed, M failed` line.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContract, projectRoot } from './openapi-lib.mjs';

export { projectRoot };

/// The --cli argument, or exit 2 with the usage line of `script`.
export function cliArgument(script) {
  const at = process.argv.indexOf('--cli');
  const cli = at >= 0 ? process.argv[at + 1] : undefined;
  if (!cli) {
    console.error(`usage: node ${script} --cli PATH`);
    process.exit(2);
  }
  return cli;
}

export class Serve {
  /// A scratch store; `now` is the server's clock ($YILIAN_NOW); `chains`
  /// (or the one `chain`) are paths under the project root.
  constructor(cli, { now = '2025-03-03T09:00', chain = 'chains/kindergarten-setup.yaml', chains } = {}) {
    this.cli = cli;
    this.dir = mkdtempSync(join(tmpdir(), 'yilian-serve-'));
    this.db = join(this.dir, 'cases.db');
    this.chains = (chains ?? [chain]).map((c) => join(projectRoot, c));
    this.chain = this.chains[0];
    this.env = { ...process.env, YILIAN_NOW: now };
    this.server = null;
    this.base = '';
    this.port = 0;  // ephemeral at the first start; a restart keeps the address (pages stay open)
  }
  async contract() {
    this.api ??= await loadContract();
    return this.api;
  }

  /// A new account with an API key (returns the key), or with `password`
  /// for the web UI's log-in (returns the name).
  account(name, role, department, { password } = {}) {
    const args = ['account', 'add', '--db', this.db, name, '--role', role];
    if (department) args.push('--department', department);
    if (password !== undefined) {
      execFileSync(this.cli, [...args, '--password-stdin'], { input: `${password}\n`, env: this.env });
      return name;
    }
    return JSON.parse(execFileSync(this.cli, [...args, '--api-key', '--json'], { env: this.env })).api_key;
  }
  run(...args) {
    return execFileSync(this.cli, args, { env: this.env });
  }

  /// Starts `yilian serve` (on an ephemeral port the first time, on the
  /// same one again after stop()); `args` are more options, `now` a new
  /// clock for this run and the commands after it.
  async start(args = [], { now } = {}) {
    await this.contract();
    if (now) this.env = { ...this.env, YILIAN_NOW: now };
    const server = spawn(this.cli, ['serve', '--db', this.db, ...this.chains.flatMap((c) => ['--chain', c]),
                                    '--listen', `127.0.0.1:${this.port}`, ...args], { env: this.env });
    this.server = server;
    let out = '';
    this.base = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 15000);
      server.stdout.on('data', (d) => {
        out += d;
        const m = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
      server.stderr.on('data', (d) => { out += d; });
      server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
  }
  async stop() {
    const server = this.server;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, 'serve stops cleanly on SIGTERM');
  }
  async close() {
    await this.stop().catch(() => this.server?.kill('SIGKILL'));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /// One call; the answer must match the contract.
  async call(method, path, { key, body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (key) h.Authorization = `Bearer ${key}`;
    if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = text && /json/.test(contentType) ? JSON.parse(text) : text;
    this.api.check({ method, path, status: res.status, contentType, body: parsed });
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /// Reads the event stream until `until(events)` holds or `ms` pass, then
  /// hangs up. Each event: {id, event, data}.
  async events(key, lastId, until, ms = 5000) {
    const controller = new AbortController();
    const headers = { Authorization: `Bearer ${key}` };
    if (lastId !== undefined) headers['Last-Event-ID'] = String(lastId);
    const res = await fetch(this.base + '/api/v1/events', { headers, signal: controller.signal });
    this.api.check({ method: 'GET', path: '/api/v1/events', status: res.status, contentType: res.headers.get('content-type'), body: '' });
    assert.equal(res.status, 200);
    const got = [];
    const timer = setTimeout(() => controller.abort(), ms);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = Number(line.slice(4));
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
          }
          if (e.id !== undefined) got.push(e);
        }
        if (until(got)) break;
      }
    } catch (e) {
      if (e.name !== 'AbortError') throw e;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return got;
  }
}

/// Deterministic bytes of `size` (a linear congruential generator seeded by `seed`).
export function noise(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
/// A material file of `size` bytes laid out as a PDF (its header and
/// trailer around deterministic bytes): yilian recognises it as one.
export function pdfFile(size, seed = 1) {
  const out = noise(size, seed);
  out.write('%PDF-1.7\n', 0, 'latin1');
  out.write('\n%%EOF\n', size - 7, 'latin1');
  return out;
}
/// The same laid out as a JPEG (SOI and APP0 markers … EOI).
export function jpegFile(size, seed = 2) {
  const out = noise(size, seed);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(out, 0);
  Buffer.from([0xff, 0xd9]).copy(out, size - 2);
  return out;
}

/// Runs named tests in order and counts them; summary() prints the closing line.
export class Tests {
  passed = 0;
  failed = 0;
  async test(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log(`ok ${name}`);
    } catch (e) {
      this.failed++;
      console.log(`FAILED ${name}\n${e.stack}`);
    }
  }
  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed ? 1 : 0;
  }
}

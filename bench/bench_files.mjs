// Material files through `yilian serve` on loopback (bench/README.md,
// "Material files"): upload throughput of 1 MiB PDFs, and how much a case's
// store grows with a typical set of materials as files. Measures, asserts
// nothing; refuses to print a figure when an upload was not answered 201 or
// the store does not hold every file that was answered (counted in the
// store afterwards).
//
//   node bench/bench_files.mjs --cli build/cli/yilian [--rounds 3] [--uploads 500] [--concurrency 4] [--cases 10]
//
// Throughput: each round a fresh store and server (--rate 1000000), 50
// running kindergarten cases, `--uploads` files of 1 MiB (deterministic
// bytes laid out as a PDF) handed in as `floor-plan` (a material every case
// holds: each file is recorded), `--concurrency` at a time on kept-alive
// connections, round-robin over the cases. Requests/s and MB/s of the whole
// run; p50 and p99 of one upload.
//
// Growth: `--cases` hotel-restaurant cases from its complete application;
// for each, its 15 materials as files: the legal representative's ID card
// as two JPEG scans of 300 KB (front and back), the 14 other materials as
// PDFs of 0.5 to 2 MB (sizes spread evenly over that range, the same for
// every case): 16 files, 18.1 MB per case. The store's size (database and
// WAL after a checkpoint) before and after the uploads, per case, against
// the bytes handed in.
import { execFileSync } from 'node:child_process';
import { statSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import YAML from '../tests/js/node_modules/yaml/dist/index.js';
import { Serve, jpegFile, pdfFile, projectRoot } from '../tests/js/serve-lib.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const cli = arg('cli');
if (!cli) {
  console.error('usage: node bench/bench_files.mjs --cli build/cli/yilian [--rounds 3] [--uploads 500] [--concurrency 4] [--cases 10]');
  process.exit(2);
}
const rounds = Number(arg('rounds', 3));
const uploads = Number(arg('uploads', 500));
const concurrency = Number(arg('concurrency', 4));
const growthCases = Number(arg('cases', 10));
const MiB = 1024 * 1024;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const range = (xs, digits = 0) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
function refuse(why) {
  console.error(`bench_files: no figure: ${why}`);
  process.exit(1);
}
function storeBytes(db) {
  execFileSync('sqlite3', [db, 'PRAGMA wal_checkpoint(TRUNCATE);'], { stdio: 'ignore' });
  return statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);
}
const countFiles = (db) => Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM files;']).toString().trim());

async function submitAll(serve, key, app, count, tag) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const r = await fetch(`${serve.base}/api/v1/cases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': `${tag}-${i}` },
      body: JSON.stringify(app),
    });
    const body = await r.json();
    if (r.status !== 201 || body.stage !== 'running') refuse(`submission ${i}: ${r.status} ${JSON.stringify(body)}`);
    ids.push(body.case);
  }
  return ids;
}
async function upload(serve, key, id, material, bytes, type) {
  const r = await fetch(`${serve.base}/api/v1/cases/${id}/materials/${material}`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': type }, body: bytes,
  });
  const body = await r.json();
  if (r.status !== 201) refuse(`upload to case ${id} (${material}): ${r.status} ${JSON.stringify(body)}`);
  return body;
}

const load = (file) => YAML.parse(readFileSync(join(projectRoot, file), 'utf8'));
console.log(`bench_files: ${os.cpus().length} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}), ` +
            `${rounds} rounds of ${uploads} uploads of 1 MiB, ${concurrency} in flight`);

// --- throughput ---------------------------------------------------------------
const kindergarten = load('examples/applications/kindergarten-setup-complete.yaml');
const file = pdfFile(MiB, 42);
const perRound = { rps: [], mbps: [], p50: [], p99: [] };
for (let round = 1; round <= rounds; round++) {
  const serve = new Serve(cli);
  try {
    await serve.start(['--rate', '1000000']);
    const key = serve.account('bench-window', 'window');
    const cases = await submitAll(serve, key, kindergarten, 50, `k${round}`);
    const latencies = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < uploads) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await upload(serve, key, cases[i % cases.length], 'floor-plan', file, 'application/pdf');
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = countFiles(serve.db);
    if (stored !== uploads) refuse(`round ${round}: ${uploads} uploads answered 201, the store holds ${stored} files`);
    perRound.rps.push(uploads / seconds);
    perRound.mbps.push((uploads * file.length) / MiB / seconds);
    perRound.p50.push(quantile(latencies, 0.5));
    perRound.p99.push(quantile(latencies, 0.99));
    console.log(`round ${round}: ${(uploads / seconds).toFixed(1)} uploads/s, ${((uploads * file.length) / MiB / seconds).toFixed(1)} MiB/s, ` +
                `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, ` +
                `${latencies.filter((ms) => ms > 50).length} over 50 ms; ${stored} files stored`);
  } finally {
    await serve.close();
  }
}
console.log(`uploads of 1 MiB: ${range(perRound.rps, 1)} uploads/s, ${range(perRound.mbps, 1)} MiB/s, ` +
            `p50 ${range(perRound.p50, 1)} ms, p99 ${range(perRound.p99, 1)} ms (medians of ${rounds} rounds, min–max)`);

// --- growth -------------------------------------------------------------------
const hotel = load('examples/applications/hotel-restaurant-complete.yaml');
const others = hotel.materials.filter((m) => m !== 'legal-rep-id-card');
const typical = [
  ['legal-rep-id-card', jpegFile(300 * 1000, 1), 'image/jpeg'],
  ['legal-rep-id-card', jpegFile(300 * 1000, 2), 'image/jpeg'],
  ...others.map((m, i) => [m, pdfFile(Math.round(500_000 + (1_500_000 * i) / Math.max(1, others.length - 1)), 10 + i), 'application/pdf']),
];
const perCase = typical.reduce((n, [, b]) => n + b.length, 0);
const serve = new Serve(cli, { chain: 'chains/hotel-restaurant.yaml' });
try {
  await serve.start(['--rate', '1000000']);
  const key = serve.account('bench-window', 'window');
  const empty = storeBytes(serve.db);
  const cases = await submitAll(serve, key, hotel, growthCases, 'h');
  const submitted = storeBytes(serve.db);
  for (const id of cases) for (const [material, bytes, type] of typical) await upload(serve, key, id, material, bytes, type);
  const after = storeBytes(serve.db);
  const stored = countFiles(serve.db);
  if (stored !== cases.length * typical.length) refuse(`growth: ${cases.length * typical.length} uploads answered 201, the store holds ${stored}`);
  const growth = (after - submitted) / cases.length;
  console.log(`typical materials: ${hotel.materials.length} materials as ${typical.length} files, ${(perCase / 1e6).toFixed(2)} MB per case`);
  console.log(`store per case without files: ${((submitted - empty) / cases.length / 1e3).toFixed(1)} kB; ` +
              `with its files: +${(growth / 1e6).toFixed(2)} MB (${((growth / perCase - 1) * 100).toFixed(2)} % over the bytes handed in); ` +
              `${cases.length} cases, ${stored} files, store ${(after / 1e6).toFixed(1)} MB`);
} finally {
  await serve.close();
}

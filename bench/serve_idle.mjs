// Holds idle Server-Sent Event streams and idle long polls on one
// `yilian serve` and reports its thread count meanwhile (bench_serve.sh).
//   node bench/serve_idle.mjs BASE READER_KEY IDLE_DEPARTMENT_KEY STREAMS POLLS PID
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [base, readerKey, idleKey, streamsArg, pollsArg, pid] = process.argv.slice(2);
const streams = Number(streamsArg);
const polls = Number(pollsArg);
const controller = new AbortController();
const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

let open = 0;
const held = [];
for (let i = 0; i < streams; i++) {
  held.push(fetch(`${base}/api/v1/events`, { headers: { Authorization: `Bearer ${readerKey}` }, signal: controller.signal })
    .then(async (res) => {
      if (res.status !== 200) throw new Error(`stream: ${res.status}`);
      open++;
      for await (const _ of res.body) { /* keep reading */ }
    }).catch((e) => { if (e.name !== 'AbortError') throw e; }));
}
let waiting = 0;
for (let i = 0; i < polls; i++) {
  held.push(fetch(`${base}/api/v1/work/fetch-and-lock`, {
    method: 'POST', signal: controller.signal,
    headers: { Authorization: `Bearer ${idleKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ worker: `idle-${i}`, wait_ms: 60_000 }),
  }).then((res) => { if (res.status !== 200) throw new Error(`poll: ${res.status}`); })
    .catch((e) => { if (e.name !== 'AbortError') throw e; }));
  waiting++;
}
await new Promise((ok) => setTimeout(ok, 3000));
// The probe goes on a connection of its own (fetch's pool is full of the
// held requests and would queue it behind them).
const t0 = performance.now();
const status = await new Promise((ok, fail) => {
  http.get(`${base}/api/v1/health`, { agent: false }, (res) => { res.resume(); res.on('end', () => ok(res.statusCode)); })
    .on('error', fail);
});
const ms = performance.now() - t0;
if (open !== streams || status !== 200) {
  console.error(`serve_idle: ${open} of ${streams} streams open, health ${status}: no figure`);
  process.exit(1);
}
console.log(`${streams} idle event streams and ${waiting} idle long polls held; server threads ${threads()}; ` +
            `a health request meanwhile ${ms.toFixed(1)} ms`);
controller.abort();
await Promise.allSettled(held);
process.exit(0);

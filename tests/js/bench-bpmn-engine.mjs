#!/usr/bin/env node
// bench-bpmn-engine: the same cases of one chain, side by side in one run,
// (1) in bpmn-engine from the exported BPMN XML and (2) in the yilian flow
// core in memory (build/bench/bench_bpmn --flow-cases). A benchmark: it
// measures and prints, it asserts no time; it fails only when a case does
// not end delivered on either side or the two disagree on the work done.
//
//   node tests/js/bench-bpmn-engine.mjs [--cli PATH] [--chain ID] [--cases N]
//        [--runs N] [--flow-bench PATH] [--json]
//
// Cases: every assignment of the fields the chain's conditions read
// (bpmn-lib.mjs scenarios()), taken in turn, on top of a value for every
// applicant field and every material the applicant hands in; the same list
// goes to both engines through a JSON file. bpmn-engine: the XML is parsed
// once; each case is one instance run to its end, one after another, with a
// stub worker per department that completes its job on the next turn of
// the event loop and fills in the produced values, and FEEL conditions
// evaluated by feelin; the engine is created afresh per case on the
// serialized process (parsed once). The flow core: submit, approve each
// dispatched task at once, deliver; alerts off. Figures are medians of
// --runs runs (wall time; bpmn-engine's process CPU time is printed too).
//
// Honest by construction: the applicant's values and the produced values
// are ones the chain's rules accept (sampleValue(): lengths, ranges, check
// characters), and no figure is printed unless both sides delivered every
// case in every run and ran the same number of tasks; without a built
// bench_bpmn there is nothing to compare, and the script fails.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chainFiles, exportBpmn, fail, nest, parseArgs, processRunner, readChain, sampleValue, scenarios } from './bpmn-lib.mjs';

const opts = parseArgs(process.argv.slice(2), { chain: 'kindergarten-setup', cases: 2000, runs: 3, 'flow-bench': '', json: false });
const flowBench = opts['flow-bench'] || path.join(opts.root, 'build', 'bench', 'bench_bpmn');
const file = chainFiles(opts.root).find((f) => readChain(f).id === opts.chain);
if (!file) fail(`no chain ${opts.chain} in chains/ or tests/bpmn/`, 2);
const chain = readChain(file);
const xml = exportBpmn(opts.cli, file);

// The cases.
const issued = new Set(chain.matters.flatMap((m) => m.results || []));
const materials = Object.keys(chain.materials || {}).filter((m) => !issued.has(m)).sort();
const produced = new Set(chain.matters.flatMap((m) => Object.keys(m.produces || {})));
const defs = new Map(Object.entries(chain.fields || {}));
for (const m of chain.matters)
  for (const f of m.fields || []) if (typeof f === 'object') for (const [k, v] of Object.entries(f)) defs.set(k, v);
const base = {};
for (const [k, def] of defs) if (!produced.has(k)) base[k] = sampleValue(def);
const assignments = scenarios(chain, 1024);
const cases = Array.from({ length: opts.cases }, (_, i) => ({ fields: { ...base, ...assignments[i % assignments.length] }, materials }));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'yilian-bench-'));
const casesFile = path.join(tmp, 'cases.json');
writeFileSync(casesFile, JSON.stringify({ chain: path.relative(opts.root, file), cases }));

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const outputsOf = new Map(chain.matters.map((m) => [m.id, Object.entries(m.produces || {})]));

// (1) bpmn-engine.
const run = await processRunner(xml, chain.id);
let tasks = 0, delivered = 0;
const workers = new Proxy({}, {
  get: () => (task) => {
    if (task.headers.kind !== 'matter') return undefined;
    ++tasks;
    const out = {};
    for (const [k, def] of outputsOf.get(task.headers.matter)) out[k] = sampleValue(def);
    return nest(out);
  },
});
const engineRuns = [], engineCpu = [];
let engineTasks = 0;
for (let r = 0; r < opts.runs; ++r) {
  tasks = delivered = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const c of cases) {
    const { events } = await run({ variables: nest(c.fields), workers });
    if (events.some((e) => e.kind === 'end' && e.id === 'Done')) ++delivered;
  }
  engineRuns.push(performance.now() - t0);
  const cpu = process.cpuUsage(c0);
  engineCpu.push((cpu.user + cpu.system) / 1000);
  if (delivered !== cases.length) fail(`bpmn-engine: ${cases.length - delivered} cases did not reach the end`);
  engineTasks = tasks;
  if (!opts.json) console.error(`bpmn-engine run ${r + 1}/${opts.runs}: ${(engineRuns.at(-1) / 1000).toFixed(2)} s`);
}

// (2) The yilian flow core, same cases.
if (!existsSync(flowBench)) fail(`no ${flowBench}: build bench_bpmn (cmake --build build --target bench_bpmn); no figure without both sides`);
const r = spawnSync(flowBench, ['--flow-cases', casesFile, '--runs', String(Math.max(opts.runs, 5)), '--json'], { encoding: 'utf8' });
rmSync(tmp, { recursive: true, force: true });
if (r.status !== 0) fail(`${flowBench} exited ${r.status}: ${r.stderr}${r.stdout}`);
const flow = JSON.parse(r.stdout);
if (flow.delivered !== cases.length) fail(`the flow core delivered ${flow.delivered} of ${cases.length} cases: no figure`);
if (flow.tasks !== engineTasks) fail(`the flow core ran ${flow.tasks} tasks, bpmn-engine ${engineTasks}: not the same cases`);

const engineMs = median(engineRuns);
const result = {
  chain: chain.id,
  cases: cases.length,
  assignments: assignments.length,
  tasks: engineTasks,
  bpmn_engine: { median_ms: engineMs, run_ms: engineRuns, cpu_ms: engineCpu, median_cpu_ms: median(engineCpu),
    per_case_ms: engineMs / cases.length },
  flow_core: { median_ms: flow.median_ms, run_ms: flow.run_ms, per_case_ms: flow.median_ms / cases.length },
  ratio: engineMs / flow.median_ms,
  node: process.version,
  cores: os.cpus().length,
};
if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`${chain.id}: ${cases.length} cases (${assignments.length} branch assignments in turn), ${engineTasks} tasks`);
  console.log(`  bpmn-engine  ${(engineMs / 1000).toFixed(2)} s   ${(engineMs / cases.length).toFixed(2)} ms / case   (median of ${opts.runs}; ` +
    `CPU ${(median(engineCpu) / 1000).toFixed(2)} s)`);
  console.log(`  flow core    ${flow.median_ms.toFixed(2)} ms   ${(1000 * flow.median_ms / cases.length).toFixed(2)} µs / case   (median of ${flow.runs})`);
  console.log(`  ratio        ${result.ratio.toFixed(0)} × (bpmn-engine time / flow core time)`);
}

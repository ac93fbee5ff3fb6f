#!/usr/bin/env node
// bpmn-engine-check: every exported chain runs to its end in bpmn-engine,
// for every branch of every condition, exactly as yilian plans it.
//
//   node tests/js/bpmn-engine-check.mjs [--cli PATH] [--root DIR] [--only ID]
//        [--limit N] [--scenario-exports N] [--shard K/N]
//
// --shard K/N runs the K-th of N parts of the chains (parts of about the
// same work: assignments times matters), so that ctest runs the parts side
// by side; the negative control runs in part 1.
//
// For each chain in chains/*.yaml and tests/bpmn/*.yaml, and for each
// assignment of the fields its conditions read (every candidate value on
// both sides of every literal the conditions name: the whole product up to
// --limit assignments, a seeded sample beyond):
//   - the oracle is yilian itself: `yilian plan FILE --set k=v... --json`
//     lists the matters that apply (C++ condition evaluator);
//   - the exported XML, unmodified, runs in bpmn-engine with one stub worker
//     per zeebe:taskDefinition type (dept-<department>) and the FEEL
//     conditions evaluated by feelin;
//   - every applicable matter's task runs exactly once, on its department's
//     job type, and never before a task it depends on (directly or through
//     skipped matters) has ended; no skipped matter runs; delivery runs once,
//     after every matter; the end event is reached and no overdue timer
//     fires; every task arms a timer of its promised limit in calendar days;
//   - every input mapping of a task reads, by its FEEL source, the value the
//     case holds for that field;
//   - across the assignments, every conditional matter runs at least once
//     and is skipped at least once.
// The first --scenario-exports assignments of each chain are also exported
// with `--scenario` (conditions pre-evaluated): the process must hold
// exactly the applicable matters and run the same way.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { evaluate as feelEvaluate } from 'feelin';

import { exportAll, fail, nest, parseArgs, processRunner, promisedTimer, sampleValue, scenarios, yilian } from './bpmn-lib.mjs';

const opts = parseArgs(process.argv.slice(2), { limit: 128, 'scenario-exports': 4, shard: '1/1' });
const [, shardK, shardN] = (opts.shard.match(/^(\d+)\/(\d+)$/) || []).map(Number);
if (!(shardN >= 1 && shardK >= 1 && shardK <= shardN)) fail(`--shard takes K/N with 1 <= K <= N, not '${opts.shard}'`, 2);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'yilian-bpmn-'));
const DAY = 86400000;

let failures = 0;
let control = null;  // while set, failures are counted here and not printed (negative control)
function check(ok, where, message) {
  if (!ok && control) control.count++;
  else if (!ok) {
    failures++;
    if (failures <= 40) console.log(`FAIL ${where}: ${message}`);
  }
  return ok;
}

/** Field definitions by key: catalogue, inline and produced. */
function fieldDefs(chain) {
  const defs = new Map(Object.entries(chain.fields || {}));
  for (const m of chain.matters) {
    for (const f of m.fields || []) if (typeof f === 'object') for (const [k, v] of Object.entries(f)) defs.set(k, v);
    for (const [k, v] of Object.entries(m.produces || {})) defs.set(k, v);
  }
  return defs;
}

/** Transitive `after` of every matter. */
function ancestors(chain) {
  const byId = new Map(chain.matters.map((m) => [m.id, m]));
  const memo = new Map();
  const visit = (id) => {
    if (memo.has(id)) return memo.get(id);
    const out = new Set();
    for (const p of byId.get(id).after || []) {
      out.add(p);
      for (const a of visit(p)) out.add(a);
    }
    memo.set(id, out);
    return out;
  };
  for (const m of chain.matters) visit(m.id);
  return memo;
}

function oracle(file, assignment) {
  const args = ['plan', file, '--json'];
  for (const [k, v] of Object.entries(assignment)) args.push('--set', `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
  const r = yilian(opts.cli, args);
  if (r.status !== 0) fail(`yilian ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function feelValue(source, variables) {
  const r = feelEvaluate(source.slice(1), variables);
  return r && typeof r === 'object' && 'warnings' in r ? r.value : r;
}

/** Runs one case and checks it against the plan. Returns the set of matters that ran. */
async function runCase(where, run, chain, values, plan, defs, anc) {
  const byId = new Map(chain.matters.map((m) => [m.id, m]));
  const ran = [];
  const seenInputs = [];
  const workers = new Proxy({}, {
    get: (_, type) => (task, variables) => {
      const kind = task.headers.kind;
      if (kind === 'delivery') {
        check(type === `dept-${chain.lead}`, where, `delivery has job type ${type}`);
        ran.push('(delivery)');
        return undefined;
      }
      const m = byId.get(task.headers.matter);
      if (!check(m, where, `task ${task.id} names no matter of the chain`)) return undefined;
      check(type === `dept-${m.department}`, where, `${m.id} has job type ${type}, not dept-${m.department}`);
      ran.push(m.id);
      for (const input of task.inputs) {
        const expected = input.target in values ? values[input.target] : null;
        seenInputs.push(input.target);
        // A set field's value is a list: compared by content.
        check(JSON.stringify(feelValue(input.source, variables)) === JSON.stringify(expected), where,
          `${m.id}: input ${input.source} -> ${input.target} reads ${JSON.stringify(feelValue(input.source, variables))}, ` +
          `the case holds ${JSON.stringify(expected)}`);
      }
      // The worker produces what the matter declares, as a job completion
      // would: the scenario's value when it names one (the oracle decides on
      // it), else a sample.
      const produced = {};
      for (const out of task.outputs)
        produced[out.target] = values[out.target] =
          out.target in values && values[out.target] !== null ? values[out.target] : sampleValue(defs.get(out.target));
      return nest(produced);
    },
  });

  const feelLog = [];
  const { events } = await run({ variables: nest(values), workers, feelLog });
  const timers = events.filter((e) => e.kind === 'timer');
  const starts = new Map(), ends = new Map();
  events.forEach((e, i) => {
    if (e.kind === 'start' && !starts.has(e.id)) starts.set(e.id, i);
    if (e.kind === 'end') ends.set(e.id, i);
  });

  const applicable = new Set(plan.applicable);
  const count = (id) => ran.filter((x) => x === id).length;
  for (const m of chain.matters) {
    if (applicable.has(m.id)) check(count(m.id) === 1, where, `${m.id} applies but ran ${count(m.id)} times`);
    else check(count(m.id) === 0, where, `${m.id} does not apply but ran ${count(m.id)} times`);
  }
  for (const id of ran) {
    if (id === '(delivery)') continue;
    for (const a of anc.get(id)) {
      if (!applicable.has(a)) continue;
      check(ends.get(`Task_${a}`) < starts.get(`Task_${id}`), where, `${id} started before ${a} (which it comes after) ended`);
    }
    const timer = timers.find((t) => t.id === `Timer_${id}`);
    // A duration in days is exact; one in months spans 28 to 31 days each.
    const iso = promisedTimer(byId.get(id));
    const [, n, unit] = (iso || '').match(/^P(\d+)([DM])$/) || [];
    const got = timer ? timer.timeout / DAY : NaN;
    const fits = unit === 'D' ? Math.abs(got - Number(n)) < 60000 / DAY : unit === 'M' && got >= 28 * n - 1 && got <= 31 * n + 1;
    check(timer && fits, where, `${id}: timer ${timer ? got : 'not armed'} days, expected ${iso}`);
  }
  check(count('(delivery)') === 1, where, `delivery ran ${count('(delivery)')} times`);
  const lastMatterEnd = Math.max(-1, ...ran.filter((id) => id !== '(delivery)').map((id) => ends.get(`Task_${id}`)));
  check(starts.get('Deliver') > lastMatterEnd, where, 'delivery started before every matter had ended');
  check(ends.has('Done'), where, 'the end event was not reached');
  check(![...starts.keys()].some((id) => id.startsWith('Overdue_')), where, 'an overdue timer fired');
  return { ran: new Set(ran), feel: feelLog.length, inputs: seenInputs.length };
}

// Each chain with its assignments (worked out once: they also weigh the parts).
const allExports = exportAll(opts).map((e) => ({ ...e, list: scenarios(e.chain, opts.limit) }));
let cases = 0;

// The chains of this part: each chain, largest work first, to the part with
// the least work so far (the same split in every part's process).
const exportsList = (() => {
  const work = allExports.map((e, i) => ({ i, work: e.list.length * e.chain.matters.length }));
  work.sort((a, b) => b.work - a.work || a.i - b.i);
  const load = Array(shardN).fill(0);
  const part = [];
  for (const { i, work: w } of work) {
    const least = load.indexOf(Math.min(...load));
    load[least] += w;
    part[i] = least;
  }
  return allExports.filter((_, i) => part[i] === shardK - 1);
})();
if (!exportsList.length) fail(`part ${opts.shard} has no chain: there are ${allExports.length} chains`, 2);

// Negative control: with one condition turned round (`>` for `<=` and the
// like, in the first conditional flow of the first chain that has one), the
// runs must disagree with the plan.
if (shardK === 1) {
  const target = allExports.find(({ xml }) => /<bpmn:conditionExpression[^>]*>=[^<]*(&gt;|&lt;|!=|= )/.test(xml));
  if (target) {
    const { file, chain, xml } = target;
    const flipped = xml.replace(/(<bpmn:conditionExpression[^>]*>)=([^<]*)</, (all, open, body) =>
      `${open}=not(${body})<`);
    control = { count: 0 };
    const defs = fieldDefs(chain);
    const produced = new Set(chain.matters.flatMap((m) => Object.keys(m.produces || {})));
    const base = {};
    for (const [k, def] of defs) if (!produced.has(k)) base[k] = sampleValue(def);
    const run = await processRunner(flipped, chain.id);
    for (const assignment of scenarios(chain, 16))
      await runCase('control', run, chain, { ...base, ...assignment }, oracle(file, assignment), defs, ancestors(chain));
    if (!control.count) fail(`negative control: a negated condition in ${path.relative(opts.root, file)} went unnoticed`);
    control = null;
  } else if (!opts.only) fail('negative control: no chain has a condition with a comparison to negate');
}
for (const { file, chain, xml, list } of exportsList) {
  const rel = path.relative(opts.root, file);
  const defs = fieldDefs(chain);
  const anc = ancestors(chain);
  // Every field the applicant gives has a value, so input mappings have
  // something to read; produced fields come from the stub workers.
  const produced = new Set(chain.matters.flatMap((m) => Object.keys(m.produces || {})));
  const base = {};
  for (const [k, def] of defs) if (!produced.has(k)) base[k] = sampleValue(def);
  const conditional = chain.matters.filter((m) => m.when).map((m) => m.id);
  const on = new Set(), off = new Set();
  const run = await processRunner(xml, chain.id);
  let n = 0;
  for (const assignment of list) {
    const where = `${rel} ${JSON.stringify(assignment)}`;
    const plan = oracle(file, assignment);
    check(plan.undetermined.length === 0, where, `plan leaves ${plan.undetermined} undetermined`);
    const values = { ...base, ...assignment };
    const { ran } = await runCase(where, run, chain, values, plan, defs, anc);
    for (const id of conditional) (ran.has(id) ? on : off).add(id);
    cases++;

    if (n++ < opts['scenario-exports']) {
      const scenarioFile = path.join(tmp, `${chain.id}-${n}.json`);
      writeFileSync(scenarioFile, JSON.stringify({ fields: assignment }));
      const r = yilian(opts.cli, ['graph', file, '--format', 'bpmn', '--scenario', scenarioFile]);
      if (!check(r.status === 0, where, `--scenario export exited ${r.status}: ${r.stderr}`)) continue;
      const tasks = [...r.stdout.matchAll(/<bpmn:serviceTask id="Task_([^"]+)"/g)].map((m) => m[1]).sort();
      check(JSON.stringify(tasks) === JSON.stringify([...plan.applicable].sort()), where,
        `--scenario export holds ${tasks}, plan says ${plan.applicable}`);
      check(!r.stdout.includes('<bpmn:conditionExpression'), where, '--scenario export still has conditions it could decide');
      await runCase(`${where} --scenario`, await processRunner(r.stdout, chain.id), chain, { ...values }, plan, defs, anc);
      cases++;
    }
  }
  for (const id of conditional) {
    check(on.has(id), rel, `conditional matter ${id} never ran in ${list.length} assignments`);
    check(off.has(id), rel, `conditional matter ${id} was never skipped in ${list.length} assignments`);
  }
  console.log(`${failures ? 'checked' : 'ok  '} ${rel}: ${list.length} assignments, ` +
    `${conditional.length} conditional matters each on and off`);
}
rmSync(tmp, { recursive: true, force: true });
console.log(failures ? `bpmn-engine-check: ${failures} failure(s)` : `bpmn-engine-check: ${cases} cases ran as planned`);
process.exit(failures ? 1 : 0);

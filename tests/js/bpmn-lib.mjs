// Shared helpers of the BPMN tests: export every chain with the yilian CLI,
// read the chain YAML, enumerate scenarios that switch every conditional
// matter on and off, and run an exported process in bpmn-engine with stub
// department workers and FEEL conditions evaluated by feelin.
//
// Not a test by itself; imported by bpmn-moddle-check.mjs,
// bpmn-engine-check.mjs, bpmn-render-check.mjs and bench-bpmn-engine.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import YAML from 'yaml';
import { BpmnModdle } from 'bpmn-moddle';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import { evaluate as feelEvaluate } from 'feelin';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const zeebeSchema = JSON.parse(readFileSync(path.join(here, 'node_modules/zeebe-bpmn-moddle/resources/zeebe.json'), 'utf8'));

/** Command-line options shared by the BPMN scripts: --cli PATH, --root DIR, --only ID. */
export function parseArgs(argv, extra = {}) {
  const opts = { cli: process.env.YILIAN_CLI || '', root, only: '', ...extra };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`, 2);
      return argv[++i];
    };
    if (a === '--cli') opts.cli = value();
    else if (a === '--root') opts.root = path.resolve(value());
    else if (a === '--only') opts.only = value();
    else if (a.startsWith('--') && a.slice(2) in extra) {
      const k = a.slice(2);
      opts[k] = typeof extra[k] === 'number' ? Number(value()) : typeof extra[k] === 'boolean' ? true : value();
    } else fail(`unknown argument ${a}`, 2);
  }
  if (!opts.cli) opts.cli = path.join(opts.root, 'build', 'cli', 'yilian');
  if (!existsSync(opts.cli)) fail(`the yilian CLI is not at ${opts.cli}; build it or pass --cli`, 2);
  return opts;
}

export function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/** The chain files the BPMN tests cover: chains/*.yaml (not the locality overlays) and the fixtures in tests/bpmn/. */
export function chainFiles(rootDir) {
  const out = [];
  for (const dir of ['chains', path.join('tests', 'bpmn')]) {
    const abs = path.join(rootDir, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) {
      if (!(f.endsWith('.yaml') || f.endsWith('.yml'))) continue;
      // A locality overlay (`extends:`) holds only what it changes; the
      // tests read the chain's YAML, so they cover its base instead.
      if (readChain(path.join(abs, f))?.extends) continue;
      out.push(path.join(abs, f));
    }
  }
  return out;
}

/** Runs the yilian CLI; returns {status, stdout, stderr}. */
export function yilian(cli, args) {
  const r = spawnSync(cli, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) fail(`cannot run ${cli}: ${r.error.message}`, 2);
  return r;
}

/** Exports one chain file as BPMN; fails the run when the CLI does. */
export function exportBpmn(cli, file, extraArgs = []) {
  const r = yilian(cli, ['graph', file, '--format', 'bpmn', ...extraArgs]);
  if (r.status !== 0) fail(`yilian graph ${file} --format bpmn exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * The chain files to test with their BPMN: [{file, chain, xml}]. A file in
 * chains/ that the loader rejects (exit 1) is reported as SKIP and left out:
 * `yilian validate` and the schema test fail for it already. A fixture of
 * tests/bpmn/ must always export.
 */
export function exportAll(opts) {
  const out = [];
  for (const file of chainFiles(opts.root)) {
    const chain = readChain(file);
    if (opts.only && chain.id !== opts.only) continue;
    const r = yilian(opts.cli, ['graph', file, '--format', 'bpmn']);
    if (r.status === 1 && path.dirname(file) === path.join(opts.root, 'chains')) {
      const first = r.stderr.split('\n').find((l) => l.includes('error')) || r.stderr.trim();
      console.log(`SKIP ${path.relative(opts.root, file)}: the chain is invalid (${first})`);
      continue;
    }
    if (r.status !== 0) fail(`yilian graph ${file} --format bpmn exited ${r.status}:\n${r.stderr}`);
    out.push({ file, chain, xml: r.stdout });
  }
  if (!out.length) fail('no chain to test', 2);
  return out;
}

/** The chain YAML as data (YAML 1.2 core schema, as the loader reads it). */
export function readChain(file) {
  const chain = YAML.parse(readFileSync(file, 'utf8'), { schema: 'core' });
  return chain ? asOnToday(chain) : chain;
}

/**
 * A chain whose matters carry valid_from / valid_until as `yilian graph`
 * draws it by default: the matters in force today (China Standard Time,
 * bounds inclusive), each `after` passed on through the matters left out.
 */
function asOnToday(chain) {
  if (!Array.isArray(chain.matters) || !chain.matters.some((m) => m && (m.valid_from || m.valid_until))) return chain;
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const inForce = (m) =>
    (!m.valid_from || String(m.valid_from) <= today) && (!m.valid_until || today <= String(m.valid_until));
  const byId = new Map(chain.matters.map((m) => [m.id, m]));
  const pass = (id, seen = new Set()) => {
    const m = byId.get(id);
    if (!m || inForce(m)) return [id];
    if (seen.has(id)) return [];
    seen.add(id);
    return (m.after || []).flatMap((a) => pass(a, seen));
  };
  const matters = chain.matters
    .filter(inForce)
    .map((m) => (m.after ? { ...m, after: [...new Set(m.after.flatMap((a) => pass(a)))] } : m));
  return { ...chain, matters };
}

/** Every field key a condition text reads: the catalogue keys found as whole words. */
export function conditionFields(chain, text) {
  const keys = new Set(Object.keys(chain.fields || {}));
  for (const m of chain.matters) {
    for (const f of m.fields || []) if (typeof f === 'object') Object.keys(f).forEach((k) => keys.add(k));
    for (const k of Object.keys(m.produces || {})) keys.add(k);
  }
  const stripped = text.replace(/'[^']*'|"[^"]*"/g, ' ');
  const found = new Set();
  for (const token of stripped.match(/[A-Za-z_][A-Za-z0-9_.-]*/g) || []) if (keys.has(token)) found.add(token);
  return [...found];
}

function fieldDef(chain, key) {
  if (chain.fields?.[key]) return chain.fields[key];
  for (const m of chain.matters) {
    for (const f of m.fields || []) if (typeof f === 'object' && f[key]) return f[key];
    if (m.produces?.[key]) return m.produces[key];
  }
  return { type: 'string' };
}

/** Literals of the conditions: quoted text and numbers, for candidate values. */
function literals(text) {
  const strings = [...text.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]);
  const stripped = text.replace(/'[^']*'|"[^"]*"/g, ' ');
  const numbers = [...stripped.matchAll(/(?<![A-Za-z0-9_.])-?\d+(?:\.\d+)?(?![A-Za-z0-9_])/g)].map((m) => Number(m[0]));
  return { strings, numbers };
}

/** The codes of an enum or set field: `values` is a list of codes or a map code → label. */
function codes(def) {
  return Array.isArray(def.values) ? [...def.values] : Object.keys(def.values || {});
}

/** Candidate values of one field: both sides of every boundary the conditions draw. */
function candidates(def, lits) {
  switch (def.type) {
    case 'boolean': return [true, false];
    case 'enum': return codes(def);
    case 'set': return [...codes(def).map((c) => [c]), codes(def)];  // each value alone, and all of them
    case 'integer':
    case 'number':
    case 'area': {
      const set = new Set();
      for (const n of lits.numbers) for (const d of def.type === 'integer' ? [-1, 0, 1] : [-0.5, 0, 0.5]) set.add(n + d);
      if (!set.size) set.add(1);
      return [...set].sort((a, b) => a - b);
    }
    default: return [...new Set([...lits.strings, 'zz-other'])];
  }
}

/** A small deterministic PRNG (mulberry32) for sampling large value spaces. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Assignments of the fields the chain's conditions read: the whole product
 * of candidate values when it has at most `limit` members, otherwise a
 * seeded sample of `limit` assignments. Returns [{key: value}].
 */
export function scenarios(chain, limit = 256) {
  const conds = chain.matters.filter((m) => m.when).map((m) => String(m.when));
  const lits = literals(conds.join(' '));
  const keys = [...new Set(conds.flatMap((c) => conditionFields(chain, c)))].sort();
  const cands = keys.map((k) => candidates(fieldDef(chain, k), lits));
  const total = cands.reduce((n, c) => n * c.length, 1);
  const out = [];
  if (total <= limit) {
    const idx = keys.map(() => 0);
    for (let n = 0; n < total; ++n) {
      out.push(Object.fromEntries(keys.map((k, i) => [k, cands[i][idx[i]]])));
      for (let i = 0; i < idx.length && ++idx[i] === cands[i].length; ++i) idx[i] = 0;
    }
  } else {
    const rnd = prng(20260101);
    for (let n = 0; n < limit; ++n)
      out.push(Object.fromEntries(keys.map((k, i) => [k, cands[i][Math.floor(rnd() * cands[i].length)]])));
  }
  return out;
}

/** Dotted keys to nested objects: {"site.area": 5} -> {site: {area: 5}} (docs/bpmn.md). */
export function nest(values) {
  const out = {};
  for (const [key, v] of Object.entries(values)) {
    const parts = key.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    o[parts.at(-1)] = v;
  }
  return out;
}

/**
 * A value a stub worker fills in for a field it does not know, and the value
 * a benchmark's applicant gives: one the form's checker accepts (the same
 * choices as the simulator's placeholder_value, engine/src/sim/setup.cpp),
 * within min and max, with valid check characters for the coded types.
 */
export function sampleValue(def) {
  const within = (v) => Math.min(def.max ?? Infinity, Math.max(def.min ?? -Infinity, v));
  switch (def?.type) {
    case 'boolean': return true;
    case 'integer': return Math.ceil(within(Math.max(1, def.min ?? 1)));
    case 'number':
    case 'area': return within(Math.max(1, def.min ?? 1));
    case 'enum': return codes(def)[0];
    case 'set': return codes(def).slice(0, Math.max(1, def.min ?? 1));
    case 'date': return '2026-03-02';
    case 'phone': return '13800138000';
    case 'id-card': return '11010519491231002X';    // GB 11643 check character X
    case 'uscc': return '91110000600037341L';       // GB 32100 check character L
    default: return 'x'.repeat(Math.max(1, def?.min ?? 1));
  }
}

/**
 * bpmn-engine's expression handler with FEEL: an expression that starts
 * with `=` (Zeebe's marker) is evaluated by feelin over the process
 * variables; anything else goes to bpmn-elements' own `${...}` handler.
 * `state.feelLog` (an array, when set) receives {expression, result} of
 * every FEEL evaluation.
 */
export function feelExpressions(state = {}) {
  const base = new Engine().environment.expressions;  // bpmn-elements' default handler
  const isFeel = (s) => typeof s === 'string' && s.startsWith('=');
  return {
    resolveExpression(expression, context, fnContext) {
      if (!isFeel(expression)) return base.resolveExpression(expression, context, fnContext);
      const variables = context?.environment?.variables ?? {};
      const result = feelEvaluate(expression.slice(1), variables);
      // feelin returns {value, warnings} in recent versions, the value before.
      const value = result && typeof result === 'object' && 'value' in result && 'warnings' in result ? result.value : result;
      state.feelLog?.push({ expression, result: value });
      return value === true;
    },
    isExpression: (s) => isFeel(s) || base.isExpression(s),
    hasExpression: (s) => isFeel(s) || base.hasExpression(s),
  };
}

function zeebeOf(activity, type) {
  const values = activity.behaviour?.extensionElements?.values || [];
  return values.find((v) => v.$type === type);
}

/**
 * A bpmn-engine extension that gives every service task a stub worker for
 * its zeebe:taskDefinition type: `state.workers[type](task, variables)` is
 * called with task = {id, type, headers, inputs, outputs} and may return
 * values to merge into the process variables (as a Zeebe job completion
 * would); the task completes on the next turn of the event loop.
 */
export function zeebeWorkers(state) {
  return function zeebeWorkerExtension(activity) {
    if (activity.type !== 'bpmn:ServiceTask') return;
    const def = zeebeOf(activity, 'zeebe:TaskDefinition');
    const headers = Object.fromEntries((zeebeOf(activity, 'zeebe:TaskHeaders')?.values || []).map((h) => [h.key, h.value]));
    const io = zeebeOf(activity, 'zeebe:IoMapping');
    const task = {
      id: activity.id,
      type: def?.type,
      headers,
      inputs: (io?.inputParameters || []).map((p) => ({ source: p.source, target: p.target })),
      outputs: (io?.outputParameters || []).map((p) => ({ source: p.source, target: p.target })),
    };
    activity.behaviour.Service = function StubService() {
      return {
        execute(executionMessage, callback) {
          const worker = state.workers?.[task.type];
          if (!worker) return callback(new Error(`no worker for job type ${task.type} (${task.id})`));
          let produced;
          try {
            produced = worker(task, activity.environment.variables);
          } catch (err) {
            return callback(err);
          }
          if (produced) mergeDeep(activity.environment.variables, produced);
          setImmediate(() => callback(null, produced));
        },
      };
    };
    return { activate() {}, deactivate() {} };
  };
}

function mergeDeep(target, src) {
  for (const [k, v] of Object.entries(src)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object') mergeDeep(target[k], v);
    else target[k] = v;
  }
}

/**
 * Runs instances of one exported process in bpmn-engine. The XML is parsed
 * and serialized once (as a deployment would); every call of the returned
 * function starts a fresh engine on that serialized context and runs one
 * instance to its end: `run({variables, workers, feelLog, timeoutMs})`
 * resolves to {events} with events {kind: 'start'|'end'|'timer', id, type,
 * timeout?} in order, and rejects when the engine reports an error or the
 * instance does not end in time. (One engine reused for many executions
 * keeps every past execution alive: memory grows by megabytes per case.)
 */
export async function processRunner(xml, name = 'case') {
  const moddleContext = await new BpmnModdle({ zeebe: zeebeSchema }).fromXML(xml);
  if (moddleContext.warnings.length) throw new Error(`bpmn-moddle: ${moddleContext.warnings[0].message}`);
  const sourceContext = serializer(moddleContext, TypeResolver(Elements));
  const state = { workers: null, feelLog: null };
  const expressions = feelExpressions(state);
  const extensions = { zeebeWorkers: zeebeWorkers(state) };
  return async function run({ variables, workers, feelLog, timeoutMs = 30000 }) {
    state.workers = workers;
    state.feelLog = feelLog;
    const engine = new Engine({ name, sourceContext, expressions, extensions });
    const listener = new EventEmitter();
    const events = [];
    listener.on('activity.start', (api) => events.push({ kind: 'start', id: api.id, type: api.type }));
    listener.on('activity.end', (api) => events.push({ kind: 'end', id: api.id, type: api.type }));
    listener.on('activity.timer', (api) => events.push({ kind: 'timer', id: api.id, type: api.type, timeout: api.content.timeout }));
    let timer;
    const ended = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`instance did not end within ${timeoutMs} ms`)), timeoutMs);
      engine.once('end', resolve);
      engine.once('error', reject);
    });
    try {
      await engine.execute({ listener, variables: structuredClone(variables) });
      await ended;
    } finally {
      clearTimeout(timer);
    }
    return { events };
  };
}

/**
 * The ISO 8601 duration yilian gives a matter's non-interrupting timer, from
 * the chain file: `promised_days` (working days, × 1.4 calendar days, at
 * least one) or `promised` with its unit ("N working days", "N days",
 * "N months"). Null when the promise cannot be read.
 */
export function promisedTimer(m) {
  const promise = m.promised_days !== undefined ? `${m.promised_days} working days` : String(m.promised);
  const [, n, unit] = promise.match(/^\s*(\d+)\s*(working days?|days?|months?)\s*$/) || [];
  if (!unit) return null;
  const count = Number(n);
  if (unit.startsWith('working')) return `P${count === 0 ? 1 : Math.ceil(count * 1.4 - 1e-9)}D`;
  if (unit.startsWith('day')) return `P${Math.max(1, count)}D`;
  return count > 0 ? `P${count}M` : 'P1D';
}

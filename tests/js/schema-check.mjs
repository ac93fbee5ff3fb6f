#!/usr/bin/env node
// schema-check: schemas/chain.schema.json against the chain files and the
// yilian loader.
//
//   node tests/js/schema-check.mjs [--require-chains] [--cli PATH] [--root DIR]
//
// 1. Compiles the schema with ajv (draft 2020-12) in strict mode: a schema
//    that ajv finds dubious is a failure, not a warning.
// 2. Every chain in chains/*.yaml, every valid fixture in
//    tests/chains/valid/*.yaml (not *.expect.yaml) and every file in
//    tests/js/schema-positive/ must be accepted by the schema (and by the
//    loader when the CLI is given).
// 3. Every file in tests/chains/invalid/*.yaml that the schema rejects must
//    be rejected by the loader too: "a file the schema rejects, the loader
//    rejects". Files the schema accepts there hold errors only the loader
//    can see (references, cycles, ...); they are listed, not failures.
// 4. Every file in tests/js/schema-negative/ must be rejected by the schema,
//    for the reason a comment line names (`# schema-error: PATH KEYWORD`),
//    and by the loader when the CLI is given: the schema is no
//    pass-everything.
//
// The loader's verdict is the exit code of `yilian validate --json FILE`
// (1 rejected, 0 accepted, anything else is a failure of the run). The CLI
// comes from --cli or the environment variable YILIAN_CLI; without it the
// loader checks are skipped with a message.
//
// YAML is read as editors read it: YAML 1.2, core schema (true/false are
// booleans, `yes` is text, "25" is text), duplicate keys are errors.
//
// Prints one line per file; exits 0 when everything agrees, 1 on any
// disagreement, 2 on a usage or set-up error.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  if (message) console.error(`schema-check: ${message}`);
  console.error('usage: node schema-check.mjs [--require-chains] [--cli PATH] [--root DIR]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { requireChains: false, cli: process.env.YILIAN_CLI || '', root: path.resolve(here, '..', '..') };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--require-chains') opts.requireChains = true;
    else if (a === '--cli') opts.cli = value();
    else if (a.startsWith('--cli=')) opts.cli = a.slice('--cli='.length);
    else if (a === '--root') opts.root = path.resolve(value());
    else if (a.startsWith('--root=')) opts.root = path.resolve(a.slice('--root='.length));
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const root = opts.root;
const rel = (file) => path.relative(root, file) || file;

// --- the schema ------------------------------------------------------------

const schemaPath = path.join(root, 'schemas', 'chain.schema.json');
let validate;
try {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  // strict: true turns every strict-mode finding (unknown keywords, ignored
  // keywords, type mismatches, required without properties, union types)
  // into a compile error.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`FAIL     ${rel(schemaPath)}: does not compile in ajv strict mode: ${e.message}`);
  process.exit(2);
}
console.log(`ok       ${rel(schemaPath)} compiles (ajv strict, draft 2020-12)`);

// --- the loader -------------------------------------------------------------

let cli = opts.cli ? path.resolve(opts.cli) : '';
if (cli && !existsSync(cli)) {
  console.error(`schema-check: the yilian CLI ${cli} does not exist (build it first)`);
  process.exit(2);
}
if (!cli) {
  console.log('skip     loader checks: no yilian CLI given (pass --cli PATH or set YILIAN_CLI); ' +
              'only the schema is checked');
}

// Returns { verdict: 'accepted' | 'rejected' | 'error', detail, errors }
// where errors are the loader's error diagnostics ({ message, path, line }).
function loaderVerdict(file) {
  const run = spawnSync(cli, ['validate', '--json', file], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) return { verdict: 'error', detail: `could not run: ${run.error.message}`, errors: [] };
  if (run.status === 0) return { verdict: 'accepted', detail: '', errors: [] };
  if (run.status === 1) {
    const errors = loaderErrors(run.stdout);
    const e = errors[0];
    return { verdict: 'rejected', detail: e ? describeLoaderError(e) : '', errors };
  }
  const why = run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`;
  const err = (run.stderr || run.stdout || '').trim().split('\n')[0];
  return { verdict: 'error', detail: `${why}${err ? `: ${err}` : ''}`, errors: [] };
}

// The error diagnostics of `validate --json`: every object in the document
// with a message and severity "error" (more keys may be added to the JSON).
function loaderErrors(stdout) {
  let doc;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return [];
  }
  const found = [];
  const walk = (v) => {
    if (v === null || typeof v !== 'object') return;
    if (typeof v.message === 'string' && v.severity === 'error') found.push(v);
    for (const child of Object.values(v)) walk(child);
  };
  walk(doc);
  return found;
}

function describeLoaderError(e) {
  const at = e.line ? `${e.line}:${e.column ?? 0} ` : '';
  return `${at}${e.path ? `${e.path}: ` : ''}${e.message}`;
}

// A loader key path ("matters[0].fields[applicant.name].label") as the
// segments of a JSON pointer (["matters", "0", "fields", "applicant.name",
// "label"]).
function loaderSegments(keyPath) {
  const segs = [];
  const re = /\[([^\]]*)\]|([^.[\]]+)/g;
  for (let m; (m = re.exec(keyPath)) !== null;) segs.push(m[1] ?? m[2]);
  return segs;
}

function pointerSegments(pointer) {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// The loader speaks of the same place as the schema when one path lies
// within the other: the schema reports an unknown key at its map
// (/alerts), the loader at the key (alerts.red_days), and the other way
// round for a missing key.
function samePlace(pointer, keyPath) {
  const a = pointerSegments(pointer);
  const b = loaderSegments(keyPath);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ++i) if (a[i] !== b[i]) return false;
  return true;
}

// When the loader's errors carry key paths, one of them must be at the place
// of one of the schema's errors: the two reject the file for the same
// reason, not by accident. Returns { agree, note }: note names the loader's
// matching error, or says where the loader complained instead.
function compareReasons(schemaErrors, loader) {
  const withPath = loader.errors.filter((e) => typeof e.path === 'string');
  if (withPath.length === 0) return { agree: true, note: 'loader rejects too' };
  for (const l of withPath)
    for (const s of schemaErrors)
      if (samePlace(s.instancePath, l.path)) return { agree: true, note: `loader rejects too: ${describeLoaderError(l)}` };
  return {
    agree: false,
    note: `the loader rejects, but elsewhere: schema at ${schemaErrors[0].instancePath || '/'}, ` +
          `loader at ${withPath.map((e) => e.path || '/').join(', ')} (${describeLoaderError(withPath[0])})`,
  };
}

// --- reading files ----------------------------------------------------------

function yamlFiles(dir, { skipExpect = false } = {}) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n) && !(skipExpect && /\.expect\.ya?ml$/.test(n)))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => statSync(f).isFile());
}

// Parses as an editor does (YAML 1.2 core schema) and validates.
// Returns { ok, errors: [{ instancePath, keyword, message }], text }.
function schemaVerdict(file) {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return { ok: false, text, errors: [{ instancePath: '', keyword: 'yaml', message: e.message.split('\n')[0] }] };
  }
  let data;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, text, errors: [{ instancePath: '', keyword: 'yaml', message: e.message }] };
  }
  if (validate(data)) return { ok: true, text, errors: [] };
  return { ok: false, text, errors: validate.errors.map((e) => ({ ...e })) };
}

// The most telling of ajv's errors: not the summary of an anyOf or if/else,
// and not the type mismatch of the anyOf branch the data plainly is not
// (a matter's field item that is a map is not "must be string").
function mainError(errors) {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'if' &&
                            !(e.keyword === 'type' && anyOfAt.has(e.instancePath))) ?? errors[0];
}

function describeError(e) {
  if (e.keyword === 'false schema') return `${e.instancePath} is not allowed here`;
  let msg = `${e.instancePath || '/'} ${e.message}`;
  if (e.keyword === 'additionalProperties') msg += `: ${e.params.additionalProperty}`;
  else if (e.keyword === 'enum') msg += `: ${e.params.allowedValues.join(' ')}`;
  else if (e.keyword === 'propertyNames' && e.params?.propertyName) msg += `: ${e.params.propertyName}`;
  return msg;
}

// --- the checks -------------------------------------------------------------

let failures = 0;
const counts = { accepted: 0, rejected: 0, skipped: 0 };

function fail(file, why) {
  ++failures;
  console.log(`FAIL     ${rel(file)}: ${why}`);
}

// Files that must be valid: the schema accepts them, and the loader too.
function checkValid(file) {
  const s = schemaVerdict(file);
  if (!s.ok) return fail(file, `the schema rejects a valid chain: ${describeError(mainError(s.errors))}`);
  if (cli) {
    const l = loaderVerdict(file);
    if (l.verdict === 'error') return fail(file, `loader run failed: ${l.detail}`);
    if (l.verdict === 'rejected') return fail(file, `the loader rejects a valid chain${l.detail ? `: ${l.detail}` : ''}`);
  }
  ++counts.accepted;
  console.log(`ok       ${rel(file)}${cli ? ' (schema and loader accept)' : ''}`);
}

// Files of the loader's invalid corpus: schema rejects => loader rejects.
function checkInvalid(file) {
  const s = schemaVerdict(file);
  if (s.ok) {
    ++counts.accepted;
    console.log(`ok       ${rel(file)} (schema accepts; its error is for the loader alone)`);
    return;
  }
  let reason = describeError(mainError(s.errors));
  if (cli) {
    const l = loaderVerdict(file);
    if (l.verdict === 'error') return fail(file, `loader run failed: ${l.detail}`);
    if (l.verdict === 'accepted') return fail(file, `the schema rejects (${reason}) but the loader accepts`);
    const cmp = compareReasons(s.errors, l);
    if (!cmp.agree) return fail(file, cmp.note);
    reason += ` (${cmp.note})`;
  }
  ++counts.rejected;
  console.log(`rejected ${rel(file)}: ${reason}`);
}

// Files that must be rejected by the schema for the reason the first line
// names in a comment line `# schema-error: INSTANCE-PATH KEYWORD`, and by
// the loader.
function checkNegative(file) {
  const s = schemaVerdict(file);
  const m = /^#\s*schema-error:\s*(\S+)\s+(\S.*?)\s*$/m.exec(s.text);
  if (!m) return fail(file, 'names no expected error: it needs a comment line `# schema-error: INSTANCE-PATH KEYWORD`');
  const [, wantPath, wantKeyword] = m;
  if (s.ok) return fail(file, `the schema accepts a file it must reject (expected ${wantPath} ${wantKeyword})`);
  const normal = (p) => (p === '/' ? '' : p);
  const hit = s.errors.find((e) => e.instancePath === normal(wantPath) && e.keyword === wantKeyword);
  if (!hit) {
    return fail(file, `rejected for another reason than ${wantPath} ${wantKeyword}: ${describeError(mainError(s.errors))}`);
  }
  let reason = describeError(hit);
  if (cli) {
    const l = loaderVerdict(file);
    if (l.verdict === 'error') return fail(file, `loader run failed: ${l.detail}`);
    if (l.verdict === 'accepted') return fail(file, `the schema rejects (${reason}) but the loader accepts`);
    const cmp = compareReasons([hit], l);
    if (!cmp.agree) return fail(file, cmp.note);
    reason += ` (${cmp.note})`;
  }
  ++counts.rejected;
  console.log(`rejected ${rel(file)}: ${reason}`);
}

function section(title, files, check, { emptyNote } = {}) {
  console.log(`-- ${title}`);
  if (files.length === 0) {
    ++counts.skipped;
    console.log(`skip     ${emptyNote}`);
  }
  for (const f of files) check(f);
}

const chains = yamlFiles(path.join(root, 'chains'));
if (opts.requireChains && chains.length === 0) {
  fail(path.join(root, 'chains'), 'holds no chain (*.yaml) and --require-chains was given');
}
section('chains/*.yaml: the schema accepts every chain', chains, checkValid,
        { emptyNote: 'chains/ holds no chain yet' });
section('tests/chains/valid: the schema accepts every valid fixture',
        yamlFiles(path.join(root, 'tests', 'chains', 'valid'), { skipExpect: true }), checkValid,
        { emptyNote: 'tests/chains/valid/ holds no fixture yet' });
section('tests/js/schema-positive: optional keys the schema must accept',
        yamlFiles(path.join(root, 'tests', 'js', 'schema-positive')), checkValid,
        { emptyNote: 'tests/js/schema-positive/ is empty' });
section('tests/chains/invalid: a file the schema rejects, the loader rejects',
        yamlFiles(path.join(root, 'tests', 'chains', 'invalid'), { skipExpect: true }), checkInvalid,
        { emptyNote: 'tests/chains/invalid/ holds no file yet' });
const negatives = yamlFiles(path.join(root, 'tests', 'js', 'schema-negative'));
section('tests/js/schema-negative: broken files the schema must reject', negatives, checkNegative,
        { emptyNote: 'tests/js/schema-negative/ is empty' });
if (negatives.length < 15) fail(path.join(root, 'tests', 'js', 'schema-negative'),
                                `holds ${negatives.length} files; at least 15 prove the schema rejects`);

console.log(`-- ${counts.accepted} accepted, ${counts.rejected} rejected, ${failures} failed` +
            `${cli ? '' : ' (loader checks skipped: no CLI)'}`);
process.exit(failures > 0 ? 1 : 0);

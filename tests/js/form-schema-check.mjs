#!/usr/bin/env node
// form-schema-check: the application schemas against a real validator (ajv,
// draft 2020-12, strict mode) and against `yilian check`.
//
//   node tests/js/form-schema-check.mjs --cli PATH [--root DIR]
//
// 1. schemas/application.schema.json compiles; it accepts every application
//    of tests/applications/ and examples/applications/ that the loader
//    reads, and rejects every tests/applications/load-*.yaml (files the
//    loader rejects for their shape).
// 2. For every chain of chains/ and tests/form/chains/, `yilian form CHAIN
//    --format schema` compiles in strict mode, and on every application to
//    that chain (the fixtures, the examples, and each of them with one field
//    or one material dropped) ajv's verdict is `yilian check`'s: valid when
//    the check finds the application complete, invalid when it does not,
//    except where the check rejects what no schema can see (check
//    characters of IDs and credit codes, calendar dates).
//
// Prints one line per schema and a summary; exits 0 when everything agrees,
// 1 on a disagreement, 2 on a usage or set-up error.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  if (message) console.error(`form-schema-check: ${message}`);
  console.error('usage: node form-schema-check.mjs --cli PATH [--root DIR]');
  process.exit(2);
}

const opts = { cli: process.env.YILIAN_CLI || '', root: path.resolve(here, '..', '..') };
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i];
  if (a === '--cli' && i + 1 < process.argv.length) opts.cli = process.argv[++i];
  else if (a === '--root' && i + 1 < process.argv.length) opts.root = path.resolve(process.argv[++i]);
  else usage(`unknown argument ${a}`);
}
if (!opts.cli || !existsSync(opts.cli)) usage('the yilian CLI is needed (--cli PATH or YILIAN_CLI)');
const root = opts.root;
const rel = (f) => path.relative(root, f);

// Keywords the form schema adds for renderers: annotations, declared so that
// strict mode accepts them and still rejects anything else unknown.
const vocabulary = ['x-yilian-type', 'x-yilian-unit', 'x-yilian-requirement', 'x-yilian-source', 'x-yilian-check'];
function compiler() {
  // Formats are annotations in draft 2020-12 (a renderer shows a date picker); the
  // pattern beside `format: date` does the checking.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateFormats: false });
  ajv.addVocabulary(vocabulary);
  return ajv;
}

function readDoc(file) {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false };
  return { ok: true, value: doc.toJS() };
}

function listApplications() {
  const out = [];
  for (const dir of ['tests/applications', 'examples/applications']) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const n of readdirSync(full).sort())
      if (/\.(ya?ml|json)$/.test(n) && !/\.expect\.ya?ml$/.test(n)) out.push(path.join(full, n));
  }
  return out;
}

let failures = 0;
const fail = (msg) => {
  console.log(`FAIL     ${msg}`);
  ++failures;
};

// --- 1. the generic application schema -----------------------------------

const generic = compiler().compile(JSON.parse(readFileSync(path.join(root, 'schemas/application.schema.json'), 'utf8')));
console.log('ok       schemas/application.schema.json compiles (ajv strict, draft 2020-12)');
const applications = [];
for (const file of listApplications()) {
  const shapeError = path.basename(file).startsWith('load-');
  const doc = readDoc(file);
  const valid = doc.ok && generic(doc.value);
  if (shapeError && valid) fail(`${rel(file)}: the loader rejects its shape, the schema accepts it`);
  if (!shapeError && !valid) fail(`${rel(file)}: the schema rejects it: ${JSON.stringify(generic.errors?.[0])}`);
  if (!shapeError && valid) applications.push({ file, value: doc.value });
}
console.log(`ok       application.schema.json agrees with the loader on ${listApplications().length} files`);

// --- 2. the schema of each chain's applications ----------------------------

const tmp = mkdtempSync(path.join(os.tmpdir(), 'yilian-form-schema-'));
function check(chainFile, value) {
  const f = path.join(tmp, 'application.json');
  writeFileSync(f, JSON.stringify(value));
  const run = spawnSync(opts.cli, ['check', chainFile, f, '--json'], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0 && run.status !== 1) return null;
  return JSON.parse(run.stdout);
}
const blind = new Set(['id-card', 'uscc', 'date']);

const chainFiles = [];
for (const dir of ['chains', 'tests/form/chains'])
  for (const n of readdirSync(path.join(root, dir)).sort())
    if (n.endsWith('.yaml')) chainFiles.push(path.join(root, dir, n));

let compared = 0;
for (const chainFile of chainFiles) {
  const run = spawnSync(opts.cli, ['form', chainFile, '--format', 'schema'], { encoding: 'utf8' });
  if (run.status !== 0) {
    fail(`${rel(chainFile)}: yilian form --format schema exits ${run.status}`);
    continue;
  }
  let validate;
  try {
    validate = compiler().compile(JSON.parse(run.stdout));
  } catch (e) {
    fail(`${rel(chainFile)}: the form schema does not compile in strict mode: ${e.message}`);
    continue;
  }
  const id = JSON.parse(run.stdout).properties.chain.const;
  const mine = applications.filter((a) => a.value.chain === id);
  let n = 0;
  for (const a of mine) {
    const variants = [{ what: '', value: a.value }];
    for (const k of Object.keys(a.value.fields ?? {})) {
      const v = structuredClone(a.value);
      delete v.fields[k];
      variants.push({ what: ` without ${k}`, value: v });
    }
    for (const m of a.value.materials ?? []) {
      const v = structuredClone(a.value);
      v.materials = v.materials.filter((x) => x !== m);
      variants.push({ what: ` without ${m}`, value: v });
    }
    for (const { what, value } of variants) {
      const r = check(chainFile, value);
      if (!r) {
        fail(`${rel(a.file)}${what}: yilian check failed to run`);
        continue;
      }
      if (r.invalid.length > 0 && r.invalid.every((i) => blind.has(i.code))) continue;
      const valid = validate(value);
      const want = r.invalid.length === 0 && r.complete;
      ++n;
      if (valid !== want)
        fail(`${rel(a.file)}${what}: schema says ${valid ? 'valid' : 'invalid'}, check says ` +
             `${r.complete ? 'complete' : 'not complete'}` +
             (valid ? '' : ` (${validate.errors?.[0]?.instancePath} ${validate.errors?.[0]?.message})`));
    }
  }
  compared += n;
  console.log(`ok       ${rel(chainFile)}: form schema compiles; ${n} applications agree with yilian check`);
}
rmSync(tmp, { recursive: true, force: true });
if (compared < 200) fail(`only ${compared} applications compared; the fixtures are missing?`);
console.log(failures ? `${failures} disagreement(s)` : `all agree (${compared} applications)`);
process.exit(failures ? 1 : 0);

#!/usr/bin/env node
// deployment-schema-check: schemas/deployment.schema.json against the
// deployment files and the yilian loader.
//
//   node tests/js/deployment-schema-check.mjs [--cli PATH]
//
// Every examples/deploy/*.yaml must pass the schema and the loader
// (`yilian run --check`); every tests/js/deployment-negative/*.yaml must be
// rejected by both: the schema and the loader agree. Exits 0 when they do,
// 1 on a disagreement, 2 on a set-up error.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const cliIndex = process.argv.indexOf('--cli');
const cli = cliIndex > 0 ? process.argv[cliIndex + 1] : process.env.YILIAN_CLI || '';

const schema = JSON.parse(readFileSync(path.join(root, 'schemas', 'deployment.schema.json'), 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
let validate;
try {
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`deployment-schema-check: the schema does not compile: ${e.message}`);
  process.exit(2);
}

function load(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { version: '1.2', schema: 'core', uniqueKeys: true });
  if (doc.errors.length) return { error: doc.errors[0].message };
  return { value: doc.toJS() };
}

function loader(file) {
  if (!cli) return null;
  const r = spawnSync(cli, ['run', '--check', '--deploy', file], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) {
    console.error(`deployment-schema-check: ${cli} run --check ${file} exited ${r.status}: ${r.stderr}`);
    process.exit(2);
  }
  return r.status === 0;
}

let failures = 0;
const check = (file, expectValid) => {
  const rel = path.relative(root, file);
  const doc = load(file);
  const schemaOk = !doc.error && validate(doc.value);
  const loaderOk = loader(file);
  const agree = schemaOk === expectValid && (loaderOk === null || loaderOk === expectValid);
  if (!agree) failures++;
  const why = schemaOk ? '' : ` (${doc.error || ajv.errorsText(validate.errors)})`;
  console.log(`${agree ? 'ok  ' : 'FAIL'} ${rel}: schema ${schemaOk ? 'accepts' : 'rejects'}, loader ${loaderOk === null ? 'not run' : loaderOk ? 'accepts' : 'rejects'}${expectValid ? '' : why}`);
};

const files = (dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
for (const f of files(path.join(root, 'examples', 'deploy'))) check(f, true);
const negatives = files(path.join(here, 'deployment-negative'));
if (negatives.length === 0) {
  console.error('deployment-schema-check: no negative files');
  process.exit(2);
}
for (const f of negatives) check(f, false);
if (!cli) console.log('loader checks skipped: pass --cli PATH or set YILIAN_CLI');
process.exit(failures ? 1 : 0);

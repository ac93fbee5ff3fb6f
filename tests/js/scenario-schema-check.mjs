// schemas/scenario.schema.json and the scenario loader agree: every file in
// chains/scenarios/ passes the schema and `yilian simulate`; every broken
// scenario below fails both (the loader with exit code 1 and a located
// message).
//
//   node tests/js/scenario-schema-check.mjs --cli build/cli/yilian
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const args = process.argv.slice(2);
const cliAt = args.indexOf('--cli');
const cli = cliAt >= 0 ? args[cliAt + 1] : process.env.YILIAN_CLI || 'build/cli/yilian';

const schema = JSON.parse(readFileSync('schemas/scenario.schema.json', 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);
const read = (text) => YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true }).toJS();

let failures = 0;
const check = (ok, what) => {
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
// A scenario is loaded with the chain it names (`chain:`); the broken ones
// below are kindergarten scenarios.
const loader = (file, chain = 'kindergarten-setup') =>
  spawnSync(cli, ['simulate', chain, file, '--cases', '50', '--json'], { encoding: 'utf8' });

const dir = 'chains/scenarios';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
check(files.length > 0, `${dir} holds scenarios`);
for (const f of files) {
  const file = path.join(dir, f);
  const scenario = read(readFileSync(file, 'utf8'));
  const ok = validate(scenario);
  check(ok, `${file}: the schema accepts it${ok ? '' : ` (${ajv.errorsText(validate.errors)})`}`);
  const r = loader(file, scenario.chain ?? 'kindergarten-setup');
  check(r.status === 0, `${file}: the loader accepts it${r.status === 0 ? '' : `: ${r.stderr.trim()}`}`);
}

// Each broken scenario, the reason the schema gives (instance path and
// keyword), and the key path the loader must name.
const broken = [
  ['horizon: { days: 10 }\narivals: { poisson: 0.1 }\n', '', 'additionalProperties', 'arivals'],
  ['horizon: { days: ten }\n', '/horizon/days', 'type', 'horizon.days'],
  ['horizon: { days: 0 }\n', '/horizon/days', 'minimum', 'horizon.days'],
  ['horizon: { days: 10 }\nmatters: { school-permit: { service: "gamma:2" } }\n', '/matters/school-permit/service', 'pattern',
    'matters.school-permit.service'],
  ['horizon: { days: 10 }\nmatters: { school-permit: { supplement: 1 } }\n', '/matters/school-permit/supplement',
    'exclusiveMaximum', 'matters.school-permit.supplement'],
  ['horizon: { days: 10 }\nmatters: { school-permit: { rejection: 0.1 } }\n', '/matters/school-permit', 'additionalProperties',
    'matters.school-permit.rejection'],
  ['horizon: { days: 10 }\ndepartments: { health: { officers: 0 } }\n', '/departments/health', 'oneOf', 'departments.health.officers'],
  ['horizon: { days: 10 }\noffice_hours: { opens: "9am" }\n', '/office_hours/opens', 'pattern', 'office_hours.opens'],
  ['horizon: { days: 10 }\narrivals: { poisson: 0.1, trace: a.csv }\n', '/arrivals', 'not', 'arrivals'],
  ['horizon: { days: 10 }\nbaseline: { separate: yes }\n', '/baseline/separate', 'type', 'baseline.separate'],
  ['horizon: { days: 10 }\nbranches: { school.serves_meals: { "true": 1.5 } }\n', '/branches/school.serves_meals/true', 'maximum',
    'branches[school.serves_meals].true'],
  ['horizon: { days: 10 }\ndelivery: { method: courier }\n', '/delivery/method', 'oneOf', 'delivery.method'],
];
const tmp = mkdtempSync(path.join(tmpdir(), 'yilian-scenario-'));
try {
  broken.forEach(([text, instancePath, keyword, keyPath], i) => {
    const ok = validate(read(text));
    const hit = !ok && validate.errors.some((e) => e.instancePath === instancePath && e.keyword === keyword);
    check(hit, `broken #${i + 1}: the schema rejects ${instancePath || '/'} (${keyword})${hit ? '' : `: ${ajv.errorsText(validate.errors)}`}`);
    const file = path.join(tmp, `broken-${i + 1}.yaml`);
    writeFileSync(file, text);
    const r = loader(file);
    const located = new RegExp(`broken-${i + 1}\\.yaml:\\d+:\\d+: error: ${keyPath.replace(/[.[\]]/g, '\\$&')}`).test(r.stderr);
    check(r.status === 1 && located, `broken #${i + 1}: the loader rejects it at ${keyPath}${located ? '' : `: ${r.stderr.trim()}`}`);
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (failures) {
  console.error(`\n${failures} check(s) failed`);
  process.exit(1);
}

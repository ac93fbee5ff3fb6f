#!/usr/bin/env node
// bpmn-moddle-check: every exported chain is BPMN 2.0 that bpmn-moddle (the
// model of bpmn.io and Camunda Modeler) reads without a single warning, that
// Camunda's own lint rules for Camunda 8.5 accept, and whose Zeebe
// extensions say what docs/bpmn.md promises.
//
//   node tests/js/bpmn-moddle-check.mjs [--cli PATH] [--root DIR] [--only ID]
//
// For each chain in chains/*.yaml and tests/bpmn/*.yaml:
//   1. bpmn-moddle (with the zeebe moddle schema, so zeebe:* elements are
//      typed too) parses the XML with no warning, and writes it back into
//      XML that parses again to the same elements;
//   2. bpmnlint with `bpmnlint:recommended` and
//      `plugin:camunda-compat/camunda-cloud-8-5` (Camunda Modeler's
//      deployment checks, FEEL syntax included) reports no error;
//   3. the process is executable; every matter is a service task
//      `Task_<id>` with job type `dept-<department>`, a `matter` header and
//      an input per field it lists; every conditional matter has an
//      "applies?" split with one FEEL condition (feelin parses it) and a
//      default flow; every task has a non-interrupting timer whose ISO 8601
//      duration is the promised limit at 7/5 calendar days per working day;
//      lane flowNodeRefs cover every top-level node once.
// A negative control first proves that step 1 sees a broken file.

import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';
import { parseExpression } from 'feelin';

import { exportAll, fail, parseArgs, promisedTimer, zeebeSchema } from './bpmn-lib.mjs';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const opts = parseArgs(process.argv.slice(2));
const moddle = new BpmnModdle({ zeebe: zeebeSchema });
// A linter per file: some rules keep state between runs.
const newLinter = () => new Linter({
  config: { extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-5'] },
  resolver: new NodeResolver({ require }),
});

let failures = 0;
function check(ok, file, message) {
  if (!ok) {
    failures++;
    console.log(`FAIL ${file}: ${message}`);
  }
  return ok;
}

function all(element, out = []) {
  out.push(element);
  for (const key of ['flowElements', 'laneSets', 'lanes', 'rootElements', 'participants'])
    for (const child of element[key] || []) all(child, out);
  return out;
}

function ext(element, type) {
  return (element.extensionElements?.values || []).find((v) => v.$type === type);
}

/** Parses a FEEL expression (without `=`); returns the first error node's text or ''. */
function feelError(expression) {
  const tree = parseExpression(expression, {}, undefined);
  let error = '';
  tree.iterate({ enter: (node) => { if (node.type.isError && !error) error = `error at ${node.from}`; } });
  return error;
}

const exports = exportAll(opts);

// Negative control: the checks must notice a broken file.
{
  const broken = exports[0].xml.replace('<bpmn:startEvent ', '<bpmn:startEvnt ').replace('</bpmn:startEvent>', '</bpmn:startEvnt>');
  const { warnings } = await moddle.fromXML(broken);
  if (!warnings.length) fail('negative control: bpmn-moddle gave no warning for <bpmn:startEvnt>; the warning check would be blind');
}

for (const { file, chain, xml } of exports) {
  const rel = file.slice(opts.root.length + 1);
  const { rootElement: defs, warnings } = await moddle.fromXML(xml);
  check(warnings.length === 0, rel, `bpmn-moddle warnings: ${warnings.slice(0, 5).map((w) => w.message).join('; ')}`);

  // Round trip through moddle's writer.
  const { xml: again } = await moddle.toXML(defs, { format: true });
  const { rootElement: defs2, warnings: w2 } = await moddle.fromXML(again);
  const ids = (d) => all(d).map((e) => e.id).filter(Boolean).sort().join(',');
  check(w2.length === 0 && ids(defs) === ids(defs2), rel, 'the XML bpmn-moddle writes back does not parse to the same elements');

  // Camunda 8.5 deployment rules and bpmnlint's recommended rules.
  const reports = await newLinter().lint(defs);
  for (const [rule, list] of Object.entries(reports))
    for (const r of list)
      if (r.category === 'error' || r.category === 'rule-error')
        check(false, rel, `bpmnlint ${rule}: ${r.id ?? ''} ${r.message}`);

  // What the export promises.
  const process = defs.rootElements.find((e) => e.$type === 'bpmn:Process');
  check(process?.isExecutable === true, rel, 'the process is not executable');
  const elements = new Map(all(process).filter((e) => e.id).map((e) => [e.id, e]));
  const nested = (e) => [e, ...(e.flowElements || []).flatMap(nested)];
  const flowNodes = new Map(nested(process).filter((e) => e.$type !== 'bpmn:SequenceFlow' && e.$type !== 'bpmn:Process')
    .map((e) => [e.id, e]));
  for (const m of chain.matters) {
    const task = flowNodes.get(`Task_${m.id}`);
    if (!check(task?.$type === 'bpmn:ServiceTask', rel, `matter ${m.id}: no service task Task_${m.id}`)) continue;
    check(task.name === m.name, rel, `matter ${m.id}: task named ${task.name}, not ${m.name}`);
    check(ext(task, 'zeebe:TaskDefinition')?.type === `dept-${m.department}`, rel, `matter ${m.id}: job type is not dept-${m.department}`);
    const headers = Object.fromEntries((ext(task, 'zeebe:TaskHeaders')?.values || []).map((h) => [h.key, h.value]));
    check(headers.matter === m.id && headers.chain === chain.id, rel, `matter ${m.id}: headers ${JSON.stringify(headers)}`);
    const inputs = (ext(task, 'zeebe:IoMapping')?.inputParameters || []).map((p) => p.target);
    const wanted = (m.fields || []).map((f) => (typeof f === 'object' ? Object.keys(f)[0] : f));
    check(JSON.stringify(inputs) === JSON.stringify(wanted), rel, `matter ${m.id}: inputs ${inputs} are not its fields ${wanted}`);
    for (const p of [...(ext(task, 'zeebe:IoMapping')?.inputParameters || []), ...(ext(task, 'zeebe:IoMapping')?.outputParameters || [])])
      check(p.source.startsWith('=') && !feelError(p.source.slice(1)), rel, `matter ${m.id}: mapping source ${p.source} is not FEEL`);

    const timer = [...flowNodes.values()].find((e) => e.$type === 'bpmn:BoundaryEvent' && e.attachedToRef?.id === task.id);
    const duration = timer?.eventDefinitions?.[0]?.timeDuration?.body;
    const want = promisedTimer(m);
    check(want && timer && timer.cancelActivity === false && duration === want, rel,
      `matter ${m.id}: timer ${duration} (cancelActivity ${timer?.cancelActivity}), expected ${want}`);

    const applies = flowNodes.get(`Applies_${m.id}`);
    if (!m.when) {
      check(!applies, rel, `matter ${m.id} has no condition but an applies gateway`);
      continue;
    }
    if (!check(applies?.$type === 'bpmn:ExclusiveGateway', rel, `conditional matter ${m.id}: no exclusive applies gateway`)) continue;
    const conditional = applies.outgoing.filter((f) => f.conditionExpression);
    check(conditional.length === 1 && conditional[0].targetRef.id === task.id, rel, `matter ${m.id}: not one conditional flow to the task`);
    check(applies.default && !applies.default.conditionExpression && applies.outgoing.length === 2, rel, `matter ${m.id}: no default flow`);
    const body = conditional[0]?.conditionExpression?.body || '';
    check(conditional[0]?.conditionExpression?.$type === 'bpmn:FormalExpression' && body.startsWith('='), rel,
      `matter ${m.id}: condition ${body} is not a FEEL formal expression`);
    const err = feelError(body.slice(1));
    check(!err, rel, `matter ${m.id}: FEEL ${body} does not parse (${err})`);
    check(applies.$parent?.$type === 'bpmn:SubProcess' && applies.$parent === task.$parent, rel,
      `matter ${m.id}: split and task are not in one sub-process`);
  }

  // Lanes hold every top-level flow node exactly once.
  const refs = (process.laneSets || []).flatMap((ls) => ls.lanes.flatMap((l) => (l.flowNodeRef || []).map((n) => n.id)));
  const topLevel = (process.flowElements || []).filter((e) => e.$type !== 'bpmn:SequenceFlow').map((e) => e.id);
  check(refs.length === new Set(refs).size && [...refs].sort().join() === [...topLevel].sort().join(), rel,
    'lane flowNodeRefs do not cover every top-level node exactly once');
  check(elements.size > 0, rel, 'no elements');

  console.log(`${failures ? 'checked' : 'ok  '} ${rel}: ${flowNodes.size} flow nodes, no moddle warning, lint clean`);
}
console.log(failures ? `bpmn-moddle-check: ${failures} failure(s)` : `bpmn-moddle-check: ${exports.length} exports clean`);
process.exit(failures ? 1 : 0);

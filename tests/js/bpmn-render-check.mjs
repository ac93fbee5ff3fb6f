#!/usr/bin/env node
// bpmn-render-check: every exported chain renders in bpmn-js (the library
// behind bpmn.io and Camunda Modeler) in headless Chromium, as exported,
// without re-layout.
//
//   node tests/js/bpmn-render-check.mjs [--cli PATH] [--root DIR] [--only ID]
//        [--out DIR] [--screenshot ID=FILE]...
//
// For each chain in chains/*.yaml and tests/bpmn/*.yaml:
//   1. bpmn-js imports the XML with no warning;
//   2. every matter of the chain is a service task shape `Task_<id>`, and the
//      acceptance, delivery and end are shapes too;
//   3. no two flow-node shapes overlap (a boundary timer may overlap its
//      task, a node its own sub-process), and every shape lies inside its
//      department's lane;
//   4. every sequence flow is drawn with its waypoints.
// A screenshot of each diagram goes to --out (default build/bpmn-render/);
// --screenshot kindergarten-setup=docs/bpmn-kindergarten.png writes one to
// a chosen file as well.
//
// Chromium is Debian's /usr/bin/chromium (override with $CHROMIUM), driven
// by playwright-core with a fresh profile; bpmn-js is served from
// node_modules on 127.0.0.1 (no network, no CDN).

import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { exportAll, fail, here, parseArgs } from './bpmn-lib.mjs';

const argv = process.argv.slice(2);
const shots = {};
const rest = [];
let outDir = '';
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--screenshot') {
    const [id, file] = (argv[++i] || '').split('=');
    if (!id || !file) fail('--screenshot needs ID=FILE', 2);
    shots[id] = path.resolve(file);
  } else if (argv[i] === '--out') outDir = path.resolve(argv[++i] || '');
  else rest.push(argv[i]);
}
const opts = parseArgs(rest);
outDir ||= path.join(opts.root, 'build', 'bpmn-render');
mkdirSync(outDir, { recursive: true });

const dist = path.join(here, 'node_modules', 'bpmn-js', 'dist');
const page = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/assets/diagram-js.css"><link rel="stylesheet" href="/assets/bpmn-js.css">
<style>html,body,#canvas{margin:0;width:100%;height:100%;background:#fff}</style></head>
<body><div id="canvas"></div><script src="/bpmn-viewer.production.min.js"></script></body></html>`;
const types = { '.js': 'text/javascript', '.css': 'text/css', '.woff': 'font/woff', '.woff2': 'font/woff2',
  '.ttf': 'font/ttf', '.eot': 'application/vnd.ms-fontobject', '.svg': 'image/svg+xml' };

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(page);
  }
  const file = path.join(dist, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
  if (!file.startsWith(dist)) {
    res.writeHead(403);
    return res.end();
  }
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

const profile = mkdtempSync(path.join(os.tmpdir(), 'yilian-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1600, height: 1000 },
});
// Nothing leaves the machine: any request that is not to our server fails the run.
const offsite = [];
await context.route('**/*', (route) => {
  if (route.request().url().startsWith(base)) return route.continue();
  offsite.push(route.request().url());
  return route.abort();
});

let failures = 0;
function check(ok, file, message) {
  if (!ok) {
    failures++;
    console.log(`FAIL ${file}: ${message}`);
  }
  return ok;
}

/** Rectangles overlap with some area (touching edges do not count). */
function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function render(tab, xml) {
  await tab.goto(base);
  return tab.evaluate(async (source) => {
    const viewer = new window.BpmnJS({ container: '#canvas' });
    const { warnings } = await viewer.importXML(source);
    const registry = viewer.get('elementRegistry');
    const shapes = [];
    const edges = [];
    for (const e of registry.getAll()) {
      const bo = e.businessObject;
      if (e.waypoints) edges.push({ id: e.id, type: e.type, points: e.waypoints.map((p) => ({ x: p.x, y: p.y })),
        source: e.source?.id, target: e.target?.id });
      else if (e.type !== 'label' && e.parent)
        shapes.push({ id: e.id, type: e.type, x: e.x, y: e.y, width: e.width, height: e.height,
          parent: e.parent.id, host: e.host ? e.host.id : null,
          lane: (bo.lanes || [])[0]?.id ?? null });
    }
    const canvas = viewer.get('canvas');
    const box = canvas.viewbox().inner;
    return { warnings: warnings.map((w) => w.message), shapes, edges, box };
  }, xml);
}

/** What is wrong with one rendered diagram: a list of messages. */
function problems(result, chain, xml) {
  const out = [];
  const check = (ok, message) => { if (!ok) out.push(message); return ok; };

  check(result.warnings.length === 0, `bpmn-js import warnings: ${result.warnings.join('; ')}`);
  const byId = new Map(result.shapes.map((s) => [s.id, s]));
  for (const m of chain.matters)
    check(byId.get(`Task_${m.id}`)?.type === 'bpmn:ServiceTask', `matter ${m.id} has no service task shape`);
  for (const id of ['Accept', 'Deliver', 'Done']) check(byId.has(id), `no shape ${id}`);

  // Overlaps among flow nodes (lanes and the pool contain everything).
  const nodes = result.shapes.filter((s) => !['bpmn:Participant', 'bpmn:Lane'].includes(s.type));
  let overlaps = 0;
  for (let i = 0; i < nodes.length; ++i) {
    for (let j = i + 1; j < nodes.length; ++j) {
      const a = nodes[i], b = nodes[j];
      if (a.host === b.id || b.host === a.id || a.parent === b.id || b.parent === a.id) continue;
      if (overlap(a, b) && overlaps++ < 5) check(false, `shapes ${a.id} and ${b.id} overlap`);
    }
  }
  // Every top-level node inside the bounds of its lane.
  for (const s of nodes) {
    if (!s.lane) continue;
    const lane = byId.get(s.lane);
    const inside = lane && s.x >= lane.x && s.y >= lane.y && s.x + s.width <= lane.x + lane.width &&
      s.y + s.height <= lane.y + lane.height;
    check(inside, `${s.id} lies outside its lane ${s.lane}`);
  }
  const flows = (xml.match(/<bpmn:sequenceFlow /g) || []).length;
  const drawn = result.edges.filter((e) => e.type === 'bpmn:SequenceFlow' && e.points.length >= 2);
  check(drawn.length === flows, `${flows} sequence flows in the XML, not all drawn with waypoints`);
  // Flows stay in the pool, run horizontally or vertically, and pass
  // through no shape but their own ends (and the sub-processes holding them).
  const pool = result.shapes.find((s) => s.type === 'bpmn:Participant');
  const ancestors = (id) => {
    const out = new Set();
    for (let s = byId.get(id); s; s = byId.get(s.parent)) out.add(s.id);
    return out;
  };
  let crossings = 0;
  for (const e of drawn) {
    const skip = new Set([...ancestors(e.source), ...ancestors(e.target)]);
    for (const p of e.points)
      if (!(p.x >= pool.x && p.x <= pool.x + pool.width && p.y >= pool.y && p.y <= pool.y + pool.height))
        check(false, `flow ${e.id} leaves the pool at (${p.x}, ${p.y})`);
    for (let k = 1; k < e.points.length; ++k) {
      const [p, q] = [e.points[k - 1], e.points[k]];
      if (p.x !== q.x && p.y !== q.y) check(false, `flow ${e.id} has a diagonal segment`);
      const seg = { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: Math.abs(p.x - q.x) || 0.01,
        height: Math.abs(p.y - q.y) || 0.01 };
      for (const s of nodes) {
        if (skip.has(s.id) || s.type === 'bpmn:SubProcess') continue;
        const inner = { x: s.x + 1, y: s.y + 1, width: s.width - 2, height: s.height - 2 };
        if (overlap(seg, inner) && crossings++ < 5) check(false, `flow ${e.id} crosses ${s.id}`);
      }
    }
  }

  return out;
}

try {
  const exported = exportAll(opts);
  // Negative control: a task moved onto the start event must be reported.
  {
    const { chain, xml } = exported[0];
    const accept = /id="Accept_di"[^>]*>\s*<dc:Bounds x="([^"]+)" y="([^"]+)"/.exec(xml);
    const moved = xml.replace(new RegExp(`(id="Task_${chain.matters[0].id}_di"[^>]*>\\s*<dc:Bounds) x="[^"]+" y="[^"]+"`),
      `$1 x="${accept[1]}" y="${accept[2]}"`);
    const tab = await context.newPage();
    const found = problems(await render(tab, moved), chain, moved);
    await tab.close();
    if (!found.some((m) => m.includes('overlap'))) fail('negative control: a task moved onto the start event was not reported');
  }
  for (const { file, chain, xml } of exported) {
    const tab = await context.newPage();
    const result = await render(tab, xml);
    for (const message of problems(result, chain, xml)) check(false, file, message);

    // Screenshot of the whole diagram at 1:1.
    const width = Math.min(Math.ceil(result.box.x + result.box.width + 60), 6000);
    const height = Math.min(Math.ceil(result.box.y + result.box.height + 60), 4000);
    await tab.setViewportSize({ width, height });
    await tab.evaluate(() => {
      const canvas = document.querySelector('#canvas');
      canvas.style.width = `${window.innerWidth}px`;
      canvas.style.height = `${window.innerHeight}px`;
    });
    const png = path.join(outDir, `${chain.id}.png`);
    await tab.screenshot({ path: png, fullPage: true });
    if (shots[chain.id]) await tab.screenshot({ path: shots[chain.id], fullPage: true });
    await tab.close();
    console.log(`${failures ? 'checked' : 'ok  '} ${path.relative(opts.root, file)}: ${chain.matters.length} matters, ` +
      `${result.shapes.length} shapes, ${result.edges.length} edges -> ${path.relative(opts.root, png)}`);
  }
  check(offsite.length === 0, 'chromium', `requests left the machine: ${offsite.slice(0, 3).join(', ')}`);
  for (const [id, file] of Object.entries(shots))
    try { readFileSync(file); } catch { check(false, id, `no chain ${id} was rendered for --screenshot`); }
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures ? `bpmn-render-check: ${failures} failure(s)` : 'bpmn-render-check: all diagrams render');
process.exit(failures ? 1 : 0);

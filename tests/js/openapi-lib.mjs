// The HTTP API's contract (schemas/openapi.json) as a checker the end-to-end
// tests call on every answer of `yilian serve`:
//
//   import { loadContract } from './openapi-lib.mjs';
//   const contract = await loadContract();            // schemas/openapi.json
//   contract.check({ method: 'GET', path: '/api/v1/cases/12', status: 200,
//                    contentType: res.headers.get('content-type'), body });
//   contract.unexercised();   // documented operations no check() matched yet
//
// check() finds the operation by method and concrete path (literal segments
// win over {param} segments from the left; the query string is ignored),
// requires the status to be documented for it, the content type (without
// parameters such as charset) to be documented for that status, and the
// body (already parsed JSON) to match the schema, with Ajv's draft 2020-12
// validator over the document's own schemas. A text/event-stream body is not
// validated. Any mismatch throws an Error naming method, path, status and
// the problems.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project root (tests/js/../..). */
export const projectRoot = path.resolve(here, '..', '..');
/** The key the document is registered under with Ajv. */
const DOC_ID = 'openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** OpenAPI's top-level members: annotations for Ajv, which compiles the document's root as a schema. */
const OPENAPI_KEYWORDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];

/** Resolves `file` against the working directory, else the project root. */
function locate(file) {
  if (path.isAbsolute(file) || existsSync(file)) return file;
  const fromRoot = path.join(projectRoot, file);
  return existsSync(fromRoot) ? fromRoot : file;
}

/** JSON Pointer escaping of one reference token (RFC 6901). */
const escapeToken = (s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');

/** "application/json; charset=utf-8" → "application/json". */
export function mediaType(contentType) {
  if (contentType === undefined || contentType === null) return '';
  return String(contentType).split(';')[0].trim().toLowerCase();
}

/** True for media types whose bodies are JSON (application/json, application/problem+json, …). */
export function isJsonMediaType(type) {
  return type === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.-]+\+json$/.test(type);
}

/** The path without query string or fragment. */
function pathOnly(p) {
  const s = String(p);
  const cut = s.search(/[?#]/);
  return cut < 0 ? s : s.slice(0, cut);
}

const isParam = (segment) => /^\{[^{}]+\}$/.test(segment);

/** Ajv's errors as lines: "/cases/0/stage must be equal to one of the allowed values (…)". */
export function formatAjvErrors(errors, max = 25) {
  const all = errors ?? [];
  const lines = all
    .slice(0, max)
    .map((e) => {
      const where = e.instancePath === '' ? '(body)' : e.instancePath;
      const params = Object.keys(e.params ?? {}).length ? ` ${JSON.stringify(e.params)}` : '';
      return `  ${where} ${e.message}${params} [${e.schemaPath}]`;
    });
  if (all.length > max) lines.push(`  … and ${all.length - max} more`);
  return lines.join('\n');
}

/**
 * The documented (method, template) pairs of an OpenAPI document, in
 * document order: [{ method: 'GET', template: '/api/v1/cases/{id}',
 * operationId }]. `source` is a contract from loadContract(), a parsed
 * document, or a file name (default schemas/openapi.json).
 */
export function operations(source = 'schemas/openapi.json') {
  let doc = source;
  if (typeof source === 'string') doc = JSON.parse(readFileSync(locate(source), 'utf8'));
  else if (source && source.document) doc = source.document;
  const out = [];
  for (const [template, item] of Object.entries(doc.paths ?? {}))
    for (const method of METHODS)
      if (item[method]) out.push({ method: method.toUpperCase(), template, operationId: item[method].operationId });
  return out;
}

/**
 * Loads the OpenAPI document and returns its contract:
 *   check({method, path, status, contentType, body}) → {method, template, operationId, status, contentType}
 *   checkRequest({method, path, contentType, body}) → the same, for a request body
 *   checkSchema(name, value) → true, for components/schemas/NAME
 *   find(method, path) → {method, template, operationId, operation} or null
 *   operations() → [{method, template, operationId}]
 *   exercised() → the operations check() has matched so far ("GET /api/v1/health", …)
 *   unexercised() → the documented operations check() never matched
 *   document → the parsed document
 * Every schema of every documented answer is compiled at load time, so a
 * broken schema fails here, not in the middle of a test.
 */
export async function loadContract(file = 'schemas/openapi.json') {
  const where = locate(file);
  const document = JSON.parse(readFileSync(where, 'utf8'));
  if (!document || typeof document !== 'object' || !document.paths)
    throw new Error(`${where}: not an OpenAPI document (no paths)`);

  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema(document, DOC_ID);

  /** Compiles the schema at `pointer` (a JSON Pointer into the document). */
  const compile = (pointer, what) => {
    try {
      const validate = ajv.getSchema(`${DOC_ID}#${pointer}`);
      if (!validate) throw new Error('no schema there');
      return validate;
    } catch (e) {
      throw new Error(`${where}: ${what}: the schema does not compile: ${e.message}`);
    }
  };

  // Templates split into segments, and every answer's validators.
  const routes = [];
  for (const [template, item] of Object.entries(document.paths)) {
    const segments = template.split('/');
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const answers = new Map(); // status → Map(mediaType → validate | null)
      for (const [status, response0] of Object.entries(op.responses ?? {})) {
        if (!/^[1-5][0-9][0-9]$/.test(status))
          throw new Error(`${where}: ${method.toUpperCase()} ${template}: response "${status}" is not a status code`);
        let response = response0;
        let base = `/paths/${escapeToken(template)}/${method}/responses/${escapeToken(status)}`;
        if (response.$ref) {
          const m = /^#\/components\/responses\/([^/]+)$/.exec(response.$ref);
          if (!m) throw new Error(`${where}: ${base}: unsupported $ref ${response.$ref}`);
          response = document.components?.responses?.[m[1]];
          if (!response) throw new Error(`${where}: ${base}: dangling $ref ${response0.$ref}`);
          base = `/components/responses/${escapeToken(m[1])}`;
        }
        const types = new Map();
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const key = mediaType(type);
          const validate =
            media.schema && isJsonMediaType(key)
              ? compile(`${base}/content/${escapeToken(type)}/schema`, `${method.toUpperCase()} ${template} ${status} ${type}`)
              : null;
          types.set(key, validate);
        }
        answers.set(status, types);
      }
      let request = null;
      if (op.requestBody) {
        let rb = op.requestBody;
        let base = `/paths/${escapeToken(template)}/${method}/requestBody`;
        const m = rb.$ref && /^#\/components\/requestBodies\/([^/]+)$/.exec(rb.$ref);
        if (m) {
          rb = document.components.requestBodies[m[1]];
          base = `/components/requestBodies/${escapeToken(m[1])}`;
        }
        request = { required: !!rb.required, types: new Map() };
        for (const [type, media] of Object.entries(rb.content ?? {})) {
          const key = mediaType(type);
          request.types.set(
            key,
            media.schema && isJsonMediaType(key)
              ? compile(`${base}/content/${escapeToken(type)}/schema`, `${method.toUpperCase()} ${template} request ${type}`)
              : null,
          );
        }
      }
      routes.push({ method: method.toUpperCase(), template, segments, operationId: op.operationId, operation: op, answers, request });
    }
  }

  /** The best route for `method` and the concrete `p`: literal segments win over parameters from the left. */
  const find = (method, p) => {
    const segs = pathOnly(p).split('/');
    const m = String(method).toUpperCase();
    let best = null;
    for (const r of routes) {
      if (r.method !== m || r.segments.length !== segs.length) continue;
      let fits = true;
      for (let i = 0; i < segs.length && fits; i++)
        fits = isParam(r.segments[i]) ? segs[i] !== '' : r.segments[i] === segs[i];
      if (!fits) continue;
      if (!best) {
        best = r;
        continue;
      }
      for (let i = 0; i < segs.length; i++) {
        const a = isParam(r.segments[i]), b = isParam(best.segments[i]);
        if (a !== b) {
          if (!a) best = r;
          break;
        }
      }
    }
    return best;
  };

  const exercised = new Set();
  const key = (r) => `${r.method} ${r.template}`;

  const fail = (what, problem) => {
    throw new Error(`${what}: ${problem}`);
  };

  /** Checks one answer against the contract; throws on any mismatch. */
  const check = ({ method, path: p, status, contentType, body } = {}) => {
    const what = `${String(method).toUpperCase()} ${p} → ${status}`;
    const route = find(method, p);
    if (!route) fail(what, 'no documented operation for this method and path');
    exercised.add(key(route));
    const code = String(status);
    const types = route.answers.get(code);
    if (!types)
      fail(what, `status ${code} is not documented for ${key(route)} (documented: ${[...route.answers.keys()].join(', ')})`);
    const type = mediaType(contentType);
    if (types.size === 0) {
      if (type !== '') fail(what, `${key(route)} answers ${code} without a body, not with content type ${contentType}`);
      if (!(body === undefined || body === null || body === ''))
        fail(what, `${key(route)} answers ${code} without a body, but a body came`);
      return { method: route.method, template: route.template, operationId: route.operationId, status: code, contentType: '' };
    }
    if (!types.has(type))
      fail(
        what,
        `content type ${contentType === undefined || contentType === null ? '(none)' : JSON.stringify(contentType)} is not documented for ${key(route)} ${code} (documented: ${[...types.keys()].join(', ')})`,
      );
    const validate = types.get(type);
    if (validate && !validate(body))
      fail(what, `the ${type} body does not match the schema of ${key(route)} ${code}:\n${formatAjvErrors(validate.errors)}`);
    return { method: route.method, template: route.template, operationId: route.operationId, status: code, contentType: type };
  };

  /** Checks a request body against the operation's documented request body; throws on any mismatch. */
  const checkRequest = ({ method, path: p, contentType = 'application/json', body } = {}) => {
    const what = `${String(method).toUpperCase()} ${p} (request)`;
    const route = find(method, p);
    if (!route) fail(what, 'no documented operation for this method and path');
    if (!route.request) {
      if (body !== undefined && body !== null && body !== '') fail(what, `${key(route)} takes no body`);
      return { method: route.method, template: route.template, operationId: route.operationId };
    }
    const type = mediaType(contentType);
    if (!route.request.types.has(type))
      fail(what, `content type ${contentType} is not documented (documented: ${[...route.request.types.keys()].join(', ')})`);
    const validate = route.request.types.get(type);
    if (validate && !validate(body))
      fail(what, `the body does not match the request schema of ${key(route)}:\n${formatAjvErrors(validate.errors)}`);
    return { method: route.method, template: route.template, operationId: route.operationId };
  };

  /** Validates `value` against components/schemas/`name`; throws on a mismatch. */
  const checkSchema = (name, value) => {
    const validate = compile(`/components/schemas/${escapeToken(name)}`, `components/schemas/${name}`);
    if (!validate(value)) fail(`schema ${name}`, `the value does not match:\n${formatAjvErrors(validate.errors)}`);
    return true;
  };

  const contract = {
    document,
    file: where,
    check,
    checkRequest,
    checkSchema,
    find: (method, p) => {
      const r = find(method, p);
      return r ? { method: r.method, template: r.template, operationId: r.operationId, operation: r.operation } : null;
    },
    operations: () => operations(document),
    exercised: () => [...exercised],
    unexercised: () => routes.filter((r) => !exercised.has(key(r))).map((r) => ({ method: r.method, template: r.template, operationId: r.operationId })),
  };
  return contract;
}

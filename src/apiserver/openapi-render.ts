/**
 * Renders the neutral route and schema forms (openapi-model.ts) as Swagger 2.0 or OpenAPI 3.0 the
 * way Kubernetes writes its own documents: definition names of the Go types, $ref wrapping in 3.0,
 * the x-kubernetes extensions, and only the definitions a document's routes reach.
 */
import {
  DEF,
  type ErrorCode,
  type GroupVersionKind,
  type Operation,
  type Param,
  type Schema,
} from './openapi-model.js';

export interface OpenApiInfo {
  title: string;
  version: string;
}

type Json = string | number | boolean | null | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

type Dialect = 'v2' | 'v3';

const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
  400: 'Bad Request: a selector or a path segment could not be parsed.',
  401: 'Unauthorized: no credentials, or credentials that could not be verified.',
  403: 'Forbidden: the caller may not read this resource.',
  404: 'Not Found: unknown metric or resource, or no value for the one object asked for.',
  503: 'Service Unavailable: the metrics backend is down or returned an error.',
  504: 'Gateway Timeout: the metrics backend did not answer in time.',
};

const refPrefix = (d: Dialect): string => (d === 'v2' ? '#/definitions/' : '#/components/schemas/');

function sortedKeys<T>(record: Readonly<Record<string, T>>): string[] {
  return Object.keys(record).sort();
}

function renderSchema(s: Schema, d: Dialect): JsonObject {
  const out: JsonObject = {};
  if (s.ref !== undefined) {
    const $ref = refPrefix(d) + s.ref;
    if (d === 'v2') {
      // Swagger 2.0 tolerates siblings of $ref; Kubernetes puts the field description there.
      if (s.description !== undefined) out.description = s.description;
      out.$ref = $ref;
      return out;
    }
    // OpenAPI 3.0 ignores siblings of $ref, so wrap it the way Kubernetes does.
    if (s.description === undefined && s.nullable !== true) return { $ref };
    if (s.description !== undefined) out.description = s.description;
    if (s.nullable === true) out.nullable = true;
    out.allOf = [{ $ref }];
    return out;
  }
  if (s.description !== undefined) out.description = s.description;
  if (s.type !== undefined) out.type = s.type;
  if (s.format !== undefined) out.format = s.format;
  if (s.nullable === true && d === 'v3') out.nullable = true;
  if (s.items !== undefined) out.items = renderSchema(s.items, d);
  if (s.additionalProperties !== undefined)
    out.additionalProperties = renderSchema(s.additionalProperties, d);
  if (s.properties !== undefined) {
    const props: JsonObject = {};
    for (const key of sortedKeys(s.properties)) {
      const prop = s.properties[key];
      if (prop !== undefined) props[key] = renderSchema(prop, d);
    }
    out.properties = props;
  }
  if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
  if (s.gvk !== undefined) out['x-kubernetes-group-version-kind'] = s.gvk.map(gvkJson);
  if (s.listType !== undefined) out['x-kubernetes-list-type'] = s.listType;
  if (s.mapType !== undefined) out['x-kubernetes-map-type'] = s.mapType;
  return out;
}

function gvkJson(g: GroupVersionKind): JsonObject {
  return { group: g.group, kind: g.kind, version: g.version };
}

function collectRefs(s: Schema, out: string[]): void {
  if (s.ref !== undefined) out.push(s.ref);
  if (s.items !== undefined) collectRefs(s.items, out);
  if (s.additionalProperties !== undefined) collectRefs(s.additionalProperties, out);
  if (s.properties !== undefined) for (const p of Object.values(s.properties)) collectRefs(p, out);
}

type Schemas = ReadonlyMap<string, Schema>;

function schemaOf(schemas: Schemas, name: string): Schema {
  const s = schemas.get(name);
  if (s === undefined) throw new Error(`openapi: no schema for definition ${name}`);
  return s;
}

/** The named definitions plus everything they reference, sorted by name. */
function definitionClosure(schemas: Schemas, roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const refs: string[] = [];
    collectRefs(schemaOf(schemas, name), refs);
    stack.push(...refs);
  }
  return [...seen].sort();
}

function renderDefinitions(ops: readonly Operation[], schemas: Schemas, d: Dialect): JsonObject {
  const roots = ops.flatMap((op) => (op.errors.length > 0 ? [op.response, DEF.Status] : [op.response]));
  const out: JsonObject = {};
  for (const name of definitionClosure(schemas, roots)) out[name] = renderSchema(schemaOf(schemas, name), d);
  return out;
}

function renderParam(p: Param, d: Dialect): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.in === 'path') out.required = true;
  if (d === 'v2') out.type = 'string';
  else out.schema = { type: 'string' };
  return out;
}

function renderResponse(description: string, def: string, d: Dialect): JsonObject {
  const schema = { $ref: refPrefix(d) + def };
  return d === 'v2' ? { description, schema } : { description, content: { 'application/json': { schema } } };
}

function renderOperation(op: Operation, d: Dialect): JsonObject {
  const responses: JsonObject = { '200': renderResponse('OK', op.response, d) };
  for (const code of op.errors)
    responses[String(code)] = renderResponse(ERROR_DESCRIPTIONS[code], DEF.Status, d);
  const out: JsonObject = {
    description: op.description,
    operationId: op.operationId,
    tags: [op.tag],
  };
  if (d === 'v2') {
    out.produces = ['application/json'];
    out.schemes = ['https'];
  }
  if (op.queryParams.length > 0) out.parameters = op.queryParams.map((p) => renderParam(p, d));
  out.responses = responses;
  if (op.action !== undefined) out['x-kubernetes-action'] = op.action;
  if (op.gvk !== undefined) out['x-kubernetes-group-version-kind'] = gvkJson(op.gvk);
  return out;
}

function renderPaths(ops: readonly Operation[], d: Dialect): JsonObject {
  const byPath = new Map<string, Operation>();
  for (const op of ops) {
    if (byPath.has(op.path)) throw new Error(`openapi: duplicate route ${op.path}`);
    byPath.set(op.path, op);
  }
  const out: JsonObject = {};
  for (const path of [...byPath.keys()].sort()) {
    const op = byPath.get(path);
    if (op === undefined) continue;
    const item: JsonObject = { get: renderOperation(op, d) };
    if (op.pathParams.length > 0) item.parameters = op.pathParams.map((p) => renderParam(p, d));
    out[path] = item;
  }
  return out;
}

const BEARER_TOKEN: JsonObject = {
  type: 'apiKey',
  name: 'authorization',
  in: 'header',
  description: 'Bearer token authentication: send "Authorization: Bearer <token>".',
};
const SECURITY: Json = [{ BearerToken: [] }];

/** The Swagger 2.0 document of the routes, with the definitions they use (from schemas). */
export function renderV2(info: OpenApiInfo, ops: readonly Operation[], schemas: Schemas): JsonObject {
  return {
    swagger: '2.0',
    info: { title: info.title, version: info.version },
    paths: renderPaths(ops, 'v2'),
    definitions: renderDefinitions(ops, schemas, 'v2'),
    securityDefinitions: { BearerToken: BEARER_TOKEN },
    security: SECURITY,
  };
}

/** The OpenAPI 3.0 document of one group-version's routes, with the definitions they use. */
export function renderV3(info: OpenApiInfo, ops: readonly Operation[], schemas: Schemas): JsonObject {
  return {
    openapi: '3.0.0',
    info: { title: info.title, version: info.version },
    paths: renderPaths(ops, 'v3'),
    components: {
      schemas: renderDefinitions(ops, schemas, 'v3'),
      securitySchemes: { BearerToken: BEARER_TOKEN },
    },
    security: SECURITY,
  };
}

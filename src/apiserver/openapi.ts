/**
 * OpenAPI documents for the kube-aggregator. It downloads `/openapi/v2` (one Swagger 2.0 document,
 * merged into the cluster's spec) and `/openapi/v3` (a discovery index pointing at one OpenAPI 3.0
 * document per group-version, each addressed with a content hash so clients can cache it forever).
 * The documents describe exactly the routes and types this server answers, using the definition
 * names Kubernetes uses for the Go types. Everything is rendered and serialized once at startup from
 * the neutral route and schema tables below (schemas live in openapi-schemas.ts); the HTTP handlers
 * only send the resulting strings.
 */
import { createHash } from 'node:crypto';
import { DEF, SCHEMAS, type DefinitionName, type GroupVersionKind, type Schema } from './openapi-schemas.js';

export interface OpenApiDocuments {
  /** Serialized Swagger 2.0 document. */
  v2: string;
  /** Serialized `/openapi/v3` discovery index. */
  v3Root: string;
  /** 'apis/<group>/<version>' → serialized OpenAPI 3.0.0 document, its quoted ETag and its hash. */
  v3: ReadonlyMap<string, { body: string; etag: string; hash: string }>;
}

export interface OpenApiInfo {
  title: string;
  version: string;
}

// ---- JSON output types ----------------------------------------------------------------------------

type Json = string | number | boolean | null | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

type Dialect = 'v2' | 'v3';

// ---- route table ----------------------------------------------------------------------------------

interface Param {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
}

interface Operation {
  readonly path: string;
  readonly operationId: string;
  readonly description: string;
  readonly tag: string;
  readonly pathParams: readonly Param[];
  readonly queryParams: readonly Param[];
  readonly response: DefinitionName;
  readonly errors: readonly ErrorCode[];
  readonly action?: 'get' | 'list';
  readonly gvk?: GroupVersionKind;
  /** 'apis/<group>/<version>' when the route belongs to a group-version's v3 document. */
  readonly groupVersion?: string;
}

type ErrorCode = 400 | 401 | 403 | 404 | 503 | 504;

const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
  400: 'Bad Request: a selector or a path segment could not be parsed.',
  401: 'Unauthorized: no credentials, or credentials that could not be verified.',
  403: 'Forbidden: the caller may not read this resource.',
  404: 'Not Found: unknown metric or resource, or no value for the one object asked for.',
  503: 'Service Unavailable: the metrics backend is down or returned an error.',
  504: 'Gateway Timeout: the metrics backend did not answer in time.',
};

const DISCOVERY_ERRORS: readonly ErrorCode[] = [401, 403];
const METRIC_ERRORS: readonly ErrorCode[] = [400, 401, 403, 404, 503, 504];

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', description });
const queryParam = (name: string, description: string): Param => ({ name, in: 'query', description });

const P_NAMESPACE = pathParam('namespace', 'Namespace of the objects the request is about.');
const P_METRIC = pathParam('metric', 'Name of the metric.');

const Q_PRETTY = queryParam('pretty', 'When "true", the response JSON is indented.');
const Q_FIELD_SELECTOR = queryParam('fieldSelector', 'Restricts the objects returned by their fields.');

interface ApiGroup {
  readonly group: string;
  /** Upper camel case, used in operation ids. */
  readonly ident: string;
  /** Lower camel case, used in tags. */
  readonly tag: string;
  readonly versions: readonly string[];
  readonly description: string;
}

const CUSTOM: ApiGroup = {
  group: 'custom.metrics.k8s.io',
  ident: 'CustomMetrics',
  tag: 'customMetrics',
  versions: ['v1beta1', 'v1beta2'],
  description: 'metrics describing Kubernetes objects',
};
const EXTERNAL: ApiGroup = {
  group: 'external.metrics.k8s.io',
  ident: 'ExternalMetrics',
  tag: 'externalMetrics',
  versions: ['v1beta1'],
  description: 'metrics not tied to a Kubernetes object',
};
const RESOURCE: ApiGroup = {
  group: 'metrics.k8s.io',
  ident: 'Metrics',
  tag: 'metrics',
  versions: ['v1beta1'],
  description: 'CPU and memory usage of pods and nodes',
};
const GROUPS: readonly ApiGroup[] = [CUSTOM, EXTERNAL, RESOURCE];

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The parts shared by every route of one group-version. */
function versionBase(g: ApiGroup, version: string) {
  return {
    prefix: `/apis/${g.group}/${version}`,
    idPrefix: `${g.ident}${capitalize(version)}`,
    tag: `${g.tag}_${version}`,
    groupVersion: `apis/${g.group}/${version}`,
  };
}

function discoveryOperation(g: ApiGroup, version: string): Operation {
  const b = versionBase(g, version);
  return {
    path: `${b.prefix}/`,
    operationId: `get${b.idPrefix}APIResources`,
    description: `List the resources of ${g.group}/${version} (${g.description}).`,
    tag: b.tag,
    pathParams: [],
    queryParams: [],
    response: DEF.APIResourceList,
    errors: DISCOVERY_ERRORS,
    groupVersion: b.groupVersion,
  };
}

function customMetricsOperations(version: 'v1beta1' | 'v1beta2'): Operation[] {
  const b = versionBase(CUSTOM, version);
  const response =
    version === 'v1beta1' ? DEF.CustomV1beta1MetricValueList : DEF.CustomV1beta2MetricValueList;
  const common = {
    tag: b.tag,
    response,
    errors: METRIC_ERRORS,
    action: 'get' as const,
    gvk: { group: CUSTOM.group, version, kind: 'MetricValueList' },
    groupVersion: b.groupVersion,
  };
  const resource = pathParam(
    'resource',
    'Plural resource name of the described objects, optionally qualified by group (e.g. deployments.apps); ' +
      'singular names are accepted too.',
  );
  const name = pathParam(
    'name',
    'Name of the described object, or * for every object the labelSelector matches.',
  );
  const query = [
    queryParam('labelSelector', 'Label selector choosing the described objects (used with name *).'),
    queryParam('metricLabelSelector', 'Label selector narrowing the metric series that are considered.'),
    Q_FIELD_SELECTOR,
    Q_PRETTY,
  ];
  return [
    discoveryOperation(CUSTOM, version),
    {
      ...common,
      path: `${b.prefix}/namespaces/{namespace}/{resource}/{name}/{metric}`,
      operationId: `read${b.idPrefix}NamespacedMetricValue`,
      description: 'Read a metric for one namespaced object, or for every selected object when name is *.',
      pathParams: [P_NAMESPACE, resource, name, P_METRIC],
      queryParams: query,
    },
    {
      ...common,
      path: `${b.prefix}/{resource}/{name}/{metric}`,
      operationId: `read${b.idPrefix}MetricValue`,
      description:
        'Read a metric for one cluster-scoped object, or for every selected object when name is *.',
      pathParams: [resource, name, P_METRIC],
      queryParams: query,
    },
    {
      ...common,
      path: `${b.prefix}/namespaces/{namespace}/metrics/{metric}`,
      operationId: `read${b.idPrefix}NamespaceMetricValue`,
      description: 'Read a metric describing the Namespace object itself.',
      pathParams: [P_NAMESPACE, P_METRIC],
      queryParams: query,
    },
  ];
}

function externalMetricsOperations(): Operation[] {
  const b = versionBase(EXTERNAL, 'v1beta1');
  return [
    discoveryOperation(EXTERNAL, 'v1beta1'),
    {
      path: `${b.prefix}/namespaces/{namespace}/{metric}`,
      operationId: `read${b.idPrefix}NamespacedExternalMetricValue`,
      description: 'Read every series of an external metric visible from a namespace.',
      tag: b.tag,
      pathParams: [P_NAMESPACE, P_METRIC],
      queryParams: [queryParam('labelSelector', 'Label selector choosing the metric series returned.')],
      response: DEF.ExternalMetricValueList,
      errors: METRIC_ERRORS,
      action: 'get',
      gvk: { group: EXTERNAL.group, version: 'v1beta1', kind: 'ExternalMetricValueList' },
      groupVersion: b.groupVersion,
    },
  ];
}

function resourceMetricsOperations(): Operation[] {
  const b = versionBase(RESOURCE, 'v1beta1');
  const common = { tag: b.tag, errors: METRIC_ERRORS, groupVersion: b.groupVersion };
  const nodeGvk = { group: RESOURCE.group, version: 'v1beta1', kind: 'NodeMetrics' };
  const podGvk = { group: RESOURCE.group, version: 'v1beta1', kind: 'PodMetrics' };
  const listQuery = [
    queryParam('labelSelector', 'Label selector choosing the objects by their labels.'),
    Q_FIELD_SELECTOR,
  ];
  return [
    discoveryOperation(RESOURCE, 'v1beta1'),
    {
      ...common,
      path: `${b.prefix}/nodes`,
      operationId: `list${b.idPrefix}NodeMetrics`,
      description: 'List resource usage of nodes.',
      pathParams: [],
      queryParams: listQuery,
      response: DEF.NodeMetricsList,
      action: 'list',
      gvk: nodeGvk,
    },
    {
      ...common,
      path: `${b.prefix}/nodes/{name}`,
      operationId: `read${b.idPrefix}NodeMetrics`,
      description: 'Read resource usage of one node.',
      pathParams: [pathParam('name', 'Name of the node.')],
      queryParams: [],
      response: DEF.NodeMetrics,
      action: 'get',
      gvk: nodeGvk,
    },
    {
      ...common,
      path: `${b.prefix}/pods`,
      operationId: `list${b.idPrefix}PodMetricsForAllNamespaces`,
      description: 'List resource usage of pods in every namespace.',
      pathParams: [],
      queryParams: listQuery,
      response: DEF.PodMetricsList,
      action: 'list',
      gvk: podGvk,
    },
    {
      ...common,
      path: `${b.prefix}/namespaces/{namespace}/pods`,
      operationId: `list${b.idPrefix}NamespacedPodMetrics`,
      description: 'List resource usage of the pods of one namespace.',
      pathParams: [P_NAMESPACE],
      queryParams: listQuery,
      response: DEF.PodMetricsList,
      action: 'list',
      gvk: podGvk,
    },
    {
      ...common,
      path: `${b.prefix}/namespaces/{namespace}/pods/{name}`,
      operationId: `read${b.idPrefix}NamespacedPodMetrics`,
      description: 'Read resource usage of one pod.',
      pathParams: [P_NAMESPACE, pathParam('name', 'Name of the pod.')],
      queryParams: [],
      response: DEF.PodMetrics,
      action: 'get',
      gvk: podGvk,
    },
  ];
}

/** Discovery routes above the group-versions; they appear in the v2 document only. */
function groupOperations(): Operation[] {
  return [
    {
      path: '/apis/',
      operationId: 'getAPIVersions',
      description: 'List the API groups this server offers.',
      tag: 'apis',
      pathParams: [],
      queryParams: [],
      response: DEF.APIGroupList,
      errors: DISCOVERY_ERRORS,
    },
    ...GROUPS.map((g): Operation => ({
      path: `/apis/${g.group}/`,
      operationId: `get${g.ident}APIGroup`,
      description: `Describe the versions of ${g.group}.`,
      tag: g.tag,
      pathParams: [],
      queryParams: [],
      response: DEF.APIGroup,
      errors: DISCOVERY_ERRORS,
    })),
  ];
}

function allOperations(): Operation[] {
  return [
    ...groupOperations(),
    ...customMetricsOperations('v1beta1'),
    ...customMetricsOperations('v1beta2'),
    ...externalMetricsOperations(),
    ...resourceMetricsOperations(),
  ];
}

// ---- rendering --------------------------------------------------------------------------------------

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

function schemaOf(name: string): Schema {
  const s = SCHEMAS.get(name);
  if (s === undefined) throw new Error(`openapi: no schema for definition ${name}`);
  return s;
}

/** The named definitions plus everything they reference, sorted by name. */
function definitionClosure(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const refs: string[] = [];
    collectRefs(schemaOf(name), refs);
    stack.push(...refs);
  }
  return [...seen].sort();
}

function renderDefinitions(ops: readonly Operation[], d: Dialect): JsonObject {
  const roots = ops.flatMap((op) => (op.errors.length > 0 ? [op.response, DEF.Status] : [op.response]));
  const out: JsonObject = {};
  for (const name of definitionClosure(roots)) out[name] = renderSchema(schemaOf(name), d);
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

function renderV2(info: OpenApiInfo, ops: readonly Operation[]): JsonObject {
  return {
    swagger: '2.0',
    info: { title: info.title, version: info.version },
    paths: renderPaths(ops, 'v2'),
    definitions: renderDefinitions(ops, 'v2'),
    securityDefinitions: { BearerToken: BEARER_TOKEN },
    security: SECURITY,
  };
}

function renderV3(info: OpenApiInfo, ops: readonly Operation[]): JsonObject {
  return {
    openapi: '3.0.0',
    info: { title: info.title, version: info.version },
    paths: renderPaths(ops, 'v3'),
    components: {
      schemas: renderDefinitions(ops, 'v3'),
      securitySchemes: { BearerToken: BEARER_TOKEN },
    },
    security: SECURITY,
  };
}

/** Uppercase hex SHA-512 of the document, the form Kubernetes uses in `?hash=` and ETags. */
function contentHash(body: string): string {
  return createHash('sha512').update(body, 'utf8').digest('hex').toUpperCase();
}

/**
 * Renders and serializes every document. Pure and deterministic: the same info always yields
 * byte-identical strings (and therefore the same hashes). Call it once at startup.
 */
export function buildOpenApiDocuments(info: OpenApiInfo): OpenApiDocuments {
  const ops = allOperations();
  const v2 = JSON.stringify(renderV2(info, ops));

  const v3 = new Map<string, { body: string; etag: string; hash: string }>();
  const rootPaths: JsonObject = {};
  for (const g of GROUPS) {
    for (const version of g.versions) {
      const key = `apis/${g.group}/${version}`;
      const body = JSON.stringify(
        renderV3(
          info,
          ops.filter((op) => op.groupVersion === key),
        ),
      );
      const hash = contentHash(body);
      v3.set(key, { body, etag: `"${hash}"`, hash });
      rootPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  const v3Root = JSON.stringify({ paths: rootPaths });
  return { v2, v3Root, v3 };
}

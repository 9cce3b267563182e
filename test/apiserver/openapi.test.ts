/**
 * The OpenAPI documents: valid Swagger 2.0 / OpenAPI 3.0 (per swagger-parser), self-contained
 * ($refs resolve, v3 documents carry exactly the schemas they use), Kubernetes definition names,
 * the routes we serve, a v3 index whose hashes match the bodies, and deterministic output.
 */
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildOpenApiDocuments } from '../../src/apiserver/openapi.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

const INFO = { title: 'metrics-adapter', version: 'v0.1.0' };
const docs = buildOpenApiDocuments(INFO);

const GROUP_VERSIONS = [
  'apis/custom.metrics.k8s.io/v1beta1',
  'apis/custom.metrics.k8s.io/v1beta2',
  'apis/external.metrics.k8s.io/v1beta1',
  'apis/metrics.k8s.io/v1beta1',
];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CM1 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1';
const CM2 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2';
const EM1 = 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1';
const RM1 = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';

function parse(body: string): JsonObject {
  const value = JSON.parse(body) as Json;
  assert.ok(isObject(value), 'document is a JSON object');
  return value;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json | undefined, what: string): JsonObject {
  assert.ok(isObject(v), `${what} is an object`);
  return v;
}

function v3Doc(key: string): JsonObject {
  const entry = docs.v3.get(key);
  assert.ok(entry, `v3 document ${key}`);
  return parse(entry.body);
}

/** Every `$ref` string anywhere in the value. */
function refsIn(v: Json, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  }
  return out;
}

/** Names of the definitions reachable from `paths`, following $refs through `defs`. */
function reachable(paths: Json, defs: JsonObject, prefix: string): Set<string> {
  const seen = new Set<string>();
  const stack = refsIn(paths);
  for (let ref = stack.pop(); ref !== undefined; ref = stack.pop()) {
    const name = ref.slice(prefix.length);
    if (seen.has(name)) continue;
    seen.add(name);
    const def = defs[name];
    if (def !== undefined) stack.push(...refsIn(def));
  }
  return seen;
}

function v2Definitions(): JsonObject {
  return obj(parse(docs.v2).definitions, 'definitions');
}

function requiredOf(defs: JsonObject, name: string): string[] {
  const def = obj(defs[name], name);
  return (def.required ?? []) as string[];
}

describe('openapi v2', () => {
  it('is a valid Swagger 2.0 document', async () => {
    await SwaggerParser.validate(structuredClone(JSON.parse(docs.v2) as never));
  });

  it('has the Kubernetes-style header and BearerToken security', () => {
    const doc = parse(docs.v2);
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, INFO);
    const sec = obj(obj(doc.securityDefinitions, 'securityDefinitions').BearerToken, 'BearerToken');
    assert.equal(sec.type, 'apiKey');
    assert.equal(sec.in, 'header');
    assert.equal(sec.name, 'authorization');
  });

  it('resolves every $ref and holds no unused definition', () => {
    const doc = parse(docs.v2);
    const defs = v2Definitions();
    for (const ref of refsIn(doc)) {
      assert.ok(ref.startsWith('#/definitions/'), ref);
      assert.ok(ref.slice('#/definitions/'.length) in defs, `unresolved ${ref}`);
    }
    assert.deepEqual(
      [...reachable(doc.paths ?? null, defs, '#/definitions/')].sort(),
      Object.keys(defs).sort(),
    );
  });

  it('uses the Kubernetes definition names', () => {
    const names = Object.keys(v2Definitions());
    const expected = [
      `${CM1}.MetricValueList`,
      `${CM1}.MetricValue`,
      `${CM2}.MetricValueList`,
      `${CM2}.MetricValue`,
      `${CM2}.MetricIdentifier`,
      'io.k8s.api.core.v1.ObjectReference',
      `${EM1}.ExternalMetricValueList`,
      `${EM1}.ExternalMetricValue`,
      `${RM1}.NodeMetrics`,
      `${RM1}.NodeMetricsList`,
      `${RM1}.PodMetrics`,
      `${RM1}.PodMetricsList`,
      `${RM1}.ContainerMetrics`,
      `${META}.ListMeta`,
      `${META}.ObjectMeta`,
      `${META}.Time`,
      `${META}.Duration`,
      `${META}.LabelSelector`,
      `${META}.LabelSelectorRequirement`,
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      `${META}.Status`,
      `${META}.StatusDetails`,
      `${META}.StatusCause`,
      `${META}.APIResourceList`,
      `${META}.APIResource`,
      `${META}.APIGroup`,
      `${META}.APIGroupList`,
      `${META}.GroupVersionForDiscovery`,
    ];
    assert.deepEqual([...names].sort(), [...expected].sort());
  });

  it('marks required fields as the Go types do', () => {
    const defs = v2Definitions();
    const same = (name: string, fields: string[]): void =>
      assert.deepEqual(requiredOf(defs, name).sort(), [...fields].sort(), name);
    same(`${CM1}.MetricValue`, ['describedObject', 'metricName', 'timestamp', 'value']);
    same(`${CM2}.MetricValue`, ['describedObject', 'metric', 'timestamp', 'value']);
    same(`${CM2}.MetricIdentifier`, ['name']);
    same(`${EM1}.ExternalMetricValue`, ['metricName', 'metricLabels', 'timestamp', 'value']);
    same(`${RM1}.NodeMetrics`, ['timestamp', 'window', 'usage']);
    same(`${RM1}.PodMetrics`, ['timestamp', 'window', 'containers']);
    same(`${RM1}.ContainerMetrics`, ['name', 'usage']);
    same(`${CM1}.MetricValueList`, ['items']);
    same(`${META}.ObjectMeta`, []);
  });

  it('describes the primitive wrapper types as strings', () => {
    const defs = v2Definitions();
    assert.deepEqual(
      { type: obj(defs[`${META}.Time`], 'Time').type, format: obj(defs[`${META}.Time`], 'Time').format },
      { type: 'string', format: 'date-time' },
    );
    assert.equal(obj(defs[`${META}.Duration`], 'Duration').type, 'string');
    assert.equal(obj(defs['io.k8s.apimachinery.pkg.api.resource.Quantity'], 'Quantity').type, 'string');
    const mv = obj(obj(defs[`${CM1}.MetricValue`], 'MetricValue').properties, 'properties');
    assert.deepEqual(
      obj(mv.describedObject, 'describedObject').$ref,
      '#/definitions/io.k8s.api.core.v1.ObjectReference',
    );
    assert.equal(obj(mv.window, 'window').type, 'integer');
  });

  it('tags every top-level kind with x-kubernetes-group-version-kind', () => {
    const defs = v2Definitions();
    const kinds: [string, string, string, string][] = [
      [`${CM1}.MetricValueList`, 'custom.metrics.k8s.io', 'v1beta1', 'MetricValueList'],
      [`${CM2}.MetricValueList`, 'custom.metrics.k8s.io', 'v1beta2', 'MetricValueList'],
      [`${EM1}.ExternalMetricValueList`, 'external.metrics.k8s.io', 'v1beta1', 'ExternalMetricValueList'],
      [`${RM1}.NodeMetrics`, 'metrics.k8s.io', 'v1beta1', 'NodeMetrics'],
      [`${RM1}.NodeMetricsList`, 'metrics.k8s.io', 'v1beta1', 'NodeMetricsList'],
      [`${RM1}.PodMetrics`, 'metrics.k8s.io', 'v1beta1', 'PodMetrics'],
      [`${RM1}.PodMetricsList`, 'metrics.k8s.io', 'v1beta1', 'PodMetricsList'],
      [`${META}.Status`, '', 'v1', 'Status'],
      [`${META}.APIResourceList`, '', 'v1', 'APIResourceList'],
      [`${META}.APIGroup`, '', 'v1', 'APIGroup'],
      [`${META}.APIGroupList`, '', 'v1', 'APIGroupList'],
    ];
    for (const [name, group, version, kind] of kinds) {
      assert.deepEqual(
        obj(defs[name], name)['x-kubernetes-group-version-kind'],
        [{ group, kind, version }],
        name,
      );
    }
  });

  it('lists exactly the served routes, GET only, with unique operation ids', () => {
    const paths = obj(parse(docs.v2).paths, 'paths');
    const custom = (v: string): string[] => [
      `/apis/custom.metrics.k8s.io/${v}/`,
      `/apis/custom.metrics.k8s.io/${v}/namespaces/{namespace}/{resource}/{name}/{metric}`,
      `/apis/custom.metrics.k8s.io/${v}/{resource}/{name}/{metric}`,
      `/apis/custom.metrics.k8s.io/${v}/namespaces/{namespace}/metrics/{metric}`,
    ];
    const expected = [
      '/apis/',
      '/apis/custom.metrics.k8s.io/',
      '/apis/external.metrics.k8s.io/',
      '/apis/metrics.k8s.io/',
      ...custom('v1beta1'),
      ...custom('v1beta2'),
      '/apis/external.metrics.k8s.io/v1beta1/',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}',
      '/apis/metrics.k8s.io/v1beta1/',
      '/apis/metrics.k8s.io/v1beta1/nodes',
      '/apis/metrics.k8s.io/v1beta1/nodes/{name}',
      '/apis/metrics.k8s.io/v1beta1/pods',
      '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods',
      '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}',
    ];
    assert.deepEqual(Object.keys(paths).sort(), [...expected].sort());
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(paths)) {
      const methods = Object.keys(obj(item, path)).filter((k) => k !== 'parameters');
      assert.deepEqual(methods, ['get'], path);
      const op = obj(obj(item, path).get, path);
      assert.deepEqual(op.produces, ['application/json'], path);
      assert.ok(Array.isArray(op.tags) && op.tags.length === 1, path);
      assert.equal(typeof op.operationId, 'string');
      ids.add(op.operationId as string);
    }
    assert.equal(ids.size, expected.length);
  });

  it('documents parameters and responses of a custom metrics route', () => {
    const paths = obj(parse(docs.v2).paths, 'paths');
    const item = obj(
      paths['/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{metric}'],
      'item',
    );
    const pathParams = (item.parameters as JsonObject[]).map((p) => [p.name, p.in, p.required]);
    assert.deepEqual(pathParams, [
      ['namespace', 'path', true],
      ['resource', 'path', true],
      ['name', 'path', true],
      ['metric', 'path', true],
    ]);
    const op = obj(item.get, 'get');
    const query = (op.parameters as JsonObject[]).map((p) => [p.name, p.in]);
    assert.deepEqual(query, [
      ['labelSelector', 'query'],
      ['metricLabelSelector', 'query'],
      ['fieldSelector', 'query'],
      ['pretty', 'query'],
    ]);
    const responses = obj(op.responses, 'responses');
    assert.deepEqual(obj(responses['200'], '200').schema, { $ref: `#/definitions/${CM2}.MetricValueList` });
    for (const code of ['400', '401', '403', '404', '503']) {
      assert.deepEqual(obj(responses[code], code).schema, { $ref: `#/definitions/${META}.Status` }, code);
    }
  });

  it('gives the external route only labelSelector and metrics routes label and field selectors', () => {
    const paths = obj(parse(docs.v2).paths, 'paths');
    const queryNames = (path: string): Json[] => {
      const op = obj(obj(paths[path], path).get, path);
      return ((op.parameters ?? []) as JsonObject[]).map((p) => p.name ?? null);
    };
    assert.deepEqual(queryNames('/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}'), [
      'labelSelector',
    ]);
    assert.deepEqual(queryNames('/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods'), [
      'labelSelector',
      'fieldSelector',
    ]);
    assert.deepEqual(queryNames('/apis/metrics.k8s.io/v1beta1/nodes'), ['labelSelector', 'fieldSelector']);
  });
});

describe('openapi v3', () => {
  it('has one document per served group-version', () => {
    assert.deepEqual([...docs.v3.keys()].sort(), [...GROUP_VERSIONS].sort());
  });

  for (const key of GROUP_VERSIONS) {
    describe(key, () => {
      it('is a valid OpenAPI 3.0.0 document', async () => {
        const doc = v3Doc(key);
        assert.equal(doc.openapi, '3.0.0');
        assert.deepEqual(doc.info, INFO);
        await SwaggerParser.validate(structuredClone(JSON.parse(docs.v3.get(key)!.body) as never));
      });

      it('holds only its own paths and exactly the schemas they need', () => {
        const doc = v3Doc(key);
        const paths = obj(doc.paths, 'paths');
        assert.ok(Object.keys(paths).length >= 2);
        for (const p of Object.keys(paths)) assert.ok(p.startsWith(`/${key}/`), p);
        assert.ok(`/${key}/` in paths, 'discovery route present');
        const components = obj(doc.components, 'components');
        const schemas = obj(components.schemas, 'schemas');
        for (const ref of refsIn(doc)) {
          assert.ok(ref.startsWith('#/components/schemas/'), ref);
          assert.ok(ref.slice('#/components/schemas/'.length) in schemas, `unresolved ${ref}`);
        }
        const used = reachable(doc.paths ?? null, schemas, '#/components/schemas/');
        assert.deepEqual([...used].sort(), Object.keys(schemas).sort());
        assert.ok(isObject(obj(components.securitySchemes, 'securitySchemes').BearerToken));
      });
    });
  }

  it('keeps each group-version apart', () => {
    const schemas = (key: string): string[] => Object.keys(obj(obj(v3Doc(key).components, 'c').schemas, 's'));
    assert.ok(schemas('apis/custom.metrics.k8s.io/v1beta1').includes(`${CM1}.MetricValueList`));
    assert.ok(!schemas('apis/custom.metrics.k8s.io/v1beta1').includes(`${CM2}.MetricValueList`));
    assert.ok(schemas('apis/custom.metrics.k8s.io/v1beta2').includes(`${CM2}.MetricIdentifier`));
    assert.ok(!schemas('apis/external.metrics.k8s.io/v1beta1').includes(`${RM1}.PodMetrics`));
    assert.ok(schemas('apis/metrics.k8s.io/v1beta1').includes(`${META}.Duration`));
    assert.ok(schemas('apis/metrics.k8s.io/v1beta1').includes(`${META}.ObjectMeta`));
  });

  it('wraps described or nullable $refs in allOf', () => {
    const schemas = obj(obj(v3Doc('apis/custom.metrics.k8s.io/v1beta1').components, 'c').schemas, 's');
    const props = obj(obj(schemas[`${CM1}.MetricValue`], 'MetricValue').properties, 'p');
    const selector = obj(props.selector, 'selector');
    assert.equal(selector.$ref, undefined);
    assert.equal(selector.nullable, true);
    assert.deepEqual(selector.allOf, [{ $ref: `#/components/schemas/${META}.LabelSelector` }]);
  });

  it('root lists exactly the four group-versions with matching hashes', () => {
    const root = parse(docs.v3Root);
    assert.deepEqual(Object.keys(root), ['paths']);
    const paths = obj(root.paths, 'paths');
    assert.deepEqual(Object.keys(paths).sort(), [...GROUP_VERSIONS].sort());
    for (const key of GROUP_VERSIONS) {
      const entry = docs.v3.get(key)!;
      const hash = createHash('sha512').update(entry.body).digest('hex').toUpperCase();
      assert.match(entry.hash, /^[0-9A-F]{128}$/);
      assert.equal(entry.hash, hash, key);
      assert.equal(entry.etag, `"${hash}"`, key);
      assert.deepEqual(paths[key], { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` });
    }
  });
});

describe('buildOpenApiDocuments', () => {
  it('is deterministic', () => {
    const again = buildOpenApiDocuments({ ...INFO });
    assert.equal(again.v2, docs.v2);
    assert.equal(again.v3Root, docs.v3Root);
    assert.deepEqual([...again.v3.entries()], [...docs.v3.entries()]);
  });

  it('puts the given info into every document', () => {
    const other = buildOpenApiDocuments({ title: 'x', version: '9' });
    assert.deepEqual(parse(other.v2).info, { title: 'x', version: '9' });
    for (const entry of other.v3.values())
      assert.deepEqual(parse(entry.body).info, { title: 'x', version: '9' });
    assert.notEqual(other.v3Root, docs.v3Root);
  });
});

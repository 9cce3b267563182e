/**
 * The rule objects' examples (rules/examples/*rule-*.yaml) are what the CRDs of the rendered base
 * accept: each validates against its kind's openAPIV3Schema (types, required keys, enums; the
 * API server's CEL rules and x-kubernetes-* markers are not evaluated offline, so "exactly one
 * of" is asserted by hand), and the schemas refuse an object with a wrong type or a missing key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { parseAllDocuments } from 'yaml';
import { MANIFESTS, ROOT, objectsOfKind, renderKustomization, type K8sObject } from './rendered.js';

const EXAMPLES = join(ROOT, 'rules/examples');

/** The example files holding rule objects. */
const files = readdirSync(EXAMPLES).filter((f) => /^(cluster)?metricrule-.*\.yaml$/.test(f));

describe('rule object examples against the CRDs of manifests/', () => {
  const validators = new Map<string, ValidateFunction>();
  const specKeys = new Map<string, string[]>();

  before(async () => {
    const { objects } = await renderKustomization(MANIFESTS);
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const crd of objectsOfKind<ICustomResourceDefinition>(objects, 'CustomResourceDefinition')) {
      const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema;
      assert.ok(schema, crd.metadata.name);
      validators.set(crd.spec.names.kind, ajv.compile(schema));
      specKeys.set(crd.spec.names.kind, Object.keys(schema.properties?.spec?.properties ?? {}));
    }
  });

  const validate = (o: K8sObject): string[] => {
    const v = validators.get(o.kind);
    assert.ok(v, `a CRD for ${o.kind}`);
    return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };

  it('finds one example of each kind', () => {
    assert.deepEqual(files.sort(), ['clustermetricrule-http.yaml', 'metricrule-team-queue.yaml']);
  });

  for (const file of files) {
    it(`${file} validates, with exactly one rule in its spec`, () => {
      const docs = parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'));
      assert.equal(docs.length, 1);
      const o = docs[0]?.toJS() as K8sObject & { spec: Record<string, unknown> };
      assert.deepEqual(validate(o), []);
      const given = Object.keys(o.spec).filter((k) => specKeys.get(o.kind)?.includes(k));
      assert.equal(given.length, 1, `${file}: ${given.join(', ')}`);
    });
  }

  it('the schemas refuse a wrong type, a missing required key and resourceRules in a MetricRule', () => {
    const base = { apiVersion: 'metrics-adapter.io/v1alpha1', metadata: { name: 'x', namespace: 'shop' } };
    const rule = { seriesQuery: 'up', metricsQuery: 'sum(<<.Series>>)' };
    assert.deepEqual(validate({ ...base, kind: 'MetricRule', spec: { rule } }), []);
    assert.notDeepEqual(
      validate({ ...base, kind: 'MetricRule', spec: { rule: { ...rule, seriesQuery: 3 } } }),
      [],
    );
    assert.notDeepEqual(validate({ ...base, kind: 'MetricRule', spec: { rule: { seriesQuery: 'up' } } }), []);
    assert.notDeepEqual(validate({ ...base, kind: 'ClusterMetricRule' }), [], 'spec is required');
    assert.equal(specKeys.get('MetricRule')?.includes('resourceRules'), false);
    assert.equal(specKeys.get('ClusterMetricRule')?.includes('resourceRules'), true);
  });
});

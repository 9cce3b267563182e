/**
 * Cross-checks of the rule objects' kit in a rendered set: the CustomResourceDefinitions of
 * metrics-adapter.io say what src/rules/rule-object-types.ts says (kinds, scope, one rule per
 * spec, the status and its printer columns), their schemas are structural (the API server
 * refuses others), and RBAC gives the adapter read and status writes while the aggregated
 * edit/admin/view roles cover MetricRules only.
 */
import assert from 'node:assert/strict';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import type { IJSONSchemaProps } from 'kubernetes-models/apiextensions.k8s.io/v1/JSONSchemaProps';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { canClusterWide, ruleAllows, wiring, type Check } from './consistency.js';
import { findObject, objectsOfKind, type K8sObject } from './rendered.js';

const GROUP = 'metrics-adapter.io';
const WRITE = ['create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

interface Kind {
  kind: string;
  plural: string;
  scope: string;
  shortNames: string[];
  specKeys: string[];
}

export const RULE_OBJECT_KINDS: readonly Kind[] = [
  {
    kind: 'ClusterMetricRule',
    plural: 'clustermetricrules',
    scope: 'Cluster',
    shortNames: ['cmr'],
    specKeys: ['rule', 'externalRule', 'resourceRules'],
  },
  {
    kind: 'MetricRule',
    plural: 'metricrules',
    scope: 'Namespaced',
    shortNames: ['mr'],
    specKeys: ['rule', 'externalRule'],
  },
];

const COLUMNS = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Metrics', type: 'integer', jsonPath: '.status.metricCount' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** Structural: every node has a type (the API server refuses a CRD whose schema is not). */
function assertStructural(schema: IJSONSchemaProps, path: string): void {
  assert.ok(schema.type !== undefined, `${path} has a type`);
  for (const [k, v] of Object.entries(schema.properties ?? {})) assertStructural(v, `${path}.${k}`);
  const items = schema.items;
  if (items !== undefined) assertStructural(items, `${path}[]`);
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') assertStructural(extra, `${path}.*`);
}

const props = (s: IJSONSchemaProps | undefined, key: string): IJSONSchemaProps => {
  const p = s?.properties?.[key];
  assert.ok(p, `property ${key}`);
  return p;
};

/** ClusterRoles aggregated into a default user-facing role (view, edit, admin). */
function aggregatedInto(objects: readonly K8sObject[], role: string): IClusterRole[] {
  return objectsOfKind<IClusterRole>(objects, 'ClusterRole').filter(
    (r) => r.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${role}`] === 'true',
  );
}

export const RULE_OBJECT_CHECKS: readonly Check[] = [
  {
    name: 'CRDs: MetricRule (namespaced) and ClusterMetricRule (cluster, cmr) in metrics-adapter.io/v1alpha1, status subresource, Ready/Metrics/Age columns',
    run(objects) {
      const crds = objectsOfKind<ICustomResourceDefinition>(objects, 'CustomResourceDefinition');
      assert.deepEqual(crds.map((c) => c.metadata.name).sort(), [
        `clustermetricrules.${GROUP}`,
        `metricrules.${GROUP}`,
      ]);
      for (const k of RULE_OBJECT_KINDS) {
        const crd = findObject<ICustomResourceDefinition>(
          objects,
          'CustomResourceDefinition',
          `${k.plural}.${GROUP}`,
        );
        assert.equal(crd.spec.group, GROUP);
        assert.equal(crd.spec.scope, k.scope);
        assert.equal(crd.spec.names.kind, k.kind);
        assert.equal(crd.spec.names.plural, k.plural);
        assert.deepEqual(crd.spec.names.shortNames, k.shortNames);
        assert.equal(crd.spec.versions.length, 1);
        const v = crd.spec.versions[0]!;
        assert.equal(v.name, 'v1alpha1');
        assert.equal(v.served, true);
        assert.equal(v.storage, true);
        assert.deepEqual(v.subresources, { status: {} });
        assert.deepEqual(v.additionalPrinterColumns, COLUMNS);
        const root = v.schema?.openAPIV3Schema;
        assert.ok(root, `${k.kind} has a schema`);
        assertStructural(root, k.kind);
        assert.deepEqual(root.required, ['spec']);
        const spec = props(root, 'spec');
        assert.deepEqual(Object.keys(spec.properties ?? {}).sort(), [...k.specKeys].sort());
        const oneOf = spec['x-kubernetes-validations']?.[0]?.rule ?? '';
        for (const key of k.specKeys) assert.match(oneOf, new RegExp(`has\\(self\\.${key}\\)`));
        assert.match(oneOf, /== 1$/, 'exactly one');
        const rule = props(spec, 'rule');
        assert.deepEqual(rule.required, ['seriesQuery', 'metricsQuery']);
        assert.deepEqual(Object.keys(rule.properties ?? {}).sort(), [
          'labelValueReplacements',
          'metricsQuery',
          'name',
          'resources',
          'seriesFilters',
          'seriesQuery',
        ]);
        assert.deepEqual(props(spec, 'externalRule').properties, rule.properties);
        assert.deepEqual(Object.keys(props(rule, 'resources').properties ?? {}).sort(), [
          'namespaced',
          'overrides',
          'template',
        ]);
        const status = props(root, 'status');
        assert.deepEqual(Object.keys(status.properties ?? {}).sort(), [
          'conditions',
          'metricCount',
          'metrics',
          'observedGeneration',
        ]);
        assert.equal(props(status, 'metricCount').type, 'integer');
        const condition = props(status, 'conditions').items as IJSONSchemaProps;
        assert.deepEqual(condition.required, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
      }
      const rr = props(
        findObject<ICustomResourceDefinition>(
          objects,
          'CustomResourceDefinition',
          `clustermetricrules.${GROUP}`,
        ).spec.versions[0]!.schema?.openAPIV3Schema?.properties?.spec,
        'resourceRules',
      );
      assert.deepEqual(rr.required, ['cpu', 'memory']);
      assert.deepEqual(Object.keys(props(rr, 'memory').properties ?? {}).sort(), [
        'containerLabel',
        'containerQuery',
        'nodeQuery',
        'resources',
      ]);
    },
  },
  {
    name: 'RBAC: the adapter reads both rule kinds and updates their status, and writes nothing else of them',
    run(objects, _text, exp) {
      const { deployment } = wiring(objects, exp);
      const sa = { namespace: exp.namespace, name: deployment.spec?.template.spec?.serviceAccountName ?? '' };
      for (const k of RULE_OBJECT_KINDS) {
        for (const verb of READ)
          assert.ok(canClusterWide(objects, sa, verb, GROUP, k.plural), `${verb} ${k.plural}`);
        assert.ok(
          canClusterWide(objects, sa, 'update', GROUP, `${k.plural}/status`),
          `update ${k.plural}/status`,
        );
        for (const verb of WRITE)
          assert.ok(!canClusterWide(objects, sa, verb, GROUP, k.plural), `no ${verb} on ${k.plural}`);
      }
    },
  },
  {
    name: 'RBAC: edit and admin write MetricRules, view reads them; no aggregated role grants ClusterMetricRules',
    run(objects) {
      const allows = (role: string, verb: string, resource: string): boolean =>
        aggregatedInto(objects, role).some((r) =>
          (r.rules ?? []).some((x) => ruleAllows(x, verb, GROUP, resource)),
        );
      for (const role of ['edit', 'admin']) {
        for (const verb of [...WRITE, ...READ])
          assert.ok(allows(role, verb, 'metricrules'), `${role}: ${verb} metricrules`);
      }
      for (const verb of READ) assert.ok(allows('view', verb, 'metricrules'), `view: ${verb} metricrules`);
      for (const verb of WRITE)
        assert.ok(!allows('view', verb, 'metricrules'), `view: no ${verb} metricrules`);
      for (const role of ['view', 'edit', 'admin']) {
        for (const verb of [...WRITE, ...READ]) {
          assert.ok(!allows(role, verb, 'clustermetricrules'), `${role}: no ${verb} clustermetricrules`);
          assert.ok(!allows(role, verb, 'metricrules/status'), `${role}: no ${verb} metricrules/status`);
        }
      }
      findObject(objects, 'ClusterRole', 'metrics-adapter:metricrules-edit');
      findObject(objects, 'ClusterRole', 'metrics-adapter:metricrules-view');
    },
  },
];

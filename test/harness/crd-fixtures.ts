/**
 * CustomResourceDefinitions shaped like the rules-as-cluster-objects API to come (a namespaced
 * MetricRule and a cluster-scoped ClusterMetricRule in metrics-adapter.io/v1alpha1, with the status
 * subresource and Ready / Metrics / Age printer columns), and a plain one without either, for the
 * tests of the simulated kube-apiserver's CRD support.
 */
import type { KubeObject } from '../helpers/fake-kube.js';

export const GROUP = 'metrics-adapter.io';
export const VERSION = 'v1alpha1';

const SCHEMA = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};

export const RULE_COLUMNS = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Metrics', type: 'integer', jsonPath: '.status.metricCount' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function ruleCrd(kind: string, plural: string, scope: string, shortNames: string[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, shortNames },
      scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: SCHEMA,
          subresources: { status: {} },
          additionalPrinterColumns: RULE_COLUMNS,
        },
      ],
    },
  };
}

export const metricRuleCrd = (): KubeObject => ruleCrd('MetricRule', 'metricrules', 'Namespaced', ['mr']);
export const clusterMetricRuleCrd = (): KubeObject =>
  ruleCrd('ClusterMetricRule', 'clustermetricrules', 'Cluster', ['cmr']);

/** Namespaced, served at v1 and v2 (v1 stored), no status subresource, no printer columns. */
export function widgetCrd(): KubeObject {
  const version = (name: string, storage: boolean): Record<string, unknown> => ({
    name,
    served: true,
    storage,
    schema: SCHEMA,
  });
  return {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { plural: 'widgets', kind: 'Widget' },
      scope: 'Namespaced',
      versions: [version('v1', true), version('v2', false)],
    },
  };
}

/** A MetricRule object as a client would POST it. */
export function metricRule(
  name: string,
  namespace: string | undefined,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: namespace === undefined ? 'ClusterMetricRule' : 'MetricRule',
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}), labels: { team: 'a' } },
    spec: { seriesQuery: 'http_requests_total', metricsQuery: 'sum(rate(<<.Series>>[2m]))' },
    ...extra,
  };
}

/** The status a controller would write: Ready condition and how many metrics the rule serves. */
export function readyStatus(ready: boolean, metricCount: number): Record<string, unknown> {
  return {
    conditions: [
      { type: 'Valid', status: 'True', reason: 'Parsed' },
      { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Serving' : 'NoSeries' },
    ],
    metricCount,
  };
}

/**
 * external.metrics.k8s.io in the OpenAPI documents: its one route (every series of a metric seen
 * from a namespace) and its ExternalMetricValue types.
 */
import {
  DEF,
  METRIC_ERRORS,
  P_METRIC,
  P_NAMESPACE,
  discoveryOperation,
  gvk,
  int64,
  listOf,
  metricValue,
  queryParam,
  ref,
  sampleTime,
  str,
  stringMap,
  typeMeta,
  versionBase,
  type ApiGroup,
  type ApiGroupDocs,
  type Operation,
  type Schema,
} from './openapi-model.js';

const EXTERNAL: ApiGroup = {
  group: 'external.metrics.k8s.io',
  ident: 'ExternalMetrics',
  tag: 'externalMetrics',
  versions: ['v1beta1'],
  description: 'metrics not tied to a Kubernetes object',
};

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

const externalMetrics: Readonly<Record<string, Schema>> = {
  [DEF.ExternalMetricValue]: {
    type: 'object',
    description: 'One value of a metric that is not tied to a Kubernetes object.',
    gvk: gvk('external.metrics.k8s.io', 'v1beta1', 'ExternalMetricValue'),
    required: ['metricName', 'metricLabels', 'timestamp', 'value'],
    properties: {
      ...typeMeta,
      metricLabels: stringMap('Labels identifying the series; null when it has none.', true),
      metricName: str('Name of the metric.'),
      timestamp: sampleTime,
      value: metricValue,
      window: int64('Length in seconds of the interval a rate or average was computed over, if known.'),
    },
  },
  [DEF.ExternalMetricValueList]: {
    type: 'object',
    description: 'Every series of an external metric that matched the request; consumers add them up.',
    gvk: gvk('external.metrics.k8s.io', 'v1beta1', 'ExternalMetricValueList'),
    required: ['items'],
    properties: {
      ...typeMeta,
      items: listOf(DEF.ExternalMetricValue, 'One entry per series.'),
      metadata: ref(DEF.ListMeta, 'List metadata.'),
    },
  },
};

export const externalMetricsDocs: ApiGroupDocs = {
  ...EXTERNAL,
  operations: externalMetricsOperations,
  schemas: externalMetrics,
};

/**
 * custom.metrics.k8s.io in the OpenAPI documents: its routes (v1beta1 and v1beta2: one object, every
 * selected object, the namespace itself) and its MetricValue types.
 */
import {
  DEF,
  METRIC_ERRORS,
  P_METRIC,
  P_NAMESPACE,
  Q_FIELD_SELECTOR,
  Q_PRETTY,
  discoveryOperation,
  gvk,
  int64,
  listOf,
  metricValue,
  pathParam,
  queryParam,
  ref,
  sampleTime,
  str,
  typeMeta,
  versionBase,
  type ApiGroup,
  type ApiGroupDocs,
  type Operation,
  type Schema,
} from './openapi-model.js';

const CUSTOM: ApiGroup = {
  group: 'custom.metrics.k8s.io',
  ident: 'CustomMetrics',
  tag: 'customMetrics',
  versions: ['v1beta1', 'v1beta2'],
  description: 'metrics describing Kubernetes objects',
};

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

const describedObject = ref(DEF.ObjectReference, 'The object the metric value belongs to.');
const customMetrics: Readonly<Record<string, Schema>> = {
  [DEF.CustomV1beta1MetricValue]: {
    type: 'object',
    description: 'One metric value for one object.',
    gvk: gvk('custom.metrics.k8s.io', 'v1beta1', 'MetricValue'),
    required: ['describedObject', 'metricName', 'timestamp', 'value'],
    properties: {
      ...typeMeta,
      describedObject,
      metricName: str('Name of the metric.'),
      selector: ref(
        DEF.LabelSelector,
        'The metric label selector the value was computed with; null when the query had none.',
        true,
      ),
      timestamp: sampleTime,
      value: metricValue,
      window: int64('Length in seconds of the interval a rate or average was computed over, if known.'),
    },
  },
  [DEF.CustomV1beta1MetricValueList]: {
    type: 'object',
    description: 'Values of one metric for the objects a request selected.',
    gvk: gvk('custom.metrics.k8s.io', 'v1beta1', 'MetricValueList'),
    required: ['items'],
    properties: {
      ...typeMeta,
      items: listOf(DEF.CustomV1beta1MetricValue, 'One entry per object.'),
      metadata: ref(DEF.ListMeta, 'List metadata.'),
    },
  },
  [DEF.CustomV1beta2MetricIdentifier]: {
    type: 'object',
    description: 'Names a metric and the label selector narrowing its series.',
    required: ['name'],
    properties: {
      name: str('Name of the metric.'),
      selector: ref(
        DEF.LabelSelector,
        'The metric label selector the value was computed with; null when the query had none.',
        true,
      ),
    },
  },
  [DEF.CustomV1beta2MetricValue]: {
    type: 'object',
    description: 'One metric value for one object.',
    gvk: gvk('custom.metrics.k8s.io', 'v1beta2', 'MetricValue'),
    required: ['describedObject', 'metric', 'timestamp', 'value'],
    properties: {
      ...typeMeta,
      describedObject,
      metric: ref(DEF.CustomV1beta2MetricIdentifier, 'Which metric, and with which label selector.'),
      timestamp: sampleTime,
      value: metricValue,
      windowSeconds: int64(
        'Length in seconds of the interval a rate or average was computed over, if known.',
      ),
    },
  },
  [DEF.CustomV1beta2MetricValueList]: {
    type: 'object',
    description: 'Values of one metric for the objects a request selected.',
    gvk: gvk('custom.metrics.k8s.io', 'v1beta2', 'MetricValueList'),
    required: ['items'],
    properties: {
      ...typeMeta,
      items: listOf(DEF.CustomV1beta2MetricValue, 'One entry per object.'),
      metadata: ref(DEF.ListMeta, 'List metadata.'),
    },
  },
};

export const customMetricsDocs: ApiGroupDocs = {
  ...CUSTOM,
  operations: () => [...customMetricsOperations('v1beta1'), ...customMetricsOperations('v1beta2')],
  schemas: customMetrics,
};

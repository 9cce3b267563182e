/**
 * metrics.k8s.io in the OpenAPI documents: its routes (nodes, pods, one of each) and its
 * NodeMetrics and PodMetrics types.
 */
import {
  DEF,
  METRIC_ERRORS,
  P_NAMESPACE,
  Q_FIELD_SELECTOR,
  discoveryOperation,
  gvk,
  listOf,
  pathParam,
  queryParam,
  ref,
  resourceList,
  str,
  typeMeta,
  versionBase,
  type ApiGroup,
  type ApiGroupDocs,
  type Operation,
  type Schema,
} from './openapi-model.js';

const RESOURCE: ApiGroup = {
  group: 'metrics.k8s.io',
  ident: 'Metrics',
  tag: 'metrics',
  versions: ['v1beta1'],
  description: 'CPU and memory usage of pods and nodes',
};

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

const usageWindow = ref(DEF.Duration, 'Length of the interval the usage was computed over.');
const usageTime = ref(DEF.Time, 'End of the interval the usage was computed over.');

const resourceMetrics: Readonly<Record<string, Schema>> = {
  [DEF.ContainerMetrics]: {
    type: 'object',
    description: 'Resource usage of one container.',
    required: ['name', 'usage'],
    properties: {
      name: str('Name of the container within its pod.'),
      usage: resourceList('Usage per resource, e.g. cpu in cores and memory in bytes.'),
    },
  },
  [DEF.NodeMetrics]: {
    type: 'object',
    description: 'Resource usage of one node.',
    gvk: gvk('metrics.k8s.io', 'v1beta1', 'NodeMetrics'),
    required: ['timestamp', 'window', 'usage'],
    properties: {
      ...typeMeta,
      metadata: ref(DEF.ObjectMeta, 'Name and labels of the node.'),
      timestamp: usageTime,
      usage: resourceList('Usage per resource, e.g. cpu in cores and memory in bytes.'),
      window: usageWindow,
    },
  },
  [DEF.NodeMetricsList]: {
    type: 'object',
    description: 'Resource usage of a set of nodes.',
    gvk: gvk('metrics.k8s.io', 'v1beta1', 'NodeMetricsList'),
    required: ['items'],
    properties: {
      ...typeMeta,
      items: listOf(DEF.NodeMetrics, 'One entry per node.'),
      metadata: ref(DEF.ListMeta, 'List metadata.'),
    },
  },
  [DEF.PodMetrics]: {
    type: 'object',
    description: 'Resource usage of the containers of one pod.',
    gvk: gvk('metrics.k8s.io', 'v1beta1', 'PodMetrics'),
    required: ['timestamp', 'window', 'containers'],
    properties: {
      ...typeMeta,
      containers: listOf(DEF.ContainerMetrics, 'One entry per container.', 'atomic'),
      metadata: ref(DEF.ObjectMeta, 'Name, namespace and labels of the pod.'),
      timestamp: usageTime,
      window: usageWindow,
    },
  },
  [DEF.PodMetricsList]: {
    type: 'object',
    description: 'Resource usage of a set of pods.',
    gvk: gvk('metrics.k8s.io', 'v1beta1', 'PodMetricsList'),
    required: ['items'],
    properties: {
      ...typeMeta,
      items: listOf(DEF.PodMetrics, 'One entry per pod.'),
      metadata: ref(DEF.ListMeta, 'List metadata.'),
    },
  },
};

export const resourceMetricsDocs: ApiGroupDocs = {
  ...RESOURCE,
  operations: resourceMetricsOperations,
  schemas: resourceMetrics,
};

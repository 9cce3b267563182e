/**
 * Schema data for the OpenAPI documents: every type the adapter puts on the wire, under the
 * definition name Kubernetes gives the Go type. The schemas are written once in a small neutral
 * form (`ref` names a definition, `nullable` marks fields we send as JSON null) and openapi.ts
 * renders them as Swagger 2.0 definitions or OpenAPI 3.0 component schemas. Required lists follow
 * the Go types: a field is required when its JSON tag has no omitempty and it is not optional.
 */

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface Schema {
  readonly description?: string;
  /** Name of another definition; rendered as `$ref`. */
  readonly ref?: string;
  readonly type?: SchemaType;
  readonly format?: string;
  /** The value may be sent as JSON null (only expressible in OpenAPI 3). */
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: Schema;
  readonly gvk?: readonly GroupVersionKind[];
  readonly mapType?: 'atomic' | 'granular';
  readonly listType?: 'atomic' | 'set';
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CM1 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1';
const CM2 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2';
const EM1 = 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1';
const RM1 = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';

/** Definition names, as Kubernetes spells them. */
export const DEF = {
  ListMeta: `${META}.ListMeta`,
  ObjectMeta: `${META}.ObjectMeta`,
  Time: `${META}.Time`,
  Duration: `${META}.Duration`,
  LabelSelector: `${META}.LabelSelector`,
  LabelSelectorRequirement: `${META}.LabelSelectorRequirement`,
  Status: `${META}.Status`,
  StatusDetails: `${META}.StatusDetails`,
  StatusCause: `${META}.StatusCause`,
  APIResourceList: `${META}.APIResourceList`,
  APIResource: `${META}.APIResource`,
  APIGroup: `${META}.APIGroup`,
  APIGroupList: `${META}.APIGroupList`,
  GroupVersionForDiscovery: `${META}.GroupVersionForDiscovery`,
  Quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  ObjectReference: 'io.k8s.api.core.v1.ObjectReference',
  CustomV1beta1MetricValueList: `${CM1}.MetricValueList`,
  CustomV1beta1MetricValue: `${CM1}.MetricValue`,
  CustomV1beta2MetricValueList: `${CM2}.MetricValueList`,
  CustomV1beta2MetricValue: `${CM2}.MetricValue`,
  CustomV1beta2MetricIdentifier: `${CM2}.MetricIdentifier`,
  ExternalMetricValueList: `${EM1}.ExternalMetricValueList`,
  ExternalMetricValue: `${EM1}.ExternalMetricValue`,
  NodeMetrics: `${RM1}.NodeMetrics`,
  NodeMetricsList: `${RM1}.NodeMetricsList`,
  PodMetrics: `${RM1}.PodMetrics`,
  PodMetricsList: `${RM1}.PodMetricsList`,
  ContainerMetrics: `${RM1}.ContainerMetrics`,
} as const;

export type DefinitionName = (typeof DEF)[keyof typeof DEF];

// ---- building blocks -------------------------------------------------------------------------

const str = (description: string): Schema => ({ type: 'string', description });
const int64 = (description: string): Schema => ({ type: 'integer', format: 'int64', description });
const int32 = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const ref = (name: DefinitionName, description?: string, nullable?: boolean): Schema => ({
  ref: name,
  ...(description === undefined ? {} : { description }),
  ...(nullable === true ? { nullable } : {}),
});
const stringList = (description: string, listType?: 'atomic' | 'set'): Schema => ({
  type: 'array',
  description,
  items: { type: 'string' },
  ...(listType === undefined ? {} : { listType }),
});
const stringMap = (description: string, nullable?: boolean): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
  ...(nullable === true ? { nullable } : {}),
});
const listOf = (name: DefinitionName, description: string, listType?: 'atomic'): Schema => ({
  type: 'array',
  description,
  items: ref(name),
  ...(listType === undefined ? {} : { listType }),
});
const resourceList = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: ref(DEF.Quantity),
});

/** The `kind` / `apiVersion` pair every serialized object may carry. */
const typeMeta: Readonly<Record<string, Schema>> = {
  apiVersion: str('Versioned schema of this object, as group/version (or just the version for core).'),
  kind: str('The REST type of this object, in CamelCase.'),
};

const gvk = (group: string, version: string, kind: string): readonly GroupVersionKind[] => [
  { group, version, kind },
];

// ---- apimachinery and core -------------------------------------------------------------------

const apimachinery: Readonly<Record<string, Schema>> = {
  [DEF.Time]: {
    type: 'string',
    format: 'date-time',
    description: 'A point in time, written as an RFC 3339 timestamp in UTC with second precision.',
  },
  [DEF.Duration]: {
    type: 'string',
    description: 'A length of time written as a Go duration string, for example "15s" or "1m30s".',
  },
  [DEF.Quantity]: {
    type: 'string',
    description:
      'A fixed-point number with an optional unit suffix in its canonical form, for example "250m", ' +
      '"42", "1873205n" or "24688Ki". Decimal suffixes (n, u, m, k, M, G, T, P, E) and binary ones ' +
      '(Ki, Mi, Gi, Ti, Pi, Ei) are allowed.',
  },
  [DEF.ListMeta]: {
    type: 'object',
    description: 'Metadata of a list response.',
    properties: {
      continue: str('Token for fetching the next page, when the server pages results.'),
      remainingItemCount: int64('How many items remain after this page, when the server knows.'),
      resourceVersion: str('Opaque version of the collection at the time it was read.'),
      selfLink: str('Deprecated; not set.'),
    },
  },
  [DEF.ObjectMeta]: {
    type: 'object',
    description: 'Identity and labels of the object the metrics belong to (a subset of the full type).',
    properties: {
      annotations: stringMap('Free-form key/value metadata.'),
      creationTimestamp: ref(DEF.Time, 'When the object was created.'),
      labels: stringMap('Labels copied from the pod or node.'),
      name: str('Name of the object, unique within its namespace.'),
      namespace: str('Namespace of the object; empty for cluster-scoped objects.'),
      resourceVersion: str('Opaque version of the object.'),
      selfLink: str('Deprecated; not set.'),
      uid: str('Unique identifier of the object.'),
    },
  },
  [DEF.LabelSelectorRequirement]: {
    type: 'object',
    description: 'A single label condition: a key, an operator and, depending on the operator, values.',
    required: ['key', 'operator'],
    properties: {
      key: str('Label name the condition applies to.'),
      operator: str('One of In, NotIn, Exists or DoesNotExist.'),
      values: stringList(
        'Values to compare against; non-empty for In and NotIn, empty for Exists and DoesNotExist.',
        'atomic',
      ),
    },
  },
  [DEF.LabelSelector]: {
    type: 'object',
    description:
      'Selects objects or series by label. All conditions must hold; an empty selector matches everything.',
    mapType: 'atomic',
    properties: {
      matchExpressions: listOf(
        DEF.LabelSelectorRequirement,
        'Set-based conditions, all of which must hold.',
        'atomic',
      ),
      matchLabels: stringMap('Exact key/value pairs, all of which must match.'),
    },
  },
  [DEF.StatusCause]: {
    type: 'object',
    description: 'One specific reason a request failed.',
    properties: {
      field: str('The request field the cause refers to, if any.'),
      message: str('Human-readable explanation.'),
      reason: str('Machine-readable reason; empty when unknown.'),
    },
  },
  [DEF.StatusDetails]: {
    type: 'object',
    description: 'Extra, reason-specific information about a failure.',
    properties: {
      causes: listOf(DEF.StatusCause, 'Individual causes, when there are several.', 'atomic'),
      group: str('API group of the resource involved.'),
      kind: str('Kind of the resource involved, for example podmetrics.'),
      name: str('Name of the resource involved.'),
      retryAfterSeconds: int32('Suggested number of seconds to wait before retrying.'),
      uid: str('UID of the resource involved, if known.'),
    },
  },
  [DEF.Status]: {
    type: 'object',
    description: 'The body of every error response.',
    gvk: gvk('', 'v1', 'Status'),
    properties: {
      ...typeMeta,
      code: int32('HTTP status code of the response.'),
      details: ref(DEF.StatusDetails, 'Extra data depending on reason.'),
      message: str('Human-readable description of what went wrong.'),
      metadata: ref(DEF.ListMeta, 'List metadata (always empty here).'),
      reason: str('Machine-readable reason, for example NotFound, BadRequest or ServiceUnavailable.'),
      status: str('Either Success or Failure.'),
    },
  },
  [DEF.APIResource]: {
    type: 'object',
    description: 'One resource served by a group-version, as listed by discovery.',
    required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'],
    properties: {
      categories: stringList('Groupings the resource belongs to.', 'atomic'),
      group: str('Group of the resource, when it differs from the containing group-version.'),
      kind: str('Kind of the object returned for this resource.'),
      name: str('Plural name of the resource; custom metrics use "<resource>/<metric>".'),
      namespaced: bool('Whether the resource lives inside namespaces.'),
      shortNames: stringList('Abbreviations clients may use.', 'atomic'),
      singularName: str('Singular name of the resource; may be empty.'),
      storageVersionHash: str('Opaque hash of the storage version, if any.'),
      verbs: stringList('Verbs the resource supports.'),
      version: str('Version of the resource, when it differs from the containing group-version.'),
    },
  },
  [DEF.APIResourceList]: {
    type: 'object',
    description: 'Discovery document of a group-version: the resources it serves.',
    gvk: gvk('', 'v1', 'APIResourceList'),
    required: ['groupVersion', 'resources'],
    properties: {
      ...typeMeta,
      groupVersion: str('The group-version described, for example custom.metrics.k8s.io/v1beta2.'),
      resources: listOf(DEF.APIResource, 'Resources of this group-version.', 'atomic'),
    },
  },
  [DEF.GroupVersionForDiscovery]: {
    type: 'object',
    description: 'A version of an API group.',
    required: ['groupVersion', 'version'],
    properties: {
      groupVersion: str('Group and version joined by a slash.'),
      version: str('The version alone.'),
    },
  },
  [DEF.APIGroup]: {
    type: 'object',
    description: 'Discovery document of an API group: its versions and the preferred one.',
    gvk: gvk('', 'v1', 'APIGroup'),
    required: ['name', 'versions'],
    properties: {
      ...typeMeta,
      name: str('Name of the group.'),
      preferredVersion: ref(DEF.GroupVersionForDiscovery, 'Version clients should use by default.'),
      versions: listOf(DEF.GroupVersionForDiscovery, 'Versions this server offers.', 'atomic'),
    },
  },
  [DEF.APIGroupList]: {
    type: 'object',
    description: 'Discovery document listing the API groups this server offers.',
    gvk: gvk('', 'v1', 'APIGroupList'),
    required: ['groups'],
    properties: {
      ...typeMeta,
      groups: listOf(DEF.APIGroup, 'The groups.', 'atomic'),
    },
  },
  [DEF.ObjectReference]: {
    type: 'object',
    description: 'Points at the Kubernetes object a metric describes.',
    mapType: 'atomic',
    properties: {
      apiVersion: str('Group/version of the object, "v1" for core kinds.'),
      fieldPath: str('Part of the object the reference is about, if any.'),
      kind: str('Kind of the object, for example Pod or Deployment.'),
      name: str('Name of the object.'),
      namespace: str('Namespace of the object; empty for cluster-scoped objects.'),
      resourceVersion: str('Version of the object the reference was taken from, if known.'),
      uid: str('UID of the object, if known.'),
    },
  },
};

// ---- custom.metrics.k8s.io ----------------------------------------------------------------------

const describedObject = ref(DEF.ObjectReference, 'The object the metric value belongs to.');
const sampleTime = ref(DEF.Time, 'When the value was observed.');
const value = ref(DEF.Quantity, 'The metric value.');

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
      value,
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
      value,
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

// ---- external.metrics.k8s.io --------------------------------------------------------------------

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
      value,
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

// ---- metrics.k8s.io -------------------------------------------------------------------------------

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

/** Every definition, keyed by its Kubernetes name. */
export const SCHEMAS: ReadonlyMap<string, Schema> = new Map(
  Object.entries({ ...apimachinery, ...customMetrics, ...externalMetrics, ...resourceMetrics }),
);

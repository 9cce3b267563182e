/**
 * The apimachinery and core definitions every API group's documents refer to: object and list
 * metadata, Status, discovery lists, label selectors, quantities and object references.
 */
import {
  DEF,
  bool,
  gvk,
  int64,
  int32,
  listOf,
  ref,
  str,
  stringList,
  stringMap,
  typeMeta,
  type Schema,
} from './openapi-model.js';

export const metaSchemas: Readonly<Record<string, Schema>> = {
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

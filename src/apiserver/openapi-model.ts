/**
 * The neutral forms the OpenAPI documents are written in, shared by every API group's module:
 * schemas (`ref` names a definition, `nullable` marks fields we send as JSON null) under the
 * definition names Kubernetes gives the Go types, and routes. openapi-render.ts turns them into
 * Swagger 2.0 or OpenAPI 3.0. Required lists follow the Go types: a field is required when its
 * JSON tag has no omitempty and it is not optional.
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

export const str = (description: string): Schema => ({ type: 'string', description });
export const int64 = (description: string): Schema => ({ type: 'integer', format: 'int64', description });
export const int32 = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const ref = (name: DefinitionName, description?: string, nullable?: boolean): Schema => ({
  ref: name,
  ...(description === undefined ? {} : { description }),
  ...(nullable === true ? { nullable } : {}),
});
export const stringList = (description: string, listType?: 'atomic' | 'set'): Schema => ({
  type: 'array',
  description,
  items: { type: 'string' },
  ...(listType === undefined ? {} : { listType }),
});
export const stringMap = (description: string, nullable?: boolean): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
  ...(nullable === true ? { nullable } : {}),
});
export const listOf = (name: DefinitionName, description: string, listType?: 'atomic'): Schema => ({
  type: 'array',
  description,
  items: ref(name),
  ...(listType === undefined ? {} : { listType }),
});
export const resourceList = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: ref(DEF.Quantity),
});

/** The `kind` / `apiVersion` pair every serialized object may carry. */
export const typeMeta: Readonly<Record<string, Schema>> = {
  apiVersion: str('Versioned schema of this object, as group/version (or just the version for core).'),
  kind: str('The REST type of this object, in CamelCase.'),
};

export const gvk = (group: string, version: string, kind: string): readonly GroupVersionKind[] => [
  { group, version, kind },
];

/** Fields of the custom and external metric values. */
export const sampleTime = ref(DEF.Time, 'When the value was observed.');
export const metricValue = ref(DEF.Quantity, 'The metric value.');

// ---- routes ---------------------------------------------------------------------------------------

export interface Param {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
}

export interface Operation {
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

export type ErrorCode = 400 | 401 | 403 | 404 | 503 | 504;

export const DISCOVERY_ERRORS: readonly ErrorCode[] = [401, 403];
export const METRIC_ERRORS: readonly ErrorCode[] = [400, 401, 403, 404, 503, 504];

export const pathParam = (name: string, description: string): Param => ({ name, in: 'path', description });
export const queryParam = (name: string, description: string): Param => ({ name, in: 'query', description });

export const P_NAMESPACE = pathParam('namespace', 'Namespace of the objects the request is about.');
export const P_METRIC = pathParam('metric', 'Name of the metric.');

export const Q_PRETTY = queryParam('pretty', 'When "true", the response JSON is indented.');
export const Q_FIELD_SELECTOR = queryParam(
  'fieldSelector',
  'Restricts the objects returned by their fields.',
);

export interface ApiGroup {
  readonly group: string;
  /** Upper camel case, used in operation ids. */
  readonly ident: string;
  /** Lower camel case, used in tags. */
  readonly tag: string;
  readonly versions: readonly string[];
  readonly description: string;
}

/** One API group's part of the documents: its routes and the definitions only it uses. */
export interface ApiGroupDocs extends ApiGroup {
  operations(): Operation[];
  readonly schemas: Readonly<Record<string, Schema>>;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The parts shared by every route of one group-version. */
export function versionBase(g: ApiGroup, version: string) {
  return {
    prefix: `/apis/${g.group}/${version}`,
    idPrefix: `${g.ident}${capitalize(version)}`,
    tag: `${g.tag}_${version}`,
    groupVersion: `apis/${g.group}/${version}`,
  };
}

export function discoveryOperation(g: ApiGroup, version: string): Operation {
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

/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1) for the simulated kube-apiserver: the
 * validation the real server does before it accepts one (the part tests can trip over), the
 * defaults and status it fills in (names accepted, Established), and what a CRD makes the server
 * serve — a resource type per served version, its status subresource and its printer columns.
 */
import type { ResourceType, SubresourceType } from './kube-discovery.js';
import { parseJsonPath, JsonPathError } from './kube-jsonpath.js';
import { failureStatus, kubeTimestamp, type KubeStatus, type StatusCause } from './kube-status.js';
import type { KubeObject, ResourceRef } from './kube-store.js';

export const CRD_REF: ResourceRef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
};

const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
/** The order the real server lists a custom resource's verbs in discovery. */
const CUSTOM_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: Record<string, never>; scale?: Record<string, unknown> };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: string;
  versions: CrdVersion[];
}

/** What one served version of a CRD makes the server do. */
export interface ServedVersion {
  crdName: string;
  type: ResourceType;
  statusSubresource: boolean;
  /** The printer columns after Name (the real default is a single Age column). */
  columns: PrinterColumn[];
}

function specOf(crd: KubeObject): Partial<CrdSpec> {
  const spec = crd.spec;
  return spec !== null && typeof spec === 'object' ? spec : {};
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  };
}

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function unsupported(field: string, value: unknown, supported: string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}`,
    field,
  };
}

function columnCauses(columns: Array<Partial<PrinterColumn>>, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  columns.forEach((c, j) => {
    const field = `${base}.additionalPrinterColumns[${j}]`;
    if (!c.name) causes.push(required(`${field}.name`));
    if (!COLUMN_TYPES.includes(c.type ?? '')) causes.push(unsupported(`${field}.type`, c.type, COLUMN_TYPES));
    try {
      parseJsonPath(c.jsonPath ?? '');
    } catch (err) {
      if (!(err instanceof JsonPathError)) throw err;
      causes.push(invalid(`${field}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
    }
  });
  return causes;
}

/** The validation errors the real server reports for this CRD (empty: acceptable). */
export function validateCrd(crd: KubeObject): StatusCause[] {
  const spec = specOf(crd);
  const causes: StatusCause[] = [];
  const group = spec.group ?? '';
  const names = spec.names ?? ({} as Partial<CrdNames>);
  if (group === '') causes.push(required('spec.group'));
  else if (!group.includes('.'))
    causes.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  if (!names.plural) causes.push(required('spec.names.plural'));
  if (!names.kind) causes.push(required('spec.names.kind'));
  if (crd.metadata.name !== `${names.plural ?? ''}.${group}`) {
    causes.push(invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.scope === undefined) causes.push(required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push(unsupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  }
  const versions: Array<Partial<CrdVersion>> = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.filter((v) => v.storage === true).length !== 1) {
    causes.push(
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  versions.forEach((v, i) => {
    const base = `spec.versions[${i}]`;
    if (!v.name) causes.push(required(`${base}.name`));
    if (v.schema?.openAPIV3Schema === undefined) {
      causes.push({
        ...required(`${base}.schema.openAPIV3Schema`),
        message: 'Required value: schemas are required',
      });
    }
    causes.push(...columnCauses(v.additionalPrinterColumns ?? [], base));
  });
  return causes;
}

/** 422 Invalid, worded like the real server (one cause bare, several in brackets). */
export function invalidCrdStatus(kindQualified: string, name: string, causes: StatusCause[]): KubeStatus {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const detail = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return failureStatus(422, `${kindQualified} "${name}" is invalid: ${detail}`, 'Invalid', {
    name,
    group: kindQualified.slice(kindQualified.indexOf('.') + 1),
    kind: kindQualified.slice(0, kindQualified.indexOf('.')),
    causes,
  });
}

function condition(
  type: string,
  reason: string,
  message: string,
  previous: KubeObject | undefined,
): Record<string, string> {
  const status = previous?.status as { conditions?: Array<Record<string, string>> } | undefined;
  const old = status?.conditions?.find((c) => c.type === type && c.status === 'True');
  return {
    lastTransitionTime: old?.lastTransitionTime ?? kubeTimestamp(),
    message,
    reason,
    status: 'True',
    type,
  };
}

/**
 * The CRD as the server stores it: names defaulted (singular, listKind), conversion None, the
 * cleanup finalizer, and the status its controllers write once the names are accepted.
 */
export function prepareCrd(crd: KubeObject, previous: KubeObject | undefined): KubeObject {
  const out = structuredClone(crd);
  const spec = out.spec as CrdSpec & { conversion?: unknown };
  spec.names.singular ||= spec.names.kind.toLowerCase();
  spec.names.listKind ||= `${spec.names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  const finalizers = out.metadata.finalizers as string[] | undefined;
  if (!(finalizers ?? []).includes(CLEANUP_FINALIZER))
    out.metadata.finalizers = [...(finalizers ?? []), CLEANUP_FINALIZER];
  const oldStored = (previous?.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];
  const storage = spec.versions.find((v) => v.storage)?.name ?? '';
  out.status = {
    acceptedNames: structuredClone(spec.names),
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found', previous),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', previous),
    ],
    storedVersions: oldStored.includes(storage) ? oldStored : [...oldStored, storage],
  };
  return out;
}

const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

/** One entry per served version of an accepted CRD. */
export function servedVersions(crd: KubeObject): ServedVersion[] {
  const spec = specOf(crd) as CrdSpec;
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const type: ResourceType = {
        group: spec.group,
        version: v.name,
        resource: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        kind: spec.names.kind,
        namespaced: spec.scope === 'Namespaced',
        verbs: [...CUSTOM_VERBS],
      };
      if (spec.names.shortNames?.length) type.shortNames = [...spec.names.shortNames];
      if (spec.names.categories?.length) type.categories = [...spec.names.categories];
      const columns = v.additionalPrinterColumns ?? [];
      return {
        crdName: crd.metadata.name,
        type,
        statusSubresource: v.subresources?.status !== undefined,
        columns: columns.length > 0 ? structuredClone(columns) : [AGE_COLUMN],
      };
    });
}

/** The `<plural>/status` discovery entry of a served version with the status subresource. */
export function statusSubresourceOf(served: ServedVersion): SubresourceType {
  return {
    group: served.type.group,
    version: served.type.version,
    name: `${served.type.resource}/status`,
    namespaced: served.type.namespaced,
    kind: served.type.kind,
    verbs: ['get', 'patch', 'update'],
  };
}

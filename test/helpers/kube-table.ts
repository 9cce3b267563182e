/**
 * meta.k8s.io Table documents, which `kubectl get` asks for and prints: the default columns the
 * simulated server uses for built-in kinds (Name, Created At), and for custom resources the Name
 * column followed by the CRD's additionalPrinterColumns, each cell computed as the real table
 * convertor does (first JSONPath result; typed by the column type; nothing found is null).
 */
import type { PrinterColumn } from './kube-crd.js';
import { parseJsonPath, printJsonPathValue } from './kube-jsonpath.js';
import { kubeTimestamp } from './kube-status.js';
import type { KubeObject } from './kube-store.js';

export interface TableOptions {
  /** meta.k8s.io version asked for (v1 or v1beta1). */
  version: string;
  objects: KubeObject[];
  listMeta: Record<string, unknown>;
  /** The includeObject query parameter: None, Object, or Metadata (the default). */
  includeObject: string;
  /** The object as served in full (kind and apiVersion added). */
  typed: (obj: KubeObject) => Record<string, unknown>;
  /** A custom resource's printer columns; undefined: the default columns. */
  columns?: PrinterColumn[];
}

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

const CREATED_AT_COLUMN = {
  name: 'Created At',
  type: 'date',
  format: '',
  description: 'CreationTimestamp is the server time when this object was created.',
  priority: 0,
};

function columnDefinition(c: PrinterColumn): Record<string, unknown> {
  return {
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
    priority: c.priority ?? 0,
  };
}

/** A cell of a non-string column from the JSON value found (null when of another type). */
function typedCell(type: string, value: unknown): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const time = new Date(value);
      return Number.isNaN(time.getTime()) ? '<invalid>' : kubeTimestamp(time);
    }
    default:
      return null;
  }
}

function cellsOf(columns: PrinterColumn[], typedObject: Record<string, unknown>): unknown[] {
  return columns.map((c) => {
    const found = parseJsonPath(c.jsonPath).find(typedObject);
    if (found.length === 0 || found[0] === null) return null;
    return c.type === 'string' ? printJsonPathValue(found[0]) : typedCell(c.type, found[0]);
  });
}

export function buildTable(opts: TableOptions): Record<string, unknown> {
  const custom = opts.columns;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.listMeta,
    columnDefinitions: custom
      ? [NAME_COLUMN, ...custom.map(columnDefinition)]
      : [NAME_COLUMN, CREATED_AT_COLUMN],
    rows: opts.objects.map((o) => {
      const cells = custom
        ? [o.metadata.name, ...cellsOf(custom, opts.typed(o))]
        : [o.metadata.name, o.metadata.creationTimestamp ?? null];
      const row: Record<string, unknown> = { cells };
      if (opts.includeObject === 'Object') row.object = opts.typed(o);
      else if (opts.includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      }
      return row;
    }),
  };
}

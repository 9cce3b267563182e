/**
 * meta.k8s.io Table documents, which `kubectl get` asks for and prints: the default columns the
 * simulated server uses for built-in kinds (Name, Created At), and for custom resources the Name
 * column followed by the CRD's additionalPrinterColumns, each cell computed as the real table
 * convertor does (first JSONPath result; typed by the column type; a date as an age such as 5m3s;
 * nothing found is null, which kubectl prints as an empty cell).
 */
import type { PrinterColumn } from './kube-crd.js';
import { parseJsonPath, printJsonPathValue } from './kube-jsonpath.js';
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

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** `<whole> <unit>` followed by the remainder in the next unit unless it is zero: 3m7s, 2d5h. */
function twoUnits(ms: number, big: number, bigUnit: string, small: number, smallUnit: string): string {
  const rest = Math.floor((ms % big) / small);
  return `${Math.floor(ms / big)}${bigUnit}${rest === 0 ? '' : `${rest}${smallUnit}`}`;
}

/**
 * An age as the apiserver renders a date cell (kubectl prints it as it comes): seconds up to two
 * minutes, then ever coarser units; slightly negative ages (clock skew) are 0s.
 */
export function humanAge(ms: number): string {
  if (ms <= -2 * SECOND) return '<invalid>';
  if (ms < 0) return '0s';
  if (ms < 2 * MINUTE) return `${Math.floor(ms / SECOND)}s`;
  if (ms < 10 * MINUTE) return twoUnits(ms, MINUTE, 'm', SECOND, 's');
  if (ms < 3 * HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < 8 * HOUR) return twoUnits(ms, HOUR, 'h', MINUTE, 'm');
  if (ms < 48 * HOUR) return `${Math.floor(ms / HOUR)}h`;
  if (ms < 8 * DAY) return twoUnits(ms, DAY, 'd', HOUR, 'h');
  if (ms < 2 * YEAR) return `${Math.floor(ms / DAY)}d`;
  if (ms < 8 * YEAR) return twoUnits(ms, YEAR, 'y', DAY, 'd');
  return `${Math.floor(ms / YEAR)}y`;
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
      return Number.isNaN(time.getTime()) ? '<invalid>' : humanAge(Date.now() - time.getTime());
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

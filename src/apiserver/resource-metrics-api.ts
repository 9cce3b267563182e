/**
 * metrics.k8s.io/v1beta1 over the resource provider: nodes and pods, list and get, query
 * validation (label and field selectors, no watch), and the NodeMetrics / PodMetrics encodings
 * of metrics-server: usage as canonical quantities (CPU from nanocores, memory in binary units),
 * the window as a Go duration, creationTimestamp the time of the answer.
 */
import { BadRequestError, MethodNotAllowedError } from '../errors.js';
import { parseLabelSelector, type Requirement } from '../promql/index.js';
import type {
  ContainerUsage,
  FieldRequirement,
  NodeMetricsItem,
  PodMetricsItem,
  PodRecord,
  PodUsage,
  ResourceMetricsProvider,
} from '../providers/index.js';
import { validateNamespace, validateObjectName } from '../providers/index.js';
import type { APIResource, GroupVersionApi } from './api-groups.js';
import { apiHandler } from './group-version.js';
import { PreEncodedJSON } from './respond.js';
import { newRouter } from './router.js';
import { cpuQuantity, formatGoDuration, formatTime, memoryQuantity } from './wire.js';

const GROUP_VERSION = 'metrics.k8s.io/v1beta1';

const POD_FIELDS = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);
const NODE_FIELDS = new Set(['metadata.name']);
const FIELD_TERM = /^\s*([A-Za-z][A-Za-z.]*)\s*(==|!=|=)\s*([^\s=!\\]*)\s*$/;

export function parseFieldSelector(raw: string | null, allowed: ReadonlySet<string>): FieldRequirement[] {
  if (raw === null || raw.trim() === '') return [];
  const out: FieldRequirement[] = [];
  for (const part of raw.split(',')) {
    const m = FIELD_TERM.exec(part);
    if (m === null)
      throw new BadRequestError(
        `invalid fieldSelector ${JSON.stringify(raw)}: expected field=value, field==value or field!=value`,
      );
    const field = m[1] ?? '';
    if (!allowed.has(field)) {
      throw new BadRequestError(
        `invalid fieldSelector ${JSON.stringify(raw)}: field "${field}" is not supported (use ${[...allowed].join(', ')})`,
      );
    }
    out.push({ field, operator: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' });
  }
  return out;
}

function labelSelectorParam(query: URLSearchParams): Requirement[] {
  const raw = query.get('labelSelector');
  if (raw === null || raw === '') return [];
  try {
    return parseLabelSelector(raw);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`invalid labelSelector ${JSON.stringify(raw)}: ${err.message}`);
    throw err;
  }
}

const WATCH_TRUE = new Set(['true', '1', 't', 'T', 'TRUE', 'True']);

function refuseWatch(query: URLSearchParams, resource: 'nodes' | 'pods'): void {
  const w = query.get('watch');
  if (w !== null && WATCH_TRUE.has(w))
    // apimachinery's NewMethodNotSupported, as metrics-server answers: the group and the resource
    // in details.
    throw new MethodNotAllowedError(
      `watch is not supported on resources of kind "${resource}.metrics.k8s.io"`,
      { group: 'metrics.k8s.io', kind: resource },
    );
}

let lastWindowMs = Number.NaN;
let lastWindow = '';
function windowText(ms: number): string {
  if (ms !== lastWindowMs) {
    lastWindow = formatGoDuration(ms);
    lastWindowMs = ms;
  }
  return lastWindow;
}

function labelsJSON(labels: Readonly<Record<string, string>>): string {
  const text = JSON.stringify(labels);
  return text === '{}' ? '' : `,"labels":${text}`;
}

/**
 * The part of a pod's item that depends on the pod record only, ending where the answer's time
 * goes. Records from watch-backed caches live across requests, so this is usually a lookup.
 */
const podPrefixes = new WeakMap<PodRecord, string>();

function podPrefix(pod: PodRecord): string {
  let prefix = podPrefixes.get(pod);
  if (prefix === undefined) {
    prefix =
      '{"metadata":{"name":' +
      JSON.stringify(pod.name) +
      ',"namespace":' +
      JSON.stringify(pod.namespace) +
      labelsJSON(pod.labels) +
      ',"creationTimestamp":"';
    podPrefixes.set(pod, prefix);
  }
  return prefix;
}

/**
 * The part of a pod's item after the answer's time, for one usage object. Sources that keep their
 * figures between scrapes (the kubelet store) hand out the same object until the next scrape, so a
 * list of every pod in a large cluster is mostly lookups. Built from an array joined once: a flat
 * string, where chains of `+` would keep a tree of cons-strings alive until the final join.
 */
const podSuffixes = new WeakMap<PodUsage, string>();

function podSuffix(usage: PodUsage): string {
  let suffix = podSuffixes.get(usage);
  if (suffix !== undefined) return suffix;
  const containers = usage.containers;
  const pieces: string[] = [
    '"},"timestamp":"',
    formatTime(usage.timestamp),
    '","window":"',
    windowText(usage.windowMs),
    '","containers":[',
  ];
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i] as ContainerUsage;
    pieces.push(
      i === 0 ? '{"name":' : ',{"name":',
      JSON.stringify(c.name),
      ',"usage":{"cpu":"',
      cpuQuantity(c.cpuNanoCores),
      '","memory":"',
      memoryQuantity(c.memoryBytes),
      '"}}',
    );
  }
  pieces.push(']}');
  suffix = pieces.join('');
  podSuffixes.set(usage, suffix);
  return suffix;
}

function podItemJSON(item: PodMetricsItem, created: string): string {
  return [podPrefix(item.pod), created, podSuffix(item.usage)].join('');
}

function nodeItemJSON(item: NodeMetricsItem, created: string): string {
  const { node, usage } = item;
  return (
    '"metadata":{"name":' +
    JSON.stringify(node.name) +
    ',"creationTimestamp":"' +
    created +
    '"' +
    labelsJSON(node.labels) +
    '},"timestamp":"' +
    formatTime(usage.timestamp) +
    '","window":"' +
    windowText(usage.windowMs) +
    '","usage":{"cpu":"' +
    cpuQuantity(usage.cpuNanoCores) +
    '","memory":"' +
    memoryQuantity(usage.memoryBytes) +
    '"}'
  );
}

/** metrics-server stamps objects with the time of the answer, not the pod's or node's creation. */
function createdNow(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The PodMetricsList as one text. */
export function encodePodMetricsList(items: readonly PodMetricsItem[], now = new Date()): string {
  return encodePodMetricsListPieces(items, now).join('');
}

/**
 * The PodMetricsList as pieces, mostly cached per pod and per usage (see podPrefix/podSuffix):
 * written as they are (respond.ts), a list of every pod allocates little beyond this array.
 */
export function encodePodMetricsListPieces(items: readonly PodMetricsItem[], now = new Date()): string[] {
  const created = createdNow(now);
  // One flat array of pieces, joined once or written as they are: no new string per item (the
  // separator is a piece of its own rather than a fresh ",{…" per pod).
  const parts = new Array<string>(Math.max(0, items.length * 4 - 1) + 2);
  parts[0] = `{"kind":"PodMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[`;
  let k = 1;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PodMetricsItem;
    if (i > 0) parts[k++] = ',';
    parts[k++] = podPrefix(item.pod);
    parts[k++] = created;
    parts[k++] = podSuffix(item.usage);
  }
  parts[k] = ']}';
  return parts;
}

export function encodePodMetrics(item: PodMetricsItem, now = new Date()): string {
  return `{"kind":"PodMetrics","apiVersion":"${GROUP_VERSION}",${podItemJSON(item, createdNow(now)).slice(1)}`;
}

export function encodeNodeMetricsList(items: readonly NodeMetricsItem[], now = new Date()): string {
  const created = createdNow(now);
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = `{${nodeItemJSON(items[i] as NodeMetricsItem, created)}}`;
  return `{"kind":"NodeMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[${parts.join(',')}]}`;
}

export function encodeNodeMetrics(item: NodeMetricsItem, now = new Date()): string {
  return `{"kind":"NodeMetrics","apiVersion":"${GROUP_VERSION}",${nodeItemJSON(item, createdNow(now))}}`;
}

const RESOURCES: APIResource[] = [
  { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
  { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
];

export class ResourceMetricsApi implements GroupVersionApi {
  readonly router = newRouter();

  constructor(private readonly provider: ResourceMetricsProvider) {
    const r = this.router;
    r.get(
      '/nodes',
      apiHandler((q) => this.listNodes(q.query, q.signal)),
    );
    r.get(
      '/nodes/:name',
      apiHandler<{ name: string }>((q) => this.getNode(q.params.name, q.query, q.signal)),
    );
    r.get(
      '/pods',
      apiHandler((q) => this.listPods(undefined, q.query, q.signal)),
    );
    r.get(
      '/namespaces/:namespace/pods',
      apiHandler<{ namespace: string }>((q) => this.listPods(q.params.namespace, q.query, q.signal)),
    );
    r.get(
      '/namespaces/:namespace/pods/:name',
      apiHandler<{ namespace: string; name: string }>((q) =>
        this.getPod(q.params.namespace, q.params.name, q.query, q.signal),
      ),
    );
  }

  resources(): APIResource[] {
    return RESOURCES;
  }

  /** GET /apis/metrics.k8s.io/v1beta1/nodes */
  async listNodes(query: URLSearchParams, signal?: AbortSignal): Promise<PreEncodedJSON> {
    refuseWatch(query, 'nodes');
    const labels = labelSelectorParam(query);
    const fields = parseFieldSelector(query.get('fieldSelector'), NODE_FIELDS);
    return new PreEncodedJSON(encodeNodeMetricsList(await this.provider.listNodes(labels, fields, signal)));
  }

  /** GET /apis/metrics.k8s.io/v1beta1/nodes/:name */
  async getNode(name: string, query: URLSearchParams, signal?: AbortSignal): Promise<PreEncodedJSON> {
    refuseWatch(query, 'nodes');
    return new PreEncodedJSON(
      encodeNodeMetrics(await this.provider.getNode(validateObjectName(name), signal)),
    );
  }

  /** GET /apis/metrics.k8s.io/v1beta1/pods and /namespaces/:namespace/pods */
  async listPods(
    namespace: string | undefined,
    query: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<PreEncodedJSON> {
    refuseWatch(query, 'pods');
    const ns = namespace === undefined ? undefined : validateNamespace(namespace);
    const labels = labelSelectorParam(query);
    const fields = parseFieldSelector(query.get('fieldSelector'), POD_FIELDS);
    return new PreEncodedJSON(
      encodePodMetricsListPieces(await this.provider.listPods(ns, labels, fields, signal)),
    );
  }

  /** GET /apis/metrics.k8s.io/v1beta1/namespaces/:namespace/pods/:name */
  async getPod(
    namespace: string,
    name: string,
    query: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<PreEncodedJSON> {
    refuseWatch(query, 'pods');
    const item = await this.provider.getPod(validateNamespace(namespace), validateObjectName(name), signal);
    return new PreEncodedJSON(encodePodMetrics(item));
  }
}

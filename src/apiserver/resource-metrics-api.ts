/**
 * metrics.k8s.io/v1beta1 over the resource provider: nodes and pods, list and get, and query
 * validation (label and field selectors, no watch); the answers are encoded as metrics-server
 * writes them (resource-metrics-wire.ts).
 */
import { BadRequestError, MethodNotAllowedError } from '../errors.js';
import { parseLabelSelector, type Requirement } from '../promql/index.js';
import type { FieldRequirement, ResourceMetricsProvider } from '../providers/index.js';
import { validateNamespace, validateObjectName } from '../providers/index.js';
import type { APIResource, GroupVersionApi } from './api-groups.js';
import { apiHandler } from './group-version.js';
import {
  encodeNodeMetrics,
  encodeNodeMetricsList,
  encodePodMetrics,
  encodePodMetricsListPieces,
} from './resource-metrics-wire.js';
import { PreEncodedJSON } from './respond.js';
import { newRouter } from './router.js';

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

/**
 * The pods and nodes metrics.k8s.io answers for: compact records of what the resource provider
 * needs (names, labels, phase, container names), behind one interface so that the direct
 * LIST/GET implementation here can later be replaced by watch-backed informers.
 */
import { BadRequestError, UnavailableError } from '../errors.js';
import { KubeApiError, type KubeClient } from '../kube/index.js';
import { formatLabelSelector, matchesLabels, type Requirement } from '../promql/index.js';

export interface PodRecord {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** RFC 3339, as the API server wrote it. */
  creationTimestamp: string | undefined;
  /** status.phase ("Running", "Pending", …; "" when unknown). */
  phase: string;
  nodeName: string;
  /** spec.containers names (not init or ephemeral containers). */
  containers: readonly string[];
}

export interface NodeRecord {
  name: string;
  labels: Readonly<Record<string, string>>;
  creationTimestamp: string | undefined;
}

/** One `field=value` / `field!=value` term of a field selector (`==` is stored as `=`). */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface ClusterObjects {
  /** Pods of `namespace` (all namespaces when undefined) matching both selectors, sorted by namespace then name. */
  pods(
    namespace: string | undefined,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<PodRecord[]>;
  pod(namespace: string, name: string, signal?: AbortSignal): Promise<PodRecord | undefined>;
  /** Nodes matching both selectors, sorted by name. */
  nodes(
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<NodeRecord[]>;
  node(name: string, signal?: AbortSignal): Promise<NodeRecord | undefined>;
}

export function formatFieldSelector(reqs: readonly FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${r.value}`).join(',');
}

export function matchesFields(
  reqs: readonly FieldRequirement[],
  fields: Readonly<Record<string, string>>,
): boolean {
  return reqs.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

/** The fields the API server lets pods be selected by (a subset: the ones records carry). */
export function podFields(p: PodRecord): Record<string, string> {
  return {
    'metadata.name': p.name,
    'metadata.namespace': p.namespace,
    'spec.nodeName': p.nodeName,
    'status.phase': p.phase,
  };
}

export function nodeFields(n: NodeRecord): Record<string, string> {
  return { 'metadata.name': n.name };
}

function byNamespaceAndName(a: PodRecord, b: PodRecord): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function byName(a: NodeRecord, b: NodeRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Fixed objects, for tests and tools. */
export class StaticClusterObjects implements ClusterObjects {
  private podList: PodRecord[];
  private nodeList: NodeRecord[];

  constructor(pods: readonly PodRecord[] = [], nodes: readonly NodeRecord[] = []) {
    this.podList = [...pods].sort(byNamespaceAndName);
    this.nodeList = [...nodes].sort(byName);
  }

  setPods(pods: readonly PodRecord[]): void {
    this.podList = [...pods].sort(byNamespaceAndName);
  }

  setNodes(nodes: readonly NodeRecord[]): void {
    this.nodeList = [...nodes].sort(byName);
  }

  pods(
    namespace: string | undefined,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
  ): Promise<PodRecord[]> {
    return Promise.resolve(
      this.podList.filter(
        (p) =>
          (namespace === undefined || p.namespace === namespace) &&
          matchesLabels(labelSelector, p.labels) &&
          matchesFields(fieldSelector, podFields(p)),
      ),
    );
  }

  pod(namespace: string, name: string): Promise<PodRecord | undefined> {
    return Promise.resolve(this.podList.find((p) => p.namespace === namespace && p.name === name));
  }

  nodes(
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
  ): Promise<NodeRecord[]> {
    return Promise.resolve(
      this.nodeList.filter(
        (n) => matchesLabels(labelSelector, n.labels) && matchesFields(fieldSelector, nodeFields(n)),
      ),
    );
  }

  node(name: string): Promise<NodeRecord | undefined> {
    return Promise.resolve(this.nodeList.find((n) => n.name === name));
  }
}

export interface PodObject {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec?: { nodeName?: string; containers?: { name?: string }[] };
  status?: { phase?: string };
}

interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
}

interface ListBody<T> {
  metadata?: { continue?: string };
  items?: T[];
}

/** The compact record of a Pod object (what metrics.k8s.io needs of it). */
export function podRecordFrom(o: PodObject): PodRecord | undefined {
  const m = o.metadata;
  if (m?.name === undefined) return undefined;
  return {
    name: m.name,
    namespace: m.namespace ?? '',
    labels: m.labels ?? {},
    creationTimestamp: m.creationTimestamp,
    phase: o.status?.phase ?? '',
    nodeName: o.spec?.nodeName ?? '',
    containers: (o.spec?.containers ?? []).map((c) => c.name ?? '').filter((n) => n !== ''),
  };
}

function toNode(o: NodeObject): NodeRecord | undefined {
  const m = o.metadata;
  if (m?.name === undefined) return undefined;
  return { name: m.name, labels: m.labels ?? {}, creationTimestamp: m.creationTimestamp };
}

const MAX_PAGES = 10_000;

/** The API server rejecting a selector is the client's mistake; anything else is ours to report as 503. */
function upstreamError(err: unknown): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.statusCode === 400) return new BadRequestError(err.message.replace(/^GET \S+: 400 /, ''));
  return new UnavailableError(`the Kubernetes API could not list objects: ${err.message}`);
}

/**
 * Direct LISTs and GETs against the Kubernetes API, one per request. Selectors are passed to the
 * API server, which applies them (including spec.nodeName and status.phase for pods).
 */
export class KubeClusterObjects implements ClusterObjects {
  constructor(
    private readonly client: KubeClient,
    private readonly pageSize = 500,
  ) {}

  private async list<T>(
    path: string,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal: AbortSignal | undefined,
  ): Promise<T[]> {
    const items: T[] = [];
    const ls = formatLabelSelector([...labelSelector]);
    const fs = formatFieldSelector(fieldSelector);
    let cont: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.client
        .requestJSON<ListBody<T>>('GET', path, {
          query: {
            limit: String(this.pageSize),
            continue: cont,
            labelSelector: ls === '' ? undefined : ls,
            fieldSelector: fs === '' ? undefined : fs,
          },
          timeoutMs: 30_000,
          signal,
        })
        .catch((err: unknown) => {
          throw upstreamError(err);
        });
      items.push(...(body.items ?? []));
      cont = body.metadata?.continue;
      if (cont === undefined || cont === '') return items;
    }
    throw new UnavailableError(`listing ${path} did not end`);
  }

  private async get<T>(path: string, signal: AbortSignal | undefined): Promise<T | undefined> {
    try {
      return await this.client.requestJSON<T>('GET', path, { signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return undefined;
      throw upstreamError(err);
    }
  }

  async pods(
    namespace: string | undefined,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<PodRecord[]> {
    const path =
      namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const items = await this.list<PodObject>(path, labelSelector, fieldSelector, signal);
    return items
      .map(podRecordFrom)
      .filter((p): p is PodRecord => p !== undefined)
      .sort(byNamespaceAndName);
  }

  async pod(namespace: string, name: string, signal?: AbortSignal): Promise<PodRecord | undefined> {
    const o = await this.get<PodObject>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
      signal,
    );
    return o === undefined ? undefined : podRecordFrom(o);
  }

  async nodes(
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<NodeRecord[]> {
    const items = await this.list<NodeObject>('/api/v1/nodes', labelSelector, fieldSelector, signal);
    return items
      .map(toNode)
      .filter((n): n is NodeRecord => n !== undefined)
      .sort(byName);
  }

  async node(name: string, signal?: AbortSignal): Promise<NodeRecord | undefined> {
    const o = await this.get<NodeObject>(`/api/v1/nodes/${encodeURIComponent(name)}`, signal);
    return o === undefined ? undefined : toNode(o);
  }
}

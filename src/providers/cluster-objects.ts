/**
 * The pods and nodes metrics.k8s.io answers for: compact records of what the resource provider
 * needs (names, labels, phase, container names), behind one interface so that the direct
 * LIST/GET implementation here can later be replaced by watch-backed informers.
 */
import { BadRequestError, UnavailableError } from '../errors.js';
import { KubeApiError, internLabels, internNames, internString, type KubeClient } from '../kube/index.js';
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

/**
 * The compact record of a Pod object (what metrics.k8s.io needs of it), made as the object
 * arrives (an informer's transform, or a page of a LIST), so the full object is garbage at once.
 * What repeats across pods (namespace, node, phase, container names, a workload's labels) is the
 * shared copy (kube/intern.ts).
 */
export function podRecordFrom(o: PodObject): PodRecord | undefined {
  const m = o.metadata;
  if (m?.name === undefined) return undefined;
  const containers: string[] = [];
  for (const c of o.spec?.containers ?? [])
    if (c.name !== undefined && c.name !== '') containers.push(c.name);
  return {
    name: m.name,
    namespace: internString(m.namespace ?? ''),
    labels: internLabels(m.labels),
    creationTimestamp: m.creationTimestamp,
    phase: internString(o.status?.phase ?? ''),
    nodeName: internString(o.spec?.nodeName ?? ''),
    containers: internNames(containers),
  };
}

function toNode(o: NodeObject): NodeRecord | undefined {
  const m = o.metadata;
  if (m?.name === undefined) return undefined;
  return { name: m.name, labels: internLabels(m.labels), creationTimestamp: m.creationTimestamp };
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

  /**
   * Every page of the collection, each item made a record as its page arrives: a LIST of 30 000
   * full pods (7 KB each) never has more than one page of full objects alive at once.
   */
  private async list<R>(
    path: string,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal: AbortSignal | undefined,
    toRecord: (item: PodObject & NodeObject) => R | undefined,
  ): Promise<R[]> {
    const records: R[] = [];
    const ls = formatLabelSelector([...labelSelector]);
    const fs = formatFieldSelector(fieldSelector);
    let cont: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.client
        .requestJSON<ListBody<PodObject & NodeObject>>('GET', path, {
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
      for (const item of body.items ?? []) {
        const r = toRecord(item);
        if (r !== undefined) records.push(r);
      }
      cont = body.metadata?.continue;
      if (cont === undefined || cont === '') return records;
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
    const records = await this.list(path, labelSelector, fieldSelector, signal, podRecordFrom);
    return records.sort(byNamespaceAndName);
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
    const records = await this.list('/api/v1/nodes', labelSelector, fieldSelector, signal, toNode);
    return records.sort(byName);
  }

  async node(name: string, signal?: AbortSignal): Promise<NodeRecord | undefined> {
    const o = await this.get<NodeObject>(`/api/v1/nodes/${encodeURIComponent(name)}`, signal);
    return o === undefined ? undefined : toNode(o);
  }
}

/**
 * Pods and nodes for metrics.k8s.io from watch-backed informers, so `kubectl top pod -A` on a
 * 30 000-pod cluster reads memory instead of paging through a LIST per request. An informer is
 * started by the first request that needs it (a cluster where nobody asks metrics.k8s.io never
 * watches its pods); until its first LIST is in, requests for one namespace or one object go to
 * the fallback (direct LISTs), so they do not wait for a large cluster to sync. A request for every
 * pod waits for the sync instead (up to ALL_PODS_SYNC_WAIT_MS): its direct LIST would be the same
 * whole-cluster LIST again, paid twice in time and memory (30 000 full pods are ~200 MB of JSON).
 */
import { matchesLabels, type Requirement } from '../promql/index.js';
import {
  matchesFields,
  nodeFields,
  podFields,
  type ClusterObjects,
  type FieldRequirement,
  type NodeRecord,
  type PodRecord,
} from './cluster-objects.js';

function byNamespaceAndName(a: PodRecord, b: PodRecord): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function byName(a: NodeRecord, b: NodeRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** What is used of an informer (src/kube Informer): its records and when they change. */
export interface RecordSource<T> {
  readonly hasSynced: boolean;
  /** Idempotent. */
  start(): void;
  list(): T[];
  get(namespace: string, name: string): T | undefined;
  onChange(listener: () => void): unknown;
  /** Resolves true once synced, false on timeout or abort; without it the fallback answers at once. */
  waitForSync?(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/** How long a request for every pod waits for the pod informer's first LIST before listing itself. */
export const ALL_PODS_SYNC_WAIT_MS = 60_000;

/** An informer's records, sorted once per change rather than once per request. */
class SortedView<T> {
  private sorted: T[] | undefined;

  constructor(
    private readonly informer: RecordSource<T>,
    private readonly order: (a: T, b: T) => number,
  ) {
    informer.onChange(() => {
      this.sorted = undefined;
    });
  }

  all(): readonly T[] {
    this.sorted ??= this.informer.list().sort(this.order);
    return this.sorted;
  }
}

export class InformerClusterObjects implements ClusterObjects {
  private readonly podView: SortedView<PodRecord>;
  private readonly nodeView: SortedView<NodeRecord>;

  constructor(
    private readonly podInformer: RecordSource<PodRecord>,
    private readonly nodeInformer: RecordSource<NodeRecord>,
    private readonly fallback: ClusterObjects,
  ) {
    this.podView = new SortedView(podInformer, byNamespaceAndName);
    this.nodeView = new SortedView(nodeInformer, byName);
  }

  async pods(
    namespace: string | undefined,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<PodRecord[]> {
    this.podInformer.start();
    if (!this.podInformer.hasSynced && namespace !== undefined)
      return this.fallback.pods(namespace, labelSelector, fieldSelector, signal);
    if (!this.podInformer.hasSynced) {
      const synced = (await this.podInformer.waitForSync?.(ALL_PODS_SYNC_WAIT_MS, signal)) ?? false;
      if (!synced) return this.fallback.pods(namespace, labelSelector, fieldSelector, signal);
    }
    const out: PodRecord[] = [];
    for (const p of this.podView.all()) {
      if (namespace !== undefined && p.namespace !== namespace) continue;
      if (labelSelector.length > 0 && !matchesLabels(labelSelector, p.labels)) continue;
      if (fieldSelector.length > 0 && !matchesFields(fieldSelector, podFields(p))) continue;
      out.push(p);
    }
    return out;
  }

  pod(namespace: string, name: string, signal?: AbortSignal): Promise<PodRecord | undefined> {
    this.podInformer.start();
    if (!this.podInformer.hasSynced) return this.fallback.pod(namespace, name, signal);
    return Promise.resolve(this.podInformer.get(namespace, name));
  }

  nodes(
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<NodeRecord[]> {
    this.nodeInformer.start();
    if (!this.nodeInformer.hasSynced) return this.fallback.nodes(labelSelector, fieldSelector, signal);
    return Promise.resolve(
      this.nodeView
        .all()
        .filter((n) => matchesLabels(labelSelector, n.labels) && matchesFields(fieldSelector, nodeFields(n))),
    );
  }

  node(name: string, signal?: AbortSignal): Promise<NodeRecord | undefined> {
    this.nodeInformer.start();
    if (!this.nodeInformer.hasSynced) return this.fallback.node(name, signal);
    return Promise.resolve(this.nodeInformer.get('', name));
  }
}

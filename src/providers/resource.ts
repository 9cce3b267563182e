/**
 * metrics.k8s.io: which pods and nodes to answer for (from ClusterObjects), and their usage from
 * an ordered list of sources (Prometheus resourceRules first when configured, then the kubelet
 * scraper). Per request, a source that throws or lacks some objects is followed by the next one
 * for the objects still missing. Which source answered is counted and logged when it changes,
 * never shown to clients. Only Running pods are reported, and only when every container has both
 * CPU and memory, as metrics-server does.
 */
import { ApiError, NotFoundError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import { mapLimited } from '../map-limited.js';
import type { Requirement } from '../promql/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { ClusterObjects, FieldRequirement, NodeRecord, PodRecord } from './cluster-objects.js';
import type { NodeUsage, PodUsage, ResourceUsageSource } from './resource-usage.js';

export interface PodMetricsItem {
  pod: PodRecord;
  usage: PodUsage;
}

export interface NodeMetricsItem {
  node: NodeRecord;
  usage: NodeUsage;
}

export interface ResourceMetricsProviderOptions {
  objects: ClusterObjects;
  /** Asked in order; later sources only for what earlier ones could not answer. */
  sources: readonly ResourceUsageSource[];
  logger: Logger;
  metrics: SelfMetrics;
  /** Namespaces asked at once when listing pods of several namespaces (default 8). */
  concurrency?: number;
  /**
   * Above this many namespaces in one request, each source is asked once for every pod it knows
   * (PodUsageQuery without namespace and names) instead of once per namespace (default 16).
   */
  wholeClusterAbove?: number;
}

const GROUP = 'metrics.k8s.io';

/** Default of wholeClusterAbove (`explain` plans pods of many namespaces the same way). */
export const WHOLE_CLUSTER_ABOVE = 16;

export function podMetricsNotFound(namespace: string, name: string): NotFoundError {
  return new NotFoundError(`podmetrics.${GROUP} "${namespace}/${name}" not found`, {
    name: `${namespace}/${name}`,
    group: GROUP,
    kind: 'podmetrics',
  });
}

export function nodeMetricsNotFound(name: string): NotFoundError {
  return new NotFoundError(`nodemetrics.${GROUP} "${name}" not found`, {
    name,
    group: GROUP,
    kind: 'nodemetrics',
  });
}

/** A pod counts when its usage covers every container of its spec (extra containers are dropped). */
export function podUsageFor(pod: PodRecord, usage: PodUsage): PodUsage | undefined {
  const spec = pod.containers;
  const have = usage.containers;
  if (spec.length === 0) return have.length > 0 ? usage : undefined;
  // Pods have a handful of containers: a nested scan is cheaper than a Map per pod.
  let extra = have.length;
  for (const name of spec) {
    let found = false;
    for (const c of have) {
      if (c.name === name) {
        found = true;
        break;
      }
    }
    if (!found) return undefined;
    extra--;
  }
  if (extra === 0) return usage;
  const wanted = new Set(spec);
  return { ...usage, containers: have.filter((c) => wanted.has(c.name)) };
}

/** The pods at `missing` (every pod when undefined) by in-memory lookup; returns how many were found. */
function lookUpPods(
  usageOf: (namespace: string, name: string) => PodUsage | undefined,
  running: readonly PodRecord[],
  slots: (PodMetricsItem | undefined)[],
  missing: readonly number[] | undefined,
): number {
  let n = 0;
  const one = (i: number): void => {
    const pod = running[i] as PodRecord;
    const u = usageOf(pod.namespace, pod.name);
    const usage = u === undefined ? undefined : podUsageFor(pod, u);
    if (usage === undefined) return;
    slots[i] = { pod, usage };
    n++;
  };
  if (missing === undefined) for (let i = 0; i < running.length; i++) one(i);
  else for (const i of missing) one(i);
  return n;
}

export class ResourceMetricsProvider {
  private readonly lastSources = new Map<'pods' | 'nodes', string>();

  constructor(private readonly o: ResourceMetricsProviderOptions) {}

  /** Counts who answered and logs when the answering sources of a kind change. */
  private record(kind: 'pods' | 'nodes', answered: Map<string, number>, missing: number): void {
    for (const [source, n] of answered)
      if (n > 0) this.o.metrics.resourceMetricsAnswers.inc({ kind, source }, n);
    if (missing > 0) this.o.metrics.resourceMetricsAnswers.inc({ kind, source: 'none' }, missing);
    const used = [...answered].filter(([, n]) => n > 0).map(([s]) => s);
    if (used.length === 0) return;
    const key = used.join(',');
    if (this.lastSources.get(kind) !== key) {
      const previous = this.lastSources.get(kind);
      this.lastSources.set(kind, key);
      this.o.logger.info(
        { kind, sources: used, previous: previous?.split(',') ?? [] },
        'resource metrics now answered by a different source',
      );
    }
  }

  /**
   * Asks the sources in order for `keys`; `ask` queries one source for the keys still missing
   * and returns what it has. Throws the first source error when no source answered anything.
   */
  private async fallback<K, U>(
    kind: 'pods' | 'nodes',
    keys: readonly K[],
    ask: (source: ResourceUsageSource, missing: K[]) => Promise<Map<K, U>>,
  ): Promise<Map<K, U>> {
    const found = new Map<K, U>();
    const answered = new Map<string, number>();
    let missing = [...keys];
    let firstError: unknown;
    let failures = 0;
    for (const source of this.o.sources) {
      if (missing.length === 0) break;
      let got: Map<K, U>;
      try {
        got = await ask(source, missing);
      } catch (err) {
        failures++;
        firstError ??= err;
        this.sourceFailed(kind, source, err);
        continue;
      }
      let n = 0;
      for (const [k, u] of got) {
        if (found.has(k)) continue;
        found.set(k, u);
        n++;
      }
      answered.set(source.name, (answered.get(source.name) ?? 0) + n);
      missing = missing.filter((k) => !found.has(k));
    }
    this.record(kind, answered, missing.length);
    if (found.size === 0 && keys.length > 0) this.throwIfAllFailed(failures, firstError);
    return found;
  }

  private sourceFailed(kind: 'pods' | 'nodes', source: ResourceUsageSource, err: unknown): void {
    this.o.metrics.resourceSourceFailures.inc({ source: source.name });
    this.o.logger.warn(
      { kind, source: source.name, err: errorMessage(err) },
      'resource usage source failed; asking the next one',
    );
  }

  /** Nothing was answered: when every source failed, the first failure is the request's error. */
  private throwIfAllFailed(failures: number, firstError: unknown): void {
    if (failures !== this.o.sources.length || firstError === undefined) return;
    if (firstError instanceof ApiError) throw firstError;
    throw new Error(`no resource usage source could answer: ${errorMessage(firstError)}`, {
      cause: firstError,
    });
  }

  /**
   * Running pods with usage, in the order given. Sources are asked in order, each only for the
   * pods still missing; a source with an in-memory lookup (podUsageOf) is asked pod by pod, so a
   * list of every pod allocates one slot per pod rather than indexes and lists of the answer.
   */
  private async podItems(
    pods: readonly PodRecord[],
    signal: AbortSignal | undefined,
  ): Promise<PodMetricsItem[]> {
    const running = pods.filter((p) => p.phase === 'Running');
    if (running.length === 0) return [];
    const slots = new Array<PodMetricsItem | undefined>(running.length);
    const answered = new Map<string, number>();
    // Indices of the pods still missing; undefined while that is every pod.
    let missing: number[] | undefined;
    let left = running.length;
    let firstError: unknown;
    let failures = 0;
    for (const source of this.o.sources) {
      if (left === 0) break;
      let n: number;
      try {
        n =
          source.podUsageOf !== undefined
            ? lookUpPods(source.podUsageOf.bind(source), running, slots, missing)
            : await this.askPods(source, running, slots, missing, signal);
      } catch (err) {
        failures++;
        firstError ??= err;
        this.sourceFailed('pods', source, err);
        continue;
      }
      answered.set(source.name, (answered.get(source.name) ?? 0) + n);
      left -= n;
      if (left > 0 && n > 0) {
        missing = [];
        for (let i = 0; i < slots.length; i++) if (slots[i] === undefined) missing.push(i);
      }
    }
    this.record('pods', answered, left);
    if (left === running.length) this.throwIfAllFailed(failures, firstError);
    const items: PodMetricsItem[] = [];
    for (const item of slots) if (item !== undefined) items.push(item);
    return items;
  }

  /** The pods at `missing` (every pod when undefined) from a source's list answers; returns how many it had. */
  private async askPods(
    source: ResourceUsageSource,
    running: readonly PodRecord[],
    slots: (PodMetricsItem | undefined)[],
    missing: readonly number[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    // namespace → pod name → index into `running`
    const byNs = new Map<string, Map<string, number>>();
    const add = (i: number): void => {
      const p = running[i] as PodRecord;
      let names = byNs.get(p.namespace);
      if (names === undefined) byNs.set(p.namespace, (names = new Map<string, number>()));
      names.set(p.name, i);
    };
    if (missing === undefined) for (let i = 0; i < running.length; i++) add(i);
    else for (const i of missing) add(i);
    // Kept aside until every question is answered: a source that fails midway contributes nothing.
    const got: [number, PodMetricsItem][] = [];
    const take = (i: number | undefined, u: PodUsage): void => {
      if (i === undefined || slots[i] !== undefined) return;
      const pod = running[i] as PodRecord;
      const usage = podUsageFor(pod, u);
      if (usage !== undefined) got.push([i, { pod, usage }]);
    };
    const commit = (): number => {
      let n = 0;
      for (const [i, item] of got) {
        if (slots[i] !== undefined) continue;
        slots[i] = item;
        n++;
      }
      return n;
    };
    if (byNs.size > (this.o.wholeClusterAbove ?? WHOLE_CLUSTER_ABOVE)) {
      // Pods of many namespaces: one cluster-wide question beats one per namespace.
      for (const u of await source.podUsage({ namespace: undefined, signal }))
        take(byNs.get(u.namespace)?.get(u.name), u);
      return commit();
    }
    await mapLimited([...byNs], this.o.concurrency ?? 8, async ([namespace, names]) => {
      const usages = await source.podUsage({ namespace, names: [...names.keys()], signal });
      for (const u of usages) if (u.namespace === namespace) take(names.get(u.name), u);
    });
    return commit();
  }

  private async nodeItems(
    nodes: readonly NodeRecord[],
    signal: AbortSignal | undefined,
  ): Promise<NodeMetricsItem[]> {
    if (nodes.length === 0) return [];
    const found = await this.fallback<NodeRecord, NodeMetricsItem>(
      'nodes',
      nodes,
      async (source, missing) => {
        const records = new Map(missing.map((n) => [n.name, n]));
        const usages = await source.nodeUsage({ names: [...records.keys()], signal });
        const out = new Map<NodeRecord, NodeMetricsItem>();
        for (const u of usages) {
          const node = records.get(u.name);
          if (node !== undefined) out.set(node, { node, usage: u });
        }
        return out;
      },
    );
    const items: NodeMetricsItem[] = [];
    for (const n of nodes) {
      const item = found.get(n);
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  /** Pods of a namespace (all when undefined) with usage, sorted by namespace and name. */
  async listPods(
    namespace: string | undefined,
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<PodMetricsItem[]> {
    const pods = await this.o.objects.pods(namespace, labelSelector, fieldSelector, signal);
    return this.podItems(pods, signal);
  }

  async getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodMetricsItem> {
    const pod = await this.o.objects.pod(namespace, name, signal);
    // metrics-server answers a pod it does not know like one without metrics: NotFound for kind
    // podmetrics in metrics.k8s.io (the HPA and kubectl only read the reason).
    if (pod === undefined) throw podMetricsNotFound(namespace, name);
    const [item] = await this.podItems([pod], signal);
    if (item === undefined) throw podMetricsNotFound(namespace, name);
    return item;
  }

  async listNodes(
    labelSelector: readonly Requirement[],
    fieldSelector: readonly FieldRequirement[],
    signal?: AbortSignal,
  ): Promise<NodeMetricsItem[]> {
    const nodes = await this.o.objects.nodes(labelSelector, fieldSelector, signal);
    return this.nodeItems(nodes, signal);
  }

  async getNode(name: string, signal?: AbortSignal): Promise<NodeMetricsItem> {
    const node = await this.o.objects.node(name, signal);
    if (node === undefined) throw nodeMetricsNotFound(name);
    const [item] = await this.nodeItems([node], signal);
    if (item === undefined) throw nodeMetricsNotFound(name);
    return item;
  }
}

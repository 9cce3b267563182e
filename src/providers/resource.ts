/**
 * metrics.k8s.io: which pods and nodes to answer for (from ClusterObjects, with the request's
 * label and field selectors), and their usage from an ordered list of sources (Prometheus
 * resourceRules first when configured, then the kubelet scraper). Per request, a source that
 * throws or lacks some objects is followed by the next one for the objects still missing
 * (resource-sources.ts; pods: resource-pods.ts). An object without usage is not found.
 */
import { NotFoundError } from '../errors.js';
import type { Requirement } from '../promql/index.js';
import type { ClusterObjects, FieldRequirement, NodeRecord } from './cluster-objects.js';
import { podItems, type PodAskLimits, type PodMetricsItem } from './resource-pods.js';
import { UsageSources, type UsageSourcesOptions } from './resource-sources.js';
import type { NodeUsage } from './resource-usage.js';

export interface NodeMetricsItem {
  node: NodeRecord;
  usage: NodeUsage;
}

/** The sources and their limits: resource-sources.ts and resource-pods.ts. */
export interface ResourceMetricsProviderOptions extends UsageSourcesOptions, PodAskLimits {
  objects: ClusterObjects;
}

const GROUP = 'metrics.k8s.io';

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

export class ResourceMetricsProvider {
  private readonly sources: UsageSources;

  constructor(private readonly o: ResourceMetricsProviderOptions) {
    this.sources = new UsageSources(o);
  }

  private async nodeItems(
    nodes: readonly NodeRecord[],
    signal: AbortSignal | undefined,
  ): Promise<NodeMetricsItem[]> {
    if (nodes.length === 0) return [];
    const found = await this.sources.fallback<NodeRecord, NodeMetricsItem>(
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
    return podItems(this.sources, pods, this.o, signal);
  }

  async getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodMetricsItem> {
    const pod = await this.o.objects.pod(namespace, name, signal);
    // metrics-server answers a pod it does not know like one without metrics: NotFound for kind
    // podmetrics in metrics.k8s.io (the HPA and kubectl only read the reason).
    if (pod === undefined) throw podMetricsNotFound(namespace, name);
    const [item] = await podItems(this.sources, [pod], this.o, signal);
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

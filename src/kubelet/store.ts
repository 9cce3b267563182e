/**
 * The last two points per container and per node (usage-series.ts), kept by node and indexed by
 * pod for the metrics.k8s.io answers: a scrape replaces what its node reported, a pod reported by
 * another node moves there, and a pod's answer is built once per scrape of its node.
 */
import type { NodeUsage, PodUsage } from '../providers/index.js';
import type { NodeScrape } from './types.js';
import { UsageSeries } from './usage-series.js';

class PodEntry {
  readonly containers = new Map<string, UsageSeries>();
  complete = true;
  /**
   * The answer built from the current points, until the next scrape of the node: list requests
   * between two scrapes get the same object (so an encoder can cache its text) and allocate nothing.
   */
  usage: PodUsage | undefined;
  constructor(
    readonly namespace: string,
    readonly name: string,
    readonly node: string,
  ) {}
}

class NodeEntry {
  series: UsageSeries | undefined;
  /** Keyed by "namespace/name". */
  readonly pods = new Map<string, PodEntry>();
  constructor(readonly name: string) {}
}

export interface PodPointsDiagnosis {
  node: string;
  /** False when the last answer lacked CPU or memory for some container (the pod is not reported). */
  complete: boolean;
  containers: { name: string; points: 1 | 2 }[];
}

export interface StoreCounts {
  nodes: number;
  pods: number;
  containers: number;
}

export interface UsageStoreOptions {
  /**
   * The scraper's --metric-resolution: a container started at most this long before its first
   * reading is a cold start, and a first answer from the kubelet's own rate reports it as the
   * window. Default 15 s (the flag's default).
   */
  resolutionMs?: number;
}

export class UsageStore {
  private readonly resolutionMs: number;
  private readonly nodes = new Map<string, NodeEntry>();
  /** "namespace/name" → entry, whichever node reported the pod last. */
  private readonly pods = new Map<string, PodEntry>();
  private readonly byNamespace = new Map<string, Map<string, PodEntry>>();
  private containerCount = 0;

  constructor(options: UsageStoreOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? 15_000;
  }

  /** Applies one scrape of a node: pods and containers it no longer reports are forgotten. */
  apply(nodeName: string, scrape: NodeScrape): void {
    let node = this.nodes.get(nodeName);
    if (node === undefined) {
      node = new NodeEntry(nodeName);
      this.nodes.set(nodeName, node);
    }
    if (scrape.node === undefined) node.series = undefined;
    else if (node.series === undefined) node.series = new UsageSeries(scrape.node, Number.NaN);
    else node.series.update(scrape.node, Number.NaN);

    const seen = new Set<string>();
    for (const p of scrape.pods) {
      const key = `${p.namespace}/${p.name}`;
      seen.add(key);
      let pod = node.pods.get(key);
      if (pod === undefined) {
        pod = new PodEntry(p.namespace, p.name, nodeName);
        node.pods.set(key, pod);
        this.index(key, pod);
      }
      pod.complete = p.complete;
      pod.usage = undefined;
      if (!p.complete) continue;
      const names = new Set<string>();
      for (const c of p.containers) {
        names.add(c.name);
        const s = pod.containers.get(c.name);
        if (s === undefined) {
          pod.containers.set(c.name, new UsageSeries(c, c.startTimeMs));
          this.containerCount++;
        } else s.update(c, c.startTimeMs);
      }
      for (const name of pod.containers.keys()) {
        if (!names.has(name)) {
          pod.containers.delete(name);
          this.containerCount--;
        }
      }
    }
    for (const [key, pod] of node.pods) {
      if (!seen.has(key)) this.dropPod(node, key, pod);
    }
  }

  private index(key: string, pod: PodEntry): void {
    const prev = this.pods.get(key);
    // The same pod name on another node (deleted and recreated there): the newest report wins.
    if (prev !== undefined && prev !== pod) {
      const other = this.nodes.get(prev.node);
      if (other !== undefined) this.dropPod(other, key, prev);
    }
    this.pods.set(key, pod);
    let ns = this.byNamespace.get(pod.namespace);
    if (ns === undefined) {
      ns = new Map();
      this.byNamespace.set(pod.namespace, ns);
    }
    ns.set(pod.name, pod);
  }

  private dropPod(node: NodeEntry, key: string, pod: PodEntry): void {
    node.pods.delete(key);
    this.containerCount -= pod.containers.size;
    if (this.pods.get(key) === pod) {
      this.pods.delete(key);
      const ns = this.byNamespace.get(pod.namespace);
      ns?.delete(pod.name);
      if (ns?.size === 0) this.byNamespace.delete(pod.namespace);
    }
  }

  removeNode(nodeName: string): void {
    const node = this.nodes.get(nodeName);
    if (node === undefined) return;
    for (const [key, pod] of [...node.pods]) this.dropPod(node, key, pod);
    this.nodes.delete(nodeName);
  }

  /**
   * True when the node's own figures answer: two points, or one with the kubelet's own rate
   * (the Summary API's usageNanoCores, so one scrape suffices there).
   */
  nodeComplete(nodeName: string): boolean {
    return this.nodes.get(nodeName)?.series?.answers(this.resolutionMs) ?? false;
  }

  /**
   * What explain says about one pod: the node whose last answer had it, whether that answer was
   * complete (CPU and memory for every container), and how many points each container has —
   * counted as 2 once it answers (a single point answers by the cold-start or usageNanoCores
   * rule), so `1` means "waits for its second point". Undefined when no node's last answer had the pod.
   */
  diagnosePod(namespace: string, name: string): PodPointsDiagnosis | undefined {
    const p = this.byNamespace.get(namespace)?.get(name);
    if (p === undefined) return undefined;
    const containers: PodPointsDiagnosis['containers'] = [];
    const res = this.resolutionMs;
    for (const [c, s] of p.containers) containers.push({ name: c, points: s.answers(res) ? 2 : 1 });
    return { node: p.node, complete: p.complete, containers };
  }

  /** The node's own figures: scraped at all, and how many points (0: its last answer had none). */
  diagnoseNode(nodeName: string): { points: 0 | 1 | 2; scraped: boolean } {
    const n = this.nodes.get(nodeName);
    const s = n?.series;
    return { scraped: n !== undefined, points: s === undefined ? 0 : s.answers(this.resolutionMs) ? 2 : 1 };
  }

  counts(): StoreCounts {
    return { nodes: this.nodes.size, pods: this.pods.size, containers: this.containerCount };
  }

  nodeUsage(names?: readonly string[]): NodeUsage[] {
    const out: NodeUsage[] = [];
    const res = this.resolutionMs;
    const visit = (n: NodeEntry | undefined): void => {
      const s = n?.series;
      if (n === undefined || s === undefined || !s.answers(res)) return;
      out.push({
        name: n.name,
        timestamp: new Date(s.t1),
        windowMs: s.windowMs(res),
        cpuNanoCores: s.rate(res),
        memoryBytes: s.mem,
      });
    };
    if (names === undefined) for (const n of this.nodes.values()) visit(n);
    else for (const name of names) visit(this.nodes.get(name));
    return out;
  }

  /** One pod's usage, when every container answers (the same object until the next scrape). */
  podUsageOf(namespace: string, name: string): PodUsage | undefined {
    return usageOf(this.byNamespace.get(namespace)?.get(name), this.resolutionMs);
  }

  podUsage(namespace: string | undefined, names?: readonly string[]): PodUsage[] {
    const out: PodUsage[] = [];
    const res = this.resolutionMs;
    const visit = (p: PodEntry | undefined): void => {
      const u = usageOf(p, res);
      if (u !== undefined) out.push(u);
    };
    if (names !== undefined) {
      for (const name of names) {
        if (namespace !== undefined) visit(this.byNamespace.get(namespace)?.get(name));
        else for (const ns of this.byNamespace.values()) visit(ns.get(name));
      }
    } else if (namespace !== undefined) {
      for (const p of this.byNamespace.get(namespace)?.values() ?? []) visit(p);
    } else {
      for (const p of this.pods.values()) visit(p);
    }
    return out;
  }
}

/**
 * A pod's answer, built once per scrape of its node; undefined while some container cannot answer
 * (see UsageSeries.answers). The window is the newest container's.
 */
function usageOf(p: PodEntry | undefined, res: number): PodUsage | undefined {
  if (p === undefined) return undefined;
  if (p.usage !== undefined) return p.usage;
  if (!p.complete || p.containers.size === 0) return undefined;
  let newest: UsageSeries | undefined;
  for (const s of p.containers.values()) {
    if (!s.answers(res)) return undefined;
    if (newest === undefined || s.t1 > newest.t1) newest = s;
  }
  if (newest === undefined) return undefined;
  const containers = [];
  for (const [name, s] of p.containers) {
    containers.push({ name, cpuNanoCores: s.rate(res), memoryBytes: s.mem });
  }
  p.usage = {
    namespace: p.namespace,
    name: p.name,
    timestamp: new Date(newest.t1),
    windowMs: newest.windowMs(res),
    containers,
  };
  return p.usage;
}

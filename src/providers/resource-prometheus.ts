/**
 * CPU and memory usage from Prometheus through `resourceRules`, with prometheus-adapter's resource
 * provider semantics: the containerQuery / nodeQuery templates are rendered with the namespace and
 * name matchers of the objects asked for, grouped by the resource label (plus the container label
 * for pods); the reported window is `resourceRules.window`; the timestamp is the earliest of the
 * samples used. Differences, on purpose: a long list of names is split over several queries (URL
 * and regex size), NaN and infinite values leave their pod out (so the next source is asked)
 * instead of becoming 0, and without `window` the query's own range is reported rather than 0.
 */
import type { ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { PrometheusClient, Sample } from '../prometheus/index.js';
import { InternalError, errorMessage } from '../errors.js';
import { mapLimited } from '../map-limited.js';
import {
  renderChunks,
  renderResourceQuery,
  type CompiledResourceQuery,
  type CompiledResourceRules,
} from '../rules/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import type {
  ContainerUsage,
  NodeUsage,
  NodeUsageQuery,
  PodUsage,
  PodUsageQuery,
  ResourceUsageSource,
} from './resource-usage.js';

const PODS = { group: '', resource: 'pods' };
const NODES = { group: '', resource: 'nodes' };

export interface PrometheusResourceSourceOptions {
  /**
   * The compiled resourceRules, or a getter for the ones in use now (rules files are reloaded);
   * while it yields undefined the source knows no pod or node, so the next source answers.
   */
  rules: CompiledResourceRules | (() => CompiledResourceRules | undefined);
  mapper: ResourceMapper;
  prometheus: PrometheusClient;
  logger: Logger;
  metrics: SelfMetrics;
  /** Upper bound on the characters of object names in one query (default 16 KiB). */
  maxNamesLength?: number;
  /** Upper bound on the characters of one rendered query (--max-query-length; 0 or default: none). */
  maxQueryLength?: number;
  /** Queries in flight at once for one request (default 4). */
  concurrency?: number;
}

/** Splits names into batches whose joined length stays under `maxLength` (always at least one name). */
export function batchNames(names: readonly string[], maxLength: number): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let length = 0;
  for (const name of names) {
    if (batch.length > 0 && length + name.length + 1 > maxLength) {
      out.push(batch);
      batch = [];
      length = 0;
    }
    batch.push(name);
    length += name.length + 1;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

interface Reading {
  value: number;
  timestamp: Date;
}

/** One resourceRules query run for explain: its PromQL and what Prometheus returned. */
export interface DescribedUsageQuery {
  /** e.g. `resourceRules.cpu.containerQuery`. */
  path: string;
  promql: string;
  /** Samples returned (for the one pod, any container; for the node). */
  samples: number;
  /** Set when the query could not be rendered or Prometheus failed. */
  error?: string;
}

export class PrometheusResourceSource implements ResourceUsageSource {
  readonly name = 'prometheus';

  constructor(private readonly o: PrometheusResourceSourceOptions) {}

  private label(q: CompiledResourceQuery, gr: { group: string; resource: string }): string {
    const label = q.association.labelFor(gr, this.o.mapper);
    if (label === undefined) throw new InternalError(`${q.path}.resources has no label for ${gr.resource}`);
    return label;
  }

  private rules(): CompiledResourceRules | undefined {
    const r = this.o.rules;
    return typeof r === 'function' ? r() : r;
  }

  private windowMs(rules: CompiledResourceRules, seconds: number | undefined): number {
    return rules.windowMs ?? (seconds === undefined ? 0 : seconds * 1000);
  }

  /** Runs one rule's query over all batches; returns the samples. */
  private async run(
    q: CompiledResourceQuery,
    kind: 'containerQuery' | 'nodeQuery',
    render: (names: readonly string[] | undefined) => string,
    names: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Sample[]> {
    let queries: string[];
    try {
      queries =
        names === undefined
          ? [render(undefined)]
          : batchNames(names, this.o.maxNamesLength ?? 16_384).flatMap((batch) =>
              renderChunks(batch, this.o.maxQueryLength ?? 0, render).map((c) => c.query),
            );
    } catch (err) {
      throw new InternalError(`${q.path}.${kind} could not be rendered: ${(err as Error).message}`);
    }
    if (queries.length > 1) this.o.metrics.splitQueries.inc({ api: 'resource' });
    const results = await mapLimited(queries, this.o.concurrency ?? 4, (promql) =>
      this.o.prometheus.query(promql, { signal }),
    );
    return results.flat();
  }

  private countNonFinite(what: string, n: number): void {
    if (n === 0) return;
    this.o.metrics.nonFiniteValues.inc(n);
    this.o.logger.info({ what, samples: n }, 'left out NaN or infinite resource usage values');
  }

  /**
   * For explain: the cpu and memory queries the server sends for this one pod (or node), each run
   * once; undefined without resourceRules. Rendered like podUsage / nodeUsage for one name.
   */
  async describe(
    target: { namespace: string; pod: string } | { node: string },
    signal?: AbortSignal,
  ): Promise<DescribedUsageQuery[] | undefined> {
    const rules = this.rules();
    if (rules === undefined) return undefined;
    return Promise.all(
      [rules.cpu, rules.memory].map(async (q) => {
        const kind = 'pod' in target ? 'containerQuery' : 'nodeQuery';
        const path = `${q.path}.${kind}`;
        let promql: string;
        try {
          promql =
            'pod' in target
              ? this.podQuery(q, target.namespace, [target.pod])
              : this.nodeQuery(q, [target.node]);
        } catch (err) {
          return { path, promql: '', samples: 0, error: errorMessage(err) };
        }
        try {
          const samples = await this.o.prometheus.query(promql, { signal });
          return { path, promql, samples: samples.length };
        } catch (err) {
          return { path, promql, samples: 0, error: errorMessage(err) };
        }
      }),
    );
  }

  /** The containerQuery of one resource rule for these pods (all when undefined) of a namespace (all when undefined). */
  private podQuery(
    q: CompiledResourceQuery,
    namespace: string | undefined,
    names: readonly string[] | undefined,
  ): string {
    const nsLabel = this.label(q, { group: '', resource: 'namespaces' });
    return renderResourceQuery(
      { path: `${q.path}.containerQuery`, metricsQuery: q.containerQuery },
      {
        resourceLabel: this.label(q, PODS),
        names,
        namespace: namespace === undefined ? undefined : { label: nsLabel, value: namespace },
        // Without a namespace the samples must say which namespace they belong to.
        extraGroupBy: namespace === undefined ? [q.containerLabel, nsLabel] : [q.containerLabel],
      },
    );
  }

  /** The nodeQuery of one resource rule for these nodes (all when undefined). */
  private nodeQuery(q: CompiledResourceQuery, names: readonly string[] | undefined): string {
    return renderResourceQuery(
      { path: `${q.path}.nodeQuery`, metricsQuery: q.nodeQuery },
      { resourceLabel: this.label(q, NODES), names, extraGroupBy: [] },
    );
  }

  async podUsage(query: PodUsageQuery): Promise<PodUsage[]> {
    const rules = this.rules();
    if (rules === undefined || query.names?.length === 0) return [];
    const { cpu, memory } = rules;
    const sides = [cpu, memory].map((q) => {
      const podLabel = this.label(q, PODS);
      const nsLabel = this.label(q, { group: '', resource: 'namespaces' });
      const render = (names: readonly string[] | undefined): string =>
        this.podQuery(q, query.namespace, names);
      return { q, podLabel, nsLabel, render };
    });
    const [cpuSamples, memSamples] = await Promise.all(
      sides.map((s) => this.run(s.q, 'containerQuery', s.render, query.names, query.signal)),
    );
    // namespace → pod → container → reading
    type Readings = Map<string, Map<string, Map<string, Reading>>>;
    let nonFinite = 0;
    const index = (samples: Sample[], side: (typeof sides)[number], clampNegative: boolean): Readings => {
      const out: Readings = new Map();
      for (const s of samples) {
        const pod = s.labels[side.podLabel];
        const container = s.labels[side.q.containerLabel];
        const ns = query.namespace ?? s.labels[side.nsLabel];
        if (
          pod === undefined ||
          pod === '' ||
          container === undefined ||
          container === '' ||
          ns === undefined
        )
          continue;
        if (!Number.isFinite(s.value)) {
          nonFinite++;
          continue;
        }
        let pods = out.get(ns);
        if (pods === undefined) out.set(ns, (pods = new Map<string, Map<string, Reading>>()));
        let containers = pods.get(pod);
        if (containers === undefined) pods.set(pod, (containers = new Map<string, Reading>()));
        if (!containers.has(container))
          containers.set(container, {
            value: clampNegative && s.value < 0 ? 0 : s.value,
            timestamp: s.timestamp,
          });
      }
      return out;
    };
    const [cpuSide, memSide] = sides as [(typeof sides)[number], (typeof sides)[number]];
    const cpuBy = index(cpuSamples ?? [], cpuSide, true);
    const memBy = index(memSamples ?? [], memSide, true);
    this.countNonFinite('pods', nonFinite);
    const windowMs = this.windowMs(rules, cpu.containerWindowSeconds);
    const wanted = query.names === undefined ? undefined : new Set(query.names);
    const out: PodUsage[] = [];
    for (const [ns, pods] of cpuBy) {
      for (const [pod, cpuContainers] of pods) {
        if (wanted !== undefined && !wanted.has(pod)) continue;
        const memContainers = memBy.get(ns)?.get(pod);
        if (memContainers === undefined) continue;
        const containers: ContainerUsage[] = [];
        let earliest = Number.POSITIVE_INFINITY;
        let complete = cpuContainers.size === memContainers.size;
        for (const [name, c] of cpuContainers) {
          const m = memContainers.get(name);
          if (m === undefined) {
            complete = false;
            break;
          }
          earliest = Math.min(earliest, c.timestamp.getTime(), m.timestamp.getTime());
          containers.push({
            name,
            cpuNanoCores: Math.round(c.value * 1e9),
            memoryBytes: Math.round(m.value),
          });
        }
        // A container known to one query only: the pod's data is incomplete; let the next source try.
        if (!complete || containers.length === 0) continue;
        containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        out.push({ namespace: ns, name: pod, timestamp: new Date(earliest), windowMs, containers });
      }
    }
    return out;
  }

  async nodeUsage(query: NodeUsageQuery): Promise<NodeUsage[]> {
    const rules = this.rules();
    if (rules === undefined || query.names?.length === 0) return [];
    const { cpu, memory } = rules;
    const sides = [cpu, memory].map((q) => {
      const nodeLabel = this.label(q, NODES);
      const render = (names: readonly string[] | undefined): string => this.nodeQuery(q, names);
      return { q, nodeLabel, render };
    });
    const [cpuSamples, memSamples] = await Promise.all(
      sides.map((s) => this.run(s.q, 'nodeQuery', s.render, query.names, query.signal)),
    );
    let nonFinite = 0;
    const index = (samples: Sample[], label: string): Map<string, Reading> => {
      const out = new Map<string, Reading>();
      for (const s of samples) {
        const node = s.labels[label];
        if (node === undefined || node === '' || out.has(node)) continue;
        if (!Number.isFinite(s.value)) {
          nonFinite++;
          continue;
        }
        out.set(node, { value: s.value < 0 ? 0 : s.value, timestamp: s.timestamp });
      }
      return out;
    };
    const [cpuSide, memSide] = sides as [(typeof sides)[number], (typeof sides)[number]];
    const cpuBy = index(cpuSamples ?? [], cpuSide.nodeLabel);
    const memBy = index(memSamples ?? [], memSide.nodeLabel);
    this.countNonFinite('nodes', nonFinite);
    const windowMs = this.windowMs(rules, cpu.nodeWindowSeconds);
    const wanted = query.names === undefined ? undefined : new Set(query.names);
    const out: NodeUsage[] = [];
    for (const [name, c] of cpuBy) {
      if (wanted !== undefined && !wanted.has(name)) continue;
      const m = memBy.get(name);
      if (m === undefined) continue;
      out.push({
        name,
        timestamp: new Date(Math.min(c.timestamp.getTime(), m.timestamp.getTime())),
        windowMs,
        cpuNanoCores: Math.round(c.value * 1e9),
        memoryBytes: Math.round(m.value),
      });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }
}

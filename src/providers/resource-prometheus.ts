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
import { errorMessage } from '../errors.js';
import { mapLimited } from '../map-limited.js';
import type { CompiledResourceRules } from '../rules/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import type {
  ContainerUsage,
  NodeUsage,
  NodeUsageQuery,
  PodUsage,
  PodUsageQuery,
  ResourceUsageSource,
} from './resource-usage.js';
import {
  nodeUsageQuery,
  planUsageQueries,
  podUsageQuery,
  type UsageQueryPlan,
  type UsageQuestion,
} from './resource-queries.js';

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

  private rules(): CompiledResourceRules | undefined {
    const r = this.o.rules;
    return typeof r === 'function' ? r() : r;
  }

  private windowMs(rules: CompiledResourceRules, seconds: number | undefined): number {
    return rules.windowMs ?? (seconds === undefined ? 0 : seconds * 1000);
  }

  /** Runs a plan's queries (several batches and split parts at once); returns their samples. */
  private async run(plan: UsageQueryPlan, signal: AbortSignal | undefined): Promise<Sample[]> {
    if (plan.queries.length > 1) this.o.metrics.splitQueries.inc({ api: 'resource' });
    const results = await mapLimited(plan.queries, this.o.concurrency ?? 4, (promql) =>
      this.o.prometheus.query(promql, { signal }),
    );
    return results.flat();
  }

  private plans(rules: CompiledResourceRules, question: UsageQuestion): UsageQueryPlan[] {
    return planUsageQueries(rules, this.o.mapper, question, {
      maxNamesLength: this.o.maxNamesLength,
      maxQueryLength: this.o.maxQueryLength,
    });
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
              ? podUsageQuery(q, this.o.mapper, target.namespace, [target.pod])
              : nodeUsageQuery(q, this.o.mapper, [target.node]);
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

  async podUsage(query: PodUsageQuery): Promise<PodUsage[]> {
    const rules = this.rules();
    if (rules === undefined || query.names?.length === 0) return [];
    const plans = this.plans(rules, { target: 'pods', namespace: query.namespace, names: query.names });
    const [cpuSamples, memSamples] = await Promise.all(plans.map((p) => this.run(p, query.signal)));
    // namespace → pod → container → reading
    type Readings = Map<string, Map<string, Map<string, Reading>>>;
    let nonFinite = 0;
    const index = (samples: Sample[], plan: UsageQueryPlan, clampNegative: boolean): Readings => {
      const out: Readings = new Map();
      for (const s of samples) {
        const pod = s.labels[plan.objectLabel];
        const container = s.labels[plan.containerLabel ?? ''];
        const ns = query.namespace ?? s.labels[plan.namespaceLabel ?? ''];
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
    const [cpuPlan, memPlan] = plans as [UsageQueryPlan, UsageQueryPlan];
    const cpuBy = index(cpuSamples ?? [], cpuPlan, true);
    const memBy = index(memSamples ?? [], memPlan, true);
    this.countNonFinite('pods', nonFinite);
    const windowMs = this.windowMs(rules, rules.cpu.containerWindowSeconds);
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
    const plans = this.plans(rules, { target: 'nodes', names: query.names });
    const [cpuSamples, memSamples] = await Promise.all(plans.map((p) => this.run(p, query.signal)));
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
    const [cpuPlan, memPlan] = plans as [UsageQueryPlan, UsageQueryPlan];
    const cpuBy = index(cpuSamples ?? [], cpuPlan.objectLabel);
    const memBy = index(memSamples ?? [], memPlan.objectLabel);
    this.countNonFinite('nodes', nonFinite);
    const windowMs = this.windowMs(rules, rules.cpu.nodeWindowSeconds);
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

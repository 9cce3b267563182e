/**
 * On-demand lookups, beyond prometheus-adapter: a request for a metric the catalog does not know
 * looks that name up — the metric names matching each seriesQuery come from the cheap label-values
 * API, only the matching names are fetched as series — so a new metric answers within seconds
 * rather than after the next relist. Concurrent lookups of one name share a call, and misses are
 * remembered briefly (negative cache) so unknown names cannot hammer Prometheus.
 */
import { LRUCache } from 'lru-cache';
import type { ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { PrometheusClient } from '../prometheus/index.js';
import { withNameMatcher } from '../promql/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import {
  customKey,
  shapesOf,
  type CustomMetricEntry,
  type ExternalMetricEntry,
  type MetricCatalog,
  type SeriesShape,
} from './catalog.js';
import { metricNameFor } from './naming.js';
import type { CompiledRules } from './types.js';

export interface OnDemandLookupOptions {
  prometheus: PrometheusClient;
  mapper: ResourceMapper;
  logger: Logger;
  metrics: SelfMetrics;
  maxAgeMs: number;
  /** How long an unsuccessful on-demand lookup is remembered. */
  negativeCacheTtlMs?: number;
  /** How long the metric names of one seriesQuery are reused between on-demand lookups. */
  nameCacheTtlMs?: number;
}

/** What discovery knows now; lookups add to its catalog and shapes in place. */
export interface DiscoveryState {
  rules: CompiledRules;
  /** Last good shapes per seriesQuery. */
  shapes: Map<string, SeriesShape[]>;
  catalog: MetricCatalog;
}

export type CustomLookup = { metric: string; group: string; resource: string; namespaced: boolean };

/** The time range series are read over: the last maxAgeMs. */
export function seriesWindow(maxAgeMs: number): { start: Date; end: Date } {
  const end = new Date();
  return { start: new Date(end.getTime() - maxAgeMs), end };
}

/**
 * The shapes of the series matching `selectors`, read without holding the series where the
 * client can (HttpPrometheusClient); the same shapes either way.
 */
export async function readSeriesShapes(
  p: PrometheusClient,
  selectors: string[],
  start: Date,
  end: Date,
): Promise<SeriesShape[]> {
  if (p.seriesShapes !== undefined) return p.seriesShapes(selectors, start, end);
  return shapesOf(await p.series(selectors, start, end));
}

export class OnDemandLookup {
  private readonly negative: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly names: LRUCache<string, string[], { start: Date; end: Date }>;

  /** current: discovery's state now; changed: called when a lookup added to the catalog. */
  constructor(
    private readonly o: OnDemandLookupOptions,
    private readonly current: () => DiscoveryState,
    private readonly changed: () => void,
  ) {
    this.negative = new LRUCache({ max: 10_000, ttl: o.negativeCacheTtlMs ?? 10_000 });
    this.names = new LRUCache<string, string[], { start: Date; end: Date }>({
      max: 1_000,
      ttl: o.nameCacheTtlMs ?? 5_000,
      fetchMethod: (query, _stale, { context }) =>
        this.o.prometheus.labelValues('__name__', [query], context.start, context.end),
    });
  }

  /** Forgets the misses (a relist may have found them). */
  clearMisses(): void {
    this.negative.clear();
  }

  /** The catalog entry for a request, looking the metric up in Prometheus when the catalog lacks it. */
  async findCustom(q: CustomLookup): Promise<CustomMetricEntry | undefined> {
    const find = (): CustomMetricEntry | undefined =>
      this.current().catalog.findCustom(q.metric, q.group, q.resource, q.namespaced);
    const hit = find();
    if (hit !== undefined) return hit;
    await this.lookUp(
      `custom\u0000${customKey(q.metric, q.group, q.resource, q.namespaced)}`,
      q.metric,
      'custom',
      () => find() !== undefined,
    );
    return find();
  }

  async findExternal(metric: string): Promise<ExternalMetricEntry | undefined> {
    const hit = this.current().catalog.findExternal(metric);
    if (hit !== undefined) return hit;
    await this.lookUp(
      `external\u0000${metric}`,
      metric,
      'external',
      () => this.current().catalog.findExternal(metric) !== undefined,
    );
    return this.current().catalog.findExternal(metric);
  }

  private async lookUp(
    key: string,
    metric: string,
    api: 'custom' | 'external',
    found: () => boolean,
  ): Promise<void> {
    if (this.negative.has(key)) {
      this.o.metrics.onDemandLookups.inc({ result: 'negative_cached' });
      return;
    }
    // Lookups are shared between requests, so they are not tied to one request's abort signal.
    let pending = this.inflight.get(metric + '\u0000' + api);
    if (pending === undefined) {
      const k = metric + '\u0000' + api;
      pending = this.lookUpNow(metric, api).finally(() => this.inflight.delete(k));
      this.inflight.set(k, pending);
    }
    try {
      await pending;
    } catch (err) {
      this.o.metrics.onDemandLookups.inc({ result: 'error' });
      throw err;
    }
    const ok = found();
    this.o.metrics.onDemandLookups.inc({ result: ok ? 'found' : 'not_found' });
    if (!ok) this.negative.set(key, true);
  }

  /** Fetches the series named so that some rule yields `metric`; adds them to the catalog. */
  private async lookUpNow(metric: string, api: 'custom' | 'external'): Promise<boolean> {
    const state = this.current();
    const rules = api === 'custom' ? state.rules.custom : state.rules.external;
    const window = seriesWindow(this.o.maxAgeMs);
    let added = false;
    for (const query of new Set(rules.map((r) => r.seriesQuery))) {
      const queryRules = rules.filter((r) => r.seriesQuery === query);
      const matching = (names: readonly string[]): string[] =>
        names.filter((n) => queryRules.some((r) => metricNameFor(r, n) === metric));
      let candidates = matching((await this.names.fetch(query, { context: window })) ?? []);
      // The name cache only shares work between concurrent lookups; it must never hide a new name.
      if (candidates.length === 0)
        candidates = matching((await this.names.fetch(query, { context: window, forceRefresh: true })) ?? []);
      if (candidates.length === 0) continue;
      const selectors = candidates
        .map((c) => withNameMatcher(query, c))
        .filter((s): s is string => s !== undefined);
      if (selectors.length === 0) continue;
      const shapes = await readSeriesShapes(this.o.prometheus, selectors, window.start, window.end);
      if (shapes.length === 0) continue;
      // Only touch the catalog if the rules did not change meanwhile.
      const now = this.current();
      if (now.rules !== state.rules) return false;
      for (const rule of queryRules) now.catalog.addShapes(rule, shapes, this.o.mapper);
      const known = now.shapes.get(query) ?? [];
      now.shapes.set(query, [...known, ...shapes]);
      added = true;
      this.changed();
      this.o.logger.info(
        { metric, seriesQuery: query, series: candidates },
        'metric found by on-demand lookup',
      );
    }
    return added;
  }
}

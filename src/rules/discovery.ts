/**
 * Series discovery: runs each distinct seriesQuery against /api/v1/series every relist interval
 * and rebuilds the catalog. A failed query keeps its last good answer, so a Prometheus hiccup
 * never empties the catalog.
 *
 * Beyond prometheus-adapter: a request for a metric the catalog does not know triggers an
 * on-demand lookup for that name — the metric names matching the seriesQuery come from the cheap
 * label-values API, only the matching names are fetched as series — so a new metric answers
 * within seconds rather than after the next relist. Concurrent lookups of one name share a call,
 * and misses are remembered briefly (negative cache) so unknown names cannot hammer Prometheus.
 */
import { LRUCache } from 'lru-cache';
import { errorMessage } from '../errors.js';
import type { ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import { mapLimited } from '../map-limited.js';
import type { PrometheusClient } from '../prometheus/index.js';
import { withNameMatcher } from '../promql/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import {
  customKey,
  MetricCatalog,
  shapesOf,
  type CustomMetricEntry,
  type ExternalMetricEntry,
  type SeriesShape,
} from './catalog.js';
import { metricNameFor } from './naming.js';
import { EMPTY_RULES, type CompiledRule, type CompiledRules } from './types.js';

export interface MetricDiscoveryOptions {
  prometheus: PrometheusClient;
  mapper: ResourceMapper;
  logger: Logger;
  metrics: SelfMetrics;
  relistIntervalMs: number;
  maxAgeMs: number;
  /** How long an unsuccessful on-demand lookup is remembered. */
  negativeCacheTtlMs?: number;
  /** How long the metric names of one seriesQuery are reused between on-demand lookups. */
  nameCacheTtlMs?: number;
  /** Parallel seriesQuery requests during a relist. */
  concurrency?: number;
}

interface State {
  rules: CompiledRules;
  /** Last good shapes per seriesQuery. */
  shapes: Map<string, SeriesShape[]>;
  catalog: MetricCatalog;
}

export type CustomLookup = { metric: string; group: string; resource: string; namespaced: boolean };

export class MetricDiscovery {
  private state: State = { rules: EMPTY_RULES, shapes: new Map(), catalog: new MetricCatalog() };
  private timer: NodeJS.Timeout | undefined;
  private relisting: Promise<void> | undefined;
  private firstRelistDone = false;
  /** The relist running now: its distinct seriesQuery and how many have answered or failed. */
  private progress: { queries: number; finished: number } | undefined;
  private version = 0;
  private lastOutcome: { queries: number; failures: number; error: string | undefined } = {
    queries: 0,
    failures: 0,
    error: undefined,
  };
  private readonly negative: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly names: LRUCache<string, string[], { start: Date; end: Date }>;

  constructor(private readonly o: MetricDiscoveryOptions) {
    this.negative = new LRUCache({ max: 10_000, ttl: o.negativeCacheTtlMs ?? 10_000 });
    this.names = new LRUCache<string, string[], { start: Date; end: Date }>({
      max: 1_000,
      ttl: o.nameCacheTtlMs ?? 5_000,
      fetchMethod: (query, _stale, { context }) =>
        this.o.prometheus.labelValues('__name__', [query], context.start, context.end),
    });
  }

  get rules(): CompiledRules {
    return this.state.rules;
  }

  get catalog(): MetricCatalog {
    return this.state.catalog;
  }

  /** Changes whenever the catalog's contents change (a new catalog, or on-demand additions). */
  get catalogVersion(): number {
    return this.version;
  }

  /** How the last relist went: its seriesQuery count, how many failed, and the last failure. */
  get lastRelist(): { queries: number; failures: number; error: string | undefined } {
    return this.lastOutcome;
  }

  /** True once the first relist with the current rules has finished (successfully or not). */
  get ready(): boolean {
    return this.firstRelistDone;
  }

  /**
   * Until the first relist has finished: how far it is (undefined before it started). Undefined
   * once ready.
   */
  get firstRelistProgress(): { queries: number; finished: number } | undefined {
    return this.firstRelistDone ? undefined : this.progress;
  }

  start(): void {
    this.timer = setInterval(() => void this.relist(), this.o.relistIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Replaces the rules; the new catalog is swapped in once a relist with them has run. */
  async setRules(rules: CompiledRules): Promise<void> {
    await this.relisting;
    await this.relistWith(rules, new Map());
  }

  /** One relist with the current rules (no overlap with a running one). */
  relist(): Promise<void> {
    this.relisting ??= this.relistWith(this.state.rules, this.state.shapes).finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  private allRules(rules: CompiledRules): CompiledRule[] {
    return [...rules.custom, ...rules.external];
  }

  private window(): { start: Date; end: Date } {
    const end = new Date();
    return { start: new Date(end.getTime() - this.o.maxAgeMs), end };
  }

  /**
   * The shapes of the series matching `selectors`, read without holding the series where the
   * client can (HttpPrometheusClient); the same shapes either way.
   */
  private async seriesShapes(selectors: string[], start: Date, end: Date): Promise<SeriesShape[]> {
    const p = this.o.prometheus;
    if (p.seriesShapes !== undefined) return p.seriesShapes(selectors, start, end);
    return shapesOf(await p.series(selectors, start, end));
  }

  private async relistWith(rules: CompiledRules, previous: Map<string, SeriesShape[]>): Promise<void> {
    const started = process.hrtime.bigint();
    const queries = [...new Set(this.allRules(rules).map((r) => r.seriesQuery))];
    const shapes = new Map<string, SeriesShape[]>();
    const { start, end } = this.window();
    let failures = 0;
    let lastError: string | undefined;
    const concurrency = Math.max(1, this.o.concurrency ?? 4);
    const progress = { queries: queries.length, finished: 0 };
    this.progress = progress;
    await mapLimited(queries, concurrency, async (q) => {
      try {
        shapes.set(q, await this.seriesShapes([q], start, end));
      } catch (err) {
        failures++;
        lastError = errorMessage(err);
        const kept = previous.get(q);
        if (kept !== undefined) shapes.set(q, kept);
        this.o.logger.warn(
          { seriesQuery: q, err: errorMessage(err), keptPrevious: kept !== undefined },
          'series discovery query failed',
        );
      } finally {
        progress.finished++;
      }
    });
    const catalog = this.build(rules, shapes);
    this.state = { rules, shapes, catalog };
    this.version++;
    this.firstRelistDone = true;
    this.lastOutcome = { queries: queries.length, failures, error: lastError };
    this.negative.clear();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.o.metrics.relists.inc({ result: failures === 0 ? 'success' : 'failure' });
    this.o.metrics.relistDuration.observe(seconds);
    this.o.metrics.catalogMetrics.set({ api: 'custom' }, catalog.customCount);
    this.o.metrics.catalogMetrics.set({ api: 'external' }, catalog.externalCount);
    this.o.logger.debug(
      {
        queries: queries.length,
        failures,
        custom: catalog.customCount,
        external: catalog.externalCount,
        ms: Math.round(seconds * 1000),
      },
      'series discovery finished',
    );
  }

  /** Builds a catalog from shapes, resolving resources with the mapper as it is now. */
  private build(rules: CompiledRules, shapes: Map<string, SeriesShape[]>): MetricCatalog {
    const catalog = new MetricCatalog();
    let overridden = 0;
    for (const rule of this.allRules(rules))
      overridden += catalog.addShapes(rule, shapes.get(rule.seriesQuery) ?? [], this.o.mapper);
    if (overridden > 0)
      this.o.logger.debug({ overridden }, 'rules overlap: later rules replaced metrics of earlier ones');
    return catalog;
  }

  /** The catalog entry for a request, looking the metric up in Prometheus when the catalog lacks it. */
  async findCustom(q: CustomLookup): Promise<CustomMetricEntry | undefined> {
    const find = (): CustomMetricEntry | undefined =>
      this.state.catalog.findCustom(q.metric, q.group, q.resource, q.namespaced);
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
    const hit = this.state.catalog.findExternal(metric);
    if (hit !== undefined) return hit;
    await this.lookUp(
      `external\u0000${metric}`,
      metric,
      'external',
      () => this.state.catalog.findExternal(metric) !== undefined,
    );
    return this.state.catalog.findExternal(metric);
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
    const state = this.state;
    const rules = api === 'custom' ? state.rules.custom : state.rules.external;
    const window = this.window();
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
      const shapes = await this.seriesShapes(selectors, window.start, window.end);
      if (shapes.length === 0) continue;
      // Only touch the catalog if the rules did not change meanwhile.
      if (this.state.rules !== state.rules) return false;
      for (const rule of queryRules) this.state.catalog.addShapes(rule, shapes, this.o.mapper);
      const known = this.state.shapes.get(query) ?? [];
      this.state.shapes.set(query, [...known, ...shapes]);
      added = true;
      this.version++;
      this.o.logger.info(
        { metric, seriesQuery: query, series: candidates },
        'metric found by on-demand lookup',
      );
    }
    return added;
  }
}

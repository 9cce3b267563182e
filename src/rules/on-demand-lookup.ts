/**
 * On-demand lookups, beyond prometheus-adapter: a request for a metric the catalog does not know
 * looks that name up — the metric names matching each seriesQuery come from the cheap label-values
 * API, only the matching names are fetched as series — so a new metric answers within seconds
 * rather than after the next relist. Concurrent lookups of one name share a call, and misses are
 * remembered briefly (negative cache) so unknown names cannot hammer Prometheus.
 *
 * A request looks a metric up with the cluster's rules and those of its own namespace only: a
 * rule owned by another namespace is never run for it. A namespace's rules are looked up with
 * that namespace's tenant headers (--prometheus-tenant-header), as the relist reads them.
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
import type { CompiledRule, CompiledRules } from './types.js';

/**
 * The headers a namespace's rules send to Prometheus (--prometheus-tenant-header): undefined when
 * tenant headers are off; rejects (an InternalError) when they cannot be made, and then nothing
 * is sent.
 */
export type TenantHeaders = (
  namespace: string,
  signal?: AbortSignal,
) => Promise<Readonly<Record<string, string>> | undefined>;

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
  /** The headers of namespaces' rules' queries (undefined: none). */
  tenantHeaders?: TenantHeaders;
}

/** The headers `rule`'s queries carry beyond the configured ones: its tenant's, if any. */
export function ruleHeaders(
  o: Pick<OnDemandLookupOptions, 'tenantHeaders'>,
  rule: CompiledRule,
  signal?: AbortSignal,
): Promise<Readonly<Record<string, string>> | undefined> {
  if (rule.tenant === undefined || o.tenantHeaders === undefined) return Promise.resolve(undefined);
  return o.tenantHeaders(rule.tenant, signal);
}

/**
 * What series shapes are kept under: the seriesQuery, and for a namespace's rule its namespace
 * too (its lookup carries that namespace's headers, so the same text may answer differently).
 */
export function seriesKey(rule: CompiledRule): string {
  return rule.tenant === undefined ? rule.seriesQuery : `${rule.tenant}\u0000${rule.seriesQuery}`;
}

/** What discovery knows now; lookups add to its catalog and shapes in place. */
export interface DiscoveryState {
  rules: CompiledRules;
  /** Last good shapes per seriesQuery. */
  shapes: Map<string, SeriesShape[]>;
  catalog: MetricCatalog;
}

export type CustomLookup = {
  metric: string;
  group: string;
  resource: string;
  namespaced: boolean;
  /** The request's namespace: its own rules' entries are found too. */
  namespace?: string;
};

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
  headers?: Readonly<Record<string, string>>,
): Promise<SeriesShape[]> {
  const options = headers === undefined ? undefined : { headers };
  if (p.seriesShapes !== undefined) return p.seriesShapes(selectors, start, end, options);
  return shapesOf(await p.series(selectors, start, end, options));
}

interface NamesContext {
  start: Date;
  end: Date;
  query: string;
  headers: Readonly<Record<string, string>> | undefined;
}

export class OnDemandLookup {
  private readonly negative: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly names: LRUCache<string, string[], NamesContext>;

  /** current: discovery's state now; changed: called when a lookup added to the catalog. */
  constructor(
    private readonly o: OnDemandLookupOptions,
    private readonly current: () => DiscoveryState,
    private readonly changed: () => void,
  ) {
    this.negative = new LRUCache({ max: 10_000, ttl: o.negativeCacheTtlMs ?? 10_000 });
    // Keyed by seriesKey: the query and, for a namespace's rules, the namespace.
    this.names = new LRUCache<string, string[], NamesContext>({
      max: 1_000,
      ttl: o.nameCacheTtlMs ?? 5_000,
      fetchMethod: (_key, _stale, { context }) =>
        this.o.prometheus.labelValues(
          '__name__',
          [context.query],
          context.start,
          context.end,
          context.headers === undefined ? undefined : { headers: context.headers },
        ),
    });
  }

  /** Forgets the misses (a relist may have found them). */
  clearMisses(): void {
    this.negative.clear();
  }

  /** The catalog entry for a request, looking the metric up in Prometheus when the catalog lacks it. */
  async findCustom(q: CustomLookup): Promise<CustomMetricEntry | undefined> {
    const namespace = q.namespaced ? q.namespace : undefined;
    const find = (): CustomMetricEntry | undefined =>
      this.current().catalog.findCustom(q.metric, q.group, q.resource, q.namespaced, namespace);
    const hit = find();
    if (hit !== undefined) return hit;
    await this.lookUp(
      `custom\u0000${customKey(q.metric, q.group, q.resource, q.namespaced)}`,
      q.metric,
      'custom',
      namespace,
      () => find() !== undefined,
    );
    return find();
  }

  async findExternal(metric: string, namespace?: string): Promise<ExternalMetricEntry | undefined> {
    const find = (): ExternalMetricEntry | undefined =>
      this.current().catalog.findExternal(metric, namespace);
    const hit = find();
    if (hit !== undefined) return hit;
    await this.lookUp(`external\u0000${metric}`, metric, 'external', namespace, () => find() !== undefined);
    return find();
  }

  /**
   * The namespace a lookup runs for: `namespace` when it owns rules of `api`, else none (the
   * cluster's rules alone, one lookup shared by every namespace).
   */
  private owner(api: 'custom' | 'external', namespace: string | undefined): string | undefined {
    if (namespace === undefined) return undefined;
    const rules = api === 'custom' ? this.current().rules.custom : this.current().rules.external;
    return rules.some((r) => r.tenant === namespace) ? namespace : undefined;
  }

  private async lookUp(
    lookupKey: string,
    metric: string,
    api: 'custom' | 'external',
    namespace: string | undefined,
    found: () => boolean,
  ): Promise<void> {
    const owner = this.owner(api, namespace);
    const key = `${owner ?? ''}\u0001${lookupKey}`;
    if (this.negative.has(key)) {
      this.o.metrics.onDemandLookups.inc({ result: 'negative_cached' });
      return;
    }
    // Lookups are shared between requests, so they are not tied to one request's abort signal.
    const k = `${owner ?? ''}\u0001${metric}\u0000${api}`;
    let pending = this.inflight.get(k);
    if (pending === undefined) {
      pending = this.lookUpNow(metric, api, owner).finally(() => this.inflight.delete(k));
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

  /**
   * Fetches the series named so that some rule yields `metric` (the cluster's rules, and those of
   * `owner` if given); adds them to the catalog.
   */
  private async lookUpNow(
    metric: string,
    api: 'custom' | 'external',
    owner: string | undefined,
  ): Promise<boolean> {
    const state = this.current();
    const rules = (api === 'custom' ? state.rules.custom : state.rules.external).filter(
      (r) => r.tenant === undefined || r.tenant === owner,
    );
    const window = seriesWindow(this.o.maxAgeMs);
    let added = false;
    for (const sk of new Set(rules.map(seriesKey))) {
      const queryRules = rules.filter((r) => seriesKey(r) === sk);
      const first = queryRules[0] as CompiledRule;
      const query = first.seriesQuery;
      const headers = await ruleHeaders(this.o, first);
      const context: NamesContext = { ...window, query, headers };
      const matching = (names: readonly string[]): string[] =>
        names.filter((n) => queryRules.some((r) => metricNameFor(r, n) === metric));
      let candidates = matching((await this.names.fetch(sk, { context })) ?? []);
      // The name cache only shares work between concurrent lookups; it must never hide a new name.
      if (candidates.length === 0)
        candidates = matching((await this.names.fetch(sk, { context, forceRefresh: true })) ?? []);
      if (candidates.length === 0) continue;
      const selectors = candidates
        .map((c) => withNameMatcher(query, c))
        .filter((s): s is string => s !== undefined);
      if (selectors.length === 0) continue;
      const shapes = await readSeriesShapes(this.o.prometheus, selectors, window.start, window.end, headers);
      if (shapes.length === 0) continue;
      // Only touch the catalog if the rules did not change meanwhile.
      const now = this.current();
      if (now.rules !== state.rules) return false;
      for (const rule of queryRules) now.catalog.addShapes(rule, shapes, this.o.mapper);
      const known = now.shapes.get(sk) ?? [];
      now.shapes.set(sk, [...known, ...shapes]);
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

/**
 * Series discovery: runs each distinct seriesQuery against /api/v1/series every relist interval
 * and rebuilds the catalog. A failed query keeps its last good answer, so a Prometheus hiccup
 * never empties the catalog. A metric the catalog lacks is looked up on demand
 * (on-demand-lookup.ts).
 */
import { errorMessage } from '../errors.js';
import { mapLimited } from '../map-limited.js';
import {
  MetricCatalog,
  type CustomMetricEntry,
  type ExternalMetricEntry,
  type SeriesShape,
} from './catalog.js';
import {
  OnDemandLookup,
  readSeriesShapes,
  ruleHeaders,
  seriesKey,
  seriesWindow,
  type CustomLookup,
  type DiscoveryState,
  type OnDemandLookupOptions,
} from './on-demand-lookup.js';
import { EMPTY_RULES, type CompiledRule, type CompiledRules } from './types.js';

export type { CustomLookup, TenantHeaders } from './on-demand-lookup.js';

export interface MetricDiscoveryOptions extends OnDemandLookupOptions {
  relistIntervalMs: number;
  /** Parallel seriesQuery requests during a relist. */
  concurrency?: number;
}

export class MetricDiscovery {
  private state: DiscoveryState = { rules: EMPTY_RULES, shapes: new Map(), catalog: new MetricCatalog() };
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
  private readonly lookup: OnDemandLookup;
  private readonly relistListeners = new Set<() => void>();

  constructor(private readonly o: MetricDiscoveryOptions) {
    this.lookup = new OnDemandLookup(
      o,
      () => this.state,
      () => this.version++,
    );
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

  /**
   * The series shapes the last relist has for a rule's seriesQuery (a MetricRule's, as its
   * namespace asked for them); undefined when it never got an answer.
   */
  seriesShapes(rule: CompiledRule): readonly SeriesShape[] | undefined {
    return this.state.shapes.get(seriesKey(rule));
  }

  /** Called after each relist, once its catalog is in use. */
  onRelisted(listener: () => void): () => void {
    this.relistListeners.add(listener);
    return () => this.relistListeners.delete(listener);
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

  private async relistWith(rules: CompiledRules, previous: Map<string, SeriesShape[]>): Promise<void> {
    const started = process.hrtime.bigint();
    // One lookup per seriesQuery, and per namespace for namespaces' rules (their own headers).
    const byKey = new Map<string, CompiledRule>();
    for (const r of this.allRules(rules)) if (!byKey.has(seriesKey(r))) byKey.set(seriesKey(r), r);
    const queries = [...byKey.keys()];
    const shapes = new Map<string, SeriesShape[]>();
    const { start, end } = seriesWindow(this.o.maxAgeMs);
    let failures = 0;
    let lastError: string | undefined;
    const concurrency = Math.max(1, this.o.concurrency ?? 4);
    const progress = { queries: queries.length, finished: 0 };
    this.progress = progress;
    await mapLimited(queries, concurrency, async (q) => {
      const rule = byKey.get(q) as CompiledRule;
      try {
        const headers = await ruleHeaders(this.o, rule);
        shapes.set(q, await readSeriesShapes(this.o.prometheus, [rule.seriesQuery], start, end, headers));
      } catch (err) {
        failures++;
        lastError = errorMessage(err);
        const kept = previous.get(q);
        if (kept !== undefined) shapes.set(q, kept);
        this.o.logger.warn(
          {
            seriesQuery: rule.seriesQuery,
            ...(rule.tenant === undefined ? {} : { rule: rule.path, namespace: rule.tenant }),
            err: errorMessage(err),
            keptPrevious: kept !== undefined,
          },
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
    this.lookup.clearMisses();
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
    for (const listener of this.relistListeners) {
      try {
        listener();
      } catch (err) {
        this.o.logger.error({ err: errorMessage(err) }, 'relist listener failed');
      }
    }
  }

  /** Builds a catalog from shapes, resolving resources with the mapper as it is now. */
  private build(rules: CompiledRules, shapes: Map<string, SeriesShape[]>): MetricCatalog {
    const catalog = new MetricCatalog();
    let overridden = 0;
    for (const rule of this.allRules(rules))
      overridden += catalog.addShapes(rule, shapes.get(seriesKey(rule)) ?? [], this.o.mapper);
    if (overridden > 0)
      this.o.logger.debug({ overridden }, 'rules overlap: later rules replaced metrics of earlier ones');
    return catalog;
  }

  /** The catalog entry for a request, looking the metric up in Prometheus when the catalog lacks it. */
  findCustom(q: CustomLookup): Promise<CustomMetricEntry | undefined> {
    return this.lookup.findCustom(q);
  }

  /** As findCustom; `namespace`: the request's, whose own rules are found too. */
  findExternal(metric: string, namespace?: string): Promise<ExternalMetricEntry | undefined> {
    return this.lookup.findExternal(metric, namespace);
  }

  /** The headers `rule`'s queries carry beyond the configured ones (its namespace's tenant headers). */
  headersFor(
    rule: CompiledRule,
    signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>> | undefined> {
    return ruleHeaders(this.o, rule, signal);
  }
}

/**
 * custom.metrics.k8s.io: turns "metric M of these objects" into the rule's PromQL, runs it, and
 * maps the result series back to objects by their resource label. Objects without a sample are
 * left out; NaN and infinite values are never reported (the HPA would act on them). Knows
 * nothing of HTTP or API versions.
 */
import { NotFoundError } from '../errors.js';
import {
  apiVersionOf,
  groupResourceString,
  parseGroupResource,
  type ObjectLister,
  type ObjectSelector,
  type ResourceInfo,
  type ResourceMapper,
} from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { PrometheusClient } from '../prometheus/index.js';
import type { Requirement } from '../promql/index.js';
import { LRUCache } from 'lru-cache';
import type { CustomMetricEntry, MetricDiscovery } from '../rules/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import { mapLimited } from '../map-limited.js';
import { customNamespace, renderCustomQueries, selectionRefusal } from './custom-plan.js';
import { NameIndex, ObjectSamples } from './object-samples.js';
import type { RefusalObserver } from './tenant-query.js';

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  apiVersion: string;
}

export interface CustomMetricValue {
  describedObject: ObjectReference;
  metric: string;
  timestamp: Date;
  windowSeconds: number | undefined;
  value: number;
}

export type ObjectTarget =
  | { kind: 'name'; name: string }
  | {
      kind: 'selector';
      selector: ObjectSelector;
      fields?: (object: { name: string; namespace: string }) => boolean;
    };

export interface CustomMetricQuery {
  metric: string;
  /** As written in the URL: plural, singular or kind, optionally `.group`-qualified. */
  resource: string;
  /** The namespace of namespaced objects; undefined for cluster-scoped objects (and Namespace objects). */
  namespace: string | undefined;
  target: ObjectTarget;
  metricSelector: readonly Requirement[];
  signal?: AbortSignal;
}

export interface CustomMetricInfo {
  group: string;
  resource: string;
  metric: string;
  namespaced: boolean;
}

export interface CustomMetricsProviderOptions {
  discovery: MetricDiscovery;
  mapper: ResourceMapper;
  lister: ObjectLister;
  prometheus: PrometheusClient;
  logger: Logger;
  metrics: SelfMetrics;
  /** --max-selected-objects: objects a wildcard may stand for (0 or undefined: unlimited). */
  maxSelectedObjects?: number;
  /** --max-query-length: longer PromQL is split over several queries (0 or undefined: never). */
  maxQueryLength?: number;
  /** Queries of one split request in flight at once (default 4). */
  splitConcurrency?: number;
}

function notFound(metric: string, gr: string, name?: string): NotFoundError {
  const text =
    name === undefined
      ? `the server could not find the metric ${metric} for ${gr}`
      : `the server could not find the metric ${metric} for ${gr} ${name}`;
  return new NotFoundError(text, { group: 'custom.metrics.k8s.io', kind: gr, name });
}

/**
 * Rendered PromQL per rule and inputs. The HPA asks the same question every sync period and the
 * pods behind a selector rarely change, so most requests would render the same text again; for
 * 2 000 pods that was 0.7 ms of template work per request. Keyed by the rule object, so a rules
 * reload starts afresh.
 */
class RenderedQueries {
  private readonly byRule = new WeakMap<object, LRUCache<string, RenderedQuery>>();

  get(rule: object, key: string, render: () => RenderedQuery): RenderedQuery {
    let cache = this.byRule.get(rule);
    if (cache === undefined) {
      cache = new LRUCache<string, RenderedQuery>({
        max: 256,
        maxSize: 8 * 1024 * 1024,
        // The key holds every name once; the index about as much again, plus its entries.
        sizeCalculation: (v, k) =>
          v.queries.reduce((n, q) => n + q.length, 2 * k.length + NAME_INDEX_ENTRY_BYTES * v.index.size),
      });
      this.byRule.set(rule, cache);
    }
    let rendered = cache.get(key);
    if (rendered === undefined) {
      rendered = render();
      cache.set(key, rendered);
    }
    return rendered;
  }
}

/** What the cache keeps per request shape: the queries, and where each object name is. */
interface RenderedQuery {
  queries: string[];
  index: NameIndex;
}

/** A rough size of one name's entry in a NameIndex (a Map entry), for the cache's byte bound. */
const NAME_INDEX_ENTRY_BYTES = 48;

export class CustomMetricsProvider {
  private readonly rendered = new RenderedQueries();

  constructor(private readonly o: CustomMetricsProviderOptions) {}

  /** Every metric once, though several namespaces' own rules may name it. */
  listMetrics(): CustomMetricInfo[] {
    const out = new Map<string, CustomMetricInfo>();
    for (const e of this.o.discovery.catalog.customEntries()) {
      const key = `${e.info.group}\u0000${e.info.resource}\u0000${e.metric}\u0000${e.namespaced}`;
      if (!out.has(key))
        out.set(key, {
          group: e.info.group,
          resource: e.info.resource,
          metric: e.metric,
          namespaced: e.namespaced,
        });
    }
    return [...out.values()];
  }

  private readonly refused: RefusalObserver = (rule, reason) =>
    this.o.logger.error(
      { rule: rule.path, namespace: rule.tenant, reason },
      "the rule's query could not be kept to its namespace; not sent",
    );

  private resolve(q: CustomMetricQuery): ResourceInfo {
    const gr = parseGroupResource(q.resource);
    const info = this.o.mapper.resolve(gr);
    if (info === undefined) throw notFound(q.metric, q.resource);
    return info;
  }

  /** The entry and PromQL a request would run, without running it (explain shows the same, from custom-plan.ts). */
  async plan(q: CustomMetricQuery): Promise<{
    entry: CustomMetricEntry;
    info: ResourceInfo;
    names: string[];
    /** Every query to run: one, or more when one would exceed --max-query-length. */
    queries: string[];
    /** Where each of `names` is (kept with the queries, so built once per list of names). */
    index: NameIndex;
  }> {
    const info = this.resolve(q);
    const namespaced = q.namespace !== undefined;
    const entry = await this.o.discovery.findCustom({
      metric: q.metric,
      group: info.group,
      resource: info.resource,
      namespaced,
      namespace: q.namespace,
    });
    if (entry === undefined) throw notFound(q.metric, groupResourceString(info));
    // A namespace's rule serves its own namespace only (the catalog finds no other; kept here too).
    if (entry.rule.tenant !== undefined && entry.rule.tenant !== q.namespace)
      throw notFound(q.metric, groupResourceString(info));
    let names: string[];
    if (q.target.kind === 'name') names = [q.target.name];
    else {
      const fields = q.target.fields;
      const objects = await this.o.lister.list(info, q.namespace, q.target.selector, q.signal);
      names = (fields === undefined ? objects : objects.filter(fields)).map((o) => o.name);
      const refused = selectionRefusal(names.length, info, this.o.maxSelectedObjects);
      if (refused !== undefined) {
        this.o.metrics.requestsLimited.inc({ limit: 'max_selected_objects' });
        throw refused;
      }
    }
    if (names.length === 0) return { entry, info, names, queries: [], index: new NameIndex(names) };
    const namespace = customNamespace(entry, q.namespace, this.o.mapper);
    // \u0000 cannot occur in any of the parts (names and labels are validated before this).
    const key = [
      entry.seriesName,
      entry.resourceLabel,
      namespace === undefined ? '' : `${namespace.label}=${namespace.value}`,
      JSON.stringify(q.metricSelector),
      names.join('\u0000'),
    ].join('\u0001');
    const { queries, index } = this.rendered.get(entry.rule, key, () => ({
      queries: renderCustomQueries(
        entry,
        { namespace, metricSelector: q.metricSelector },
        names,
        this.o.maxQueryLength,
        this.refused,
      ),
      index: new NameIndex(names),
    }));
    return { entry, info, names, queries, index };
  }

  async getValues(q: CustomMetricQuery): Promise<CustomMetricValue[]> {
    const { entry, info, names, queries, index } = await this.plan(q);
    if (queries.length === 0) return [];
    // Chunks name disjoint objects, so their series together are the one query's series.
    if (queries.length > 1) this.o.metrics.splitQueries.inc({ api: 'custom' });
    const headers = await this.o.discovery.headersFor(entry.rule, q.signal);
    const samples = new ObjectSamples(index, entry.resourceLabel);
    await mapLimited(queries, this.o.splitConcurrency ?? 4, async (query, part) => {
      samples.add(part, await this.o.prometheus.query(query, { signal: q.signal, headers }));
    });
    const duplicates = samples.duplicates;
    if (duplicates > 0) {
      this.o.logger.debug(
        { rule: entry.rule.path, metric: q.metric, duplicates },
        'query returned several series for one object; using the first',
      );
    }
    const out: CustomMetricValue[] = [];
    let nonFinite = 0;
    // The same for every item: computed once, not per object.
    const kind = info.kind;
    const apiVersion = apiVersionOf(info);
    const windowSeconds = entry.rule.windowSeconds;
    for (let i = 0; i < names.length; i++) {
      const s = samples.at(i);
      if (s === undefined) continue;
      const name = names[i] as string;
      if (!Number.isFinite(s.value)) {
        nonFinite++;
        continue;
      }
      const describedObject: ObjectReference =
        q.namespace === undefined
          ? { kind, name, apiVersion }
          : { kind, namespace: q.namespace, name, apiVersion };
      out.push({ describedObject, metric: q.metric, timestamp: s.timestamp, windowSeconds, value: s.value });
    }
    if (nonFinite > 0) {
      this.o.metrics.nonFiniteValues.inc(nonFinite);
      this.o.logger.info(
        { rule: entry.rule.path, metric: q.metric, objects: nonFinite },
        'left out NaN or infinite values',
      );
    }
    if (q.target.kind === 'name' && out.length === 0)
      throw notFound(q.metric, groupResourceString(info), q.target.name);
    return out;
  }
}

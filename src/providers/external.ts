/**
 * external.metrics.k8s.io: turns "metric M in namespace N, series matching S" into the external
 * rule's PromQL, runs it, and reports every returned series with its labels, as prometheus-adapter
 * does (the HPA sums them). The namespace restricts the series through the rule's namespace label
 * unless the rule says `resources.namespaced: false`. NaN and infinite values are never reported.
 * A namespace's rule answers in its own namespace only, with its query confined to it.
 * Knows nothing of HTTP.
 */
import { InternalError, NotFoundError } from '../errors.js';
import type { ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { PrometheusClient } from '../prometheus/index.js';
import type { Requirement } from '../promql/index.js';
import { renderExternalQuery, type ExternalMetricEntry, type MetricDiscovery } from '../rules/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import { confineRuleQuery, type RefusalObserver } from './tenant-query.js';

export interface ExternalMetricQuery {
  metric: string;
  namespace: string;
  /** The request's labelSelector: which series. */
  selector: readonly Requirement[];
  signal?: AbortSignal;
}

export interface ExternalMetricValue {
  metric: string;
  /** The returned series' labels ({} for a label-less result). */
  labels: Readonly<Record<string, string>>;
  timestamp: Date;
  value: number;
}

export interface ExternalMetricsProviderOptions {
  discovery: MetricDiscovery;
  mapper: ResourceMapper;
  prometheus: PrometheusClient;
  logger: Logger;
  metrics: SelfMetrics;
}

function notFound(metric: string): NotFoundError {
  return new NotFoundError(`the server could not find the external metric ${metric}`, {
    group: 'external.metrics.k8s.io',
    name: metric,
  });
}

/** The PromQL of a request for the entry found (also `explain`'s); throws InternalError when it cannot be made. */
export function externalQuery(
  entry: ExternalMetricEntry,
  q: ExternalMetricQuery,
  mapper: ResourceMapper,
  refused?: RefusalObserver,
): string {
  let namespace: { label: string; value: string } | undefined;
  if (entry.rule.namespaced) {
    const label = entry.rule.association.namespaceLabel(mapper);
    if (label === undefined) {
      throw new InternalError(
        `${entry.rule.path} has no label for namespaces: map one in resources.overrides (e.g. namespace: {resource: namespace}) or set resources.namespaced: false`,
      );
    }
    namespace = { label, value: q.namespace };
  }
  const query = renderExternalQuery(entry.rule, {
    seriesName: entry.seriesName,
    namespace,
    metricSelector: q.selector,
  });
  return confineRuleQuery(entry.rule, query, refused);
}

export class ExternalMetricsProvider {
  constructor(private readonly o: ExternalMetricsProviderOptions) {}

  /** External metric names the catalog knows, sorted. */
  listMetrics(): string[] {
    return [...new Set(this.o.discovery.catalog.externalEntries().map((e) => e.metric))].sort();
  }

  /** The entry and PromQL a request would run, without running it (`explain` shows the same). */
  async plan(q: ExternalMetricQuery): Promise<{ entry: ExternalMetricEntry; query: string }> {
    const entry = await this.o.discovery.findExternal(q.metric, q.namespace);
    // A namespace's rule serves its own namespace only (the catalog finds no other; kept here too).
    if (entry === undefined || (entry.rule.tenant !== undefined && entry.rule.tenant !== q.namespace))
      throw notFound(q.metric);
    return { entry, query: externalQuery(entry, q, this.o.mapper, this.refused) };
  }

  private readonly refused: RefusalObserver = (rule, reason) =>
    this.o.logger.error(
      { rule: rule.path, namespace: rule.tenant, reason },
      "the rule's query could not be kept to its namespace; not sent",
    );

  async getValues(q: ExternalMetricQuery): Promise<ExternalMetricValue[]> {
    const { entry, query } = await this.plan(q);
    const headers = await this.o.discovery.headersFor(entry.rule, q.signal);
    const samples = await this.o.prometheus.query(query, { signal: q.signal, headers });
    const out: ExternalMetricValue[] = [];
    let nonFinite = 0;
    for (const s of samples) {
      if (!Number.isFinite(s.value)) {
        nonFinite++;
        continue;
      }
      out.push({ metric: q.metric, labels: s.labels, timestamp: s.timestamp, value: s.value });
    }
    if (nonFinite > 0) {
      this.o.metrics.nonFiniteValues.inc(nonFinite);
      this.o.logger.info(
        { rule: entry.rule.path, metric: q.metric, series: nonFinite },
        'left out NaN or infinite values',
      );
    }
    return out;
  }
}

/**
 * The catalog of metrics the rules yield: which (metric, group-resource, namespaced) exists, from
 * which series and rule — what discovery documents list and what a request is matched against.
 * Built from "series shapes" (a series name with its label names): resources depend only on
 * label names, so thousands of series collapse into a few shapes.
 *
 * A rule owned by a namespace (CompiledRule.tenant) keeps its entries apart from the cluster's
 * and from every other namespace's, and they are found only for a request in that namespace: two
 * namespaces may name the same metric, and neither sees the other's. For a request in a
 * namespace, a cluster rule's entry comes first (a namespace cannot shadow what the cluster's
 * rules serve).
 */
import type { ResourceInfo, ResourceMapper } from '../kube/index.js';
import type { SeriesShape } from '../prometheus/index.js';
import { metricNameFor } from './naming.js';
import type { CompiledRule } from './types.js';

export type { SeriesShape };

export interface CustomMetricEntry {
  metric: string;
  info: ResourceInfo;
  namespaced: boolean;
  seriesName: string;
  /** The series label holding object names of `info`. */
  resourceLabel: string;
  rule: CompiledRule;
}

export interface ExternalMetricEntry {
  metric: string;
  seriesName: string;
  rule: CompiledRule;
}

export function customKey(metric: string, group: string, resource: string, namespaced: boolean): string {
  return `${namespaced ? 'n' : 'c'}\u0000${group}\u0000${resource}\u0000${metric}`;
}

/**
 * The key of an entry of `rule`: a namespace's rule's entries carry the namespace; a cluster rule's
 * keep the plain key, so the lookup every request makes allocates nothing (metric names and
 * customKey never hold \u0001, so the two never meet).
 */
function tenantKey(key: string, tenant: string | undefined): string {
  return tenant === undefined ? key : `${tenant}\u0001${key}`;
}

/** Reduces label sets to distinct (name, label names) shapes. */
export function shapesOf(series: readonly Record<string, string>[]): SeriesShape[] {
  const seen = new Map<string, SeriesShape>();
  for (const s of series) {
    const name = s.__name__;
    if (name === undefined || name === '') continue;
    const labels = Object.keys(s)
      .filter((k) => k !== '__name__')
      .sort();
    const key = `${name}\u0000${labels.join('\u0000')}`;
    if (!seen.has(key)) seen.set(key, { name, labels });
  }
  return [...seen.values()];
}

export class MetricCatalog {
  private readonly custom = new Map<string, CustomMetricEntry>();
  private readonly external = new Map<string, ExternalMetricEntry>();

  get customCount(): number {
    return this.custom.size;
  }

  get externalCount(): number {
    return this.external.size;
  }

  /**
   * Adds what `rule` makes of `shapes`. Rules should be mutually exclusive; where they are not,
   * the later one wins, as in prometheus-adapter. Returns how many keys an earlier rule had.
   */
  addShapes(rule: CompiledRule, shapes: readonly SeriesShape[], mapper: ResourceMapper): number {
    let overridden = 0;
    for (const shape of shapes) {
      const metric = metricNameFor(rule, shape.name);
      if (metric === undefined) continue;
      if (rule.api === 'external') {
        const key = tenantKey(metric, rule.tenant);
        const previous = this.external.get(key);
        if (previous !== undefined && previous.rule !== rule) overridden++;
        this.external.set(key, { metric, seriesName: shape.name, rule });
        continue;
      }
      const { resources, namespaced } = rule.association.resourcesForLabels(shape.labels, mapper);
      for (const { label, info } of resources) {
        const entryNamespaced = namespaced && info.namespaced;
        // A tenant's entries serve requests in its namespace only, so never cluster-scoped ones.
        if (rule.tenant !== undefined && !entryNamespaced) continue;
        const key = tenantKey(customKey(metric, info.group, info.resource, entryNamespaced), rule.tenant);
        const previous = this.custom.get(key);
        if (previous !== undefined && previous.rule !== rule) overridden++;
        this.custom.set(key, {
          metric,
          info,
          namespaced: entryNamespaced,
          seriesName: shape.name,
          resourceLabel: label,
          rule,
        });
      }
    }
    return overridden;
  }

  /**
   * The entry serving a request: a cluster rule's, else (for a request in `namespace`) that
   * namespace's own. Without `namespace`, only cluster rules' entries.
   */
  findCustom(
    metric: string,
    group: string,
    resource: string,
    namespaced: boolean,
    namespace?: string,
  ): CustomMetricEntry | undefined {
    const key = customKey(metric, group, resource, namespaced);
    const cluster = this.custom.get(key);
    if (cluster !== undefined || namespace === undefined || !namespaced) return cluster;
    return this.custom.get(tenantKey(key, namespace));
  }

  /** As findCustom: a cluster rule's entry, else the one of the request's namespace. */
  findExternal(metric: string, namespace?: string): ExternalMetricEntry | undefined {
    const cluster = this.external.get(metric);
    if (cluster !== undefined || namespace === undefined) return cluster;
    return this.external.get(tenantKey(metric, namespace));
  }

  /** Every entry, the namespaces' own included (one per namespace naming a metric). */
  customEntries(): CustomMetricEntry[] {
    return [...this.custom.values()];
  }

  externalEntries(): ExternalMetricEntry[] {
    return [...this.external.values()];
  }
}

/**
 * What one rule yields: the resources its overrides name (from the file and the resource table
 * alone) and, from the series its seriesQuery matched, the metrics it serves with the engine's
 * own naming and association, or the likely reason it serves none.
 */
import type { Diagnostic, DiscoveryRuleConfig } from '../../config/rules-file.js';
import { knownResources, suggestResource, type ResourcesSource } from '../../explain/index.js';
import { groupResourceString, type ResourceMapper } from '../../kube/index.js';
import {
  metricNameFor,
  seriesPassesFilters,
  shapesOf,
  type CompiledRule,
  type SeriesShape,
} from '../../rules/index.js';
import { listSome, type RuleReport, type YieldedResource } from './check-report.js';

/** What the overrides say, resolved against the mapper (static: needs no Prometheus). */
export function staticMapping(
  rule: CompiledRule,
  config: DiscoveryRuleConfig | undefined,
  mapper: ResourceMapper,
  source: ResourcesSource,
  warn: (message: string) => void,
  report: (d: Diagnostic) => void,
): string[] {
  const lines: string[] = [];
  if (rule.api === 'external') {
    if (!rule.namespaced) lines.push('not namespaced: the request namespace does not restrict the series');
    else {
      const label = rule.association.namespaceLabel(mapper);
      if (label === undefined)
        warn(
          'no label maps to namespaces, but the rule is namespaced (the default): a request cannot restrict the series to its namespace and fails; map one (overrides: {namespace: {resource: namespace}}) or set resources.namespaced: false',
        );
      else lines.push(`namespaced: the request namespace becomes ${label}="<namespace>"`);
    }
    return lines;
  }
  for (const o of rule.association.overrides) {
    const info = mapper.resolve({ group: o.group, resource: o.resource });
    const named = o.group === '' ? o.resource : `${o.resource}.${o.group}`;
    if (info === undefined) {
      const typo = resourceTypo(rule, config, o, mapper, source);
      if (typo !== undefined) {
        report(typo);
        lines.push(`label ${o.label} → ${named} (unknown)`);
        continue;
      }
      warn(
        source === 'builtin'
          ? `resources.overrides.${o.label}: "${named}" is not a standard Kubernetes resource; it must be served by the cluster (give --kubeconfig to check against it)`
          : `resources.overrides.${o.label}: the cluster serves no resource "${named}"`,
      );
      lines.push(`label ${o.label} → ${named} (unknown)`);
    } else {
      lines.push(
        `label ${o.label} → ${groupResourceString(info)}${info.namespaced ? '' : ' (cluster-scoped)'}`,
      );
    }
  }
  return lines;
}

/**
 * An override naming a resource that is a near miss of a known one (`pdo` for `pod`): an error
 * at the `resource:` value, with the name meant. A name close to no known resource stays a
 * warning (it may be a custom resource the cluster serves).
 */
function resourceTypo(
  rule: CompiledRule,
  config: DiscoveryRuleConfig | undefined,
  o: { label: string; group: string; resource: string },
  mapper: ResourceMapper,
  source: ResourcesSource,
): Diagnostic | undefined {
  const near = suggestResource(o.resource, o.group, knownResources(mapper));
  if (near === undefined) return undefined;
  const located = config?.resources.overrides.find((c) => c.label === o.label);
  const named = o.group === '' ? `"${o.resource}"` : `"${o.resource}" in group "${o.group}"`;
  return {
    severity: 'error',
    at: located?.resourceAt ?? located?.at ?? rule.at,
    path: `${rule.path}.resources.overrides.${o.label}.resource`,
    message:
      source === 'builtin'
        ? `${named} is not a Kubernetes resource — did you mean ${near}? (a custom resource of that name is checked against the cluster with --kubeconfig)`
        : `the cluster serves no resource ${named} — did you mean ${near}?`,
  };
}

export interface RuleYield {
  report: RuleReport;
  shapes: SeriesShape[];
}

/** A rule's yield from the series its seriesQuery matched. */
export function ruleYield(
  rule: CompiledRule,
  series: readonly Record<string, string>[],
  mapper: ResourceMapper,
  maxAge: string,
  report: RuleReport,
): RuleYield {
  const shapes = shapesOf(series);
  const names = [...new Set(shapes.map((s) => s.name))].sort();
  const kept = names.filter((n) => metricNameFor(rule, n) !== undefined);
  const metrics = new Map<string, { series: Set<string>; resources: Map<string, YieldedResource> }>();
  const unmappedLabels = new Set<string>();
  for (const shape of shapes) {
    const metric = metricNameFor(rule, shape.name);
    if (metric === undefined) continue;
    let m = metrics.get(metric);
    if (rule.api === 'custom') {
      const { resources, namespaced } = rule.association.resourcesForLabels(shape.labels, mapper);
      if (resources.length === 0) {
        for (const l of shape.labels) unmappedLabels.add(l);
        continue;
      }
      m ??= { series: new Set(), resources: new Map() };
      for (const { label, info } of resources) {
        const entryNamespaced = namespaced && info.namespaced;
        const gr = groupResourceString(info);
        m.resources.set(`${gr}\u0000${entryNamespaced}`, {
          groupResource: gr,
          namespaced: entryNamespaced,
          label,
        });
      }
    }
    m ??= { series: new Set(), resources: new Map() };
    m.series.add(shape.name);
    metrics.set(metric, m);
  }
  report.discovery = { series: series.length, seriesNames: names.length, keptNames: kept.length };
  report.metrics = [...metrics.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([metric, m]) => ({
      metric,
      series: [...m.series].sort(),
      resources: [...m.resources.values()].sort((a, b) =>
        a.groupResource < b.groupResource ? -1 : a.groupResource > b.groupResource ? 1 : 0,
      ),
    }));
  if (report.metrics.length === 0) {
    if (series.length === 0) {
      report.yieldsNothing = `seriesQuery matched no series in the last ${maxAge}`;
    } else if (kept.length === 0) {
      const filtered = names.filter((n) => !seriesPassesFilters(rule, n));
      report.yieldsNothing =
        filtered.length === names.length
          ? `seriesFilters / name.matches removed ${names.length === 1 ? 'the only series name' : `all ${names.length} series names`} (${listSome(names)})`
          : `name.as expands to an empty name for every series (${listSome(names)})`;
    } else {
      const overrides = rule.association.overrides.map((o) => `${o.label}→${o.resource}`);
      report.yieldsNothing = `no label of the matching series maps to a resource (labels: ${listSome([...unmappedLabels].sort())}${overrides.length > 0 ? `; overrides: ${overrides.join(', ')}` : ''})`;
    }
  }
  return { report, shapes };
}

/**
 * `check`: what a rules file does, without a cluster. The file is loaded and compiled exactly as
 * the server does (positioned errors and warnings); with a Prometheus, every seriesQuery runs and
 * each rule's yield is worked out with the engine's own naming, association and catalog, so
 * the metrics listed, the rules that yield nothing and the winner of an overlap are the server's.
 */
import { formatGoDuration } from '../../config/duration.js';
import {
  readRulesFile,
  type Diagnostic,
  type DiscoveryRuleConfig,
  type SourceLocation,
} from '../../config/rules-file.js';
import { errorMessage } from '../../errors.js';
import { groupResourceString, parseGroupResource, type ResourceMapper } from '../../kube/index.js';
import type { PrometheusClient } from '../../prometheus/index.js';
import { checkPromQL } from '../../promql/index.js';
import {
  compileRules,
  metricNameFor,
  MetricCatalog,
  seriesPassesFilters,
  shapesOf,
  type CompiledRule,
  type CompiledRules,
  type SeriesShape,
} from '../../rules/index.js';
import {
  renderUsageQuery,
  usagePlanProblems,
  usageQueryPlans,
  type UsageResource,
  type UsageTarget,
} from './resource-rules.js';
import { knownResources, suggestResource, type ResourcesSource } from '../../explain/index.js';
import { duplicateNameWarnings } from './static-checks.js';

export interface CheckOptions {
  file: string;
  /** Without one, only the file is checked. */
  prometheus?: PrometheusClient;
  /** For messages (credentials already removed). */
  prometheusUrl?: string;
  mapper: ResourceMapper;
  /** `builtin`: the standard resource table stands in for a cluster (the report says so). */
  resourcesFrom: ResourcesSource;
  /** How far back series discovery looks (the server's --metrics-max-age). */
  maxAgeMs: number;
  now?: Date;
}

export interface YieldedResource {
  /** e.g. `pods`, `deployments.apps`. */
  groupResource: string;
  namespaced: boolean;
  /** The series label holding the object names. */
  label: string;
}

export interface YieldedMetric {
  /** The API name. */
  metric: string;
  /** The series names it comes from. */
  series: string[];
  /** Custom rules: what it attaches to. External rules: empty. */
  resources: YieldedResource[];
}

export interface RuleDiscovery {
  /** Series the seriesQuery matched. */
  series: number;
  /** Distinct series names among them. */
  seriesNames: number;
  /** Names that passed seriesFilters and name.matches and got an API name. */
  keptNames: number;
  error?: string;
}

export interface RuleReport {
  api: 'custom' | 'external';
  path: string;
  at: SourceLocation;
  seriesQuery: string;
  /** Static facts: the resources the overrides name (custom rules), the namespace handling (external). */
  mapping: string[];
  discovery?: RuleDiscovery;
  metrics: YieldedMetric[];
  /** Set when the rule yields nothing: the likely reason. */
  yieldsNothing?: string;
}

export interface OverlapReport {
  api: 'custom' | 'external';
  /** `pods/http_requests` (custom) or the external metric name. */
  key: string;
  namespaced: boolean;
  /** The rules yielding it, in file order. */
  rules: string[];
  /** The rule whose series and query the server uses. */
  winner: string;
}

export interface UsageQueryReport {
  resource: UsageResource;
  target: UsageTarget;
  path: string;
  at: SourceLocation;
  /** Rendered for a sample pod (in a sample namespace) or a sample node. */
  sample: { names: string[]; namespace?: string; promql: string };
  syntax: { ok: true } | { ok: false; message: string };
  /** With a Prometheus: the query for every pod / node, and what it returned. */
  run?: { promql: string; series: number; objects: number; error?: string };
}

export interface CheckReport {
  file: string;
  counts: { rules: number; externalRules: number; resourceRules: boolean };
  /** Whether the file compiled (discovery runs only then). */
  compiled: boolean;
  /** The file could not be read or is not YAML: its diagnostics are all there is to say. */
  unparsable: boolean;
  /** What was not checked because of errors (the rest of the file was). */
  notChecked: string[];
  resources: { source: ResourcesSource; note: string };
  /** `skipped`: given but not asked, and why (the file has errors). */
  prometheus?: { url: string; maxAge: string; reachable: boolean; error?: string; skipped?: string };
  rules: RuleReport[];
  overlaps: OverlapReport[];
  resourceRules: UsageQueryReport[];
  /** Loader, compiler and check findings, in file order. */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

const SAMPLE_POD = { names: ['sample-pod'], namespace: 'sample-namespace' };
const SAMPLE_NODE = { names: ['sample-node'] };
const LIST_LIMIT = 5;

function listSome(items: readonly string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown} and ${items.length - LIST_LIMIT} more` : shown;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.at.line - b.at.line || a.at.column - b.at.column;
}

function customKeyText(metric: string, groupResource: string): string {
  return `${groupResource}/${metric}`;
}

/** What the overrides say, resolved against the mapper (static: needs no Prometheus). */
function staticMapping(
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

interface RuleYield {
  report: RuleReport;
  shapes: SeriesShape[];
}

/** A rule's yield from the series its seriesQuery matched. */
function ruleYield(
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

/** Overlaps between rules, with the winner the server's catalog picks. */
function findOverlaps(
  yields: readonly RuleYield[],
  rules: CompiledRules,
  mapper: ResourceMapper,
): OverlapReport[] {
  const catalog = new MetricCatalog();
  // The same order as discovery: custom rules, then external rules.
  const ordered = [...rules.custom, ...rules.external];
  const byRule = new Map(yields.map((y) => [y.report.path, y]));
  for (const rule of ordered) catalog.addShapes(rule, byRule.get(rule.path)?.shapes ?? [], mapper);
  const contributors = new Map<
    string,
    {
      api: 'custom' | 'external';
      key: string;
      namespaced: boolean;
      rules: string[];
      metric: string;
      gr?: string;
    }
  >();
  for (const rule of ordered) {
    const y = byRule.get(rule.path);
    if (y === undefined) continue;
    for (const m of y.report.metrics) {
      const entries =
        rule.api === 'external'
          ? [{ id: `e\u0000${m.metric}`, key: m.metric, namespaced: false, gr: undefined }]
          : m.resources.map((r) => ({
              id: `c\u0000${r.groupResource}\u0000${r.namespaced}\u0000${m.metric}`,
              key: customKeyText(m.metric, r.groupResource),
              namespaced: r.namespaced,
              gr: r.groupResource,
            }));
      for (const e of entries) {
        const c = contributors.get(e.id) ?? {
          api: rule.api,
          key: e.key,
          namespaced: e.namespaced,
          rules: [],
          metric: m.metric,
          gr: e.gr,
        };
        if (!c.rules.includes(rule.path)) c.rules.push(rule.path);
        contributors.set(e.id, c);
      }
    }
  }
  const out: OverlapReport[] = [];
  for (const c of contributors.values()) {
    if (c.rules.length < 2) continue;
    let winner: string | undefined;
    if (c.api === 'external') winner = catalog.findExternal(c.metric)?.rule.path;
    else {
      const info = mapper.resolve(parseGroupResource(c.gr ?? ''));
      if (info !== undefined)
        winner = catalog.findCustom(c.metric, info.group, info.resource, c.namespaced)?.rule.path;
    }
    out.push({
      api: c.api,
      key: c.key,
      namespaced: c.namespaced,
      rules: c.rules,
      winner: winner ?? c.rules[c.rules.length - 1] ?? '',
    });
  }
  return out;
}

function overlapWarnings(
  overlaps: readonly OverlapReport[],
  rulesByPath: ReadonlyMap<string, CompiledRule>,
): Diagnostic[] {
  // One warning per (overridden rule, winning rule) pair, listing what it loses.
  const pairs = new Map<string, { loser: CompiledRule; winner: CompiledRule; keys: string[] }>();
  for (const o of overlaps) {
    const winner = rulesByPath.get(o.winner);
    if (winner === undefined) continue;
    for (const path of o.rules) {
      if (path === o.winner) continue;
      const loser = rulesByPath.get(path);
      if (loser === undefined) continue;
      const id = `${path}\u0000${o.winner}`;
      const p = pairs.get(id) ?? { loser, winner, keys: [] };
      p.keys.push(o.namespaced ? `${o.key} (namespaced)` : o.key);
      pairs.set(id, p);
    }
  }
  return [...pairs.values()].map(({ loser, winner, keys }) => ({
    severity: 'warning',
    at: loser.at,
    path: loser.path,
    message: `overlaps ${winner.path} (${winner.at.file}:${winner.at.line}:${winner.at.column}) on ${listSome(keys)}: ${winner.path} wins (the later rule replaces the earlier one, as in prometheus-adapter)`,
  }));
}

async function checkUsageQueries(
  rules: CompiledRules,
  mapper: ResourceMapper,
  prometheus: PrometheusClient | undefined,
  diagnostics: Diagnostic[],
): Promise<UsageQueryReport[]> {
  const config = rules.resourceRules;
  if (config === undefined) return [];
  for (const rule of [config.cpu, config.memory]) {
    for (const o of rule?.resources.overrides ?? []) {
      if (rule === undefined || mapper.resolve({ group: o.group, resource: o.resource }) !== undefined)
        continue;
      const near = suggestResource(o.resource, o.group, knownResources(mapper));
      if (near === undefined) continue;
      diagnostics.push({
        severity: 'error',
        at: o.resourceAt ?? o.at,
        path: `${rule.path}.resources.overrides.${o.label}.resource`,
        message: `"${o.resource}" is not a Kubernetes resource — did you mean ${near}?`,
      });
    }
  }
  for (const problem of usagePlanProblems(config, mapper))
    diagnostics.push({ severity: 'warning', at: config.at, path: 'resourceRules', message: problem });
  const out: UsageQueryReport[] = [];
  for (const target of ['pods', 'nodes'] as const) {
    for (const plan of usageQueryPlans(config, target, mapper)) {
      const sample = target === 'pods' ? SAMPLE_POD : SAMPLE_NODE;
      const namespace = target === 'pods' ? SAMPLE_POD.namespace : undefined;
      const promql = renderUsageQuery(plan, sample.names, namespace);
      const check = checkPromQL(promql);
      const report: UsageQueryReport = {
        resource: plan.resource,
        target,
        path: plan.path,
        at: plan.at,
        sample: { names: sample.names, namespace, promql },
        syntax: check.ok ? { ok: true } : { ok: false, message: check.message },
      };
      if (!check.ok)
        diagnostics.push({
          severity: 'error',
          at: plan.at,
          path: plan.path,
          message: `renders invalid PromQL: ${check.message}`,
        });
      if (prometheus !== undefined && check.ok) {
        const all = renderUsageQuery(plan, undefined, undefined);
        try {
          const samples = await prometheus.query(all);
          const objects = new Set(samples.map((s) => s.labels[plan.objectLabel] ?? ''));
          objects.delete('');
          report.run = { promql: all, series: samples.length, objects: objects.size };
          if (objects.size === 0)
            diagnostics.push({
              severity: 'warning',
              at: plan.at,
              path: plan.path,
              message: `returns no series with a ${plan.objectLabel} label for any ${target === 'pods' ? 'pod' : 'node'}: metrics.k8s.io would have no ${plan.resource} data`,
            });
        } catch (err) {
          report.run = { promql: all, series: 0, objects: 0, error: errorMessage(err) };
          diagnostics.push({
            severity: 'error',
            at: plan.at,
            path: plan.path,
            message: `Prometheus rejected the query: ${errorMessage(err)}`,
          });
        }
      }
      out.push(report);
    }
  }
  return out;
}

/** Thrown when Prometheus cannot be reached at all (exit code 3), as opposed to rejecting a query. */
export class PrometheusUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusUnreachableError';
  }
}

/** Asks Prometheus something trivial, so "unreachable" is told apart from "rejected this query". */
export async function probePrometheus(prometheus: PrometheusClient): Promise<void> {
  try {
    await prometheus.query('vector(1)');
  } catch (err) {
    throw new PrometheusUnreachableError(errorMessage(err));
  }
}

/** The rules of the file that failed to compile (left out of every further check). */
function failedRules(all: readonly DiscoveryRuleConfig[], compiled: readonly CompiledRule[]): string[] {
  const ok = new Set(compiled.map((r) => r.path));
  return all.map((r) => r.path).filter((p) => !ok.has(p));
}

export async function checkRulesFile(o: CheckOptions): Promise<CheckReport> {
  const parsed = await readRulesFile(o.file);
  const compiled = compileRules(parsed.config, parsed.diagnostics);
  const diagnostics = [...compiled.diagnostics];
  const maxAge = formatGoDuration(o.maxAgeMs);
  const unparsable = parsed.unparsable === true;
  const report: CheckReport = {
    file: o.file,
    counts: {
      rules: parsed.config.rules.length,
      externalRules: parsed.config.externalRules.length,
      resourceRules: parsed.config.resourceRules !== undefined,
    },
    compiled: compiled.rules !== undefined,
    unparsable,
    notChecked: [],
    resources: {
      source: o.resourcesFrom,
      note:
        o.resourcesFrom === 'builtin'
          ? 'assumed: the built-in table of standard Kubernetes resources (no cluster was asked; give --kubeconfig to use the cluster’s)'
          : 'from the cluster’s API discovery',
    },
    rules: [],
    overlaps: [],
    resourceRules: [],
    diagnostics,
    errors: 0,
    warnings: 0,
  };
  if (o.prometheus !== undefined) report.prometheus = { url: o.prometheusUrl ?? '', maxAge, reachable: true };
  // With errors, every rule that compiled is still checked (its warnings are reported next to
  // the errors); only series discovery waits for a file without errors, since which rule wins an
  // overlap depends on every rule.
  const rules = unparsable ? undefined : (compiled.rules ?? compiled.usable);
  let prometheus = o.prometheus;
  if (rules !== undefined && compiled.rules === undefined) {
    const failed = [
      ...failedRules(parsed.config.rules, rules.custom),
      ...failedRules(parsed.config.externalRules, rules.external),
      ...(parsed.config.resourceRules !== undefined && rules.resource === undefined ? ['resourceRules'] : []),
    ];
    if (failed.length > 0)
      report.notChecked.push(`${failed.join(', ')}: beyond the errors reported, as they did not compile`);
    if (report.prometheus !== undefined) {
      report.prometheus.skipped = 'the file has errors (series discovery runs once they are fixed)';
      report.notChecked.push('series discovery with Prometheus: the file has errors');
    } else
      report.notChecked.push('series discovery: the file has errors (and no --prometheus-url was given)');
    prometheus = undefined;
  }
  if (rules !== undefined) {
    if (prometheus !== undefined) {
      try {
        await probePrometheus(prometheus);
      } catch (err) {
        report.prometheus = {
          url: o.prometheusUrl ?? '',
          maxAge,
          reachable: false,
          error: errorMessage(err),
        };
        prometheus = undefined;
      }
    }
    const end = o.now ?? new Date();
    const start = new Date(end.getTime() - o.maxAgeMs);
    const answers = new Map<string, Record<string, string>[] | Error>();
    const all = [...rules.custom, ...rules.external];
    const configs = new Map(
      [...parsed.config.rules, ...parsed.config.externalRules].map((c) => [c.path, c] as const),
    );
    if (prometheus !== undefined) {
      for (const q of new Set(all.map((r) => r.seriesQuery))) {
        try {
          answers.set(q, await prometheus.series([q], start, end));
        } catch (err) {
          answers.set(q, err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
    const yields: RuleYield[] = [];
    for (const rule of all) {
      const warn = (message: string): void => {
        diagnostics.push({ severity: 'warning', at: rule.at, path: rule.path, message });
      };
      const r: RuleReport = {
        api: rule.api,
        path: rule.path,
        at: rule.at,
        seriesQuery: rule.seriesQuery,
        mapping: staticMapping(rule, configs.get(rule.path), o.mapper, o.resourcesFrom, warn, (d) =>
          diagnostics.push(d),
        ),
        metrics: [],
      };
      report.rules.push(r);
      const answer = answers.get(rule.seriesQuery);
      if (answer === undefined) continue;
      if (answer instanceof Error) {
        r.discovery = { series: 0, seriesNames: 0, keptNames: 0, error: answer.message };
        diagnostics.push({
          severity: 'error',
          at: rule.at,
          path: `${rule.path}.seriesQuery`,
          message: `Prometheus rejected the series query: ${answer.message}`,
        });
        continue;
      }
      const y = ruleYield(rule, answer, o.mapper, maxAge, r);
      yields.push(y);
      if (r.yieldsNothing !== undefined) warn(`yields no metrics: ${r.yieldsNothing}`);
      for (const m of r.metrics) {
        if (m.series.length > 1)
          warn(
            `series ${listSome(m.series)} all become metric ${m.metric}: only one of them is used (whichever Prometheus lists last); narrow seriesQuery or name.matches`,
          );
      }
    }
    if (prometheus !== undefined) {
      report.overlaps = findOverlaps(yields, rules, o.mapper);
      diagnostics.push(...overlapWarnings(report.overlaps, new Map(all.map((r) => [r.path, r]))));
    } else {
      // Without discovery, the names the file alone fixes.
      diagnostics.push(...duplicateNameWarnings(all, configs, o.mapper));
    }
    report.resourceRules = await checkUsageQueries(rules, o.mapper, prometheus, diagnostics);
  }
  diagnostics.sort(byPosition);
  report.errors = diagnostics.filter((d) => d.severity === 'error').length;
  report.warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return report;
}

/**
 * The steps of `check` after loading, shared by a rules file and a file of rule objects: with a
 * Prometheus, every seriesQuery runs and each rule's yield is worked out with the engine's own
 * naming, association and catalog, so the metrics listed, the rules that yield nothing and the
 * winner of an overlap are the server's. Decides what is skipped when the input has errors; the
 * steps themselves are check-yield.ts, check-overlaps.ts and check-usage.ts, the report
 * check-report.ts.
 */
import { formatGoDuration } from '../../config/duration.js';
import type { Diagnostic, DiscoveryRuleConfig } from '../../config/rules-file.js';
import { errorMessage } from '../../errors.js';
import type { ResourcesSource } from '../../explain/index.js';
import type { ResourceMapper } from '../../kube/index.js';
import type { PrometheusClient } from '../../prometheus/index.js';
import type { CompiledRules } from '../../rules/index.js';
import { listSome, type CheckReport, type RuleReport } from './check-report.js';
import { findOverlaps, overlapWarnings } from './check-overlaps.js';
import { checkUsageQueries } from './check-usage.js';
import { ruleYield, staticMapping, type RuleYield } from './check-yield.js';
import { probePrometheus } from './prometheus-probe.js';
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

/** What loading found: the rules to check further, and what could not be. */
export interface LoadedRules {
  /** Every rule that compiled; undefined when nothing can be checked further. */
  rules: CompiledRules | undefined;
  /** Some rule did not compile: series discovery waits for a clean input. */
  hasErrors: boolean;
  /** What did not compile (paths of rules, or objects), left out of every further check. */
  failed: string[];
  /** The rules as read, by compiled path (for positions of resource typos); may be empty. */
  configs: ReadonlyMap<string, DiscoveryRuleConfig>;
  /**
   * Rule objects: `rules` are in reverse precedence order (the catalog keeps the last rule
   * yielding a metric), and this says why a winner wins; a rules file: undefined (file order).
   */
  precedence?: string;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.at.line - b.at.line || a.at.column - b.at.column;
}

/** A report with nothing checked yet beyond what `diagnostics` holds. */
export function emptyReport(o: CheckOptions, diagnostics: Diagnostic[]): CheckReport {
  const report: CheckReport = {
    file: o.file,
    counts: { rules: 0, externalRules: 0, resourceRules: false },
    compiled: false,
    unparsable: false,
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
  if (o.prometheus !== undefined)
    report.prometheus = { url: o.prometheusUrl ?? '', maxAge: formatGoDuration(o.maxAgeMs), reachable: true };
  return report;
}

/** Runs the checks after loading on `report` (whose diagnostics it adds to), and counts. */
export async function checkCompiled(
  o: CheckOptions,
  report: CheckReport,
  loaded: LoadedRules,
): Promise<void> {
  const diagnostics = report.diagnostics;
  const maxAge = formatGoDuration(o.maxAgeMs);
  // With errors, every rule that compiled is still checked (its warnings are reported next to
  // the errors); only series discovery waits for an input without errors, since which rule wins
  // an overlap depends on every rule.
  const rules = loaded.rules;
  let prometheus = o.prometheus;
  if (rules !== undefined && loaded.hasErrors) {
    if (loaded.failed.length > 0)
      report.notChecked.push(
        `${loaded.failed.join(', ')}: beyond the errors reported, as they did not compile`,
      );
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
        mapping: staticMapping(rule, loaded.configs.get(rule.path), o.mapper, o.resourcesFrom, warn, (d) =>
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
      diagnostics.push(
        ...overlapWarnings(report.overlaps, new Map(all.map((r) => [r.path, r])), loaded.precedence),
      );
    } else {
      // Without discovery, the names the file alone fixes.
      diagnostics.push(...duplicateNameWarnings(all, loaded.configs, o.mapper, loaded.precedence));
    }
    report.resourceRules = await checkUsageQueries(rules, o.mapper, prometheus, diagnostics);
  }
  diagnostics.sort(byPosition);
  report.errors = diagnostics.filter((d) => d.severity === 'error').length;
  report.warnings = diagnostics.filter((d) => d.severity === 'warning').length;
}

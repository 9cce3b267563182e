/**
 * What `check` can tell about rules without asking Prometheus: metric names that two rules both
 * yield (when the names are known from the file alone). It uses the engine's own naming, so a
 * finding here is what the server would do (resource typos: src/explain/suggest-resource.ts).
 */
import type { DiscoveryRuleConfig, Diagnostic, SourceLocation } from '../../config/rules-file.js';
import { groupResourceString, type ResourceMapper } from '../../kube/index.js';
import { parseSeriesSelector } from '../../promql/index.js';
import { metricNameFor, type CompiledRule } from '../../rules/index.js';
import { LATER_WINS } from './check-report.js';

/** The one series name a seriesQuery can match, when it names it literally. */
function literalSeriesName(seriesQuery: string): string | undefined {
  let selector;
  try {
    selector = parseSeriesSelector(seriesQuery);
  } catch {
    return undefined;
  }
  if (selector.metricName !== undefined) return selector.metricName;
  return selector.matchers.find((m) => m.name === '__name__' && m.op === '=')?.value;
}

/**
 * The metric name a rule yields when the file alone tells it: the seriesQuery names one series
 * (its name goes through the rule's filters and name.matches/name.as as in discovery), or name.as
 * is fixed text (no $ reference), which every kept series becomes.
 */
export function staticMetricName(rule: CompiledRule): string | undefined {
  const series = literalSeriesName(rule.seriesQuery);
  if (series !== undefined) return metricNameFor(rule, series);
  if (rule.nameAs !== '' && !rule.nameAs.includes('$')) return rule.nameAs;
  return undefined;
}

/** Resources named by a rule's overrides; undefined when a template may map other labels too. */
function overrideResources(
  rule: CompiledRule,
  config: DiscoveryRuleConfig | undefined,
  mapper: ResourceMapper,
): Set<string> | undefined {
  if (config === undefined || config.resources.template !== undefined) return undefined;
  const out = new Set<string>();
  for (const o of rule.association.overrides) {
    const info = mapper.resolve({ group: o.group, resource: o.resource });
    out.add(info === undefined ? `${o.resource}.${o.group}` : groupResourceString(info));
  }
  return out;
}

function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}

/**
 * Warnings for metric names two rules both yield, as far as the file tells: on each earlier
 * rule, naming the later one, which the server uses (its catalog keeps the last rule that yields
 * a key, as prometheus-adapter does). Custom rules whose overrides name disjoint resources
 * (and no template) do not collide: their metrics differ by resource.
 */
export function duplicateNameWarnings(
  rules: readonly CompiledRule[],
  configs: ReadonlyMap<string, DiscoveryRuleConfig>,
  mapper: ResourceMapper,
  /** Why the winner wins, as the warning says it. */
  precedence = LATER_WINS,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const named = rules
    .map((rule) => ({ rule, name: staticMetricName(rule) }))
    .filter((x): x is { rule: CompiledRule; name: string } => x.name !== undefined);
  for (let i = 0; i < named.length; i++) {
    const earlier = named[i];
    if (earlier === undefined) continue;
    // The rule the server ends up using: the last later one yielding the same name.
    let winner: CompiledRule | undefined;
    let shared: string[] = [];
    for (const later of named.slice(i + 1)) {
      if (later.name !== earlier.name || later.rule.api !== earlier.rule.api) continue;
      // Two namespaces' rules (MetricRules) serve each its own namespace: they never meet.
      const [t1, t2] = [earlier.rule.tenant, later.rule.tenant];
      if (t1 !== undefined && t2 !== undefined && t1 !== t2) continue;
      if (earlier.rule.api === 'custom') {
        const a = overrideResources(earlier.rule, configs.get(earlier.rule.path), mapper);
        const b = overrideResources(later.rule, configs.get(later.rule.path), mapper);
        if (a !== undefined && b !== undefined) {
          const both = [...a].filter((r) => b.has(r));
          if (both.length === 0) continue;
          shared = both;
        } else shared = [];
      }
      winner = later.rule;
    }
    if (winner === undefined) continue;
    const what = earlier.rule.api === 'external' ? 'external metric' : 'metric';
    const scope =
      earlier.rule.api === 'external'
        ? ''
        : shared.length > 0
          ? ` on ${shared.join(', ')}`
          : ' on every resource both rules map';
    out.push({
      severity: 'warning',
      at: earlier.rule.at,
      path: earlier.rule.path,
      message: `yields ${what} ${earlier.name}, and so does ${winner.path} (${where(winner.at)}): the server uses ${winner.path}${scope} and ignores this rule there (${precedence})`,
    });
  }
  return out;
}

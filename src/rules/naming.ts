/**
 * Naming: which series a rule keeps (seriesFilters, plus name.matches as a filter) and the API
 * name of a kept series (name.matches / name.as, Go regexp expansion on the first match).
 */
import { goMatchAndExpand } from './goregex/index.js';
import type { CompiledRule } from './types.js';

export function seriesPassesFilters(rule: CompiledRule, seriesName: string): boolean {
  for (const f of rule.filters) if (f.regex.test(seriesName) !== f.positive) return false;
  return true;
}

/** The metric name the API shows for a series, or undefined when the rule does not keep it. */
export function metricNameFor(rule: CompiledRule, seriesName: string): string | undefined {
  if (!seriesPassesFilters(rule, seriesName)) return undefined;
  const name = goMatchAndExpand(rule.nameMatches, rule.nameAs, seriesName);
  return name === undefined || name === '' ? undefined : name;
}

/**
 * Compiles a parsed rules file: each discovery rule (seriesQuery, seriesFilters, name, resources,
 * metricsQuery) and resourceRules, through the checks of compile-checks.ts. Problems are
 * diagnostics with file:line:col and what to do; compilation never throws.
 */
import type { Diagnostic, DiscoveryRuleConfig, Located, RulesConfig } from '../config/rules-file.js';
import type { Template } from '../gotemplate/index.js';
import { parseSeriesSelector } from '../promql/index.js';
import { compileAssociation } from './compile-association.js';
import { CompileChecks } from './compile-checks.js';
import { compileResourceRules } from './compile-resource-rules.js';
import { compileGoRegex, type GoRegex } from './goregex/index.js';
import type { CompiledRule, CompiledRules, RuleApi, SeriesFilter } from './types.js';

/** One discovery rule; undefined when it has an error (reported to checks). */
function compileRule(checks: CompileChecks, c: DiscoveryRuleConfig, api: RuleApi): CompiledRule | undefined {
  const before = checks.errorCount();
  const p = c.path;
  if (c.seriesQuery === undefined || c.seriesQuery.value.trim() === '') {
    checks.error(
      c,
      p,
      'seriesQuery is required (a series selector such as \'{__name__=~"^http_.*",namespace!="",pod!=""}\')',
    );
  } else {
    try {
      parseSeriesSelector(c.seriesQuery.value);
    } catch (err) {
      checks.error(c.seriesQuery, `${p}.seriesQuery`, `not a series selector: ${(err as Error).message}`);
    }
  }
  const filters: SeriesFilter[] = [];
  for (const f of c.seriesFilters) {
    if ((f.is === undefined) === (f.isNot === undefined)) {
      checks.error(f, f.path, 'a filter needs exactly one of "is" or "isNot"');
      continue;
    }
    const src = (f.is ?? f.isNot) as Located<string>;
    const regex = checks.regex(src, `${f.path}.${f.is !== undefined ? 'is' : 'isNot'}`);
    if (regex !== undefined) filters.push({ regex, positive: f.is !== undefined });
  }
  let nameMatches: GoRegex | undefined = compileGoRegex('.*');
  if (c.name.matches !== undefined && c.name.matches.value !== '') {
    nameMatches = checks.regex(c.name.matches, `${p}.name.matches`);
    if (nameMatches !== undefined) filters.push({ regex: nameMatches, positive: true });
  }
  let nameAs = c.name.as?.value ?? '';
  if (nameMatches !== undefined && nameAs === '') {
    if (nameMatches.numSubexp === 0) nameAs = '$0';
    else if (nameMatches.numSubexp === 1) nameAs = '$1';
    else {
      checks.error(
        c.name.matches ?? c,
        `${p}.name`,
        `name.matches has ${nameMatches.numSubexp} capture groups: give name.as (e.g. "\${1}_per_second")`,
      );
    }
  }
  if (nameMatches !== undefined && c.name.as !== undefined) {
    for (const m of c.name.as.value.matchAll(/\$\{?([0-9]+)\}?/g)) {
      if (Number(m[1]) > nameMatches.numSubexp) {
        checks.warn(
          c.name.as,
          `${p}.name.as`,
          `refers to group $${m[1]} but name.matches has ${nameMatches.numSubexp}: it expands to an empty string`,
        );
      }
    }
  }
  const association = compileAssociation(checks, c.resources, `${p}.resources`, api, c);
  let metricsQuery: Template | undefined;
  let windowSeconds: number | undefined;
  if (c.metricsQuery === undefined || c.metricsQuery.value.trim() === '') {
    checks.error(
      c,
      p,
      'metricsQuery is required, e.g. "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)"',
    );
  } else {
    metricsQuery = checks.template(c.metricsQuery, `${p}.metricsQuery`, 'metrics-query');
    if (metricsQuery !== undefined)
      windowSeconds = checks.checkQuery(c.metricsQuery, `${p}.metricsQuery`, metricsQuery);
  }
  const errors = checks.errorCount();
  if (
    errors > before ||
    nameMatches === undefined ||
    metricsQuery === undefined ||
    c.metricsQuery === undefined
  )
    return undefined;
  return {
    api,
    path: p,
    at: c.at,
    seriesQuery: c.seriesQuery?.value ?? '',
    filters,
    nameMatches,
    nameAs,
    association,
    metricsQuery,
    metricsQuerySource: c.metricsQuery,
    windowSeconds,
    namespaced: c.resources.namespaced?.value ?? true,
    labelValueReplacements: c.labelValueReplacements,
  };
}

export interface CompileResult {
  rules: CompiledRules | undefined;
  /**
   * The rules that compiled without an error, even when others did not (`check` keeps checking
   * them so that warnings are reported next to errors); the server uses `rules` only.
   */
  usable: CompiledRules;
  diagnostics: Diagnostic[];
}

export function compileRules(
  config: RulesConfig,
  previousDiagnostics: readonly Diagnostic[] = [],
): CompileResult {
  const c = new CompileChecks();
  c.diagnostics.push(...previousDiagnostics);
  const custom = config.rules.map((r) => compileRule(c, r, 'custom'));
  const external = config.externalRules.map((r) => compileRule(c, r, 'external'));
  const resource =
    config.resourceRules === undefined ? undefined : compileResourceRules(c, config.resourceRules);
  const diagnostics = c.diagnostics;
  const usable: CompiledRules = {
    file: config.file,
    custom: custom.filter((r): r is CompiledRule => r !== undefined),
    external: external.filter((r): r is CompiledRule => r !== undefined),
    // Without errors, resourceRules compile whenever present; with errors, a broken one is left out.
    resourceRules: resource === undefined ? undefined : config.resourceRules,
    ...(resource === undefined ? {} : { resource }),
  };
  if (diagnostics.some((d) => d.severity === 'error')) return { rules: undefined, usable, diagnostics };
  return { rules: usable, usable, diagnostics };
}

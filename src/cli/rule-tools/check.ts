/**
 * `check`: what a rules file, or a file of rule objects (ClusterMetricRule / MetricRule YAML, as
 * applied with kubectl), does without a cluster. Either is loaded and compiled exactly as the
 * server does (positioned errors and warnings); the checks that follow are the same for both
 * (check-compiled.ts). A file is read as rule objects when a document names its apiVersion or
 * kind, which no rules file does (check-objects.ts).
 */
import { readFile } from 'node:fs/promises';
import { parseRulesText, readRulesFile, type DiscoveryRuleConfig } from '../../config/rules-file.js';
import { compileRules, type CompiledRule } from '../../rules/index.js';
import type { CheckReport } from './check-report.js';
import { checkCompiled, emptyReport, type CheckOptions } from './check-compiled.js';
import { checkRuleObjectsText, isRuleObjectsText } from './check-objects.js';

export type { CheckOptions } from './check-compiled.js';

/** The rules of the file that failed to compile (left out of every further check). */
function failedRules(all: readonly DiscoveryRuleConfig[], compiled: readonly CompiledRule[]): string[] {
  const ok = new Set(compiled.map((r) => r.path));
  return all.map((r) => r.path).filter((p) => !ok.has(p));
}

export async function checkRulesFile(o: CheckOptions): Promise<CheckReport> {
  const text = await readFile(o.file, 'utf8').catch(() => undefined);
  if (text !== undefined && isRuleObjectsText(text)) return checkRuleObjectsText(o, text);
  // Unreadable: readRulesFile says why.
  const parsed = text === undefined ? await readRulesFile(o.file) : parseRulesText(text, o.file);
  const compiled = compileRules(parsed.config, parsed.diagnostics);
  const report = emptyReport(o, [...compiled.diagnostics]);
  report.counts = {
    rules: parsed.config.rules.length,
    externalRules: parsed.config.externalRules.length,
    resourceRules: parsed.config.resourceRules !== undefined,
  };
  report.compiled = compiled.rules !== undefined;
  report.unparsable = parsed.unparsable === true;
  const rules = report.unparsable ? undefined : (compiled.rules ?? compiled.usable);
  const failed =
    rules === undefined
      ? []
      : [
          ...failedRules(parsed.config.rules, rules.custom),
          ...failedRules(parsed.config.externalRules, rules.external),
          ...(parsed.config.resourceRules !== undefined && rules.resource === undefined
            ? ['resourceRules']
            : []),
        ];
  await checkCompiled(o, report, {
    rules,
    hasErrors: compiled.rules === undefined,
    failed,
    configs: new Map(
      [...parsed.config.rules, ...parsed.config.externalRules].map((c) => [c.path, c] as const),
    ),
  });
  return report;
}

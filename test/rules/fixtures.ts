/** Shared fixtures for rule-engine tests: compile YAML, a resource table like a real cluster's. */
import { formatDiagnostic, parseRulesText } from '../../src/config/rules-file.js';
import { BUILTIN_RESOURCES, ResourceIndex, type ResourceInfo } from '../../src/kube/index.js';
import { compileRules, type CompiledRule, type CompiledRules } from '../../src/rules/index.js';

export const EXAMPLE_CRD: ResourceInfo = {
  group: 'example.com',
  version: 'v1',
  resource: 'widgets',
  singular: 'widget',
  kind: 'Widget',
  namespaced: true,
};

export const mapper = new ResourceIndex([...BUILTIN_RESOURCES, EXAMPLE_CRD]);

export function compileYaml(text: string): { rules: CompiledRules | undefined; diagnostics: string[] } {
  const parsed = parseRulesText(text, 'rules.yaml');
  const out = compileRules(parsed.config, parsed.diagnostics);
  return { rules: out.rules, diagnostics: out.diagnostics.map(formatDiagnostic) };
}

/** Compiles YAML that must be valid and returns its first custom (or external) rule. */
export function ruleFrom(text: string, api: 'custom' | 'external' = 'custom'): CompiledRule {
  const { rules, diagnostics } = compileYaml(text);
  const errors = diagnostics.filter((d) => d.includes(': error: '));
  if (rules === undefined || errors.length > 0)
    throw new Error(`fixture does not compile:\n${diagnostics.join('\n')}`);
  const rule = api === 'custom' ? rules.custom[0] : rules.external[0];
  if (rule === undefined) throw new Error('fixture has no rule');
  return rule;
}

/** One rule in YAML with sensible defaults for the parts a test does not care about. */
export function ruleYaml(parts: {
  seriesQuery?: string;
  filters?: string;
  resources?: string;
  name?: string;
  metricsQuery?: string;
}): string {
  return [
    'rules:',
    `- seriesQuery: '${parts.seriesQuery ?? '{__name__=~"^http_.*",namespace!="",pod!=""}'}'`,
    ...(parts.filters !== undefined
      ? ['  seriesFilters:', ...parts.filters.split('\n').map((l) => `  ${l}`)]
      : []),
    '  resources:',
    ...(parts.resources ?? 'overrides:\n  namespace: {resource: namespace}\n  pod: {resource: pod}')
      .split('\n')
      .map((l) => `    ${l}`),
    ...(parts.name !== undefined ? ['  name:', ...parts.name.split('\n').map((l) => `    ${l}`)] : []),
    `  metricsQuery: '${parts.metricsQuery ?? 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'}'`,
    '',
  ].join('\n');
}

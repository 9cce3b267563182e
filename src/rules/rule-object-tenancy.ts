/**
 * The namespace boundary of a MetricRule, checked when it is compiled: a rule owned by namespace
 * N may map only namespaced resources, may not opt out of namespacing, and every query it sends
 * must be confined to N (src/promql/tenancy.ts). The seriesQuery is confined here once and kept
 * confined; the metricsQuery is a template, so here it is rendered once with sample arguments in
 * N and confined, which catches what its author wrote (another namespace, label_replace writing
 * `namespace`); each rendered query is confined again when it is sent.
 */
import {
  locateInString,
  type Diagnostic,
  type DiscoveryRuleConfig,
  type Located,
} from '../config/rules-file.js';
import {
  BUILTIN_RESOURCES,
  groupResourceString,
  type ResourceInfo,
  type ResourceMapper,
} from '../kube/index.js';
import { confineToNamespace } from '../promql/index.js';
import type { CompileChecks } from './compile-checks.js';
import { renderExternalQuery, renderObjectQuery, sampleObjectScope } from './query.js';
import { describeTemplateError } from './template-errors.js';
import type { CompiledRule } from './types.js';

/** The label holding the namespace of a tenant's series: the one confineToNamespace bounds. */
export const TENANT_NAMESPACE_LABEL = 'namespace';

/** Line and column (1-based) of `offset` within `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function at(s: Located<string>, offset: number): Diagnostic['at'] {
  const { line, column } = lineColumn(s.value, offset);
  return locateInString(s, line, column);
}

function clusterScoped(info: ResourceInfo | undefined, mapper: ResourceMapper): ResourceInfo | undefined {
  if (info === undefined) return undefined;
  const known = mapper.resolve({ group: info.group, resource: info.resource }) ?? info;
  return known.namespaced ? undefined : known;
}

/** Refusals of the rule's resources mapping (they need no compiled rule). */
function checkResources(
  checks: CompileChecks,
  c: DiscoveryRuleConfig,
  namespace: string,
  mapper: ResourceMapper,
): void {
  const path = `${c.path}.resources`;
  const serves = `a MetricRule in namespace "${namespace}" serves only objects in that namespace`;
  const ns = c.resources.namespaced;
  if (ns !== undefined && !ns.value) {
    checks.error(
      ns,
      `${path}.namespaced`,
      `a MetricRule serves only namespace "${namespace}": namespaced: false would make it answer for every namespace; remove it, or write a ClusterMetricRule`,
    );
  }
  for (const o of c.resources.overrides) {
    const info = clusterScoped(mapper.resolve({ group: o.group, resource: o.resource }), mapper);
    if (info === undefined) continue;
    const hint =
      info.group === '' && info.resource === 'namespaces'
        ? `; its series are all in that namespace, whose label is always "${TENANT_NAMESPACE_LABEL}": remove this override`
        : '; map labels to namespaced resources only (e.g. pod, deployment)';
    checks.error(
      o,
      `${path}.overrides.${o.label}`,
      `maps label "${o.label}" to ${groupResourceString(info)}, which are cluster-scoped: ${serves}${hint}`,
    );
  }
}

/** The cluster-scoped resources a compiled rule's label template can name, as `label → resource`. */
function templateReach(rule: CompiledRule, c: DiscoveryRuleConfig, mapper: ResourceMapper): string[] {
  if (c.resources.template === undefined) return [];
  const overridden = new Set(c.resources.overrides.map((o) => o.label));
  const out: string[] = [];
  for (const candidate of BUILTIN_RESOURCES) {
    const info = clusterScoped(candidate, mapper);
    if (info === undefined) continue;
    const label = rule.association.labelFor(info, mapper);
    if (label === undefined || overridden.has(label)) continue;
    const back = rule.association.resourceForLabel(label, mapper);
    if (back !== undefined && back.group === info.group && back.resource === info.resource)
      out.push(`"${label}" to ${groupResourceString(info)}`);
  }
  return out;
}

/** The query a rule sends for one request in `namespace`, rendered with sample arguments. */
function sampleQuery(rule: CompiledRule, namespace: string): string {
  const scope = sampleObjectScope(namespace);
  return rule.api === 'external'
    ? renderExternalQuery(rule, {
        seriesName: scope.seriesName,
        namespace: scope.namespace,
        metricSelector: scope.metricSelector,
      })
    : renderObjectQuery(rule, scope);
}

/**
 * The rule as namespace `namespace` may own it (tenant set, seriesQuery confined, association
 * kept to namespaced resources), or undefined with the refusals added to `checks`. `rule` is
 * undefined when the rule did not compile: the resources mapping is still checked.
 */
export function confineRule(
  checks: CompileChecks,
  c: DiscoveryRuleConfig,
  rule: CompiledRule | undefined,
  namespace: string,
  mapper: ResourceMapper,
): CompiledRule | undefined {
  const before = checks.errorCount();
  checkResources(checks, c, namespace, mapper);
  if (rule === undefined || c.seriesQuery === undefined) return undefined;
  const reach = templateReach(rule, c, mapper);
  if (reach.length > 0 && c.resources.template !== undefined) {
    checks.error(
      c.resources.template,
      `${c.path}.resources.template`,
      `maps labels to cluster-scoped resources (${reach.join(', ')}): a MetricRule in namespace "${namespace}" serves only objects in that namespace; list the labels of namespaced resources in resources.overrides instead`,
    );
  }
  const series = confineToNamespace(c.seriesQuery.value, namespace);
  if (!series.ok) {
    checks.error(
      c.seriesQuery,
      `${c.path}.seriesQuery`,
      `cannot be kept to namespace "${namespace}": ${series.reason}`,
      at(c.seriesQuery, series.from),
    );
  }
  let sample: string | undefined;
  try {
    sample = sampleQuery(rule, namespace);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    checks.error(rule.metricsQuerySource, `${c.path}.metricsQuery`, describeTemplateError(cause));
  }
  if (sample !== undefined) {
    const query = confineToNamespace(sample, namespace);
    if (!query.ok) {
      checks.error(
        rule.metricsQuerySource,
        `${c.path}.metricsQuery`,
        `cannot be kept to namespace "${namespace}": ${query.reason}. Rendered with sample arguments: ${sample}`,
      );
    }
  }
  if (checks.errorCount() > before || !series.ok) return undefined;
  return {
    ...rule,
    seriesQuery: series.query,
    association: rule.association.forTenant(TENANT_NAMESPACE_LABEL),
    tenant: namespace,
  };
}

/**
 * The queries `resourceRules` make for metrics.k8s.io, rendered the way prometheus-adapter's
 * resource provider builds them: the container query with the namespace and pod matchers, grouped
 * by the pod label and the container label; the node query with the node matcher, grouped by the
 * node label.
 */
import type { ResourceRuleConfig, ResourceRulesConfig, SourceLocation } from '../../config/rules-file.js';
import { parseTemplate, type Template } from '../../gotemplate/index.js';
import type { GroupResource, ResourceMapper } from '../../kube/index.js';
import { renderResourceQuery } from '../../rules/index.js';

export type UsageResource = 'cpu' | 'memory';
export type UsageTarget = 'pods' | 'nodes';

/** One resourceRules query, ready to render. */
export interface UsageQueryPlan {
  resource: UsageResource;
  target: UsageTarget;
  /** e.g. `resourceRules.cpu.containerQuery`. */
  path: string;
  at: SourceLocation;
  template: Template;
  /** The label holding pod (or node) names. */
  objectLabel: string;
  namespaceLabel: string | undefined;
  containerLabel: string | undefined;
}

const PODS: GroupResource = { group: '', resource: 'pods' };
const NODES: GroupResource = { group: '', resource: 'nodes' };
const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };

/** The label a resourceRules `resources` mapping gives a resource (overrides first, then the template). */
function labelFor(rule: ResourceRuleConfig, gr: GroupResource, mapper: ResourceMapper): string | undefined {
  const wanted = mapper.resolve(gr);
  for (const o of rule.resources.overrides) {
    const info = mapper.resolve({ group: o.group, resource: o.resource.toLowerCase() });
    if (info !== undefined && wanted !== undefined) {
      if (info.group === wanted.group && info.resource === wanted.resource) return o.label;
    } else if (o.group === gr.group && o.resource.toLowerCase() === gr.resource) return o.label;
  }
  const t = rule.resources.template;
  if (t === undefined) return undefined;
  const label = parseTemplate(t.value, { name: 'resource-label', leftDelim: '<<', rightDelim: '>>' }).execute(
    {
      Group: gr.group.replace(/[.-]/g, '_'),
      Resource: wanted?.singular ?? gr.resource,
    },
  );
  return label === '' ? undefined : label;
}

/**
 * The plans for one target (pods or nodes) and both resources. Compile has checked every part
 * already, so this only fails for a file that did not compile.
 */
export function usageQueryPlans(
  config: ResourceRulesConfig,
  target: UsageTarget,
  mapper: ResourceMapper,
): UsageQueryPlan[] {
  const plans: UsageQueryPlan[] = [];
  for (const resource of ['cpu', 'memory'] as const) {
    const rule = config[resource];
    if (rule === undefined) continue;
    const key = target === 'pods' ? 'containerQuery' : 'nodeQuery';
    const src = rule[key];
    if (src === undefined) continue;
    const objectLabel = labelFor(rule, target === 'pods' ? PODS : NODES, mapper);
    plans.push({
      resource,
      target,
      path: `${rule.path}.${key}`,
      at: src.at,
      template: parseTemplate(src.value, { name: key, leftDelim: '<<', rightDelim: '>>' }),
      objectLabel: objectLabel ?? (target === 'pods' ? 'pod' : 'node'),
      namespaceLabel: target === 'pods' ? labelFor(rule, NAMESPACES, mapper) : undefined,
      containerLabel: target === 'pods' ? (rule.containerLabel?.value ?? 'container') : undefined,
    });
  }
  return plans;
}

/** The label mapping problems of a plan (a missing label makes every query of it fail). */
export function usagePlanProblems(config: ResourceRulesConfig, mapper: ResourceMapper): string[] {
  const problems: string[] = [];
  for (const resource of ['cpu', 'memory'] as const) {
    const rule = config[resource];
    if (rule === undefined) continue;
    for (const [gr, what] of [
      [PODS, 'pods'],
      [NODES, 'nodes'],
      [NAMESPACES, 'namespaces'],
    ] as const) {
      if (labelFor(rule, gr, mapper) === undefined)
        problems.push(`${rule.path}.resources maps no label to ${what}`);
    }
  }
  return problems;
}

/**
 * The PromQL for the named pods (of `namespace`) or nodes; `names` undefined: every pod (of
 * `namespace`, or of all namespaces) or every node.
 */
export function renderUsageQuery(
  plan: UsageQueryPlan,
  names: readonly string[] | undefined,
  namespace: string | undefined,
): string {
  return renderResourceQuery(
    { path: plan.path, metricsQuery: plan.template },
    {
      resourceLabel: plan.objectLabel,
      names,
      namespace:
        namespace !== undefined && plan.namespaceLabel !== undefined
          ? { label: plan.namespaceLabel, value: namespace }
          : undefined,
      extraGroupBy: usageGroupBy(plan, namespace),
    },
  );
}

/** As the server groups: by container, and by namespace too when the query spans namespaces. */
function usageGroupBy(plan: UsageQueryPlan, namespace: string | undefined): string[] {
  if (plan.containerLabel === undefined) return [];
  return namespace === undefined && plan.namespaceLabel !== undefined
    ? [plan.containerLabel, plan.namespaceLabel]
    : [plan.containerLabel];
}

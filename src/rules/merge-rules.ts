/**
 * One rule set from the rules file and the cluster's rule objects, in a documented order: the
 * file first, then ClusterMetricRules by name, then MetricRules by namespace and name. Where two
 * rules yield the same metric the earlier one serves it. The catalog (catalog.ts) lets a later
 * rule replace an earlier one, as prometheus-adapter does within a file, so the objects are placed
 * before the file's rules and in reverse order: whatever they collide with is then added after
 * them and wins. `resourceRules` has one owner: the file's, else the first ClusterMetricRule's.
 */
import type { RuleObjectKind } from './rule-object-types.js';
import type { CompiledRule, CompiledRules } from './types.js';

/** One rule object as the cluster holds it, compiled on its own. */
export interface RuleObjectEntry {
  kind: RuleObjectKind;
  /** Undefined for a ClusterMetricRule. */
  namespace: string | undefined;
  name: string;
  uid: string | undefined;
  generation: number | undefined;
  /** Undefined when the object has an error. */
  rules: CompiledRules | undefined;
  /** Its errors, as `metrics-adapter check` prints them. */
  errors: string[];
}

export interface MergedRules {
  rules: CompiledRules;
  /** Who each rule of `rules` comes from, as a loser's outcome names the winner. */
  owners: Map<CompiledRule, string>;
  /** Who serves `resourceRules`; undefined when nobody does. */
  resourceOwner: string | undefined;
  /** The entries in merge order (the file's rules come before all of them). */
  order: RuleObjectEntry[];
}

/** `ClusterMetricRule x` / `MetricRule ns/y`. */
export function ruleObjectLabel(entry: Pick<RuleObjectEntry, 'kind' | 'namespace' | 'name'>): string {
  return entry.kind === 'ClusterMetricRule'
    ? `ClusterMetricRule ${entry.name}`
    : `MetricRule ${entry.namespace ?? ''}/${entry.name}`;
}

/** The merge order of entries: ClusterMetricRules by name, then MetricRules by namespace and name. */
export function mergeOrder(entries: readonly RuleObjectEntry[]): RuleObjectEntry[] {
  const rank = (e: RuleObjectEntry): number => (e.kind === 'ClusterMetricRule' ? 0 : 1);
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort(
    (a, b) => rank(a) - rank(b) || compare(a.namespace ?? '', b.namespace ?? '') || compare(a.name, b.name),
  );
}

export function mergeRules(file: CompiledRules, entries: readonly RuleObjectEntry[]): MergedRules {
  const order = mergeOrder(entries);
  const owners = new Map<CompiledRule, string>();
  for (const rule of [...file.custom, ...file.external]) owners.set(rule, `rules file ${rule.path}`);
  const custom: CompiledRule[] = [];
  const external: CompiledRule[] = [];
  let resource: Pick<CompiledRules, 'resource' | 'resourceRules'> | undefined;
  let resourceOwner: string | undefined;
  if (file.resourceRules !== undefined) {
    resource = { resource: file.resource, resourceRules: file.resourceRules };
    resourceOwner = 'rules file resourceRules';
  }
  for (const entry of order) {
    const rules = entry.rules;
    if (rules === undefined) continue;
    const label = ruleObjectLabel(entry);
    for (const rule of rules.custom) owners.set(rule, label);
    for (const rule of rules.external) owners.set(rule, label);
    custom.unshift(...rules.custom);
    external.unshift(...rules.external);
    if (rules.resourceRules !== undefined && resourceOwner === undefined) {
      resource = { resource: rules.resource, resourceRules: rules.resourceRules };
      resourceOwner = label;
    }
  }
  const merged: CompiledRules = {
    file: file.file,
    custom: [...custom, ...file.custom],
    external: [...external, ...file.external],
    resourceRules: resource?.resourceRules,
  };
  if (resource?.resource !== undefined) merged.resource = resource.resource;
  return { rules: merged, owners, resourceOwner, order };
}

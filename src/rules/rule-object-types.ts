/**
 * The shape of the rule objects of metrics-adapter.io/v1alpha1, as their authors write them: the
 * spec's rule holds the keys of a rules file entry, unchanged, so a rule moves between the file
 * and an object by copying it. The CRD schemas are written from these.
 */

export type RuleObjectKind = 'ClusterMetricRule' | 'MetricRule';

/** A `rules` or `externalRules` entry of the rules file. */
export interface RuleSpec {
  seriesQuery: string;
  seriesFilters?: ({ is: string } | { isNot: string })[];
  resources?: {
    overrides?: Record<string, { group?: string; resource: string }>;
    template?: string;
    /** External rules only; a MetricRule may not set it to false. */
    namespaced?: boolean;
  };
  name?: { matches?: string; as?: string };
  metricsQuery: string;
  labelValueReplacements?: { find: string; replace: string }[];
}

/** `resourceRules.cpu` / `resourceRules.memory` of the rules file. */
export interface ResourceRuleSpec {
  containerQuery: string;
  nodeQuery: string;
  resources?: RuleSpec['resources'];
  containerLabel?: string;
}

/** The `resourceRules` block of the rules file. */
export interface ResourceRulesSpec {
  cpu: ResourceRuleSpec;
  memory: ResourceRuleSpec;
  window?: string;
}

export interface RuleObjectMetadata {
  name: string;
  /** Required for a MetricRule; none for a ClusterMetricRule. */
  namespace?: string;
  generation?: number;
  uid?: string;
}

/** Who an object is. */
export interface RuleObjectRef extends RuleObjectMetadata {
  kind: RuleObjectKind;
}

/** Exactly one of the keys. */
type OneOf<T> = { [K in keyof T]: Pick<T, K> & { [O in Exclude<keyof T, K>]?: never } }[keyof T];

export interface ClusterMetricRule {
  apiVersion: 'metrics-adapter.io/v1alpha1';
  kind: 'ClusterMetricRule';
  metadata: RuleObjectMetadata;
  spec: OneOf<{ rule: RuleSpec; externalRule: RuleSpec; resourceRules: ResourceRulesSpec }>;
}

/** Owned by its namespace: it reads that namespace's series and serves that namespace only. */
export interface MetricRule {
  apiVersion: 'metrics-adapter.io/v1alpha1';
  kind: 'MetricRule';
  metadata: RuleObjectMetadata & { namespace: string };
  spec: OneOf<{ rule: RuleSpec; externalRule: RuleSpec }>;
}

export type RuleObject = ClusterMetricRule | MetricRule;

/** The compiled form of a rules file: everything parsed and checked once, at load. */
import type { Located, ResourceRulesConfig, SourceLocation } from '../config/rules-file.js';
import type { Template } from '../gotemplate/index.js';
import type { ResourceAssociation } from './association.js';
import type { GoRegex } from './goregex/index.js';

export interface SeriesFilter {
  regex: GoRegex;
  /** `is` (true) or `isNot` (false). */
  positive: boolean;
}

export type RuleApi = 'custom' | 'external';

export interface CompiledRule {
  api: RuleApi;
  /** e.g. `rules[3]`, for messages. */
  path: string;
  at: SourceLocation;
  seriesQuery: string;
  filters: SeriesFilter[];
  nameMatches: GoRegex;
  nameAs: string;
  association: ResourceAssociation;
  metricsQuery: Template;
  metricsQuerySource: Located<string>;
  /** The range of the query's range selectors when they all agree (reported as the metric window). */
  windowSeconds: number | undefined;
  /** External rules only: whether the namespace of the request restricts the series. */
  namespaced: boolean;
  labelValueReplacements: { find: string; replace: string }[];
  /**
   * Set for a rule owned by one namespace (a MetricRule): the namespace whose requests alone it
   * serves, and to which every query it sends must be confined (its seriesQuery already is).
   */
  tenant?: string;
}

/** One of `resourceRules.cpu` / `resourceRules.memory`, compiled. */
export interface CompiledResourceQuery {
  /** e.g. `resourceRules.cpu`, for messages. */
  path: string;
  containerQuery: Template;
  nodeQuery: Template;
  association: ResourceAssociation;
  /** The label holding container names (prometheus-adapter has no default; ours is `container`). */
  containerLabel: string;
  /** Range of the range selectors of each query when they all agree. */
  containerWindowSeconds: number | undefined;
  nodeWindowSeconds: number | undefined;
}

export interface CompiledResourceRules {
  cpu: CompiledResourceQuery;
  memory: CompiledResourceQuery;
  /** `resourceRules.window` in milliseconds, when given. */
  windowMs: number | undefined;
}

export interface CompiledRules {
  file: string | undefined;
  custom: CompiledRule[];
  external: CompiledRule[];
  resourceRules: ResourceRulesConfig | undefined;
  /** The compiled `resourceRules`; undefined when the file has none. */
  resource?: CompiledResourceRules;
}

export const EMPTY_RULES: CompiledRules = {
  file: undefined,
  custom: [],
  external: [],
  resourceRules: undefined,
};

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
}

export interface CompiledRules {
  file: string | undefined;
  custom: CompiledRule[];
  external: CompiledRule[];
  resourceRules: ResourceRulesConfig | undefined;
}

export const EMPTY_RULES: CompiledRules = {
  file: undefined,
  custom: [],
  external: [],
  resourceRules: undefined,
};

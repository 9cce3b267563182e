/**
 * The rules file as loaded: prometheus-adapter's `rules`, `externalRules` and `resourceRules`,
 * each value with its position, before any compiling (regexes, templates, PromQL).
 */
import type { Diagnostic } from './diagnostics.js';
import type { Located, SourceLocation } from './positions.js';

export interface OverrideConfig {
  label: string;
  group: string;
  resource: string;
  at: SourceLocation;
  /** Where the `resource` value is (a wrong resource name is reported there). */
  resourceAt?: SourceLocation;
}

export interface ResourceMappingConfig {
  overrides: OverrideConfig[];
  template?: Located<string>;
  namespaced?: Located<boolean>;
}

export interface SeriesFilterConfig {
  is?: Located<string>;
  isNot?: Located<string>;
  at: SourceLocation;
  path: string;
}

export interface DiscoveryRuleConfig {
  path: string;
  at: SourceLocation;
  seriesQuery?: Located<string>;
  seriesFilters: SeriesFilterConfig[];
  resources: ResourceMappingConfig;
  name: { matches?: Located<string>; as?: Located<string> };
  metricsQuery?: Located<string>;
  labelValueReplacements: { find: string; replace: string }[];
}

export interface ResourceRuleConfig {
  path: string;
  at: SourceLocation;
  containerQuery?: Located<string>;
  nodeQuery?: Located<string>;
  resources: ResourceMappingConfig;
  containerLabel?: Located<string>;
}

export interface ResourceRulesConfig {
  /** `resourceRules` in a rules file, `spec.resourceRules` in a rule object. */
  path: string;
  at: SourceLocation;
  cpu?: ResourceRuleConfig;
  memory?: ResourceRuleConfig;
  window?: Located<string>;
}

export interface RulesConfig {
  file: string;
  rules: DiscoveryRuleConfig[];
  externalRules: DiscoveryRuleConfig[];
  resourceRules?: ResourceRulesConfig;
}

export interface RulesFileResult {
  config: RulesConfig;
  diagnostics: Diagnostic[];
  /** Set when the file could not be read or is not YAML: nothing in it was looked at. */
  unparsable?: true;
}

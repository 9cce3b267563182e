/**
 * Layer rules/ (under providers/): may import prometheus/, kube/, promql/, deadline.ts and the
 * base layer (config/, gotemplate/, errors.ts, logging.ts, …). Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * The rule engine: compiles prometheus-adapter rules (naming, association, query templates),
 * discovers which metrics they yield (the catalog), and renders the PromQL for a request.
 */
export { compileRules, type CompileResult } from './compile.js';
export { parsePrometheusDuration } from './prometheus-duration.js';
export {
  MetricDiscovery,
  type MetricDiscoveryOptions,
  type CustomLookup,
  type TenantHeaders,
} from './discovery.js';
export {
  MetricCatalog,
  shapesOf,
  type CustomMetricEntry,
  type ExternalMetricEntry,
  type SeriesShape,
} from './catalog.js';
export {
  renderObjectQuery,
  renderChunks,
  type QueryChunk,
  renderExternalQuery,
  renderResourceQuery,
  type ResourceQueryScope,
  renderAllObjectsQuery,
  type ObjectQueryScope,
  type ExternalQueryScope,
} from './query.js';
export { metricNameFor, seriesPassesFilters } from './naming.js';
export { ResourceAssociation } from './association.js';
export {
  EMPTY_RULES,
  type CompiledRule,
  type CompiledRules,
  type CompiledResourceQuery,
  type CompiledResourceRules,
} from './types.js';
export {
  RulesReloader,
  RulesFileError,
  loadRules,
  type RulesReloaderOptions,
  type RulesSink,
} from './reload.js';
export {
  RuleComposer,
  type RuleComposerOptions,
  type RuleOutcomeSource,
  type RuleOutcomesListener,
} from './rule-composer.js';
export { ClusterRules, type ClusterRulesOptions } from './cluster-rules.js';
export {
  mergeRules,
  mergeOrder,
  ruleObjectLabel,
  type MergedRules,
  type RuleObjectEntry,
} from './merge-rules.js';
export type { RuleObjectOutcome } from './rule-object-outcome.js';
export { RuleStatusWriter } from './rule-status.js';

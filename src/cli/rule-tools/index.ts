/**
 * Rule tools for people writing prometheus-adapter rules: `check` (what a rules file yields from
 * Prometheus, without a cluster) and `explain` (which rule, PromQL and samples answer one API
 * request). Both build plain-data reports from the rule engine's own functions, so what they
 * show is what the server does; the server can serve `explainRequest` at a debug endpoint.
 */
export {
  checkRulesFile,
  probePrometheus,
  PrometheusUnreachableError,
  type CheckOptions,
  type CheckReport,
  type RuleReport,
  type OverlapReport,
  type UsageQueryReport,
  type YieldedMetric,
  type YieldedResource,
  type ResourcesSource,
} from './check.js';
export {
  explainRequest,
  mapSamples,
  type ExplainDeps,
  type Explanation,
  type ExplainedQuery,
  type ExplainedSample,
  type ExplainedObjects,
  type ExplainedRule,
  type SampleMapping,
} from './explain.js';
export { parseApiPath, type ParsedApiPath } from './request-path.js';
export { renderCheckText, renderExplanationText } from './text.js';
export { checkCommand, explainCommand, EXIT } from './commands.js';
export { explainObjectCommand, type ExplainedKind } from './explain-object.js';

/**
 * Rule tools for people writing prometheus-adapter rules: `check` (what a rules file yields from
 * Prometheus, without a cluster) and `explain` (which rule, PromQL and samples answer one API
 * request). Both build plain-data reports from the rule engine's own functions, so what they
 * show is what the server does. The explanation itself is src/explain/, a service of the server.
 */
export { checkRulesFile, type CheckOptions } from './check.js';
export {
  type CheckReport,
  type RuleReport,
  type ObjectReport,
  type OverlapReport,
  type UsageQueryReport,
  type YieldedMetric,
  type YieldedResource,
} from './check-report.js';
export { probePrometheus, PrometheusUnreachableError } from './prometheus-probe.js';
export { renderCheckText } from './text.js';
export { checkCommand, explainCommand, EXIT } from './commands.js';
export { explainObjectCommand, type ExplainedKind } from './explain-object.js';

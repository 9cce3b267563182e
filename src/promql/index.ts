/**
 * Layer promql/ (beside deadline.ts, over the base layer): may import only the base layer
 * (config/, gotemplate/, errors.ts, …). Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * PromQL construction and inspection. This module is the only place that turns client input
 * (label values, Kubernetes label selectors) and configured text (series selectors, queries)
 * into PromQL, and it does so by escaping every value and validating every name, so that
 * nothing a client sends can change a query's shape. It also parses Kubernetes label selectors
 * exactly like k8s.io/apimachinery, and offers best-effort syntax checks of configured PromQL.
 */
export { promqlString, unquotePromQLString, PromQLStringError } from './string-literal.js';
export { regexLiteral, regexAlternation } from './regex.js';
export { isValidLabelName, isValidMetricName } from './names.js';
export { labelMatcher, isMatchOperator, type MatchOperator } from './matchers.js';

export type { Requirement, SelectorOperator } from './label-selector/types.js';
export { parseLabelSelector, MAX_SELECTOR_LENGTH, MAX_SELECTOR_ITEMS } from './label-selector/parse.js';
export { formatLabelSelector } from './label-selector/format.js';
export { matchesLabels } from './label-selector/matches.js';
export {
  toLabelSelectorObject,
  type LabelSelectorObject,
  type LabelSelectorRequirementObject,
  type LabelSelectorOperatorName,
} from './label-selector/to-object.js';
export { requirementsToMatchers } from './label-selector/to-matchers.js';

export { checkPromQL, type PromQLCheckResult } from './syntax/check.js';
export { rangeWindowSeconds } from './syntax/range-window.js';
export {
  parseSeriesSelector,
  formatSeriesSelector,
  withNameMatcher,
  type SeriesSelector,
  type SeriesMatcher,
} from './syntax/series-selector.js';
export { confineToNamespace, type ConfineResult } from './tenancy.js';

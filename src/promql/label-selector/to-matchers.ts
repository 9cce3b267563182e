/**
 * PromQL label matchers for a metric label selector (the `metricLabelSelector` of custom and
 * external metrics requests). Follows prometheus-adapter's query builder, except that every
 * value is escaped: prometheus-adapter passed a single `in` value through as a raw regex, which
 * let a client rewrite the query.
 */
import { BadRequestError } from '../../errors.js';
import { labelMatcher } from '../matchers.js';
import { isValidLabelName } from '../names.js';
import { regexAlternation } from '../regex.js';
import { quoteForMessage } from '../string-literal.js';
import type { Requirement } from './types.js';

function singleValue({ key, operator, values }: Requirement): string {
  const [value, ...rest] = values;
  if (value === undefined || rest.length > 0) {
    throw new BadRequestError(
      `operator ${operator} on label ${quoteForMessage(key)} needs exactly one value`,
    );
  }
  return value;
}

function setValues({ key, operator, values }: Requirement): readonly string[] {
  if (values.length === 0) {
    throw new BadRequestError(
      `operator ${operator} on label ${quoteForMessage(key)} needs at least one value`,
    );
  }
  return values;
}

function requirementToMatcher(requirement: Requirement): string {
  const { key, operator } = requirement;
  if (operator === 'gt' || operator === 'lt') {
    throw new BadRequestError(
      `operator ${operator === 'gt' ? '>' : '<'} is not supported in a metric label selector: ` +
        'Prometheus cannot compare label values as numbers',
    );
  }
  if (!isValidLabelName(key)) {
    throw new BadRequestError(
      `label ${quoteForMessage(key)} in the metric label selector is not a valid Prometheus label name ` +
        '(it must match [a-zA-Z_][a-zA-Z0-9_]*)',
    );
  }
  switch (operator) {
    case '=':
    case '==':
      return labelMatcher(key, '=', singleValue(requirement));
    case '!=':
      return labelMatcher(key, '!=', singleValue(requirement));
    case 'in':
      return labelMatcher(key, '=~', regexAlternation(setValues(requirement)));
    case 'notin':
      return labelMatcher(key, '!~', regexAlternation(setValues(requirement)));
    case 'exists':
      return labelMatcher(key, '!=', '');
    case '!':
      return labelMatcher(key, '=', '');
  }
}

/**
 * One matcher per requirement: `=`/`==` → k="v", `!=` → k!="v", `in` → k=~"v1|v2" (values
 * regex-escaped), `notin` → k!~"…", exists → k!="", `!` → k="".
 * Throws BadRequestError for keys that are not Prometheus label names (`app.kubernetes.io/name`)
 * and for `>`/`<`.
 */
export function requirementsToMatchers(requirements: readonly Requirement[]): string[] {
  return requirements.map(requirementToMatcher);
}

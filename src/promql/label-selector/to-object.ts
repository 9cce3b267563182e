/**
 * The metav1.LabelSelector object for a parsed selector, for API responses and Kubernetes list
 * calls that want the structured form.
 */
import type { Requirement } from './types.js';

export type LabelSelectorOperatorName = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface LabelSelectorRequirementObject {
  key: string;
  operator: LabelSelectorOperatorName;
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementObject[];
}

const EXPRESSION_OPERATORS: Readonly<
  Record<Exclude<Requirement['operator'], '=' | '=='>, LabelSelectorOperatorName>
> = {
  in: 'In',
  notin: 'NotIn',
  '!=': 'NotIn',
  exists: 'Exists',
  '!': 'DoesNotExist',
  gt: 'Gt',
  lt: 'Lt',
};

/**
 * Like apimachinery's metav1.ParseToLabelSelector: `=`/`==` become matchLabels, everything else
 * a matchExpression (`!=` as NotIn with one value). Empty parts are omitted; no requirements
 * give null.
 *
 * Unlike apimachinery, a second `=` on a key already in matchLabels with a different value
 * (`a=x,a=y`) becomes an `In` expression instead of overwriting the first: overwriting would
 * turn a selector that matches nothing into one that matches `a=y`.
 */
export function toLabelSelectorObject(requirements: readonly Requirement[]): LabelSelectorObject | null {
  const matchLabels = new Map<string, string>();
  const matchExpressions: LabelSelectorRequirementObject[] = [];
  for (const { key, operator, values } of requirements) {
    if (operator === '=' || operator === '==') {
      const value = values[0] ?? '';
      const existing = matchLabels.get(key);
      if (existing === undefined) matchLabels.set(key, value);
      else if (existing !== value) matchExpressions.push({ key, operator: 'In', values: [value] });
      continue;
    }
    const expression: LabelSelectorRequirementObject = { key, operator: EXPRESSION_OPERATORS[operator] };
    if (operator !== 'exists' && operator !== '!') expression.values = [...values];
    matchExpressions.push(expression);
  }
  if (matchLabels.size === 0 && matchExpressions.length === 0) return null;
  const selector: LabelSelectorObject = {};
  // Object.fromEntries defines own properties, so no key can reach the prototype.
  if (matchLabels.size > 0) selector.matchLabels = Object.fromEntries(matchLabels);
  if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
  return selector;
}

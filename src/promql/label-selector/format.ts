/** The canonical string form of a selector, as apimachinery's Selector.String() writes it. */
import type { Requirement } from './types.js';
import { compareCodePoints } from './validation.js';

const OPERATOR_TEXT: Readonly<Record<Requirement['operator'], string>> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function formatRequirement({ key, operator, values }: Requirement): string {
  if (operator === 'exists') return key;
  if (operator === '!') return `!${key}`;
  const joined = [...values].sort(compareCodePoints).join(',');
  const written = operator === 'in' || operator === 'notin' ? `(${joined})` : joined;
  return `${key}${OPERATOR_TEXT[operator]}${written}`;
}

/** `a=b,c in (x,y),!d`: requirements in the given order, set values sorted. */
export function formatLabelSelector(requirements: readonly Requirement[]): string {
  return requirements.map(formatRequirement).join(',');
}

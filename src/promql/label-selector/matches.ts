/** Evaluating a parsed selector against a label set, with apimachinery's Requirement.Matches rules. */
import type { Requirement } from './types.js';
import { parseInt64 } from './validation.js';

function labelValue(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  // Own properties only: a key such as "constructor" must not find Object.prototype members.
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function matchesRequirement(
  { key, operator, values }: Requirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const value = labelValue(labels, key);
  switch (operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && values.includes(value);
    case '!=':
    case 'notin':
      // An absent label is "not equal" to anything.
      return value === undefined || !values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case 'gt':
    case 'lt': {
      const actual = value === undefined ? undefined : parseInt64(value);
      const [onlyValue, ...others] = values;
      const bound = others.length === 0 && onlyValue !== undefined ? parseInt64(onlyValue) : undefined;
      if (actual === undefined || bound === undefined) return false;
      return operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** True when `labels` satisfy every requirement (an empty selector matches everything). */
export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((requirement) => matchesRequirement(requirement, labels));
}

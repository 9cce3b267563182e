/** Single label matchers (`name op "value"`) for series selectors. */
import { BadRequestError } from '../errors.js';
import { isValidLabelName } from './names.js';
import { promqlString, quoteForMessage } from './string-literal.js';

export type MatchOperator = '=' | '!=' | '=~' | '!~';

const MATCH_OPERATORS: ReadonlySet<string> = new Set<MatchOperator>(['=', '!=', '=~', '!~']);

export function isMatchOperator(op: string): op is MatchOperator {
  return MATCH_OPERATORS.has(op);
}

/**
 * `name op "value"` with the value escaped. For `=~` and `!~` the value is used as the regex it
 * already is (see regexLiteral / regexAlternation to build one from plain strings); it is still
 * escaped as a string literal, so it cannot leave the matcher.
 * Throws BadRequestError when `name` is not a valid label name.
 */
export function labelMatcher(name: string, op: MatchOperator, value: string): string {
  if (!isValidLabelName(name)) {
    throw new BadRequestError(
      `invalid label name ${quoteForMessage(name)}: a Prometheus label name must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
  // Guards callers outside the type system (JavaScript, casts): an unknown operator is a bug.
  if (!isMatchOperator(op)) throw new Error(`unknown label match operator ${JSON.stringify(op)}`);
  return `${name}${op}${promqlString(value)}`;
}

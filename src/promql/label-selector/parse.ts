/**
 * parseLabelSelector: the grammar, validation and error texts of apimachinery's labels.Parse,
 * plus the position of the offending part and limits on input size.
 *
 *   selector    := requirement ("," requirement)*  |  ""
 *   requirement := ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 */
import { BadRequestError } from '../../errors.js';
import { quoteForMessage } from '../string-literal.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';
import type { Requirement, SelectorOperator } from './types.js';
import { compareCodePoints, labelKeyErrors, labelValueErrors, parseInt64 } from './validation.js';

/** Longest selector we parse: far more than any real selector, small enough to bound work. */
export const MAX_SELECTOR_LENGTH = 16 * 1024;
/** Most requirements, and most values in total, one selector may have. */
export const MAX_SELECTOR_ITEMS = 1000;

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

const OPERATOR_TOKENS: ReadonlyMap<TokenKind, SelectorOperator> = new Map([
  ['in', 'in'],
  ['equals', '='],
  ['doubleEquals', '=='],
  ['greaterThan', 'gt'],
  ['lessThan', 'lt'],
  ['notIn', 'notin'],
  ['notEquals', '!='],
]);

/** A parse failure, with the offset in the selector string that it is about. */
class SelectorSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** `path: Invalid value: "value": detail`, the text of apimachinery's field.Invalid. */
function invalidValue(path: string, value: string, details: readonly string[]): string {
  return `${path}: Invalid value: ${quoteForMessage(value)}: ${details.join('; ')}`;
}

/** apimachinery's aggregate error text: one message alone, several as "[a, b]" (deduplicated). */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/** A value and where it was written (for error positions). */
interface ParsedValue {
  value: string;
  position: number;
}

class SelectorParser {
  private readonly tokens: Token[];
  private readonly endToken: Token;
  private index = 0;
  private valueCount = 0;

  constructor(input: string) {
    this.tokens = tokenize(input);
    const endToken = this.tokens[this.tokens.length - 1];
    if (endToken === undefined) throw new Error('tokenize returned no end token');
    this.endToken = endToken;
  }

  /**
   * The token at the cursor. In value context `in` and `notin` are ordinary identifiers, which
   * is how apimachinery lets `x in (in)` or `in=notin` parse.
   */
  private peek(asValue: boolean): { kind: TokenKind; token: Token } {
    const token = this.tokens[this.index] ?? this.endToken;
    const kind = asValue && (token.kind === 'in' || token.kind === 'notIn') ? 'identifier' : token.kind;
    return { kind, token };
  }

  private next(asValue: boolean): { kind: TokenKind; token: Token } {
    const current = this.peek(asValue);
    this.index++;
    return current;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { kind, token } = this.peek(true);
      if (kind === 'end') return requirements;
      if (kind !== 'identifier' && kind !== 'doesNotExist') {
        throw new SelectorSyntaxError(
          `found '${token.literal}', expected: !, identifier, or 'end of string'`,
          token.position,
        );
      }
      if (requirements.length >= MAX_SELECTOR_ITEMS) {
        throw new SelectorSyntaxError(
          `too many requirements (the limit is ${MAX_SELECTOR_ITEMS})`,
          token.position,
        );
      }
      requirements.push(this.parseRequirement());
      const after = this.next(true);
      if (after.kind === 'end') return requirements;
      if (after.kind !== 'comma') {
        throw new SelectorSyntaxError(
          `found '${after.token.literal}', expected: ',' or 'end of string'`,
          after.token.position,
        );
      }
      const following = this.peek(true);
      if (following.kind !== 'identifier' && following.kind !== 'doesNotExist') {
        throw new SelectorSyntaxError(
          `found '${following.token.literal}', expected: identifier after ','`,
          following.token.position,
        );
      }
    }
  }

  private parseRequirement(): Requirement {
    const start = this.peek(true).token.position;
    let negated = false;
    let keyToken = this.next(true);
    if (keyToken.kind === 'doesNotExist') {
      negated = true;
      keyToken = this.next(true);
    }
    if (keyToken.kind !== 'identifier') {
      throw this.requirementError(
        `found '${keyToken.token.literal}', expected: identifier`,
        keyToken.token.position,
      );
    }
    const key = keyToken.token.literal;
    const keyErrors = labelKeyErrors(key);
    if (keyErrors.length > 0) {
      throw this.requirementError(invalidValue('key', key, keyErrors), keyToken.token.position);
    }
    const lookahead = this.peek(true).kind;
    if (negated || lookahead === 'end' || lookahead === 'comma') {
      // `!key` takes no operator; anything after it is reported by the caller.
      return { key, operator: negated ? '!' : 'exists', values: [] };
    }
    const operatorToken = this.next(false);
    const operator = OPERATOR_TOKENS.get(operatorToken.kind);
    if (operator === undefined) {
      throw this.requirementError(
        `found '${operatorToken.token.literal}', expected: ${BINARY_OPERATORS}`,
        operatorToken.token.position,
      );
    }
    const values =
      operator === 'in' || operator === 'notin' ? this.parseValueSet() : [this.parseExactValue()];
    this.countValues(values.length, start);
    return this.buildRequirement(key, operator, values);
  }

  private requirementError(message: string, position: number): SelectorSyntaxError {
    return new SelectorSyntaxError(`unable to parse requirement: ${message}`, position);
  }

  private countValues(count: number, position: number): void {
    this.valueCount += count;
    if (this.valueCount > MAX_SELECTOR_ITEMS) {
      throw new SelectorSyntaxError(
        `too many values (the limit is ${MAX_SELECTOR_ITEMS} in total)`,
        position,
      );
    }
  }

  /** `(a, b, ...)`, with apimachinery's reading of empty items: `()`, `(,a)`, `(a,)` contain "". */
  private parseValueSet(): ParsedValue[] {
    const open = this.next(true);
    if (open.kind !== 'openPar') {
      throw this.requirementError(`found '${open.token.literal}' expected: '('`, open.token.position);
    }
    const first = this.peek(true);
    if (first.kind === 'closedPar') {
      this.next(true);
      return [{ value: '', position: first.token.position }];
    }
    if (first.kind !== 'identifier' && first.kind !== 'comma') {
      throw this.requirementError(
        `found '${first.token.literal}', expected: ',', ')' or identifier`,
        first.token.position,
      );
    }
    const values = this.parseValueList();
    const close = this.next(true);
    if (close.kind !== 'closedPar') {
      throw this.requirementError(`found '${close.token.literal}', expected: ')'`, close.token.position);
    }
    return values;
  }

  private parseValueList(): ParsedValue[] {
    const values: ParsedValue[] = [];
    for (;;) {
      if (values.length > MAX_SELECTOR_ITEMS) {
        throw new SelectorSyntaxError(
          `too many values (the limit is ${MAX_SELECTOR_ITEMS} in total)`,
          this.peek(true).token.position,
        );
      }
      const { kind, token } = this.next(true);
      if (kind === 'identifier') {
        values.push({ value: token.literal, position: token.position });
        const after = this.peek(true);
        if (after.kind === 'closedPar') return values;
        if (after.kind !== 'comma') {
          throw this.requirementError(
            `found '${after.token.literal}', expected: ',' or ')'`,
            after.token.position,
          );
        }
        continue;
      }
      if (kind !== 'comma') {
        throw this.requirementError(`found '${token.literal}', expected: ',', or identifier`, token.position);
      }
      if (values.length === 0) values.push({ value: '', position: token.position }); // "(,"
      const after = this.peek(true);
      if (after.kind === 'closedPar') {
        values.push({ value: '', position: after.token.position }); // ",)"
        return values;
      }
      if (after.kind === 'comma') {
        this.next(true);
        values.push({ value: '', position: after.token.position }); // ",,"
      }
    }
  }

  private parseExactValue(): ParsedValue {
    const lookahead = this.peek(true);
    if (lookahead.kind === 'end' || lookahead.kind === 'comma') {
      return { value: '', position: lookahead.token.position };
    }
    const { kind, token } = this.next(true);
    if (kind !== 'identifier') {
      throw this.requirementError(`found '${token.literal}', expected: identifier`, token.position);
    }
    return { value: token.literal, position: token.position };
  }

  /** Deduplicates and sorts the values, then validates them like apimachinery's NewRequirement. */
  private buildRequirement(
    key: string,
    operator: SelectorOperator,
    parsed: readonly ParsedValue[],
  ): Requirement {
    const firstPosition = new Map<string, number>();
    for (const { value, position } of parsed)
      if (!firstPosition.has(value)) firstPosition.set(value, position);
    const values = [...firstPosition.keys()].sort(compareCodePoints);

    const errors: { message: string; position: number }[] = [];
    values.forEach((value, index) => {
      const position = firstPosition.get(value) ?? 0;
      if ((operator === 'gt' || operator === 'lt') && parseInt64(value) === undefined) {
        errors.push({
          message: invalidValue(`values[${index}]`, value, [
            "for 'Gt', 'Lt' operators, the value must be an integer",
          ]),
          position,
        });
      }
      const valueErrors = labelValueErrors(value);
      if (valueErrors.length > 0) {
        errors.push({ message: invalidValue(`values[${index}][${key}]`, value, valueErrors), position });
      }
    });
    const firstError = errors[0];
    if (firstError !== undefined) {
      throw this.requirementError(aggregate(errors.map((error) => error.message)), firstError.position);
    }
    return { key, operator, values };
  }
}

/**
 * Parses a Kubernetes label selector string (`app=web,tier in (a,b),!canary`). The empty string
 * gives no requirements (matches everything). Requirements come back sorted by key (stable);
 * set values deduplicated and sorted.
 * Throws BadRequestError whose message names the offending part and ends with
 * "(at position N)", N being the 0-based offset in `input`.
 */
export function parseLabelSelector(input: string): Requirement[] {
  if (input.length > MAX_SELECTOR_LENGTH) {
    throw new BadRequestError(
      `label selector is too long: ${input.length} characters (the limit is ${MAX_SELECTOR_LENGTH})`,
    );
  }
  // apimachinery's lexer stops at a NUL byte and silently ignores the rest; we refuse instead.
  const nul = input.indexOf('\0');
  if (nul >= 0) throw new BadRequestError(`invalid label selector: NUL character at position ${nul}`);
  try {
    const requirements = new SelectorParser(input).parse();
    return requirements.sort((a, b) => compareCodePoints(a.key, b.key));
  } catch (error) {
    if (!(error instanceof SelectorSyntaxError)) throw error;
    throw new BadRequestError(`${error.message} (at position ${error.position})`);
  }
}

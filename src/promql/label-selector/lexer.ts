/**
 * Tokenizer for the label selector string syntax, mirroring apimachinery's labels.Lexer: tokens
 * are split at whitespace (space, tab, CR, LF) and at the symbols = ! ( ) , > <; every other run
 * of characters is an identifier (validated later), except the words `in` and `notin`.
 */

export type TokenKind =
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

export interface Token {
  kind: TokenKind;
  /** The text as written ("" for the end). */
  literal: string;
  /** Offset of the token's first character in the selector string. */
  position: number;
}

const KEYWORD_AND_SYMBOL_TOKENS: ReadonlyMap<string, TokenKind> = new Map([
  [')', 'closedPar'],
  [',', 'comma'],
  ['!', 'doesNotExist'],
  ['==', 'doubleEquals'],
  ['=', 'equals'],
  ['>', 'greaterThan'],
  ['in', 'in'],
  ['<', 'lessThan'],
  ['!=', 'notEquals'],
  ['notin', 'notIn'],
  ['(', 'openPar'],
]);

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);

/** Longest symbol token at `start` (every single symbol is a token; the longest are 2 long). */
function scanSymbol(input: string, start: number): Token {
  const pair = input.slice(start, start + 2);
  const pairKind = KEYWORD_AND_SYMBOL_TOKENS.get(pair);
  if (pair.length === 2 && pairKind !== undefined) return { kind: pairKind, literal: pair, position: start };
  const single = input.charAt(start);
  // Every symbol character is a token on its own, so the fallback is unreachable.
  return { kind: KEYWORD_AND_SYMBOL_TOKENS.get(single) ?? 'identifier', literal: single, position: start };
}

function scanWord(input: string, start: number): Token {
  let end = start;
  while (end < input.length && !WHITESPACE.has(input.charAt(end)) && !SYMBOLS.has(input.charAt(end))) end++;
  const literal = input.slice(start, end);
  return { kind: KEYWORD_AND_SYMBOL_TOKENS.get(literal) ?? 'identifier', literal, position: start };
}

/** All tokens of `input`, ending with one `end` token. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  for (;;) {
    while (position < input.length && WHITESPACE.has(input.charAt(position))) position++;
    if (position >= input.length) {
      tokens.push({ kind: 'end', literal: '', position: input.length });
      return tokens;
    }
    const token = SYMBOLS.has(input.charAt(position))
      ? scanSymbol(input, position)
      : scanWord(input, position);
    tokens.push(token);
    position += token.literal.length;
  }
}

/**
 * Number literals as Go's template parser reads them: integers with 0x/0o/0b/leading-0 octal
 * prefixes and `_` separators, decimal and hexadecimal floats, and the rule that decides whether a
 * constant is an int or a float64 (a float64 keeps its kind through GoFloat even when integral).
 * Integers beyond 2^53 become bigints so they stay exact.
 */
import { GoFloat } from './values.js';

export class NumberSyntaxError extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's rule: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let s = text;
  if (s.startsWith('+') || s.startsWith('-')) s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  const p = s.charAt(1).toLowerCase();
  if (s.length >= 2 && s.charAt(0) === '0' && (p === 'b' || p === 'o' || p === 'x')) {
    i = 2;
    saw = '0';
    hex = p === 'x';
  }
  for (; i < s.length; i++) {
    const c = s.charAt(i);
    const lc = c.toLowerCase();
    if ((c >= '0' && c <= '9') || (hex && lc >= 'a' && lc <= 'f')) {
      saw = '0';
    } else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** strconv.ParseInt/ParseUint with base 0, as a bigint; null when the text is no integer. */
function parseGoInteger(text: string): bigint | null {
  let s = text;
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '') return null;
  let base = 10;
  if (s.charAt(0) === '0') {
    const p = s.charAt(1).toLowerCase();
    if (s.length >= 3 && p === 'b') base = 2;
    else if (s.length >= 3 && p === 'o') base = 8;
    else if (s.length >= 3 && p === 'x') base = 16;
    else base = 8;
    s = s.slice(base === 8 && p !== 'o' ? 1 : 2);
  }
  let n = 0n;
  let underscores = false;
  const big = BigInt(base);
  for (const c of s) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 16);
    if (Number.isNaN(d) || d >= base) return null;
    n = n * big + BigInt(d);
  }
  if (underscores && !underscoreOK(text)) return null;
  return negative ? -n : n;
}

const DECIMAL_FLOAT = /^[+-]?(?=\.?[0-9])[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/;

/** strconv.ParseFloat for the shapes the lexer lets through; null when invalid or out of range. */
function parseGoFloat(text: string): number | null {
  if (text.includes('_') && !underscoreOK(text)) return null;
  const plain = text.replaceAll('_', '');
  let value: number;
  if (DECIMAL_FLOAT.test(text)) {
    value = Number(plain);
  } else {
    const m = HEX_FLOAT.exec(plain);
    if (m === null) return null;
    const [, sign = '', whole = '', frac = '', exp = '0'] = m;
    if (whole === '' && frac === '') return null;
    const mantissa = BigInt('0x' + (whole + frac || '0'));
    value = Number(mantissa) * 2 ** (Number(exp) - 4 * frac.length);
    if (sign === '-') value = -value;
  }
  return Number.isFinite(value) ? value : null;
}

function isHexInt(text: string): boolean {
  return (
    text.length > 2 &&
    text.charAt(0) === '0' &&
    (text.charAt(1) === 'x' || text.charAt(1) === 'X') &&
    !/[pP]/.test(text)
  );
}

/**
 * The value of a number token. Go makes a constant float64 when its text has a '.', an exponent
 * or a 'p' (hex integers aside), and int otherwise.
 */
export function parseNumberLiteral(text: string): number | bigint | GoFloat {
  if (text.endsWith('i')) throw new NumberSyntaxError(`complex number ${text} is not supported`);
  const looksFloat = /[.eEpP]/.test(text) && !isHexInt(text);
  const int = parseGoInteger(text);
  if (int !== null) {
    if (int > UINT64_MAX) throw new NumberSyntaxError(`integer overflow: ${JSON.stringify(text)}`);
    if (looksFloat) return new GoFloat(Number(int));
    if (int < INT64_MIN || int > INT64_MAX) throw new NumberSyntaxError(`${text} overflows int`);
    return int >= BigInt(Number.MIN_SAFE_INTEGER) && int <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(int)
      : int;
  }
  const f = parseGoFloat(text);
  if (f === null) throw new NumberSyntaxError(`illegal number syntax: ${JSON.stringify(text)}`);
  // A float parse of something without a point or exponent is an integer too large for Go.
  if (!/[.eEpP]/.test(text)) throw new NumberSyntaxError(`integer overflow: ${JSON.stringify(text)}`);
  return Number.isSafeInteger(f) ? new GoFloat(f) : f;
}

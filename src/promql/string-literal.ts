/**
 * PromQL string literals: writing any value as a double-quoted literal that Prometheus reads
 * back byte for byte, and reading literals back (Go `strconv.Unquote` rules, which the
 * Prometheus parser uses, extended to single-quoted strings of any length).
 */
import { BadRequestError } from '../errors.js';

/**
 * Characters that are legal raw inside a Go string but must not appear raw in a query we build:
 * controls, format characters (bidi overrides, zero-width joiners, BOM), separators other than
 * the ASCII space, private-use and unassigned code points. They would either break the literal
 * (newline), hide text from a person reading logs (bidi, U+2028) or are simply unexpected.
 */
const NEEDS_ESCAPE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Printable ASCII other than the two characters a double-quoted literal must escape. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const SHORT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\\\'],
  ['"', '\\"'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).toUpperCase().padStart(width, '0');
}

function isSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}

/**
 * The escape for one code point. `\x` is used only below 0x80 because in Go `\xNN` is a byte,
 * not a character: `\x80` and above would produce invalid UTF-8.
 */
function escapeCodePoint(char: string, codePoint: number): string {
  const short = SHORT_ESCAPES.get(char);
  if (short !== undefined) return short;
  if (codePoint === 0x20) return char;
  if (codePoint < 0x80 && NEEDS_ESCAPE.test(char)) return `\\x${hex(codePoint, 2)}`;
  if (!NEEDS_ESCAPE.test(char)) return char;
  return codePoint <= 0xffff ? `\\u${hex(codePoint, 4)}` : `\\U${hex(codePoint, 8)}`;
}

function quote(value: string, onLoneSurrogate: (index: number, codePoint: number) => string): string {
  let out = '"';
  let index = 0;
  for (const char of value) {
    const codePoint = char.codePointAt(0) ?? 0;
    out += isSurrogate(codePoint) ? onLoneSurrogate(index, codePoint) : escapeCodePoint(char, codePoint);
    index += char.length;
  }
  return `${out}"`;
}

/**
 * A double-quoted PromQL string literal that Prometheus parses back to exactly `value`.
 * Throws BadRequestError for a lone UTF-16 surrogate: Prometheus strings are UTF-8 and have no
 * way to spell one, so the value cannot be what the client meant.
 */
export function promqlString(value: string): string {
  // Most values (object names, namespaces) are plain printable ASCII: skip the per-character walk.
  if (PLAIN_ASCII.test(value)) return `"${value}"`;
  return quote(value, (index, codePoint) => {
    throw new BadRequestError(
      `value contains an unpaired UTF-16 surrogate (U+${hex(codePoint, 4)}) at index ${index}, ` +
        'which cannot be represented in a PromQL string',
    );
  });
}

/**
 * Like promqlString but never throws: lone surrogates are shown as `\uD800` text. For error
 * messages only; the result is not guaranteed to parse back to `value`.
 */
export function quoteForMessage(value: string): string {
  return quote(value, (_index, codePoint) => `\\u${hex(codePoint, 4)}`);
}

/** Thrown by unquotePromQLString; `offset` is relative to the start of the literal. */
export class PromQLStringError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PromQLStringError';
  }
}

const QUOTES = new Set(['"', "'", '`']);

const SIMPLE_ESCAPE_BYTES: ReadonlyMap<string, number> = new Map([
  ['a', 0x07],
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
  ['\\', 0x5c],
]);

const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the value, not a byte-order mark to drop.
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function pushUtf8(bytes: number[], char: string): void {
  for (const byte of utf8Encoder.encode(char)) bytes.push(byte);
}

function readHexDigits(body: string, start: number, count: number, offset: number): number {
  const digits = body.slice(start, start + count);
  if (digits.length !== count || !/^[0-9a-fA-F]+$/.test(digits)) {
    throw new PromQLStringError(`invalid escape sequence: expected ${count} hex digits`, offset);
  }
  return parseInt(digits, 16);
}

/**
 * Decodes one escape starting at body[i] (the character after the backslash).
 * Returns the index just past the escape.
 */
function decodeEscape(body: string, i: number, quoteChar: string, bytes: number[]): number {
  const offset = i; // +1 for the opening quote, -1 for the backslash
  const c = body[i];
  if (c === undefined) throw new PromQLStringError('escape sequence not terminated', offset);
  const simple = SIMPLE_ESCAPE_BYTES.get(c);
  if (simple !== undefined) {
    bytes.push(simple);
    return i + 1;
  }
  if (c === quoteChar) {
    bytes.push(c.charCodeAt(0));
    return i + 1;
  }
  if (c >= '0' && c <= '7') {
    const digits = body.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) {
      throw new PromQLStringError('invalid escape sequence: octal escapes need 3 digits', offset);
    }
    const value = parseInt(digits, 8);
    if (value > 0xff) throw new PromQLStringError('octal escape value > 255', offset);
    bytes.push(value);
    return i + 3;
  }
  if (c === 'x') {
    bytes.push(readHexDigits(body, i + 1, 2, offset));
    return i + 3;
  }
  if (c === 'u' || c === 'U') {
    const width = c === 'u' ? 4 : 8;
    const codePoint = readHexDigits(body, i + 1, width, offset);
    if (codePoint > 0x10ffff || isSurrogate(codePoint)) {
      throw new PromQLStringError('escape sequence is an invalid Unicode code point', offset);
    }
    pushUtf8(bytes, String.fromCodePoint(codePoint));
    return i + 1 + width;
  }
  throw new PromQLStringError(`unknown escape sequence \\${c}`, offset);
}

/**
 * Decodes a PromQL string literal (including its quotes) to its value. Throws
 * PromQLStringError for anything Prometheus would reject, and for invalid UTF-8.
 */
export function unquotePromQLString(literal: string): string {
  const quoteChar = literal[0];
  if (quoteChar === undefined || !QUOTES.has(quoteChar)) {
    throw new PromQLStringError('a string literal must start with ", \' or `', 0);
  }
  if (literal.length < 2 || !literal.endsWith(quoteChar)) {
    throw new PromQLStringError('unterminated quoted string', literal.length);
  }
  const body = literal.slice(1, -1);
  if (quoteChar === '`') {
    const inner = body.indexOf('`');
    if (inner >= 0) throw new PromQLStringError('unexpected ` inside a raw string', inner + 1);
    // Go drops carriage returns from raw strings.
    return body.replaceAll('\r', '');
  }
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const codePoint = body.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (char === '\\') {
      i = decodeEscape(body, i + 1, quoteChar, bytes);
      continue;
    }
    if (char === '\n') throw new PromQLStringError('unterminated quoted string (newline)', i + 1);
    if (char === quoteChar) throw new PromQLStringError(`unescaped ${quoteChar} inside the string`, i + 1);
    if (isSurrogate(codePoint)) throw new PromQLStringError('invalid UTF-8 (unpaired surrogate)', i + 1);
    pushUtf8(bytes, char);
    i += char.length;
  }
  try {
    return strictUtf8Decoder.decode(new Uint8Array(bytes));
  } catch {
    throw new PromQLStringError('escape sequences produce invalid UTF-8', 0);
  }
}

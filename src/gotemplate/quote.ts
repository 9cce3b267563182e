/**
 * Go's strconv quoting rules: Quote/QuoteRune for %q and error messages, Unquote/UnquoteChar for
 * string and character literals in templates. Go strings are bytes; here a \x or octal escape
 * contributes a byte and the bytes are decoded as UTF-8 at the end, so only invalid UTF-8 differs.
 */
import { decodeUtf8 } from './values.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const LOWER_HEX = '0123456789abcdef';

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

export function isValidRune(cp: number): boolean {
  return cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

/** The code points of s; a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD. */
function* codePoints(s: string): Generator<number> {
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    yield cp;
  }
}

function hexDigits(v: number, n: number): string {
  let out = '';
  for (let shift = (n - 1) * 4; shift >= 0; shift -= 4)
    out += LOWER_HEX.charAt(Math.floor(v / 2 ** shift) % 16);
  return out;
}

function escapeRune(cp: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return ch;
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hexDigits(cp, 2);
  if (cp < 0x10000) return '\\u' + hexDigits(cp, 4);
  return '\\U' + hexDigits(cp, 8);
}

/** strconv.Quote, or QuoteToASCII when asciiOnly. */
export function quoteGo(s: string, asciiOnly = false): string {
  let out = '"';
  for (const cp of codePoints(s)) out += escapeRune(cp, '"', asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune, or QuoteRuneToASCII when asciiOnly; an invalid rune quotes as U+FFFD. */
export function quoteRuneGo(cp: number, asciiOnly = false): string {
  return "'" + escapeRune(isValidRune(cp) ? cp : 0xfffd, "'", asciiOnly) + "'";
}

/** strconv.CanBackquote: no control characters but tab, no backquote, no DEL, no byte order mark. */
export function canBackquote(s: string): boolean {
  for (const cp of codePoints(s)) {
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x60 || cp === 0x7f || cp === 0xfeff) return false;
  }
  return true;
}

export class UnquoteError extends Error {
  constructor(message = 'invalid syntax') {
    super(message);
    this.name = 'UnquoteError';
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
};

interface Unquoted {
  /** A code point, or a single byte when isByte (from \x or octal). */
  value: number;
  isByte: boolean;
  /** Index in s just past the character. */
  next: number;
}

function hexValue(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = parseInt(s.charAt(i), 16);
    if (Number.isNaN(d)) throw new UnquoteError();
    v = v * 16 + d;
  }
  return v;
}

/** strconv.UnquoteChar: decodes one possibly escaped character of a literal delimited by quote. */
function unquoteChar(s: string, i: number, quote: string): Unquoted {
  const c = s.charAt(i);
  if (c === quote && (quote === "'" || quote === '"')) throw new UnquoteError();
  if (c !== '\\') {
    const cp = s.codePointAt(i) ?? 0;
    return { value: cp, isByte: false, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s.charAt(i + 1);
  if (e === '') throw new UnquoteError();
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { value: simple, isByte: false, next: i + 2 };
  switch (e) {
    case 'x':
      return { value: hexValue(s, i + 2, 2), isByte: true, next: i + 4 };
    case 'u':
    case 'U': {
      const n = e === 'u' ? 4 : 8;
      const v = hexValue(s, i + 2, n);
      if (!isValidRune(v)) throw new UnquoteError();
      return { value: v, isByte: false, next: i + 2 + n };
    }
    case "'":
    case '"':
      if (e !== quote) throw new UnquoteError();
      return { value: e.charCodeAt(0), isByte: false, next: i + 2 };
  }
  if (e >= '0' && e <= '7') {
    let v = 0;
    for (let j = i + 1; j < i + 4; j++) {
      const d = s.charCodeAt(j) - 0x30;
      if (!(d >= 0 && d <= 7)) throw new UnquoteError();
      v = v * 8 + d;
    }
    if (v > 255) throw new UnquoteError();
    return { value: v, isByte: true, next: i + 4 };
  }
  throw new UnquoteError();
}

/** strconv.Unquote for a template string token: "interpreted" or `raw`. */
export function unquoteString(token: string): string {
  const quote = token.charAt(0);
  if (token.length < 2 || token.charAt(token.length - 1) !== quote) throw new UnquoteError();
  const body = token.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new UnquoteError();
    // Go drops carriage returns from raw strings.
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if (quote !== '"' || body.includes('\n')) throw new UnquoteError();
  if (!body.includes('\\') && !body.includes('"')) return body;
  const bytes: number[] = [];
  for (let i = 0; i < body.length;) {
    const u = unquoteChar(body, i, '"');
    if (u.isByte) bytes.push(u.value);
    else for (const b of Buffer.from(String.fromCodePoint(u.value), 'utf8')) bytes.push(b);
    i = u.next;
  }
  return decodeUtf8(Uint8Array.from(bytes));
}

/** A character constant like 'a' or '\n' to its code point; Go reports malformed ones with their text. */
export function unquoteCharConstant(token: string): number {
  const u = unquoteChar(token, 1, "'");
  if (token.slice(u.next) !== "'") throw new UnquoteError(`malformed character constant: ${token}`);
  return u.value;
}

/**
 * The flag machinery of Go's fmt (+ - # space 0, width, precision) applied to one operand that
 * is already known to be a string, an integer or a float. Widths and precisions count runes, as
 * Go's do, not UTF-16 units. Split as Go splits fmt (format.go under print.go), so each layer
 * can be checked against its Go counterpart.
 */
import { formatFloat, type FloatFormat } from './floatfmt.js';
import { canBackquote, isPrint, quoteGo } from './quote.js';
import { utf8Bytes } from './values.js';

export interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function digitsOf(v: number | bigint, base: number): string {
  return typeof v === 'bigint' ? (v < 0n ? -v : v).toString(base) : Math.abs(v).toString(base);
}

function isNegative(v: number | bigint): boolean {
  return typeof v === 'bigint' ? v < 0n : v < 0;
}

/** The value as Go's uint64 conversion of an int would see it. */
function asUint64(v: number | bigint): bigint {
  return BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
}

/** One operand under the current flags: padding, precision and the verbs of each kind. */
export abstract class VerbFormatter {
  buf = '';
  protected f: Flags = {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };

  clearFlags(): void {
    const f = this.f;
    f.plus = f.minus = f.sharp = f.space = f.zero = f.plusV = f.sharpV = false;
    f.wid = f.prec = 0;
    f.widPresent = f.precPresent = false;
  }

  protected writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero ? '0' : ' ').repeat(n);
  }

  /** Pads to the width, counted in runes as Go does. */
  protected pad(s: string): void {
    const f = this.f;
    if (!f.widPresent || f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = f.wid - runeCount(s);
    if (f.minus) {
      this.buf += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.buf += s;
    }
  }

  /** Pads with spaces even under the 0 flag, as Go does for numbers whose zeros were already placed. */
  protected padNoZero(s: string): void {
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  private truncate(s: string): string {
    const f = this.f;
    if (!f.precPresent) return s;
    let n = f.prec;
    for (let i = 0; i < s.length; i++) {
      if (n-- <= 0) return s.slice(0, i);
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
    return s;
  }

  protected fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  protected fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(quoteGo(s, this.f.plus));
  }

  /** Hex of the UTF-8 bytes; the space flag separates bytes and # adds 0x (to each byte when spaced). */
  protected fmtSx(s: string, upper: boolean): void {
    const f = this.f;
    const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
    const bytes = utf8Bytes(s);
    let length = bytes.length;
    if (f.precPresent && f.prec < length) length = f.prec;
    let width = 2 * length;
    if (width <= 0) {
      if (f.widPresent) this.writePadding(f.wid);
      return;
    }
    if (f.space) {
      if (f.sharp) width *= 2;
      width += length - 1;
    } else if (f.sharp) {
      width += 2;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width);
    let out = f.sharp ? '0' + (upper ? 'X' : 'x') : '';
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        out += ' ';
        if (f.sharp) out += '0' + (upper ? 'X' : 'x');
      }
      const c = bytes[i] ?? 0;
      out += (digits[c >> 4] ?? '') + (digits[c & 0xf] ?? '');
    }
    this.buf += out;
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width);
  }

  protected fmtIntBase(v: number | bigint, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    const negative = isNegative(v);
    let digits = digitsOf(v, base);
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && digits === '0') {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && !digits.startsWith('0')) digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (f.plus) digits = '+' + digits;
    else if (f.space) digits = ' ' + digits;
    this.padNoZero(digits);
  }

  protected fmtUnicode(v: number | bigint): void {
    const f = this.f;
    const u = asUint64(v);
    let prec = 4;
    if (f.precPresent && f.prec > 4) prec = f.prec;
    let out = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (f.sharp && u <= 0x10ffffn && isPrint(Number(u))) out += " '" + String.fromCodePoint(Number(u)) + "'";
    this.padNoZero(out);
  }

  protected fmtFloat(x: number, verb: FloatFormat, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(x, verb, prec);
    if (num.startsWith('-') || num.startsWith('+')) {
      // formatFloat signs negatives and infinities only.
    } else {
      num = '+' + num;
    }
    if (f.space && num.startsWith('+') && !f.plus) num = ' ' + num.slice(1);
    if (num.charAt(1) === 'I' || num.charAt(1) === 'N') {
      if (num.charAt(1) === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.padNoZero(num);
      return;
    }
    if (f.sharp && verb !== 'b') num = keepPointAndZeros(num, verb, prec);
    if (f.plus || !num.startsWith('+')) {
      if (f.zero && f.widPresent && f.wid > num.length) {
        this.buf += num.charAt(0);
        this.writePadding(f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

/** The # flag on a float: always a decimal point, and %g keeps its trailing zeros. */
function keepPointAndZeros(num: string, verb: FloatFormat, prec: number): string {
  let digits = 0;
  if (verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzeroDigit = false;
  let body = num;
  for (let i = 1; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '.') {
      hasDecimalPoint = true;
    } else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzeroDigit = true;
      if (sawNonzeroDigit) digits--;
    }
  }
  if (!hasDecimalPoint) {
    if (body.length === 2 && body.charAt(1) === '0') digits--;
    body += '.';
  }
  if (digits > 0) body += '0'.repeat(digits);
  return body + tail;
}

/**
 * Go's fmt package for the values templates handle: %v rendering, Sprint, Sprintln and Sprintf
 * with flags, width, precision, argument indexes and Go's error notations (%!d(string=x),
 * %!s(MISSING), %!(EXTRA ...)). Composite values apply the verb to each element, as fmt does.
 */
import { formatFloat, type FloatFormat } from './floatfmt.js';
import { canBackquote, isPrint, isValidRune, quoteGo, quoteRuneGo } from './quote.js';
import {
  GoFloat,
  NO_VALUE,
  kindOf,
  numberOf,
  reflectTypeString,
  sortedKeys,
  structFields,
  utf8Bytes,
} from './values.js';

/** Printing deeper than this is almost surely a cycle; Go would recurse until the stack overflows. */
export const MAX_FORMAT_DEPTH = 100;

interface Flags {
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

function isNil(v: unknown): boolean {
  return v === null || v === undefined || v === NO_VALUE;
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

class Printer {
  buf = '';
  private f: Flags = {
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

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero ? '0' : ' ').repeat(n);
  }

  /** Pads to the width, counted in runes as Go does. */
  private pad(s: string): void {
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
  private padNoZero(s: string): void {
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

  private badVerb(verb: string, value: unknown): void {
    this.buf += '%!' + verb + '(';
    if (isNil(value)) {
      this.buf += '<nil>';
    } else {
      this.buf += reflectTypeString(value) + '=';
      this.printArg(value, 'v');
    }
    this.buf += ')';
  }

  printArg(arg: unknown, verb: string): void {
    if (isNil(arg)) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(reflectTypeString(arg));
      return;
    }
    if (verb === 'p') {
      // Addresses do not exist here.
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private printValue(v: unknown, verb: string, depth: number): void {
    if (depth > MAX_FORMAT_DEPTH) {
      throw new RangeError(`value nested more than ${MAX_FORMAT_DEPTH} levels deep (is it cyclic?)`);
    }
    if (v instanceof Error && 'vsxXq'.includes(verb)) {
      // Go prints an error through its Error method.
      this.fmtString(v.message, verb, v);
      return;
    }
    switch (kindOf(v)) {
      case 'invalid':
      case 'nil':
        // A nil inside a composite value is an interface holding nothing: "<nil>" whatever the verb.
        this.buf += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
        return;
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'int':
        this.fmtInteger(v as number | bigint, verb);
        return;
      case 'float':
        this.fmtFloatVerb(numberOf(v), verb, v);
        return;
      case 'string':
        this.fmtString(v as string, verb, v);
        return;
      case 'slice':
        this.printSlice(v as unknown[], verb, depth);
        return;
      case 'map':
        this.printMap(v as Map<unknown, unknown>, verb, depth);
        return;
      case 'struct':
        this.printStruct(v as Record<string, unknown>, verb, depth);
        return;
      case 'func':
        // Go prints a function's address, which has no meaning here.
        this.pad(this.f.sharpV ? '(func)(nil)' : '<func>');
        return;
    }
  }

  private printSlice(items: unknown[], verb: string, depth: number): void {
    if (this.f.sharpV) {
      this.buf += '[]interface {}{';
      items.forEach((item, i) => {
        if (i > 0) this.buf += ', ';
        this.printValue(item, verb, depth + 1);
      });
      this.buf += '}';
      return;
    }
    this.buf += '[';
    items.forEach((item, i) => {
      if (i > 0) this.buf += ' ';
      this.printValue(item, verb, depth + 1);
    });
    this.buf += ']';
  }

  private printMap(m: Map<unknown, unknown>, verb: string, depth: number): void {
    const sharpV = this.f.sharpV;
    this.buf += sharpV ? reflectTypeString(m) + '{' : 'map[';
    sortedKeys(m).forEach((key, i) => {
      if (i > 0) this.buf += sharpV ? ', ' : ' ';
      this.printValue(key, verb, depth + 1);
      this.buf += ':';
      this.printValue(m.get(key), verb, depth + 1);
    });
    this.buf += sharpV ? '}' : ']';
  }

  private printStruct(s: Record<string, unknown>, verb: string, depth: number): void {
    const { sharpV, plusV } = this.f;
    if (sharpV) this.buf += reflectTypeString(s);
    this.buf += '{';
    structFields(s).forEach((name, i) => {
      if (i > 0) this.buf += sharpV ? ', ' : ' ';
      if (plusV || sharpV) this.buf += name + ':';
      this.printValue(s[name], verb, depth + 1);
    });
    this.buf += '}';
  }

  private fmtString(s: string, verb: string, original: unknown): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
      case 'X':
        this.fmtSx(s, verb === 'X');
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, original);
    }
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(quoteGo(s, this.f.plus));
  }

  /** Hex of the UTF-8 bytes; the space flag separates bytes and # adds 0x (to each byte when spaced). */
  private fmtSx(s: string, upper: boolean): void {
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

  private fmtInteger(v: number | bigint, verb: string): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtIntBase(v, 10, verb, false);
        return;
      case 'b':
        this.fmtIntBase(v, 2, verb, false);
        return;
      case 'o':
      case 'O':
        this.fmtIntBase(v, 8, verb, false);
        return;
      case 'x':
        this.fmtIntBase(v, 16, verb, false);
        return;
      case 'X':
        this.fmtIntBase(v, 16, verb, true);
        return;
      case 'c':
        this.pad(String.fromCodePoint(runeOf(v)));
        return;
      case 'q':
        this.pad(quoteRuneGo(runeOf(v), this.f.plus));
        return;
      case 'U':
        this.fmtUnicode(v);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtIntBase(v: number | bigint, base: number, verb: string, upper: boolean): void {
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

  private fmtUnicode(v: number | bigint): void {
    const f = this.f;
    const u = asUint64(v);
    let prec = 4;
    if (f.precPresent && f.prec > 4) prec = f.prec;
    let out = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (f.sharp && u <= 0x10ffffn && isPrint(Number(u))) out += " '" + String.fromCodePoint(Number(u)) + "'";
    this.padNoZero(out);
  }

  private fmtFloatVerb(x: number, verb: string, original: unknown): void {
    switch (verb) {
      case 'v':
        this.fmtFloat(x, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloat(x, verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloat(x, verb, 6);
        return;
      case 'F':
        this.fmtFloat(x, 'f', 6);
        return;
      default:
        this.badVerb(verb, original);
    }
  }

  private fmtFloat(x: number, verb: FloatFormat, prec: number): void {
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

  /** Sprintf's loop over the format string. */
  doPrintf(format: string, args: readonly unknown[]): void {
    const f = this.f;
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    // Set inside argNumber, which TypeScript's narrowing does not follow.
    let reordered = false as boolean;
    let goodArgNum = true;

    const argNumber = (i: number): { i: number; found: boolean } => {
      if (i >= end || format.charAt(i) !== '[') return { i, found: false };
      reordered = true;
      const parsed = parseArgNumber(format, i);
      if (parsed.ok && parsed.index >= 0 && parsed.index < args.length) {
        argNum = parsed.index;
        return { i: i + parsed.wid, found: true };
      }
      goodArgNum = false;
      return { i: i + parsed.wid, found: parsed.ok };
    };

    let i = 0;
    formatLoop: while (i < end) {
      goodArgNum = true;
      const lasti = i;
      while (i < end && format.charAt(i) !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearFlags();
      simpleFormat: for (; i < end; i++) {
        const c = format.charAt(i);
        switch (c) {
          case '#':
            f.sharp = true;
            break;
          case '0':
            f.zero = !f.minus;
            break;
          case '+':
            f.plus = true;
            break;
          case '-':
            f.minus = true;
            f.zero = false;
            break;
          case ' ':
            f.space = true;
            break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < args.length) {
              if (c === 'v') {
                f.sharpV = f.sharp;
                f.sharp = false;
                f.plusV = f.plus;
                f.plus = false;
              }
              this.printArg(args[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }

      ({ i, found: afterIndex } = argNumber(i));

      if (i < end && format.charAt(i) === '*') {
        i++;
        const w = intFromArg(args, argNum);
        f.wid = w.num;
        f.widPresent = w.isInt;
        argNum = w.next;
        if (!f.widPresent) this.buf += '%!(BADWIDTH)';
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
        afterIndex = false;
      } else {
        const n = parseNum(format, i, end);
        f.wid = n.num;
        f.widPresent = n.isNum;
        i = n.next;
        if (afterIndex && f.widPresent) goodArgNum = false;
      }

      if (i + 1 < end && format.charAt(i) === '.') {
        i++;
        if (afterIndex) goodArgNum = false;
        ({ i, found: afterIndex } = argNumber(i));
        if (i < end && format.charAt(i) === '*') {
          i++;
          const p = intFromArg(args, argNum);
          f.prec = p.num;
          f.precPresent = p.isInt;
          argNum = p.next;
          if (f.prec < 0) {
            f.prec = 0;
            f.precPresent = false;
          }
          if (!f.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          const n = parseNum(format, i, end);
          f.prec = n.num;
          f.precPresent = n.isNum;
          i = n.next;
          if (!f.precPresent) {
            f.prec = 0;
            f.precPresent = true;
          }
        }
      }

      if (!afterIndex) ({ i, found: afterIndex } = argNumber(i));

      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }

      const cp = format.codePointAt(i) ?? 0;
      const verb = String.fromCodePoint(cp);
      i += verb.length;

      if (verb === '%') {
        this.buf += '%';
      } else if (!goodArgNum) {
        this.buf += '%!' + verb + '(BADINDEX)';
      } else if (argNum >= args.length) {
        this.buf += '%!' + verb + '(MISSING)';
      } else {
        if (verb === 'v') {
          f.sharpV = f.sharp;
          f.sharp = false;
          f.plusV = f.plus;
          f.plus = false;
        }
        this.printArg(args[argNum], verb);
        argNum++;
      }
    }

    if (!reordered && argNum < args.length) {
      this.clearFlags();
      this.buf += '%!(EXTRA ';
      args.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf += ', ';
        if (isNil(arg)) {
          this.buf += '<nil>';
        } else {
          this.buf += reflectTypeString(arg) + '=';
          this.printArg(arg, 'v');
        }
      });
      this.buf += ')';
    }
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

function runeOf(v: number | bigint): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return isValidRune(n) ? n : 0xfffd;
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  if (start >= end) return { num: 0, isNum: false, next: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    // Go gives up on absurd widths and swallows the rest of the format.
    if (tooLarge(num)) return { num: 0, isNum: false, next: end };
    num = num * 10 + d;
    isNum = true;
  }
  return { num, isNum, next: i };
}

function parseArgNumber(format: string, from: number): { index: number; wid: number; ok: boolean } {
  if (format.length - from < 3) return { index: 0, wid: 1, ok: false };
  for (let i = from + 1; i < format.length; i++) {
    if (format.charAt(i) === ']') {
      const n = parseNum(format, from + 1, i);
      if (!n.isNum || n.next !== i) return { index: 0, wid: i - from + 1, ok: false };
      return { index: n.num - 1, wid: i - from + 1, ok: true };
    }
  }
  return { index: 0, wid: 1, ok: false };
}

function intFromArg(args: readonly unknown[], argNum: number): { num: number; isInt: boolean; next: number } {
  if (argNum >= args.length) return { num: 0, isInt: false, next: argNum };
  const a = args[argNum];
  let num = 0;
  let isInt = false;
  if (kindOf(a) === 'int') {
    num = Number(a);
    isInt = true;
  }
  if (tooLarge(num)) {
    num = 0;
    isInt = false;
  }
  return { num, isInt, next: argNum + 1 };
}

/** fmt.Sprint: spaces go between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/**
 * Go's fmt %v rendering of one value: integers in decimal, other numbers like
 * strconv.FormatFloat(f, 'g', -1, 64), slices as [a b], maps as map[k:v] sorted by key,
 * structs as {v1 v2}, nil as <nil>; the template engine's "missing" value prints as <no value>.
 */
export function formatGoValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isSafeInteger(v) ? String(v) : formatFloat(v, 'g', -1);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === NO_VALUE) return '<no value>';
      if (v instanceof GoFloat) return formatFloat(v.value, 'g', -1);
      return sprint([v]);
  }
}

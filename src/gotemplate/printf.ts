/**
 * Go's fmt.Sprintf: reading the format string (flags, width, precision, argument indexes) and
 * Go's error notations for what does not fit (%!d(string=x), %!s(MISSING), %!(EXTRA ...)).
 * Mirrors doPrintf in Go's fmt/print.go.
 */
import { isNil, ValuePrinter } from './format-value.js';
import { kindOf, reflectTypeString } from './values.js';

class PrintfPrinter extends ValuePrinter {
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

export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new PrintfPrinter();
  p.doPrintf(format, args);
  return p.buf;
}

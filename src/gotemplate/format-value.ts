/**
 * Go's fmt rendering of template values: %v and the other verbs applied to a value of any kind
 * (composites apply the verb to each element, as fmt does), Sprint, Sprintln, and the plain %v
 * the template engine prints with. Mirrors printArg and printValue in Go's fmt/print.go.
 */
import { formatFloat } from './floatfmt.js';
import { VerbFormatter } from './format-verbs.js';
import { isValidRune, quoteRuneGo } from './quote.js';
import {
  GoFloat,
  NO_VALUE,
  kindOf,
  numberOf,
  reflectTypeString,
  sortedKeys,
  structFields,
} from './values.js';

/** Printing deeper than this is almost surely a cycle; Go would recurse until the stack overflows. */
export const MAX_FORMAT_DEPTH = 100;

export function isNil(v: unknown): boolean {
  return v === null || v === undefined || v === NO_VALUE;
}

/** Go's printValue: a value of any kind under one verb, composites element by element. */
export class ValuePrinter extends VerbFormatter {
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
}

function runeOf(v: number | bigint): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return isValidRune(n) ? n : 0xfffd;
}

/** fmt.Sprint: spaces go between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new ValuePrinter();
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
  const p = new ValuePrinter();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
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

/**
 * The functions a template can call: Go's builtins (and, or, not, len, index, slice, print, printf,
 * println, eq, ne, lt, le, gt, ge, html, js, urlquery; call is refused), sprig's `join`, and the
 * caller's own. Each declares Go's parameter shape, which decides how the executor evaluates and
 * checks its arguments and how it words a wrong argument count. A function signals an exec error
 * by throwing; the executor reports it as "error calling NAME: message".
 */
import { eq, le, lt, unwrapNil } from './compare.js';
import { escaperInput, htmlEscapeString, jsEscapeString, queryEscape } from './escape.js';
import { formatGoValue, sprint, sprintln } from './format-value.js';
import { sprintf } from './printf.js';
import {
  GoFloat,
  GoMap,
  NO_VALUE,
  decodeUtf8,
  goTypeName,
  isAscii,
  isTrue,
  kindOf,
  utf8Bytes,
  utf8Length,
} from './values.js';

/**
 * How an argument is passed, after Go's parameter types: `value` is reflect.Value (the builtins see
 * missing values as they are), `any` is interface{} (a missing value arrives as nil), `string` must
 * be a string.
 */
export type ParamType = 'value' | 'any' | 'string';

export type TemplateFunction = (...args: unknown[]) => unknown;

export interface FuncDef {
  readonly name: string;
  readonly builtin: boolean;
  readonly params: readonly ParamType[];
  /** Type of the variadic tail, or null for a fixed parameter list. */
  readonly variadic: ParamType | null;
  /** argIfaces[i] tells whether argument i has Go's static type interface{} (see exec.ts). */
  readonly call: (args: unknown[], argIfaces: readonly boolean[]) => unknown;
}

// Indexing and slicing.

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw new Error('cannot index slice/array with nil');
  if (k !== 'int') throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function byteAt(s: string, i: number): number {
  return isAscii(s) ? s.charCodeAt(i) : (utf8Bytes(s)[i] ?? 0);
}

function lengthOf(item: unknown): number {
  if (typeof item === 'string') return utf8Length(item);
  if (Array.isArray(item)) return item.length;
  return (item as Map<unknown, unknown>).size;
}

function mapIndex(m: Map<unknown, unknown>, key: unknown): unknown {
  if (key === NO_VALUE) throw new Error('value is nil; should be of type string');
  if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
  if (m.has(key)) return m.get(key);
  return m instanceof GoMap ? (m as GoMap).zeroValue : undefined;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let cur = unwrapNil(item);
  if (cur === NO_VALUE) throw new Error('index of untyped nil');
  for (const raw of indexes) {
    const idx = unwrapNil(raw);
    if (cur === null || cur === undefined) throw new Error('index of nil pointer');
    const k = kindOf(cur);
    if (k === 'slice' || k === 'string') {
      const len = lengthOf(cur);
      const x = indexArg(idx, len);
      // Go's bounds check lets the length itself through, and reflect then panics with this.
      if (x === len) throw new Error(`reflect: ${k === 'slice' ? 'slice' : 'string'} index out of range`);
      cur = k === 'slice' ? (cur as unknown[])[x] : byteAt(cur as string, x);
    } else if (k === 'map') {
      cur = mapIndex(cur as Map<unknown, unknown>, idx);
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

/**
 * Unlike index, Go's slice does not look inside an interface{} index, so an index read from a
 * struct field or an interface map is refused even when it holds an int.
 */
function sliceBuiltin(item: unknown, indexes: readonly unknown[], indexIfaces: readonly boolean[]): unknown {
  const cur = unwrapNil(item);
  if (cur === NO_VALUE) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(cur);
  if (k === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
  } else if (k !== 'slice') {
    throw new Error(`can't slice item of type ${goTypeName(cur)}`);
  }
  const len = lengthOf(cur);
  const idx = [0, len, len];
  indexes.forEach((raw, i) => {
    if (indexIfaces[i] === true && raw !== NO_VALUE)
      throw new Error('cannot index slice/array with type interface {}');
    idx[i] = indexArg(raw, len);
  });
  const [i, j, l] = idx as [number, number, number];
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > l) throw new Error(`invalid slice index: ${j} > ${l}`);
  if (k === 'slice') return (cur as unknown[]).slice(i, j);
  const s = cur as string;
  return isAscii(s) ? s.slice(i, j) : decodeUtf8(utf8Bytes(s).subarray(i, j));
}

function length(item: unknown): number {
  if (item === null || item === undefined) throw new Error('len of nil pointer');
  // Go's reflect panics here, and the panic becomes the error.
  if (item === NO_VALUE) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  const k = kindOf(item);
  if (k === 'string' || k === 'slice' || k === 'map') return lengthOf(item);
  throw new Error(`len of type ${goTypeName(item)}`);
}

// join: sprig's `join SEP LIST`, also accepting `join LIST SEP`.

function joinElement(v: unknown): string {
  return v instanceof Error ? v.message : formatGoValue(v);
}

function join(a: unknown, b: unknown): string {
  let sep: unknown = a;
  let list: unknown = b;
  if (Array.isArray(a) && typeof b === 'string') {
    sep = b;
    list = a;
  }
  if (typeof sep !== 'string') {
    throw new Error(`wrong type for separator; expected string; got ${sprintf('%T', [sep])}`);
  }
  if (list === null || list === undefined) return '';
  // sprig skips nil elements and treats a single value as a one-element list.
  if (!Array.isArray(list)) return joinElement(list);
  const parts: string[] = [];
  for (const item of list as unknown[]) {
    if (item !== null && item !== undefined) parts.push(joinElement(item));
  }
  return parts.join(sep);
}

function builtin(
  name: string,
  params: readonly ParamType[],
  variadic: ParamType | null,
  call: (args: unknown[], argIfaces: readonly boolean[]) => unknown,
): FuncDef {
  return { name, builtin: true, params, variadic, call };
}

/** What and/or compute; the executor evaluates them itself so that it can short-circuit. */
function andOr(isOr: boolean): (args: unknown[]) => unknown {
  return (args) => {
    let v: unknown = NO_VALUE;
    for (const a of args) {
      v = a;
      if (isTrue(v) === isOr) return v;
    }
    return v;
  };
}

const BUILTINS: readonly FuncDef[] = [
  builtin('and', ['value'], 'value', andOr(false)),
  builtin('or', ['value'], 'value', andOr(true)),
  builtin('not', ['value'], null, ([a]) => !isTrue(unwrapNil(a))),
  builtin('call', ['value'], 'value', () => {
    throw new Error('call is not supported');
  }),
  builtin('len', ['value'], null, ([a]) => length(a)),
  builtin('index', ['value'], 'value', ([item, ...rest]) => index(item, ...rest)),
  builtin('slice', ['value'], 'value', ([item, ...rest], ifaces) =>
    sliceBuiltin(item, rest, ifaces.slice(1)),
  ),
  builtin('print', [], 'any', (args) => sprint(args)),
  builtin('printf', ['string'], 'any', ([format, ...rest]) => sprintf(format as string, rest)),
  builtin('println', [], 'any', (args) => sprintln(args)),
  builtin('eq', ['value'], 'value', ([a, ...rest]) => eq(a, ...rest)),
  builtin('ne', ['value', 'value'], null, ([a, b]) => !eq(a, b)),
  builtin('lt', ['value', 'value'], null, ([a, b]) => lt(a, b)),
  builtin('le', ['value', 'value'], null, ([a, b]) => le(a, b)),
  builtin('gt', ['value', 'value'], null, ([a, b]) => !le(a, b)),
  builtin('ge', ['value', 'value'], null, ([a, b]) => !lt(a, b)),
  builtin('html', [], 'any', (args) => htmlEscapeString(escaperInput(args))),
  builtin('js', [], 'any', (args) => jsEscapeString(escaperInput(args))),
  builtin('urlquery', [], 'any', (args) => queryEscape(escaperInput(args))),
  builtin('join', ['any', 'any'], null, ([a, b]) => join(a, b)),
];

/** What a caller's function receives: plain numbers, and undefined for nothing. */
function toCallerValue(v: unknown): unknown {
  if (v instanceof GoFloat) return v.value;
  return v === NO_VALUE ? undefined : v;
}

export type FuncTable = ReadonlyMap<string, FuncDef>;

/** Builtins plus the caller's functions, which win on a name clash as Go's Funcs do. */
export function buildFuncTable(extra: Readonly<Record<string, TemplateFunction>> | undefined): FuncTable {
  const table = new Map<string, FuncDef>(BUILTINS.map((f) => [f.name, f]));
  if (extra !== undefined) {
    for (const [name, fn] of Object.entries(extra)) {
      if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name))
        throw new Error(`function name ${JSON.stringify(name)} is not a valid identifier`);
      table.set(name, {
        name,
        builtin: false,
        params: [],
        variadic: 'any',
        call: (args) => fn(...args.map(toCallerValue)),
      });
    }
  }
  return table;
}

let defaultTable: FuncTable | undefined;

/** The builtin table, shared by every template without extra functions. */
export function builtinFuncTable(): FuncTable {
  defaultTable ??= buildFuncTable(undefined);
  return defaultTable;
}

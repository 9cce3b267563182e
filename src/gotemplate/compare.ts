/**
 * Go's comparison builtins (eq, ne, lt, le, gt, ge): only values of the same basic kind compare,
 * except that anything may be compared with nil by eq; other mixes fail with Go's messages.
 * JS numbers carry no int/float distinction, so an integral number is an int and 1 vs 1.0 (a
 * float literal) is an incompatible comparison, as in Go.
 */
import { sprintf } from './printf.js';
import {
  NO_VALUE,
  compareGoStrings,
  goTypeName,
  kindOf,
  numberOf,
  reflectTypeString,
  structFields,
  type Kind,
} from './values.js';

/** Go's indirectInterface: a nil interface becomes the invalid value. */
export function unwrapNil(v: unknown): unknown {
  return v === null || v === undefined ? NO_VALUE : v;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k: Kind = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

const ERR_BAD_COMPARISON_TYPE = 'invalid type for comparison';
const ERR_BAD_COMPARISON = 'incompatible types for comparison';
const ERR_NO_COMPARISON = 'missing argument for comparison';

function uncomparable(v: unknown): boolean {
  const k = kindOf(v);
  return k === 'slice' || k === 'map' || k === 'func';
}

/** Compares two int-kind values exactly, bigints included. */
function compareInts(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = BigInt(a as number | bigint);
  const y = BigInt(b as number | bigint);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Go's == on two interface values; comparing uncomparable dynamic types panics, as in Go. */
function interfaceEqual(a: unknown, b: unknown, depth: number): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  const ta = reflectTypeString(a);
  if (ta !== reflectTypeString(b)) return false;
  if (uncomparable(a)) throw new Error(`runtime error: comparing uncomparable type ${ta}`);
  if (ka === 'struct') {
    if (depth > 100) throw new RangeError('value nested too deeply to compare');
    const sa = a as Record<string, unknown>;
    const sb = b as Record<string, unknown>;
    return structFields(sa).every((f) => interfaceEqual(sa[f], sb[f], depth + 1));
  }
  if (ka === 'int') return compareInts(a, b) === 0;
  if (ka === 'float') return numberOf(a) === numberOf(b);
  return a === b;
}

/** eq a b c...: whether a equals any of the others. */
export function eq(arg1: unknown, ...rest: unknown[]): boolean {
  const a = unwrapNil(arg1);
  if (rest.length === 0) throw new Error(ERR_NO_COMPARISON);
  const k1 = basicKind(a);
  for (const arg of rest) {
    const b = unwrapNil(arg);
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== NO_VALUE && b !== NO_VALUE) throw new Error(ERR_BAD_COMPARISON);
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          truth = a === b;
          break;
        case 'int':
          truth = compareInts(a, b) === 0;
          break;
        case 'float':
          truth = numberOf(a) === numberOf(b);
          break;
        case 'invalid':
          truth = compositeEqual(a, b);
      }
    }
    if (truth) return true;
  }
  return false;
}

/** eq on values that are not of a basic kind: nil, slices, maps, structs, funcs. */
function compositeEqual(a: unknown, b: unknown): boolean {
  if (kindOf(a) !== kindOf(b) && a !== NO_VALUE && b !== NO_VALUE) {
    throw new Error(
      `non-comparable types ${sprintf('%s', [a])}: ${goTypeName(a)}, ${goTypeName(b)}: ${sprintf('%v', [b])}`,
    );
  }
  if (a === NO_VALUE || b === NO_VALUE) return a === b;
  if (uncomparable(b)) throw new Error(`non-comparable type ${sprintf('%s', [b])}: ${goTypeName(b)}`);
  return interfaceEqual(a, b, 0);
}

export function lt(arg1: unknown, arg2: unknown): boolean {
  const a = unwrapNil(arg1);
  const k1 = basicKind(a);
  if (k1 === 'invalid') throw new Error(ERR_BAD_COMPARISON_TYPE);
  const b = unwrapNil(arg2);
  const k2 = basicKind(b);
  if (k2 === 'invalid') throw new Error(ERR_BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new Error(ERR_BAD_COMPARISON);
  switch (k1) {
    case 'bool':
      throw new Error(ERR_BAD_COMPARISON_TYPE);
    case 'string':
      return compareGoStrings(a as string, b as string) < 0;
    case 'int':
      return compareInts(a, b) < 0;
    default:
      return numberOf(a) < numberOf(b);
  }
}

export function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

/**
 * How JavaScript values stand in for Go values. Templates see plain objects as structs, arrays as
 * []interface{}, Maps as map[string]interface{} and GoMaps as maps with a typed element, so every
 * other file asks this one what kind a value is, what Go would call its type and whether it is true.
 */

/** A Go map with string keys whose element type has a known zero value (what `index` yields for a missing key). */
export class GoMap<V = unknown> extends Map<string, V> {
  constructor(
    entries: Iterable<readonly [string, V]> | undefined,
    readonly zeroValue: V,
  ) {
    super(entries);
  }
}

/**
 * A float64 whose value happens to be integral, such as the literal `2.0` or `1e6`. A bare JS number
 * that is a safe integer is taken for a Go int, so without this wrapper `{{1e6}}` would print
 * "1000000" where Go prints "1e+06".
 */
export class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * Go's zero reflect.Value: a missing map key, a field of nothing, or a nil interface once a pipeline
 * has unwrapped it; it prints as "<no value>". A nil (null/undefined) prints as "<nil>" inside
 * print, printf and composite values, but {{.NilField}} prints "<no value>": the action's pipeline
 * unwraps the nil interface first, as Go's does.
 */
export const NO_VALUE: unique symbol = Symbol('no value');

export type Kind =
  'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isSafeInteger(v) ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'undefined':
      return 'nil';
    case 'function':
      return 'func';
    case 'symbol':
      // Any other symbol is opaque to templates, as a func is.
      return v === NO_VALUE ? 'invalid' : 'func';
    case 'object':
      if (v === null) return 'nil';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof Map) return 'map';
      if (v instanceof GoFloat) return 'float';
      return 'struct';
  }
}

/** The number inside an int or float value. */
export function numberOf(v: unknown): number {
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return v as number;
}

/** What reflect's Type.String() would say for the value's dynamic type. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<nil>';
    case 'nil':
      return 'interface {}';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return `map[string]${mapElemTypeName(v as Map<unknown, unknown>)}`;
    case 'struct':
      return 'struct';
    case 'func':
      return 'func';
  }
}

/** A GoMap whose zero value is a string, number or boolean has that element type; anything else holds interface{}. */
function mapElemTypeName(m: Map<unknown, unknown>): string {
  if (!(m instanceof GoMap)) return 'interface {}';
  const zero: unknown = m.zeroValue;
  switch (typeof zero) {
    case 'string':
    case 'number':
    case 'boolean':
      return goTypeName(zero);
    default:
      return zero instanceof GoFloat ? 'float64' : 'interface {}';
  }
}

/** Whether the map's elements are typed, so a value read from it is concrete rather than an interface. */
export function mapHasTypedElems(m: Map<unknown, unknown>): boolean {
  return mapElemTypeName(m) !== 'interface {}';
}

/**
 * reflect's full name for the value's type (%T, and type identity in eq): like goTypeName, but a
 * struct spells out its fields, as an anonymous Go struct of interface{} fields would.
 */
export function reflectTypeString(v: unknown): string {
  if (kindOf(v) === 'struct') {
    const fields = structFields(v as object).map((name) => `${name} interface {}`);
    return fields.length === 0 ? 'struct {}' : `struct { ${fields.join('; ')} }`;
  }
  return goTypeName(v);
}

/** The struct's fields in property order. */
export function structFields(v: object): string[] {
  return Object.keys(v);
}

/** Go's template truth: false, 0, "", nil and empty slices and maps are false; structs are always true. */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'undefined':
      return false;
    case 'function':
      return true;
    case 'symbol':
      return v !== NO_VALUE;
    case 'object':
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Map) return v.size > 0;
      if (v instanceof GoFloat) return v.value !== 0;
      return true;
  }
}

/** Orders strings as Go does: by UTF-8 bytes, which is code point order, not UTF-16 unit order. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (supplementary planes) sort after U+E000..U+FFFF in code point order.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca < cb ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Map keys in the order Go's fmt and range use: sorted. */
export function sortedKeys(m: Map<unknown, unknown>): unknown[] {
  const keys = [...m.keys()];
  return keys.sort(compareMapKeys);
}

function compareMapKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareGoStrings(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Mixed key types cannot happen in a Go map; keep the order deterministic anyway.
  const ta = typeof a;
  const tb = typeof b;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Number of bytes in the UTF-8 encoding of s (Go's len of a string). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
        n += 2;
        i++;
        continue;
      }
      n += 2;
    } else {
      n += 2;
    }
  }
  return n;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return false;
  }
  return true;
}

export function utf8Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

export function decodeUtf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

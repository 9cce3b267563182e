/**
 * The character sets of Go's syntax (POSIX, Perl and Unicode classes) as members of a JavaScript
 * class. Go's definitions differ from JavaScript's escapes of the same name (\s, \p{C}), so each
 * is spelled out here rather than passed through.
 */

/** Inclusive code point range. */
export type Range = readonly [number, number];

export const MAX_CODE_POINT = 0x10ffff;

/** One member of an emitted JavaScript class: a code point range or a class escape. */
export type ClassItem = { kind: 'range'; range: Range } | { kind: 'escape'; text: string };

export function rangeItems(ranges: readonly Range[]): ClassItem[] {
  return ranges.map((range) => ({ kind: 'range', range }));
}

export function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const result: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) result.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) result.push([next, MAX_CODE_POINT]);
  return result;
}

const KELVIN_SIGN = 0x212a;
const LONG_S = 0x17f;

/**
 * `ranges` (ASCII only) closed under Go's simple case folding: the other case of each letter,
 * plus U+212A (Kelvin sign, folds to k) and U+017F (long s, folds to s). Needed to negate a
 * class under (?i) the way Go does (fold first, then negate).
 */
export function asciiFoldClosure(ranges: readonly Range[]): Range[] {
  const result: Range[] = [...ranges];
  const has = (codePoint: number): boolean => ranges.some(([lo, hi]) => lo <= codePoint && codePoint <= hi);
  for (let letter = 0x41; letter <= 0x5a; letter++) {
    const lower = letter + 0x20;
    if (has(letter) || has(lower)) result.push([letter, letter], [lower, lower]);
  }
  if (has(0x6b) || has(0x4b)) result.push([KELVIN_SIGN, KELVIN_SIGN]);
  if (has(0x73) || has(0x53)) result.push([LONG_S, LONG_S]);
  return result;
}

/** Ranges written like the inside of a class: "0-9A-Za-z_" (a "-" between two characters is a range). */
function parseRangeSpec(spec: string): Range[] {
  const chars = Array.from(spec, (char) => char.codePointAt(0) ?? 0);
  const ranges: Range[] = [];
  let i = 0;
  while (i < chars.length) {
    const lo = chars[i] ?? 0;
    const isRange = chars[i + 1] === 0x2d && i + 2 < chars.length;
    ranges.push([lo, isRange ? (chars[i + 2] ?? lo) : lo]);
    i += isRange ? 3 : 1;
  }
  return ranges;
}

/** Go's POSIX classes ([[:alpha:]]), all ASCII. */
export const POSIX_CLASSES: ReadonlyMap<string, readonly Range[]> = new Map(
  Object.entries({
    alnum: '0-9A-Za-z',
    alpha: 'A-Za-z',
    ascii: '\x00-\x7f',
    blank: '\t ',
    cntrl: '\x00-\x1f\x7f',
    digit: '0-9',
    graph: '!-~',
    lower: 'a-z',
    print: ' -~',
    punct: '!-/:-@[-`{-~',
    space: '\t-\r ',
    upper: 'A-Z',
    word: '0-9A-Za-z_',
    xdigit: '0-9A-Fa-f',
  }).map(([name, spec]) => [name, parseRangeSpec(spec)]),
);

/** Go's \s is [\t\n\f\r ]; JavaScript's \s is much wider, so it is never emitted. */
const GO_SPACE: readonly Range[] = parseRangeSpec('\t\n\f\r ');

/**
 * Go's Perl classes as JavaScript class items. \d, \D, \w, \W are emitted as JavaScript's own
 * escapes, which are ASCII in u-mode and, under `iu`, fold exactly like Go's folded \w (\W then
 * excludes U+017F and U+212A, as Go's does).
 */
export function perlClassItems(letter: string): ClassItem[] | undefined {
  switch (letter) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return [{ kind: 'escape', text: `\\${letter}` }];
    case 's':
      return rangeItems(GO_SPACE);
    case 'S':
      return rangeItems(complement(GO_SPACE));
    default:
      return undefined;
  }
}

/** Go's unicode.Categories names (RE2 \pX / \p{X}); "C" needs care, see unicodeClassItems. */
// prettier-ignore
const UNICODE_CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs',
  'L', 'LC', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu',
  'M', 'Mc', 'Me', 'Mn',
  'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps',
  'S', 'Sc', 'Sk', 'Sm', 'So',
  'Z', 'Zl', 'Zp', 'Zs',
]);

function isKnownScript(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z_]*$/.test(name)) return false;
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * JavaScript class items for Go's \p{name} (negated: \P{name}), or undefined for an unknown
 * name. Go's "C" is Cc|Cf|Co|Cs, while JavaScript's \p{C} also contains unassigned code points.
 */
export function unicodeClassItems(name: string, negated: boolean): ClassItem[] | undefined {
  if (name === 'Any') return negated ? [] : rangeItems([[0, MAX_CODE_POINT]]);
  if (name === 'C') {
    const texts = negated ? ['\\P{C}', '\\p{Cn}'] : ['\\p{Cc}', '\\p{Cf}', '\\p{Co}', '\\p{Cs}'];
    return texts.map((text) => ({ kind: 'escape', text }));
  }
  const property = UNICODE_CATEGORIES.has(name) ? name : isKnownScript(name) ? `Script=${name}` : undefined;
  if (property === undefined) return undefined;
  return [{ kind: 'escape', text: `${negated ? '\\P' : '\\p'}{${property}}` }];
}

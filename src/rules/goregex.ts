/**
 * Go regular expressions (RE2 syntax, as Go's regexp.Compile reads them) run on JavaScript's
 * RegExp engine. prometheus-adapter rules carry Go regexps (`name.matches`, `seriesFilters`);
 * this module parses the Go syntax itself, rejects what Go rejects, and emits an equivalent
 * JavaScript pattern. What Go accepts but cannot be expressed faithfully in Node 20 is
 * rejected with a GoRegexError that says so, rather than translated approximately.
 *
 * Translation choices:
 * - The `u` flag is always set. Go matches code points (runes), not UTF-16 units; with `u`, `.`
 *   and negated classes consume a whole astral character, `\p{…}` is available, case folding
 *   uses Unicode simple case folding like Go, and the strict u-mode syntax makes any mistake in
 *   the emitted pattern a compile error instead of a silent change of meaning.
 * - JavaScript's `m` and `s` flags are never used: they treat \r, U+2028 and U+2029 as line
 *   ends, Go only \n. `.`, `^` and `$` are emitted explicitly for the Go flags in force, which
 *   is also why (?s), (?m) and (?U) work anywhere, including scoped groups like (?s:…).
 * - (?i) maps to JavaScript's `i` flag, which is whole-pattern in Node 20 (no inline modifiers),
 *   so case-insensitivity may only be switched at the very start of the pattern.
 * - Every Go capture group becomes a plain numbered JavaScript group (names are kept on the
 *   side), because Go allows names JavaScript does not (`(?P<1x>…)`, duplicates).
 *
 * - Repetitions on which the two engines disagree are refused: a repeated expression holding a
 *   capture group that some iterations skip (`(?:(a)|b)+`: JavaScript clears the group at each
 *   iteration, Go keeps its last value), and an optional repetition of an expression that
 *   prefers the empty match (`(|a)+`, `(a*?)?`: JavaScript rejects the empty iteration and
 *   backtracks into a longer one, Go stops).
 *
 * Differences that remain, documented rather than refused because nothing observable through
 * expand() changes or no adapter rule needs them: a group that matched "" in an optional
 * repetition (`(a*)*` on "b") is undefined in exec() where Go reports "" (both expand to "");
 * under (?i), `\b` treats U+017F and U+212A as word characters; Unicode classes follow Node's
 * Unicode version, and JavaScript also accepts script aliases such as \p{Grek}; Go's limits on
 * compiled program size are not enforced; and matching backtracks, so unlike Go it is not
 * linear-time (patterns come from operator configuration, inputs are metric names).
 *
 * The translation was checked against Go 1.19's regexp package on 60,000 generated patterns:
 * the same patterns are rejected with the same messages, and matches and expansions agree.
 */

/** Why a pattern was refused: invalid in Go, or valid Go we cannot translate faithfully. */
export type GoRegexErrorReason = 'invalid' | 'untranslatable';

export class GoRegexError extends Error {
  constructor(
    message: string,
    readonly reason: GoRegexErrorReason,
    /** UTF-16 offset in the pattern where the problem starts, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'GoRegexError';
  }
}

/** A successful match, like Go's FindStringSubmatch plus the start index. */
export interface GoRegexMatch {
  /** UTF-16 index in the input where the match starts. */
  index: number;
  /** groups[0] is the whole match, groups[i] subexpression i; undefined if it did not participate. */
  groups: readonly (string | undefined)[];
}

export interface GoRegex {
  /** The Go pattern. */
  readonly source: string;
  /** The emitted JavaScript pattern and flags (for diagnostics and tests). */
  readonly jsSource: string;
  readonly jsFlags: string;
  /** Number of capture groups (Go's NumSubexp). */
  readonly numSubexp: number;
  /** Go's SubexpNames: index 0 is "", unnamed groups are "". */
  readonly subexpNames: readonly string[];
  /** Unanchored search, like Go's MatchString. */
  test(input: string): boolean;
  /** The leftmost match, like Go's FindStringSubmatch; null if none. */
  exec(input: string): GoRegexMatch | null;
  /** Go's Regexp.ExpandString of `template` for `match`. */
  expand(template: string, match: GoRegexMatch): string;
}

// ---------------------------------------------------------------------------------------------
// Character sets

/** Inclusive code point range. */
type Range = readonly [number, number];

const MAX_CODE_POINT = 0x10ffff;

/** One member of an emitted JavaScript class: a code point range or a class escape. */
type ClassItem = { kind: 'range'; range: Range } | { kind: 'escape'; text: string };

function rangeItems(ranges: readonly Range[]): ClassItem[] {
  return ranges.map((range) => ({ kind: 'range', range }));
}

function complement(ranges: readonly Range[]): Range[] {
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
function asciiFoldClosure(ranges: readonly Range[]): Range[] {
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
const POSIX_CLASSES: ReadonlyMap<string, readonly Range[]> = new Map(
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
function perlClassItems(letter: string): ClassItem[] | undefined {
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
function unicodeClassItems(name: string, negated: boolean): ClassItem[] | undefined {
  if (name === 'Any') return negated ? [] : rangeItems([[0, MAX_CODE_POINT]]);
  if (name === 'C') {
    const texts = negated ? ['\\P{C}', '\\p{Cn}'] : ['\\p{Cc}', '\\p{Cf}', '\\p{Co}', '\\p{Cs}'];
    return texts.map((text) => ({ kind: 'escape', text }));
  }
  const property = UNICODE_CATEGORIES.has(name) ? name : isKnownScript(name) ? `Script=${name}` : undefined;
  if (property === undefined) return undefined;
  return [{ kind: 'escape', text: `${negated ? '\\P' : '\\p'}{${property}}` }];
}

// ---------------------------------------------------------------------------------------------
// Emitting JavaScript source

const JS_SYNTAX_CHARACTERS = new Set('^$\\.*+?()[]{}|/');

function isAsciiAlphanumeric(codePoint: number): boolean {
  return (
    (codePoint >= 0x30 && codePoint <= 0x39) ||
    (codePoint >= 0x41 && codePoint <= 0x5a) ||
    (codePoint >= 0x61 && codePoint <= 0x7a)
  );
}

function unicodeEscape(codePoint: number): string {
  return `\\u{${codePoint.toString(16)}}`;
}

/** A literal character outside a class. */
function emitLiteral(codePoint: number): string {
  const char = String.fromCodePoint(codePoint);
  if (JS_SYNTAX_CHARACTERS.has(char)) return `\\${char}`;
  if (codePoint >= 0x20 && codePoint < 0x7f) return char;
  return unicodeEscape(codePoint);
}

/** A character inside a class: only ASCII letters and digits are written raw. */
function emitClassChar(codePoint: number): string {
  return isAsciiAlphanumeric(codePoint) || codePoint === 0x5f
    ? String.fromCodePoint(codePoint)
    : unicodeEscape(codePoint);
}

function emitClass(items: readonly ClassItem[], negated: boolean): string {
  const body = items
    .map((item) => {
      if (item.kind === 'escape') return item.text;
      const [lo, hi] = item.range;
      return lo === hi ? emitClassChar(lo) : `${emitClassChar(lo)}-${emitClassChar(hi)}`;
    })
    .join('');
  return `[${negated ? '^' : ''}${body}]`;
}

// ---------------------------------------------------------------------------------------------
// Parsing Go syntax

/** Go's per-scope parse flags (regexp/syntax Flags, Perl mode). */
interface ScopeFlags {
  foldCase: boolean;
  dotNL: boolean;
  /** ^ and $ match only at the text's ends (true unless (?m)). */
  oneLine: boolean;
  nonGreedy: boolean;
}

/**
 * What the translator knows about a translated piece, to enforce Go's limits and to find the
 * loops where JavaScript's backtracking and Go's semantics give different results.
 */
interface Traits {
  /** Largest product of nested counted repetitions inside, for Go's limit of 1000 copies. */
  repeatProduct: number;
  /** Can match the empty string. */
  nullable: boolean;
  /** A way of matching "" is tried before a way of matching text (`(|a)`, `a*?`). */
  prefersEmpty: boolean;
  hasCapture: boolean;
  /** Contains a capture group that some matches of this piece skip (`(a)?`, `(a)|b`). */
  hasSkippableCapture: boolean;
}

/** One element of a concatenation, already translated. */
interface Term extends Traits {
  source: string;
  /** Whether a JavaScript quantifier may follow `source` directly (else it is wrapped in (?:)). */
  atomic: boolean;
}

interface Alternation extends Traits {
  source: string;
}

/** A single character or class. */
function charTerm(source: string): Term {
  return {
    source,
    atomic: true,
    repeatProduct: 1,
    nullable: false,
    prefersEmpty: false,
    hasCapture: false,
    hasSkippableCapture: false,
  };
}

/** A zero-width assertion (^, $, \b…); JavaScript's u-mode cannot quantify one directly. */
function assertionTerm(source: string): Term {
  return { ...charTerm(source), atomic: false, nullable: true };
}

function largestRepeatProduct(pieces: readonly Traits[]): number {
  return pieces.reduce((largest, piece) => Math.max(largest, piece.repeatProduct), 1);
}

/** The traits of terms matched one after the other. */
function concatenationTraits(terms: readonly Traits[]): Traits {
  return {
    repeatProduct: largestRepeatProduct(terms),
    nullable: terms.every((term) => term.nullable),
    prefersEmpty: terms.some((term) => term.prefersEmpty),
    hasCapture: terms.some((term) => term.hasCapture),
    hasSkippableCapture: terms.some((term) => term.hasSkippableCapture),
  };
}

/** The traits of alternatives tried in order. */
function alternationTraits(alternatives: readonly Traits[]): Traits {
  const hasCapture = alternatives.some((alternative) => alternative.hasCapture);
  return {
    repeatProduct: largestRepeatProduct(alternatives),
    nullable: alternatives.some((alternative) => alternative.nullable),
    // An alternative that can match "" tried before another one: "" may win over text.
    prefersEmpty:
      alternatives.some((alternative) => alternative.prefersEmpty) ||
      alternatives.slice(0, -1).some((alternative) => alternative.nullable),
    hasCapture,
    hasSkippableCapture:
      alternatives.some((alternative) => alternative.hasSkippableCapture) ||
      (alternatives.length > 1 && hasCapture),
  };
}

const MAX_REPEAT = 1000;
const SIMPLE_REPEAT_BOUNDS = {
  '*': { min: 0, max: -1 },
  '+': { min: 1, max: -1 },
  '?': { min: 0, max: 1 },
} as const;
/** "(?i)", "(?-s)"…: groups that only change flags (sticky: tested at a given index). */
const FLAG_ONLY_GROUP = /\(\?[imsU-]*\)/y;
/** Go refuses parse trees higher than 1000; nesting groups deeper than that is refused here. */
const MAX_NESTING = 1000;

function isOctalDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '7';
}

function hexValue(char: string | undefined): number {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char) ? parseInt(char, 16) : -1;
}

const SIMPLE_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['a', 0x07],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
]);

class GoRegexTranslator {
  private pos = 0;
  /** Set once anything other than a leading flag group has been read. */
  private sawContent = false;
  private refusal: GoRegexError | undefined;
  readonly groupNames: string[] = [''];
  caseInsensitive = false;

  constructor(private readonly pattern: string) {}

  translate(): string {
    const flags: ScopeFlags = { foldCase: false, dotNL: false, oneLine: true, nonGreedy: false };
    const result = this.parseAlternation(flags, 0);
    if (this.pos < this.pattern.length) {
      // parseAlternation stops only at the end or at a ")" without a matching "(".
      throw this.invalid('unexpected )', this.pattern, this.pos);
    }
    if (this.refusal !== undefined) throw this.refusal;
    return result.source;
  }

  // --- errors ---

  private invalid(code: string, expr: string, offset: number, hint?: string): GoRegexError {
    const suffix = hint === undefined ? '' : ` (${hint})`;
    return new GoRegexError(`error parsing regexp: ${code}: \`${expr}\`${suffix}`, 'invalid', offset);
  }

  /**
   * Records valid Go that cannot be translated faithfully. Parsing goes on, so that a pattern
   * that is also invalid in Go gets Go's error, which is the one to fix first.
   */
  private refuse(expr: string, offset: number, why: string): void {
    this.refusal ??= new GoRegexError(
      `cannot use Go regexp construct \`${expr}\` at offset ${offset}: ${why}`,
      'untranslatable',
      offset,
    );
  }

  // --- reading ---

  private peekChar(offset = 0): string | undefined {
    return this.pattern[this.pos + offset];
  }

  /** The code point at `at` (a lone surrogate is invalid UTF-8 to Go). */
  private codePointAt(at: number): { codePoint: number; size: number } {
    const codePoint = this.pattern.codePointAt(at) ?? 0;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      throw this.invalid('invalid UTF-8', this.pattern.slice(at), at);
    }
    return { codePoint, size: codePoint > 0xffff ? 2 : 1 };
  }

  private readCodePoint(): number {
    const { codePoint, size } = this.codePointAt(this.pos);
    this.pos += size;
    return codePoint;
  }

  // --- structure ---

  /** Alternatives up to the end or an unmatched ")", which is left unread. */
  private parseAlternation(inheritedFlags: ScopeFlags, depth: number): Alternation {
    const flags: ScopeFlags = { ...inheritedFlags };
    const alternatives: { source: string; traits: Traits }[] = [];
    let terms: Term[] = [];
    // Start of the previous token when it was a repetition operator (Go forbids stacking them).
    let lastRepeatStart: number | undefined;
    const finishAlternative = (): void => {
      alternatives.push({
        source: terms.map((term) => term.source).join(''),
        traits: concatenationTraits(terms),
      });
      terms = [];
    };

    while (this.pos < this.pattern.length) {
      const start = this.pos;
      const char = this.pattern.charAt(this.pos);
      if (char === ')') break;
      let repeatStart: number | undefined;
      if (!(char === '(' && this.peekChar(1) === '?' && this.isFlagOnlyGroup())) this.sawContent = true;
      switch (char) {
        case '|':
          this.pos++;
          finishAlternative();
          break;
        case '(': {
          const term = this.parseGroup(flags, depth);
          if (term !== undefined) terms.push(term);
          break;
        }
        case '^':
          this.pos++;
          terms.push(assertionTerm(flags.oneLine ? '^' : '(?<![^\\n])'));
          break;
        case '$':
          this.pos++;
          terms.push(assertionTerm(flags.oneLine ? '$' : '(?![^\\n])'));
          break;
        case '.':
          this.pos++;
          terms.push(charTerm(flags.dotNL ? '[^]' : '[^\\n]'));
          break;
        case '[':
          terms.push(this.parseClass(flags));
          break;
        case '*':
        case '+':
        case '?':
          this.pos++;
          this.applyRepeat(
            terms,
            { operator: char, ...SIMPLE_REPEAT_BOUNDS[char], counted: false },
            flags,
            start,
            lastRepeatStart,
          );
          repeatStart = start;
          break;
        case '{':
          if (this.parseCountedRepeat(terms, flags, lastRepeatStart)) {
            repeatStart = start;
          } else {
            this.pos++; // not {n}, {n,} or {n,m}: Go reads a literal "{"
            terms.push(charTerm('\\{'));
          }
          break;
        case '\\':
          for (const term of this.parseEscapeTerms(flags)) terms.push(term);
          break;
        default:
          terms.push(charTerm(emitLiteral(this.readCodePoint())));
      }
      lastRepeatStart = repeatStart;
    }
    finishAlternative();
    return {
      source: alternatives.map((alternative) => alternative.source).join('|'),
      ...alternationTraits(alternatives.map((alternative) => alternative.traits)),
    };
  }

  /** True when the "(?" at the cursor only sets flags, e.g. "(?i)" (it adds nothing to match). */
  private isFlagOnlyGroup(): boolean {
    FLAG_ONLY_GROUP.lastIndex = this.pos;
    return FLAG_ONLY_GROUP.test(this.pattern);
  }

  /**
   * Applies a repetition to the last term: `operator` is its JavaScript text ("*", "{2,5}"),
   * `min`/`max` its bounds (max -1: unbounded), `counted` true for the {…} forms.
   */
  private applyRepeat(
    terms: Term[],
    repeat: { operator: string; min: number; max: number; counted: boolean },
    flags: ScopeFlags,
    start: number,
    lastRepeatStart: number | undefined,
  ): void {
    let nonGreedy = flags.nonGreedy;
    if (this.peekChar() === '?') {
      this.pos++;
      nonGreedy = !nonGreedy;
    }
    const text = this.pattern.slice(start, this.pos);
    if (lastRepeatStart !== undefined) {
      const nested = this.pattern.slice(lastRepeatStart, this.pos);
      throw this.invalid('invalid nested repetition operator', nested, lastRepeatStart);
    }
    const sub = terms.pop();
    if (sub === undefined) throw this.invalid('missing argument to repetition operator', text, start);
    const { min, max } = repeat;
    let repeatProduct = sub.repeatProduct;
    if (repeat.counted) {
      const copies = max < 0 ? min : max;
      // Go: the product of nested counted repetitions may not exceed 1000 (x{0} checks nothing).
      if ((min >= 2 || max >= 2) && copies !== 0 && copies * sub.repeatProduct > MAX_REPEAT) {
        throw this.invalid('invalid repeat count', text, start);
      }
      repeatProduct = copies === 0 ? 1 : copies * sub.repeatProduct;
    }
    this.checkLoopBody(sub, { min, max }, text, start);
    const base = sub.atomic ? sub.source : `(?:${sub.source})`;
    terms.push({
      source: `${base}${repeat.operator}${nonGreedy ? '?' : ''}`,
      atomic: false,
      repeatProduct,
      nullable: min === 0 || sub.nullable,
      // A lazy repetition tries fewer copies first, so it may prefer "" to text.
      prefersEmpty: sub.prefersEmpty || (nonGreedy && min === 0),
      hasCapture: sub.hasCapture,
      hasSkippableCapture: sub.hasSkippableCapture || (min === 0 && sub.hasCapture),
    });
  }

  /**
   * Refuses loop bodies on which JavaScript and Go disagree. JavaScript clears a body's captures
   * at each iteration (Go keeps the last value a group had), and it rejects an iteration that
   * matches "" and backtracks for a longer one, where Go ends the loop there.
   */
  private checkLoopBody(
    body: Term,
    { min, max }: { min: number; max: number },
    text: string,
    start: number,
  ): void {
    if ((max < 0 || max > 1) && body.hasSkippableCapture) {
      this.refuse(
        text,
        start,
        'a repeated expression contains a capture group that some iterations skip; JavaScript forgets ' +
          "the group's value at each iteration while Go keeps the last one (use a group around the whole loop)",
      );
    }
    // JavaScript's rule applies to the optional iterations, those beyond `min`.
    if ((max < 0 || max > min) && body.nullable && body.prefersEmpty) {
      this.refuse(
        text,
        start,
        'a repeated expression that prefers matching the empty string repeats differently in JavaScript',
      );
    }
  }

  /** "{n}", "{n,}" or "{n,m}" at the cursor, applied to the last term; false if the text is not one. */
  private parseCountedRepeat(terms: Term[], flags: ScopeFlags, lastRepeatStart: number | undefined): boolean {
    const start = this.pos;
    const repeat = this.parseRepeatBraces();
    if (repeat === undefined) return false;
    const { min, max, end } = repeat;
    if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      throw this.invalid('invalid repeat count', this.pattern.slice(start, end), start);
    }
    this.pos = end;
    const operator = max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
    this.applyRepeat(terms, { operator, min, max, counted: true }, flags, start, lastRepeatStart);
    return true;
  }

  /** Go's parseRepeat: {n}, {n,} or {n,m}; undefined when the text is not one (then { is literal). */
  private parseRepeatBraces(): { min: number; max: number; end: number } | undefined {
    let at = this.pos + 1;
    const readInt = (): number | undefined => {
      const digits = /^[0-9]+/.exec(this.pattern.slice(at))?.[0];
      // Go refuses leading zeros, which makes "{01}" a literal.
      if (digits === undefined || (digits.length > 1 && digits.startsWith('0'))) return undefined;
      at += digits.length;
      return digits.length > 8 ? -1 : Number(digits); // Go gives up at 1e8: "too big"
    };
    let min = readInt();
    if (min === undefined || at >= this.pattern.length) return undefined;
    let max: number;
    if (this.pattern[at] !== ',') {
      max = min;
    } else {
      at++;
      if (at >= this.pattern.length) return undefined;
      if (this.pattern[at] === '}') {
        max = -1;
      } else {
        const parsedMax = readInt();
        if (parsedMax === undefined) return undefined;
        max = parsedMax;
        if (max < 0) min = -1;
      }
    }
    if (this.pattern[at] !== '}') return undefined;
    return { min, max, end: at + 1 };
  }

  /** "(" at the cursor: a capture, a named capture, a non-capturing group or a flag change. */
  private parseGroup(flags: ScopeFlags, depth: number): Term | undefined {
    const start = this.pos;
    if (depth + 1 > MAX_NESTING) throw this.invalid('expression nests too deeply', this.pattern, start);
    if (this.peekChar(1) !== '?') {
      this.pos++;
      this.groupNames.push('');
      return this.finishGroup(flags, depth, start, true);
    }
    const rest = this.pattern.slice(start);
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      // Go (1.22+) reads "(?<" as a named group and fails on the name; say what was meant.
      const end = rest.indexOf('>');
      const expr = end < 0 ? rest : rest.slice(0, end + 1);
      const hint = 'lookbehind is not supported: Go regexp (RE2) has no lookaround';
      throw this.invalid('invalid named capture', expr, start, hint);
    }
    const namedPrefix =
      rest.length > 4 && rest.startsWith('(?P<') ? 4 : rest.length > 3 && rest.startsWith('(?<') ? 3 : 0;
    if (namedPrefix > 0) {
      const end = rest.indexOf('>');
      if (end < 0) throw this.invalid('invalid named capture', rest, start);
      const name = rest.slice(namedPrefix, end);
      if (!/^[A-Za-z0-9_]+$/.test(name))
        throw this.invalid('invalid named capture', rest.slice(0, end + 1), start);
      this.pos = start + end + 1;
      this.groupNames.push(name);
      return this.finishGroup(flags, depth, start, true);
    }
    const change = this.parseFlagGroup(flags, start);
    if (change.flags.foldCase !== flags.foldCase) {
      // JavaScript's `i` applies to the whole pattern: only a leading (?i) can be expressed.
      if (this.sawContent || depth > 0 || change.opensGroup) {
        this.refuse(
          this.pattern.slice(start, this.pos),
          start,
          'changing case-insensitivity inside a pattern needs regexp modifiers, which Node 20 lacks; ' +
            'put (?i) at the very start of the pattern to make all of it case-insensitive',
        );
      } else {
        this.caseInsensitive = change.flags.foldCase;
      }
    }
    if (change.opensGroup) return this.finishGroup(change.flags, depth, start, false);
    Object.assign(flags, change.flags); // (?flags) applies to the rest of the enclosing group
    return undefined;
  }

  /** Go's parsePerlFlags after "(?": flags [imsU], optional "-" and negated flags, then ":" or ")". */
  private parseFlagGroup(flags: ScopeFlags, start: number): { flags: ScopeFlags; opensGroup: boolean } {
    const result: ScopeFlags = { ...flags };
    this.pos = start + 2;
    let negate = false;
    let sawFlag = false;
    while (this.pos < this.pattern.length) {
      const char = String.fromCodePoint(this.readCodePoint());
      switch (char) {
        case 'i':
          result.foldCase = !negate;
          sawFlag = true;
          continue;
        case 'm':
          result.oneLine = negate;
          sawFlag = true;
          continue;
        case 's':
          result.dotNL = !negate;
          sawFlag = true;
          continue;
        case 'U':
          result.nonGreedy = !negate;
          sawFlag = true;
          continue;
        case '-':
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case ':':
        case ')':
          if (negate && !sawFlag) break;
          return { flags: result, opensGroup: char === ':' };
        default:
          break;
      }
      break;
    }
    const expr = this.pattern.slice(start, this.pos);
    throw this.invalid(
      'invalid or unsupported Perl syntax',
      expr,
      start,
      perlSyntaxHint(this.pattern.slice(start)),
    );
  }

  private finishGroup(flags: ScopeFlags, depth: number, start: number, capturing: boolean): Term {
    const inner = this.parseAlternation(flags, depth + 1);
    if (this.peekChar() !== ')') throw this.invalid('missing closing )', this.pattern, start);
    this.pos++;
    return {
      ...inner,
      source: `(${capturing ? '' : '?:'}${inner.source})`,
      atomic: true,
      hasCapture: capturing || inner.hasCapture,
    };
  }

  // --- escapes ---

  /** "\" at the cursor outside a class: assertions, \Q…\E, classes or one literal. */
  private parseEscapeTerms(flags: ScopeFlags): Term[] {
    const start = this.pos;
    const next = this.peekChar(1);
    const assertion = (source: string): Term[] => {
      this.pos += 2;
      return [assertionTerm(source)];
    };
    switch (next) {
      case 'A':
        return assertion('^'); // JavaScript's ^ without the m flag: start of text only
      case 'z':
        return assertion('$'); // JavaScript's $ without the m flag: end of text only
      case 'b':
        return assertion('\\b');
      case 'B':
        return assertion('\\B');
      case 'C':
        throw this.invalid('invalid escape sequence', '\\C', start, 'Go does not support \\C (any byte)');
      case 'Q': {
        // \Q…\E: everything up to \E (or the end) is literal, one term per character.
        const end = this.pattern.indexOf('\\E', start + 2);
        const literal = this.pattern.slice(start + 2, end < 0 ? this.pattern.length : end);
        const terms: Term[] = [];
        this.pos = start + 2;
        const stop = start + 2 + literal.length;
        while (this.pos < stop) terms.push(charTerm(emitLiteral(this.readCodePoint())));
        this.pos = end < 0 ? this.pattern.length : end + 2;
        return terms;
      }
      default:
        break;
    }
    const classItems = this.parseClassEscape(flags);
    if (classItems !== undefined) return [charTerm(emitClass(classItems, false))];
    return [charTerm(emitLiteral(this.parseSingleCharEscape()))];
  }

  /** \pX, \p{Name}, \P…, \d \s \w and their negations at the cursor; undefined if none. */
  private parseClassEscape(flags: ScopeFlags): ClassItem[] | undefined {
    const letter = this.peekChar(1);
    if (letter === 'p' || letter === 'P') return this.parseUnicodeClass(flags);
    const items = letter === undefined ? undefined : perlClassItems(letter);
    if (items !== undefined) this.pos += 2;
    return items;
  }

  private parseUnicodeClass(flags: ScopeFlags): ClassItem[] {
    const start = this.pos;
    let negated = this.peekChar(1) === 'P';
    let name: string;
    let end: number;
    if (this.peekChar(2) === '{') {
      const close = this.pattern.indexOf('}', start);
      if (close < 0) throw this.invalid('invalid character class range', this.pattern.slice(start), start);
      name = this.pattern.slice(start + 3, close);
      end = close + 1;
    } else if (start + 2 < this.pattern.length) {
      const { size } = this.codePointAt(start + 2);
      name = this.pattern.slice(start + 2, start + 2 + size);
      end = start + 2 + size;
    } else {
      name = '';
      end = this.pattern.length;
    }
    const text = this.pattern.slice(start, end);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const items = unicodeClassItems(name, negated);
    if (items === undefined) throw this.invalid('invalid character class range', text, start);
    if (negated && flags.foldCase) {
      this.refuse(
        text,
        start,
        'a negated Unicode class under (?i) matches differently in JavaScript (it negates before case folding, Go after)',
      );
    }
    this.pos = end;
    return items;
  }

  /** Go's parseEscape: one escaped character (octal, hex, C escapes, escaped punctuation). */
  private parseSingleCharEscape(): number {
    const start = this.pos;
    if (start + 1 >= this.pattern.length)
      throw this.invalid('trailing backslash at end of expression', '', start);
    this.pos++;
    const { codePoint, size } = this.codePointAt(this.pos);
    const char = String.fromCodePoint(codePoint);
    this.pos += size;
    const fail = (hint?: string): GoRegexError =>
      this.invalid('invalid escape sequence', this.pattern.slice(start, this.pos), start, hint);

    if (codePoint < 0x80 && !isAsciiAlphanumeric(codePoint)) return codePoint; // \. \- \_ …
    if (char >= '1' && char <= '7' && !isOctalDigit(this.peekChar())) {
      throw fail('backreferences are not supported by Go regexp (RE2)');
    }
    if (char >= '0' && char <= '7') {
      // Up to three octal digits in total.
      let value = codePoint - 0x30;
      for (let i = 1; i < 3 && isOctalDigit(this.peekChar()); i++)
        value = value * 8 + (this.readCodePoint() - 0x30);
      return value;
    }
    if (char === '8' || char === '9') throw fail('backreferences are not supported by Go regexp (RE2)');
    if (char === 'x') return this.parseHexEscape(fail);
    const simple = SIMPLE_ESCAPES.get(char);
    if (simple !== undefined) return simple;
    throw fail(char === 'Z' ? 'Go has no \\Z; use \\z or $ for the end of the text' : undefined);
  }

  /** After "\x": two hex digits, or any number of them in braces (at most U+10FFFF). */
  private parseHexEscape(fail: () => GoRegexError): number {
    if (this.pos >= this.pattern.length) throw fail();
    if (this.peekChar() === '{') {
      this.pos++;
      let value = 0;
      let digits = 0;
      for (;;) {
        if (this.pos >= this.pattern.length) throw fail();
        const char = String.fromCodePoint(this.readCodePoint());
        if (char === '}') break;
        const digit = hexValue(char);
        if (digit < 0) throw fail();
        value = value * 16 + digit;
        if (value > MAX_CODE_POINT) throw fail();
        digits++;
      }
      if (digits === 0) throw fail();
      return value;
    }
    const high = hexValue(String.fromCodePoint(this.readCodePoint()));
    if (this.pos >= this.pattern.length) throw fail();
    const low = hexValue(String.fromCodePoint(this.readCodePoint()));
    if (high < 0 || low < 0) throw fail();
    return high * 16 + low;
  }

  // --- classes ---

  /** Go's parseClass: "[" … "]" with ranges, escapes, POSIX [:name:], \p and Perl classes. */
  private parseClass(flags: ScopeFlags): Term {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peekChar() === '^') {
      negated = true;
      this.pos++;
    }
    const items: ClassItem[] = [];
    let first = true; // a "]" right after "[" or "[^" is a literal
    while (this.pos >= this.pattern.length || this.peekChar() !== ']' || first) {
      first = false;
      if (this.pattern.startsWith('[:', this.pos) && this.pos + 2 < this.pattern.length) {
        const posixItems = this.parsePosixClass(flags);
        if (posixItems !== undefined) {
          items.push(...posixItems);
          continue;
        }
      }
      if (this.peekChar() === '\\') {
        const escapeItems = this.parseClassEscape(flags);
        if (escapeItems !== undefined) {
          items.push(...escapeItems);
          continue;
        }
      }
      const rangeStart = this.pos;
      const lo = this.parseClassChar(start);
      let hi = lo;
      // "[a-]" is a and "-": a "-" followed by "]" is not a range.
      if (this.peekChar() === '-' && this.peekChar(1) !== undefined && this.peekChar(1) !== ']') {
        this.pos++;
        hi = this.parseClassChar(start);
        if (hi < lo)
          throw this.invalid(
            'invalid character class range',
            this.pattern.slice(rangeStart, this.pos),
            rangeStart,
          );
      }
      items.push({ kind: 'range', range: [lo, hi] });
    }
    this.pos++; // "]"
    return charTerm(emitClass(items, negated));
  }

  private parseClassChar(classStart: number): number {
    if (this.pos >= this.pattern.length) {
      throw this.invalid('missing closing ]', this.pattern.slice(classStart), classStart);
    }
    return this.peekChar() === '\\' ? this.parseSingleCharEscape() : this.readCodePoint();
  }

  /** "[:alpha:]" and "[:^alpha:]" inside a class; undefined when there is no ":]" after it. */
  private parsePosixClass(flags: ScopeFlags): ClassItem[] | undefined {
    const start = this.pos;
    const close = this.pattern.indexOf(':]', start + 2);
    if (close < 0) return undefined;
    const text = this.pattern.slice(start, close + 2);
    const negated = text.startsWith('[:^');
    const ranges = POSIX_CLASSES.get(text.slice(negated ? 3 : 2, -2));
    if (ranges === undefined) throw this.invalid('invalid character class range', text, start);
    this.pos = close + 2;
    if (!negated) return rangeItems(ranges);
    // Go folds before negating under (?i); JavaScript would fold the complement instead.
    return rangeItems(complement(flags.foldCase ? asciiFoldClosure(ranges) : ranges));
  }
}

/** Explains the common Perl/PCRE constructs Go rejects; `text` starts at the "(?". */
function perlSyntaxHint(text: string): string | undefined {
  if (text.startsWith('(?=') || text.startsWith('(?!')) {
    return 'lookahead is not supported: Go regexp (RE2) has no lookaround';
  }
  if (text.startsWith('(?P=') || text.startsWith('(?P>'))
    return 'backreferences are not supported by Go regexp (RE2)';
  if (text.startsWith('(?#')) return 'comments are not supported by Go regexp';
  if (text.startsWith('(?>')) return 'atomic groups are not supported by Go regexp';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Matching and expansion

const NAME_CHARACTER = /^[\p{L}\p{Nd}_]$/u;

/**
 * Go's extract(): a leading "name" or "{name}" after a "$". name is the longest run of letters,
 * digits and "_"; a name that is a decimal number without leading zeros is a group number.
 */
function extractReference(text: string): { name: string; num: number; rest: string } | undefined {
  let body = text;
  const brace = body.startsWith('{');
  if (brace) body = body.slice(1);
  let length = 0;
  for (const char of body) {
    if (!NAME_CHARACTER.test(char)) break;
    length += char.length;
  }
  if (length === 0) return undefined;
  const name = body.slice(0, length);
  if (brace) {
    if (body[length] !== '}') return undefined;
    length++;
  }
  let num = 0;
  for (const char of name) {
    if (char < '0' || char > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + Number(char);
  }
  if (name.startsWith('0') && name.length > 1) num = -1;
  return { name, num, rest: body.slice(length) };
}

class CompiledGoRegex implements GoRegex {
  readonly numSubexp: number;
  private readonly regexp: RegExp;

  constructor(
    readonly source: string,
    readonly jsSource: string,
    readonly jsFlags: string,
    readonly subexpNames: readonly string[],
  ) {
    try {
      // Never the g or y flag: exec and test then always start at 0 and keep no state.
      this.regexp = new RegExp(jsSource, jsFlags);
    } catch (error) {
      throw new GoRegexError(
        `internal error translating Go regexp \`${source}\`: ${error instanceof Error ? error.message : String(error)}`,
        'untranslatable',
      );
    }
    this.numSubexp = subexpNames.length - 1;
  }

  test(input: string): boolean {
    return this.regexp.test(input);
  }

  exec(input: string): GoRegexMatch | null {
    const match = this.regexp.exec(input);
    if (match === null) return null;
    // RegExpExecArray is typed string[], but groups that did not participate are undefined.
    const groups: (string | undefined)[] = Array.from(match);
    return { index: match.index, groups };
  }

  expand(template: string, match: GoRegexMatch): string {
    let output = '';
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf('$');
      if (dollar < 0) break;
      output += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        output += '$';
        rest = rest.slice(1);
        continue;
      }
      const reference = extractReference(rest);
      if (reference === undefined) {
        output += '$'; // malformed: Go keeps the "$" as text and reads on
        continue;
      }
      rest = reference.rest;
      output += this.groupText(reference, match);
    }
    return output + rest;
  }

  /** The text of a referenced group; "" for unknown groups and groups that did not participate. */
  private groupText({ name, num }: { name: string; num: number }, match: GoRegexMatch): string {
    if (num >= 0) return match.groups[num] ?? '';
    for (let i = 0; i < this.subexpNames.length; i++) {
      const text = match.groups[i];
      // Go allows duplicate names: the first group of that name that participated wins.
      if (this.subexpNames[i] === name && text !== undefined) return text;
    }
    return '';
  }
}

/** Compiles a Go regexp; throws GoRegexError if Go would reject it or it cannot be translated. */
export function compileGoRegex(pattern: string): GoRegex {
  const translator = new GoRegexTranslator(pattern);
  const jsSource = translator.translate();
  const jsFlags = translator.caseInsensitive ? 'iu' : 'u';
  return new CompiledGoRegex(pattern, jsSource, jsFlags, [...translator.groupNames]);
}

/**
 * prometheus-adapter's naming step: the leftmost match of `re` in `input` (FindStringSubmatchIndex),
 * expanded with `asTemplate` (ExpandString). The result is the expanded template only, not the
 * input with the match replaced. undefined when `re` does not match.
 */
export function goMatchAndExpand(re: GoRegex, asTemplate: string, input: string): string | undefined {
  const match = re.exec(input);
  return match === null ? undefined : re.expand(asTemplate, match);
}

/**
 * prometheus-adapter's default for an empty `name.as`: "$0" without capture groups, "$1" with
 * exactly one; undefined (the rule must say) otherwise.
 */
export function defaultNameTemplate(re: GoRegex): string | undefined {
  if (re.numSubexp === 0) return '$0';
  if (re.numSubexp === 1) return '$1';
  return undefined;
}

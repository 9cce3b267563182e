/**
 * Repetitions, with Go's limits on counts and nesting. Those on which the two engines disagree are
 * refused: a repeated expression holding a capture group that some iterations skip
 * (`(?:(a)|b)+`: JavaScript clears the group at each iteration, Go keeps its last value), and an
 * optional repetition of an expression that prefers the empty match (`(|a)+`, `(a*?)?`:
 * JavaScript rejects the empty iteration and backtracks into a longer one, Go stops).
 */
import { AtomParser } from './atoms.js';
import type { ScopeFlags, Term } from './terms.js';

const MAX_REPEAT = 1000;
export const SIMPLE_REPEAT_BOUNDS = {
  '*': { min: 0, max: -1 },
  '+': { min: 1, max: -1 },
  '?': { min: 0, max: 1 },
} as const;

/** Go's repetition operators (*, +, ?, {n,m}) applied to the term before them. */
export abstract class RepeatParser extends AtomParser {
  /**
   * Applies a repetition to the last term: `operator` is its JavaScript text ("*", "{2,5}"),
   * `min`/`max` its bounds (max -1: unbounded), `counted` true for the {…} forms.
   */
  protected applyRepeat(
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
  protected parseCountedRepeat(
    terms: Term[],
    flags: ScopeFlags,
    lastRepeatStart: number | undefined,
  ): boolean {
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
}

/**
 * The cursor over a Go pattern and the two ways of giving up: Go's own parse errors, and refusals
 * of valid Go that cannot be translated faithfully. The parsers for each part of the grammar build
 * on it.
 */
import { GoRegexError } from './errors.js';

export abstract class PatternReader {
  protected pos = 0;
  protected refusal: GoRegexError | undefined;

  constructor(protected readonly pattern: string) {}

  // --- errors ---

  protected invalid(code: string, expr: string, offset: number, hint?: string): GoRegexError {
    const suffix = hint === undefined ? '' : ` (${hint})`;
    return new GoRegexError(`error parsing regexp: ${code}: \`${expr}\`${suffix}`, 'invalid', offset);
  }

  /**
   * Records valid Go that cannot be translated faithfully. Parsing goes on, so that a pattern
   * that is also invalid in Go gets Go's error, which is the one to fix first.
   */
  protected refuse(expr: string, offset: number, why: string): void {
    this.refusal ??= new GoRegexError(
      `cannot use Go regexp construct \`${expr}\` at offset ${offset}: ${why}`,
      'untranslatable',
      offset,
    );
  }

  // --- reading ---

  protected peekChar(offset = 0): string | undefined {
    return this.pattern[this.pos + offset];
  }

  /** The code point at `at` (a lone surrogate is invalid UTF-8 to Go). */
  protected codePointAt(at: number): { codePoint: number; size: number } {
    const codePoint = this.pattern.codePointAt(at) ?? 0;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      throw this.invalid('invalid UTF-8', this.pattern.slice(at), at);
    }
    return { codePoint, size: codePoint > 0xffff ? 2 : 1 };
  }

  protected readCodePoint(): number {
    const { codePoint, size } = this.codePointAt(this.pos);
    this.pos += size;
    return codePoint;
  }
}

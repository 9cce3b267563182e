/**
 * Parsing the single-character atoms of Go's syntax: escapes (assertions, \Q…\E, octal and hex
 * escapes, Perl and Unicode classes) and bracketed classes. Each becomes one JavaScript term.
 */
import {
  asciiFoldClosure,
  complement,
  MAX_CODE_POINT,
  perlClassItems,
  POSIX_CLASSES,
  rangeItems,
  unicodeClassItems,
  type ClassItem,
} from './charsets.js';
import { emitClass, emitLiteral, isAsciiAlphanumeric } from './emit.js';
import type { GoRegexError } from './errors.js';
import { PatternReader } from './reader.js';
import { assertionTerm, charTerm, type ScopeFlags, type Term } from './terms.js';

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

/** Go's atoms: escapes outside a class, and bracketed classes with their ranges and escapes. */
export abstract class AtomParser extends PatternReader {
  // --- escapes ---

  /** "\" at the cursor outside a class: assertions, \Q…\E, classes or one literal. */
  protected parseEscapeTerms(flags: ScopeFlags): Term[] {
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
  protected parseClass(flags: ScopeFlags): Term {
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

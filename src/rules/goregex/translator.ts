/**
 * Translating a Go pattern into a JavaScript one: the top of Go's grammar (alternation,
 * concatenation, groups and flags) over the parsers for atoms and repetitions. The parsers are
 * layered by inheritance (reader, atoms, repetitions, this) because they share one cursor, and
 * groups sit on top because they recurse into alternation.
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
 * - Repetitions on which the two engines disagree are refused (see repeat.ts).
 *
 * Differences that remain, documented rather than refused because nothing observable through
 * expand() changes or no adapter rule needs them: a group that matched "" in an optional
 * repetition (`(a*)*` on "b") is undefined in exec() where Go reports "" (both expand to "");
 * under (?i), `\b` treats U+017F and U+212A as word characters; Unicode classes follow Node's
 * Unicode version, and JavaScript also accepts script aliases such as \p{Grek}; Go's limits on
 * compiled program size are not enforced; and matching backtracks, so unlike Go it is not
 * linear-time (patterns come from operator configuration, inputs are metric names).
 */
import { emitLiteral } from './emit.js';
import { RepeatParser, SIMPLE_REPEAT_BOUNDS } from './repeat.js';
import {
  alternationTraits,
  assertionTerm,
  charTerm,
  concatenationTraits,
  type Alternation,
  type ScopeFlags,
  type Term,
  type Traits,
} from './terms.js';

/** "(?i)", "(?-s)"…: groups that only change flags (sticky: tested at a given index). */
const FLAG_ONLY_GROUP = /\(\?[imsU-]*\)/y;
/** Go refuses parse trees higher than 1000; nesting groups deeper than that is refused here. */
const MAX_NESTING = 1000;

export class GoRegexTranslator extends RepeatParser {
  /** Set once anything other than a leading flag group has been read. */
  private sawContent = false;
  readonly groupNames: string[] = [''];
  caseInsensitive = false;

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

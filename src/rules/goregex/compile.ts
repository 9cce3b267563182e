/**
 * A translated Go regexp, ready to match: wraps the JavaScript RegExp behind Go's view of
 * matches (numbered groups, SubexpNames, ExpandString).
 */
import { GoRegexError } from './errors.js';
import { expandTemplate } from './expand.js';
import { GoRegexTranslator } from './translator.js';
import type { GoRegex, GoRegexMatch } from './types.js';

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
    return expandTemplate(template, match, this.subexpNames);
  }
}

/** Compiles a Go regexp; throws GoRegexError if Go would reject it or it cannot be translated. */
export function compileGoRegex(pattern: string): GoRegex {
  const translator = new GoRegexTranslator(pattern);
  const jsSource = translator.translate();
  const jsFlags = translator.caseInsensitive ? 'iu' : 'u';
  return new CompiledGoRegex(pattern, jsSource, jsFlags, [...translator.groupNames]);
}

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

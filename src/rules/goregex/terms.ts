/**
 * The translator's intermediate results: each translated piece carries, besides its JavaScript
 * source, the traits needed to enforce Go's limits and to spot the loops the two engines match
 * differently.
 */

/** Go's per-scope parse flags (regexp/syntax Flags, Perl mode). */
export interface ScopeFlags {
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
export interface Traits {
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
export interface Term extends Traits {
  source: string;
  /** Whether a JavaScript quantifier may follow `source` directly (else it is wrapped in (?:)). */
  atomic: boolean;
}

export interface Alternation extends Traits {
  source: string;
}

/** A single character or class. */
export function charTerm(source: string): Term {
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
export function assertionTerm(source: string): Term {
  return { ...charTerm(source), atomic: false, nullable: true };
}

function largestRepeatProduct(pieces: readonly Traits[]): number {
  return pieces.reduce((largest, piece) => Math.max(largest, piece.repeatProduct), 1);
}

/** The traits of terms matched one after the other. */
export function concatenationTraits(terms: readonly Traits[]): Traits {
  return {
    repeatProduct: largestRepeatProduct(terms),
    nullable: terms.every((term) => term.nullable),
    prefersEmpty: terms.some((term) => term.prefersEmpty),
    hasCapture: terms.some((term) => term.hasCapture),
    hasSkippableCapture: terms.some((term) => term.hasSkippableCapture),
  };
}

/** The traits of alternatives tried in order. */
export function alternationTraits(alternatives: readonly Traits[]): Traits {
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

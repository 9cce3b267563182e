/** The parsed form of a Kubernetes label selector (k8s.io/apimachinery/pkg/labels). */

/**
 * apimachinery's selection.Operator values as they appear in the string syntax:
 * `exists` is a bare key, `!` is `!key`, `gt`/`lt` are `key>N`/`key<N`.
 */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One comma-separated part of a selector; a selector is the AND of its requirements. */
export interface Requirement {
  key: string;
  operator: SelectorOperator;
  /** Sorted and without duplicates; empty for exists and `!`. */
  values: string[];
}

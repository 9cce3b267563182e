/**
 * Building Prometheus regex matcher values from plain strings. Prometheus compiles a matcher's
 * value as a fully anchored Go RE2 expression, so escaping every metacharacter is enough for a
 * value to match only itself; adding ^ or $ is unnecessary.
 */

/** The characters Go's regexp.QuoteMeta escapes: every RE2 metacharacter. */
const RE2_METACHARACTERS = /[\\.+*?()|[\]{}^$]/g;

/** `value` with every RE2 metacharacter escaped, so that it matches only itself. */
export function regexLiteral(value: string): string {
  return value.replace(RE2_METACHARACTERS, '\\$&');
}

/**
 * A regex that matches exactly one of `values`. An empty list gives "", which (anchored) matches
 * only the empty string; callers that need "matches nothing" must handle that themselves.
 */
export function regexAlternation(values: readonly string[]): string {
  return values.map(regexLiteral).join('|');
}

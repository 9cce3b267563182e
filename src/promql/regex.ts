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
  // One pass over the joined text instead of one per value (thousands of pod names): NUL cannot
  // be a metacharacter, so it stands for the separators until they are put in.
  if (values.some((v) => v.includes('\u0000'))) return values.map(regexLiteral).join('|');
  return regexLiteral(values.join('\u0000')).replaceAll('\u0000', '|');
}

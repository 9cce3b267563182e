/** How prometheus-adapter's naming step uses a Go regexp: match, then expand `name.as`. */
import type { GoRegex } from './types.js';

/**
 * prometheus-adapter's naming step: the leftmost match of `re` in `input` (FindStringSubmatchIndex),
 * expanded with `asTemplate` (ExpandString). The result is the expanded template only, not the
 * input with the match replaced. undefined when `re` does not match.
 */
export function goMatchAndExpand(re: GoRegex, asTemplate: string, input: string): string | undefined {
  const match = re.exec(input);
  return match === null ? undefined : re.expand(asTemplate, match);
}

/**
 * prometheus-adapter's default for an empty `name.as`: "$0" without capture groups, "$1" with
 * exactly one; undefined (the rule must say) otherwise.
 */
export function defaultNameTemplate(re: GoRegex): string | undefined {
  if (re.numSubexp === 0) return '$0';
  if (re.numSubexp === 1) return '$1';
  return undefined;
}

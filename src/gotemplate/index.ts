/**
 * Layer: the base (with config/, errors.ts, logging.ts, …): may import only within that layer. Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * A faithful subset of Go's text/template, so that the Go template strings in prometheus-adapter
 * rules files (metricsQuery and friends, usually with `<<` `>>` delimiters) render exactly as the
 * Go adapter renders them. A template is parsed once, into a tree, and executed many times.
 * Supported: text, trim markers, comments, pipelines, variables, if/else if/with/else with/range
 * with break and continue, Go's builtin functions and fmt verbs, plus sprig's `join`. Not
 * supported: define, template and block (refused at parse time), `call`, methods, complex numbers.
 * See values.ts for how JavaScript values stand in for Go values.
 *
 * Known differences from Go, all deliberate: a syntax error points at the offending token with
 * line and column (Go names only the line of its lookahead token); an int literal beyond int64's
 * range is refused when parsing rather than when executing; range over an integer is an error (as
 * before Go 1.22); Go's struct types are named "struct" in error messages; strings holding invalid
 * UTF-8 cannot exist in JavaScript, so byte-level slicing that splits a character yields U+FFFD.
 */
import type { Node } from './ast.js';
import { execute as executeTree } from './exec.js';
import { buildFuncTable, builtinFuncTable, type TemplateFunction } from './funcs.js';
import { parseSource } from './parser.js';

export { TemplateExecError, TemplateSyntaxError, type MissingField } from './errors.js';
export { formatGoValue } from './format-value.js';
export type { TemplateFunction } from './funcs.js';
export { GoMap } from './values.js';

export interface TemplateOptions {
  /** Used in error messages; default 'template'. */
  name?: string;
  /** Default '{{'. */
  leftDelim?: string;
  /** Default '}}'. */
  rightDelim?: string;
  /** Extra functions, added to the builtins (a name clash replaces the builtin, as in Go). */
  funcs?: Record<string, TemplateFunction>;
}

export interface Template {
  readonly name: string;
  readonly source: string;
  /** Renders the template; throws TemplateExecError. */
  execute(data: unknown): string;
}

class ParsedTemplate implements Template {
  constructor(
    readonly name: string,
    readonly source: string,
    private readonly tree: readonly Node[],
  ) {}

  execute(data: unknown): string {
    return executeTree(this, this.tree, data);
  }
}

/** Parses a template once for repeated execution; throws TemplateSyntaxError. */
export function parseTemplate(source: string, options: TemplateOptions = {}): Template {
  const name = options.name ?? 'template';
  // Go falls back to the default delimiters when given empty ones.
  const leftDelim = options.leftDelim === undefined || options.leftDelim === '' ? '{{' : options.leftDelim;
  const rightDelim =
    options.rightDelim === undefined || options.rightDelim === '' ? '}}' : options.rightDelim;
  const funcs = options.funcs === undefined ? builtinFuncTable() : buildFuncTable(options.funcs);
  const tree = parseSource(source, { name, leftDelim, rightDelim, funcs });
  return new ParsedTemplate(name, source, tree);
}

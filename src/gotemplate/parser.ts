/**
 * Builds the tree for a template, following Go's text/template/parse: the same grammar, the same
 * parse-time checks (unknown functions, undefined variables, misplaced end/else/break/continue,
 * non-executable pipeline stages) and the same messages. Unlike Go it refuses define, template
 * and block, and it caps nesting so hostile input gets an error instead of a blown stack.
 */
import type { Node } from './ast.js';
import { ParseState, type ParseOptions } from './parser/state.js';
import { parse } from './parser/structure.js';

export { MAX_NESTING_DEPTH, type ParseOptions } from './parser/state.js';

/** Parses a whole template; throws TemplateSyntaxError. */
export function parseSource(source: string, opts: ParseOptions): Node[] {
  return parse(new ParseState(source, opts));
}

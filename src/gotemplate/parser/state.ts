/**
 * The parser's state: the token stream (with one token of backup), the variables in scope, how
 * deep in range and in nesting it is, and the error helpers that give Go's messages. The grammar
 * (structure.ts, pipeline.ts) reads and moves it.
 */
import { TemplateSyntaxError, locate } from '../errors.js';
import type { FuncTable } from '../funcs.js';
import { describeToken, lex, type Token, type TokenType } from '../lexer.js';

/** Deepest nesting of control structures and parentheses a template may use. */
export const MAX_NESTING_DEPTH = 100;

export interface ParseOptions {
  readonly name: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  readonly funcs: FuncTable;
}

export class ParseState {
  private readonly tokens: Token[];
  i = 0;
  /** Variables in scope, innermost last; "$" is always there. */
  vars: string[] = ['$'];
  rangeDepth = 0;
  depth = 0;
  /** Where the action being parsed began, to say so when a lexical error is found on a later line. */
  actionStart = -1;

  constructor(
    readonly source: string,
    readonly opts: ParseOptions,
  ) {
    this.tokens = lex(source, { leftDelim: opts.leftDelim, rightDelim: opts.rightDelim });
  }

  // Token access. The last token (EOF or an error) repeats forever.

  private tokenAt(i: number): Token {
    const t = this.tokens[Math.min(i, this.tokens.length - 1)];
    if (t === undefined) throw new Error('gotemplate: lexer produced no tokens');
    return t;
  }

  next(): Token {
    return this.tokenAt(this.i++);
  }

  backup(): void {
    this.i--;
  }

  peek(): Token {
    return this.tokenAt(this.i);
  }

  nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // Errors.

  errorAt(pos: number, detail: string): never {
    throw new TemplateSyntaxError(this.opts.name, locate(this.source, pos), detail);
  }

  unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionStart >= 0) {
        const startLine = locate(this.source, this.actionStart).line;
        if (startLine !== locate(this.source, t.pos).line) {
          extra = t.val.endsWith(' action')
            ? ` started at ${this.opts.name}:${startLine}`
            : ` in action started at ${this.opts.name}:${startLine}`;
        }
      }
      this.errorAt(t.pos, t.val + extra);
    }
    this.errorAt(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  enter(pos: number): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.errorAt(pos, `template nesting exceeds ${MAX_NESTING_DEPTH} levels`);
    }
  }

  leave(): void {
    this.depth--;
  }
}

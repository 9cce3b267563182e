/**
 * The lexer's cursor over the source, with the primitives every state function uses (next, peek,
 * backup, emit, ignore, the trim-marker and delimiter tests), as in Go's text/template/parse.
 * The state functions (text.ts, action.ts, literals.ts) each scan something and say what comes
 * next, a State; they live apart, so the cursor's position is open to them.
 */
import { isPrint } from '../quote.js';
import type { Token, TokenType } from './tokens.js';

export const EOF = -1;
export const TRIM_MARKER_LEN = 2;

export function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

export function isAlphaNumeric(r: number): boolean {
  if (r < 0x80) {
    return r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  }
  return r <= 0x10ffff && LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

/** Go's %#U: U+007D '}' */
export function formatRune(r: number): string {
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  return isPrint(r) ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

/** What the lexer scans next; null once it has emitted EOF or an error. */
export type State =
  | 'text'
  | 'leftDelim'
  | 'comment'
  | 'rightDelim'
  | 'insideAction'
  | 'space'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'char'
  | 'quote'
  | 'rawQuote'
  | 'number'
  | null;

export interface LexOptions {
  leftDelim: string;
  rightDelim: string;
}

export class Scanner {
  readonly tokens: Token[] = [];
  pos = 0;
  start = 0;
  private width = 0;
  parenDepth = 0;

  constructor(
    readonly input: string,
    readonly opts: LexOptions,
  ) {}

  emitThen(type: TokenType, next: State): State {
    this.emit(type);
    return next;
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) ?? EOF;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
  }

  emit(type: TokenType): void {
    this.tokens.push({ type, val: this.input.slice(this.start, this.pos), pos: this.start });
    this.start = this.pos;
  }

  ignore(): void {
    this.start = this.pos;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    while (this.accept(valid)) {
      // absorb
    }
  }

  errorf(message: string): null {
    this.tokens.push({ type: 'error', val: message, pos: this.start });
    return null;
  }

  hasLeftTrimMarker(at: number): boolean {
    return this.input.charAt(at) === '-' && isSpace(this.input.charCodeAt(at + 1));
  }

  hasRightTrimMarker(at: number): boolean {
    return isSpace(this.input.charCodeAt(at)) && this.input.charAt(at + 1) === '-';
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    const { input, pos } = this;
    const rd = this.opts.rightDelim;
    if (this.hasRightTrimMarker(pos) && input.startsWith(rd, pos + TRIM_MARKER_LEN)) {
      return { delim: true, trimSpaces: true };
    }
    return { delim: input.startsWith(rd, pos), trimSpaces: false };
  }

  leftTrimLength(from: number): number {
    let i = from;
    while (i < this.input.length && isSpace(this.input.charCodeAt(i))) i++;
    return i - from;
  }

  /** Whether the next rune ends a word: a space, one of . , | : ( ), or the right delimiter. */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(this.opts.rightDelim, this.pos);
  }
}

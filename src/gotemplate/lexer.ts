/**
 * Splits template source into tokens the way Go's text/template/parse lexer does: text, delimiters
 * (with trim markers, which eat the neighbouring whitespace), comments, and the words inside
 * actions. It runs to completion before parsing; a lexical error becomes the last token, and the
 * parser reports it only if it gets that far, as Go does.
 */
import { isPrint, quoteGo } from './quote.js';

export type TokenType =
  | 'error'
  | 'eof'
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'field'
  | 'identifier'
  | 'leftParen'
  | 'rightParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'string'
  | 'variable'
  // Keywords, which Go prints as <word> in messages:
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'range'
  | 'nil'
  | 'template'
  | 'with';

export interface Token {
  readonly type: TokenType;
  readonly val: string;
  /** UTF-16 offset of the token in the source. */
  readonly pos: number;
}

const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['.', 'dot'],
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['range', 'range'],
  ['nil', 'nil'],
  ['template', 'template'],
  ['with', 'with'],
]);

const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set(KEYWORDS.values());

/** How Go's parser names a token in "unexpected X in Y" messages. */
export function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  const runes = Array.from(t.val);
  if (runes.length > 10) return `${quoteGo(runes.slice(0, 10).join(''))}...`;
  return quoteGo(t.val);
}

const EOF = -1;
const TRIM_MARKER_LEN = 2;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isAlphaNumeric(r: number): boolean {
  if (r < 0x80) {
    return r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  }
  return r <= 0x10ffff && LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

/** Go's %#U: U+007D '}' */
function formatRune(r: number): string {
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  return isPrint(r) ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

/** What the lexer scans next; null once it has emitted EOF or an error. */
type State =
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

class Lexer {
  readonly tokens: Token[] = [];
  private pos = 0;
  private start = 0;
  private width = 0;
  private parenDepth = 0;

  constructor(
    private readonly input: string,
    private readonly opts: LexOptions,
  ) {}

  run(): Token[] {
    let state: State = 'text';
    while (state !== null) state = this.step(state);
    return this.tokens;
  }

  private step(state: NonNullable<State>): State {
    switch (state) {
      case 'text':
        return this.lexText();
      case 'leftDelim':
        return this.lexLeftDelim();
      case 'comment':
        return this.lexComment();
      case 'rightDelim':
        return this.lexRightDelim();
      case 'insideAction':
        return this.lexInsideAction();
      case 'space':
        return this.lexSpace();
      case 'identifier':
        return this.lexIdentifier();
      case 'field':
        return this.lexFieldOrVariable('field');
      case 'variable':
        return this.atTerminator()
          ? this.emitThen('variable', 'insideAction')
          : this.lexFieldOrVariable('variable');
      case 'char':
        return this.lexQuoted(0x27, 'character constant');
      case 'quote':
        return this.lexQuoted(0x22, 'quoted string');
      case 'rawQuote':
        return this.lexRawQuote();
      case 'number':
        return this.lexNumber();
    }
  }

  private emitThen(type: TokenType, next: State): State {
    this.emit(type);
    return next;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) ?? EOF;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private emit(type: TokenType): void {
    this.tokens.push({ type, val: this.input.slice(this.start, this.pos), pos: this.start });
    this.start = this.pos;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  private accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid)) {
      // absorb
    }
  }

  private errorf(message: string): null {
    this.tokens.push({ type: 'error', val: message, pos: this.start });
    return null;
  }

  private hasLeftTrimMarker(at: number): boolean {
    return this.input.charAt(at) === '-' && isSpace(this.input.charCodeAt(at + 1));
  }

  private hasRightTrimMarker(at: number): boolean {
    return isSpace(this.input.charCodeAt(at)) && this.input.charAt(at + 1) === '-';
  }

  private atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    const { input, pos } = this;
    const rd = this.opts.rightDelim;
    if (this.hasRightTrimMarker(pos) && input.startsWith(rd, pos + TRIM_MARKER_LEN)) {
      return { delim: true, trimSpaces: true };
    }
    return { delim: input.startsWith(rd, pos), trimSpaces: false };
  }

  private leftTrimLength(from: number): number {
    let i = from;
    while (i < this.input.length && isSpace(this.input.charCodeAt(i))) i++;
    return i - from;
  }

  /** Whether the next rune ends a word: a space, one of . , | : ( ), or the right delimiter. */
  private atTerminator(): boolean {
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

  // State functions: each scans something and says what comes next.

  private lexText(): State {
    const { input, opts } = this;
    const x = input.indexOf(opts.leftDelim, this.pos);
    if (x >= 0) {
      this.pos = x;
      let trimLength = 0;
      if (this.hasLeftTrimMarker(x + opts.leftDelim.length)) {
        let i = x;
        while (i > this.start && isSpace(input.charCodeAt(i - 1))) i--;
        trimLength = x - i;
      }
      this.pos -= trimLength;
      if (this.pos > this.start) this.emit('text');
      this.pos += trimLength;
      this.ignore();
      return 'leftDelim';
    }
    this.pos = input.length;
    if (this.pos > this.start) this.emit('text');
    this.emit('eof');
    return null;
  }

  private lexLeftDelim(): State {
    this.pos += this.opts.leftDelim.length;
    const trimSpace = this.hasLeftTrimMarker(this.pos);
    const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return 'comment';
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return 'insideAction';
  }

  private lexComment(): State {
    this.pos += 2;
    const i = this.input.indexOf('*/', this.pos);
    if (i < 0) return this.errorf('unclosed comment');
    this.pos = i + 2;
    const { delim, trimSpaces } = this.atRightDelim();
    if (!delim) return this.errorf('comment ends before closing delimiter');
    if (trimSpaces) this.pos += TRIM_MARKER_LEN;
    this.pos += this.opts.rightDelim.length;
    if (trimSpaces) this.pos += this.leftTrimLength(this.pos);
    this.ignore();
    return 'text';
  }

  private lexRightDelim(): State {
    const trimSpace = this.hasRightTrimMarker(this.pos);
    if (trimSpace) {
      this.pos += TRIM_MARKER_LEN;
      this.ignore();
    }
    this.pos += this.opts.rightDelim.length;
    this.emit('rightDelim');
    if (trimSpace) {
      this.pos += this.leftTrimLength(this.pos);
      this.ignore();
    }
    return 'text';
  }

  private lexInsideAction(): State {
    if (this.atRightDelim().delim) {
      if (this.parenDepth === 0) return 'rightDelim';
      return this.errorf('unclosed left paren');
    }
    const r = this.next();
    if (r === EOF) return this.errorf('unclosed action');
    if (isSpace(r)) {
      // The space may belong to a " -}}" trim marker.
      this.backup();
      return 'space';
    }
    switch (r) {
      case 0x3d: // =
        this.emit('assign');
        return 'insideAction';
      case 0x3a: // :
        if (this.next() !== 0x3d) return this.errorf('expected :=');
        this.emit('declare');
        return 'insideAction';
      case 0x7c: // |
        this.emit('pipe');
        return 'insideAction';
      case 0x22: // "
        return 'quote';
      case 0x60: // `
        return 'rawQuote';
      case 0x24: // $
        return 'variable';
      case 0x27: // '
        return 'char';
      case 0x28: // (
        this.emit('leftParen');
        this.parenDepth++;
        return 'insideAction';
      case 0x29: // )
        this.emit('rightParen');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.errorf(`unexpected right paren ${formatRune(r)}`);
        return 'insideAction';
    }
    if (r === 0x2e) {
      // ".field" unless a digit follows, which makes a number like .5
      const c = this.input.charCodeAt(this.pos);
      if (this.pos < this.input.length && !(c >= 0x30 && c <= 0x39)) return 'field';
    }
    if (r === 0x2e || r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
      this.backup();
      return 'number';
    }
    if (isAlphaNumeric(r)) {
      this.backup();
      return 'identifier';
    }
    if (r < 0x80 && r >= 0x20 && r < 0x7f) {
      this.emit('char');
      return 'insideAction';
    }
    return this.errorf(`unrecognized character in action: ${formatRune(r)}`);
  }

  private lexSpace(): State {
    let numSpaces = 0;
    while (isSpace(this.peek())) {
      this.next();
      numSpaces++;
    }
    // A trim-marked right delimiter starts with a space; leave that space to it.
    if (
      this.hasRightTrimMarker(this.pos - 1) &&
      this.input.startsWith(this.opts.rightDelim, this.pos - 1 + TRIM_MARKER_LEN)
    ) {
      this.pos -= 1;
      if (numSpaces === 1) return 'rightDelim';
    }
    this.emit('space');
    return 'insideAction';
  }

  private lexIdentifier(): State {
    for (;;) {
      const r = this.next();
      if (isAlphaNumeric(r)) continue;
      this.backup();
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.errorf(`bad character ${formatRune(r)}`);
      const keyword = KEYWORDS.get(word);
      if (keyword !== undefined) {
        // Go means a function named break or continue to win over the keyword, but checks before
        // it knows the functions, so the keyword always wins; so it does here.
        this.emit(keyword);
      } else if (word === 'true' || word === 'false') {
        this.emit('bool');
      } else {
        this.emit('identifier');
      }
      return 'insideAction';
    }
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): State {
    if (this.atTerminator()) {
      // A lone "." or "$".
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return 'insideAction';
    }
    let r: number;
    for (;;) {
      r = this.next();
      if (!isAlphaNumeric(r)) {
        this.backup();
        break;
      }
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${formatRune(r)}`);
    this.emit(type);
    return 'insideAction';
  }

  /** Scans up to the closing quote; a backslash escapes the next character but never a newline. */
  private lexQuoted(close: number, what: string): State {
    for (;;) {
      let r = this.next();
      if (r === 0x5c) {
        r = this.next();
        if (r !== EOF && r !== 0x0a) continue;
      }
      if (r === EOF || r === 0x0a) return this.errorf(`unterminated ${what}`);
      if (r === close) break;
    }
    this.emit(close === 0x22 ? 'string' : 'charConstant');
    return 'insideAction';
  }

  private lexRawQuote(): State {
    for (;;) {
      const r = this.next();
      if (r === EOF) return this.errorf('unterminated raw quoted string');
      if (r === 0x60) break;
    }
    this.emit('rawString');
    return 'insideAction';
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      // A leading 0 does not make a float octal.
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  private lexNumber(): State {
    if (!this.scanNumber())
      return this.errorf(`bad number syntax: ${quoteGo(this.input.slice(this.start, this.pos))}`);
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) {
      // A complex constant such as 1+2i: no spaces, ends in 'i'.
      if (!this.scanNumber() || this.input.charAt(this.pos - 1) !== 'i') {
        return this.errorf(`bad number syntax: ${quoteGo(this.input.slice(this.start, this.pos))}`);
      }
      this.emit('complex');
    } else {
      this.emit('number');
    }
    return 'insideAction';
  }
}

/** All tokens of the source; the last is EOF or an error. */
export function lex(input: string, opts: LexOptions): Token[] {
  return new Lexer(input, opts).run();
}

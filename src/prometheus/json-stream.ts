/**
 * A complete incremental JSON tokenizer: any whitespace, key order, escapes, and chunk boundaries
 * anywhere, even inside a UTF-8 sequence or an escape, so malformed or truncated input is an
 * error rather than a misreading. It builds nothing: a reader on top of it (series-scan.ts) is
 * told where keys, values and strings begin and end, and decodes only what it keeps.
 */
import { describe, isLiteral } from './json-bytes.js';

// The tokenizer's bytes, here rather than imported: in the loop over every byte of the answer a
// module-local constant is measurably faster than an imported binding.
export const QUOTE = 0x22;
export const LBRACE = 0x7b;
export const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACE = 0x7d;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The answer is not JSON, not the envelope its reader expects, or ended early. */
export class MalformedAnswerError extends Error {}

// Tokenizer states.
const VALUE = 0; // a value must come (top level, after ':' or after ',' in an array)
const ARRAY_FIRST = 1; // after '[': a value or ']'
const OBJECT_FIRST = 2; // after '{': a key or '}'
const KEY = 3; // after ',' in an object: a key
const COLON_NEXT = 4; // after a key
const AFTER_VALUE = 5; // ',' or the closing of the container
const STRING = 6;
const ESCAPE = 7; // after a backslash in a string
const UNICODE = 8; // inside \uXXXX
const LITERAL = 9; // number, true, false, null
const DONE = 10; // the top-level value has closed

const IN_OBJECT = 0;
const IN_ARRAY = 1;

const MAX_LITERAL = 64;
const MAX_DEPTH = 64;

export abstract class JsonStream {
  private state = VALUE;
  /** The open containers, innermost last: its length is the depth. */
  protected readonly stack: number[] = [];
  private offset = 0;
  private hexLeft = 0;
  private literal = '';
  /** Whether the string being read is an object key. */
  private readingKey = false;
  /** Whether the string being read has an escape: its bytes need JSON decoding. */
  protected escaped = false;

  /** Reads the next bytes; throws MalformedAnswerError as soon as they cannot be the answer. */
  write(chunk: Uint8Array): void {
    const n = chunk.length;
    let state = this.state;
    for (let i = 0; i < n; i++) {
      let c = chunk[i] as number;
      switch (state) {
        case STRING:
          // Most bytes are inside strings: run to the next byte that matters without the switch.
          while (c !== QUOTE && c !== BACKSLASH && c >= 0x20 && ++i < n) c = chunk[i] as number;
          if (i === n) break;
          if (c === QUOTE) {
            this.endString(chunk, i);
            state = this.readingKey ? COLON_NEXT : AFTER_VALUE;
          } else if (c === BACKSLASH) {
            this.escaped = true;
            state = ESCAPE;
          } else if (c < 0x20) {
            throw this.malformed(i, 'a control character inside a string');
          }
          break;
        case AFTER_VALUE:
          if (isSpace(c)) break;
          if (c === COMMA) {
            state = this.stack[this.stack.length - 1] === IN_OBJECT ? KEY : VALUE;
          } else if (c === RBRACE && this.stack[this.stack.length - 1] === IN_OBJECT) {
            state = this.close();
          } else if (c === RBRACKET && this.stack[this.stack.length - 1] === IN_ARRAY) {
            state = this.close();
          } else {
            throw this.malformed(i, `unexpected ${describe(c)}`);
          }
          break;
        case COLON_NEXT:
          if (isSpace(c)) break;
          if (c !== COLON) throw this.malformed(i, `expected ':' but found ${describe(c)}`);
          state = VALUE;
          break;
        case OBJECT_FIRST:
        case KEY:
          if (isSpace(c)) break;
          if (c === RBRACE && state === OBJECT_FIRST) {
            state = this.close();
          } else if (c === QUOTE) {
            this.readingKey = true;
            this.escaped = false;
            this.beginKey(i);
            state = STRING;
          } else {
            throw this.malformed(i, `expected a key but found ${describe(c)}`);
          }
          break;
        case ARRAY_FIRST:
        case VALUE:
          if (isSpace(c)) break;
          if (c === RBRACKET && state === ARRAY_FIRST) {
            state = this.close();
          } else {
            state = this.value(c, i);
          }
          break;
        case ESCAPE:
          if (c === 0x75 /* u */) {
            this.hexLeft = 4;
            state = UNICODE;
          } else if (
            c === QUOTE ||
            c === BACKSLASH ||
            c === 0x2f ||
            c === 0x62 ||
            c === 0x66 ||
            c === 0x6e ||
            c === 0x72 ||
            c === 0x74
          ) {
            state = STRING;
          } else {
            throw this.malformed(i, `an invalid escape \\${describe(c)}`);
          }
          break;
        case UNICODE:
          if (!isHex(c)) throw this.malformed(i, `an invalid \\u escape (${describe(c)})`);
          if (--this.hexLeft === 0) state = STRING;
          break;
        case LITERAL:
          if (isSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET) {
            this.endLiteral(i);
            state = AFTER_VALUE;
            i--; // the delimiter belongs to the container
          } else {
            if (this.literal.length >= MAX_LITERAL) throw this.malformed(i, 'an overlong literal');
            this.literal += String.fromCharCode(c);
          }
          break;
        case DONE:
          if (!isSpace(c)) throw this.malformed(i, `${describe(c)} after the end of the answer`);
          break;
      }
    }
    if (state === STRING || state === ESCAPE || state === UNICODE) this.carryString(chunk);
    this.state = state;
    this.offset += n;
  }

  /** The input is complete; throws MalformedAnswerError when it stopped early. */
  protected finish(): void {
    if (this.state !== DONE) {
      throw new MalformedAnswerError(
        this.offset === 0 ? 'the answer is empty' : `the answer ends early, after ${this.offset} bytes`,
      );
    }
  }

  /** A key string opens with the quote at `i` (its object is at depth `stack.length`). */
  protected abstract beginKey(i: number): void;
  /** A value opens with byte `c` at `i`, before it is read (a container is not open yet). Throws to refuse it. */
  protected abstract beginValue(c: number, i: number): void;
  /** The string being read closes with the quote at `i` of `chunk`. */
  protected abstract endString(chunk: Uint8Array, i: number): void;
  /** The chunk ends inside a string. */
  protected abstract carryString(chunk: Uint8Array): void;
  /** The container that was at depth `depth` has closed. */
  protected abstract closed(depth: number): void;

  protected malformed(i: number, what: string): MalformedAnswerError {
    return new MalformedAnswerError(`${what} at byte ${this.offset + i}`);
  }

  /** The first byte of a value; returns the state that reads it. */
  private value(c: number, i: number): number {
    this.beginValue(c, i);
    if (c === QUOTE) {
      this.readingKey = false;
      this.escaped = false;
      return STRING;
    }
    if (c === LBRACE) {
      this.push(IN_OBJECT, i);
      return OBJECT_FIRST;
    }
    if (c === LBRACKET) {
      this.push(IN_ARRAY, i);
      return ARRAY_FIRST;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      this.literal = String.fromCharCode(c);
      return LITERAL;
    }
    throw this.malformed(i, `unexpected ${describe(c)}`);
  }

  private push(kind: number, i: number): void {
    if (this.stack.length >= MAX_DEPTH) throw this.malformed(i, 'nesting deeper than 64 levels');
    this.stack.push(kind);
  }

  /** Closes the innermost container; returns the state after it. */
  private close(): number {
    const depth = this.stack.length;
    this.stack.pop();
    this.closed(depth);
    return depth === 1 ? DONE : AFTER_VALUE;
  }

  private endLiteral(i: number): void {
    const t = this.literal;
    if (!isLiteral(t)) throw this.malformed(i, `an invalid literal ${t.slice(0, 20)}`);
    this.literal = '';
  }
}

/**
 * Reads an /api/v1/series answer as its bytes arrive and keeps only the series *shapes*: each
 * series' name with its label names, once per distinct shape. Discovery needs nothing else, and
 * an answer of a quarter of a million series is ~45 MB of JSON that would otherwise be held as
 * text, then as parsed objects, then as copies (the peak memory of the adapter).
 *
 * It is a complete incremental JSON tokenizer (any whitespace, key order, escapes, chunk
 * boundaries anywhere, even inside a UTF-8 sequence or an escape), so malformed or truncated
 * answers are errors rather than misreadings; on top of it, a reader of the envelope
 * `{"status":…,"data":[{label:value,…},…],"errorType":…,"error":…,"warnings":…}` that decodes only
 * what it keeps (top-level keys, status and error strings, label names, metric names) and skips
 * every label value without building a string for it. The byte classes and the strings kept
 * across chunks are in json-bytes.ts; the shapes are collected, names interned, in shape-set.ts.
 */
import {
  BACKSLASH,
  COLON,
  COMMA,
  describe,
  isHex,
  isLiteral,
  isSpace,
  KeptString,
  LBRACE,
  LBRACKET,
  QUOTE,
  RBRACE,
  RBRACKET,
} from './json-bytes.js';
import { ShapeSet, type SeriesShape } from './shape-set.js';

export interface SeriesAnswer {
  status: string | undefined;
  errorType: string | undefined;
  error: string | undefined;
  /** Whether a `data` array was present. */
  hasData: boolean;
  /** Series objects read (named or not). */
  series: number;
  /** Distinct shapes in order of first appearance. */
  shapes: SeriesShape[];
}

/** The answer is not JSON, not the series envelope, or ended early. */
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
const DONE = 10; // the top-level object has closed

const IN_OBJECT = 0;
const IN_ARRAY = 1;

// What a string being read is for.
const SKIP = 0;
const TOP_KEY = 1;
const LABEL_KEY = 2;
const TOP_VALUE = 3;
const NAME_VALUE = 4;

const MAX_LITERAL = 64;
const MAX_DEPTH = 64;
const NAME_LABEL = '__name__';

export class SeriesShapeScanner {
  private state = VALUE;
  private readonly stack: number[] = [];
  private offset = 0;
  // The string being read.
  private role = SKIP;
  private readonly kept = new KeptString();
  private hexLeft = 0;
  private literal = '';
  /** Whether the string being read is an object key. */
  private readingKey = false;
  // The envelope.
  private topKey = '';
  private inData = false;
  private hasData = false;
  private status: string | undefined;
  private errorType: string | undefined;
  private error: string | undefined;
  // The series being read.
  private labelKey = '';
  private name: string | undefined;
  private readonly labels: string[] = [];
  private seriesCount = 0;
  private readonly shapes = new ShapeSet();

  /** Reads the next bytes of the answer; throws MalformedAnswerError as soon as they cannot be it. */
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
            if (this.role !== SKIP) this.endString(chunk, i);
            state = this.readingKey ? COLON_NEXT : AFTER_VALUE;
          } else if (c === BACKSLASH) {
            this.kept.escaped = true;
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
            state = this.beginValue(c, i);
            if (state === LITERAL) this.literal = String.fromCharCode(c);
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
    if (state === STRING || state === ESCAPE || state === UNICODE) this.carry(chunk);
    this.state = state;
    this.offset += n;
  }

  /** The answer is complete: what it said, or MalformedAnswerError when it stopped early. */
  end(): SeriesAnswer {
    if (this.state !== DONE) {
      throw new MalformedAnswerError(
        this.offset === 0 ? 'the answer is empty' : `the answer ends early, after ${this.offset} bytes`,
      );
    }
    return {
      status: this.status,
      errorType: this.errorType,
      error: this.error,
      hasData: this.hasData,
      series: this.seriesCount,
      shapes: this.shapes.list(),
    };
  }

  private beginKey(i: number): void {
    const depth = this.stack.length;
    this.readingKey = true;
    if (depth === 1) this.keep(TOP_KEY, i);
    else if (depth === 3 && this.inData) this.keep(LABEL_KEY, i);
    else this.role = SKIP;
  }

  /** The first byte of a value; returns the state that reads it. */
  private beginValue(c: number, i: number): number {
    const depth = this.stack.length;
    const element = this.inData && depth === 2;
    const labelValue = this.inData && depth === 3;
    if (c === QUOTE) {
      if (depth === 0) throw this.malformed(i, 'the answer is a string, not an object');
      if (element) throw this.malformed(i, 'a series that is not an object');
      this.readingKey = false;
      if (labelValue && this.labelKey === NAME_LABEL) this.keep(NAME_VALUE, i);
      else if (
        depth === 1 &&
        (this.topKey === 'status' || this.topKey === 'errorType' || this.topKey === 'error')
      )
        this.keep(TOP_VALUE, i);
      else this.role = SKIP;
      return STRING;
    }
    if (labelValue) throw this.malformed(i, `the value of label ${this.labelKey} is not a string`);
    if (c === LBRACE) {
      if (element) {
        this.name = undefined;
        this.labels.length = 0;
      }
      this.push(IN_OBJECT, i);
      return OBJECT_FIRST;
    }
    if (depth === 0) throw this.malformed(i, `the answer starts with ${describe(c)}, not an object`);
    if (element) throw this.malformed(i, 'a series that is not an object');
    if (c === LBRACKET) {
      if (depth === 1 && this.topKey === 'data') {
        this.inData = true;
        this.hasData = true;
      }
      this.push(IN_ARRAY, i);
      return ARRAY_FIRST;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) return LITERAL;
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
    if (this.inData && depth === 3) this.endSeries();
    else if (this.inData && depth === 2) this.inData = false;
    return depth === 1 ? DONE : AFTER_VALUE;
  }

  private keep(role: number, i: number): void {
    this.role = role;
    this.kept.begin(i);
  }

  /** The chunk ends inside a string: what is kept of it so far must outlive the chunk. */
  private carry(chunk: Uint8Array): void {
    if (this.role !== SKIP) this.kept.carry(chunk);
  }

  private endString(chunk: Uint8Array, i: number): void {
    const role = this.role;
    const bytes = this.kept.end(chunk, i);
    if (this.kept.truncated && role !== TOP_VALUE)
      throw this.malformed(i, `a ${role === NAME_VALUE ? 'metric' : 'label'} name longer than 64 KiB`);
    const text = this.decode(bytes, i);
    switch (role) {
      case TOP_KEY:
        this.topKey = text;
        break;
      case LABEL_KEY:
        this.labelKey = this.shapes.intern(text);
        break;
      case TOP_VALUE:
        if (this.topKey === 'status') this.status = text;
        else if (this.topKey === 'errorType') this.errorType = text;
        else this.error = text;
        break;
      case NAME_VALUE:
        this.name = text;
        break;
    }
    if (role === LABEL_KEY && this.labelKey !== NAME_LABEL) this.labels.push(this.labelKey);
  }

  private decode(bytes: Buffer, i: number): string {
    const raw = bytes.toString('utf8');
    if (!this.kept.escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      // Only a cut error message can end inside an escape; keep it as it came.
      if (this.kept.truncated) return raw;
      throw this.malformed(i, 'a string that does not decode');
    }
  }

  private endLiteral(i: number): void {
    const t = this.literal;
    if (!isLiteral(t)) throw this.malformed(i, `an invalid literal ${t.slice(0, 20)}`);
    this.literal = '';
  }

  private endSeries(): void {
    this.seriesCount++;
    if (this.name !== undefined && this.name !== '') this.shapes.add(this.name, this.labels);
  }

  private malformed(i: number, what: string): MalformedAnswerError {
    return new MalformedAnswerError(`${what} at byte ${this.offset + i}`);
  }
}

/**
 * The byte level of the streaming series reader (series-scan.ts): the bytes JSON gives meaning
 * to, how a byte is named in an error, which literals are valid, and the bytes of a string that
 * is being kept while it may span any number of chunks.
 */

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;

/** Longest string kept: label and metric names are far shorter; error messages are cut here. */
export const MAX_KEPT_BYTES = 64 * 1024;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Whether `t` is a whole JSON number, true, false or null. */
export function isLiteral(t: string): boolean {
  return t === 'true' || t === 'false' || t === 'null' || NUMBER.test(t);
}

export function describe(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** The raw bytes of one string being read (between its quotes), kept up to MAX_KEPT_BYTES. */
export class KeptString {
  /** Where the string's bytes start in the current chunk (0 once it has run past a chunk). */
  private from = -1;
  private readonly parts: Buffer[] = [];
  private size = 0;
  /** More than MAX_KEPT_BYTES came: what is kept is the start of the string. */
  truncated = false;
  /** A backslash was read: the bytes need JSON decoding. */
  escaped = false;

  /** A string opens with the quote at `i` of the current chunk. */
  begin(i: number): void {
    this.from = i + 1;
    this.parts.length = 0;
    this.size = 0;
    this.truncated = false;
    this.escaped = false;
  }

  /** The chunk ends inside the string: what is kept of it so far must outlive the chunk. */
  carry(chunk: Uint8Array): void {
    const from = Math.max(0, this.from);
    if (from < chunk.length) this.append(chunk, from, chunk.length);
    this.from = 0;
  }

  /** The string's bytes, its closing quote being at `i` of `chunk`. */
  end(chunk: Uint8Array, i: number): Buffer {
    if (this.parts.length === 0 && i - this.from <= MAX_KEPT_BYTES)
      return Buffer.from(chunk.buffer, chunk.byteOffset + this.from, i - this.from);
    this.append(chunk, this.from, i);
    const bytes = Buffer.concat(this.parts, this.size);
    this.parts.length = 0;
    return bytes;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    const room = MAX_KEPT_BYTES - this.size;
    if (to - from > room) {
      to = from + room;
      this.truncated = true;
    }
    if (to > from) {
      // A copy: a view would keep the whole chunk alive.
      this.parts.push(Buffer.from(chunk.subarray(from, to)));
      this.size += to - from;
    }
  }
}

/**
 * The pieces of the streaming series reader that are not its per-byte loop (json-stream.ts):
 * the bytes of a string being kept while it spans any number of chunks, which literals are
 * valid, and how a byte is named in an error.
 */
/** Longest string kept: label and metric names are far shorter; error messages are cut here. */
export const MAX_KEPT_BYTES = 64 * 1024;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

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

  /** A string opens with the quote at `i` of the current chunk. */
  begin(i: number): void {
    this.from = i + 1;
    this.parts.length = 0;
    this.size = 0;
    this.truncated = false;
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

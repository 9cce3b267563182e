/**
 * Writes JSON text straight into UTF-8 bytes, for answers of thousands of items that are mostly
 * the same few pieces repeated (a MetricValueList). Building them as strings cost one string per
 * item, a join of about 1 MB and then the conversion to bytes for the socket; here the repeated
 * pieces are copied as bytes and only the per-item strings (a name, a quantity) are written.
 */

/** Characters JSON.stringify would escape (surrogates too: a lone one becomes \uXXXX). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export class JsonBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes prepared once (see `bytesOf`). */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Text already in JSON form (a literal, a number, punctuation). */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: let the encoder handle the rest (and any surrogate pairs) in one call.
        this.pos = p + buf.write(s.slice(i), p, 'utf8');
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** `s` as a JSON string literal, exactly as JSON.stringify writes it. */
  string(s: string): void {
    if (NEEDS_ESCAPE.test(s)) {
      this.raw(JSON.stringify(s));
      return;
    }
    this.ensure(1);
    this.buf[this.pos++] = 0x22;
    this.raw(s);
    this.ensure(1);
    this.buf[this.pos++] = 0x22;
  }

  /** The bytes written so far (a view of the buffer, not a copy). */
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** The UTF-8 bytes of a piece written many times. */
export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

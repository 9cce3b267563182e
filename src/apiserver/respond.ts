/**
 * Writing answers on node:http's ServerResponse (express's Response is one): the status line,
 * Content-Type and Content-Length in one writeHead, the body in one end — none of res.send's
 * content negotiation, ETag or charset work. A large answer encoded as pieces (every pod of a
 * cluster: 11 MB at 30 000 pods) is written in chunks as the socket drains, so neither the whole
 * text nor its bytes exist at once.
 */
import type { ServerResponse } from 'node:http';

/** A response body already serialized as JSON, as text or UTF-8 bytes (fast paths for large answers). */
export class PreEncodedJSON {
  /**
   * The text as a string, as UTF-8 bytes, or as pieces whose concatenation is the text (written
   * without joining them: a 150 000-pod list never becomes one string).
   */
  constructor(readonly body: string | Buffer | readonly string[]) {}

  get text(): string {
    if (typeof this.body === 'string') return this.body;
    return Buffer.isBuffer(this.body) ? this.body.toString('utf8') : this.body.join('');
  }
}

/**
 * String bodies longer than this many characters are written as one Buffer. node:http prepends
 * the header block to a string body (one more copy of the whole text) and the TLS socket then
 * converts the string again: a 1 MB MetricValueList (5 000 pods) cost about twice the CPU to send
 * as a string than as a Buffer. A short string is sent as it is (converting it would cost more
 * than it saves); a body that already is bytes is always sent as it is (no slower even at 2 KB).
 */
const BUFFER_ABOVE = 32 * 1024;

function payloadOf(body: string | Buffer): string | Buffer {
  return typeof body === 'string' && body.length > BUFFER_ABOVE ? Buffer.from(body, 'utf8') : body;
}

/** Characters handed to the socket per write when writing pieces. */
const CHUNK_CHARS = 64 * 1024;

/** A 200 whose body is the concatenation of `pieces`, with an exact Content-Length. */
export function sendJSONPieces(res: ServerResponse, pieces: readonly string[]): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  let length = 0;
  for (const p of pieces) length += Buffer.byteLength(p);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
  let next = 0;
  const pump = (): void => {
    while (next < pieces.length) {
      if (res.destroyed) return;
      const from = next;
      let chars = 0;
      while (next < pieces.length && chars < CHUNK_CHARS) chars += (pieces[next++] as string).length;
      // A full socket buffer: continue when it drains (never, if the client went away).
      if (!res.write(pieces.slice(from, next).join(''))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = payloadOf(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length,
    ...headers,
  });
  res.end(payload);
}

export function sendJSONText(
  res: ServerResponse,
  status: number,
  json: string | Buffer,
  headers: Record<string, string> = {},
): void {
  sendBody(res, status, 'application/json', json, headers);
}

/** A 200 JSON answer; `?pretty=true` (or `1`) indents it, like the kube-apiserver. */
export function sendJSON(res: ServerResponse, body: unknown, query: URLSearchParams): void {
  const pretty = query.get('pretty');
  if (pretty === 'true' || pretty === '1') {
    const value: unknown = body instanceof PreEncodedJSON ? JSON.parse(body.text) : body;
    sendJSONText(res, 200, JSON.stringify(value, null, 2));
  } else if (!(body instanceof PreEncodedJSON)) {
    sendJSONText(res, 200, JSON.stringify(body));
  } else if (typeof body.body === 'string' || Buffer.isBuffer(body.body)) {
    sendJSONText(res, 200, body.body);
  } else {
    sendJSONPieces(res, body.body);
  }
}

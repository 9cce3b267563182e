/**
 * Writing answers on node:http's ServerResponse (express's Response is one): the status line,
 * Content-Type and Content-Length in one writeHead, the body in one end — none of res.send's
 * content negotiation, ETag or charset work. A large answer encoded as pieces (every pod of a
 * cluster: 11 MB at 30 000 pods) is written in chunks as the socket drains, so neither the whole
 * text nor its bytes exist at once.
 */
import type { ServerResponse } from 'node:http';

/** A response body already serialized as JSON (fast paths for large answers). */
export class PreEncodedJSON {
  /** The text, or pieces whose concatenation is the text (written without joining them). */
  constructor(readonly body: string | readonly string[]) {}

  get text(): string {
    return typeof this.body === 'string' ? this.body : this.body.join('');
  }
}

/** Bytes handed to the socket per write when writing pieces. */
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
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJSONText(
  res: ServerResponse,
  status: number,
  json: string,
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
  } else {
    if (body instanceof PreEncodedJSON && typeof body.body !== 'string') sendJSONPieces(res, body.body);
    else sendJSONText(res, 200, body instanceof PreEncodedJSON ? body.text : JSON.stringify(body));
  }
}

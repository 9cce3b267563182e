/**
 * Writing answers on node:http's ServerResponse (express's Response is one): the status line,
 * Content-Type and Content-Length in one writeHead, the body in one end — none of res.send's
 * content negotiation, ETag or charset work.
 */
import type { ServerResponse } from 'node:http';

/** A response body already serialized as JSON, as text or UTF-8 bytes (fast paths for large answers). */
export class PreEncodedJSON {
  constructor(readonly json: string | Buffer) {}

  get text(): string {
    return typeof this.json === 'string' ? this.json : this.json.toString('utf8');
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
  } else {
    sendJSONText(res, 200, body instanceof PreEncodedJSON ? body.json : JSON.stringify(body));
  }
}

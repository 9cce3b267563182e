/**
 * Writing answers on node:http's ServerResponse (express's Response is one): the status line,
 * Content-Type and Content-Length in one writeHead, the body in one end — none of res.send's
 * content negotiation, ETag or charset work.
 */
import type { ServerResponse } from 'node:http';

/** A response body already serialized as JSON (fast paths for large answers). */
export class PreEncodedJSON {
  constructor(readonly text: string) {}
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
    sendJSONText(res, 200, body instanceof PreEncodedJSON ? body.text : JSON.stringify(body));
  }
}

/**
 * Requests node's HTTP parser refuses before any handler runs (oversize head, bytes that are not
 * HTTP, a head or body that arrives too slowly) still get a metav1.Status, like every other
 * refusal, instead of node's bare status line. The connection is closed after it: the parser's
 * state is unknown.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { statusBody } from './status.js';

interface ParserError extends Error {
  code?: string;
}

/** Which answer node itself would give, with the Status reason we send for it. */
export function clientErrorStatus(err: ParserError): { code: number; reason: string; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 431,
        reason: 'RequestHeaderFieldsTooLarge',
        message: 'the request head (request line and headers) is larger than the server accepts',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 408,
        reason: 'Timeout',
        message: 'the request did not arrive in time; the connection is closed',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 413, reason: 'RequestEntityTooLarge', message: 'chunk extensions too large' };
    default:
      return { code: 400, reason: 'BadRequest', message: 'malformed HTTP request' };
  }
}

/** A 'clientError' listener: writes the Status when nothing was answered yet, else drops. */
export function answerClientError(err: ParserError, socket: Duplex): void {
  // A response already begun on this connection (node keeps it there) cannot be followed by
  // another; a reset peer cannot be answered at all. Node's own handler makes the same checks.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { code, reason, message } = clientErrorStatus(err);
  const body = JSON.stringify(statusBody(code, reason, message));
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

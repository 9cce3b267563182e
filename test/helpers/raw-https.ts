/**
 * One HTTP/1.1 exchange over TLS written byte for byte: the request line and headers go out
 * exactly as given (NUL, control characters, `..`, absolute-form targets, odd methods), which
 * node's http client refuses to send. The answer is read to the end of the connection
 * (`Connection: close`); a server that closes without an answer, or does not finish within the
 * deadline, is reported as such rather than thrown.
 */
import tls from 'node:tls';

export interface RawRequest {
  host: string;
  port: number;
  /** Trusted CA PEM for the server certificate. */
  ca: string;
  cert?: string;
  key?: string;
  method: string;
  /** The request target, sent as is. */
  target: string;
  /** Sent in order, as is (no validation); Host and Connection: close are added. */
  headers?: readonly (readonly [string, string])[];
  /** Default 10 000 ms for the whole exchange. */
  timeoutMs?: number;
  /** A slow client: send only this many bytes of the request, then nothing more. */
  stallAfterBytes?: number;
}

export type RawAnswer =
  | { kind: 'answered'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'closed'; error?: string }
  | { kind: 'timeout' };

function decodeChunked(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < 100_000 && offset < data.length; i++) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function parseAnswer(data: Buffer): RawAnswer {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return { kind: 'closed', error: `incomplete answer (${data.length} bytes)` };
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (m === null) return { kind: 'closed', error: `not an HTTP answer: ${statusLine.slice(0, 80)}` };
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
  return { kind: 'answered', status: Number(m[1]), headers, body: body.toString('utf8') };
}

export function rawHttpsRequest(r: RawRequest): Promise<RawAnswer> {
  const head =
    `${r.method} ${r.target} HTTP/1.1\r\nHost: ${r.host}:${r.port}\r\nConnection: close\r\n` +
    (r.headers ?? []).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
    '\r\n';
  return new Promise<RawAnswer>((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (a: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const socket = tls.connect({
      host: r.host,
      port: r.port,
      ca: r.ca,
      cert: r.cert,
      key: r.key,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), r.timeoutMs ?? 10_000);
    const bytes = Buffer.from(head, 'utf8');
    socket.once('secureConnect', () => socket.write(bytes.subarray(0, r.stallAfterBytes ?? bytes.length)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => {
      const data = Buffer.concat(chunks);
      finish(data.length === 0 ? { kind: 'closed' } : parseAnswer(data));
    });
    socket.once('error', (err: Error) => {
      const data = Buffer.concat(chunks);
      finish(data.length === 0 ? { kind: 'closed', error: err.message } : parseAnswer(data));
    });
  });
}

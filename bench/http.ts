/**
 * One HTTP client for both sides of every comparison: Node's http/https with a keep-alive agent
 * (as many sockets as the concurrency), the body read completely, a hard per-request deadline.
 * The adapter is reached over TLS with a client certificate, Prometheus over plain HTTP, as in a
 * cluster.
 */
import http from 'node:http';
import https from 'node:https';

export interface PreparedRequest {
  method: 'GET' | 'POST';
  /** Path and query string. */
  path: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

export class BenchClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(base: string, maxSockets: number, tls?: TlsMaterial) {
    this.url = new URL(base);
    if (this.url.protocol === 'https:') {
      if (tls === undefined) throw new Error(`${base}: TLS material required`);
      this.agent = new https.Agent({ keepAlive: true, maxSockets, ...tls });
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets });
    }
  }

  send(req: PreparedRequest, timeoutMs = 15_000): Promise<Response> {
    const lib = this.url.protocol === 'https:' ? https : http;
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json', ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    return new Promise<Response>((resolve, reject) => {
      const r = lib.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: Number(this.url.port),
          method: req.method,
          path: req.path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.once('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      const timer = setTimeout(() => {
        r.destroy(new Error(`${req.method} ${req.path.slice(0, 120)}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      r.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      r.end(req.body);
    });
  }

  /** GET that must answer 200; the body as text. */
  async getText(path: string, timeoutMs?: number): Promise<string> {
    const res = await this.send({ method: 'GET', path }, timeoutMs);
    const text = res.body.toString('utf8');
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return text;
  }

  close(): void {
    this.agent.destroy();
  }
}

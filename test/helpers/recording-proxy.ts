/**
 * An HTTP forwarder on 127.0.0.1 in front of Prometheus that keeps the PromQL of every instant
 * query passing through (`/api/v1/query`, GET query string or POSTed form), so a test can check
 * what the adapter really sent. Everything else is forwarded without being recorded.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './ports.js';

export interface RecordedQuery {
  method: string;
  query: string;
  /** The `timeout` parameter, when the adapter sent one. */
  timeout?: string;
}

export interface RecordingProxy {
  readonly url: string;
  /** Every instant query so far, oldest first (bounded to the last 10 000). */
  readonly queries: readonly RecordedQuery[];
  close(): Promise<void>;
}

const MAX_RECORDED = 10_000;

export async function startRecordingProxy(upstreamPort: number): Promise<RecordingProxy> {
  const queries: RecordedQuery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      if (url.pathname.endsWith('/api/v1/query')) {
        const params = req.method === 'POST' ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
        const query = params.get('query');
        if (query !== null) {
          const timeout = params.get('timeout');
          queries.push({ method: req.method ?? 'GET', query, ...(timeout !== null ? { timeout } : {}) });
          if (queries.length > MAX_RECORDED) queries.shift();
        }
      }
      const upstream = http.request(
        {
          host: LOOPBACK,
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `${LOOPBACK}:${upstreamPort}` },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`recording proxy: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

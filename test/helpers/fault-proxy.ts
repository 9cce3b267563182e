/**
 * An HTTP proxy on 127.0.0.1 in front of a real HTTP server (Prometheus, in the fault tests) whose
 * behaviour a test switches at run time, to play an upstream that is down, slow, failing or broken:
 *
 * - `pass`: forwards every request unchanged.
 * - `down`: stops listening (connections are refused) and drops open connections; leaving `down`
 *   listens again on the same port.
 * - `hang`: accepts requests and never answers; counts the requests the client gave up on.
 * - `status`: answers every request with this HTTP status and a Prometheus-shaped error body.
 * - `garbage`: answers 200 with this body and content type (not JSON, or JSON of a wrong shape).
 * - `truncate`: forwards the upstream answer with a Content-Length larger than the body sent, then
 *   closes the connection mid-body.
 *
 * The proxy closes idle keep-alive connections after `keepAliveTimeoutMs` (default 1 s), so a
 * client's idle pool drains quickly after a test.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { LOOPBACK } from './ports.js';

export type ProxyFault =
  | { kind: 'pass' }
  | { kind: 'down' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; errorType?: string; error?: string }
  | { kind: 'garbage'; body: string; contentType?: string }
  | { kind: 'truncate' };

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  setFault(fault: ProxyFault): Promise<void>;
  /** Requests received so far (any fault). */
  readonly requests: number;
  /** Requests under `hang` whose client closed the connection before an answer. */
  readonly abandoned: number;
  /** Requests under `hang` still held open. */
  readonly held: number;
  /** Client connections open now. */
  openConnections(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(
  upstreamUrl: string,
  opts: { keepAliveTimeoutMs?: number } = {},
): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let fault: ProxyFault = { kind: 'pass' };
  let requests = 0;
  let abandoned = 0;
  const held = new Set<http.ServerResponse>();
  const sockets = new Set<net.Socket>();

  const forward = (
    req: http.IncomingMessage,
    onAnswer: (status: number, headers: http.IncomingHttpHeaders, body: Buffer) => void,
    onError: (err: Error) => void,
  ): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      const headers = { ...req.headers, host: upstream.host };
      const out = http.request(
        {
          host: upstream.hostname,
          port: Number(upstream.port),
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (res) => {
          const body: Buffer[] = [];
          res.on('data', (c: Buffer) => body.push(c));
          res.once('end', () => onAnswer(res.statusCode ?? 502, res.headers, Buffer.concat(body)));
          res.once('error', onError);
        },
      );
      out.setTimeout(30_000, () => out.destroy(new Error('upstream timed out')));
      out.once('error', onError);
      out.end(Buffer.concat(chunks));
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests++;
    const f = fault;
    switch (f.kind) {
      case 'pass':
        forward(
          req,
          (status, headers, body) => {
            const h = { ...headers };
            delete h['transfer-encoding'];
            delete h.connection;
            delete h['keep-alive'];
            h['content-length'] = String(body.length);
            res.writeHead(status, h).end(body);
          },
          () => res.destroy(),
        );
        return;
      case 'down':
        res.destroy();
        return;
      case 'hang':
        req.resume();
        held.add(res);
        res.once('close', () => {
          if (held.delete(res) && !res.writableEnded) abandoned++;
        });
        return;
      case 'status':
        req.resume();
        res.writeHead(f.status, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            status: 'error',
            errorType: f.errorType ?? 'internal',
            error: f.error ?? `injected HTTP ${f.status}`,
          }),
        );
        return;
      case 'garbage':
        req.resume();
        res
          .writeHead(200, {
            'Content-Type': f.contentType ?? 'application/json',
            'Content-Length': String(Buffer.byteLength(f.body)),
          })
          .end(f.body);
        return;
      case 'truncate':
        forward(
          req,
          (status, headers, body) => {
            // Half of what Prometheus sent, while announcing all of it and more.
            res.writeHead(status, {
              'Content-Type': headers['content-type'] ?? 'application/json',
              'Content-Length': String(body.length + 1000),
            });
            res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => {
              res.socket?.destroy();
            });
          },
          () => res.destroy(),
        );
        return;
    }
  };

  const server = http.createServer(handle);
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 1_000;
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;

  const stopListening = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  const listenAgain = async (): Promise<void> => {
    server.listen(port, LOOPBACK);
    await once(server, 'listening');
  };
  const releaseHeld = (): void => {
    for (const res of held) res.destroy();
    held.clear();
  };

  return {
    port,
    url: `http://${LOOPBACK}:${port}`,
    get requests() {
      return requests;
    },
    get abandoned() {
      return abandoned;
    },
    get held() {
      return held.size;
    },
    openConnections: () => sockets.size,
    async setFault(next) {
      const wasDown = fault.kind === 'down';
      if (fault.kind === 'hang' && next.kind !== 'hang') releaseHeld();
      fault = next;
      if (next.kind === 'down' && !wasDown) await stopListening();
      if (next.kind !== 'down' && wasDown) await listenAgain();
    },
    async close() {
      releaseHeld();
      agent.destroy();
      if (server.listening) await stopListening();
    },
  };
}

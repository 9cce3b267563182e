/**
 * HTTPS GETs to kubelets, with a deadline covering the whole exchange, and every failure sorted into
 * a kind the scraper can name a fix for. A request either rides a kept-alive socket (at most one
 * per kubelet, idle ones closed after two minutes) or a connection closed after its answer; both
 * keep TLS sessions for every kubelet, so a new connection is a cheap resumption rather than a full
 * handshake. An idle TLS socket costs ~80-90 KB outside the JS heap, so with thousands of kubelets
 * closing them between ticks is what keeps the resident set down.
 */
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';

export type ScrapeErrorKind =
  | 'timeout'
  | 'connection_refused'
  | 'unauthorized'
  | 'unknown_authority'
  | 'name_mismatch'
  | 'http_status'
  | 'decode'
  | 'no_address'
  | 'connection'
  /** The address is a name that does not resolve (ENOTFOUND, EAI_AGAIN): "no such host". */
  | 'dns';

export class ScrapeError extends Error {
  constructor(
    readonly kind: ScrapeErrorKind,
    message: string,
    /**
     * True when no connection to the address was ever made (refused, unresolvable, unroutable, or
     * no connect before the deadline): another address of the node may work. False once a
     * connection was made, since a kubelet that accepted and is slow must not be asked twice.
     */
    readonly notConnected = false,
  ) {
    super(message);
    this.name = 'ScrapeError';
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

const UNKNOWN_AUTHORITY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Sorts a transport error (Node's error codes) into a kind. */
export function classifyTransportError(err: unknown): ScrapeError {
  if (err instanceof ScrapeError) return err;
  const e = err as Partial<NodeJS.ErrnoException> | null | undefined;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  if (code === 'ECONNREFUSED') return new ScrapeError('connection_refused', message);
  if (DNS_CODES.has(code)) return new ScrapeError('dns', `${code}: ${message}`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new ScrapeError('name_mismatch', message);
  if (UNKNOWN_AUTHORITY_CODES.has(code)) return new ScrapeError('unknown_authority', `${code}: ${message}`);
  if (code === 'ETIMEDOUT') return new ScrapeError('timeout', message);
  return new ScrapeError('connection', code === '' ? message : `${code}: ${message}`);
}

export interface KubeletTls {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  insecure: boolean;
}

export interface KubeletGet {
  /** host:port */
  authority: string;
  path: string;
  accept: string;
  authorization: string | undefined;
  timeoutMs: number;
  /**
   * Give up sooner when no connection is made within this (a blackholed address), so the caller
   * has time left for the node's next address; default: timeoutMs.
   */
  connectTimeoutMs?: number;
  maxBytes?: number;
  /** Keep the socket open for the next request to this kubelet (default true). */
  keepAlive?: boolean;
}

/** A session per kubelet even in the largest clusters; a cached session is a few KB at most. */
const MAX_CACHED_SESSIONS = 20_000;

export class KubeletHttpClient {
  private readonly keepAliveAgent: https.Agent;
  private readonly closingAgent: https.Agent;

  constructor(tls: KubeletTls) {
    const common = {
      // One scrape per kubelet at a time: a second socket to the same kubelet is never needed.
      maxSockets: 1,
      maxCachedSessions: MAX_CACHED_SESSIONS,
      // One TLS context for every connection. Given `ca`/`cert`/`key` instead, Node builds a new
      // context (OpenSSL SSL_CTX, certificate store, parsed key) for each connection: at 1 000
      // kubelets scraped over fresh connections that was ~1 000 contexts per tick of malloc churn.
      secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key }),
      rejectUnauthorized: !tls.insecure,
    };
    this.keepAliveAgent = new https.Agent({
      ...common,
      keepAlive: true,
      maxFreeSockets: 1,
      // Idle sockets outlive one resolution tick but not forever.
      timeout: 120_000,
      scheduling: 'lifo',
    });
    this.closingAgent = new https.Agent({ ...common, keepAlive: false });
  }

  get(req: KubeletGet): Promise<Buffer> {
    // The agent keeps one idle connection per kubelet, so one resend reaches a fresh connection.
    return resendWhileStale(() => this.attempt(req), 1);
  }

  private attempt(req: KubeletGet): Promise<Buffer> {
    const [host, port] = splitAuthority(req.authority);
    const maxBytes = req.maxBytes ?? 64 * 1024 * 1024;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      let responded = false;
      // Whether a TCP connection to the kubelet exists: errors before that concern the address.
      let connected = false;
      const finish = (err: ScrapeError | undefined, body?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(connectTimer);
        if (err !== undefined)
          reject(connected || err.notConnected ? err : new ScrapeError(err.kind, err.message, true));
        else resolve(body ?? Buffer.alloc(0));
      };
      const request = https.request(
        {
          host,
          port,
          path: req.path,
          method: 'GET',
          agent: req.keepAlive === false ? this.closingAgent : this.keepAliveAgent,
          headers: {
            Accept: req.accept,
            'User-Agent': 'metrics-adapter',
            ...(req.authorization !== undefined ? { Authorization: req.authorization } : {}),
          },
        },
        (res: IncomingMessage) => {
          responded = true;
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              res.destroy();
              finish(new ScrapeError('decode', `answer larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('error', (err) => finish(classifyTransportError(err)));
          res.on('aborted', () => finish(new ScrapeError('connection', 'connection closed mid-answer')));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            if (status === 401 || status === 403) {
              finish(new ScrapeError('unauthorized', `${status} ${body.toString('utf8', 0, 200).trim()}`));
            } else if (status < 200 || status >= 300) {
              finish(new ScrapeError('http_status', `${status} ${body.toString('utf8', 0, 200).trim()}`));
            } else finish(undefined, body);
          });
          res.on('close', () => {
            if (!res.complete) finish(new ScrapeError('connection', 'connection closed mid-answer'));
          });
        },
      );
      request.on('socket', (socket) => {
        // A kept-alive socket is connected already; a new one says so with 'connect'.
        if (!socket.connecting) connected = true;
        else
          socket.once('connect', () => {
            connected = true;
            clearTimeout(connectTimer);
          });
      });
      const timer = setTimeout(() => {
        finish(
          new ScrapeError(
            'timeout',
            connected
              ? `no complete answer within ${req.timeoutMs} ms`
              : `could not connect within ${req.timeoutMs} ms`,
          ),
        );
        request.destroy();
      }, req.timeoutMs);
      const connectMs = req.connectTimeoutMs ?? req.timeoutMs;
      const connectTimer =
        connectMs < req.timeoutMs
          ? setTimeout(() => {
              if (connected) return;
              finish(new ScrapeError('timeout', `could not connect within ${connectMs} ms`));
              request.destroy();
            }, connectMs)
          : undefined;
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (failedOnStaleConnection(request, err, responded))
          finish(staleFailure(new ScrapeError('connection', err.message)));
        else finish(classifyTransportError(err));
      });
      request.end();
    });
  }

  /**
   * Drops everything kept for one kubelet (a node that was deleted): its idle kept-alive socket
   * and its TLS session, so a cluster whose nodes come and go keeps nothing for the gone ones.
   */
  forget(authority: string): void {
    const [host, port] = splitAuthority(authority);
    for (const agent of [this.keepAliveAgent, this.closingAgent]) {
      // Named as the agent names it when it adds a request: its own options (CA, client
      // certificate, verification) merged over the request's host and port.
      const name = agent.getName({ ...agent.options, host, port });
      for (const s of agent.freeSockets[name] ?? []) s.destroy();
      // The session cache has no public API; _evictSession is how the agent drops a bad session.
      (agent as unknown as { _evictSession?: (key: string) => void })._evictSession?.(name);
    }
  }

  /** Idle sockets and TLS sessions kept, over both agents (tests check that they shrink back). */
  kept(): { idleSockets: number; sessions: number } {
    let idleSockets = 0;
    let sessions = 0;
    for (const agent of [this.keepAliveAgent, this.closingAgent]) {
      for (const list of Object.values(agent.freeSockets)) idleSockets += list?.length ?? 0;
      const cache = (agent as unknown as { _sessionCache?: { list?: unknown[] } })._sessionCache;
      sessions += cache?.list?.length ?? 0;
    }
    return { idleSockets, sessions };
  }

  /** Closes the idle kept-alive sockets (when the scraper stops keeping them). */
  closeIdle(): void {
    for (const sockets of Object.values(this.keepAliveAgent.freeSockets))
      for (const s of sockets ?? []) s.destroy();
  }

  close(): void {
    this.keepAliveAgent.destroy();
    this.closingAgent.destroy();
  }
}

function splitAuthority(authority: string): [string, number] {
  const colon = authority.lastIndexOf(':');
  let host = authority.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, Number(authority.slice(colon + 1))];
}

/**
 * The HTTPS listener: serving pair and client-CA hints swapped live, and a graceful shutdown that
 * stops accepting, lets in-flight requests finish and closes keep-alive connections, within a
 * bounded time.
 *
 * Connection limits (CONNECTION_LIMITS): the request head is bounded in size (node answers 431
 * beyond it) and must arrive within a short time, so a client that dribbles its headers is
 * dropped; idle keep-alive connections stay open as long as before.
 */
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { ServingOptions } from '../config/serve-options.js';
import type { Logger } from '../logging.js';
import { answerClientError } from './client-error.js';
import type { MessageClasses } from './message-classes.js';
import type { ServingPair } from './x509.js';

export interface ConnectionLimits {
  /**
   * Bytes of request line and headers node reads (431 beyond). 32 KiB: twice node's 16 KiB
   * default, room for a front proxy's X-Remote-Group list of a user in many groups and a large
   * bearer token, while a connection still costs at most this much unparsed head.
   */
  maxHeaderSize: number;
  /** The whole request head must arrive within this; slower clients are dropped (408 or reset). */
  headersTimeoutMs: number;
  /** The whole request, body included (bodies are refused anyway); at least headersTimeoutMs. */
  requestTimeoutMs: number;
  /** How often node looks for connections past those timeouts (its default is 30 s). */
  checkIntervalMs: number;
  /** Idle keep-alive connections: longer than the aggregator's idle timeout (90 s), so it closes first. */
  keepAliveTimeoutMs: number;
}

export const CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxHeaderSize: 32 * 1024,
  // The aggregator and kubectl send a request's head in one write; 10 s covers a congested link
  // and caps how long a slow-loris connection holds a socket.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  checkIntervalMs: 1_000,
  keepAliveTimeoutMs: 120_000,
};

export interface SecureServerOptions {
  serving: Pick<ServingOptions, 'port' | 'bindAddress' | 'minVersion' | 'ciphers'>;
  pair: ServingPair;
  clientCAPems: string[];
  logger: Logger;
  /** The request and response classes the handler expects (messageClassesFor(app)). */
  messageClasses?: MessageClasses;
  /** Overrides of CONNECTION_LIMITS (tests shorten the timeouts). */
  limits?: Partial<ConnectionLimits>;
}

export class SecureServer {
  readonly server: https.Server;
  private pair: ServingPair;
  private clientCAPems: string[];
  private shuttingDown = false;
  private active = 0;

  constructor(
    handler: RequestListener,
    private readonly options: SecureServerOptions,
  ) {
    this.pair = options.pair;
    this.clientCAPems = options.clientCAPems;
    const limits = { ...CONNECTION_LIMITS, ...options.limits };
    this.server = https.createServer(
      {
        maxHeaderSize: limits.maxHeaderSize,
        connectionsCheckingInterval: limits.checkIntervalMs,
        ...this.contextOptions(),
        // HTTP/1.1 only (node:https's default, stated here because --disable-http2 relies on it):
        // clients offering h2 too (the aggregator, curl) fall back, and no HTTP/2 rapid reset.
        ALPNProtocols: ['http/1.1'],
        ...options.messageClasses,
        requestCert: true,
        // Client certificates are verified per request against the right CA (see authn.ts).
        rejectUnauthorized: false,
        minVersion: options.serving.minVersion,
        ...(options.serving.ciphers !== undefined
          ? { ciphers: options.serving.ciphers, honorCipherOrder: true }
          : {}),
      },
      (req, res) => {
        this.active++;
        res.on('close', () => {
          this.active--;
        });
        if (this.shuttingDown) res.setHeader('Connection', 'close');
        handler(req, res);
      },
    );
    this.server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    this.server.headersTimeout = limits.headersTimeoutMs;
    this.server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
    this.server.on('clientError', answerClientError);
    this.server.on('tlsClientError', (err) =>
      options.logger.debug({ err: err.message }, 'TLS handshake failed'),
    );
  }

  private contextOptions(): { cert: string; key: string; ca?: string[] } {
    const ctx: { cert: string; key: string; ca?: string[] } = {
      cert: this.pair.certPem,
      key: this.pair.keyPem,
    };
    if (this.clientCAPems.length > 0) ctx.ca = this.clientCAPems;
    return ctx;
  }

  private refreshContext(): void {
    // setSecureContext replaces the whole context: cert, key and CA hints together.
    this.server.setSecureContext({
      ...this.contextOptions(),
      minVersion: this.options.serving.minVersion,
      ...(this.options.serving.ciphers !== undefined
        ? { ciphers: this.options.serving.ciphers, honorCipherOrder: true }
        : {}),
    });
  }

  updateServingPair(pair: ServingPair): void {
    this.pair = pair;
    this.refreshContext();
  }

  updateClientCAs(pems: string[]): void {
    this.clientCAPems = pems;
    this.refreshContext();
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async listen(): Promise<AddressInfo> {
    this.server.listen(this.options.serving.port, this.options.serving.bindAddress);
    await once(this.server, 'listening');
    return this.server.address() as AddressInfo;
  }

  /** Marks the server as going away (readiness fails) without closing it yet. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Stops accepting, drains in-flight requests, and closes everything by `deadlineMs` at the latest. */
  async close(deadlineMs: number): Promise<void> {
    this.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const started = Date.now();
    const poll = setInterval(() => this.server.closeIdleConnections(), 100);
    const timer = setTimeout(
      () => {
        this.options.logger.warn(
          { inFlight: this.active },
          'shutdown deadline reached; closing remaining connections',
        );
        this.server.closeAllConnections();
      },
      Math.max(0, deadlineMs),
    );
    try {
      await closed;
    } finally {
      clearInterval(poll);
      clearTimeout(timer);
    }
    this.options.logger.info({ ms: Date.now() - started }, 'HTTPS server closed');
  }
}

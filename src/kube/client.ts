/**
 * A small HTTP client for the Kubernetes API. `@kubernetes/client-node` loads the kubeconfig and
 * applies its credentials (token files, exec plugins, client certificates, in-cluster service
 * account); the requests themselves go through `node:http(s)` with our own keep-alive agent and
 * deadlines, because client-node's fetch path ignores custom agents, its Watch has no header
 * timeout, and it refuses plain-http servers such as `kubectl proxy` that kubectl accepts.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { abortedError, boundedTimeout } from '../deadline.js';
import { TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';
import { apiErrorFrom, readBody, readBuffer } from './answer.js';
import { KubeConfigError, loadKubeConfig } from './kubeconfig.js';

/** Connections kept to the Kubernetes API (per client). */
const MAX_SOCKETS = 32;

export interface KubeRequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  accept?: string;
  /** The call's own deadline; a request deadline carried by `signal` bounds it further. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface TlsMaterial {
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export class KubeClient {
  readonly server: URL;
  private agent: http.Agent | undefined;
  private agentKey = '';

  constructor(
    private readonly kc: KubeConfig,
    private readonly defaultTimeoutMs = 10_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new KubeConfigError('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  static fromKubeconfig(path: string | undefined): KubeClient {
    return new KubeClient(loadKubeConfig(path));
  }

  /** Credentials can rotate (token files, exec plugins): apply them for every request. */
  private async prepare(): Promise<{ headers: Record<string, string>; agent: http.Agent }> {
    const opts: https.RequestOptions & TlsMaterial = { headers: {} };
    const cluster = this.kc.getCurrentCluster();
    if (this.server.protocol === 'http:' && cluster !== null && !cluster.skipTLSVerify) {
      // client-node refuses to build options for plain http; apply credentials via a copy that allows it.
      const copy = new KubeConfig();
      const user = this.kc.getCurrentUser();
      copy.loadFromClusterAndUser({ ...cluster, skipTLSVerify: true }, user ?? { name: 'anonymous' });
      await copy.applyToHTTPSOptions(opts);
    } else {
      await this.kc.applyToHTTPSOptions(opts);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === 'string') headers[k] = v;
      else if (typeof v === 'number') headers[k] = String(v);
    }
    if (typeof opts.auth === 'string' && opts.auth !== '') {
      headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    }
    const material: TlsMaterial = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    };
    const key = JSON.stringify(material, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
    if (this.agent === undefined || key !== this.agentKey) {
      this.agent?.destroy();
      this.agent =
        this.server.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...(material as https.AgentOptions) })
          : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
      this.agentKey = key;
    }
    return { headers, agent: this.agent };
  }

  /**
   * The CA bundle this client trusts for the API server (from the kubeconfig, or the in-cluster
   * service account's ca.crt); undefined when the kubeconfig names none (the system store).
   */
  async certificateAuthority(): Promise<Buffer | undefined> {
    const opts: https.RequestOptions = {};
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null || this.server.protocol !== 'https:') return undefined;
    await this.kc.applyToHTTPSOptions(opts);
    const ca = opts.ca;
    if (ca === undefined) return undefined;
    if (Buffer.isBuffer(ca)) return ca;
    if (typeof ca === 'string') return Buffer.from(ca);
    return Buffer.concat(
      (Array.isArray(ca) ? ca : [ca]).map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c))),
    );
  }

  /**
   * The Authorization header this client's credentials produce (bearer token of the kubeconfig
   * user or the in-cluster service account, re-read when files rotate), for talking to kubelets
   * with the same identity; undefined when the credentials are a client certificate or none.
   */
  async authorizationHeader(): Promise<string | undefined> {
    const { headers } = await this.prepare();
    return headers.Authorization ?? headers.authorization;
  }

  private url(path: string, query: Record<string, string | undefined> | undefined): URL {
    const base = this.server.pathname.replace(/\/$/, '');
    const u = new URL(this.server.href);
    u.pathname = base + path;
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, v);
    return u;
  }

  /** Sends a request and parses a JSON answer; throws KubeApiError for non-2xx, Unavailable/Timeout for transport failures. */
  async requestJSON<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options, false);
    const text = await readBody(res, 64 * 1024 * 1024).catch((err: unknown) => {
      if (err instanceof TimeoutError || err instanceof UnavailableError) throw err;
      if (options.signal?.aborted === true) throw abortedError(options.signal);
      throw new UnavailableError(
        `the Kubernetes API answer to ${method} ${path} broke off: ${errorMessage(err)}`,
      );
    });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiErrorFrom(status, text, method, path);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UnavailableError(`the Kubernetes API answered ${method} ${path} with invalid JSON`);
    }
  }

  /**
   * A GET whose answer is not JSON (a kubelet's answer through the node proxy), as raw bytes:
   * the deadline covers the whole answer, and an answer over maxBytes is an UnavailableError.
   * Throws KubeApiError for non-2xx (with the Status message), Unavailable/Timeout for transport.
   */
  async requestRaw(path: string, options: KubeRequestOptions & { maxBytes: number }): Promise<Buffer> {
    const res = await this.send('GET', path, options, false);
    const status = res.statusCode ?? 0;
    const body = await readBuffer(res, status >= 200 && status < 300 ? options.maxBytes : 1024 * 1024).catch(
      (err: unknown) => {
        if (err instanceof TimeoutError || err instanceof UnavailableError) throw err;
        if (options.signal?.aborted === true) throw abortedError(options.signal);
        throw new UnavailableError(
          `the Kubernetes API answer to GET ${path} broke off: ${errorMessage(err)}`,
        );
      },
    );
    if (status < 200 || status >= 300) throw apiErrorFrom(status, body.toString('utf8'), 'GET', path);
    return body;
  }

  /** Opens a streaming GET (watch). The deadline covers the response headers only. */
  async openStream(path: string, options: KubeRequestOptions = {}): Promise<http.IncomingMessage> {
    const res = await this.send('GET', path, options, true);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const text = await readBody(res, 1024 * 1024);
      throw apiErrorFrom(status, text, 'GET', path);
    }
    return res;
  }

  private async send(
    method: string,
    path: string,
    options: KubeRequestOptions,
    stream: boolean,
  ): Promise<http.IncomingMessage> {
    const { headers, agent } = await this.prepare();
    const url = this.url(path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const timeoutMs = boundedTimeout(options.timeoutMs ?? this.defaultTimeoutMs, options.signal);
    const mod = url.protocol === 'https:' ? https : http;
    const attempt = (): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => {
        let answered = false;
        const req = mod.request(
          url,
          {
            method,
            agent,
            headers: {
              ...headers,
              Accept: options.accept ?? 'application/json',
              'User-Agent': 'metrics-adapter',
              ...(body !== undefined
                ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
                : {}),
            },
            signal: options.signal,
          },
          (res) => {
            answered = true;
            // A JSON answer's deadline covers its body too; a stream's only its headers.
            if (stream) clearTimeout(timer);
            else {
              response = res;
              res.once('close', () => clearTimeout(timer));
            }
            resolve(res);
          },
        );
        let response: http.IncomingMessage | undefined;
        const timer = setTimeout(() => {
          const err = new TimeoutError(
            `the Kubernetes API did not answer ${method} ${path} within ${timeoutMs} ms`,
          );
          response?.destroy(err);
          req.destroy(err);
        }, timeoutMs);
        if (!stream) timer.unref();
        req.on('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          const message = `cannot reach the Kubernetes API at ${this.server.origin}: ${err.message}`;
          if (err instanceof TimeoutError) reject(err);
          else if (options.signal?.aborted === true) reject(abortedError(options.signal));
          else if (failedOnStaleConnection(req, err, answered))
            reject(staleFailure(new UnavailableError(message)));
          else reject(new UnavailableError(message));
        });
        req.end(body);
      });
    // Several pooled connections may have gone stale together (the server closes them all after
    // its idle timeout), so the resends go through the pool.
    return resendWhileStale(attempt, MAX_SOCKETS);
  }

  close(): void {
    this.agent?.destroy();
  }
}

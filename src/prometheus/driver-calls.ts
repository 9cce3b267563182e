/**
 * The calls that go through `prometheus-query` (series lists and label values: the rule tools, a
 * request for a metric the catalog does not know yet), with the client's transport added through
 * the library's request interceptor: the keep-alive agent with our CA and client certificate, the
 * bearer token re-read when its file changes, a per-call deadline and abort signal. The library's
 * failures become typed ApiErrors whose messages name the upstream problem without leaking
 * credentials.
 *
 * The per-call deadline reaches the interceptor through a driver made for that call, not through
 * AsyncLocalStorage: on Node 20 one `AsyncLocalStorage.run` switches on promise hooks for the
 * rest of the process, which made every later `await` in every request about three times as
 * expensive. Discovery calls are rare, so a driver per call costs nothing that matters.
 */
import type http from 'node:http';
import type { PrometheusDriver } from 'prometheus-query';
import { abortedError } from '../deadline.js';
import { TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';
import { MAX_STALE_RESENDS } from './transport.js';
import type { TransportSettings } from './types.js';

/**
 * prometheus-query is loaded on its first use. With axios it costs a running adapter about
 * 13 MiB resident (axios also loads Node's fetch and http2 modules), and discovery and queries,
 * all that an adapter at rest does, go through transport.ts.
 */
type DriverModule = typeof import('prometheus-query');
let driverClass: Promise<typeof PrometheusDriver> | undefined;
const loadDriverClass = (): Promise<typeof PrometheusDriver> =>
  (driverClass ??= import('prometheus-query').then((m) => {
    // A CommonJS package: Node's loader gives its named exports, the bundle only a default.
    const mod = m as Partial<DriverModule> & { default?: Partial<DriverModule> };
    const driver = mod.PrometheusDriver ?? mod.default?.PrometheusDriver;
    if (driver === undefined) throw new Error('prometheus-query has no PrometheusDriver export');
    return driver;
  }));

/** prometheus-query's network failure keeps axios' error, whose `request` is Node's. */
interface DriverNetworkError {
  code?: unknown;
  original?: { request?: { reusedSocket?: unknown }; response?: unknown };
}

interface PrometheusQueryError {
  status?: string;
  errorType?: string;
  error?: string;
  httpStatus?: number;
  code?: string;
}

interface CallContext {
  signal?: AbortSignal;
  timeoutMs: number;
  headers?: Readonly<Record<string, string>>;
}

export interface DriverCallsOptions {
  /** The configured URL, credentials and all. */
  url: URL;
  transport: TransportSettings;
  agent: http.Agent;
  /** The client's default deadline. */
  timeoutMs: number;
  /** The URL as shown in messages (no credentials). */
  display: string;
}

export class DriverCalls {
  private readonly makeDriver: (preferPost: boolean, ctx: CallContext) => Promise<PrometheusDriver>;

  constructor(private readonly options: DriverCallsOptions) {
    const { url, agent } = options;
    const t = options.transport;
    const auth =
      url.username !== ''
        ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        : undefined;
    const endpoint = `${url.protocol}//${url.host}`;
    const baseURL = `${url.pathname.replace(/\/$/, '')}/api/v1/`;
    this.makeDriver = async (preferPost: boolean, ctx: CallContext): Promise<PrometheusDriver> =>
      new (await loadDriverClass())({
        endpoint,
        baseURL,
        headers: { ...(t.headers ?? {}) },
        auth,
        preferPost,
        timeout: options.timeoutMs,
        requestInterceptor: {
          onFulfilled: async (config) => {
            if (url.protocol === 'https:') config.httpsAgent = agent;
            else config.httpAgent = agent;
            // Responses can be large; do not let axios cap them below what Prometheus sends.
            config.maxContentLength = 256 * 1024 * 1024;
            config.maxRedirects = 0;
            config.proxy = false;
            config.timeout = ctx.timeoutMs;
            if (ctx.signal !== undefined) config.signal = ctx.signal;
            for (const [name, value] of Object.entries(ctx.headers ?? {})) config.headers.set(name, value);
            const authorization = await t.authorization?.();
            if (authorization !== undefined) config.headers.set('Authorization', authorization);
            return config;
          },
        },
      });
  }

  /**
   * One call through the library within `leftMs`, sent again while it fails on a kept-alive
   * connection the far end had closed. `timeoutMs` is the call's whole budget, named in messages.
   */
  run<T>(
    preferPost: boolean,
    timeoutMs: number,
    leftMs: number,
    signal: AbortSignal | undefined,
    fn: (driver: PrometheusDriver) => Promise<T>,
    headers?: Readonly<Record<string, string>>,
  ): Promise<T> {
    const deadline = Date.now() + leftMs;
    const send = async (): Promise<T> => {
      try {
        const driver = await this.makeDriver(preferPost, {
          signal,
          timeoutMs: Math.max(1, deadline - Date.now()),
          headers,
        });
        return await fn(driver);
      } catch (err) {
        const e: DriverNetworkError = typeof err === 'object' && err !== null ? err : {};
        const typed = this.translate(err, timeoutMs, signal);
        const stale =
          signal?.aborted !== true &&
          failedOnStaleConnection(e.original?.request, e, e.original?.response !== undefined);
        throw stale ? staleFailure(typed) : typed;
      }
    };
    return resendWhileStale(send, MAX_STALE_RESENDS);
  }

  private translate(err: unknown, timeoutMs: number, signal: AbortSignal | undefined): Error {
    const display = this.options.display;
    if (err instanceof Error && !(typeof err === 'object' && 'errorType' in err)) {
      return new UnavailableError(`Prometheus request failed: ${err.message}`);
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as PrometheusQueryError;
    const upstream = (e.error ?? errorMessage(err)).slice(0, 500);
    if (signal?.aborted === true) return abortedError(signal);
    if (
      e.errorType === 'timeout_error' ||
      e.errorType === 'timeout' ||
      e.code === 'ECONNABORTED' ||
      e.code === 'ETIMEDOUT'
    ) {
      return new TimeoutError(`Prometheus at ${display} did not answer within ${timeoutMs} ms`);
    }
    if (e.errorType === 'http_error') {
      return new UnavailableError(`Prometheus at ${display} answered ${e.httpStatus ?? '?'}: ${upstream}`);
    }
    if (e.code === 'ERR_CANCELED') return new UnavailableError('the request was cancelled');
    return new UnavailableError(`unable to reach Prometheus at ${display}: ${upstream}`);
  }
}

/**
 * Our small interface to anything that speaks the Prometheus HTTP API (Prometheus, Thanos, Mimir,
 * Cortex, VictoriaMetrics). Series lists and label values go through `prometheus-query` (loaded on first use); the
 * instant query (instant-query.ts) and discovery's series lookup (series-shapes.ts) run on our own
 * transport (transport.ts) with the same settings. Transport concerns the library
 * does not cover are added through its request interceptor: a keep-alive agent with our CA and
 * client certificate, a bearer token re-read when its file changes, and a per-call deadline and
 * abort signal. Errors become typed ApiErrors whose messages name the upstream problem without
 * leaking credentials.
 *
 * The per-call deadline reaches the interceptor through a driver made for that call, not through
 * AsyncLocalStorage: on Node 20 one `AsyncLocalStorage.run` switches on promise hooks for the
 * rest of the process, which made every later `await` in every request about three times as
 * expensive. Discovery calls are rare, so a driver per call costs nothing that matters.
 *
 * Every call is bounded twice: by the request deadline its signal carries (deadline.ts), so its
 * timeout — and the `timeout=` Prometheus is asked to respect — is the smaller of its own and the
 * request's remaining time; and by the query slots (--max-prometheus-queries), whose waiting time
 * counts within that timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { PrometheusDriver } from 'prometheus-query';
import { abortedError, boundedTimeout } from '../deadline.js';
import { TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';
import { runInstantQuery } from './instant-query.js';
import { QuerySlots, type SlotsObserver } from './query-slots.js';
import type { SeriesShape } from './series-scan.js';
import { runSeriesShapes } from './series-shapes.js';
import { MAX_STALE_RESENDS, type QueryTransport } from './transport.js';

/**
 * prometheus-query is loaded on its first use (a series or label-values lookup: the rule tools,
 * a request for a metric the catalog does not know yet). With axios it costs a running adapter
 * about 13 MiB resident (axios also loads Node's fetch and http2 modules), and discovery and
 * queries, all that an adapter at rest does, go through transport.ts.
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

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
  timestamp: Date;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's default deadline for this call (still bounded by the signal's deadline). */
  timeoutMs?: number;
}

export interface PrometheusClient {
  /** Instant query; vector results as samples, a scalar as one label-less sample. */
  query(promql: string, options?: CallOptions): Promise<Sample[]>;
  /** Label sets (with __name__) of the series matching any of `selectors` in [start, end]. */
  series(
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<Record<string, string>[]>;
  labelValues(
    label: string,
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<string[]>;
  /**
   * What `shapesOf(series(…))` gives (rules/catalog.ts), read without holding the series: for
   * discovery, which needs only names and label names. Optional: without it callers reduce series().
   */
  seriesShapes?(
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<SeriesShape[]>;
}

export interface TransportSettings {
  /** TLS material for https endpoints. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Extra headers (e.g. X-Scope-OrgID). */
  headers?: Record<string, string>;
  /** Called per request: current Authorization header value, if any. */
  authorization?: () => Promise<string | undefined> | string | undefined;
}

export interface HttpPrometheusClientOptions {
  url: string;
  transport?: TransportSettings;
  timeoutMs: number;
  /** Always POST (prometheus-adapter's --prometheus-verb=POST); otherwise only long requests are POSTed. */
  alwaysPost?: boolean;
  /** Queries longer than this are POSTed to stay under URL length limits. */
  postThreshold?: number;
  /** Share one call between identical queries in flight (default true). */
  coalesce?: boolean;
  /** Calls running at once (--max-prometheus-queries); 0 or undefined: unlimited. */
  maxConcurrent?: number;
  /** Told the running and queued call counts whenever they change. */
  observeSlots?: SlotsObserver;
  observe?: (endpoint: string, outcome: string, seconds: number) => void;
}

interface CallContext {
  signal?: AbortSignal;
  timeoutMs: number;
}

interface PrometheusQueryError {
  status?: string;
  errorType?: string;
  error?: string;
  httpStatus?: number;
  code?: string;
}

/** Strips credentials from a URL for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}

export class HttpPrometheusClient implements PrometheusClient {
  private readonly makeDriver: (preferPost: boolean, ctx: CallContext) => Promise<PrometheusDriver>;
  private readonly agent: http.Agent;
  private readonly display: string;
  private readonly transport: QueryTransport;
  private readonly inflight = new Map<string, SharedCall<Sample[]>>();
  private readonly slots: QuerySlots;

  constructor(private readonly options: HttpPrometheusClientOptions) {
    const url = new URL(options.url);
    this.display = redactUrl(options.url);
    this.slots = new QuerySlots(options.maxConcurrent ?? 0, options.observeSlots);
    const t = options.transport ?? {};
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 64, ca: t.ca, cert: t.cert, key: t.key })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
    const auth =
      url.username !== ''
        ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        : undefined;
    const base = new URL(url.href);
    base.username = '';
    base.password = '';
    base.search = '';
    this.transport = {
      base,
      agent: this.agent,
      headers: { ...(t.headers ?? {}) },
      authorization: t.authorization,
      basicAuth:
        auth === undefined
          ? undefined
          : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      display: this.display,
    };
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
            if (url.protocol === 'https:') config.httpsAgent = this.agent;
            else config.httpAgent = this.agent;
            // Responses can be large; do not let axios cap them below what Prometheus sends.
            config.maxContentLength = 256 * 1024 * 1024;
            config.maxRedirects = 0;
            config.proxy = false;
            config.timeout = ctx.timeoutMs;
            if (ctx.signal !== undefined) config.signal = ctx.signal;
            const authorization = await t.authorization?.();
            if (authorization !== undefined) config.headers.set('Authorization', authorization);
            return config;
          },
        },
      });
  }

  private call<T>(
    endpoint: string,
    options: CallOptions | undefined,
    preferPost: boolean,
    fn: (driver: PrometheusDriver) => Promise<T>,
  ): Promise<T> {
    const signal = options?.signal;
    const timeoutMs = boundedTimeout(options?.timeoutMs ?? this.options.timeoutMs, signal);
    return this.inSlot(endpoint, timeoutMs, signal, async (leftMs) => {
      const deadline = Date.now() + leftMs;
      const send = async (): Promise<T> => {
        try {
          const driver = await this.makeDriver(preferPost, {
            signal,
            timeoutMs: Math.max(1, deadline - Date.now()),
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
    });
  }

  /**
   * Runs one Prometheus call in a query slot: the wait for the slot counts within `timeoutMs`,
   * `run` gets what is left, and the call's duration and outcome are observed per endpoint.
   */
  private async inSlot<T>(
    endpoint: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    run: (leftMs: number) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const release = await this.slots.acquire(timeoutMs, signal);
    const started = process.hrtime.bigint();
    let outcome = 'success';
    try {
      return await run(Math.max(1, deadline - Date.now()));
    } catch (err) {
      outcome = err instanceof TimeoutError ? 'timeout' : 'error';
      throw err;
    } finally {
      release();
      this.options.observe?.(endpoint, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private translate(err: unknown, timeoutMs: number, signal: AbortSignal | undefined): Error {
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
      return new TimeoutError(`Prometheus at ${this.display} did not answer within ${timeoutMs} ms`);
    }
    if (e.errorType === 'http_error') {
      return new UnavailableError(
        `Prometheus at ${this.display} answered ${e.httpStatus ?? '?'}: ${upstream}`,
      );
    }
    if (e.code === 'ERR_CANCELED') return new UnavailableError('the request was cancelled');
    return new UnavailableError(`unable to reach Prometheus at ${this.display}: ${upstream}`);
  }

  /**
   * Instant query at "now". Identical queries already in flight share one Prometheus call (their
   * answer would be the same), so a burst of equal requests costs Prometheus one evaluation and
   * one query slot. The shared call is cancelled only when every caller waiting on it has gone.
   */
  query(promql: string, options?: CallOptions): Promise<Sample[]> {
    let shared = this.options.coalesce === false ? undefined : this.inflight.get(promql);
    if (shared === undefined) {
      const timeoutMs = boundedTimeout(options?.timeoutMs ?? this.options.timeoutMs, options?.signal);
      const post = this.options.alwaysPost === true || promql.length > (this.options.postThreshold ?? 2048);
      const call = new SharedCall((signal) => this.runQuery(promql, post, timeoutMs, signal));
      if (this.options.coalesce !== false) {
        this.inflight.set(promql, call);
        const forget = (): void => {
          if (this.inflight.get(promql) === call) this.inflight.delete(promql);
        };
        call.onAbandon = forget;
        call.promise.then(forget, forget);
      }
      shared = call;
    }
    return shared.join(options?.signal);
  }

  private runQuery(promql: string, post: boolean, timeoutMs: number, signal: AbortSignal): Promise<Sample[]> {
    return this.inSlot('query', timeoutMs, signal, (leftMs) =>
      runInstantQuery(this.transport, { promql, post, timeoutMs: leftMs, budgetMs: timeoutMs, signal }),
    );
  }

  series(
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<Record<string, string>[]> {
    const total = selectors.reduce((n, s) => n + s.length, 0);
    const post = this.options.alwaysPost === true || total > (this.options.postThreshold ?? 2048);
    return this.call('series', options, post, async (driver) => {
      const metrics = await driver.series([...selectors], start, end);
      return metrics.map((m) => {
        const labels: Record<string, string> = { ...(m.labels as Record<string, string>) };
        // Typed as string, but absent for series without a name.
        const name = m.name as string | undefined;
        if (name !== undefined && name !== '') labels.__name__ = name;
        return labels;
      });
    });
  }

  /** The series lookup of discovery, streamed and reduced to shapes as it is read (series-shapes.ts). */
  seriesShapes(
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<SeriesShape[]> {
    const total = selectors.reduce((n, s) => n + s.length, 0);
    const post = this.options.alwaysPost === true || total > (this.options.postThreshold ?? 2048);
    const signal = options?.signal;
    const timeoutMs = boundedTimeout(options?.timeoutMs ?? this.options.timeoutMs, signal);
    return this.inSlot('series', timeoutMs, signal, (leftMs) =>
      runSeriesShapes(this.transport, {
        selectors,
        start,
        end,
        post,
        timeoutMs: leftMs,
        budgetMs: timeoutMs,
        signal,
      }),
    );
  }

  labelValues(
    label: string,
    selectors: readonly string[],
    start: Date,
    end: Date,
    options?: CallOptions,
  ): Promise<string[]> {
    return this.call('label_values', options, this.options.alwaysPost === true, (driver) =>
      driver.labelValues(encodeURIComponent(label), [...selectors], start, end),
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * One Prometheus call and the callers waiting for it. A caller whose signal fires stops waiting at
 * once; when the last caller with a signal has gone (and none without one is waiting), the call
 * itself is aborted, which frees its query slot or closes its connection.
 */
class SharedCall<T> {
  readonly promise: Promise<T>;
  /** Called when the call is aborted for lack of callers. */
  onAbandon: (() => void) | undefined;
  private readonly abort = new AbortController();
  private waiting = 0;
  private pinned = false;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.abort.signal);
    // Callers handle the outcome; an abandoned call's rejection has nobody left to tell.
    this.promise.catch(() => undefined);
  }

  join(signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) {
      this.pinned = true;
      return this.promise;
    }
    if (signal.aborted) return Promise.reject(abortedError(signal));
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        reject(abortedError(signal));
        this.leave(signal);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private leave(signal: AbortSignal): void {
    this.waiting--;
    if (this.waiting > 0 || this.pinned || this.abort.signal.aborted) return;
    this.onAbandon?.();
    this.abort.abort(signal.reason);
  }
}

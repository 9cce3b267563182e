/**
 * Our small interface to anything that speaks the Prometheus HTTP API (Prometheus, Thanos, Mimir,
 * Cortex, VictoriaMetrics). The instant query (instant-query.ts) and discovery's series lookup
 * (series-shapes.ts) run on our own transport (transport.ts); series lists and label values go
 * through `prometheus-query` (driver-calls.ts) with the same settings.
 *
 * Every call is bounded twice: by the request deadline its signal carries (deadline.ts), so its
 * timeout — and the `timeout=` Prometheus is asked to respect — is the smaller of its own and the
 * request's remaining time; and by the query slots (--max-prometheus-queries), whose waiting time
 * counts within that timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { PrometheusDriver } from 'prometheus-query';
import { boundedTimeout } from '../deadline.js';
import { TimeoutError } from '../errors.js';
import { DriverCalls } from './driver-calls.js';
import { runInstantQuery } from './instant-query.js';
import { QuerySlots, type SlotsObserver } from './query-slots.js';
import { runSeriesShapes } from './series-shapes.js';
import type { SeriesShape } from './shape-set.js';
import { SharedCall } from './shared-call.js';
import type { QueryTransport } from './transport.js';
import type { CallOptions, PrometheusClient, Sample, TransportSettings } from './types.js';

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

/**
 * What identical queries in flight are shared by: the PromQL and the call's own headers, so two
 * tenants' equal queries (told apart by their X-Scope-OrgID) never share an answer.
 */
function coalescingKey(promql: string, headers: Readonly<Record<string, string>> | undefined): string {
  if (headers === undefined) return promql;
  const names = Object.keys(headers).sort();
  if (names.length === 0) return promql;
  return `${JSON.stringify(names.map((n) => [n.toLowerCase(), headers[n]]))}\u0000${promql}`;
}

export class HttpPrometheusClient implements PrometheusClient {
  private readonly driver: DriverCalls;
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
    this.driver = new DriverCalls({
      url,
      transport: t,
      agent: this.agent,
      timeoutMs: options.timeoutMs,
      display: this.display,
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
    return this.inSlot(endpoint, timeoutMs, signal, (leftMs) =>
      this.driver.run(preferPost, timeoutMs, leftMs, signal, fn, options?.headers),
    );
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

  /**
   * Instant query at "now". Identical queries (same PromQL and headers) already in flight share one Prometheus call (their
   * answer would be the same), so a burst of equal requests costs Prometheus one evaluation and
   * one query slot. The shared call is cancelled only when every caller waiting on it has gone.
   */
  query(promql: string, options?: CallOptions): Promise<Sample[]> {
    const headers = options?.headers;
    const key = coalescingKey(promql, headers);
    let shared = this.options.coalesce === false ? undefined : this.inflight.get(key);
    if (shared === undefined) {
      const timeoutMs = boundedTimeout(options?.timeoutMs ?? this.options.timeoutMs, options?.signal);
      const post = this.options.alwaysPost === true || promql.length > (this.options.postThreshold ?? 2048);
      const call = new SharedCall((signal) => this.runQuery(promql, post, timeoutMs, signal, headers));
      if (this.options.coalesce !== false) {
        this.inflight.set(key, call);
        const forget = (): void => {
          if (this.inflight.get(key) === call) this.inflight.delete(key);
        };
        call.onAbandon = forget;
        call.promise.then(forget, forget);
      }
      shared = call;
    }
    return shared.join(options?.signal);
  }

  private runQuery(
    promql: string,
    post: boolean,
    timeoutMs: number,
    signal: AbortSignal,
    headers: Readonly<Record<string, string>> | undefined,
  ): Promise<Sample[]> {
    return this.inSlot('query', timeoutMs, signal, (leftMs) =>
      runInstantQuery(this.transport, {
        promql,
        post,
        timeoutMs: leftMs,
        budgetMs: timeoutMs,
        signal,
        headers,
      }),
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
        headers: options?.headers,
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

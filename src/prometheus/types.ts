/**
 * What the rest of the adapter sees of Prometheus: the client interface and the values it gives.
 * Kept apart from the client that implements it so that the modules behind the client (the
 * instant query, the vector scanner) can name a Sample without importing the client back.
 */
import type { SeriesShape } from './shape-set.js';

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
  timestamp: Date;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's default deadline for this call (still bounded by the signal's deadline). */
  timeoutMs?: number;
  /**
   * Headers of this call alone (a tenant's X-Scope-OrgID), sent after the configured ones and
   * replacing any of the same name. Calls with different headers never share an answer.
   */
  headers?: Readonly<Record<string, string>>;
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

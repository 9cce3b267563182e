/**
 * Layer prometheus/ (under rules/): may import kube/, promql/, deadline.ts and the base layer
 * (config/, errors.ts, logging.ts, …); never rules/ or providers/. Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * The Prometheus HTTP API client (instant queries, series, label values) and its construction
 * from the command-line options: CA, client certificate, bearer token file (re-read when it
 * changes), extra headers, credentials from a kubeconfig or the in-cluster service account.
 */
import { readFile } from 'node:fs/promises';
import { FileSetWatcher } from '../config/file-watch.js';
import type { PrometheusOptions } from '../config/serve-options.js';
import { loadKubeConfig } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import { HttpPrometheusClient } from './client.js';
import type { TransportSettings } from './types.js';

export { HttpPrometheusClient, redactUrl } from './client.js';
export type { PrometheusClient, Sample, CallOptions, TransportSettings } from './types.js';
export { type SeriesShape } from './shape-set.js';

export interface PrometheusConnection {
  client: HttpPrometheusClient;
  close(): void;
}

export async function connectPrometheus(
  o: PrometheusOptions,
  metrics: SelfMetrics,
  logger: Logger,
  /** --max-prometheus-queries (0 or undefined: unlimited). */
  maxConcurrent?: number,
): Promise<PrometheusConnection> {
  const transport: TransportSettings = { headers: o.headers };
  const closers: (() => void)[] = [];
  if (o.caFile !== undefined) transport.ca = await readFile(o.caFile);
  if (o.clientCertFile !== undefined && o.clientKeyFile !== undefined) {
    transport.cert = await readFile(o.clientCertFile);
    transport.key = await readFile(o.clientKeyFile);
  }
  if (o.tokenFile !== undefined) {
    const file = o.tokenFile;
    let token = (await readFile(file, 'utf8')).trim();
    const watcher = await FileSetWatcher.start([file], () => {
      readFile(file, 'utf8').then(
        (t) => {
          token = t.trim();
          logger.info({ file }, 'Prometheus bearer token reloaded');
        },
        (err: unknown) =>
          logger.warn(
            { file, err: (err as Error).message },
            'cannot re-read the Prometheus token file; keeping the previous token',
          ),
      );
    });
    closers.push(() => watcher.close());
    transport.authorization = () => (token === '' ? undefined : `Bearer ${token}`);
  } else if (o.authKubeconfig !== undefined || o.authInCluster) {
    const kc = loadKubeConfig(o.authKubeconfig);
    const probe: { headers?: Record<string, unknown>; ca?: Buffer; cert?: Buffer; key?: Buffer } = {
      headers: {},
    };
    await kc.applyToHTTPSOptions(probe);
    transport.ca ??= probe.ca;
    transport.cert ??= probe.cert;
    transport.key ??= probe.key;
    transport.authorization = async () => {
      const opts: { headers: Record<string, unknown> } = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      const h = opts.headers.Authorization ?? opts.headers.authorization;
      return typeof h === 'string' ? h : undefined;
    };
  }
  const client = new HttpPrometheusClient({
    url: o.url,
    transport,
    timeoutMs: o.timeoutMs,
    alwaysPost: o.verb === 'POST',
    coalesce: o.coalesceQueries,
    maxConcurrent,
    observeSlots: (running, queued) => {
      metrics.prometheusQueriesInFlight.set(running);
      metrics.prometheusQueriesQueued.set(queued);
    },
    observe: (endpoint, outcome, seconds) => {
      metrics.upstreamRequests.inc({ endpoint, outcome });
      metrics.upstreamDuration.observe({ endpoint }, seconds);
    },
  });
  return {
    client,
    close: () => {
      for (const c of closers) c();
      client.close();
    },
  };
}

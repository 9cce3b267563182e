/**
 * The benchmark's world: a Prometheus holding the backfilled data set (no scraping), the simulated
 * kube-apiserver with the pods and the Service, the adapter's PKI and rules files, and a fresh
 * build of the adapter. Everything is registered for cleanup as soon as it exists, so `close()`
 * removes every process and temporary directory even when setup fails half-way.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { baseFlags, createAdapterPki, type AdapterPki } from '../test/helpers/adapter.js';
import { startFakeKube, type FakeKube } from '../test/helpers/fake-kube.js';
import {
  backfillOpenMetrics,
  renderOpenMetrics,
  startPrometheus,
  type OpenMetricsSeries,
  type PrometheusInstance,
} from '../test/helpers/prometheus.js';
import { makeTempDir } from '../test/helpers/temp.js';
import { buildAdapter, startAdapterChild, type AdapterChild } from './adapter-process.js';
import {
  APP,
  DEFAULT_HORIZON_SECONDS,
  NAMESPACES,
  QUERY_METRIC_SERIES,
  SERVICE,
  emptyRulesYaml,
  rulesYaml,
  seriesFor,
} from './dataset.js';

export interface BenchEnv {
  dir: string;
  /** Where the adapter's compiled modules are (their URLs in a CPU profile contain it). */
  buildDir: string;
  prom: PrometheusInstance;
  promVersion: string;
  kube: FakeKube;
  pki: AdapterPki;
  rulesFile: string;
  emptyRulesFile: string;
  /** Seconds spent on each setup step. */
  timings: Record<string, number>;
  startAdapter(o: {
    rulesFile?: string;
    /** `--metrics-relist-interval`; default 30m, so no periodic relist lands in a timed run. */
    relistInterval?: string;
    cpuProfDir?: string;
    gcOnSignal?: boolean;
    /** Appended to the adapter's flags, e.g. `--prometheus-query-coalescing=false`. */
    extraFlags?: string[];
    /** Another build of the adapter (buildAdapter({ rev })); default the one made by setUp. */
    mainJs?: string;
  }): Promise<AdapterChild>;
  close(): Promise<void>;
}

type Log = (line: string) => void;

export interface SetUpOptions {
  /** More series to backfill besides the data set's, given the backfill time. */
  extraSeries?: (nowMs: number, horizonSeconds: number) => OpenMetricsSeries[];
  /** Seconds of data after the backfill (default: the data set's). */
  horizonSeconds?: number;
}

async function timed<T>(
  timings: Record<string, number>,
  step: string,
  log: Log,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = Date.now();
  log(`setup: ${step} ...`);
  const v = await fn();
  timings[step] = (Date.now() - t0) / 1000;
  return v;
}

async function prometheusVersion(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/status/buildinfo`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data?: { version?: string } };
  return body.data?.version ?? 'unknown';
}

export async function setUp(log: Log, options: SetUpOptions = {}): Promise<BenchEnv> {
  const cleanups: (() => Promise<void>)[] = [];
  // Every caller (normal end, failure, signal) waits for the same, complete cleanup.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const c of cleanups.splice(0).reverse()) {
        try {
          await c();
        } catch (err) {
          log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());
  const timings: Record<string, number> = {};
  try {
    const tmp = await makeTempDir('metrics-adapter-bench');
    cleanups.push(() => tmp.remove());

    const build = await timed(timings, 'build adapter (tsc)', log, buildAdapter);
    cleanups.push(() => build.remove());

    const dataDir = path.join(tmp.path, 'prometheus-data');
    const horizon = options.horizonSeconds ?? DEFAULT_HORIZON_SECONDS;
    const nowMs = Date.now();
    const series = [...seriesFor(nowMs, horizon), ...(options.extraSeries?.(nowMs, horizon) ?? [])];
    await timed(timings, `backfill ${series.length} series (promtool)`, log, async () => {
      await backfillOpenMetrics(dataDir, renderOpenMetrics(series), { timeoutMs: 180_000 });
    });
    const prom = await timed(timings, 'start Prometheus', log, () =>
      startPrometheus({ dataDir, scrapeIntervalSeconds: 60 }),
    );
    cleanups.push(() => prom.stop());
    const probe = await prom.queryVector(`count(${QUERY_METRIC_SERIES})`);
    if (probe[0]?.value !== NAMESPACES.reduce((n, ns) => n + ns.pods.length, 0))
      throw new Error(`Prometheus does not see the backfilled data: ${JSON.stringify(probe)}`);
    const promVersion = await prometheusVersion(prom.url);

    const kube = await timed(timings, 'start fake kube-apiserver', log, () => startFakeKube());
    cleanups.push(() => kube.close());
    for (const ns of NAMESPACES) {
      kube.setPods(
        ns.name,
        ns.pods.map((name) => ({ name, labels: { app: APP } })),
      );
      kube.upsert(
        { group: '', version: 'v1', resource: 'services' },
        { metadata: { name: SERVICE, namespace: ns.name, labels: { app: APP } } },
      );
    }
    kube.setAllowedUsers(['tester']);

    const pki = await createAdapterPki(tmp.path);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const rulesFile = path.join(tmp.path, 'rules.yaml');
    const emptyRulesFile = path.join(tmp.path, 'rules-empty.yaml');
    await writeFile(rulesFile, rulesYaml());
    await writeFile(emptyRulesFile, emptyRulesYaml());

    return {
      dir: tmp.path,
      buildDir: path.dirname(build.mainJs),
      prom,
      promVersion,
      kube,
      pki,
      rulesFile,
      emptyRulesFile,
      timings,
      async startAdapter(o) {
        const flags = baseFlags(pki, [
          `--kubeconfig=${kubeconfig}`,
          '--authentication-skip-lookup',
          `--prometheus-url=${prom.url}`,
          `--config=${o.rulesFile ?? rulesFile}`,
          // By default no periodic relist during timed runs; its cost is measured on its own.
          `--metrics-relist-interval=${o.relistInterval ?? '30m'}`,
          ...(o.extraFlags ?? []),
        ]);
        if (closing !== undefined) throw new Error('the benchmark environment is closed');
        const child = await startAdapterChild({
          mainJs: o.mainJs ?? build.mainJs,
          flags,
          pki,
          cpuProfDir: o.cpuProfDir,
          gcOnSignal: o.gcOnSignal,
        });
        cleanups.push(() => child.stop());
        return child;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

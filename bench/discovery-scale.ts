/**
 * Series discovery at cluster scale: the adapter's memory and relist time with about 245 000
 * series and the repository's default rules (rules/default.yaml, modelled on prometheus-adapter's
 * default configuration), against a real Prometheus holding backfilled data.
 *
 *   node --import tsx bench/discovery-scale.ts [--pods=5000] [--gauges=40] [--relists=3] [--json=FILE]
 *
 * Data: `--pods` pods in 20 namespaces, each with `--gauges` application gauges (labels namespace,
 * pod, instance, job) and cAdvisor-style container series (container_cpu_usage_seconds_total and
 * container_memory_working_set_bytes with namespace, pod, container, id, image, node, instance,
 * job, metrics_path) for its containers `app` and `sidecar`, every second pod also `log-shipper`,
 * plus the pause container (`POD`) and the pod cgroup (container=""); and each node's root cgroup.
 * With the defaults: 200 000 gauge series and 45 000 container series (plus 100 node series).
 *
 * Reports: process start to the first complete discovery (/readyz), the adapter's own
 * metrics_adapter_series_relist_duration_seconds for each SIGHUP relist, the peak RSS (VmHWM) by
 * the second relist, and the RSS at rest afterwards (as found after 10 s idle, and after a full GC).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { baseFlags, createAdapterPki } from '../test/helpers/adapter.js';
import { startFakeKube } from '../test/helpers/fake-kube.js';
import {
  backfillOpenMetrics,
  backfillTimestamps,
  renderOpenMetrics,
  startPrometheus,
  type OpenMetricsSeries,
} from '../test/helpers/prometheus.js';
import { makeTempDir } from '../test/helpers/temp.js';
import { buildAdapter, PROJECT_ROOT, startAdapterChild } from './adapter-process.js';
import { machineInfo, table } from './markdown.js';
import { procMemory } from './procstat.js';

const TOTAL_DEADLINE_MS = 20 * 60_000;
const NAMESPACE_COUNT = 20;
const NODE_COUNT = 50;
const RULES_FILE = path.join(PROJECT_ROOT, 'rules', 'default.yaml');

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

function positive(name: string, fallback: number, max: number): number {
  const n = Number(arg(name, String(fallback)));
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer in 1..${max}`);
  return n;
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}

/** The data set; two samples a minute apart, the newest 30 s before the backfill. */
function dataSet(pods: number, gauges: number, nowMs: number): OpenMetricsSeries[] {
  const times = backfillTimestamps({ nowMs, endAgoSeconds: 30, spanSeconds: 60, stepSeconds: 60 });
  const samples = (v: number): Array<[number, number]> => times.map((t, i) => [t, v + i]);
  const out: OpenMetricsSeries[] = [];
  const podAt = (i: number): { namespace: string; pod: string; node: string; ip: string } => ({
    namespace: `team-${String(i % NAMESPACE_COUNT).padStart(2, '0')}`,
    pod: `app-${String(i).padStart(5, '0')}-7f9c6d5b8-x${(i * 7919).toString(36).slice(-4)}`,
    node: `node-${String(i % NODE_COUNT).padStart(3, '0')}`,
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  });
  for (let g = 0; g < gauges; g++) {
    const name = `app_gauge_${String(g).padStart(2, '0')}_bytes`;
    for (let i = 0; i < pods; i++) {
      const p = podAt(i);
      out.push({
        name,
        type: 'gauge',
        labels: { namespace: p.namespace, pod: p.pod, instance: `${p.ip}:8080`, job: 'kubernetes-pods' },
        samples: samples(i + g),
      });
    }
  }
  for (const metric of ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']) {
    const type = metric.endsWith('_total') ? 'counter' : 'gauge';
    for (let i = 0; i < pods; i++) {
      const p = podAt(i);
      const containers = ['app', 'sidecar', ...(i % 2 === 0 ? ['log-shipper'] : []), 'POD', ''];
      for (const container of containers) {
        const cgroup = `/kubepods/burstable/pod${p.pod}`;
        out.push({
          name: metric,
          type,
          labels: {
            namespace: p.namespace,
            pod: p.pod,
            container,
            id: container === '' ? cgroup : `${cgroup}/${container}`,
            image: container === '' ? '' : `registry.example.com/${container}:1.${i % 10}`,
            node: p.node,
            instance: p.node,
            job: 'kubelet',
            metrics_path: '/metrics/cadvisor',
          },
          samples: samples(1_000 + i),
        });
      }
    }
    for (let n = 0; n < NODE_COUNT; n++) {
      const node = `node-${String(n).padStart(3, '0')}`;
      out.push({
        name: metric,
        type,
        labels: { id: '/', node, instance: node, job: 'kubelet', metrics_path: '/metrics/cadvisor' },
        samples: samples(100_000 + n),
      });
    }
  }
  return out;
}

interface Result {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  commit: string;
  series: number;
  startToReadyMs: number;
  relists: { wallMs: number; relistMs: number }[];
  peakRssBytesBySecondRelist: number;
  peakRssBytesAtEnd: number;
  restRssBytes: number;
  restRssAfterGcBytes: number;
  heapUsedAfterGcBytes: number;
  catalog: { custom: number; external: number };
}

async function prometheusVersion(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/status/buildinfo`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data?: { version?: string } };
  return body.data?.version ?? 'unknown';
}

const MiB = (b: number): string => (b / 2 ** 20).toFixed(0);

async function gitCommit(): Promise<string> {
  const { runProcess } = await import('../test/helpers/process.js');
  const r = await runProcess('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: PROJECT_ROOT,
    timeoutMs: 5_000,
  });
  const dirty = await runProcess('git', ['status', '--porcelain', '--', 'src'], {
    cwd: PROJECT_ROOT,
    timeoutMs: 5_000,
  });
  return `${r.stdout.trim()}${dirty.stdout.trim() === '' ? '' : '+dirty src'}`;
}

async function run(cleanups: (() => Promise<void>)[]): Promise<Result> {
  const pods = positive('pods', 5_000, 20_000);
  const gauges = positive('gauges', 40, 100);
  const relistCount = Math.max(2, positive('relists', 3, 10));

  const tmp = await makeTempDir('metrics-adapter-discovery-bench');
  cleanups.push(() => tmp.remove());
  log('build adapter (tsc) ...');
  const build = await buildAdapter();
  cleanups.push(() => build.remove());

  const nowMs = Date.now();
  let series = dataSet(pods, gauges, nowMs);
  const seriesCount = series.length;
  log(`backfill ${seriesCount} series (promtool) ...`);
  const dataDir = path.join(tmp.path, 'prometheus-data');
  let text: string | undefined = renderOpenMetrics(series);
  series = [];
  await backfillOpenMetrics(dataDir, text, { timeoutMs: 600_000 });
  text = undefined;
  log('start Prometheus ...');
  const prom = await startPrometheus({ dataDir, scrapeIntervalSeconds: 60 });
  cleanups.push(() => prom.stop());
  const seen = await prom.queryVector('count({__name__=~"app_gauge_.*|container_.*"})');
  if (seen[0]?.value !== seriesCount)
    throw new Error(`Prometheus sees ${JSON.stringify(seen)} series, expected ${seriesCount}`);

  const kube = await startFakeKube();
  cleanups.push(() => kube.close());
  kube.setAllowedUsers(['tester']);
  const pki = await createAdapterPki(tmp.path);
  const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
  const flags = baseFlags(pki, [
    `--kubeconfig=${kubeconfig}`,
    '--authentication-skip-lookup',
    `--prometheus-url=${prom.url}`,
    `--config=${RULES_FILE}`,
    // Only the relists this bench triggers; discovery looks back as far as the data goes.
    '--metrics-relist-interval=30m',
  ]);

  log('start the adapter, wait for the first complete discovery ...');
  const t0 = Date.now();
  // startAdapterChild stops the child itself when it fails to get ready.
  const adapter = await startAdapterChild({
    mainJs: build.mainJs,
    flags,
    pki,
    gcOnSignal: true,
    startTimeoutMs: 300_000,
  });
  cleanups.push(() => adapter.stop());
  const startToReadyMs = Date.now() - t0;
  log(`ready after ${startToReadyMs} ms`);

  const relists: Result['relists'] = [];
  let peakBySecond = 0;
  for (let i = 0; i < relistCount; i++) {
    const r = await adapter.relist();
    relists.push(r);
    log(`relist ${i + 1}: ${r.relistMs.toFixed(0)} ms (SIGHUP to reloaded ${r.wallMs.toFixed(0)} ms)`);
    if (i === 1) peakBySecond = (await procMemory(adapter.pid)).peakRssBytes;
  }
  const peakAtEnd = (await procMemory(adapter.pid)).peakRssBytes;
  await new Promise((r) => setTimeout(r, 10_000));
  const rest = await procMemory(adapter.pid);
  const gc = await adapter.memory({ gc: true });
  const m = await adapter.metrics();
  const catalog = {
    custom: m.get('metrics_adapter_catalog_metrics{api="custom"}') ?? -1,
    external: m.get('metrics_adapter_catalog_metrics{api="external"}') ?? -1,
  };
  return {
    date: new Date().toISOString(),
    machine: machineInfo(await prometheusVersion(prom.url)),
    commit: await gitCommit(),
    series: seriesCount,
    startToReadyMs,
    relists,
    peakRssBytesBySecondRelist: peakBySecond,
    peakRssBytesAtEnd: peakAtEnd,
    restRssBytes: rest.rssBytes,
    restRssAfterGcBytes: gc.rssBytes,
    heapUsedAfterGcBytes: gc.heapUsedBytes,
    catalog,
  };
}

function report(r: Result): string {
  const m = r.machine;
  return [
    `${r.date.slice(0, 10)}, ${m.nproc} × ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}, Node ${m.node}, Prometheus ${m.prometheus}, commit ${r.commit}`,
    '',
    table(
      [
        'series',
        'start → first discovery',
        'relists (adapter metric)',
        'peak RSS by 2nd relist',
        'RSS at rest',
        'RSS after GC',
        'catalog',
      ],
      [
        [
          String(r.series),
          `${(r.startToReadyMs / 1000).toFixed(1)} s`,
          r.relists.map((x) => `${(x.relistMs / 1000).toFixed(2)} s`).join(', '),
          `${MiB(r.peakRssBytesBySecondRelist)} MiB`,
          `${MiB(r.restRssBytes)} MiB`,
          `${MiB(r.restRssAfterGcBytes)} MiB`,
          `${r.catalog.custom} custom, ${r.catalog.external} external`,
        ],
      ],
      ['r', 'r', 'l', 'r', 'r', 'r', 'l'],
    ),
  ].join('\n');
}

async function main(): Promise<number> {
  const cleanups: (() => Promise<void>)[] = [];
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
  const onSignal = (signal: string): void => {
    log(`${signal}: cleaning up`);
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const deadline = setTimeout(() => {
    log(`not finished within ${TOTAL_DEADLINE_MS / 60_000} minutes: giving up`);
    void close().finally(() => process.exit(1));
  }, TOTAL_DEADLINE_MS);
  deadline.unref();
  try {
    const result = await run(cleanups);
    process.stdout.write(`${report(result)}\n`);
    const json = arg('json', '');
    if (json !== '') await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    await close();
    clearTimeout(deadline);
  }
}

log(`${os.availableParallelism()} CPUs`);
process.exitCode = await main();

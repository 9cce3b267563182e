/**
 * Series discovery at cluster scale: the adapter's memory and relist time with about 245 000
 * series and the repository's default rules (rules/default.yaml, modelled on prometheus-adapter's
 * default configuration), against a real Prometheus holding backfilled data.
 *
 *   node --import tsx bench/discovery-scale.ts [--baseline=REV] [--build=bundle|tsc] [--pods=5000] [--gauges=40] [--relists=3] [--json=FILE]
 *
 * This checkout's adapter is the shipped bundle run with the image's node flags (`--build=bundle`,
 * the default) or the plain tsc output (`--build=tsc`, like for like with a --baseline).
 *
 * With --baseline, the adapter built from that revision's src/ runs too, against the same
 * Prometheus, its relists taking turns with this checkout's.
 *
 * Data: `--pods` pods in 20 namespaces, each with `--gauges` application gauges (labels namespace,
 * pod, instance, job) and cAdvisor-style container series (container_cpu_usage_seconds_total and
 * container_memory_working_set_bytes with namespace, pod, container, id, image, node, instance,
 * job, metrics_path) for its containers `app` and `sidecar`, every second pod also `log-shipper`,
 * plus the pause container (`POD`) and the pod cgroup (container=""); and each node's root cgroup.
 * With the defaults: 200 000 gauge series and 45 000 container series (plus 100 node series).
 *
 * Reports: the RSS of the adapter with rules that match nothing (the floor), what Prometheus alone
 * takes to answer the relist's lookups (every distinct seriesQuery at once, read and discarded),
 * process start to the first complete discovery (/readyz), the adapter's own
 * metrics_adapter_series_relist_duration_seconds for each SIGHUP relist, the peak RSS (VmHWM) by
 * the second relist, and the RSS at rest afterwards (as found after 10 s idle, and after a full GC).
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
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
import { runProcess } from '../test/helpers/process.js';
import {
  buildAdapter,
  buildFor,
  PROJECT_ROOT,
  startAdapterChild,
  type AdapterChild,
} from './adapter-process.js';
import { emptyRulesYaml } from './dataset.js';
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

interface VariantResult {
  /** `current` (this checkout's src/) or the --baseline revision. */
  label: string;
  commit: string;
  /** The adapter with rules that match nothing: its RSS once ready (what discovery adds to). */
  emptyRssBytes: number;
  startToReadyMs: number;
  relists: { wallMs: number; relistMs: number }[];
  peakRssBytesBySecondRelist: number;
  peakRssBytesAtEnd: number;
  restRssBytes: number;
  restRssAfterGcBytes: number;
  heapUsedAfterGcBytes: number;
  catalog: { custom: number; external: number };
}

interface Result {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  series: number;
  /** Prometheus alone: every distinct seriesQuery fetched at once and discarded, before each round. */
  prometheusMs: number[];
  variants: VariantResult[];
}

interface Variant {
  label: string;
  commit: string;
  mainJs: string;
  /** Node flags before the script (the image's, for the bundle). */
  nodeFlags?: string[];
  adapter?: AdapterChild;
  result?: VariantResult;
}

async function prometheusVersion(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/status/buildinfo`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data?: { version?: string } };
  return body.data?.version ?? 'unknown';
}

const MiB = (b: number): string => (b / 2 ** 20).toFixed(0);

/** The distinct seriesQuery values of a rules file. */
async function seriesQueries(file: string): Promise<string[]> {
  const doc = parseYaml(await readFile(file, 'utf8')) as Record<
    string,
    { seriesQuery?: string }[] | undefined
  >;
  const rules = [...(doc.rules ?? []), ...(doc.externalRules ?? [])];
  return [...new Set(rules.map((r) => r.seriesQuery).filter((q): q is string => q !== undefined))];
}

/** What Prometheus alone takes to answer the relist's lookups, read in full and thrown away. */
async function prometheusAlone(url: string, queries: string[]): Promise<number> {
  const end = Date.now() / 1000;
  const t0 = performance.now();
  await Promise.all(
    queries.map(async (q) => {
      const params = new URLSearchParams({ 'match[]': q, start: String(end - 1_800), end: String(end) });
      const res = await fetch(`${url}/api/v1/series?${params.toString()}`, {
        headers: { 'Accept-Encoding': 'identity' },
        signal: AbortSignal.timeout(120_000),
      });
      if (res.body === null || !res.ok) throw new Error(`Prometheus answered ${res.status} to ${q}`);
      let bytes = 0;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
      if (bytes === 0) throw new Error(`Prometheus answered nothing to ${q}`);
    }),
  );
  return performance.now() - t0;
}

async function gitCommit(): Promise<string> {
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
  const baseline = arg('baseline', '');

  const tmp = await makeTempDir('metrics-adapter-discovery-bench');
  cleanups.push(() => tmp.remove());
  const variants: Variant[] = [];
  if (baseline !== '') {
    log(`build adapter at ${baseline} (tsc) ...`);
    const commit = (
      await runProcess('git', ['rev-parse', '--short', baseline], { cwd: PROJECT_ROOT, timeoutMs: 5_000 })
    ).stdout.trim();
    const build = await buildAdapter({ rev: baseline });
    cleanups.push(() => build.remove());
    variants.push({ label: 'baseline', commit, mainJs: build.mainJs });
  }
  const kind = arg('build', 'bundle');
  log(`build adapter (${kind}) ...`);
  // What is built: the commit, and whether src/ differs from it.
  const commit = await gitCommit();
  const build = await buildFor(kind);
  cleanups.push(() => build.remove());
  variants.push({ label: 'current', commit, mainJs: build.mainJs, nodeFlags: build.nodeFlags });

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
  const queries = await seriesQueries(RULES_FILE);
  const prometheusMs: number[] = [];
  const measurePrometheus = async (): Promise<void> => {
    const ms = await prometheusAlone(prom.url, queries);
    prometheusMs.push(ms);
    log(`Prometheus alone, ${queries.length} seriesQuery at once: ${ms.toFixed(0)} ms`);
  };
  await measurePrometheus(); // the first answer after start warms Prometheus' caches

  const emptyRules = path.join(tmp.path, 'rules-empty.yaml');
  await writeFile(emptyRules, emptyRulesYaml());
  const results = new Map<Variant, Partial<VariantResult>>();
  for (const v of variants) {
    log(`${v.label}: the adapter with rules that match nothing ...`);
    const empty = await startAdapterChild({
      mainJs: v.mainJs,
      nodeFlags: v.nodeFlags,
      flags: flags.map((f) => (f.startsWith('--config=') ? `--config=${emptyRules}` : f)),
      pki,
    });
    try {
      results.set(v, { emptyRssBytes: (await procMemory(empty.pid)).rssBytes });
    } finally {
      await empty.stop();
    }
  }
  for (const v of variants) {
    log(`${v.label}: start the adapter, wait for the first complete discovery ...`);
    const t0 = Date.now();
    // startAdapterChild stops the child itself when it fails to get ready.
    const adapter = await startAdapterChild({
      mainJs: v.mainJs,
      nodeFlags: v.nodeFlags,
      flags,
      pki,
      gcOnSignal: true,
      startTimeoutMs: 300_000,
    });
    cleanups.push(() => adapter.stop());
    v.adapter = adapter;
    const startToReadyMs = Date.now() - t0;
    results.set(v, { ...results.get(v), startToReadyMs, relists: [] });
    log(`${v.label}: ready after ${startToReadyMs} ms`);
  }

  // Relists take turns, so every variant sees the same machine load and the same Prometheus.
  for (let i = 0; i < relistCount; i++) {
    await measurePrometheus();
    for (const v of variants) {
      const adapter = v.adapter as AdapterChild;
      const res = results.get(v) ?? {};
      const r = await adapter.relist();
      res.relists?.push(r);
      log(
        `${v.label}: relist ${i + 1}: ${r.relistMs.toFixed(0)} ms (SIGHUP to reloaded ${r.wallMs.toFixed(0)} ms)`,
      );
      if (i === 1) res.peakRssBytesBySecondRelist = (await procMemory(adapter.pid)).peakRssBytes;
    }
  }
  await new Promise((r) => setTimeout(r, 10_000));
  for (const v of variants) {
    const adapter = v.adapter as AdapterChild;
    const end = await procMemory(adapter.pid);
    const gc = await adapter.memory({ gc: true });
    const m = await adapter.metrics();
    v.result = {
      label: v.label,
      commit: v.commit,
      emptyRssBytes: 0,
      startToReadyMs: 0,
      relists: [],
      peakRssBytesBySecondRelist: 0,
      ...results.get(v),
      peakRssBytesAtEnd: end.peakRssBytes,
      restRssBytes: end.rssBytes,
      restRssAfterGcBytes: gc.rssBytes,
      heapUsedAfterGcBytes: gc.heapUsedBytes,
      catalog: {
        custom: m.get('metrics_adapter_catalog_metrics{api="custom"}') ?? -1,
        external: m.get('metrics_adapter_catalog_metrics{api="external"}') ?? -1,
      },
    };
  }
  return {
    date: new Date().toISOString(),
    machine: machineInfo(await prometheusVersion(prom.url)),
    series: seriesCount,
    prometheusMs,
    variants: variants.map((v) => v.result as VariantResult),
  };
}

function report(r: Result): string {
  const m = r.machine;
  const seconds = (ms: number[]): string => ms.map((x) => (x / 1000).toFixed(2)).join(', ');
  return [
    `${r.date.slice(0, 10)}, ${m.nproc} × ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}, Node ${m.node}, Prometheus ${m.prometheus}, ${r.series} series`,
    '',
    `Prometheus alone (every seriesQuery at once, read and discarded; before each round): ${seconds(r.prometheusMs)} s`,
    '',
    table(
      [
        'adapter',
        'no-series RSS',
        'start → first discovery',
        'relists (adapter metric, s)',
        'peak RSS by 2nd relist',
        'peak RSS at end',
        'RSS at rest',
        'RSS after GC',
        'catalog',
      ],
      r.variants.map((v) => [
        `${v.label} (${v.commit})`,
        `${MiB(v.emptyRssBytes)} MiB`,
        `${(v.startToReadyMs / 1000).toFixed(1)} s`,
        seconds(v.relists.map((x) => x.relistMs)),
        `${MiB(v.peakRssBytesBySecondRelist)} MiB`,
        `${MiB(v.peakRssBytesAtEnd)} MiB`,
        `${MiB(v.restRssBytes)} MiB`,
        `${MiB(v.restRssAfterGcBytes)} MiB`,
        `${v.catalog.custom} custom, ${v.catalog.external} external`,
      ]),
      ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'l'],
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

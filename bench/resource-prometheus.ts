/**
 * metrics.k8s.io from resourceRules on a real Prometheus against the floor: one namespace's pods
 * list through the adapter (a `tsc` build in a child process) versus the same PromQL the adapter
 * sent (read from Prometheus's query log), sent straight to Prometheus, both queries at once as the
 * adapter does. Paced (one request per side per period, sides taking turns, as bench/paced.ts) and
 * back to back. Data: P pods × 2 containers, CPU counters and working sets backfilled with promtool.
 *
 *   node --import tsx bench/resource-prometheus.ts [--pods=100] [--requests=200] [--period=250]
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { baseFlags, createAdapterPki } from '../test/helpers/adapter.js';
import { startFakeKube } from '../test/helpers/fake-kube.js';
import {
  backfillOpenMetrics,
  renderOpenMetrics,
  startPrometheus,
  type OpenMetricsSeries,
} from '../test/helpers/prometheus.js';
import { makeTempDir } from '../test/helpers/temp.js';
import { resourceRulesWithWindow } from '../test/providers/adapter-resource-rules.js';
import { buildAdapter, startAdapterChild } from './adapter-process.js';
import { BenchClient, type PreparedRequest } from './http.js';
import { median, percentile } from './load.js';
import { captureQueries } from './querylog.js';

const NAMESPACE = 'bench';
const CONTAINERS = ['c0', 'c1'];
const PATH = `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods`;

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

const RULES = resourceRulesWithWindow('2m').trimStart();

function series(pods: number, nowMs: number): OpenMetricsSeries[] {
  const now = Math.floor(nowMs / 1000);
  const times: number[] = [];
  for (let t = now - 600; t <= now + 1800; t += 30) times.push(t);
  const out: OpenMetricsSeries[] = [];
  for (let i = 0; i < pods; i++) {
    CONTAINERS.forEach((container, k) => {
      const labels = { namespace: NAMESPACE, pod: `pod-${i}`, container };
      const cores = ((i % 7) + 1) / 100 + k / 1000;
      out.push({
        name: 'container_cpu_usage_seconds_total',
        type: 'counter',
        labels,
        samples: times.map((t) => [t, (t - times[0]! + 1000) * cores]),
      });
      out.push({
        name: 'container_memory_working_set_bytes',
        type: 'gauge',
        labels,
        samples: times.map((t) => [t, 64 * 2 ** 20 + i * 4096 + k]),
      });
    });
  }
  return out;
}

interface Side {
  label: string;
  send: () => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function timeSide(side: Side, record: number[]): Promise<void> {
  const t0 = process.hrtime.bigint();
  await side.send();
  record.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

async function paced(sides: Side[], count: number, periodMs: number): Promise<number[][]> {
  const out: number[][] = sides.map(() => []);
  const slot = periodMs / sides.length;
  const start = performance.now() + slot;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < sides.length; j++) {
      await sleep(start + i * periodMs + j * slot - performance.now());
      await timeSide(sides[j]!, out[j]!);
    }
  }
  return out;
}

async function backToBack(sides: Side[], count: number): Promise<number[][]> {
  const out: number[][] = sides.map(() => []);
  // Sides alternate in blocks of 10 so drift hits both alike.
  for (let b = 0; b < count / 10; b++)
    for (let j = 0; j < sides.length; j++) for (let i = 0; i < 10; i++) await timeSide(sides[j]!, out[j]!);
  return out;
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

async function main(): Promise<void> {
  const pods = Number(arg('pods', '100'));
  const requests = Number(arg('requests', '200'));
  const periodMs = Number(arg('period', '250'));
  const tmp = await makeTempDir('bench-resource-prometheus');
  const cleanups: (() => Promise<void>)[] = [() => tmp.remove()];
  try {
    const build = await buildAdapter();
    cleanups.push(() => build.remove());
    const dataDir = path.join(tmp.path, 'prometheus-data');
    await backfillOpenMetrics(dataDir, renderOpenMetrics(series(pods, Date.now())), { timeoutMs: 180_000 });
    const prom = await startPrometheus({ dataDir, scrapeIntervalSeconds: 60 });
    cleanups.push(() => prom.stop());
    const kube = await startFakeKube();
    cleanups.push(() => kube.close());
    kube.ensureNamespace(NAMESPACE);
    for (let i = 0; i < pods; i++)
      kube.upsert(
        { group: '', version: 'v1', resource: 'pods' },
        {
          metadata: { name: `pod-${i}`, namespace: NAMESPACE, uid: `uid-${i}`, labels: { app: 'web' } },
          spec: { nodeName: 'node-0', containers: CONTAINERS.map((name) => ({ name, image: 'x' })) },
          status: { phase: 'Running' },
        },
      );
    kube.setAllowedUsers(['tester']);
    const pki = await createAdapterPki(tmp.path);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const rulesFile = path.join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, RULES);
    const adapter = await startAdapterChild({
      mainJs: build.mainJs,
      pki,
      flags: baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--prometheus-url=${prom.url}`,
        `--config=${rulesFile}`,
        '--metrics-relist-interval=30m',
      ]),
    });
    cleanups.push(() => adapter.stop());
    const client = adapter.client(1);
    let items = 0;
    const queries = await captureQueries(prom, async () => {
      const res = await client.send({ method: 'GET', path: PATH });
      if (res.status !== 200) throw new Error(`adapter: ${res.status} ${res.body.toString().slice(0, 300)}`);
      items = (JSON.parse(res.body.toString()) as { items: unknown[] }).items.length;
    });
    if (items !== pods) throw new Error(`the adapter listed ${items} of ${pods} pods`);
    if (queries.length !== 2)
      throw new Error(`expected 2 queries, Prometheus saw ${JSON.stringify(queries)}`);
    const promClient = new BenchClient(prom.url, 2);
    cleanups.push(() => Promise.resolve(promClient.close()));
    const promRequests: PreparedRequest[] = queries.map((q) => ({
      method: 'POST',
      path: '/api/v1/query',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: q }).toString(),
    }));
    const sides: Side[] = [
      {
        label: 'floor: the same 2 PromQL queries, at once, straight to Prometheus',
        send: async () => {
          const rs = await Promise.all(promRequests.map((r) => promClient.send(r)));
          for (const r of rs) if (r.status !== 200) throw new Error(`prometheus: ${r.status}`);
        },
      },
      {
        label: `adapter: GET …/namespaces/${NAMESPACE}/pods`,
        send: async () => {
          const r = await client.send({ method: 'GET', path: PATH });
          if (r.status !== 200) throw new Error(`adapter: ${r.status}`);
        },
      },
    ];
    await paced(sides, 20, periodMs);
    const p = await paced(sides, requests, periodMs);
    await backToBack(sides, 20);
    const b = await backToBack(sides, requests);
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(`\n\`node --import tsx bench/resource-prometheus.ts ${process.argv.slice(2).join(' ')}\``);
    console.log(
      `${pods} pods × ${CONTAINERS.length} containers in one namespace, ${requests} requests per side per mode after 20 warm-up; load average ${load}\n`,
    );
    console.log('| side | paced median | paced p90 | back-to-back median | back-to-back p90 |');
    console.log('|---|---|---|---|---|');
    sides.forEach((s, j) => {
      const pj = p[j]!;
      const bj = b[j]!;
      console.log(
        `| ${s.label} | ${fmt(median(pj))} | ${fmt(percentile(pj, 90))} | ${fmt(median(bj))} | ${fmt(percentile(bj, 90))} |`,
      );
    });
    console.log(
      `\nPromQL the adapter sent:\n${queries.map((q) => `    ${q.slice(0, 200)}${q.length > 200 ? '…' : ''}`).join('\n')}`,
    );
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('cleanup:', err));
  }
}

await main();

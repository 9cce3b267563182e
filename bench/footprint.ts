/**
 * The adapter's resident memory at rest, as an operator reads it: the real CLI in a child process
 * (the shipped esbuild bundle, and for comparison the plain `tsc` build), a real Prometheus
 * scraping a small exporter, the simulated kube-apiserver with a few pods, prometheus-adapter-style
 * rules (rules/default.yaml). Each adapter is read every second from ready until `--settle`
 * seconds after its first discovery; the table gives VmRSS at the end, the peak (VmHWM) and the
 * JS heap. `--imports` adds what importing each runtime package costs a bare node process.
 *
 *   node --import tsx bench/footprint.ts [--pods=10] [--settle=20] [--builds=bundle,tsc]
 *        [--node-flags="--max-semi-space-size=1 ..."] [--imports] [--write]
 *
 * The bundle runs with the image's NODE_OPTIONS (Dockerfile), the tsc build with none;
 * --node-flags replaces both.
 *
 * With --write the table replaces the generated block of docs/benchmarks.md (footprint markers).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { baseFlags, createAdapterPki } from '../test/helpers/adapter.js';
import { startExporter, type Exporter } from '../test/helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../test/helpers/fake-kube.js';
import { startPrometheus, type PrometheusInstance } from '../test/helpers/prometheus.js';
import { makeTempDir } from '../test/helpers/temp.js';
import {
  PROJECT_ROOT,
  buildFor,
  startAdapterChild,
  type AdapterBuild,
  type AdapterChild,
} from './adapter-process.js';
import { machineInfo, replaceGenerated, table } from './markdown.js';
import { procMemory } from './procstat.js';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const PODS = Number(arg('pods', '10'));
const SETTLE_S = Number(arg('settle', '20'));
const BUILDS = arg('builds', 'bundle,tsc').split(',').filter(Boolean);
/** Default: for the bundle the image's NODE_OPTIONS, for the tsc build none. */
const NODE_FLAGS_ARG = process.argv.find((a) => a.startsWith('--node-flags='));
const NAMESPACE = 'demo';
const MiB = 1048576;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Series an application and cAdvisor would expose for each pod: default.yaml turns them into metrics. */
function fillExporter(exp: Exporter): void {
  for (let i = 0; i < PODS; i++) {
    const pod = `web-${i}`;
    const podLabels = { namespace: NAMESPACE, pod };
    const c = { ...podLabels, container: 'web' };
    exp.set('container_cpu_usage_seconds_total', c, 10 + i);
    exp.set('container_cpu_cfs_throttled_seconds_total', c, i);
    exp.set('container_network_receive_bytes_total', c, 1000 * i);
    exp.set('container_network_transmit_bytes_total', c, 500 * i);
    exp.set('container_fs_reads_total', c, i);
    exp.set('container_fs_writes_total', c, i);
    exp.set('container_memory_working_set_bytes', c, 50e6 + i);
    exp.set('container_memory_rss', c, 40e6 + i);
    exp.set('container_memory_cache', c, 1e6 + i);
    exp.set('container_threads', c, 12);
    exp.set('container_spec_cpu_shares', c, 1024);
    exp.set('container_spec_memory_limit_bytes', c, 256e6);
    exp.set('http_requests_total', { ...podLabels, code: '200' }, 100 * i);
    exp.set('http_request_errors_total', podLabels, i);
    exp.set('queue_jobs_processed_total', podLabels, 3 * i);
    exp.set('queue_depth', podLabels, i);
    exp.set('worker_busy_ratio', podLabels, 0.5);
    exp.set('process_open_fds', podLabels, 20);
  }
}

interface Reading {
  build: string;
  nodeFlags: string[];
  startToReadyMs: number;
  metrics: number;
  rssBytes: number;
  peakRssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

async function discoveredMetrics(child: AdapterChild): Promise<number> {
  const res = await child
    .client(1)
    .send({ method: 'GET', path: '/apis/custom.metrics.k8s.io/v1beta1' }, 5_000);
  if (res.status !== 200) return 0;
  return ((JSON.parse(res.body.toString()) as { resources?: unknown[] }).resources ?? []).length;
}

async function measure(
  name: string,
  build: AdapterBuild & { nodeFlags: string[] },
  env: { kubeconfig: string; prom: PrometheusInstance; dir: string },
): Promise<Reading> {
  const pki = await createAdapterPki(env.dir);
  const t0 = Date.now();
  const child = await startAdapterChild({
    mainJs: build.mainJs,
    pki,
    nodeFlags: build.nodeFlags,
    flags: baseFlags(pki, [
      `--kubeconfig=${env.kubeconfig}`,
      '--authentication-skip-lookup',
      `--prometheus-url=${env.prom.url}`,
      `--config=${path.join(PROJECT_ROOT, 'rules', 'default.yaml')}`,
    ]),
  });
  try {
    const startToReadyMs = Date.now() - t0;
    let metrics = 0;
    for (const deadline = Date.now() + 60_000; metrics === 0 && Date.now() < deadline;) {
      metrics = await discoveredMetrics(child);
      if (metrics === 0) await sleep(500);
    }
    if (metrics === 0) throw new Error(`${name}: no metric discovered within 60 s`);
    // The HPA's cadence: one Pods request every 15 s would land in the window; one is enough to
    // load the request path (authorization, planning, the Prometheus client) as a running adapter has.
    const q = await child.client(1).send(
      {
        method: 'GET',
        path: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${NAMESPACE}/pods/*/http_requests_per_second`,
      },
      10_000,
    );
    if (q.status !== 200)
      throw new Error(`${name}: a Pods request answered ${q.status}: ${q.body.toString()}`);
    log(`${name}: pid ${child.pid}, settling ${SETTLE_S} s`);
    for (let s = 0; s < SETTLE_S; s++) await sleep(1_000);
    const mem = await child.memory();
    return {
      build: name,
      nodeFlags: build.nodeFlags,
      startToReadyMs,
      metrics,
      rssBytes: mem.rssBytes,
      peakRssBytes: (await procMemory(child.pid)).peakRssBytes,
      heapUsedBytes: mem.heapUsedBytes,
      heapTotalBytes: mem.heapTotalBytes,
    };
  } finally {
    await child.stop();
  }
}

/** RSS of a fresh node process after importing one package, and of a bare one. */
function importCosts(): string[][] {
  const script = (spec: string): string =>
    (spec === '' ? '' : `await import(${JSON.stringify(spec)});`) +
    'globalThis.gc(); await new Promise((r) => setTimeout(r, 100));' +
    'process.stdout.write(String(process.memoryUsage().rss));';
  const rss = (spec: string): number => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script(spec)], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`import ${spec}: ${r.stderr}`);
    return Number(r.stdout);
  };
  const bare = rss('');
  const rows = [['bare node', (bare / MiB).toFixed(1), '']];
  for (const spec of [
    '@kubernetes/client-node',
    'express',
    'prometheus-query',
    '@peculiar/x509',
    'pino',
    'prom-client',
    'yaml',
    'jose',
    'lru-cache',
    '@prometheus-io/lezer-promql',
  ]) {
    const v = rss(spec);
    rows.push([`\`import('${spec}')\``, (v / MiB).toFixed(1), `+${((v - bare) / MiB).toFixed(1)}`]);
  }
  return rows;
}

async function main(): Promise<void> {
  const tmp = await makeTempDir('metrics-adapter-footprint');
  const closers: (() => Promise<unknown>)[] = [() => tmp.remove()];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse())
      await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  process.once('SIGINT', () => void close().then(() => process.exit(130)));
  try {
    const builds = new Map<string, AdapterBuild & { nodeFlags: string[] }>();
    for (const b of BUILDS) {
      log(`build: ${b} ...`);
      const built = await buildFor(b);
      closers.push(() => built.remove());
      if (NODE_FLAGS_ARG !== undefined) built.nodeFlags = NODE_FLAGS_ARG.slice(13).split(' ').filter(Boolean);
      builds.set(b, built);
    }
    const exp = await startExporter();
    closers.push(() => exp.close());
    fillExporter(exp);
    const prom = await startPrometheus({ scrapeTargets: [exp.target], scrapeIntervalSeconds: 1 });
    closers.push(() => prom.stop());
    for (const deadline = Date.now() + 30_000; exp.scrapeCount < 2;) {
      if (Date.now() > deadline) throw new Error('Prometheus did not scrape the exporter');
      await sleep(200);
    }
    const kube: FakeKube = await startFakeKube();
    closers.push(() => kube.close());
    kube.setPods(
      NAMESPACE,
      Array.from({ length: PODS }, (_, i) => ({ name: `web-${i}`, labels: { app: 'web' } })),
    );
    kube.setAllowedUsers(['tester']);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });

    const readings: Reading[] = [];
    for (const [name, build] of builds) {
      log(`measure: ${name} ...`);
      readings.push(await measure(name, build, { kubeconfig, prom, dir: tmp.path }));
    }
    const m = machineInfo('');
    const rows = readings.map((r) => [
      r.build === 'bundle' ? 'bundle (`npm run build`, the `bin` entry)' : 'tsc output, unbundled',
      r.nodeFlags.length === 0 ? '(none)' : `\`${r.nodeFlags.join(' ')}\``,
      String(r.metrics),
      `${(r.startToReadyMs / 1000).toFixed(1)} s`,
      `**${(r.rssBytes / MiB).toFixed(1)} MiB**`,
      `${(r.peakRssBytes / MiB).toFixed(1)} MiB`,
      `${(r.heapUsedBytes / MiB).toFixed(1)} / ${(r.heapTotalBytes / MiB).toFixed(1)} MiB`,
    ]);
    const lines = [
      `- Command: \`node --import tsx bench/footprint.ts ${process.argv.slice(2).join(' ')}\``.replace(
        / `$/,
        '`',
      ),
      `- Date: ${new Date().toISOString()}; machine: ${m.nproc} CPUs, ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}; Node ${m.node}`,
      `- ${PODS} pods, ${SETTLE_S} s after the first discovery and one Pods request`,
      '',
      table(
        [
          'build',
          'node flags',
          'metrics discovered',
          'start → ready',
          'RSS at rest',
          'peak RSS',
          'heap used / total',
        ],
        rows,
        ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
      ),
    ];
    if (flag('imports')) {
      lines.push(
        '',
        'What importing each runtime package costs a bare node process (RSS after a full GC, unbundled package entry):',
        '',
        table(['import', 'RSS MiB', 'above bare'], importCosts(), ['l', 'r', 'r']),
      );
    }
    const text = lines.join('\n');
    process.stdout.write(`${text}\n`);
    if (flag('write')) {
      const begin =
        '<!-- footprint:begin (generated by `npm run bench:footprint -- --write`; edit outside these markers) -->';
      const end = '<!-- footprint:end -->';
      await replaceGenerated(
        path.join(PROJECT_ROOT, 'docs', 'benchmarks.md'),
        { begin, end },
        `${begin}\n\n${text}\n\n${end}`,
        (existing) => `${existing ?? ''}\n${begin}\n\n${text}\n\n${end}\n`,
      );
    } else {
      await writeFile(path.join(tmp.path, 'footprint.md'), text);
    }
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`footprint: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

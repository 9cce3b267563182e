/**
 * metrics.k8s.io from the kubelet scraper, through the WHOLE adapter: its real CLI (the shipped
 * bundle with the image's node flags, or with --build=tsc the plain tsc output, which --cpu-prof's
 * per-folder areas need; bench/adapter-process.ts) in a child process, N simulated kubelets × P pods in another
 * (stats refreshed every 10 s, as cAdvisor's housekeeping does), the simulated kube-apiserver in a
 * third (test/helpers/fake-kube-process.ts), serving FULL Pod and Node objects as a real one does
 * (test/helpers/kube-objects.ts; --small-objects for the fleet's minimal ones). This parent sends
 * the timed requests.
 *
 *   node --import tsx bench/resource-metrics.ts [--nodes=100,1000,5000] [--pods=30] [--requests=10] [--cycles=2] [--cpu-prof] [--small-objects] [--timeline] [--build=bundle|tsc] [--node-flags='--max-semi-space-size=4 …'] [--adapter-flags='--kubelet-endpoint=resource …']
 *
 * With --timeline the adapter's VmRSS/VmHWM is printed every second from start (where the peak is).
 *
 * With --cpu-prof the adapter runs under node --cpu-prof and the hottest functions while the
 * lists were timed are printed.
 *
 * Per size: process start → /readyz 200 (complete kubelet data), the adapter's own cycle duration
 * (metrics_adapter_kubelet_scrape_cycle_duration_seconds, mean over the cycles after ready), peak
 * RSS (VmHWM of the adapter), and the median latency of GET /apis/metrics.k8s.io/v1beta1/pods (all
 * namespaces) and /nodes, sequential, after warm-up.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseFlags, createAdapterPki } from '../test/helpers/adapter.js';
import { startFakeKubeProcess, type FakeKubeProcess } from '../test/helpers/fake-kube-process.js';
import { startKubeletFleet } from '../test/helpers/fake-kubelet.js';
import type { NodeShape, PodShape } from '../test/helpers/kube-objects.js';
import { makeTempDir } from '../test/helpers/temp.js';
import { buildFor, startAdapterChild } from './adapter-process.js';
import { procMemory, sample } from './procstat.js';
import { findProfile, monotonicUs, summarize, type Window } from './profile.js';

const SELF = fileURLToPath(import.meta.url);
const GV = '/apis/metrics.k8s.io/v1beta1';
const CYCLE = 'metrics_adapter_kubelet_scrape_cycle_duration_seconds';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

interface FleetMessage {
  type: 'fleet';
  port: number;
  nodes: NodeShape[];
  pods: PodShape[];
}

async function fleetRole(): Promise<void> {
  const fleet = await startKubeletFleet({
    nodes: Number(arg('nodes', '100')),
    podsPerNode: Number(arg('pods', '30')),
    containersPerPod: 1,
    certifyAddresses: false,
  });
  const createdMs = Date.now() - 3_600_000;
  const msg: FleetMessage = {
    type: 'fleet',
    port: fleet.port,
    nodes: fleet.nodeNames.map((name, index) => ({
      name,
      address: fleet.addressOf(name),
      kubeletPort: fleet.port,
      index,
      createdMs,
    })),
    pods: fleet.pods().map((p, index) => ({
      namespace: p.namespace,
      name: p.name,
      nodeName: p.node,
      containers: p.containers,
      index,
      createdMs,
      hostIP: fleet.addressOf(p.node),
    })),
  };
  process.send?.(msg);
  process.on('disconnect', () => void fleet.close().then(() => process.exit(0)));
}

function nextMessage<T>(cp: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
    cp.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as T);
    });
    cp.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fleet exited (${String(code)})`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const MiB = 1024 * 1024;
const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/**
 * Has the adapter (started with --node-flags='--heapsnapshot-signal=SIGUSR1 --diagnostic-dir=DIR')
 * write a heap snapshot into dir, and waits until it is complete (its size stops changing).
 */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const { readdir, stat } = await import('node:fs/promises');
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGUSR1');
  let last = -1;
  for (let i = 0; i < 600; i++) {
    await sleep(1_000);
    const file = (await readdir(dir)).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (file === undefined) continue;
    const size = (await stat(path.join(dir, file))).size;
    if (size === last && size > 0) {
      console.error(`heap snapshot: ${path.join(dir, file)}`);
      return;
    }
    last = size;
  }
}

/** Prints the adapter's VmRSS / VmHWM every second from its start, until stopped (at most 30 min). */
function timeline(pid: number, t0: number): () => void {
  const timer = setInterval(() => {
    if (performance.now() - t0 > 1_800_000) return;
    void procMemory(pid)
      .then((m) =>
        console.error(
          `t=${((performance.now() - t0) / 1000).toFixed(0)}s rss=${Math.round(m.rssBytes / MiB)} hwm=${Math.round(m.peakRssBytes / MiB)} MiB`,
        ),
      )
      .catch(() => undefined);
  }, 1_000);
  return () => clearInterval(timer);
}

async function parentRole(): Promise<void> {
  const sizes = arg('nodes', '100,1000,5000').split(',').map(Number);
  const pods = Number(arg('pods', '30'));
  const requests = Number(arg('requests', '10'));
  const cycles = Number(arg('cycles', '2'));
  const extra = arg('adapter-flags', '')
    .split(' ')
    .filter((f) => f !== '');
  const rows: string[] = [];
  const loads: string[] = [];
  const build = await buildFor(arg('build', 'bundle'));
  try {
    for (const nodes of sizes) {
      const fleetProc = fork(SELF, ['--role=fleet', `--nodes=${nodes}`, `--pods=${pods}`], {
        execArgv: ['--import', 'tsx'],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const dir = await makeTempDir('bench-resource-metrics-');
      let kube: FakeKubeProcess | undefined;
      let stopAdapter: (() => Promise<void>) | undefined;
      let stopTimeline: (() => void) | undefined;
      try {
        const fleet = await nextMessage<FleetMessage>(fleetProc, 300_000);
        kube = await startFakeKubeProcess({
          dir: dir.path,
          nodes: fleet.nodes,
          pods: fleet.pods,
          allowUsers: ['tester'],
          full: !process.argv.includes('--small-objects'),
        });
        const pki = await createAdapterPki(dir.path);
        const kubeconfig = kube.kubeconfig;
        const flags = baseFlags(pki, [
          `--kubeconfig=${kubeconfig}`,
          '--authentication-skip-lookup',
          '--kubelet-insecure-tls',
          `--kubelet-port=${fleet.port}`,
          '--kubelet-preferred-address-types=InternalIP',
          '--metric-resolution=15s',
          // The simulated kube-apiserver is slow to answer SubjectAccessReviews while it serves
          // 150 000 pods: keep /metrics off that path.
          '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
          ...extra,
        ]);
        const cpuProfDir = process.argv.includes('--cpu-prof') ? path.join(dir.path, 'prof') : undefined;
        const t0 = performance.now();
        const adapter = await startAdapterChild({
          mainJs: build.mainJs,
          flags,
          pki,
          startTimeoutMs: 300_000,
          cpuProfDir,
          nodeFlags: process.argv.some((a) => a.startsWith('--node-flags='))
            ? arg('node-flags', '')
                .split(' ')
                .filter((f) => f !== '')
            : build.nodeFlags,
          onSpawn: (pid) => {
            if (process.argv.includes('--timeline')) stopTimeline = timeline(pid, t0);
          },
        });
        const readyMs = performance.now() - t0;
        stopAdapter = () => adapter.stop();
        const client = adapter.client(1);
        // With --timeline, the JS heap next to the RSS every 4 s (from the adapter's own metrics).
        const heapTimer = process.argv.includes('--timeline')
          ? setInterval(() => {
              void adapter
                .metrics()
                .then((m) =>
                  console.error(
                    `t=${((performance.now() - t0) / 1000).toFixed(0)}s heap used ${Math.round(sample(m, 'nodejs_heap_size_used_bytes') / MiB)} of ${Math.round(sample(m, 'nodejs_heap_size_total_bytes') / MiB)} MiB, external ${Math.round(sample(m, 'nodejs_external_memory_bytes') / MiB)} MiB`,
                  ),
                )
                .catch(() => undefined);
            }, 4_000)
          : undefined;
        const prevStop = stopTimeline;
        stopTimeline = () => {
          clearInterval(heapTimer);
          prevStop?.();
        };

        const m0 = await adapter.metrics();
        const c0 = sample(m0, `${CYCLE}_count`);
        const s0 = sample(m0, `${CYCLE}_sum`);
        // Where start → ready went: the scrape cycles finished by then (the first is every node's
        // first scrape), the rest is process start, the node list, and warm-up scrapes.
        console.error(
          `at /readyz (${fmt(readyMs)}): ${c0} scrape cycle(s) done, ${fmt(s0 * 1000)} in them (the first ends when every node has answered once)`,
        );
        const deadline = Date.now() + (cycles + 3) * 15_000;
        let m1 = m0;
        while (sample(m1, `${CYCLE}_count`) < c0 + cycles && Date.now() < deadline) {
          await sleep(1_000);
          m1 = await adapter.metrics();
        }
        const dc = sample(m1, `${CYCLE}_count`) - c0;
        const cycleMs = dc > 0 ? ((sample(m1, `${CYCLE}_sum`) - s0) / dc) * 1000 : NaN;

        const timeList = async (path: string): Promise<{ ms: number[]; items: number; bytes: number }> => {
          const ms: number[] = [];
          let items = 0;
          let bytes = 0;
          for (let i = 0; i < requests + 2; i++) {
            const s = performance.now();
            // The first request starts the pod informer and waits for its sync (150 000 full pods
            // at 5 000 nodes); past the adapter's request timeout it is a 504: ask again, for up to
            // 10 minutes, and report when the first answer came.
            let res = await client.send({ method: 'GET', path }, 120_000);
            for (let retry = 0; i === 0 && res.status === 504 && retry < 10; retry++)
              res = await client.send({ method: 'GET', path }, 120_000);
            if (i === 0) console.error(`first answer to GET ${path}: ${fmt(performance.now() - s)}`);
            const took = performance.now() - s;
            if (res.status !== 200)
              throw new Error(`GET ${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
            if (i < 2) {
              items = (JSON.parse(res.body.toString()) as { items: unknown[] }).items.length;
              bytes = res.body.length;
            } else ms.push(took);
          }
          return { ms, items, bytes };
        };
        const windows: Window[] = [];
        let w0 = monotonicUs();
        const podList = await timeList(`${GV}/pods`);
        windows.push({ label: 'pods list', startUs: w0, endUs: monotonicUs(), requests: requests + 2 });
        w0 = monotonicUs();
        const nodeList = await timeList(`${GV}/nodes`);
        windows.push({ label: 'nodes list', startUs: w0, endUs: monotonicUs(), requests: requests + 2 });
        const mem = await procMemory(adapter.pid);
        const snapDir = arg('heap-snapshot-dir', '');
        if (snapDir !== '') await heapSnapshot(adapter.pid, snapDir);
        const mm = await adapter.metrics();
        console.error(
          `adapter heap used ${Math.round(sample(mm, 'nodejs_heap_size_used_bytes') / MiB)} MiB of ${Math.round(sample(mm, 'nodejs_heap_size_total_bytes') / MiB)} MiB, external ${Math.round(sample(mm, 'nodejs_external_memory_bytes') / MiB)} MiB, RSS ${Math.round(mem.rssBytes / MiB)} MiB`,
        );
        loads.push(loadavg()[0]?.toFixed(1) ?? '?');
        const row = [
          `${nodes} × ${pods}`,
          fmt(readyMs),
          fmt(cycleMs),
          `${Math.round(mem.peakRssBytes / MiB)} MiB`,
          `${Math.round(mem.rssBytes / MiB)} MiB`,
          `${fmt(median(podList.ms))} (${fmt(Math.min(...podList.ms))}–${fmt(Math.max(...podList.ms))})`,
          `${podList.items} / ${(podList.bytes / MiB).toFixed(1)} MiB`,
          fmt(median(nodeList.ms)),
          `${nodeList.items}`,
        ].join(' | ');
        rows.push(`| ${row} |`);
        console.error(`done: ${row}`);
        if (cpuProfDir !== undefined) {
          await adapter.stop();
          stopAdapter = undefined;
          const file = await findProfile(cpuProfDir);
          for (const sum of await summarize(file, path.dirname(build.mainJs), windows)) {
            console.error(
              `\n${sum.label}: busy ${Math.round(sum.busyMs)} ms of ${Math.round(sum.wallMs)} ms`,
            );
            for (const a of sum.areas.slice(0, 8)) console.error(`  area ${a.area}: ${Math.round(a.ms)} ms`);
            for (const f of sum.functions) console.error(`  fn ${f.fn} ${f.where}: ${Math.round(f.ms)} ms`);
          }
        }
      } finally {
        stopTimeline?.();
        await stopAdapter?.();
        fleetProc.disconnect();
        fleetProc.kill();
        await kube?.close();
        await dir.remove();
      }
    }
  } finally {
    await build.remove();
  }
  console.log(`\n\`node --import tsx bench/resource-metrics.ts ${process.argv.slice(2).join(' ')}\``);
  console.log(`load average (1 min) after each size: ${loads.join(', ')}`);
  console.log(
    `adapter flags beyond the fleet's: ${extra.join(' ') || '(none)'}; ${requests} requests per list after 2 warm-up\n`,
  );
  console.log(
    '| nodes × pods | adapter start → /readyz (complete data) | scrape cycle (mean after ready) | peak RSS (VmHWM) | RSS at end | GET …/pods all namespaces, median (min–max) | pods / body | GET …/nodes median | nodes |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

if (arg('role', 'parent') === 'fleet') await fleetRole();
else await parentRole();

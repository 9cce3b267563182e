/**
 * The kubelet scraper at cluster scale: N simulated kubelets × P pods (one container each) in one
 * child process, the scraper under test in another (talking to a simulated kube-apiserver, in this
 * parent, for the node watch), so the three never share a thread.
 *
 *   node --import tsx bench/kubelet-scale.ts [--nodes=100,1000,5000] [--pods=30] [--cycles=2] [--keepalive-max-nodes=N]
 *
 * Reports per size: time from the scraper process's start (and from scraper.start()) to complete
 * data (`ready`: every node answers, from one scrape with usageNanoCores, else two points), full
 * cycle duration (a resolution tick until every node of it was scraped; the slowest of the cycles
 * after ready), peak RSS of the scraper process
 * (VmHWM) and its RSS after imports, and the time to build every pod's usage
 * (`podUsage({ namespace: undefined })`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAdapter } from './adapter-process.js';
import { startFakeKube } from '../test/helpers/fake-kube.js';
import { startKubeletFleet } from '../test/helpers/fake-kubelet.js';
import type { KubeObject } from '../test/helpers/kube-store.js';
import { makeTempDir } from '../test/helpers/temp.js';

const SELF = fileURLToPath(import.meta.url);

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

type FleetMessage = { type: 'fleet'; port: number; nodes: KubeObject[] };
interface ScraperResult {
  type: 'result';
  baselineRssBytes: number;
  /** CPU time (user+system) of the scraper process from its start to ready. */
  cpuToReadyMs: number;
  /** CPU ms per wall second after ready (steady state: scrapes every 15 s). */
  cpuPerSecondMs: number;
  startToReadyMs: number;
  processToReadyMs: number;
  cycleMs: number[];
  peakRssBytes: number;
  podUsageMs: number[];
  pods: number;
  nodesWithData: number;
}

async function fleetRole(): Promise<void> {
  const nodes = Number(arg('nodes', '100'));
  const pods = Number(arg('pods', '30'));
  const fleet = await startKubeletFleet({
    nodes,
    podsPerNode: pods,
    containersPerPod: 1,
    certifyAddresses: false,
    addressOffset: 0,
  });
  const msg: FleetMessage = { type: 'fleet', port: fleet.port, nodes: fleet.nodeObjects() };
  process.send?.(msg);
  process.on('disconnect', () => void fleet.close().then(() => process.exit(0)));
}

/**
 * The scraper process: plain JavaScript over the `tsc` build of src/ (bench/adapter-process.ts), so
 * its RSS is the scraper's and not a TypeScript loader's.
 */
const SCRAPER_CHILD = `
import { readFileSync } from 'node:fs';
const vm = (f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB$', 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const arg = (n, d) => { const h = process.argv.find((a) => a.startsWith('--' + n + '=')); return h === undefined ? d : h.slice(n.length + 3); };
const dist = arg('dist', '');
const { KubeClient } = await import(dist + '/kube/index.js');
const { KubeletScraper } = await import(dist + '/kubelet/index.js');
const { silentLogger } = await import(dist + '/logging.js');
const baselineRssBytes = vm('VmRSS');
const client = KubeClient.fromKubeconfig(arg('kubeconfig', ''));
const expected = Number(arg('nodes', '0'));
const cycles = Number(arg('cycles', '2'));
const resolutionMs = Number(arg('resolution', '15000'));
const scraper = new KubeletScraper({
  client,
  logger: silentLogger(),
  options: {
    preferredAddressTypes: ['InternalIP'],
    port: Number(arg('port', '10250')),
    useNodeStatusPort: false,
    insecureTLS: true,
    caFile: undefined,
    clientCertFile: undefined,
    clientKeyFile: undefined,
    requestTimeoutMs: 10000,
    endpoint: arg('endpoint', 'summary'),
    resolutionMs,
    ...(arg('keepalive-max-nodes', '') === '' ? {} : { keepAliveMaxNodes: Number(arg('keepalive-max-nodes', '')) }),
  },
});
const t0 = performance.now();
scraper.start();
if (process.env.BENCH_DEBUG) {
  void scraper.nodes.waitForSync(600000).then(() => console.error('synced after', Math.round(performance.now() - t0), 'ms'));
  const iv = setInterval(() => console.error('t=', Math.round(performance.now() - t0), 'cycle', scraper.lastCycleMs, 'nodes complete', scraper.store.nodeUsage().length, 'counts', JSON.stringify(scraper.store.counts())), 1000);
  void scraper.ready.then(() => clearInterval(iv));
}
await scraper.ready;
const startToReadyMs = performance.now() - t0;
const processToReadyMs = performance.now();
const cpuToReadyMs = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
const cpuAtReady = process.cpuUsage();
const wallAtReady = performance.now();
const nodesWithData = scraper.store.nodeUsage().length;
if (nodesWithData !== expected) console.error('only ' + nodesWithData + ' of ' + expected + ' nodes have data');
const cycleMs = [];
let seen = scraper.lastCycleMs;
const deadline = Date.now() + (cycles + 2) * resolutionMs + 60000;
while (cycleMs.length < cycles && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 200));
  if (scraper.lastCycleMs !== seen && scraper.lastCycleMs !== undefined) {
    seen = scraper.lastCycleMs;
    cycleMs.push(seen);
  }
}
const cpuSinceReady = process.cpuUsage(cpuAtReady);
const cpuPerSecondMs = ((cpuSinceReady.user + cpuSinceReady.system) / 1000) / ((performance.now() - wallAtReady) / 1000);
const podUsageMs = [];
let pods = 0;
const source = scraper.usageSource();
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  pods = (await source.podUsage({ namespace: undefined })).length;
  podUsageMs.push(performance.now() - s);
}
const mem = process.memoryUsage();
console.error('memory at end (MiB):', JSON.stringify(Object.fromEntries(Object.entries(mem).map(([k, v]) => [k, Math.round(v / 1048576)]))));
process.send({ type: 'result', cpuToReadyMs, cpuPerSecondMs, baselineRssBytes, startToReadyMs, processToReadyMs, cycleMs, peakRssBytes: vm('VmHWM'), podUsageMs, pods, nodesWithData });
await scraper.stop();
client.close();
process.disconnect();
`;

/** Extra node flags for the scraper process, e.g. --scraper-node-options=--max-old-space-size=400 */
const scraperNodeOptions = arg('scraper-node-options', '')
  .split(' ')
  .filter((o) => o !== '');

function child(args: string[], script = SELF): ChildProcess {
  return fork(script, args, {
    execArgv: script === SELF ? ['--import', 'tsx'] : scraperNodeOptions,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(cp: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: unknown): void => {
      if ((m as { type?: string }).type !== type) return;
      clearTimeout(timer);
      cp.off('message', onMessage);
      cp.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`child exited (${String(code)}) before sending ${type}`));
    };
    cp.on('message', onMessage);
    cp.once('exit', onExit);
  });
}

const MiB = 1024 * 1024;
const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

async function parentRole(): Promise<void> {
  const sizes = arg('nodes', '100,1000,5000').split(',').map(Number);
  const pods = Number(arg('pods', '30'));
  const cycles = arg('cycles', '2');
  const endpoint = arg('endpoint', 'summary');
  const keepAliveMaxNodes = arg('keepalive-max-nodes', '');
  const rows: string[] = [];
  const build = await buildAdapter();
  const childScript = path.join(path.dirname(build.mainJs), '..', 'kubelet-scraper-child.mjs');
  await writeFile(childScript, SCRAPER_CHILD);
  for (const nodes of sizes) {
    const fleetProc = child(['--role=fleet', `--nodes=${nodes}`, `--pods=${pods}`]);
    let scraperProc: ChildProcess | undefined;
    const kube = await startFakeKube();
    const dir = await makeTempDir('bench-kubelet-');
    try {
      const fleet = await nextMessage<FleetMessage>(fleetProc, 'fleet', 300_000);
      for (const n of fleet.nodes) kube.upsert({ group: '', version: 'v1', resource: 'nodes' }, n);
      const kubeconfig = await kube.writeKubeconfig(dir.path, { user: 'token' });
      scraperProc = child(
        [
          `--dist=${path.dirname(build.mainJs)}`,
          `--kubeconfig=${kubeconfig}`,
          `--port=${fleet.port}`,
          `--nodes=${nodes}`,
          `--cycles=${cycles}`,
          `--endpoint=${endpoint}`,
          `--keepalive-max-nodes=${keepAliveMaxNodes}`,
        ],
        childScript,
      );
      const r = await nextMessage<ScraperResult>(scraperProc, 'result', 600_000);
      const row = [
        `${nodes} × ${pods}`,
        fmt(r.processToReadyMs),
        fmt(r.startToReadyMs),
        r.cycleMs.map(fmt).join(', '),
        `${Math.round(r.cpuToReadyMs)} ms`,
        `${Math.round((r.cpuPerSecondMs * 15_000) / 1000)} ms`,
        `${Math.round(r.peakRssBytes / MiB)} MiB`,
        `${Math.round(r.baselineRssBytes / MiB)} MiB`,
        r.podUsageMs.map(fmt).join(', '),
        `${r.pods}`,
        `${r.nodesWithData}`,
      ].join(' | ');
      rows.push(`| ${row} |`);
      console.error(`done: ${row}`);
    } finally {
      scraperProc?.kill();
      fleetProc.disconnect();
      fleetProc.kill();
      await kube.close();
      await dir.remove();
    }
  }
  await build.remove();
  console.log(
    `\nload average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `\nkubelet scraper, --kubelet-endpoint=${endpoint}, resolution 15 s, ${pods} pods per node, scraper node flags: ${scraperNodeOptions.join(' ') || '(none)'}, keepAliveMaxNodes ${keepAliveMaxNodes || '(default)'}\n\n\`node --import tsx bench/kubelet-scale.ts ${process.argv.slice(2).join(' ')}\`\n`,
  );
  console.log(
    '| nodes × pods | process start → complete data | scraper.start() → complete data | cycle (after ready) | scraper CPU to ready | scraper CPU per 15 s | peak RSS (VmHWM) | RSS after imports | podUsage(all) ×3 | pods answered | nodes with data |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

const role = arg('role', 'parent');
if (role === 'fleet') await fleetRole();
else await parentRole();

/**
 * Memory under pod churn, the WHOLE adapter (a `tsc` build in a child process, as in
 * bench/resource-metrics.ts): a simulated kubelet fleet in one child, the simulated kube-apiserver
 * serving FULL objects in another (test/helpers/fake-kube-process.ts), and this parent creating
 * and deleting pods at a steady rate in both (so the pod informer sees ADDED/DELETED events and the
 * kubelet store sees pods come and go) while it asks metrics.k8s.io every few seconds (which keeps
 * the informers and the kubelet store in use). The adapter's RSS is read throughout.
 *
 *   npm run bench:churn                      # 10 minutes, 1 000 pods created and 1 000 deleted per minute
 *   npm run bench:churn -- --minutes=1 [--nodes=100] [--pods=30] [--rate=1000] [--sample-seconds=10]
 *
 * RSS is called flat when the median of the last tenth of the readings is within 10 % of the
 * median of the second tenth (the first tenth is the start-up).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { baseFlags, createAdapterPki } from '../test/helpers/adapter.js';
import { startFakeKubeProcess, type FakeKubeProcess } from '../test/helpers/fake-kube-process.js';
import { startKubeletFleet } from '../test/helpers/fake-kubelet.js';
import type { NodeShape, PodShape } from '../test/helpers/kube-objects.js';
import { makeTempDir } from '../test/helpers/temp.js';
import { buildAdapter, startAdapterChild, type AdapterChild } from './adapter-process.js';
import { procMemory, sample } from './procstat.js';

const SELF = fileURLToPath(import.meta.url);
const GV = '/apis/metrics.k8s.io/v1beta1';
const MiB = 1024 * 1024;

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

type FleetCommand =
  | { op: 'add'; id: number; pods: { node: string; namespace: string; name: string; containers: string[] }[] }
  | { op: 'remove'; id: number; pods: { namespace: string; name: string }[] };
type FleetReply =
  { type: 'fleet'; port: number; nodes: NodeShape[]; pods: PodShape[] } | { type: 'done'; id: number };

async function fleetRole(): Promise<void> {
  const fleet = await startKubeletFleet({
    nodes: Number(arg('nodes', '100')),
    podsPerNode: Number(arg('pods', '30')),
    containersPerPod: 1,
    certifyAddresses: false,
  });
  const createdMs = Date.now() - 3_600_000;
  const reply = (m: FleetReply): void => void process.send?.(m);
  reply({
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
  });
  process.on('message', (m: FleetCommand) => {
    if (m.op === 'add') for (const p of m.pods) fleet.addPod(p.node, p);
    else for (const p of m.pods) fleet.removePod(p.namespace, p.name);
    reply({ type: 'done', id: m.id });
  });
  process.on('disconnect', () => void fleet.close().then(() => process.exit(0)));
}

function nextMessage<T>(cp: ChildProcess, accept: (m: unknown) => m is T, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cp.off('message', onMessage);
      reject(new Error(`no message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown): void => {
      if (!accept(m)) return;
      clearTimeout(timer);
      cp.off('message', onMessage);
      resolve(m);
    };
    cp.on('message', onMessage);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

interface Reading {
  atS: number;
  rssMiB: number;
  podsInCluster: number;
  podsStored: number;
}

async function parentRole(): Promise<void> {
  const minutes = Number(arg('minutes', '10'));
  const nodes = Number(arg('nodes', '100'));
  const podsPerNode = Number(arg('pods', '30'));
  const ratePerMinute = Number(arg('rate', '1000'));
  const sampleMs = Number(arg('sample-seconds', '10')) * 1000;
  if (!(minutes > 0 && minutes <= 120)) throw new Error('--minutes must be in (0, 120]');
  const build = await buildAdapter();
  const fleetProc = fork(SELF, ['--role=fleet', `--nodes=${nodes}`, `--pods=${podsPerNode}`], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dir = await makeTempDir('bench-churn-');
  let kube: FakeKubeProcess | undefined;
  let adapter: AdapterChild | undefined;
  try {
    const fleet = await nextMessage(
      fleetProc,
      (m): m is Extract<FleetReply, { type: 'fleet' }> => (m as FleetReply).type === 'fleet',
      300_000,
    );
    kube = await startFakeKubeProcess({
      dir: dir.path,
      nodes: fleet.nodes,
      pods: fleet.pods,
      allowUsers: ['tester'],
    });
    const pki = await createAdapterPki(dir.path);
    adapter = await startAdapterChild({
      mainJs: build.mainJs,
      pki,
      startTimeoutMs: 300_000,
      flags: baseFlags(pki, [
        `--kubeconfig=${kube.kubeconfig}`,
        '--authentication-skip-lookup',
        '--kubelet-insecure-tls',
        `--kubelet-port=${fleet.port}`,
        '--kubelet-preferred-address-types=InternalIP',
        '--metric-resolution=15s',
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      ]),
    });
    const client = adapter.client(1);
    const ask = async (path: string): Promise<void> => {
      const res = await client.send({ method: 'GET', path }, 60_000);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    };
    await ask(`${GV}/pods`);

    let nextId = 0;
    const fleetCall = (cmd: FleetCommand): Promise<unknown> => {
      const done = nextMessage(
        fleetProc,
        (m): m is FleetReply => (m as FleetReply).type === 'done' && (m as { id: number }).id === cmd.id,
        60_000,
      );
      fleetProc.send(cmd);
      return done;
    };
    // Oldest first: the churn deletes the pods that have lived longest, the initial ones included.
    const alive: PodShape[] = [...fleet.pods];
    let head = 0;
    let made = 0;
    let owed = 0;
    const readings: Reading[] = [];
    const t0 = performance.now();
    const endAt = t0 + minutes * 60_000;
    let nextSample = t0;
    let nextAsk = t0;
    let churned = 0;
    for (let tick = 0; performance.now() < endAt && tick < 120 * 60 * 10; tick++) {
      const tickStart = performance.now();
      owed += ratePerMinute / 60;
      const n = Math.floor(owed);
      owed -= n;
      if (n > 0) {
        const born: PodShape[] = [];
        for (let i = 0; i < n; i++, made++) {
          const node = fleet.nodes[made % fleet.nodes.length]!;
          born.push({
            namespace: `churn-${made % 7}`,
            name: `churn-${made}`,
            nodeName: node.name,
            containers: ['app', 'sidecar'],
            index: fleet.pods.length + made,
            createdMs: Date.now(),
            hostIP: node.address,
          });
        }
        const dead = alive.slice(head, head + n);
        head += n;
        alive.push(...born);
        if (head > 100_000) {
          alive.splice(0, head);
          head = 0;
        }
        await fleetCall({
          op: 'add',
          id: ++nextId,
          pods: born.map((p) => ({
            node: p.nodeName,
            namespace: p.namespace,
            name: p.name,
            containers: [...p.containers],
          })),
        });
        await kube.addPods(born);
        await kube.removePods(dead.map((p) => ({ namespace: p.namespace, name: p.name })));
        await fleetCall({
          op: 'remove',
          id: ++nextId,
          pods: dead.map((p) => ({ namespace: p.namespace, name: p.name })),
        });
        churned += n;
      }
      if (performance.now() >= nextAsk) {
        nextAsk += 5_000;
        await ask(`${GV}/pods`);
        await ask(`${GV}/namespaces/churn-${tick % 7}/pods`);
        await ask(`${GV}/nodes`);
      }
      if (performance.now() >= nextSample) {
        nextSample += sampleMs;
        const mem = await procMemory(adapter.pid);
        const m = await adapter.metrics();
        const r: Reading = {
          atS: Math.round((performance.now() - t0) / 1000),
          rssMiB: mem.rssBytes / MiB,
          podsInCluster: alive.length - head,
          podsStored: sample(m, 'metrics_adapter_kubelet_points_stored{kind="pod"}'),
        };
        readings.push(r);
        console.error(
          `t=${r.atS}s RSS ${r.rssMiB.toFixed(0)} MiB, pods ${r.podsInCluster} (kubelet store ${r.podsStored}), churned ${churned}`,
        );
      }
      await sleep(Math.max(0, 1_000 - (performance.now() - tickStart)));
    }
    const tenth = Math.max(1, Math.floor(readings.length / 10));
    const second = median(readings.slice(tenth, 2 * tenth).map((r) => r.rssMiB));
    const last = median(readings.slice(-tenth).map((r) => r.rssMiB));
    const flat = Math.abs(last - second) <= 0.1 * second;
    const peak = (await procMemory(adapter.pid)).peakRssBytes / MiB;
    console.log(`\n\`npm run bench:churn -- ${process.argv.slice(2).join(' ')}\``);
    console.log(
      `${nodes} nodes × ${podsPerNode} pods, ${ratePerMinute} pods created and ${ratePerMinute} deleted per minute for ${minutes} min (${churned} each); load average (1 min) at the end ${loadavg()[0]?.toFixed(1) ?? '?'}\n`,
    );
    console.log('| t (s) | RSS (MiB) | pods in the cluster | pods in the kubelet store |');
    console.log('|---:|---:|---:|---:|');
    for (const r of readings)
      console.log(`| ${r.atS} | ${r.rssMiB.toFixed(0)} | ${r.podsInCluster} | ${r.podsStored} |`);
    console.log(
      `\nRSS median of the second tenth ${second.toFixed(0)} MiB, of the last tenth ${last.toFixed(0)} MiB (${(((last - second) / second) * 100).toFixed(1)} %): ${flat ? 'FLAT' : last < second ? 'NOT FLAT (lower at the end: not growing)' : 'NOT FLAT (growing)'}; peak ${peak.toFixed(0)} MiB`,
    );
  } finally {
    await adapter?.stop();
    if (fleetProc.connected) fleetProc.disconnect();
    fleetProc.kill();
    await kube?.close();
    await dir.remove();
    await build.remove();
  }
}

if (arg('role', 'parent') === 'fleet') await fleetRole();
else await parentRole();

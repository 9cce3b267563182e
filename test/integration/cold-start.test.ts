/**
 * First answers after one scrape, end to end: the real CLI (a child process) scraping a simulated
 * kubelet fleet, the simulated kube-apiserver behind the simulated kube-aggregator, and kubectl as
 * the client.
 * - --kubelet-endpoint=resource (only counters, so usageNanoCores cannot mask the rule): a pod whose
 *   container started 12 s before the node's first scrape is in `kubectl top pod` after that one
 *   scrape (cold start: counter over the time since start); one started 10 minutes ago is not
 *   until the next scrape brings a second point.
 * - --kubelet-endpoint=summary: `kubectl top node` answers after one scrape of each node
 *   (usageNanoCores).
 * The node is registered only once the adapter serves, so its watch scrapes it at once and "12 s
 * before the first scrape" does not depend on how long the CLI takes to start.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAdapterProcess, type AdapterPki } from '../helpers/adapter.js';
import type { FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startKubeletFleet, type FakeKubeletFleet } from '../helpers/fake-kubelet.js';
import { runKubectl, type KubectlResult } from '../helpers/kubectl.js';
import { LOOPBACK } from '../helpers/ports.js';
import type { ManagedProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { eventually, waitUntil } from './support.js';
import { fleetAdapterFlags, startAggregated } from './aggregated.js';

const TOKEN = 'cold-start-e2e-token';
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const GV = '/apis/metrics.k8s.io/v1beta1';
const START_TIMEOUT_MS = 30_000;

interface Cluster {
  tmp: TempDir;
  kube: FakeKube;
  agg: FakeAggregator;
  fleet: FakeKubeletFleet;
  pki: AdapterPki;
  adapter: ManagedProcess;
  userKubeconfig: string;
  close(): Promise<void>;
}

/** Fleet, kube-apiserver (no nodes yet), aggregator, and the adapter CLI registered behind it. */
async function startCluster(name: string, nodes: number, flags: string[]): Promise<Cluster> {
  const tmp = await makeTempDir(name);
  const fleet = await startKubeletFleet({ nodes, podsPerNode: 2, token: TOKEN, housekeepingMs: 1000 });
  const kube = await startFakeKube();
  kube.setSarPolicy(() => ({ allowed: true }));
  for (const ns of ['default', 'team-a', 'cold']) kube.ensureNamespace(ns);
  const { agg, pki, adapterKubeconfig, userKubeconfig } = await startAggregated(kube, tmp.path, TOKEN);
  const fleetCAFile = join(tmp.path, 'kubelet-ca.crt');
  await writeFile(fleetCAFile, fleet.caPem);
  const adapter = await startAdapterProcess([
    ...fleetAdapterFlags(pki, adapterKubeconfig, fleetCAFile, fleet.port),
    '--metric-resolution=15s',
    ...flags,
  ]);
  const close = async (): Promise<void> => {
    await adapter.stop({ signal: 'SIGTERM', graceMs: 5_000 });
    await agg.close();
    await kube.close();
    await fleet.close();
    await tmp.remove();
  };
  try {
    const line = await adapter.waitForOutput('"msg":"serving securely"', {
      timeoutMs: START_TIMEOUT_MS,
      stream: 'stderr',
    });
    const port = (JSON.parse(line.line) as { port?: unknown }).port;
    assert.equal(typeof port, 'number', line.line);
    const result = await agg.registerAPIService({
      name: 'v1beta1.metrics.k8s.io',
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      serviceURL: `https://${LOOPBACK}:${String(port)}`,
      caBundlePem: pki.servingCA.certPem,
    });
    assert.equal(result.available, true, JSON.stringify(result));
  } catch (err) {
    await close();
    throw err;
  }
  return { tmp, kube, agg, fleet, pki, adapter, userKubeconfig, close };
}

function kubectl(c: Cluster, args: string[]): Promise<KubectlResult> {
  return runKubectl(args, { kubeconfig: c.userKubeconfig });
}

/** Registers the fleet's nodes and pods: the adapter's node watch scrapes each node at once. */
function registerFleet(c: Cluster): void {
  for (const p of c.fleet.podObjects()) c.kube.upsert(PODS, p);
  for (const n of c.fleet.nodeObjects()) c.kube.upsert(NODES, n);
}

describe(
  'cold start through the real CLI and kubectl (--kubelet-endpoint=resource)',
  { timeout: 120_000 },
  () => {
    let c: Cluster;
    before(async () => {
      c = await startCluster('cold-start-resource', 1, ['--kubelet-endpoint=resource']);
    });
    after(async () => {
      await c.close();
    });

    it('a pod started 12 s before the first scrape is in kubectl top pod after it; one 10 minutes old after the second', async () => {
      c.fleet.addPod('node-0', {
        namespace: 'cold',
        name: 'fresh',
        containers: ['app'],
        startedMsAgo: 12_000,
      });
      c.fleet.addPod('node-0', {
        namespace: 'cold',
        name: 'old',
        containers: ['app'],
        startedMsAgo: 600_000,
      });
      registerFleet(c);
      await waitUntil('the first scrape of node-0', () => c.fleet.requestCount('node-0') >= 1, {
        timeoutMs: 15_000,
        intervalMs: 10,
      });
      // Every later scrape fails until the checks below are done, so what they see is one scrape's.
      await c.fleet.setFault('node-0', { kind: 'status', status: 503 });
      assert.equal(c.fleet.requestCount('node-0'), 1, 'a second scrape came before the fault');

      const top = await eventually('fresh in kubectl top pod', async () => {
        const r = await kubectl(c, ['top', 'pod', '-n', 'cold', '--no-headers']);
        return r.code === 0 && r.stdout.includes('fresh') ? r.stdout : undefined;
      });
      const lines = top.trim().split('\n');
      assert.equal(lines.length, 1, top);
      const [name, cpu] = lines[0]!.trim().split(/\s+/);
      assert.equal(name, 'fresh');
      assert.equal(cpu, `${Math.ceil(c.fleet.containerRate('cold', 'fresh', 'app') / 1e6)}m`);
      const old = await kubectl(c, ['top', 'pod', 'old', '-n', 'cold']);
      assert.notEqual(old.code, 0, old.stdout);
      // The window reported is the time from the container's start to the kubelet's reading.
      const fresh = JSON.parse(
        (await kubectl(c, ['get', '--raw', `${GV}/namespaces/cold/pods/fresh`])).stdout,
      ) as { window: string };
      const windowS = Number(/^(\d+)s$/.exec(fresh.window)?.[1]);
      assert.ok(windowS >= 11 && windowS <= 15, fresh.window);
      // Pods that started an hour ago are not in yet either.
      const all = await kubectl(c, ['top', 'pod', '-A', '--no-headers']);
      assert.doesNotMatch(all.stdout, /node-0-pod-/);

      // The next scrape (the next tick, within one resolution) brings the second point.
      await c.fleet.setFault('node-0', { kind: 'ok' });
      const after2 = await eventually(
        'old in kubectl top pod',
        async () => {
          const r = await kubectl(c, ['top', 'pod', '-n', 'cold', '--no-headers']);
          return r.code === 0 && r.stdout.includes('old') ? r.stdout : undefined;
        },
        30_000,
      );
      assert.equal(after2.trim().split('\n').length, 2, after2);
    });
  },
);

describe(
  'first answer from usageNanoCores through the real CLI and kubectl (--kubelet-endpoint=summary)',
  { timeout: 120_000 },
  () => {
    let c: Cluster;
    before(async () => {
      c = await startCluster('cold-start-summary', 2, ['--kubelet-endpoint=summary']);
    });
    after(async () => {
      await c.close();
    });

    it('kubectl top node answers after one scrape of each node', async () => {
      registerFleet(c);
      const top = await eventually('kubectl top node', async () => {
        const r = await kubectl(c, ['top', 'node', '--no-headers']);
        return r.code === 0 && r.stdout.trim().split('\n').length === 2 ? r.stdout : undefined;
      });
      // One request per node so far: the next tick is a resolution (15 s) away and no warm-up came.
      for (const node of c.fleet.nodeNames) assert.equal(c.fleet.requestCount(node), 1, node);
      for (const node of c.fleet.nodeNames) {
        const line = top.split('\n').find((l) => l.trim().split(/\s+/)[0] === node);
        assert.ok(line !== undefined, top);
        assert.equal(line.trim().split(/\s+/)[1], `${Math.ceil(c.fleet.nodeRate(node) / 1e6)}m`);
      }
      const pods = await kubectl(c, ['top', 'pod', '-A', '--no-headers']);
      assert.equal(pods.code, 0, pods.stderr);
      assert.equal(pods.stdout.trim().split('\n').length, c.fleet.pods().length, pods.stdout);
    });
  },
);

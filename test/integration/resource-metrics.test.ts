/**
 * metrics.k8s.io end to end, the way clusters use it: a simulated kubelet fleet and kube-apiserver
 * behind the simulated kube-aggregator (which also proxies /api/v1/nodes to the kube-apiserver, as
 * `kubectl top node` needs), the adapter registered as v1beta1.metrics.k8s.io, and kubectl as the
 * client. First without resourceRules (the kubelet scraper answers, CPU checked against the rates
 * the fleet served), then with resourceRules on a real Prometheus, which answers until it is
 * stopped; then the kubelet scraper takes over, per request, with no restart.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cpuQuantity, memoryQuantity } from '../../src/apiserver/wire.js';
import { call, startAdapter, type AdapterPki, type InProcessAdapter } from '../helpers/adapter.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import type { FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startKubeletFleet, type FakeKubeletFleet } from '../helpers/fake-kubelet.js';
import { runKubectl } from '../helpers/kubectl.js';
import { LOOPBACK } from '../helpers/ports.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { FAST_RESOURCE_RULES } from '../providers/adapter-resource-rules.js';
import { eventually, sleep } from './support.js';
import { startAggregated } from './aggregated.js';

const TOKEN = 'resource-metrics-e2e-token';
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const GV = '/apis/metrics.k8s.io/v1beta1';

interface ContainerMetrics {
  name: string;
  usage: { cpu: string; memory: string };
}
interface PodMetrics {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; creationTimestamp: string };
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}
interface NodeMetrics {
  metadata: { name: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}
interface List<T> {
  kind: string;
  apiVersion: string;
  items: T[];
}

/** A cluster: kube-apiserver, aggregator in front of it, a kubelet fleet whose nodes and pods it knows. */
interface Cluster {
  tmp: TempDir;
  kube: FakeKube;
  agg: FakeAggregator;
  fleet: FakeKubeletFleet;
  pki: AdapterPki;
  adapterKubeconfig: string;
  userKubeconfig: string;
  fleetCAFile: string;
  close(): Promise<void>;
}

async function startCluster(name: string): Promise<Cluster> {
  const tmp = await makeTempDir(name);
  const fleet = await startKubeletFleet({
    nodes: 3,
    podsPerNode: 2,
    containersPerPod: 2,
    namespaces: ['default', 'team-a'],
    token: TOKEN,
    // A new point every second, so complete data and rate changes show within seconds.
    housekeepingMs: 1000,
  });
  const kube = await startFakeKube();
  kube.setSarPolicy(() => ({ allowed: true }));
  kube.ensureNamespace('default');
  kube.ensureNamespace('team-a');
  for (const n of fleet.nodeObjects()) kube.upsert(NODES, n);
  for (const p of fleet.podObjects()) kube.upsert(PODS, p);
  // A pod that is not running: never listed.
  kube.upsert(PODS, {
    metadata: { name: 'pending-0', namespace: 'default', labels: { app: 'pending' } },
    spec: { containers: [{ name: 'main', image: 'x' }] },
    status: { phase: 'Pending' },
  });
  const { agg, pki, adapterKubeconfig, userKubeconfig } = await startAggregated(kube, tmp.path, TOKEN);
  const fleetCAFile = join(tmp.path, 'kubelet-ca.crt');
  await writeFile(fleetCAFile, fleet.caPem);
  return {
    tmp,
    kube,
    agg,
    fleet,
    pki,
    adapterKubeconfig,
    userKubeconfig,
    fleetCAFile,
    close: async () => {
      await agg.close();
      await kube.close();
      await fleet.close();
      await tmp.remove();
    },
  };
}

function adapterFlags(c: Cluster, extra: string[] = []): string[] {
  return [
    '--secure-port=0',
    `--bind-address=${LOOPBACK}`,
    `--tls-cert-file=${c.pki.servingFiles.certFile}`,
    `--tls-private-key-file=${c.pki.servingFiles.keyFile}`,
    `--client-ca-file=${c.pki.clientCAFile}`,
    `--lister-kubeconfig=${c.adapterKubeconfig}`,
    `--kubelet-certificate-authority=${c.fleetCAFile}`,
    `--kubelet-port=${c.fleet.port}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    '--metric-resolution=1s',
    ...extra,
  ];
}

async function register(c: Cluster, adapter: InProcessAdapter): Promise<void> {
  const result = await c.agg.registerAPIService({
    name: 'v1beta1.metrics.k8s.io',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    groupPriorityMinimum: 100,
    versionPriority: 100,
    serviceURL: adapter.url,
    caBundlePem: c.pki.servingCA.certPem,
  });
  assert.equal(result.available, true, JSON.stringify(result));
}

async function waitReady(c: Cluster, adapter: InProcessAdapter): Promise<void> {
  await eventually('/readyz', async () => {
    const r = await call(adapter, c.pki, '/readyz', {});
    return r.status === 200 ? true : undefined;
  });
}

async function kubectl(c: Cluster, args: string[]): Promise<string> {
  const r = await runKubectl(args, { kubeconfig: c.userKubeconfig });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function raw<T>(c: Cluster, path: string): Promise<T> {
  return JSON.parse(await kubectl(c, ['get', '--raw', path])) as T;
}

/** A CPU quantity in cores ("1999m", "2", "263624356n", "15u"). */
function cores(q: string): number {
  const scale: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3 };
  const unit = q.slice(-1);
  return unit in scale ? Number(q.slice(0, -1)) * (scale[unit] ?? 1) : Number(q);
}

/** kubectl top prints CPU in millicores (rounded up) and memory in Mi (rounded down). */
function millicores(nanocores: number): string {
  return `${Math.ceil(nanocores / 1e6)}m`;
}
function mebibytes(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}Mi`;
}

describe(
  'metrics.k8s.io from the kubelet scraper (no resourceRules), through the aggregator',
  { timeout: 180_000 },
  () => {
    let c: Cluster;
    let adapter: InProcessAdapter;

    before(async () => {
      c = await startCluster('resource-metrics-kubelet');
      adapter = await startAdapter(adapterFlags(c));
      await waitReady(c, adapter);
      await register(c, adapter);
    });
    after(async () => {
      await adapter.close();
      await c.close();
    });

    it('NodeMetrics: CPU is the rate the kubelet counters advanced at, memory the working set', async () => {
      for (const node of c.fleet.nodeNames) {
        const m = await raw<NodeMetrics>(c, `${GV}/nodes/${node}`);
        assert.equal(m.metadata.name, node);
        assert.equal(m.usage.cpu, cpuQuantity(c.fleet.nodeRate(node)), node);
        assert.equal(m.usage.memory, memoryQuantity(c.fleet.nodeMemory(node)), node);
        assert.match(m.window, /^\d+(\.\d+)?s$/);
        assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
    });

    it('PodMetrics: every container of every running pod, exactly the fleet rates; pending pods are left out', async () => {
      const list = await raw<List<PodMetrics>>(c, `${GV}/pods`);
      assert.equal(list.kind, 'PodMetricsList');
      const served = c.fleet.pods();
      assert.deepEqual(
        list.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
        served.map((p) => `${p.namespace}/${p.name}`).sort(),
      );
      for (const p of list.items) {
        for (const ctr of p.containers) {
          const { namespace, name } = p.metadata;
          assert.equal(ctr.usage.cpu, cpuQuantity(c.fleet.containerRate(namespace, name, ctr.name)));
          assert.equal(ctr.usage.memory, memoryQuantity(c.fleet.containerMemory(namespace, name, ctr.name)));
        }
        assert.ok(p.metadata.labels?.app !== undefined, 'pod labels are copied into metadata');
      }
    });

    it('kubectl top node lists every node with the kubelet figures', async () => {
      const out = await kubectl(c, ['top', 'node', '--no-headers']);
      const rows = out
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/));
      assert.deepEqual(rows.map((r) => r[0]).sort(), [...c.fleet.nodeNames].sort());
      for (const r of rows) {
        const node = r[0] ?? '';
        assert.equal(r[1], millicores(c.fleet.nodeRate(node)), out);
        assert.ok(out.includes(mebibytes(c.fleet.nodeMemory(node))), out);
      }
    });

    it('kubectl top pod -A, and --containers in one namespace', async () => {
      const all = await kubectl(c, ['top', 'pod', '-A', '--no-headers']);
      assert.equal(all.trim().split('\n').length, c.fleet.pods().length, all);
      assert.ok(!all.includes('pending-0'));
      const containers = await kubectl(c, ['top', 'pod', '-n', 'default', '--containers', '--no-headers']);
      const inDefault = c.fleet.pods().filter((p) => p.namespace === 'default');
      for (const p of inDefault) {
        for (const ctr of p.containers) {
          const line = containers.split('\n').find((l) => {
            const f = l.trim().split(/\s+/);
            return f[0] === p.name && f[1] === ctr;
          });
          assert.ok(line !== undefined, `${p.name}/${ctr} in:\n${containers}`);
          assert.equal(
            line.trim().split(/\s+/)[2],
            millicores(c.fleet.containerRate(p.namespace, p.name, ctr)),
          );
        }
      }
    });

    it('labelSelector and fieldSelector narrow the lists', async () => {
      const [first] = c.fleet.pods();
      assert.ok(first !== undefined);
      const app = first.name.replace(/-\d+$/, '');
      const byLabel = await raw<List<PodMetrics>>(
        c,
        `${GV}/namespaces/${first.namespace}/pods?labelSelector=${encodeURIComponent(`app=${app}`)}`,
      );
      assert.ok(byLabel.items.length >= 1);
      for (const p of byLabel.items) assert.equal(p.metadata.labels?.app, app);
      const byNode = await raw<List<PodMetrics>>(
        c,
        `${GV}/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${first.node}`)}`,
      );
      assert.deepEqual(
        byNode.items.map((p) => p.metadata.name).sort(),
        c.fleet
          .pods()
          .filter((p) => p.node === first.node)
          .map((p) => p.name)
          .sort(),
      );
    });

    it('missing objects and watches get the Status metrics-server gives', async () => {
      const missing = await runKubectl(['get', '--raw', `${GV}/namespaces/default/pods/nope`], {
        kubeconfig: c.userKubeconfig,
      });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /NotFound|not found/);
      const r = await call(adapter, c.pki, `${GV}/nodes?watch=true`, { cert: c.pki.tester });
      assert.equal(r.status, 405, r.body);
      assert.match(r.body, /watch is not supported on resources of kind \\"nodes\.metrics\.k8s\.io\\"/);
      assert.deepEqual((JSON.parse(r.body) as { details?: unknown }).details, {
        group: 'metrics.k8s.io',
        kind: 'nodes',
      });
      assert.match(missing.stderr, /podmetrics\.metrics\.k8s\.io "default\/nope" not found/);
      const node = await runKubectl(['get', '--raw', `${GV}/nodes/nope`], { kubeconfig: c.userKubeconfig });
      assert.notEqual(node.code, 0);
      assert.match(node.stderr, /nodemetrics\.metrics\.k8s\.io "nope" not found/);
    });
  },
);

/** Prometheus's figures are set far from the fleet's, so the answer shows which source gave it. */
const PROM_CORES = 4;
const PROM_MEMORY = 3 * 2 ** 30;

describe(
  'metrics.k8s.io from resourceRules on a real Prometheus, then the kubelet when Prometheus stops',
  { timeout: 180_000 },
  () => {
    let c: Cluster;
    let exporter: Exporter;
    let prom: PrometheusInstance;
    let adapter: InProcessAdapter;
    let timer: NodeJS.Timeout;

    const sourceCount = async (source: string): Promise<number> => {
      const r = await call(adapter, c.pki, '/metrics', { cert: c.pki.tester });
      const line = r.body
        .split('\n')
        .find((l) =>
          l.startsWith(`metrics_adapter_resource_metrics_objects_total{kind="pods",source="${source}"}`),
        );
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };

    before(async () => {
      c = await startCluster('resource-metrics-prometheus');
      exporter = await startExporter();
      const started = Date.now();
      const tick = (): void => {
        const t = (Date.now() - started) / 1000;
        for (const p of c.fleet.pods()) {
          for (const ctr of p.containers) {
            const labels = { namespace: p.namespace, pod: p.name, container: ctr, node: p.node };
            exporter.set('container_cpu_usage_seconds_total', labels, t * PROM_CORES);
            exporter.set('container_memory_working_set_bytes', labels, PROM_MEMORY);
          }
        }
        for (const node of c.fleet.nodeNames) {
          exporter.set('node_cpu_usage_seconds_total', { node }, t * PROM_CORES);
          exporter.set('node_memory_working_set_bytes', { node }, PROM_MEMORY);
        }
      };
      tick();
      timer = setInterval(tick, 100);
      timer.unref();
      prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
      await prom.waitForSeries('container_cpu_usage_seconds_total');
      // rate() over 30 s needs two samples.
      await sleep(2_500);
      const rules = join(c.tmp.path, 'rules.yaml');
      await writeFile(rules, FAST_RESOURCE_RULES);
      adapter = await startAdapter(
        adapterFlags(c, [`--prometheus-url=${prom.url}`, `--config=${rules}`, '--prometheus-timeout=3s']),
      );
      await waitReady(c, adapter);
      await register(c, adapter);
    });
    after(async () => {
      clearInterval(timer);
      await adapter.close();
      await prom.stop().catch(() => undefined);
      await exporter.close();
      await c.close();
    });

    it('answers from Prometheus while it is up (kubectl top pod and node)', async () => {
      const before = await sourceCount('prometheus');
      const pods = await raw<List<PodMetrics>>(c, `${GV}/pods`);
      assert.equal(pods.items.length, c.fleet.pods().length);
      for (const p of pods.items) {
        for (const ctr of p.containers) {
          // rate() of a counter sampled once a second: within 5 % of the exporter's slope.
          // rate() over a few scrapes of a counter the exporter moves every 100 ms: near the
          // exporter's slope, and far from the fleet's figure for the same container.
          const parsed = cores(ctr.usage.cpu);
          assert.ok(Math.abs(parsed - PROM_CORES) / PROM_CORES < 0.4, `${ctr.usage.cpu} ≈ ${PROM_CORES}`);
          const fleet = c.fleet.containerRate(p.metadata.namespace, p.metadata.name, ctr.name) / 1e9;
          assert.ok(fleet < PROM_CORES / 2, `the fleet's ${fleet} cores are told apart from Prometheus's`);
          assert.equal(ctr.usage.memory, '3Gi');
        }
        assert.equal(p.window, '5s');
      }
      assert.ok((await sourceCount('prometheus')) > before, 'counted as answered by prometheus');
      const top = await kubectl(c, ['top', 'node', '--no-headers']);
      for (const node of c.fleet.nodeNames) assert.match(top, new RegExp(`${node}\\s+\\d{4}m`));
    });

    it('Prometheus stopped: the kubelet scraper answers the next requests, figures from the fleet', async () => {
      await prom.stop();
      const before = await sourceCount('kubelet');
      const pods = await eventually('kubelet answers', async () => {
        const list = await raw<List<PodMetrics>>(c, `${GV}/pods`);
        return list.items.length === c.fleet.pods().length ? list : undefined;
      });
      for (const p of pods.items) {
        for (const ctr of p.containers) {
          const { namespace, name } = p.metadata;
          assert.equal(ctr.usage.cpu, cpuQuantity(c.fleet.containerRate(namespace, name, ctr.name)));
        }
      }
      assert.ok((await sourceCount('kubelet')) > before, 'counted as answered by the kubelet');
      const top = await kubectl(c, ['top', 'pod', '-A', '--no-headers']);
      assert.equal(top.trim().split('\n').length, c.fleet.pods().length, top);
    });
  },
);

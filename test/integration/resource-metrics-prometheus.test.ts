/**
 * metrics.k8s.io from Prometheus resourceRules against a real Prometheus scraping an exporter
 * that plays cAdvisor and node metrics, through the provider and handler directly (no HTTP).
 * The rules are prometheus-adapter's own resourceRules (deploy/manifests/config-map.yaml).
 * A second, kubelet-like source fills in a pod Prometheus has no data for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResourceMetricsApi } from '../../src/apiserver/resource-metrics-api.js';
import { ApiError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import {
  PrometheusResourceSource,
  ResourceMetricsProvider,
  StaticClusterObjects,
  type NodeUsage,
  type PodRecord,
  type PodUsage,
  type PodUsageQuery,
  type ResourceUsageSource,
} from '../../src/providers/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { ADAPTER_RESOURCE_RULES } from '../providers/adapter-resource-rules.js';
import { compileYaml, mapper } from '../rules/fixtures.js';

const RULES = ADAPTER_RESOURCE_RULES;

/** CPU cores used per container (the counters grow at this rate) and memory bytes. */
const CONTAINERS: { ns: string; pod: string; container: string; cores: number; bytes: number }[] = [
  { ns: 'shop', pod: 'web-0', container: 'web', cores: 0.25, bytes: 25_280_512 },
  { ns: 'shop', pod: 'web-0', container: 'proxy', cores: 0.05, bytes: 8 * 1024 ** 2 },
  { ns: 'shop', pod: 'web-1', container: 'web', cores: 1.5, bytes: 1024 ** 3 },
  { ns: 'shop', pod: 'web-1', container: 'proxy', cores: 0.05, bytes: 8 * 1024 ** 2 },
  { ns: 'shop', pod: 'x.y', container: 'app', cores: 0.5, bytes: 1024 ** 2 },
  // Same pod name in another namespace: must not leak into shop's answers.
  { ns: 'other', pod: 'web-0', container: 'web', cores: 3, bytes: 3 * 1024 ** 3 },
  // A pod whose name a regex-unescaped "x.y" would match.
  { ns: 'shop', pod: 'xzy', container: 'app', cores: 2, bytes: 2 * 1024 ** 2 },
];
const NODES = [
  { node: 'n1', cores: 1.75, bytes: 6 * 1024 ** 3 },
  { node: 'n2', cores: 0.5, bytes: 3 * 1024 ** 3 },
];

function pod(ns: string, name: string, containers: string[], phase = 'Running'): PodRecord {
  return {
    name,
    namespace: ns,
    labels: { app: name.replace(/-\d+$/, '') },
    creationTimestamp: undefined,
    phase,
    nodeName: 'n1',
    containers,
  };
}

/** What a kubelet scraper would know: only the pod "late-0" (which Prometheus has no data for). */
class KubeletStandIn implements ResourceUsageSource {
  readonly name = 'kubelet';
  readonly asked: string[] = [];
  podUsage(q: PodUsageQuery): Promise<PodUsage[]> {
    this.asked.push(...(q.names ?? []).map((n) => `${q.namespace ?? '*'}/${n}`));
    const u: PodUsage = {
      namespace: 'shop',
      name: 'late-0',
      timestamp: new Date(),
      windowMs: 15_021,
      containers: [{ name: 'app', cpuNanoCores: 1_873_205, memoryBytes: 25_280_512 }],
    };
    return Promise.resolve(q.namespace === 'shop' && q.names?.includes('late-0') === true ? [u] : []);
  }
  nodeUsage(): Promise<NodeUsage[]> {
    return Promise.resolve([]);
  }
}

function cores(q: string): number {
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e9;
  if (q.endsWith('u')) return Number(q.slice(0, -1)) / 1e6;
  if (q.endsWith('m')) return Number(q.slice(0, -1)) / 1e3;
  return Number(q);
}

function bytes(q: string): number {
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1000 };
  const m = /^(\d+)(Ki|Mi|Gi|k)?$/.exec(q);
  assert.ok(m, q);
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}

interface PodMetrics {
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

interface NodeMetrics {
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}

describe('metrics.k8s.io from resourceRules on a real Prometheus', { timeout: 120_000 }, () => {
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let client: HttpPrometheusClient;
  let api: ResourceMetricsApi;
  let kubelet: KubeletStandIn;
  let metrics: SelfMetrics;
  let timer: NodeJS.Timeout;

  before(async () => {
    exporter = await startExporter();
    const started = Date.now();
    const tick = (): void => {
      const t = (Date.now() - started) / 1000 + 1000;
      for (const c of CONTAINERS) {
        const labels = { namespace: c.ns, pod: c.pod, container: c.container };
        exporter.set('container_cpu_usage_seconds_total', labels, t * c.cores);
        exporter.set('container_memory_working_set_bytes', labels, c.bytes);
      }
      // cAdvisor's pod-level cgroup series (container="") must be ignored by the rules.
      exporter.set(
        'container_cpu_usage_seconds_total',
        { namespace: 'shop', pod: 'web-0', container: '' },
        t * 9,
      );
      for (const n of NODES) {
        exporter.set('node_cpu_usage_seconds_total', { node: n.node }, t * n.cores);
        exporter.set('node_memory_working_set_bytes', { node: n.node }, n.bytes);
      }
    };
    tick();
    timer = setInterval(tick, 50);
    timer.unref();
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    // irate needs two scrapes.
    await prom.waitForQuery(
      'sum by (namespace, pod, container) (irate(container_cpu_usage_seconds_total{container!=""}[4m]))',
      {
        accept: (s) => s.length === CONTAINERS.length,
        timeoutMs: 30_000,
      },
    );
    await prom.waitForQuery('irate(node_cpu_usage_seconds_total[4m])', {
      accept: (s) => s.length === 2,
      timeoutMs: 30_000,
    });
    client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 5_000 });
    metrics = new SelfMetrics({ processMetrics: false });
    const { rules, diagnostics } = compileYaml(RULES);
    assert.ok(rules?.resource, diagnostics.join('\n'));
    const source = new PrometheusResourceSource({
      rules: rules.resource,
      mapper,
      prometheus: client,
      logger: silentLogger(),
      metrics,
      // Small on purpose: the shop pods need several queries.
      maxNamesLength: 12,
    });
    kubelet = new KubeletStandIn();
    const objects = new StaticClusterObjects(
      [
        pod('shop', 'web-0', ['web', 'proxy']),
        pod('shop', 'web-1', ['web', 'proxy']),
        pod('shop', 'x.y', ['app']),
        pod('shop', 'late-0', ['app']),
        pod('shop', 'gone-0', ['app'], 'Succeeded'),
        pod('other', 'web-0', ['web']),
      ],
      NODES.map((n) => ({
        name: n.node,
        labels: { 'kubernetes.io/hostname': n.node },
        creationTimestamp: undefined,
      })),
    );
    const provider = new ResourceMetricsProvider({
      objects,
      sources: [source, kubelet],
      logger: silentLogger(),
      metrics,
    });
    api = new ResourceMetricsApi(provider);
  });

  after(async () => {
    clearInterval(timer);
    client.close();
    await prom.stop();
    await exporter.close();
  });

  const list = async (ns: string | undefined, query = ''): Promise<PodMetrics[]> => {
    const res = await api.listPods(ns, new URLSearchParams(query));
    const body = JSON.parse(res.text) as { kind: string; apiVersion: string; items: PodMetrics[] };
    assert.equal(body.kind, 'PodMetricsList');
    assert.equal(body.apiVersion, 'metrics.k8s.io/v1beta1');
    return body.items;
  };

  it('pods of a namespace: per-container CPU and memory match the series fed', async () => {
    const items = await list('shop');
    assert.deepEqual(
      items.map((i) => i.metadata.name),
      ['late-0', 'web-0', 'web-1', 'x.y'],
    );
    for (const item of items.filter((i) => i.metadata.name !== 'late-0')) {
      assert.equal(item.window, '5m0s');
      assert.equal(item.metadata.namespace, 'shop');
      assert.deepEqual(item.metadata.labels, { app: item.metadata.name.replace(/-\d+$/, '') });
      assert.ok(Math.abs(Date.parse(item.timestamp) - Date.now()) < 60_000, item.timestamp);
      const fed = CONTAINERS.filter((c) => c.ns === 'shop' && c.pod === item.metadata.name);
      assert.deepEqual(item.containers.map((c) => c.name).sort(), fed.map((c) => c.container).sort());
      for (const c of item.containers) {
        const want = fed.find((f) => f.container === c.name);
        assert.ok(want);
        assert.equal(
          bytes(c.usage.memory),
          want.bytes,
          `${item.metadata.name}/${c.name} memory ${c.usage.memory}`,
        );
        const got = cores(c.usage.cpu);
        assert.ok(
          Math.abs(got - want.cores) <= want.cores * 0.25,
          `${item.metadata.name}/${c.name} cpu ${c.usage.cpu} vs ${want.cores}`,
        );
      }
    }
    const web1 = items.find((i) => i.metadata.name === 'web-1');
    assert.equal(web1?.containers.find((c) => c.name === 'web')?.usage.memory, '1Gi');
    assert.equal(web1.containers.find((c) => c.name === 'proxy')?.usage.memory, '8Mi');
  });

  it('a pod Prometheus has no data for is answered by the next source, which is asked for nothing else', async () => {
    kubelet.asked.length = 0;
    const late = (await list('shop')).find((i) => i.metadata.name === 'late-0');
    assert.deepEqual(late?.containers, [{ name: 'app', usage: { cpu: '1873205n', memory: '24688Ki' } }]);
    assert.equal(late.window, '15.021s');
    assert.deepEqual(kubelet.asked, ['shop/late-0']);
    const answers = (await metrics.resourceMetricsAnswers.get()).values.map(
      (v) => `${String(v.labels.kind)}/${String(v.labels.source)}`,
    );
    assert.ok(answers.includes('pods/prometheus') && answers.includes('pods/kubelet'), answers.join());
  });

  it('all namespaces; label and field selectors; names are not regexes', async () => {
    assert.deepEqual(
      (await list(undefined)).map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
      ['other/web-0', 'shop/late-0', 'shop/web-0', 'shop/web-1', 'shop/x.y'],
    );
    const other = (await list(undefined, 'fieldSelector=metadata.namespace%3Dother'))[0];
    assert.equal(bytes(other?.containers[0]?.usage.memory ?? ''), 3 * 1024 ** 3);
    assert.deepEqual(
      (await list('shop', 'labelSelector=app%3Dweb')).map((i) => i.metadata.name),
      ['web-0', 'web-1'],
    );
    const xy = await api.getPod('shop', 'x.y', new URLSearchParams());
    const body = JSON.parse(xy.text) as PodMetrics & { kind: string };
    assert.equal(body.kind, 'PodMetrics');
    // x.y uses 0.5 cores; xzy (2 cores) must not be mixed in.
    assert.ok(
      Math.abs(cores(body.containers[0]?.usage.cpu ?? '') - 0.5) < 0.15,
      body.containers[0]?.usage.cpu,
    );
    assert.equal(body.containers[0]?.usage.memory, '1Mi');
  });

  it('nodes: list and get, values match the series fed', async () => {
    const res = await api.listNodes(new URLSearchParams());
    const body = JSON.parse(res.text) as { kind: string; items: NodeMetrics[] };
    assert.equal(body.kind, 'NodeMetricsList');
    assert.deepEqual(
      body.items.map((i) => i.metadata.name),
      ['n1', 'n2'],
    );
    for (const item of body.items) {
      const fed = NODES.find((n) => n.node === item.metadata.name);
      assert.ok(fed);
      assert.equal(bytes(item.usage.memory), fed.bytes);
      assert.ok(
        Math.abs(cores(item.usage.cpu) - fed.cores) <= fed.cores * 0.25,
        `${item.usage.cpu} vs ${fed.cores}`,
      );
      assert.equal(item.window, '5m0s');
      assert.deepEqual(item.metadata.labels, { 'kubernetes.io/hostname': fed.node });
    }
    const one = JSON.parse((await api.getNode('n2', new URLSearchParams())).text) as NodeMetrics & {
      kind: string;
    };
    assert.equal(one.kind, 'NodeMetrics');
    assert.equal(one.usage.memory, '3Gi');
  });

  it('404 for a pod that is not Running or unknown, 405 for watch', async () => {
    await assert.rejects(
      api.getPod('shop', 'gone-0', new URLSearchParams()),
      (err: unknown) =>
        err instanceof ApiError &&
        err.code === 404 &&
        err.message === 'podmetrics.metrics.k8s.io "shop/gone-0" not found',
    );
    await assert.rejects(
      api.getNode('n9', new URLSearchParams()),
      (err: unknown) => err instanceof ApiError && err.code === 404,
    );
    await assert.rejects(
      api.listPods('shop', new URLSearchParams('watch=true')),
      (err: unknown) => err instanceof ApiError && err.code === 405,
    );
  });
});

/**
 * The ready rule sets in rules/ against a real Prometheus: every file loads without errors, series
 * discovery over realistic cAdvisor, node-exporter and application series yields the metrics and
 * resources the files promise, and the PromQL rendered for sample requests (custom, external and
 * resourceRules container/node queries) answers the values computed from the data fed in.
 *
 * The data is backfilled (fixed samples every 15 s), and every query runs at the time of the
 * newest sample, where rate() and irate() of a counter growing linearly are exactly its slope.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ResourceRuleConfig } from '../../src/config/rules-file.js';
import { GoMap, parseTemplate } from '../../src/gotemplate/index.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { promqlString, regexAlternation } from '../../src/promql/index.js';
import {
  loadRules,
  MetricDiscovery,
  renderExternalQuery,
  renderObjectQuery,
  type CompiledRules,
} from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import type { Labels } from '../helpers/exporter.js';
import {
  backfillOpenMetrics,
  backfillTimestamps,
  renderOpenMetrics,
  startPrometheus,
  type OpenMetricsSeries,
  type PrometheusInstance,
  type VectorSample,
} from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { mapper } from './fixtures.js';

const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Every rules file under rules/, relative to it. The examples of rule objects (apiVersion:
 * metrics-adapter.io/…) are not rules files: test/cli/check-rule-sets.test.ts checks them.
 */
async function ruleFiles(dir = RULES_DIR, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await ruleFiles(file, `${prefix}${e.name}/`)));
    else if (/\.ya?ml$/.test(e.name) && !/^apiVersion:/m.test(await readFile(file, 'utf8')))
      out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// The data: a cluster with namespace shop (pods web-1, web-2 of deployment web behind service
// web), two nodes, node-exporter pods in monitoring, and a queue broker's gauge.

interface Feed {
  name: string;
  labels: Labels;
  /** Per-second increase for counters; 0 for gauges. */
  slope: number;
  /** Value at the first sample. */
  base: number;
}

const cadvisor = (
  name: string,
  pod: string,
  container: string,
  node: string,
  slope: number,
  base: number,
): Feed => {
  const id =
    pod === '' ? '/' : `/kubepods/burstable/pod-${pod}${container === '' ? '' : `/${container}-cid`}`;
  const all: Labels = {
    job: 'kubelet',
    metrics_path: '/metrics/cadvisor',
    instance: `${node}:10250`,
    node,
    id,
    namespace: pod === '' ? '' : 'shop',
    pod,
    container,
    ...(container !== '' && container !== 'POD' ? { image: `registry.example/${container}:1` } : {}),
  };
  // An empty label is no label in Prometheus.
  const labels = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== ''));
  return { name, labels, slope, base };
};

/** cAdvisor cpu (cores) and working set (bytes) of each cgroup: containers, the pod cgroup, the pause container, the node root. */
const CGROUPS: { pod: string; container: string; node: string; cpu: number; mem: number }[] = [
  { pod: 'web-1', container: 'app', node: 'node-a', cpu: 0.25, mem: 100 * MiB },
  { pod: 'web-1', container: 'sidecar', node: 'node-a', cpu: 0.05, mem: 20 * MiB },
  { pod: 'web-1', container: '', node: 'node-a', cpu: 0.31, mem: 125 * MiB },
  { pod: 'web-1', container: 'POD', node: 'node-a', cpu: 0.001, mem: 1 * MiB },
  { pod: 'web-2', container: 'app', node: 'node-b', cpu: 0.5, mem: 200 * MiB },
  { pod: 'web-2', container: '', node: 'node-b', cpu: 0.52, mem: 205 * MiB },
  { pod: '', container: '', node: 'node-a', cpu: 1.5, mem: 4 * GiB },
  { pod: '', container: '', node: 'node-b', cpu: 0.75, mem: 2 * GiB },
];

/** node-exporter: idle cpu seconds per second per cpu, memory total and available. */
const NODES = [
  { node: 'node-a', exporterPod: 'node-exporter-a1', idlePerCpu: 0.75, total: 8 * GiB, available: 5 * GiB },
  { node: 'node-b', exporterPod: 'node-exporter-b2', idlePerCpu: 0.5, total: 16 * GiB, available: 10 * GiB },
];

function feeds(): Feed[] {
  const out: Feed[] = [];
  for (const c of CGROUPS) {
    out.push(cadvisor('container_cpu_usage_seconds_total', c.pod, c.container, c.node, c.cpu, 1000));
    out.push(cadvisor('container_memory_working_set_bytes', c.pod, c.container, c.node, 0, c.mem));
    if (c.container !== '' && c.container !== 'POD')
      out.push(cadvisor('container_fs_reads_total', c.pod, c.container, c.node, 10, 50));
  }
  for (const n of NODES) {
    const exporter: Labels = {
      job: 'node-exporter',
      instance: n.node,
      namespace: 'monitoring',
      pod: n.exporterPod,
      container: 'node-exporter',
    };
    for (const cpu of ['0', '1']) {
      out.push({
        name: 'node_cpu_seconds_total',
        labels: { ...exporter, cpu, mode: 'idle' },
        slope: n.idlePerCpu,
        base: 5000,
      });
      out.push({
        name: 'node_cpu_seconds_total',
        labels: { ...exporter, cpu, mode: 'user' },
        slope: 1 - n.idlePerCpu,
        base: 700,
      });
    }
    out.push({ name: 'node_memory_MemTotal_bytes', labels: exporter, slope: 0, base: n.total });
    out.push({ name: 'node_memory_MemAvailable_bytes', labels: exporter, slope: 0, base: n.available });
    // kube-prometheus' recording rule joining pods to nodes.
    out.push({
      name: 'node_namespace_pod:kube_pod_info:',
      labels: { namespace: 'monitoring', pod: n.exporterPod, node: n.node },
      slope: 0,
      base: 1,
    });
  }
  for (const [pod, node] of [
    ['web-1', 'node-a'],
    ['web-2', 'node-b'],
  ] as const) {
    out.push({
      name: 'node_namespace_pod:kube_pod_info:',
      labels: { namespace: 'shop', pod, node },
      slope: 0,
      base: 1,
    });
  }
  const app = (pod: string, code: string): Labels => ({
    job: 'shop/web',
    instance: `${pod}:8080`,
    namespace: 'shop',
    pod,
    service: 'web',
    deployment: 'web',
    code,
  });
  out.push({ name: 'http_requests_total', labels: app('web-1', '200'), slope: 3, base: 10 });
  out.push({ name: 'http_requests_total', labels: app('web-1', '500'), slope: 1, base: 0 });
  out.push({ name: 'http_requests_total', labels: app('web-2', '200'), slope: 2, base: 40 });
  // The broker's exporter, one series per queue and owning namespace.
  const broker = (namespace: string, queue: string): Labels => ({
    job: 'rabbitmq',
    instance: 'rabbitmq-0:9419',
    namespace,
    queue,
  });
  out.push({ name: 'queue_messages_ready', labels: broker('shop', 'orders'), slope: 0, base: 42 });
  out.push({ name: 'queue_messages_ready', labels: broker('shop', 'emails'), slope: 0, base: 5 });
  out.push({ name: 'queue_messages_ready', labels: broker('billing', 'orders'), slope: 0, base: 7 });
  return out;
}

function openMetrics(data: Feed[], timestamps: number[]): string {
  const t0 = timestamps[0] ?? 0;
  const series: OpenMetricsSeries[] = data.map((f) => ({
    name: f.name,
    labels: f.labels,
    type: f.name.endsWith('_total') ? 'counter' : 'gauge',
    samples: timestamps.map((t): [number, number] => [t, f.base + f.slope * (t - t0)]),
  }));
  return renderOpenMetrics(series);
}

// ---------------------------------------------------------------------------------------------
// Rendering resourceRules queries with the arguments prometheus-adapter's resource provider
// passes: an empty .Series, the namespace and name matchers, and .GroupBy = the resource label
// (then the container label for pods).

function labelFor(rule: ResourceRuleConfig, resource: 'pod' | 'node' | 'namespace'): string {
  const o = rule.resources.overrides.find((x) => x.resource === resource || x.resource === `${resource}s`);
  if (o === undefined) throw new Error(`${rule.path} has no override for ${resource}`);
  return o.label;
}

function renderResource(
  rule: ResourceRuleConfig,
  kind: 'containerQuery' | 'nodeQuery',
  names: string[],
  namespace: string | undefined,
): string {
  const src = rule[kind];
  assert.ok(src, `${rule.path}.${kind} is set`);
  const template = parseTemplate(src.value, { name: kind, leftDelim: '<<', rightDelim: '>>' });
  const resourceLabel = labelFor(rule, kind === 'containerQuery' ? 'pod' : 'node');
  const matchers: string[] = [];
  const values = new Map<string, string>();
  if (namespace !== undefined) {
    const nsLabel = labelFor(rule, 'namespace');
    matchers.push(`${nsLabel}=${promqlString(namespace)}`);
    values.set(nsLabel, namespace);
  }
  matchers.push(
    names.length === 1
      ? `${resourceLabel}=${promqlString(names[0] ?? '')}`
      : `${resourceLabel}=~${promqlString(regexAlternation(names))}`,
  );
  values.set(resourceLabel, names.join('|'));
  const groupBy =
    kind === 'containerQuery' ? [resourceLabel, rule.containerLabel?.value ?? 'container'] : [resourceLabel];
  return template.execute({
    Series: '',
    LabelMatchers: matchers.join(','),
    LabelValuesByName: new GoMap(values, ''),
    GroupBy: groupBy.join(','),
    GroupBySlice: groupBy,
  });
}

/** `label=value,...` → value, for comparing query results without caring about order. */
function byLabels(samples: VectorSample[], labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[labels.map((l) => s.metric[l] ?? '').join('/')] = s.value;
  return out;
}

function assertValues(actual: Record<string, number>, expected: Record<string, number>, what: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: keys`);
  for (const [k, v] of Object.entries(expected)) {
    const got = actual[k] ?? NaN;
    assert.ok(Math.abs(got - v) <= Math.abs(v) * 1e-9 + 1e-9, `${what}: ${k} = ${got}, want ${v}`);
  }
}

// ---------------------------------------------------------------------------------------------

const FILES = await ruleFiles();

describe('rule sets in rules/', () => {
  let tmp: TempDir;
  let prom: PrometheusInstance;
  let client: HttpPrometheusClient;
  /** Time of the newest sample: the evaluation time of every query. */
  let at: Date;

  before(async () => {
    tmp = await makeTempDir('rule-sets');
    const timestamps = backfillTimestamps();
    const last = timestamps[timestamps.length - 1];
    assert.ok(last !== undefined);
    at = new Date(last * 1000);
    const dataDir = path.join(tmp.path, 'tsdb');
    await backfillOpenMetrics(dataDir, openMetrics(feeds(), timestamps));
    prom = await startPrometheus({ dataDir });
    client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 10_000 });
  });
  after(async () => {
    client.close();
    await prom.stop();
    await tmp.remove();
  });

  async function load(file: string): Promise<CompiledRules> {
    return (await loadRules(path.join(RULES_DIR, file))).rules;
  }

  async function discover(rules: CompiledRules): Promise<MetricDiscovery> {
    const d = new MetricDiscovery({
      prometheus: client,
      mapper,
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
      relistIntervalMs: 60_000,
      // The newest sample is about a minute old; look back over the whole backfill.
      maxAgeMs: 3_600_000,
    });
    await d.setRules(rules);
    return d;
  }

  /** `resource(.group)/metric` for every custom metric, namespaced ones marked with `ns:`. */
  function customKeys(d: MetricDiscovery): string[] {
    return d.catalog
      .customEntries()
      .map(
        (e) =>
          `${e.namespaced ? 'ns:' : ''}${e.info.resource}${e.info.group === '' ? '' : `.${e.info.group}`}/${e.metric}`,
      )
      .sort();
  }

  async function objectValues(
    d: MetricDiscovery,
    metric: string,
    resource: { group: string; resource: string },
    names: string[],
    namespace: string | undefined,
  ): Promise<Record<string, number>> {
    const entry = d.catalog.findCustom(metric, resource.group, resource.resource, namespace !== undefined);
    assert.ok(entry, `catalog has ${resource.resource}/${metric}`);
    const nsLabel = entry.rule.association.namespaceLabel(mapper);
    const promql = renderObjectQuery(entry.rule, {
      seriesName: entry.seriesName,
      resourceLabel: entry.resourceLabel,
      names,
      namespace: namespace === undefined ? undefined : { label: nsLabel ?? 'namespace', value: namespace },
      metricSelector: [],
    });
    return byLabels(await prom.queryVector(promql, at), [entry.resourceLabel]);
  }

  describe('every file loads without errors', () => {
    const files = FILES;
    it('finds the rule sets', () => {
      for (const f of [
        'default.yaml',
        'kube-prometheus.yaml',
        'demo.yaml',
        'examples/http-requests.yaml',
        'examples/queue-depth-external.yaml',
      ])
        assert.ok(files.includes(f), `rules/${f} exists`);
    });
    for (const f of files) {
      it(`rules/${f}`, async () => {
        const { rules, warnings } = await loadRules(path.join(RULES_DIR, f));
        assert.deepEqual(
          warnings.map((w) => w.message),
          [],
          `rules/${f} loads without warnings`,
        );
        assert.ok(
          rules.custom.length + rules.external.length > 0 || rules.resourceRules !== undefined,
          `rules/${f} defines something`,
        );
      });
    }
  });

  describe('default.yaml', () => {
    let d: MetricDiscovery;
    let rules: CompiledRules;
    before(async () => {
      rules = await load('default.yaml');
      d = await discover(rules);
    });

    it('discovers cAdvisor and application metrics for the resources their labels name', () => {
      const keys = customKeys(d);
      // Pods and namespaces for cAdvisor container metrics, and the resources the application
      // series' labels name (deployment, service, pod, job → jobs.batch, namespace).
      const wanted = [
        'namespaces/cpu_usage',
        'ns:pods/cpu_usage',
        'namespaces/fs_reads',
        'ns:pods/fs_reads',
        'namespaces/memory_working_set_bytes',
        'ns:pods/memory_working_set_bytes',
        'namespaces/http_requests_per_second',
        'ns:pods/http_requests_per_second',
        'ns:services/http_requests_per_second',
        'ns:deployments.apps/http_requests_per_second',
        'ns:jobs.batch/http_requests_per_second',
        'namespaces/queue_messages_ready',
        'ns:jobs.batch/queue_messages_ready',
        'namespaces/node_cpu_seconds_per_second',
        'ns:pods/node_cpu_seconds_per_second',
        'ns:jobs.batch/node_cpu_seconds_per_second',
        'namespaces/node_memory_MemTotal_bytes',
        'ns:pods/node_memory_MemTotal_bytes',
        'ns:jobs.batch/node_memory_MemTotal_bytes',
        'namespaces/node_memory_MemAvailable_bytes',
        'ns:pods/node_memory_MemAvailable_bytes',
        'ns:jobs.batch/node_memory_MemAvailable_bytes',
      ].sort();
      assert.deepEqual(keys, wanted);
      // Neither raw counters nor recording rules are exposed.
      assert.ok(!keys.some((k) => k.endsWith('_total') || k.includes(':kube_pod_info')));
      assert.equal(d.catalog.externalCount, 0);
    });

    it('pods/cpu_usage sums the containers of each pod, without the pod cgroup and the pause container', async () => {
      assertValues(
        await objectValues(d, 'cpu_usage', { group: '', resource: 'pods' }, ['web-1', 'web-2'], 'shop'),
        { 'web-1': 0.25 + 0.05, 'web-2': 0.5 },
        'pods/cpu_usage',
      );
    });

    it('pods/memory_working_set_bytes and pods/fs_reads', async () => {
      assertValues(
        await objectValues(d, 'memory_working_set_bytes', { group: '', resource: 'pods' }, ['web-1'], 'shop'),
        { 'web-1': 120 * MiB },
        'pods/memory_working_set_bytes',
      );
      assertValues(
        await objectValues(d, 'fs_reads', { group: '', resource: 'pods' }, ['web-1', 'web-2'], 'shop'),
        { 'web-1': 20, 'web-2': 10 },
        'pods/fs_reads',
      );
    });

    it('http_requests_per_second for pods, services and the namespace', async () => {
      assertValues(
        await objectValues(
          d,
          'http_requests_per_second',
          { group: '', resource: 'pods' },
          ['web-1', 'web-2'],
          'shop',
        ),
        { 'web-1': 4, 'web-2': 2 },
        'pods',
      );
      assertValues(
        await objectValues(
          d,
          'http_requests_per_second',
          { group: '', resource: 'services' },
          ['web'],
          'shop',
        ),
        { web: 6 },
        'services',
      );
      assertValues(
        await objectValues(
          d,
          'http_requests_per_second',
          { group: '', resource: 'namespaces' },
          ['shop'],
          undefined,
        ),
        { shop: 6 },
        'namespaces',
      );
    });

    it('gauges keep their name and value', async () => {
      assertValues(
        await objectValues(
          d,
          'queue_messages_ready',
          { group: '', resource: 'namespaces' },
          ['shop', 'billing'],
          undefined,
        ),
        { shop: 47, billing: 7 },
        'namespaces/queue_messages_ready',
      );
    });

    it('resourceRules: per-container cpu and memory, root-cgroup node usage', async () => {
      const rr = rules.resourceRules;
      assert.ok(rr?.cpu && rr.memory);
      assert.equal(rr.window?.value, '5m');
      const containers = async (r: ResourceRuleConfig): Promise<Record<string, number>> =>
        byLabels(
          await prom.queryVector(renderResource(r, 'containerQuery', ['web-1', 'web-2'], 'shop'), at),
          ['pod', 'container'],
        );
      const nodes = async (r: ResourceRuleConfig): Promise<Record<string, number>> =>
        byLabels(
          await prom.queryVector(renderResource(r, 'nodeQuery', ['node-a', 'node-b'], undefined), at),
          ['node'],
        );
      assertValues(
        await containers(rr.cpu),
        { 'web-1/app': 0.25, 'web-1/sidecar': 0.05, 'web-2/app': 0.5 },
        'cpu containers',
      );
      assertValues(
        await containers(rr.memory),
        { 'web-1/app': 100 * MiB, 'web-1/sidecar': 20 * MiB, 'web-2/app': 200 * MiB },
        'memory containers',
      );
      assertValues(await nodes(rr.cpu), { 'node-a': 1.5, 'node-b': 0.75 }, 'cpu nodes');
      assertValues(await nodes(rr.memory), { 'node-a': 4 * GiB, 'node-b': 2 * GiB }, 'memory nodes');
      // One node asked for: only that node answers.
      assertValues(
        byLabels(await prom.queryVector(renderResource(rr.cpu, 'nodeQuery', ['node-b'], undefined), at), [
          'node',
        ]),
        { 'node-b': 0.75 },
        'cpu node-b',
      );
    });
  });

  describe('kube-prometheus.yaml', () => {
    let rules: CompiledRules;
    before(async () => {
      rules = await load('kube-prometheus.yaml');
    });

    it('has resourceRules only, with kube-prometheus label mappings', () => {
      assert.equal(rules.custom.length + rules.external.length, 0);
      const rr = rules.resourceRules;
      assert.ok(rr?.cpu && rr.memory);
      assert.equal(labelFor(rr.cpu, 'node'), 'node');
      assert.equal(labelFor(rr.memory, 'node'), 'instance');
      assert.equal(rr.window?.value, '5m');
    });

    it('containerQuery: per-container cpu (irate) and working set, pause container included as kube-prometheus does', async () => {
      const rr = rules.resourceRules;
      assert.ok(rr?.cpu && rr.memory);
      const containers = async (r: ResourceRuleConfig): Promise<Record<string, number>> =>
        byLabels(
          await prom.queryVector(renderResource(r, 'containerQuery', ['web-1', 'web-2'], 'shop'), at),
          ['pod', 'container'],
        );
      assertValues(
        await containers(rr.cpu),
        { 'web-1/app': 0.25, 'web-1/sidecar': 0.05, 'web-1/POD': 0.001, 'web-2/app': 0.5 },
        'cpu containers',
      );
      assertValues(
        await containers(rr.memory),
        { 'web-1/app': 100 * MiB, 'web-1/sidecar': 20 * MiB, 'web-1/POD': 1 * MiB, 'web-2/app': 200 * MiB },
        'memory containers',
      );
    });

    it('nodeQuery: busy cpus from node-exporter joined to nodes, memory by instance', async () => {
      const rr = rules.resourceRules;
      assert.ok(rr?.cpu && rr.memory);
      const cpu = await prom.queryVector(
        renderResource(rr.cpu, 'nodeQuery', ['node-a', 'node-b'], undefined),
        at,
      );
      // Two cpus each: node-a idles 0.75 per cpu, node-b 0.5.
      assertValues(byLabels(cpu, ['node']), { 'node-a': 0.5, 'node-b': 1 }, 'cpu nodes');
      const mem = await prom.queryVector(
        renderResource(rr.memory, 'nodeQuery', ['node-a', 'node-b'], undefined),
        at,
      );
      assertValues(byLabels(mem, ['instance']), { 'node-a': 3 * GiB, 'node-b': 6 * GiB }, 'memory nodes');
    });
  });

  describe('examples/http-requests.yaml', () => {
    let d: MetricDiscovery;
    before(async () => {
      d = await discover(await load('examples/http-requests.yaml'));
    });

    it('discovers http_requests_per_second for pods, services, deployments and namespaces', () => {
      assert.deepEqual(customKeys(d), [
        'namespaces/http_requests_per_second',
        'ns:deployments.apps/http_requests_per_second',
        'ns:pods/http_requests_per_second',
        'ns:services/http_requests_per_second',
      ]);
    });

    it('answers per pod, per service and per deployment', async () => {
      const m = 'http_requests_per_second';
      assertValues(
        await objectValues(d, m, { group: '', resource: 'pods' }, ['web-1', 'web-2'], 'shop'),
        { 'web-1': 4, 'web-2': 2 },
        'pods',
      );
      assertValues(
        await objectValues(d, m, { group: '', resource: 'services' }, ['web'], 'shop'),
        { web: 6 },
        'services',
      );
      assertValues(
        await objectValues(d, m, { group: 'apps', resource: 'deployments' }, ['web'], 'shop'),
        { web: 6 },
        'deployments',
      );
      assert.deepEqual(
        await objectValues(d, m, { group: '', resource: 'pods' }, ['web-1'], 'elsewhere'),
        {},
        'another namespace has no such pod',
      );
    });
  });

  describe('examples/queue-depth-external.yaml', () => {
    const file = 'examples/queue-depth-external.yaml';

    async function externalValues(
      rules: CompiledRules,
      namespace: string,
      queue: string,
    ): Promise<Record<string, number>> {
      const d = await discover(rules);
      const entry = d.catalog.findExternal('queue_messages_ready');
      assert.ok(entry, 'catalog has external queue_messages_ready');
      const nsLabel = entry.rule.association.namespaceLabel(mapper) ?? 'namespace';
      const promql = renderExternalQuery(entry.rule, {
        seriesName: entry.seriesName,
        namespace: entry.rule.namespaced ? { label: nsLabel, value: namespace } : undefined,
        metricSelector: [{ key: 'queue', operator: '=', values: [queue] }],
      });
      return byLabels(await prom.queryVector(promql, at), ['queue']);
    }

    it('serves the queue depth of the HPA namespace only', async () => {
      const rules = await load(file);
      assert.equal(rules.custom.length, 0);
      assert.equal(rules.external.length, 1);
      assert.deepEqual(await externalValues(rules, 'shop', 'orders'), { orders: 42 });
      assert.deepEqual(await externalValues(rules, 'billing', 'orders'), { orders: 7 });
      assert.deepEqual(await externalValues(rules, 'nowhere', 'orders'), {});
    });

    it('its commented namespaced: false variant, uncommented, sums the queue over all namespaces', async () => {
      const text = await readFile(path.join(RULES_DIR, file), 'utf8');
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.startsWith('  # - seriesQuery:'));
      assert.ok(start > 0, 'the variant is in the file');
      const variant: string[] = [];
      for (const l of lines.slice(start)) {
        if (!l.startsWith('  # ')) break;
        variant.push(`  ${l.slice(4)}`);
      }
      const variantFile = path.join(tmp.path, 'queue-cluster-wide.yaml');
      await writeFile(variantFile, ['externalRules:', ...variant, ''].join('\n'));
      const { rules, warnings } = await loadRules(variantFile);
      assert.deepEqual(warnings, []);
      assert.equal(rules.external[0]?.namespaced, false);
      assert.deepEqual(await externalValues(rules, 'shop', 'orders'), { orders: 49 });
    });
  });
});

/**
 * Rules from the cluster end to end: ClusterMetricRule and MetricRule objects written over HTTP to
 * the simulated kube-apiserver (CRDs installed) are served next to the rules file within seconds,
 * a broken object is rejected alone, a collision with the file is lost by the object (and its
 * outcome says so); without the CRDs, or with --rules-from-cluster=false, the file alone serves
 * and one log line says why.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import type { RuleObjectOutcome } from '../../src/rules/index.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { clusterMetricRuleCrd, metricRuleCrd } from '../harness/crd-fixtures.js';
import { crdClient, TOKEN, type CrdClient } from '../harness/crd-http.js';
import { baseFlags, call, createAdapterPki, type AdapterPki } from '../helpers/adapter.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { eventually } from './support.js';

const RULES = `
rules:
- seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
`;
const API = 'metrics-adapter.io/v1alpha1';
const CMRS = `/apis/${API}/clustermetricrules`;
const mrs = (ns: string): string => `/apis/${API}/namespaces/${ns}/metricrules`;

const queueRule = (
  as: string,
  metricsQuery = 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
): unknown => ({
  seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}',
  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  name: { matches: '^queue_depth$', as },
  metricsQuery,
});
/** A MetricRule's series are its namespace's: no namespace matcher and no namespace override. */
const jobsRule = {
  seriesQuery: '{__name__="jobs_waiting"}',
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)',
};

interface Adapter {
  server: RunningServer;
  url: string;
  logs: { level: string; msg: string }[];
}

describe('rules from the cluster', { timeout: 150_000 }, () => {
  let tmp: TempDir;
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let pki: AdapterPki;
  let rulesFile: string;
  const adapters: Adapter[] = [];
  const kubes: FakeKube[] = [];

  async function start(kube: FakeKube, extra: string[] = []): Promise<Adapter> {
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const flags = baseFlags(pki, [
      `--kubeconfig=${kubeconfig}`,
      '--authentication-skip-lookup',
      `--prometheus-url=${prom.url}`,
      `--config=${rulesFile}`,
      '--metrics-relist-interval=1h',
      ...extra,
    ]);
    const parsed = parseCommandLine(flags);
    const logs: Adapter['logs'] = [];
    const logger = pino(
      { level: 'info', formatters: { level: (label) => ({ level: label }) } },
      { write: (line: string) => logs.push(JSON.parse(line) as Adapter['logs'][number]) },
    );
    const server = await startServer({
      options: buildServeOptions(parsed.values, parsed.given),
      logger,
      filePollMs: 200,
    });
    const a = { server, url: server.url, logs };
    adapters.push(a);
    return a;
  }

  async function newKube(crds: boolean): Promise<FakeKube> {
    const kube = await startFakeKube({
      tokens: { [TOKEN]: { username: 'admin', groups: ['system:masters'] } },
    });
    kubes.push(kube);
    kube.ensureNamespace('shop');
    kube.setPods('shop', [{ name: 'web-0' }]);
    kube.setAllowedUsers(['tester']);
    if (crds) {
      kube.installCustomResourceDefinition(clusterMetricRuleCrd());
      kube.installCustomResourceDefinition(metricRuleCrd());
    }
    return kube;
  }

  const names = async (a: Adapter, path: string): Promise<string[]> => {
    const r = await call(a, pki, path, { cert: pki.tester });
    assert.equal(r.status, 200, r.body);
    return (JSON.parse(r.body) as { resources: { name: string }[] }).resources.map((x) => x.name).sort();
  };
  const custom = (a: Adapter): Promise<string[]> => names(a, '/apis/custom.metrics.k8s.io/v1beta2');
  const external = (a: Adapter): Promise<string[]> => names(a, '/apis/external.metrics.k8s.io/v1beta1');
  const FILE_ONLY = ['namespaces/http_requests_per_second', 'pods/http_requests_per_second'];

  /** Waits (bounded) until discovery and the outcomes satisfy `check`. */
  const until = (what: string, check: () => boolean | Promise<boolean>): Promise<true> =>
    eventually(what, async () => ((await check()) ? true : undefined), 15_000);
  const outcome = (a: Adapter, name: string): RuleObjectOutcome | undefined =>
    a.server.ruleOutcomes.outcomes.find((o) => o.name === name);

  before(async () => {
    tmp = await makeTempDir('rules-from-cluster');
    exporter = await startExporter();
    exporter.set('http_requests_total', { namespace: 'shop', pod: 'web-0' }, 1);
    exporter.set('queue_depth', { namespace: 'shop', pod: 'web-0' }, 7);
    exporter.set('jobs_waiting', { namespace: 'shop', queue: 'q1' }, 3);
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    await prom.waitForSeries('jobs_waiting');
    await prom.waitForSeries('queue_depth');
    pki = await createAdapterPki(tmp.path);
    rulesFile = join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, RULES);
  });

  after(async () => {
    for (const a of adapters) await a.server.close(2_000);
    for (const k of kubes) await k.close();
    await prom.stop();
    await exporter.close();
    await tmp.remove();
  });

  describe('with the CRDs installed', () => {
    let a: Adapter;
    let kube: FakeKube;
    let http: CrdClient;
    const seen: RuleObjectOutcome[][] = [];

    before(async () => {
      kube = await newKube(true);
      http = crdClient(kube);
      a = await start(kube);
      a.server.ruleOutcomes.onOutcomes((o) => seen.push(o));
      await until('the file serves', async () => (await custom(a)).includes('pods/http_requests_per_second'));
    });

    it('serves a new ClusterMetricRule and a new MetricRule within seconds', async () => {
      let r = await http.call('POST', CMRS, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'queue' },
        spec: { rule: queueRule('queue_depth') },
      });
      assert.equal(r.status, 201, r.body);
      r = await http.call('POST', mrs('shop'), {
        apiVersion: API,
        kind: 'MetricRule',
        metadata: { name: 'jobs', namespace: 'shop' },
        spec: { externalRule: jobsRule },
      });
      assert.equal(r.status, 201, r.body);
      await until(
        'both served',
        async () =>
          (await custom(a)).includes('pods/queue_depth') && (await external(a)).includes('jobs_waiting'),
      );
      const v = await call(
        a,
        pki,
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_depth',
        { cert: pki.tester },
      );
      assert.equal(v.status, 200, v.body);
      assert.match(v.body, /"value":"7"/);
      await until(
        'outcomes',
        () => outcome(a, 'jobs')?.ready === true && outcome(a, 'queue')?.ready === true,
      );
      assert.deepEqual(outcome(a, 'queue')?.metrics, ['namespaces/queue_depth', 'pods/queue_depth']);
      assert.deepEqual(outcome(a, 'jobs')?.metrics, ['jobs_waiting']);
      assert.equal(outcome(a, 'jobs')?.namespace, 'shop');
      assert.ok(seen.length > 0);
      // The adapter writes both objects' status back (conditions, metrics, metricCount).
      const statusOf = async (path: string): Promise<Record<string, unknown> | undefined> => {
        const got = await http.call('GET', path);
        return got.status === 200
          ? (JSON.parse(got.body) as { status?: Record<string, unknown> }).status
          : undefined;
      };
      const readyWith = (st: Record<string, unknown> | undefined, count: number): boolean =>
        st?.metricCount === count &&
        st.observedGeneration === 1 &&
        Array.isArray(st.conditions) &&
        (st.conditions as { type: string; status: string }[]).some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ) &&
        (st.conditions as { type: string; status: string }[]).some(
          (c) => c.type === 'Accepted' && c.status === 'True',
        );
      await until('status written back', async () => {
        const [jobs, queue] = await Promise.all([statusOf(`${mrs('shop')}/jobs`), statusOf(`${CMRS}/queue`)]);
        return readyWith(jobs, 1) && readyWith(queue, 2);
      });
    });

    it('follows a change', async () => {
      const r = await http.call('PUT', `${CMRS}/queue`, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'queue' },
        spec: { rule: queueRule('queue_length') },
      });
      assert.equal(r.status, 200, r.body);
      await until('renamed', async () => {
        const n = await custom(a);
        return n.includes('pods/queue_length') && !n.includes('pods/queue_depth');
      });
    });

    it('rejects a broken object alone: every other rule keeps serving', async () => {
      const r = await http.call('PUT', `${CMRS}/queue`, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'queue' },
        spec: { rule: queueRule('queue_length', 'max(<<.Nope>>)') },
      });
      assert.equal(r.status, 200, r.body);
      await until('rejected', () => outcome(a, 'queue')?.accepted === false);
      const o = outcome(a, 'queue');
      assert.match(o?.errors.join('\n') ?? '', /^spec\.rule\.metricsQuery: .*Nope/m);
      const n = await custom(a);
      assert.ok(!n.includes('pods/queue_length'), n.join(', '));
      for (const want of FILE_ONLY) assert.ok(n.includes(want), want);
      assert.deepEqual(await external(a), ['jobs_waiting']);
      assert.equal(outcome(a, 'jobs')?.ready, true);
    });

    it('loses a collision with the file, and says so', async () => {
      const dup = {
        seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}',
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^(.*)_total$', as: '${1}_per_second' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      };
      const r = await http.call('POST', CMRS, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'dup' },
        spec: { rule: dup },
      });
      assert.equal(r.status, 201, r.body);
      await until('lost', () => outcome(a, 'dup')?.lostTo !== undefined);
      assert.equal(outcome(a, 'dup')?.lostTo, 'rules file rules[0]');
      assert.deepEqual(outcome(a, 'dup')?.metrics, []);
      assert.equal(outcome(a, 'dup')?.accepted, true);
    });

    it('keeps the objects across a reload of the rules file', async () => {
      assert.equal(await a.server.reloadRules('test'), true);
      assert.deepEqual(await external(a), ['jobs_waiting']);
      assert.equal(outcome(a, 'dup')?.lostTo, 'rules file rules[0]');
    });

    it('is not ready when its seriesQuery finds nothing', async () => {
      const ghost = { ...jobsRule, seriesQuery: '{__name__="no_such_series"}' };
      const r = await http.call('POST', CMRS, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'ghost' },
        spec: { externalRule: ghost },
      });
      assert.equal(r.status, 201, r.body);
      await until('not ready', () => outcome(a, 'ghost')?.ready === false);
      assert.equal(outcome(a, 'ghost')?.accepted, true);
      assert.match(outcome(a, 'ghost')?.readyMessage ?? '', /found no series/);
    });

    it('drops deleted objects', async () => {
      for (const path of [`${CMRS}/queue`, `${CMRS}/dup`, `${CMRS}/ghost`, `${mrs('shop')}/jobs`]) {
        const r = await http.call('DELETE', path);
        assert.equal(r.status, 200, r.body);
      }
      await until(
        'file only',
        async () =>
          JSON.stringify(await custom(a)) === JSON.stringify(FILE_ONLY) && (await external(a)).length === 0,
      );
      await until('no outcomes', () => a.server.ruleOutcomes.outcomes.length === 0);
    });
  });

  describe('without rule objects', () => {
    const notUsed = (a: Adapter): string[] =>
      a.logs.filter((l) => l.msg.startsWith('rule objects are not used')).map((l) => `${l.level}: ${l.msg}`);

    it('serves the file alone without the CRDs, and says why once', async () => {
      const a = await start(await newKube(false));
      await until(
        'the file serves',
        async () => JSON.stringify(await custom(a)) === JSON.stringify(FILE_ONLY),
      );
      assert.deepEqual(await external(a), []);
      assert.deepEqual(notUsed(a), [
        `info: rule objects are not used: API discovery does not list ${API} (its CRDs are not installed); the rules file alone serves`,
      ]);
      assert.deepEqual(a.server.ruleOutcomes.outcomes, []);
    });

    it('ignores installed CRDs with --rules-from-cluster=false', async () => {
      const kube = await newKube(true);
      const r = await crdClient(kube).call('POST', CMRS, {
        apiVersion: API,
        kind: 'ClusterMetricRule',
        metadata: { name: 'queue' },
        spec: { rule: queueRule('queue_depth') },
      });
      assert.equal(r.status, 201, r.body);
      const a = await start(kube, ['--rules-from-cluster=false']);
      await until(
        'the file serves',
        async () => JSON.stringify(await custom(a)) === JSON.stringify(FILE_ONLY),
      );
      assert.deepEqual(notUsed(a), ['info: rule objects are not used: --rules-from-cluster=false']);
      assert.deepEqual(a.server.ruleOutcomes.outcomes, []);
    });
  });
});

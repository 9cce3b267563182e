/**
 * `metrics-adapter explain`: the real CLI against a real Prometheus, with and without a
 * (simulated) cluster. The PromQL it prints must be exactly what the server sends: each case
 * compares it with the custom-metrics provider's own plan for the same request, and hostile
 * inputs are checked by parsing the PromQL back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { customMetricParams, parseCustomMetricRequest } from '../../src/providers/index.js';
import { renderExplanationText, type Explanation } from '../../src/explain/index.js';
import { BUILTIN_RESOURCES, ResourceIndex, StaticObjectLister } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { parseSeriesSelector, promqlString, type SeriesMatcher } from '../../src/promql/index.js';
import { parsePromQLTree } from '../../src/promql/syntax/tree.js';
import { CustomMetricsProvider } from '../../src/providers/index.js';
import {
  loadRules,
  MetricDiscovery,
  renderExternalQuery,
  type CompiledRules,
} from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startRuleToolsEnv, type RuleToolsEnv } from './rule-tools-env.js';

const RULES = `rules:
  - seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}, service: {resource: service}}}
    name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) or on() vector(0)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: {overrides: {namespace: {resource: namespace}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
resourceRules:
  cpu:
    containerQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    nodeQuery: 'sum(rate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
  memory:
    containerQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    nodeQuery: 'sum(node_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
  window: 1m
`;

const NO_RESOURCE_RULES = RULES.slice(0, RULES.indexOf('resourceRules:'));

/** The matchers of the first vector selector of `promql`, as Prometheus would read them. */
function matchersOf(promql: string): SeriesMatcher[] {
  let text: string | undefined;
  parsePromQLTree(promql).iterate({
    enter(node) {
      if (text !== undefined) return false;
      if (node.name === 'VectorSelector') {
        text = promql.slice(node.from, node.to);
        return false;
      }
      return undefined;
    },
  });
  assert.ok(text !== undefined, `a vector selector in ${promql}`);
  return parseSeriesSelector(text).matchers;
}

describe('metrics-adapter explain', { timeout: 400_000 }, () => {
  let env: RuleToolsEnv;
  let kube: FakeKube;
  let rulesFile: string;
  let noResourceRulesFile: string;
  let kubeconfig: string;
  let rules: CompiledRules;
  let client: HttpPrometheusClient;

  before(async () => {
    env = await startRuleToolsEnv('explain');
    rulesFile = await env.file('rules.yaml', RULES);
    noResourceRulesFile = await env.file('no-resource-rules.yaml', NO_RESOURCE_RULES);
    rules = (await loadRules(rulesFile)).rules;
    client = new HttpPrometheusClient({ url: env.prom.url, timeoutMs: 5_000 });
    kube = await startFakeKube();
    kube.ensureNamespace('shop');
    kube.setPods('shop', [
      { name: 'web-0', labels: { app: 'web' } },
      { name: 'web-1', labels: { app: 'web' } },
      { name: 'web-2', labels: { app: 'other' } },
    ]);
    kubeconfig = await kube.writeKubeconfig(env.tmp.path, { user: 'token' });
    // rate() over 1m needs two scrapes of the counters.
    await env.prom.waitForQuery('rate(http_requests_total[1m])', { accept: (s) => s.length === 3 });
  });

  after(async () => {
    client.close();
    await kube.close();
    await env.close();
  });

  /** What the server's custom-metrics provider plans for `path`, with `pods` as the cluster's pods. */
  async function serverPlan(
    path: string,
    pods: { name: string; labels?: Record<string, string> }[],
  ): Promise<string | undefined> {
    const url = new URL(path, 'http://server.invalid');
    const segments = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p))
      .slice(3);
    const discovery = new MetricDiscovery({
      prometheus: client,
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
    });
    await discovery.setRules(rules);
    const provider = new CustomMetricsProvider({
      discovery,
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      lister: new StaticObjectLister(
        pods.map((p) => ({
          group: '',
          resource: 'pods',
          namespace: 'shop',
          name: p.name,
          labels: p.labels ?? {},
        })),
      ),
      prometheus: client,
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
    });
    const params = customMetricParams(segments);
    assert.ok(params !== undefined, segments.join('/'));
    const q = parseCustomMetricRequest({
      params,
      query: url.searchParams,
      signal: new AbortController().signal,
    });
    return (await provider.plan(q)).queries[0];
  }

  async function explain(
    args: string[],
    file = rulesFile,
  ): Promise<{ code: number | null; e: Explanation; text: string }> {
    const all = ['explain', `--config=${file}`, `--prometheus-url=${env.prom.url}`, ...args];
    const json = await runCli([...all, '--format=json']);
    assert.equal(json.stderr, '', json.stderr);
    const e = JSON.parse(json.stdout) as Explanation;
    // The text form is a pure rendering of the same data (the CLI's text output is tested once below).
    return { code: json.code, e, text: renderExplanationText(e) };
  }

  interface Case {
    name: string;
    path: string;
    args?: () => string[];
    exit: number;
    /** The cluster's pods for the server-side comparison (default: the pods named by --objects). */
    serverPods?: { name: string; labels?: Record<string, string> }[];
    check: (e: Explanation, text: string) => void;
  }

  const customCases: Case[] = [
    {
      name: 'one named pod: the rule, its file position, the PromQL, the sample',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_depth',
      exit: 0,
      serverPods: [],
      check: (e, text) => {
        assert.equal(e.rule?.path, 'rules[1]');
        assert.equal(e.rule.line, 6);
        assert.equal(
          e.queries[0]?.promql,
          'sum(queue_depth{namespace="shop",pod="web-0"}) by (pod) or on() vector(0)',
        );
        assert.deepEqual(e.queries[0].syntax, { ok: true });
        assert.deepEqual(
          e.queries[0].mapping?.matched.map((m) => [m.object, m.value]),
          [['web-0', '5']],
        );
        assert.deepEqual(e.outcome, { status: 200, message: '1 item', items: 1 });
        assert.match(text, /rule: rules\[1\] \(.*rules\.yaml:6:5\)/);
        assert.match(text, /web-0 ← 5/);
      },
    },
    {
      name: '* with --objects: matched, NaN dropped, no sample',
      path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth',
      args: () => ['--objects=web-0,web-1,web-2,ghost'],
      exit: 0,
      check: (e, text) => {
        assert.equal(e.objects?.source, 'flag');
        const m = e.queries[0]?.mapping;
        assert.deepEqual(
          m?.matched.map((x) => [x.object, x.value]),
          [
            ['web-0', '5'],
            ['web-1', '7'],
          ],
        );
        assert.deepEqual(m.dropped, [{ object: 'web-2', value: 'NaN' }]);
        assert.deepEqual(m.noSample, ['ghost']);
        assert.deepEqual(e.outcome, { status: 200, message: '2 items', items: 2 });
        assert.match(text, /dropped web-2: NaN/);
        assert.match(text, /no sample: ghost/);
      },
    },
    {
      name: 'a sample that describes no object',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth',
      args: () => ['--objects=ghost'],
      exit: 0,
      check: (e, text) => {
        const m = e.queries[0]?.mapping;
        assert.deepEqual(m?.unmatched, [{ labels: {}, value: '0', reason: 'no pod label' }]);
        assert.deepEqual(m.noSample, ['ghost']);
        assert.deepEqual(e.outcome, { status: 200, message: '0 items', items: 0 });
        assert.match(text, /matches no object: \{\} 0 \(no pod label\)/);
      },
    },
    {
      name: 'the objects of a label selector listed from the cluster (--kubeconfig)',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb',
      args: () => [`--kubeconfig=${kubeconfig}`],
      serverPods: [
        { name: 'web-0', labels: { app: 'web' } },
        { name: 'web-1', labels: { app: 'web' } },
        { name: 'web-2', labels: { app: 'other' } },
      ],
      exit: 0,
      check: (e) => {
        assert.deepEqual(e.objects, { source: 'cluster', names: ['web-0', 'web-1'], selector: 'app=web' });
        assert.equal(e.resources.source, 'cluster');
        assert.equal(e.outcome.items, 2);
      },
    },
    {
      name: 'a counter turned rate, on services',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/services/web/http_requests_per_second',
      exit: 0,
      serverPods: [],
      check: (e) => {
        assert.equal(e.rule?.path, 'rules[0]');
        assert.equal(
          e.queries[0]?.promql,
          'sum(rate(http_requests_total{namespace="shop",service="web"}[1m])) by (service)',
        );
        assert.equal(e.match?.windowSeconds, 60);
        assert.equal(e.outcome.items, 1);
        assert.ok(Number(e.queries[0].mapping?.matched[0]?.value) > 0);
      },
    },
    {
      name: 'escaping as the server does: names with regex metacharacters, an `in` selector',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth?metricLabelSelector=verb%20in%20(GET%2CPOST)',
      args: () => ['--objects=web.0,web-1'],
      exit: 0,
      check: (e) => {
        const promql = e.queries[0]?.promql ?? '';
        assert.deepEqual(matchersOf(promql), [
          { name: 'verb', op: '=~', value: 'GET|POST' },
          { name: 'namespace', op: '=', value: 'shop' },
          { name: 'pod', op: '=~', value: 'web-1|web\\.0' },
        ]);
        assert.ok(promql.includes(`pod=~${promqlString('web-1|web\\.0')}`));
        assert.equal(e.queries[0]?.error, undefined);
      },
    },
  ];

  for (const c of customCases) {
    it(c.name, async () => {
      const { code, e, text } = await explain([...(c.args?.() ?? []), c.path]);
      assert.equal(code, c.exit, JSON.stringify(e, null, 2));
      assert.equal(e.api, 'custom');
      c.check(e, text);
      // Byte for byte what the server sends for the same request and objects.
      const objectsFlag = (c.args?.() ?? []).find((a) => a.startsWith('--objects='));
      const pods =
        c.serverPods ??
        (objectsFlag ?? '--objects=')
          .slice('--objects='.length)
          .split(',')
          .map((name) => ({ name }));
      const expected = await serverPlan(c.path, pods);
      assert.equal(e.queries[0]?.promql, expected);
    });
  }

  it('* and a label selector without a cluster: the query for every object, and which step needs one', async () => {
    const { code, e, text } = await explain([
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb',
    ]);
    assert.equal(code, 0);
    assert.equal(e.objects?.source, 'unknown');
    assert.equal(
      e.queries[0]?.promql,
      'sum(queue_depth{namespace="shop",pod!=""}) by (pod) or on() vector(0)',
    );
    assert.deepEqual(e.queries[0].mapping?.matched.map((m) => m.object).sort(), ['stray', 'web-0', 'web-1']);
    assert.equal(e.outcome.status, undefined);
    assert.match(e.notes.join('\n'), /listing the pods that match labelSelector "app=web" needs a cluster/);
    assert.match(text, /answer: cannot be told/);
  });

  const failing: { name: string; path: string; status: number; message: RegExp }[] = [
    {
      name: 'a metric no rule yields',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/no_such_metric',
      status: 404,
      message: /could not find the metric no_such_metric for pods/,
    },
    {
      name: 'a misspelled metric: NotFound still, with the names meant',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_dept',
      status: 404,
      message: /^the server could not find the metric queue_dept for pods; did you mean queue_depth\?$/,
    },
    {
      name: 'a misspelled external metric: NotFound still, with the name meant',
      path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/jobs_wating',
      status: 404,
      message: /^the server could not find the external metric jobs_wating; did you mean jobs_waiting\?$/,
    },
    {
      name: 'a hostile object name',
      path: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/${encodeURIComponent('x"}or vector(1)#')}/queue_depth`,
      status: 400,
      message: /invalid object name/,
    },
    {
      name: 'a hostile metricLabelSelector value',
      path: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_depth?metricLabelSelector=${encodeURIComponent('verb=GET"}')}`,
      status: 400,
      message: /invalid metricLabelSelector/,
    },
    {
      name: 'a label name PromQL cannot take',
      path: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_depth?metricLabelSelector=${encodeURIComponent('app.kubernetes.io/name=x')}`,
      status: 400,
      message: /./,
    },
    {
      name: 'an invalid namespace',
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/Shop/pods/web-0/queue_depth',
      status: 400,
      message: /invalid namespace "Shop"/,
    },
  ];
  for (const f of failing) {
    it(`a request that fails: ${f.name} (exit 1, no query)`, async () => {
      const { code, e } = await explain([f.path]);
      assert.equal(code, 1);
      assert.equal(e.outcome.status, f.status);
      assert.match(e.outcome.message, f.message);
      assert.deepEqual(e.queries, []);
      if (f.status === 400) {
        // The message the server itself answers with.
        const url = new URL(f.path, 'http://server.invalid');
        assert.throws(
          () =>
            parseCustomMetricRequest({
              params:
                customMetricParams(
                  url.pathname
                    .split('/')
                    .filter((p) => p !== '')
                    .map((p) => decodeURIComponent(p))
                    .slice(3),
                ) ?? assert.fail(`no URL shape: ${url.pathname}`),
              query: url.searchParams,
              signal: new AbortController().signal,
            }),
          (err: Error) => err.message === e.outcome.message,
        );
      }
    });
  }

  it('external metrics: the rule engine’s external query, the samples as items', async () => {
    const path =
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/queue/jobs_waiting?labelSelector=queue%3Dorders';
    const { code, e } = await explain([path]);
    assert.equal(code, 0);
    assert.equal(e.api, 'external');
    assert.equal(e.rule?.path, 'externalRules[0]');
    const rule = rules.external[0];
    assert.ok(rule !== undefined);
    const expected = renderExternalQuery(rule, {
      seriesName: 'jobs_waiting',
      namespace: { label: 'namespace', value: 'queue' },
      metricSelector: [{ key: 'queue', operator: '=', values: ['orders'] }],
    });
    assert.equal(e.queries[0]?.promql, expected);
    assert.equal(expected, 'sum(jobs_waiting{queue="orders",namespace="queue"}) by (queue)');
    assert.deepEqual(
      e.queries[0].samples.map((s) => [s.labels, s.value]),
      [[{ queue: 'orders' }, '3']],
    );
    assert.deepEqual(e.outcome, { status: 200, message: '1 item', items: 1 });
  });

  it('metrics.k8s.io with resourceRules: both queries rendered, run and mapped per container', async () => {
    const { code, e, text } = await explain(['/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1']);
    assert.equal(code, 0);
    assert.equal(e.api, 'resource');
    assert.deepEqual(
      e.queries.map((q) => q.promql),
      [
        'sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod="web-1"}[1m])) by (pod,container)',
        'sum(container_memory_working_set_bytes{namespace="shop",pod="web-1"}) by (pod,container)',
      ],
    );
    assert.deepEqual(
      e.queries.map((q) => q.mapping?.matched.map((m) => [m.object, m.labels.container])),
      [[['web-1', 'app']], [['web-1', 'app']]],
    );
    assert.equal(e.queries[1]?.mapping?.matched[0]?.value, '2097152');
    assert.deepEqual(e.outcome, { status: 200, message: '1 item', items: 1 });
    assert.match(text, /query: memory of pods, from resourceRules\.memory\.containerQuery — syntax ok/);
  });

  it('metrics.k8s.io pods of all namespaces: grouped by namespace too, as the server queries', async () => {
    const { code, e } = await explain(['/apis/metrics.k8s.io/v1beta1/pods']);
    assert.equal(code, 0);
    assert.deepEqual(
      e.queries.map((q) => q.promql),
      [
        'sum(rate(container_cpu_usage_seconds_total{pod!=""}[1m])) by (pod,container,namespace)',
        'sum(container_memory_working_set_bytes{pod!=""}) by (pod,container,namespace)',
      ],
    );
  });

  it('metrics.k8s.io nodes without a cluster: every node', async () => {
    const { code, e } = await explain(['/apis/metrics.k8s.io/v1beta1/nodes']);
    assert.equal(code, 0);
    assert.equal(e.queries[0]?.promql, 'sum(rate(node_cpu_usage_seconds_total{node!=""}[1m])) by (node)');
    assert.deepEqual(
      e.queries.map((q) => q.mapping?.matched.map((m) => m.object)),
      [['node-a'], ['node-a']],
    );
  });

  it('metrics.k8s.io without resourceRules: the kubelet scraper answers', async () => {
    const { code, e } = await explain(
      ['/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods'],
      noResourceRulesFile,
    );
    assert.equal(code, 0);
    assert.deepEqual(e.queries, []);
    assert.match(e.outcome.message, /kubelet scraper answers metrics\.k8s\.io/);
  });

  it('text output from the CLI', async () => {
    const r = await runCli([
      'explain',
      `--config=${rulesFile}`,
      `--prometheus-url=${env.prom.url}`,
      '--objects=web-0,web-2',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^GET \/apis\/custom\.metrics\.k8s\.io\/v1beta2\/namespaces\/shop\/pods\/\*\/queue_depth$/m,
    );
    assert.match(
      r.stdout,
      /^ {4}sum\(queue_depth\{namespace="shop",pod=~"web-0\|web-2"\}\) by \(pod\) or on\(\) vector\(0\)$/m,
    );
    assert.match(r.stdout, /^ {4}web-0 ← 5$/m);
    assert.match(r.stdout, /^ {4}dropped web-2: NaN/m);
    assert.match(r.stdout, /^answer: 200: 1 item$/m);
  });

  it('exit codes: no path 2, rules file errors 1, Prometheus unreachable 3', async () => {
    const noPath = await runCli(['explain', `--config=${rulesFile}`, `--prometheus-url=${env.prom.url}`]);
    assert.equal(noPath.code, 2);
    assert.match(noPath.stderr, /explain needs the API path/);
    const broken = await env.file('broken.yaml', 'rules:\n  - seriesQuery: 1\n    metricQuery: x\n');
    const bad = await runCli([
      'explain',
      `--config=${broken}`,
      `--prometheus-url=${env.prom.url}`,
      '/apis/x',
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /broken\.yaml:3:5: error: rules\[0\]: unknown key "metricQuery"/);
    const port = await freePort();
    const down = await runCli([
      'explain',
      `--config=${rulesFile}`,
      `--prometheus-url=http://127.0.0.1:${port}`,
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-0/queue_depth',
    ]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /Prometheus is unreachable/);
  });
});

/**
 * explain's plan is the providers' plan: for custom, external and resource requests, split by
 * --max-query-length or not, the queries explain shows (and runs) are the ones the provider sends,
 * and a request over --max-selected-objects gets the provider's own refusal. Resource samples of
 * all namespaces map by namespace and pod, as the Prometheus usage source reads them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/errors.js';
import { explainRequest, type ExplainDeps } from '../../src/explain/index.js';
import { StaticObjectLister } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  PrometheusResourceSource,
  customMetricParams,
  parseCustomMetricRequest,
} from '../../src/providers/index.js';
import { MetricDiscovery } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { RecordingPrometheus, sample } from '../providers/fakes.js';
import { compileYaml, mapper } from '../rules/fixtures.js';

const RULES = `
rules:
- seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
- seriesQuery: '{__name__="jobs_waiting",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
resourceRules:
  cpu:
    containerQuery: 'sum(rate(cpu_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    nodeQuery: 'sum(rate(node_cpu_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
  memory:
    containerQuery: 'sum(mem_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    nodeQuery: 'sum(node_mem_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
`;

const PODS = Array.from({ length: 40 }, (_, i) => `web-${String(i).padStart(3, '0')}-abcdefgh`);

interface Setup {
  prom: RecordingPrometheus;
  discovery: MetricDiscovery;
  lister: StaticObjectLister;
}

async function setup(): Promise<Setup> {
  const prom = new RecordingPrometheus();
  prom.series_ = [
    { __name__: 'queue_depth', namespace: 'shop', pod: 'web-0' },
    { __name__: 'jobs_waiting', queue: 'orders', namespace: 'shop' },
  ];
  const discovery = new MetricDiscovery({
    prometheus: prom,
    mapper,
    logger: silentLogger(),
    metrics: new SelfMetrics({ processMetrics: false }),
    relistIntervalMs: 60_000,
    maxAgeMs: 60_000,
  });
  const rules = compileYaml(RULES).rules;
  assert.ok(rules);
  await discovery.setRules(rules);
  const lister = new StaticObjectLister(
    PODS.map((name) => ({ group: '', resource: 'pods', namespace: 'shop', name, labels: { app: 'web' } })),
  );
  return { prom, discovery, lister };
}

function deps(s: Setup, limits: ExplainDeps['limits']): ExplainDeps {
  return {
    discovery: s.discovery,
    mapper,
    resourcesFrom: 'builtin',
    prometheus: s.prom,
    lister: s.lister,
    limits,
  };
}

async function outcome<T>(p: Promise<T>): Promise<T | ApiError> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
}

const LIMITS = [
  { name: 'unsplit', limits: { maxQueryLength: 0, maxSelectedObjects: 0 } },
  { name: 'split', limits: { maxQueryLength: 300, maxSelectedObjects: 0 } },
  { name: 'refused', limits: { maxQueryLength: 300, maxSelectedObjects: 10 } },
];

describe('explain plans what the providers plan', () => {
  for (const c of LIMITS)
    it(`custom metrics, ${c.name}`, async () => {
      const s = await setup();
      const path =
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb';
      const provider = new CustomMetricsProvider({
        discovery: s.discovery,
        mapper,
        lister: s.lister,
        prometheus: s.prom,
        logger: silentLogger(),
        metrics: new SelfMetrics({ processMetrics: false }),
        ...c.limits,
      });
      const url = new URL(path, 'http://x.invalid');
      const params = customMetricParams(
        url.pathname
          .split('/')
          .filter((p) => p !== '')
          .slice(3),
      );
      assert.ok(params !== undefined);
      const planned = await outcome(
        provider.plan(parseCustomMetricRequest({ params, query: url.searchParams })),
      );
      const e = await explainRequest(path, deps(s, c.limits));
      if (planned instanceof ApiError) {
        assert.equal(c.name, 'refused');
        assert.deepEqual(e.outcome, {
          status: planned.code,
          reason: planned.reason,
          message: planned.message,
        });
        assert.deepEqual(e.queries, []);
        return;
      }
      assert.deepEqual(
        e.queries.map((q) => q.promql),
        planned.queries,
      );
      assert.equal(planned.queries.length > 1, c.name === 'split');
      if (c.name === 'split') assert.match(e.queries[1]?.purpose ?? '', /\(part 2 of \d+\)$/);
      // The mapping of every part is on the last one.
      assert.ok(e.queries.at(-1)?.mapping !== undefined);
    });

  it('external metrics', async () => {
    const s = await setup();
    const provider = new ExternalMetricsProvider({
      discovery: s.discovery,
      mapper,
      prometheus: s.prom,
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
    });
    const { query } = await provider.plan({
      metric: 'jobs_waiting',
      namespace: 'shop',
      selector: [{ key: 'queue', operator: '=', values: ['orders'] }],
    });
    const e = await explainRequest(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/jobs_waiting?labelSelector=queue%3Dorders',
      deps(s, {}),
    );
    assert.deepEqual(
      e.queries.map((q) => q.promql),
      [query],
    );
  });

  for (const c of LIMITS.slice(0, 2))
    for (const target of ['pods', 'nodes'] as const)
      it(`resource metrics of ${target}, ${c.name}`, async () => {
        const s = await setup();
        const rules = s.discovery.rules.resource;
        assert.ok(rules !== undefined);
        const source = new PrometheusResourceSource({
          rules,
          mapper,
          prometheus: s.prom,
          logger: silentLogger(),
          metrics: new SelfMetrics({ processMetrics: false }),
          maxQueryLength: c.limits.maxQueryLength,
        });
        if (target === 'pods') await source.podUsage({ namespace: 'shop', names: PODS });
        else await source.nodeUsage({ names: PODS });
        const sent = [...s.prom.queries].sort();
        s.prom.queries.length = 0;
        const path =
          target === 'pods'
            ? '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods'
            : '/apis/metrics.k8s.io/v1beta1/nodes';
        const lister =
          target === 'pods'
            ? s.lister
            : new StaticObjectLister(
                PODS.map((name) => ({ group: '', resource: 'nodes', namespace: '', name, labels: {} })),
              );
        const e = await explainRequest(path, { ...deps(s, c.limits), lister });
        assert.deepEqual(e.queries.map((q) => q.promql).sort(), sent);
        assert.equal(sent.length > 2, c.name === 'split');
      });

  it('resource metrics of all namespaces: samples map by namespace and pod', async () => {
    const s = await setup();
    const lister = new StaticObjectLister(
      ['shop', 'blog'].map((namespace) => ({
        group: '',
        resource: 'pods',
        namespace,
        name: 'web-0',
        labels: {},
      })),
    );
    s.prom.answer = (promql) =>
      promql.includes('namespace="shop"') ? [sample({ pod: 'web-0', container: 'app' }, 1)] : [];
    const e = await explainRequest('/apis/metrics.k8s.io/v1beta1/pods', { ...deps(s, {}), lister });
    assert.deepEqual(e.objects?.names, ['shop/web-0', 'blog/web-0']);
    // One question per namespace, as the resource provider asks.
    assert.equal(e.queries.length, 4);
    const cpu = e.queries[1]?.mapping;
    assert.deepEqual(
      cpu?.matched.map((m) => m.object),
      ['shop/web-0'],
    );
    assert.deepEqual(cpu.noSample, ['blog/web-0']);
    assert.deepEqual(e.outcome, { status: 200, message: '1 item', items: 1 });
  });
});

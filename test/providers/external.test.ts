/**
 * The external metrics provider and API: request → PromQL (selector matchers escaped, the
 * namespace matcher unless the rule says namespaced: false), series → items with their labels,
 * NaN/Inf left out, unknown metric → 404, malformed selector → 400.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serveApi } from '../helpers/api-app.js';
import {
  ExternalMetricsApi,
  encodeExternalMetricValueList,
} from '../../src/apiserver/external-metrics-api.js';
import { ApiError, BadRequestError, NotFoundError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import { ExternalMetricsProvider } from '../../src/providers/index.js';
import { MetricDiscovery } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { compileYaml, mapper } from '../rules/fixtures.js';
import { matchersOf, RecordingPrometheus, regexMatches, sample } from './fakes.js';

const RULES = `
externalRules:
- seriesQuery: '{__name__="queue_consumer_lag",name!=""}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)
  resources:
    overrides: { namespace: {resource: "namespace"} }
- seriesQuery: '{__name__=~"^cluster_.*"}'
  resources:
    namespaced: false
  metricsQuery: max(<<.Series>>{<<.LabelMatchers>>}) by (zone)
- seriesQuery: '{__name__="unmapped_total"}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>})
`;

async function setup(): Promise<{
  prom: RecordingPrometheus;
  provider: ExternalMetricsProvider;
  api: ExternalMetricsApi;
  metrics: SelfMetrics;
}> {
  const prom = new RecordingPrometheus();
  prom.series_ = [
    { __name__: 'queue_consumer_lag', name: 'orders', namespace: 'shop' },
    { __name__: 'cluster_load', zone: 'a' },
    { __name__: 'unmapped_total', x: '1' },
  ];
  const metrics = new SelfMetrics({ processMetrics: false });
  const discovery = new MetricDiscovery({
    prometheus: prom,
    mapper,
    logger: silentLogger(),
    metrics,
    relistIntervalMs: 60_000,
    maxAgeMs: 60_000,
  });
  const rules = compileYaml(RULES).rules;
  assert.ok(rules);
  await discovery.setRules(rules);
  const provider = new ExternalMetricsProvider({
    discovery,
    mapper,
    prometheus: prom,
    logger: silentLogger(),
    metrics,
  });
  const api = new ExternalMetricsApi(provider, () => discovery.catalogVersion);
  return { prom, provider, api, metrics };
}

async function status(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an error');
}

describe('external metrics: selector → PromQL', () => {
  const cases: { selector: string; want: string }[] = [
    { selector: '', want: 'sum(queue_consumer_lag{namespace="shop"}) by (name)' },
    { selector: 'name=orders', want: 'sum(queue_consumer_lag{name="orders",namespace="shop"}) by (name)' },
    { selector: 'name!=orders', want: 'sum(queue_consumer_lag{name!="orders",namespace="shop"}) by (name)' },
    {
      selector: 'name in (a.b,orders)',
      want: 'sum(queue_consumer_lag{name=~"a\\\\.b|orders",namespace="shop"}) by (name)',
    },
    {
      selector: 'name notin (x-1,y_2)',
      want: 'sum(queue_consumer_lag{name!~"x-1|y_2",namespace="shop"}) by (name)',
    },
    { selector: 'name', want: 'sum(queue_consumer_lag{name!="",namespace="shop"}) by (name)' },
    { selector: '!name', want: 'sum(queue_consumer_lag{name="",namespace="shop"}) by (name)' },
  ];
  for (const c of cases) {
    it(`labelSelector ${JSON.stringify(c.selector)}`, async () => {
      const { prom, api } = await setup();
      await api.getMetric('shop', 'queue_consumer_lag', new URLSearchParams({ labelSelector: c.selector }));
      assert.deepEqual(prom.queries, [c.want]);
    });
  }

  it('regex-escapes set values: the matcher parsed back matches exactly the values given', async () => {
    const { prom, api } = await setup();
    await api.getMetric(
      'shop',
      'queue_consumer_lag',
      new URLSearchParams({ labelSelector: 'name in (a.b,c_d,e-f)' }),
    );
    const [q] = prom.queries;
    assert.ok(q !== undefined);
    const m = matchersOf(q).find((x) => x.name === 'name');
    assert.ok(m !== undefined);
    assert.equal(m.op, '=~');
    for (const v of ['a.b', 'c_d', 'e-f']) assert.ok(regexMatches(m.value, v), v);
    for (const v of ['aXb', 'a.bc_d', '', 'c_d|e-f']) assert.ok(!regexMatches(m.value, v), v);
  });

  const hostile = [
    'name=x"}or vector(1)',
    'name in (a"b)',
    'name=a\\b',
    'na-me=x',
    'name=' + 'a'.repeat(64),
    'foo.bar/baz=x',
    'name>3',
  ];
  for (const selector of hostile) {
    it(`rejects ${JSON.stringify(selector)} with 400 before any query`, async () => {
      const { prom, api } = await setup();
      const err = await status(
        api.getMetric('shop', 'queue_consumer_lag', new URLSearchParams({ labelSelector: selector })),
      );
      assert.ok(err instanceof BadRequestError, err.message);
      assert.match(err.message, /labelSelector/);
      assert.deepEqual(prom.queries, []);
    });
  }

  it('adds no namespace matcher for a rule with resources.namespaced: false', async () => {
    const { prom, api } = await setup();
    await api.getMetric('anywhere', 'cluster_load', new URLSearchParams({ labelSelector: 'zone=a' }));
    assert.deepEqual(prom.queries, ['max(cluster_load{zone="a"}) by (zone)']);
  });

  it('a namespaced rule without a namespace label is a configuration error (500), not a silent cross-namespace answer', async () => {
    const { prom, api } = await setup();
    const err = await status(api.getMetric('shop', 'unmapped_total', new URLSearchParams()));
    assert.equal(err.code, 500);
    assert.match(err.message, /namespaced: false/);
    assert.deepEqual(prom.queries, []);
  });
});

describe('external metrics: answers', () => {
  it('reports every series with its labels, in the ExternalMetricValueList shape', async () => {
    const { prom, api } = await setup();
    const at = new Date('2024-05-29T08:38:20.700Z');
    prom.answer = () => [
      sample({ name: 'orders' }, 50, at),
      sample({ name: 'billing', namespace: 'shop' }, 0.25, at),
      sample({}, 3, at),
    ];
    const res = await api.getMetric('shop', 'queue_consumer_lag', new URLSearchParams());
    assert.deepEqual(JSON.parse(res.text), {
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metricName: 'queue_consumer_lag',
          metricLabels: { name: 'orders' },
          timestamp: '2024-05-29T08:38:20Z',
          value: '50',
        },
        {
          metricName: 'queue_consumer_lag',
          metricLabels: { name: 'billing', namespace: 'shop' },
          timestamp: '2024-05-29T08:38:20Z',
          value: '250m',
        },
        { metricName: 'queue_consumer_lag', metricLabels: {}, timestamp: '2024-05-29T08:38:20Z', value: '3' },
      ],
    });
  });

  it('answers 200 with no items when no series matches', async () => {
    const { api } = await setup();
    const res = await api.getMetric('empty', 'queue_consumer_lag', new URLSearchParams());
    assert.deepEqual((JSON.parse(res.text) as { items: unknown[] }).items, []);
  });

  it('leaves out NaN and infinite values and counts them', async () => {
    const { prom, provider, metrics } = await setup();
    prom.answer = () => [
      sample({ name: 'a' }, Number.NaN),
      sample({ name: 'b' }, Number.POSITIVE_INFINITY),
      sample({ name: 'c' }, Number.NEGATIVE_INFINITY),
      sample({ name: 'd' }, 7),
    ];
    const values = await provider.getValues({
      metric: 'queue_consumer_lag',
      namespace: 'shop',
      selector: [],
    });
    assert.deepEqual(
      values.map((v) => v.labels.name),
      ['d'],
    );
    const counted = (await metrics.nonFiniteValues.get()).values[0]?.value;
    assert.equal(counted, 3);
  });

  it('unknown metric → 404 NotFound', async () => {
    const { api } = await setup();
    const err = await status(api.getMetric('shop', 'no_such_metric', new URLSearchParams()));
    assert.ok(err instanceof NotFoundError);
    assert.match(err.message, /no_such_metric/);
  });

  it('finds a metric that appeared after the last relist (on-demand lookup)', async () => {
    const { prom, api } = await setup();
    prom.series_.push({ __name__: 'cluster_new', zone: 'b' });
    prom.answer = () => [sample({ zone: 'b' }, 1)];
    const res = await api.getMetric('x', 'cluster_new', new URLSearchParams());
    assert.equal((JSON.parse(res.text) as { items: unknown[] }).items.length, 1);
  });

  it('Prometheus down → 503', async () => {
    const { prom, api } = await setup();
    prom.down = true;
    const err = await status(api.getMetric('shop', 'queue_consumer_lag', new URLSearchParams()));
    assert.equal(err.code, 503);
  });

  it('rejects a malformed namespace or metric name with 400, and other paths with 404', async () => {
    const { api } = await setup();
    assert.equal(
      (await status(api.getMetric('Bad_NS', 'queue_consumer_lag', new URLSearchParams()))).code,
      400,
    );
    assert.equal((await status(api.getMetric('shop', 'a\u0001b', new URLSearchParams()))).code, 400);
    const served = await serveApi('external.metrics.k8s.io', 'v1beta1', api);
    try {
      assert.equal((await served.get('/queue_consumer_lag')).status, 404);
      assert.equal((await served.get('/namespaces/shop')).status, 404);
      const bad = await served.get('/namespaces/shop/a%01b');
      assert.equal(bad.status, 400, bad.body);
      assert.equal((bad.json as { kind: string }).kind, 'Status');
      const ok = await served.get('/namespaces/shop/queue_consumer_lag');
      assert.equal(ok.status, 200, ok.body);
      assert.equal((ok.json as { kind: string }).kind, 'ExternalMetricValueList');
    } finally {
      served.close();
    }
  });
});

describe('external metrics: discovery', () => {
  it('lists each external metric once: namespaced, ExternalMetricValueList, get', async () => {
    const { api } = await setup();
    assert.deepEqual(api.resources(), [
      {
        name: 'cluster_load',
        singularName: '',
        namespaced: true,
        kind: 'ExternalMetricValueList',
        verbs: ['get'],
      },
      {
        name: 'queue_consumer_lag',
        singularName: '',
        namespaced: true,
        kind: 'ExternalMetricValueList',
        verbs: ['get'],
      },
      {
        name: 'unmapped_total',
        singularName: '',
        namespaced: true,
        kind: 'ExternalMetricValueList',
        verbs: ['get'],
      },
    ]);
  });

  it('encodes an empty list', () => {
    assert.equal(
      encodeExternalMetricValueList([]),
      '{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[]}',
    );
  });
});

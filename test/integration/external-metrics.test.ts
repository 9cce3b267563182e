/**
 * external.metrics.k8s.io against a real Prometheus scraping an exporter, through the provider
 * and handler directly (no HTTP: the routes are added by the server wiring). The rules are
 * prometheus-adapter's own examples from docs/externalmetrics.md; values are checked against
 * the series fed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExternalMetricsApi } from '../../src/apiserver/external-metrics-api.js';
import { ApiError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { ExternalMetricsProvider } from '../../src/providers/index.js';
import { MetricDiscovery } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { compileYaml, mapper } from '../rules/fixtures.js';

// Both rules are the examples of prometheus-adapter's docs/externalmetrics.md (data, quoted as is).
const RULES = `
externalRules:
- seriesQuery: '{__name__="queue_consumer_lag",name!=""}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)
  resources:
    overrides: { namespace: {resource: "namespace"} }
- seriesQuery: '{__name__="queue_depth",name!=""}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)
  resources:
    namespaced: false
`;

interface Item {
  metricName: string;
  metricLabels: Record<string, string> | null;
  timestamp: string;
  value: string;
}

function quantity(text: string): number {
  return text.endsWith('m')
    ? Number(text.slice(0, -1)) / 1000
    : text.endsWith('k')
      ? Number(text.slice(0, -1)) * 1000
      : Number(text);
}

describe('external.metrics.k8s.io on a real Prometheus', { timeout: 90_000 }, () => {
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let client: HttpPrometheusClient;
  let discovery: MetricDiscovery;
  let api: ExternalMetricsApi;
  let metrics: SelfMetrics;

  const get = async (ns: string, metric: string, selector = ''): Promise<Item[]> => {
    const res = await api.getMetric(
      ns,
      metric,
      new URLSearchParams(selector === '' ? {} : { labelSelector: selector }),
    );
    const body = JSON.parse(res.text) as {
      kind: string;
      apiVersion: string;
      metadata: unknown;
      items: Item[];
    };
    assert.equal(body.kind, 'ExternalMetricValueList');
    assert.equal(body.apiVersion, 'external.metrics.k8s.io/v1beta1');
    assert.deepEqual(body.metadata, {});
    return body.items;
  };

  before(async () => {
    exporter = await startExporter();
    exporter.set('queue_consumer_lag', { name: 'orders', namespace: 'shop', partition: '0' }, 30);
    exporter.set('queue_consumer_lag', { name: 'orders', namespace: 'shop', partition: '1' }, 12.5);
    exporter.set('queue_consumer_lag', { name: 'billing', namespace: 'shop', partition: '0' }, 4);
    exporter.set('queue_consumer_lag', { name: 'orders', namespace: 'other', partition: '0' }, 1000);
    exporter.set('queue_consumer_lag', { name: 'a.b', namespace: 'shop', partition: '0' }, 2);
    exporter.set('queue_consumer_lag', { name: 'aXb', namespace: 'shop', partition: '0' }, 200);
    exporter.set('queue_depth', { name: 'my-sample-queue', namespace: 'queue' }, 50);
    exporter.set('queue_depth', { name: 'my-sample-queue', namespace: 'elsewhere' }, 7);
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    await prom.waitForQuery('queue_consumer_lag', { accept: (s) => s.length === 6, timeoutMs: 30_000 });
    await prom.waitForQuery('queue_depth', { accept: (s) => s.length === 2, timeoutMs: 30_000 });
    client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 5_000 });
    metrics = new SelfMetrics({ processMetrics: false });
    discovery = new MetricDiscovery({
      prometheus: client,
      mapper,
      logger: silentLogger(),
      metrics,
      relistIntervalMs: 3_600_000,
      maxAgeMs: 600_000,
    });
    const rules = compileYaml(RULES).rules;
    assert.ok(rules);
    await discovery.setRules(rules);
    const provider = new ExternalMetricsProvider({
      discovery,
      mapper,
      prometheus: client,
      logger: silentLogger(),
      metrics,
    });
    api = new ExternalMetricsApi(provider, () => discovery.catalogVersion);
  });

  after(async () => {
    client.close();
    await prom.stop();
    await exporter.close();
  });

  it('discovery lists both metrics', () => {
    assert.deepEqual(
      api.resources().map((r) => `${r.name}:${r.namespaced}:${r.kind}:${r.verbs.join()}`),
      ['queue_consumer_lag:true:ExternalMetricValueList:get', 'queue_depth:true:ExternalMetricValueList:get'],
    );
  });

  it('the HPA query: namespace restricts the series, one item per name, summed by the rule', async () => {
    const items = await get('shop', 'queue_consumer_lag');
    const byName = Object.fromEntries(items.map((i) => [i.metricLabels?.name ?? '', quantity(i.value)]));
    assert.deepEqual(byName, { orders: 42.5, billing: 4, 'a.b': 2, aXb: 200 });
    for (const i of items) {
      assert.equal(i.metricName, 'queue_consumer_lag');
      assert.deepEqual(Object.keys(i.metricLabels ?? {}), ['name']);
      assert.match(i.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Math.abs(Date.parse(i.timestamp) - Date.now()) < 120_000, i.timestamp);
    }
    assert.equal(items.find((i) => i.metricLabels?.name === 'orders')?.value, '42500m');
  });

  it('labelSelector narrows the series; set values are matched literally (a.b is not a regex)', async () => {
    assert.deepEqual(
      (await get('shop', 'queue_consumer_lag', 'name=orders')).map((i) => i.value),
      ['42500m'],
    );
    const set = await get('shop', 'queue_consumer_lag', 'name in (a.b,billing)');
    assert.deepEqual(set.map((i) => i.metricLabels?.name).sort(), ['a.b', 'billing']);
    const not = await get('shop', 'queue_consumer_lag', 'name notin (a.b,orders)');
    assert.deepEqual(not.map((i) => i.metricLabels?.name).sort(), ['aXb', 'billing']);
    assert.deepEqual(
      (await get('other', 'queue_consumer_lag', 'name=orders')).map((i) => i.value),
      ['1k'],
    );
  });

  it('namespaced: false ignores the request namespace; the selector may pick one', async () => {
    const all = await get('default', 'queue_depth', 'name=my-sample-queue');
    assert.deepEqual(
      all.map((i) => quantity(i.value)),
      [57],
    );
    const one = await get('default', 'queue_depth', 'namespace=queue,name=my-sample-queue');
    assert.deepEqual(
      one.map((i) => i.value),
      ['50'],
    );
  });

  it('a namespace without series → 200 with no items', async () => {
    assert.deepEqual(await get('empty', 'queue_consumer_lag'), []);
  });

  it('an unknown metric → 404, also for a new series no rule matches', async () => {
    await assert.rejects(
      get('shop', 'queue_consumer_lag_nope'),
      (err: unknown) => err instanceof ApiError && err.code === 404,
    );
    exporter.set('queue_depth_late', { name: 'late' }, 1);
    await prom.waitForQuery('queue_depth_late');
    await assert.rejects(
      get('shop', 'queue_depth_late'),
      (err: unknown) => err instanceof ApiError && err.code === 404,
    );
  });

  it('a hostile labelSelector is refused before reaching Prometheus', async () => {
    await assert.rejects(
      get('shop', 'queue_consumer_lag', 'name=x"}or vector(1)'),
      (err: unknown) => err instanceof ApiError && err.code === 400,
    );
  });
});

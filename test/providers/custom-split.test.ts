/**
 * Custom metrics over many objects against a real Prometheus: a wildcard whose PromQL would
 * exceed --max-query-length runs as several queries over parts of the names, and the merged
 * answer equals the one query's; a wildcard over more than --max-selected-objects is a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BadRequestError } from '../../src/errors.js';
import { BUILTIN_RESOURCES, ResourceIndex, StaticObjectLister } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import {
  HttpPrometheusClient,
  type CallOptions,
  type PrometheusClient,
  type Sample,
} from '../../src/prometheus/index.js';
import { CustomMetricsProvider, type CustomMetricQuery } from '../../src/providers/index.js';
import { MetricDiscovery, renderChunks } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { compileYaml } from '../rules/fixtures.js';

const RULES = `rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

// Long names with regex metacharacters (a dot) among them, so the escaping is split too.
const PODS = Array.from({ length: 300 }, (_, i) =>
  i % 7 === 0 ? `api.v${i}-${'p'.repeat(20)}` : `worker-${String(i).padStart(4, '0')}-${'q'.repeat(24)}`,
);
/** Pods with a series: all but every tenth (objects without a sample are left out). */
const WITH_SERIES = PODS.filter((_, i) => i % 10 !== 3);

/** Passes queries to Prometheus and records them. */
class Recording implements PrometheusClient {
  readonly queries: string[] = [];
  constructor(private readonly inner: PrometheusClient) {}
  query(promql: string, options?: CallOptions): Promise<Sample[]> {
    this.queries.push(promql);
    return this.inner.query(promql, options);
  }
  series(...args: Parameters<PrometheusClient['series']>): ReturnType<PrometheusClient['series']> {
    return this.inner.series(...args);
  }
  labelValues(
    ...args: Parameters<PrometheusClient['labelValues']>
  ): ReturnType<PrometheusClient['labelValues']> {
    return this.inner.labelValues(...args);
  }
}

function wildcard(selector = ''): CustomMetricQuery {
  return {
    metric: 'queue_depth',
    resource: 'pods',
    namespace: 'shop',
    target: {
      kind: 'selector',
      selector: { text: selector, matches: () => true },
    },
    metricSelector: [],
  };
}

describe(
  'custom metrics: split-and-merge and the wildcard cap on a real Prometheus',
  { timeout: 120_000 },
  () => {
    let exporter: Exporter;
    let prom: PrometheusInstance;
    let client: HttpPrometheusClient;
    let discovery: MetricDiscovery;
    const mapper = new ResourceIndex(BUILTIN_RESOURCES);
    const lister = new StaticObjectLister(
      PODS.map((name) => ({ group: '', resource: 'pods', namespace: 'shop', name, labels: { app: 'q' } })),
    );

    before(async () => {
      exporter = await startExporter();
      WITH_SERIES.forEach((pod, i) => exporter.set('queue_depth', { namespace: 'shop', pod }, i + 0.5));
      // A pod of another namespace with a name the shop has: must not leak into the answer.
      exporter.set('queue_depth', { namespace: 'other', pod: PODS[1] ?? '' }, 1e6);
      prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
      await prom.waitForQuery('queue_depth', {
        accept: (s) => s.length === WITH_SERIES.length + 1,
        timeoutMs: 30_000,
      });
      client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 10_000 });
      const { rules, diagnostics } = compileYaml(RULES);
      assert.ok(rules, diagnostics.join('\n'));
      discovery = new MetricDiscovery({
        prometheus: client,
        mapper,
        logger: silentLogger(),
        metrics: new SelfMetrics({ processMetrics: false }),
        relistIntervalMs: 60_000,
        maxAgeMs: 60_000,
      });
      await discovery.setRules(rules);
    });
    after(async () => {
      discovery.stop();
      client.close();
      await prom.stop();
      await exporter.close();
    });

    function provider(o: { maxQueryLength?: number; maxSelectedObjects?: number }) {
      const recording = new Recording(client);
      const metrics = new SelfMetrics({ processMetrics: false });
      const p = new CustomMetricsProvider({
        discovery,
        mapper,
        lister,
        prometheus: recording,
        logger: silentLogger(),
        metrics,
        ...o,
      });
      return { p, recording, metrics };
    }

    it('split queries answer exactly what the one query answers', async () => {
      const whole = provider({ maxQueryLength: 0 });
      const expected = await whole.p.getValues(wildcard());
      assert.equal(whole.recording.queries.length, 1);
      assert.equal(expected.length, WITH_SERIES.length);

      const cap = 1_500;
      const split = provider({ maxQueryLength: cap });
      const got = await split.p.getValues(wildcard());
      assert.ok(split.recording.queries.length >= 5, `${split.recording.queries.length} queries`);
      for (const q of split.recording.queries) assert.ok(q.length <= cap, `a ${q.length}-character query`);
      // Each query is evaluated at its own "now": everything but the timestamps is equal.
      const untimed = (vs: typeof got): unknown[] => vs.map(({ timestamp: _t, ...rest }) => rest);
      assert.deepEqual(untimed(got), untimed(expected));
      for (const v of got) assert.ok(v.timestamp.getTime() >= (expected[0]?.timestamp.getTime() ?? 0));
      const counted = (await split.metrics.splitQueries.get()).values.find((v) => v.labels.api === 'custom');
      assert.equal(counted?.value, 1);
      // The values are the exporter's, namespace shop only.
      const byName = new Map(got.map((v) => [v.describedObject.name, v.value]));
      WITH_SERIES.forEach((pod, i) => assert.equal(byName.get(pod), i + 0.5, pod));
    });

    it('renderChunks names every object once, in order, each query within the cap', () => {
      const render = (names: readonly string[]): string =>
        `sum(x{pod=~"${names.join('|')}"}) + sum(y{pod=~"${names.join('|')}"})`;
      for (const cap of [0, 60, 200, 1_000, 100_000]) {
        const chunks = renderChunks(PODS, cap, render);
        assert.deepEqual(
          chunks.flatMap((c) => c.names),
          PODS,
          `cap ${cap}`,
        );
        for (const c of chunks) {
          assert.equal(c.query, render(c.names));
          if (cap > 0 && c.names.length > 1)
            assert.ok(c.query.length <= cap, `cap ${cap}: ${c.query.length}`);
        }
        if (cap === 0 || cap === 100_000) assert.equal(chunks.length, 1);
      }
      // One name over the cap stays one query.
      assert.deepEqual(renderChunks(['a'.repeat(100)], 10, render).length, 1);
    });

    it('a wildcard over more objects than --max-selected-objects is a 400 naming the count', async () => {
      const capped = provider({ maxSelectedObjects: 100 });
      await assert.rejects(capped.p.getValues(wildcard()), (err: unknown) => {
        assert.ok(err instanceof BadRequestError);
        assert.equal(err.code, 400);
        assert.match(err.message, /matches 300 pods, more than the 100 .*--max-selected-objects/);
        return true;
      });
      assert.equal(capped.recording.queries.length, 0, 'nothing reached Prometheus');
      const limited = (await capped.metrics.requestsLimited.get()).values.find(
        (v) => v.labels.limit === 'max_selected_objects',
      );
      assert.equal(limited?.value, 1);
      const roomy = provider({ maxSelectedObjects: 300 });
      assert.equal((await roomy.p.getValues(wildcard())).length, WITH_SERIES.length);
    });
  },
);

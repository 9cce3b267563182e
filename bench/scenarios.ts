/**
 * The three request shapes, each with its floor: the exact PromQL the adapter sends for it,
 * rendered here by the rule engine from the same rules file and inputs, and checked against what
 * actually reaches Prometheus (its query log). Both answers are checked against the data set's
 * known rates before anything is timed.
 */
import assert from 'node:assert/strict';
import type { PrometheusInstance } from '../test/helpers/prometheus.js';
import { loadRules, renderObjectQuery } from '../src/rules/index.js';
import type { BenchClient, PreparedRequest } from './http.js';
import { APP, QUERY_METRIC, QUERY_METRIC_SERIES, SERVICE, namespaceData, ratePerSecond } from './dataset.js';
import { captureQueries } from './querylog.js';

export interface Scenario {
  id: string;
  title: string;
  adapterPath: string;
  /** The PromQL of the request, as the rule engine renders it. */
  promql: string;
  /** The series label holding object names. */
  resourceLabel: string;
  /** object name → value every answer must carry. */
  expected: Map<string, number>;
}

/**
 * What the adapter's instant-query client (src/prometheus/instant-query.ts) sends: GET, or a form
 * POST above 2 048 characters; parameters `query` and `timeout` (no `time`: Prometheus evaluates
 * at "now"); `Accept-Encoding: identity`, so Prometheus does not compress the answer.
 */
const POST_THRESHOLD = 2_048;
const SERVER_TIMEOUT = `${Math.floor(10_000 * 0.9)}ms`;
const FLOOR_HEADERS = { accept: 'application/json', 'accept-encoding': 'identity' };

export function floorRequests(promql: string): () => PreparedRequest {
  const params = new URLSearchParams({ query: promql, timeout: SERVER_TIMEOUT }).toString();
  const req: PreparedRequest =
    promql.length > POST_THRESHOLD
      ? {
          method: 'POST',
          path: '/api/v1/query',
          headers: { ...FLOOR_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
          body: params,
        }
      : { method: 'GET', path: `/api/v1/query?${params}`, headers: FLOOR_HEADERS };
  return () => req;
}

export function adapterRequests(s: Scenario): () => PreparedRequest {
  const req: PreparedRequest = { method: 'GET', path: s.adapterPath };
  return () => req;
}

export async function buildScenarios(rulesFile: string): Promise<Scenario[]> {
  const { rules } = await loadRules(rulesFile);
  const rule = rules.custom[0];
  if (rule === undefined) throw new Error('the rules file has no custom rule');
  const base = '/apis/custom.metrics.k8s.io/v1beta2/namespaces';
  const podScenario = (ns: string): Scenario => {
    const data = namespaceData(ns);
    const names = [...data.pods].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      id: `pods-${names.length}`,
      title: `HPA Pods query, ${names.length} pods`,
      adapterPath: `${base}/${ns}/pods/%2A/${QUERY_METRIC}?labelSelector=app%3D${APP}`,
      promql: renderObjectQuery(rule, {
        seriesName: QUERY_METRIC_SERIES,
        resourceLabel: 'pod',
        names,
        namespace: { label: 'namespace', value: ns },
        metricSelector: [],
      }),
      resourceLabel: 'pod',
      expected: new Map(data.pods.map((p, i) => [p, ratePerSecond(i)])),
    };
  };
  const small = namespaceData('small');
  return [
    podScenario('small'),
    podScenario('large'),
    {
      id: 'object-service',
      title: `Object query, one Service (${small.pods.length} pods' series)`,
      adapterPath: `${base}/${small.name}/services/${SERVICE}/${QUERY_METRIC}`,
      promql: renderObjectQuery(rule, {
        seriesName: QUERY_METRIC_SERIES,
        resourceLabel: 'service',
        names: [SERVICE],
        namespace: { label: 'namespace', value: small.name },
        metricSelector: [],
      }),
      resourceLabel: 'service',
      expected: new Map([[SERVICE, small.pods.reduce((sum, _p, i) => sum + ratePerSecond(i), 0)]]),
    },
  ];
}

/** A Kubernetes quantity as the adapter writes them (milli-units or SI suffixes). */
export function parseQuantity(q: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(m|k|M|G|T)?$/.exec(q);
  if (m === null) throw new Error(`unexpected quantity ${q}`);
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] === undefined ? 1 : (scale[m[2]] ?? Number.NaN));
}

function assertValues(what: string, got: Map<string, number>, want: Map<string, number>): void {
  assert.equal(got.size, want.size, `${what}: ${got.size} objects, expected ${want.size}`);
  for (const [name, v] of want) {
    const g = got.get(name);
    assert.ok(g !== undefined && Math.abs(g - v) <= 0.002, `${what}: ${name} = ${String(g)}, expected ${v}`);
  }
}

interface AdapterList {
  items?: { describedObject?: { name?: string }; value?: string }[];
}
interface PromAnswer {
  status?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; value?: [number, string] }[] };
}

/**
 * One request from each side with Prometheus's query log on: every answer must carry the expected
 * values, every adapter must have sent exactly the floor's PromQL (one query per request), and
 * Prometheus must have answered the floor uncompressed.
 */
export async function verifyScenario(
  s: Scenario,
  adapters: readonly { label: string; client: BenchClient }[],
  floor: BenchClient,
  prom: PrometheusInstance,
): Promise<void> {
  const logged = await captureQueries(prom, async () => {
    for (const { label, client } of adapters) {
      const a = await client.send(adapterRequests(s)());
      assert.equal(a.status, 200, `${s.id} ${label}: ${a.body.toString().slice(0, 300)}`);
      const list = JSON.parse(a.body.toString()) as AdapterList;
      assertValues(
        `${s.id} ${label}`,
        new Map((list.items ?? []).map((i) => [i.describedObject?.name ?? '', parseQuantity(i.value ?? '')])),
        s.expected,
      );
    }
    const f = await floor.send(floorRequests(s.promql)());
    assert.equal(f.status, 200, `${s.id} floor: ${f.body.toString().slice(0, 300)}`);
    assert.equal(f.headers['content-encoding'], undefined, `${s.id} floor: answer is compressed`);
    const answer = JSON.parse(f.body.toString()) as PromAnswer;
    assert.equal(answer.data?.resultType, 'vector');
    assertValues(
      `${s.id} floor`,
      new Map(
        (answer.data.result ?? []).map((r) => [r.metric?.[s.resourceLabel] ?? '', Number(r.value?.[1])]),
      ),
      s.expected,
    );
  });
  const expected = adapters.length + 1;
  assert.equal(
    logged.length,
    expected,
    `${s.id}: Prometheus logged ${logged.length} queries, expected ${expected}`,
  );
  adapters.forEach(({ label }, i) =>
    assert.equal(logged[i], s.promql, `${s.id}: ${label} sent different PromQL than the floor`),
  );
  assert.equal(logged[adapters.length], s.promql, `${s.id}: the floor sent different PromQL`);
}

/**
 * A namespace's rule (a MetricRule, CompiledRule.tenant) serves and reads its own namespace only:
 * other namespaces get the unknown-metric answer, every query it sends keeps to its namespace,
 * and with --prometheus-tenant-header its queries and series lookups carry its tenant, cluster
 * rules' never. Against a Prometheus stand-in that records what it is sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InternalError, NotFoundError } from '../../src/errors.js';
import { StaticObjectLister } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  tenantHeaders,
  type CustomMetricQuery,
  type TenantSource,
} from '../../src/providers/index.js';
import { confineToNamespace, type Requirement } from '../../src/promql/index.js';
import { MetricDiscovery, type CompiledRules } from '../../src/rules/index.js';
import { compileRuleObject } from '../../src/rules/rule-objects.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { compileYaml, mapper } from '../rules/fixtures.js';
import { startTenantPrometheus, type TenantPrometheus } from './tenant-prometheus.js';

const SERIES: Record<string, string>[] = [
  { __name__: 'http_requests_total', namespace: 'team-a', pod: 'web-1' },
  { __name__: 'http_requests_total', namespace: 'team-b', pod: 'web-2' },
  { __name__: 'queue_depth', namespace: 'team-a', queue: 'q' },
  { __name__: 'queue_depth', namespace: 'team-b', queue: 'q' },
  { __name__: 'cpu_seconds_total', namespace: 'team-b', pod: 'web-2' },
  { __name__: 'cluster_load', zone: 'a' },
];

const CLUSTER_RULES = `
rules:
- seriesQuery: '{__name__="cpu_seconds_total",pod!=""}'
  resources: { overrides: { namespace: {resource: namespace}, pod: {resource: pod} } }
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)
externalRules:
- seriesQuery: '{__name__="cluster_load"}'
  resources: { namespaced: false }
  metricsQuery: max(<<.Series>>{<<.LabelMatchers>>})
`;

function tenantRules(namespace: string): CompiledRules {
  const result = compileRuleObject(
    {
      apiVersion: 'metrics-adapter.io/v1alpha1',
      kind: 'MetricRule',
      metadata: { name: 'http', namespace },
      spec: {
        rule: {
          seriesQuery: '{__name__="http_requests_total",pod!=""}',
          resources: { overrides: { pod: { resource: 'pod' } } },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
        },
      },
    },
    { mapper },
  );
  const external = compileRuleObject(
    {
      apiVersion: 'metrics-adapter.io/v1alpha1',
      kind: 'MetricRule',
      metadata: { name: 'queue', namespace },
      spec: {
        externalRule: {
          seriesQuery: '{__name__="queue_depth"}',
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)',
        },
      },
    },
    { mapper },
  );
  assert.deepEqual([...result.diagnostics, ...external.diagnostics], []);
  assert.ok(result.rules !== undefined && external.rules !== undefined);
  return { ...result.rules, external: external.rules.external };
}

/** The cluster's rules, then team-a's own (team-b and team-c own none). */
function allRules(): CompiledRules {
  const cluster = compileYaml(CLUSTER_RULES).rules;
  assert.ok(cluster);
  const a = tenantRules('team-a');
  return {
    ...cluster,
    custom: [...cluster.custom, ...a.custom],
    external: [...cluster.external, ...a.external],
  };
}

const lister = new StaticObjectLister([
  { group: '', resource: 'pods', namespace: 'team-a', name: 'web-1', labels: {} },
  { group: '', resource: 'pods', namespace: 'team-b', name: 'web-2', labels: {} },
  { group: '', resource: 'namespaces', namespace: '', name: 'team-a', labels: { tenant: 'org-a' } },
  { group: '', resource: 'namespaces', namespace: '', name: 'team-b', labels: {} },
]);

interface Setup {
  prom: TenantPrometheus;
  custom: CustomMetricsProvider;
  external: ExternalMetricsProvider;
  close(): Promise<void>;
}

async function setup(from?: TenantSource, rules = allRules()): Promise<Setup> {
  const prom = await startTenantPrometheus(SERIES);
  const client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 5_000 });
  const metrics = new SelfMetrics({ processMetrics: false });
  const discovery = new MetricDiscovery({
    prometheus: client,
    mapper,
    logger: silentLogger(),
    metrics,
    relistIntervalMs: 60_000,
    maxAgeMs: 60_000,
    tenantHeaders:
      from === undefined ? undefined : tenantHeaders({ header: 'X-Scope-OrgID', from, lister, mapper }),
  });
  await discovery.setRules(rules);
  const deps = { discovery, mapper, prometheus: client, logger: silentLogger(), metrics };
  return {
    prom,
    custom: new CustomMetricsProvider({ ...deps, lister }),
    external: new ExternalMetricsProvider(deps),
    close: async () => {
      client.close();
      await prom.close();
    },
  };
}

const everything = { text: '', matches: (): boolean => true };

function podQuery(
  namespace: string,
  name: string,
  metric = 'http_requests_total',
  sel: Requirement[] = [],
): CustomMetricQuery {
  const target: CustomMetricQuery['target'] =
    name === '*' ? { kind: 'selector', selector: everything } : { kind: 'name', name };
  return { metric, resource: 'pods', namespace, target, metricSelector: sel };
}

/** True when every selector of `promql` has exactly `namespace="ns"` (confining changes nothing). */
function keptTo(promql: string, ns: string): boolean {
  const r = confineToNamespace(promql, ns);
  return r.ok && r.query === promql;
}

describe('tenant rules: served in their own namespace only', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());

  const cases: { ns: string; name: string; values: number | 'NotFound' }[] = [
    { ns: 'team-a', name: 'web-1', values: 1 },
    { ns: 'team-a', name: '*', values: 1 },
    { ns: 'team-b', name: 'web-2', values: 'NotFound' },
    { ns: 'team-b', name: '*', values: 'NotFound' },
    { ns: 'team-c', name: '*', values: 'NotFound' },
  ];
  for (const c of cases) {
    it(`custom: ${c.name} in ${c.ns} → ${c.values}`, async () => {
      const before = s.prom.calls.filter((x) => x.endpoint === 'query').length;
      const run = s.custom.getValues(podQuery(c.ns, c.name));
      if (c.values === 'NotFound') {
        await assert.rejects(run, NotFoundError);
        assert.equal(s.prom.calls.filter((x) => x.endpoint === 'query').length, before, 'no query sent');
      } else {
        const got = await run;
        assert.equal(got.length, c.values);
        assert.equal(got[0]?.describedObject.namespace, c.ns);
      }
    });
  }

  for (const c of [
    { ns: 'team-a', found: true },
    { ns: 'team-b', found: false },
    { ns: 'team-c', found: false },
  ]) {
    it(`external: queue_depth in ${c.ns} → ${c.found ? 'its series' : 'NotFound'}`, async () => {
      const run = s.external.getValues({ metric: 'queue_depth', namespace: c.ns, selector: [] });
      if (!c.found) await assert.rejects(run, NotFoundError);
      else assert.ok((await run).length > 0);
    });
  }

  it('every query a tenant rule sent has exactly namespace="team-a" in every selector', async () => {
    await s.custom.getValues(podQuery('team-a', '*'));
    await s.external.getValues({ metric: 'queue_depth', namespace: 'team-a', selector: [] });
    const sent = s.prom.calls
      .filter((c) => c.endpoint === 'query' && !/cpu_seconds_total|cluster_load/.test(c.promql[0] ?? ''))
      .map((c) => c.promql[0] ?? '');
    assert.ok(sent.length >= 2);
    for (const q of sent) assert.ok(keptTo(q, 'team-a'), q);
  });

  it('a request whose selector names another namespace is a 500, and nothing is sent', async () => {
    const before = s.prom.calls.length;
    const other: Requirement[] = [{ key: 'namespace', operator: '=', values: ['team-b'] }];
    await assert.rejects(
      s.custom.getValues(podQuery('team-a', 'web-1', 'http_requests_total', other)),
      (e: unknown) => e instanceof InternalError && /could not be kept to its namespace/.test(e.message),
    );
    await assert.rejects(
      s.external.getValues({ metric: 'queue_depth', namespace: 'team-a', selector: other }),
      (e: unknown) => e instanceof InternalError && /could not be kept to its namespace/.test(e.message),
    );
    assert.equal(s.prom.calls.length, before);
  });
});

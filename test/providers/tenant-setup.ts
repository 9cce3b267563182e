/**
 * What the tenant tests share: series of two namespaces, the cluster's rules and team-a's own
 * MetricRules (compiled as the cluster's objects are), and the providers over a recording
 * Prometheus stand-in, with or without tenant headers.
 */
import assert from 'node:assert/strict';
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
import type { Requirement } from '../../src/promql/index.js';
import { MetricDiscovery, type CompiledRules } from '../../src/rules/index.js';
import { compileRuleObject } from '../../src/rules/rule-objects.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { compileYaml, mapper } from '../rules/fixtures.js';
import { startTenantPrometheus, type TenantPrometheus } from './tenant-prometheus.js';

export const SERIES: Record<string, string>[] = [
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

export function tenantRules(namespace: string): CompiledRules {
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
export function allRules(): CompiledRules {
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

export interface Setup {
  prom: TenantPrometheus;
  custom: CustomMetricsProvider;
  external: ExternalMetricsProvider;
  close(): Promise<void>;
}

export async function setup(from?: TenantSource, rules = allRules()): Promise<Setup> {
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

export function podQuery(
  namespace: string,
  name: string,
  metric = 'http_requests_total',
  sel: Requirement[] = [],
): CustomMetricQuery {
  const target: CustomMetricQuery['target'] =
    name === '*' ? { kind: 'selector', selector: everything } : { kind: 'name', name };
  return { metric, resource: 'pods', namespace, target, metricSelector: sel };
}

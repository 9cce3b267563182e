/**
 * The merge of the rules file with the cluster's rule objects: the file first, then
 * ClusterMetricRules by name, then MetricRules by namespace and name; on a collision the earlier
 * serves and the loser's outcome names it. The catalog is built the way discovery builds it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ruleObjectEntry } from '../../src/rules/cluster-rules.js';
import { MetricCatalog, type SeriesShape } from '../../src/rules/index.js';
import { mergeOrder, mergeRules, type RuleObjectEntry } from '../../src/rules/merge-rules.js';
import { ruleObjectOutcomes } from '../../src/rules/rule-object-outcomes.js';
import { EMPTY_RULES, type CompiledRules } from '../../src/rules/types.js';
import { compileYaml, mapper } from './fixtures.js';

const SERIES: SeriesShape[] = [
  { name: 'http_requests_total', labels: ['namespace', 'pod'] },
  { name: 'jobs_waiting', labels: ['namespace', 'queue'] },
];
/** What Prometheus answers a seriesQuery naming one series. */
const shapesFor = (seriesQuery: string): SeriesShape[] =>
  SERIES.filter((s) => seriesQuery.includes(`"${s.name}"`));

const ruleSpec = (series: string): Record<string, unknown> => ({
  seriesQuery: `{__name__="${series}",namespace!="",pod!=""}`,
  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
});
/** A MetricRule reads its own namespace only: no namespace matcher, no namespace override. */
const tenantSpec = (series: string): Record<string, unknown> => ({
  seriesQuery: `{__name__="${series}",pod!=""}`,
  resources: { overrides: { pod: { resource: 'pod' } } },
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
});
const externalSpec = {
  seriesQuery: '{__name__="jobs_waiting",namespace!=""}',
  resources: { overrides: { namespace: { resource: 'namespace' } } },
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)',
};
const resourceSpec = parse(`
cpu:
  containerQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'
  nodeQuery: 'sum(rate(node_cpu_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}, instance: {resource: node}}}
  containerLabel: container
memory:
  containerQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  nodeQuery: 'sum(node_memory_MemTotal_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}, instance: {resource: node}}}
  containerLabel: container
`) as Record<string, unknown>;

type Spec = Record<string, unknown>;
const cmr = (name: string, spec: Spec): RuleObjectEntry =>
  ruleObjectEntry(
    'ClusterMetricRule',
    { metadata: { name, uid: `uid-${name}`, generation: 1 }, spec },
    mapper,
  );
const mr = (namespace: string, name: string, spec: Spec): RuleObjectEntry =>
  ruleObjectEntry('MetricRule', { metadata: { name, namespace, generation: 2 }, spec }, mapper);

function fileRules(yaml: string): CompiledRules {
  const { rules } = compileYaml(yaml);
  assert.ok(rules !== undefined);
  return rules;
}
const FILE_HTTP = fileRules(`rules:
- seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
`);
const FILE_EXTERNAL = fileRules(`externalRules:
- seriesQuery: '{__name__="jobs_waiting",namespace!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`);
const FILE_RESOURCES = fileRules(`resourceRules: ${JSON.stringify(resourceSpec)}\n`);

/** Merges, builds the catalog as discovery does, and returns each object's outcome by label. */
function outcomes(
  file: CompiledRules,
  entries: RuleObjectEntry[],
): Map<string, { lostTo?: string; metrics: string[]; accepted: boolean; errors: string[] }> {
  const merged = mergeRules(file, entries);
  const catalog = new MetricCatalog();
  for (const rule of [...merged.rules.custom, ...merged.rules.external])
    catalog.addShapes(rule, shapesFor(rule.seriesQuery), mapper);
  const out = ruleObjectOutcomes(merged, {
    catalog,
    seriesShapes: (rule) => shapesFor(rule.seriesQuery),
    mapper,
  });
  return new Map(
    out.map((o) => [
      o.kind === 'ClusterMetricRule' ? o.name : `${o.namespace ?? ''}/${o.name}`,
      { lostTo: o.lostTo, metrics: o.metrics, accepted: o.accepted, errors: o.errors },
    ]),
  );
}

describe('merging the rules file with rule objects', () => {
  const cases: {
    name: string;
    file: CompiledRules;
    entries: () => RuleObjectEntry[];
    want: Record<string, { lostTo?: string; metrics: string[] }>;
  }[] = [
    {
      name: 'the file beats a ClusterMetricRule',
      file: FILE_HTTP,
      entries: () => [cmr('a', { rule: ruleSpec('http_requests_total') })],
      want: { a: { lostTo: 'rules file rules[0]', metrics: [] } },
    },
    {
      name: 'ClusterMetricRules by name',
      file: EMPTY_RULES,
      entries: () => [
        cmr('b', { rule: ruleSpec('http_requests_total') }),
        cmr('a', { rule: ruleSpec('http_requests_total') }),
      ],
      want: {
        a: { metrics: ['namespaces/http_requests_total', 'pods/http_requests_total'] },
        b: { lostTo: 'ClusterMetricRule a', metrics: [] },
      },
    },
    {
      name: 'a ClusterMetricRule beats a MetricRule',
      file: EMPTY_RULES,
      entries: () => [
        mr('team', 'a', { rule: tenantSpec('http_requests_total') }),
        cmr('z', { rule: ruleSpec('http_requests_total') }),
      ],
      want: {
        z: { metrics: ['namespaces/http_requests_total', 'pods/http_requests_total'] },
        'team/a': { lostTo: 'ClusterMetricRule z', metrics: [] },
      },
    },
    {
      name: 'MetricRules of different namespaces both serve, each its own namespace',
      file: EMPTY_RULES,
      entries: () => [
        mr('ns-b', 'a', { rule: tenantSpec('http_requests_total') }),
        mr('ns-a', 'z', { rule: tenantSpec('http_requests_total') }),
      ],
      want: {
        'ns-a/z': { metrics: ['pods/http_requests_total'] },
        'ns-b/a': { metrics: ['pods/http_requests_total'] },
      },
    },
    {
      name: 'MetricRules of one namespace: by name',
      file: EMPTY_RULES,
      entries: () => [
        mr('ns-a', 'z', { rule: tenantSpec('http_requests_total') }),
        mr('ns-a', 'b', { rule: tenantSpec('http_requests_total') }),
      ],
      want: {
        'ns-a/b': { metrics: ['pods/http_requests_total'] },
        'ns-a/z': { lostTo: 'MetricRule ns-a/b', metrics: [] },
      },
    },
    {
      name: 'no collision: every rule serves its own',
      file: FILE_HTTP,
      entries: () => [cmr('q', { externalRule: externalSpec })],
      want: { q: { metrics: ['jobs_waiting'] } },
    },
    {
      name: 'external metrics: the file wins',
      file: FILE_EXTERNAL,
      entries: () => [cmr('q', { externalRule: externalSpec })],
      want: { q: { lostTo: 'rules file externalRules[0]', metrics: [] } },
    },
    {
      name: 'resourceRules: the file first',
      file: FILE_RESOURCES,
      entries: () => [cmr('r', { resourceRules: resourceSpec })],
      want: { r: { lostTo: 'rules file resourceRules', metrics: [] } },
    },
    {
      name: 'resourceRules: the first ClusterMetricRule by name',
      file: EMPTY_RULES,
      entries: () => [cmr('s', { resourceRules: resourceSpec }), cmr('r', { resourceRules: resourceSpec })],
      want: { r: { metrics: [] }, s: { lostTo: 'ClusterMetricRule r', metrics: [] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = outcomes(c.file, c.entries());
      for (const [label, want] of Object.entries(c.want)) {
        const o = got.get(label);
        assert.ok(o !== undefined, label);
        assert.deepEqual(
          { lostTo: o.lostTo, metrics: o.metrics },
          { lostTo: want.lostTo, metrics: want.metrics },
          label,
        );
        assert.equal(o.accepted, true, label);
      }
    });
  }

  it('a broken object is rejected alone, with its errors as check prints them', () => {
    const got = outcomes(EMPTY_RULES, [
      cmr('bad', { rule: { ...ruleSpec('http_requests_total'), metricsQuery: 'sum(<<.Nope>>)' } }),
      cmr('good', { rule: ruleSpec('http_requests_total') }),
    ]);
    const bad = got.get('bad');
    assert.equal(bad?.accepted, false);
    assert.match(bad.errors.join('\n'), /^spec\.rule\.metricsQuery: .*Nope/m);
    assert.deepEqual(got.get('good')?.metrics, [
      'namespaces/http_requests_total',
      'pods/http_requests_total',
    ]);
  });

  it('orders ClusterMetricRules by name before MetricRules by namespace and name', () => {
    const order = mergeOrder([
      mr('b', 'a', { rule: tenantSpec('x') }),
      cmr('z', { rule: ruleSpec('x') }),
      mr('a', 'b', { rule: tenantSpec('x') }),
      cmr('c', { rule: ruleSpec('x') }),
    ]).map((e) => `${e.kind} ${e.namespace ?? ''}/${e.name}`);
    assert.deepEqual(order, [
      'ClusterMetricRule /c',
      'ClusterMetricRule /z',
      'MetricRule a/b',
      'MetricRule b/a',
    ]);
  });
});

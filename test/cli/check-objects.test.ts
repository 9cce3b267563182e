/**
 * `check` on files of rule objects (ClusterMetricRule / MetricRule YAML, several documents or a
 * `kind: List`): each object is compiled as the adapter compiles it from the cluster, errors
 * carry file:line:col and the object's name, a MetricRule reading another namespace is refused
 * with the reason, and with a Prometheus each object's rule yields what a rules file's would.
 * The static cases call checkRulesFile directly; the Prometheus case runs the real CLI.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkRulesFile, renderCheckText, type CheckReport } from '../../src/cli/rule-tools/index.js';
import { formatDiagnostic } from '../../src/config/rules-file.js';
import { BUILTIN_RESOURCES, ResourceIndex } from '../../src/kube/index.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { runCli, startRuleToolsEnv, type RuleToolsEnv } from './rule-tools-env.js';

const HTTP = `apiVersion: metrics-adapter.io/v1alpha1
kind: ClusterMetricRule
metadata:
  name: http-requests
spec:
  rule:
    seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: { resource: namespace }
        pod: { resource: pod }
    name: { matches: "^(.*)_total$", as: "\${1}_per_second" }
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
`;

const QUEUE = `apiVersion: metrics-adapter.io/v1alpha1
kind: MetricRule
metadata:
  name: queue-depth
  namespace: shop
spec:
  rule:
    seriesQuery: '{__name__="queue_depth",pod!=""}'
    resources:
      overrides:
        pod: { resource: pod }
    metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

const JOBS = `apiVersion: metrics-adapter.io/v1alpha1
kind: ClusterMetricRule
metadata:
  name: jobs-waiting
spec:
  externalRule:
    seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: { namespaced: false }
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

/** A typo in the metricsQuery template, on line 10 of its document. */
const BAD = `apiVersion: metrics-adapter.io/v1alpha1
kind: MetricRule
metadata:
  name: broken
  namespace: shop
spec:
  rule:
    seriesQuery: '{__name__="queue_depth",pod!=""}'
    resources: { overrides: { pod: { resource: pod } } }
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupByy>>)'
`;

const OTHER_NAMESPACE = `apiVersion: metrics-adapter.io/v1alpha1
kind: MetricRule
metadata:
  name: peek
  namespace: shop
spec:
  externalRule:
    seriesQuery: '{__name__="jobs_waiting",namespace="billing",queue!=""}'
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
    .join('\n');

const LIST = `apiVersion: v1
kind: List
items:
${indent(HTTP)}
${indent(QUEUE)}
`;

interface Case {
  name: string;
  text: string;
  errors: number;
  objects: { object: string; compiled: boolean }[];
  /** Rule paths reported (those that compiled), in file order. */
  rules: string[];
  /** Substrings of the formatted errors, in order. */
  errorLines?: RegExp[];
}

const CASES: readonly Case[] = [
  {
    name: 'good objects of both kinds, as documents',
    text: [HTTP, QUEUE, JOBS].join('---\n'),
    errors: 0,
    objects: [
      { object: 'ClusterMetricRule http-requests', compiled: true },
      { object: 'MetricRule shop/queue-depth', compiled: true },
      { object: 'ClusterMetricRule jobs-waiting', compiled: true },
    ],
    rules: [
      'ClusterMetricRule http-requests spec.rule',
      'MetricRule shop/queue-depth spec.rule',
      'ClusterMetricRule jobs-waiting spec.externalRule',
    ],
  },
  {
    name: 'a bad object among good ones: its error at its line:col, named; the others still checked',
    text: [HTTP, BAD, JOBS].join('---\n'),
    errors: 1,
    objects: [
      { object: 'ClusterMetricRule http-requests', compiled: true },
      { object: 'MetricRule shop/broken', compiled: false },
      { object: 'ClusterMetricRule jobs-waiting', compiled: true },
    ],
    rules: ['ClusterMetricRule http-requests spec.rule', 'ClusterMetricRule jobs-waiting spec.externalRule'],
    // HTTP is 13 lines and the separator one: BAD's metricsQuery is on line 15 + 9.
    errorLines: [/:24:\d+: error: MetricRule shop\/broken spec\.rule\.metricsQuery: .*GroupByy/],
  },
  {
    name: 'a MetricRule reading another namespace is refused, with the reason',
    text: [QUEUE, OTHER_NAMESPACE].join('---\n'),
    errors: 1,
    objects: [
      { object: 'MetricRule shop/queue-depth', compiled: true },
      { object: 'MetricRule shop/peek', compiled: false },
    ],
    rules: ['MetricRule shop/queue-depth spec.rule'],
    errorLines: [
      /:21:\d+: error: MetricRule shop\/peek spec\.externalRule\.seriesQuery: .*namespace="billing".*only read namespace "shop"/,
    ],
  },
  {
    name: 'a List (kubectl get -o yaml)',
    text: LIST,
    errors: 0,
    objects: [
      { object: 'ClusterMetricRule http-requests', compiled: true },
      { object: 'MetricRule shop/queue-depth', compiled: true },
    ],
    rules: ['ClusterMetricRule http-requests spec.rule', 'MetricRule shop/queue-depth spec.rule'],
  },
];

describe('check on rule objects (no cluster, no Prometheus)', () => {
  let tmp: TempDir;
  before(async () => {
    tmp = await makeTempDir('check-objects');
  });
  after(() => tmp.remove());

  const check = async (name: string, text: string): Promise<CheckReport> => {
    const file = join(tmp.path, `${name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(file, text);
    return checkRulesFile({
      file,
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      resourcesFrom: 'builtin',
      maxAgeMs: 60_000,
    });
  };

  for (const c of CASES) {
    it(c.name, async () => {
      const report = await check(c.name, c.text);
      const errors = report.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      assert.equal(report.errors, c.errors, errors.join('\n'));
      assert.deepEqual(
        report.objects?.map((o) => ({ object: o.object, compiled: o.compiled })),
        c.objects,
      );
      assert.deepEqual(
        report.rules.map((r) => r.path),
        c.rules,
      );
      for (const [i, re] of (c.errorLines ?? []).entries()) assert.match(errors[i] ?? '', re);
      assert.equal(report.compiled, c.errors === 0);
      const text = renderCheckText(report);
      for (const o of c.objects) assert.ok(text.includes(o.object), `${o.object} in\n${text}`);
    });
  }

  it('rules yielding the same metric: the first in precedence serves it, whatever the file order', async () => {
    const second = HTTP.replace('name: http-requests', 'name: b-http');
    const first = HTTP.replace('name: http-requests', 'name: a-http');
    const otherTeam = QUEUE.replace('namespace: shop', 'namespace: billing');
    const report = await check('precedence', [second, first, QUEUE, otherTeam].join('---\n'));
    const warnings = report.diagnostics.filter((d) => d.severity === 'warning');
    assert.equal(warnings.length, 1, warnings.map(formatDiagnostic).join('\n'));
    const [loser] = warnings;
    assert.ok(loser);
    assert.equal(loser.path, 'ClusterMetricRule b-http spec.rule');
    assert.match(loser.message, /the server uses ClusterMetricRule a-http spec\.rule/);
    assert.match(loser.message, /ClusterMetricRules by name, then MetricRules/);
    assert.deepEqual(
      report.rules.map((r) => r.path),
      [
        'ClusterMetricRule b-http spec.rule',
        'ClusterMetricRule a-http spec.rule',
        'MetricRule shop/queue-depth spec.rule',
        'MetricRule billing/queue-depth spec.rule',
      ],
      'reported in file order',
    );
  });

  it('a rules file (no apiVersion) is checked as before', async () => {
    const report = await check(
      'rules-file',
      `rules:\n  - seriesQuery: '{__name__="queue_depth",pod!=""}'\n    resources: {overrides: {pod: {resource: pod}}}\n    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`,
    );
    assert.equal(report.objects, undefined);
    assert.deepEqual(
      report.rules.map((r) => r.path),
      ['rules[0]'],
    );
    assert.equal(report.errors, 0);
  });
});

describe('check on rule objects with a Prometheus (the real CLI)', () => {
  let env: RuleToolsEnv;
  before(async () => {
    env = await startRuleToolsEnv('check-objects-prom');
  });
  after(() => env.close());

  it('lists what each object’s rule yields; exit 0', async () => {
    const file = await env.file('objects.yaml', [HTTP, QUEUE, JOBS].join('---\n'));
    const r = await runCli([
      'check',
      `--config=${file}`,
      `--prometheus-url=${env.prom.url}`,
      '--format=json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    const metrics = Object.fromEntries(report.rules.map((x) => [x.path, x.metrics.map((m) => m.metric)]));
    assert.deepEqual(metrics, {
      'ClusterMetricRule http-requests spec.rule': ['http_requests_per_second'],
      'MetricRule shop/queue-depth spec.rule': ['queue_depth'],
      'ClusterMetricRule jobs-waiting spec.externalRule': ['jobs_waiting'],
    });
    const queue = report.rules.find((x) => x.path === 'MetricRule shop/queue-depth spec.rule');
    assert.match(
      queue?.seriesQuery ?? '',
      /namespace="shop"/,
      'the seriesQuery is confined to its namespace',
    );
  });

  it('a bad object fails the check (exit 1) and skips series discovery', async () => {
    const file = await env.file('bad-objects.yaml', [HTTP, BAD].join('---\n'));
    const r = await runCli(['check', `--config=${file}`, `--prometheus-url=${env.prom.url}`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /bad-objects\.yaml:24:\d+: error: MetricRule shop\/broken spec\.rule\.metricsQuery/,
    );
    assert.match(r.stdout, /not checked: MetricRule shop\/broken/);
  });
});

/**
 * `metrics-adapter check` as a CI job runs it: the real CLI in a child process, no cluster, a
 * real Prometheus. Each case is a rules file, the flags, the exit code and what the report says.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderCheckText, type CheckReport } from '../../src/cli/rule-tools/index.js';
import { BUILTIN_RESOURCES, ResourceIndex } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { loadRules, MetricDiscovery } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startRuleToolsEnv, type RuleToolsEnv } from './rule-tools-env.js';

const GOOD = `rules:
  - seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
        service: {resource: service}
    name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: {namespaced: false}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const SYNTAX = `rules:
  - seriesQuery: '{__name__="queue_depth",pod!=""}'
    resources: {overrides: {pod: {resource: pod}}}
    name: {matches: "^(queue_.*"}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>'
`;

const NOTHING = `rules:
  - seriesQuery: '{__name__="does_not_exist_anywhere",pod!=""}'
    resources: {overrides: {pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__=~"http_requests_total|queue_depth",pod!=""}'
    seriesFilters: [{isNot: "^(http|queue)_"}]
    resources: {overrides: {pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__="orphan_gauge"}'
    resources: {overrides: {pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

const OVERLAP = `rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__=~"queue_.*",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

const EXTERNAL = `externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    name: {as: "queue_jobs"}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: {overrides: {namespace: {resource: namespace}}}
    name: {matches: "^jobs_(.*)$", as: "\${1}_jobs"}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const BROKEN_RESOURCE = `resourceRules:
  cpu:
    containerQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    nodeQuery: 'sum(rate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[1m]) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
  memory:
    containerQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    nodeQuery: 'sum(node_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}
    containerLabel: container
  window: 1m
`;

function report(stdout: string): CheckReport {
  return JSON.parse(stdout) as CheckReport;
}

describe('metrics-adapter check', { timeout: 400_000 }, () => {
  let env: RuleToolsEnv;
  const files: Record<string, string> = {};

  before(async () => {
    env = await startRuleToolsEnv('check');
    for (const [name, text] of Object.entries({
      GOOD,
      SYNTAX,
      NOTHING,
      OVERLAP,
      EXTERNAL,
      BROKEN_RESOURCE,
    }))
      files[name] = await env.file(`${name.toLowerCase()}.yaml`, text);
    const cm = parse(
      await readFile(new URL('./fixtures/prometheus-adapter-config-map.yaml', import.meta.url), 'utf8'),
    ) as { data: Record<string, string> };
    files.CONFIG_MAP = await env.file('config-map-config.yaml', cm.data['config.yaml'] ?? '');
    files.SAMPLE = new URL('./fixtures/prometheus-adapter-sample-config.yaml', import.meta.url).pathname;
  });

  after(async () => {
    await env.close();
  });

  const prom = (): string => `--prometheus-url=${env.prom.url}`;

  interface Case {
    name: string;
    file: string;
    args?: (string | (() => string))[];
    exit: number;
    /** Lines the text output must contain. */
    text?: (string | RegExp)[];
    json?: (r: CheckReport) => void;
  }

  const cases: Case[] = [
    {
      name: 'a good file: metrics, the resources they attach to, external names; nothing to warn about',
      file: 'GOOD',
      args: [prom, '--strict'],
      exit: 0,
      text: [
        'http_requests_per_second ← http_requests_total',
        /on namespaces \(cluster scope, label namespace\), pods \(namespaced, label pod\), services \(namespaced, label service\)/,
        'jobs_waiting ← jobs_waiting',
        /resources: assumed: the built-in table/,
        '0 errors, 0 warnings',
      ],
      json: (r) => {
        assert.equal(r.resources.source, 'builtin');
        const [custom, external] = r.rules;
        assert.ok(custom !== undefined && external !== undefined);
        assert.equal(custom.path, 'rules[0]');
        assert.deepEqual(custom.at.line, 2);
        assert.deepEqual(custom.metrics, [
          {
            metric: 'http_requests_per_second',
            series: ['http_requests_total'],
            resources: [
              { groupResource: 'namespaces', namespaced: false, label: 'namespace' },
              { groupResource: 'pods', namespaced: true, label: 'pod' },
              { groupResource: 'services', namespaced: true, label: 'service' },
            ],
          },
        ]);
        assert.equal(custom.discovery?.series, 3);
        assert.deepEqual(external.metrics, [
          { metric: 'jobs_waiting', series: ['jobs_waiting'], resources: [] },
        ]);
        assert.deepEqual(r.overlaps, []);
      },
    },
    {
      name: 'syntax errors: file:line:col of the regex and of the PromQL, without a Prometheus',
      file: 'SYNTAX',
      exit: 1,
      text: [
        /syntax\.yaml:4:\d+: error: rules\[0\]\.name\.matches: invalid regular expression "\^\(queue_\.\*"/,
        /syntax\.yaml:5:\d+: error: rules\[0\]\.metricsQuery: renders invalid PromQL/,
        'Prometheus: not asked',
      ],
      json: (r) => {
        assert.equal(r.compiled, false);
        assert.equal(r.errors, 2);
        assert.equal(r.prometheus, undefined);
      },
    },
    {
      name: 'rules yielding nothing are warnings, with the likely reason',
      file: 'NOTHING',
      args: [prom],
      exit: 0,
      text: [
        /nothing\.yaml:2:5: warning: rules\[0\]: yields no metrics: seriesQuery matched no series in the last 1m0s/,
        /nothing\.yaml:5:5: warning: rules\[1\]: yields no metrics: seriesFilters \/ name\.matches removed all 2 series names \(http_requests_total, queue_depth\)/,
        /nothing\.yaml:9:5: warning: rules\[2\]: yields no metrics: no label of the matching series maps to a resource \(labels: instance, job, site; overrides: pod→pod\)/,
        '0 errors, 3 warnings',
      ],
      json: (r) => {
        assert.deepEqual(
          r.rules.map((x) => x.metrics.length),
          [0, 0, 0],
        );
        assert.deepEqual(
          r.rules.map((x) => x.discovery?.series),
          [0, 7, 1],
        );
      },
    },
    {
      name: '--strict makes those warnings fail',
      file: 'NOTHING',
      args: [prom, '--strict'],
      exit: 1,
    },
    {
      name: 'two rules yielding the same metric: the later one wins',
      file: 'OVERLAP',
      args: [prom],
      exit: 0,
      text: [
        /overlap\.yaml:2:5: warning: rules\[0\]: overlaps rules\[1\] \(.*overlap\.yaml:5:5\) on namespaces\/queue_depth, pods\/queue_depth \(namespaced\): rules\[1\] wins/,
        'pods/queue_depth (namespaced): rules[0], rules[1] → rules[1]',
      ],
      json: (r) => {
        const pods = r.overlaps.find((o) => o.key === 'pods/queue_depth');
        assert.deepEqual(pods, {
          api: 'custom',
          key: 'pods/queue_depth',
          namespaced: true,
          rules: ['rules[0]', 'rules[1]'],
          winner: 'rules[1]',
        });
      },
    },
    {
      name: 'externalRules: API names, and a namespaced rule without a namespace label',
      file: 'EXTERNAL',
      args: [prom],
      exit: 0,
      text: [
        'queue_jobs ← jobs_waiting',
        'waiting_jobs ← jobs_waiting',
        /external\.yaml:2:5: warning: externalRules\[0\]: no label maps to namespaces, but the rule is namespaced/,
        '  namespaced: the request namespace becomes namespace="<namespace>"',
      ],
      json: (r) => {
        assert.deepEqual(
          r.rules.map((x) => [x.api, x.metrics.map((m) => m.metric)]),
          [
            ['external', ['queue_jobs']],
            ['external', ['waiting_jobs']],
          ],
        );
      },
    },
    {
      name: "resourceRules from prometheus-adapter's deploy manifest: rendered, syntax-checked, run",
      file: 'CONFIG_MAP',
      args: [prom],
      exit: 0,
      text: [
        'container_cpu_usage_seconds_total{namespace="sample-namespace",pod="sample-pod",container!="",pod!=""}[4m]',
        'sum by (pod,container) (',
        'node_memory_working_set_bytes{node="sample-node"}',
        'every pod: 3 series for 3 pods',
        'every node: 1 series for 1 node',
        '0 errors, 0 warnings',
      ],
      json: (r) => {
        assert.deepEqual(
          r.resourceRules.map((q) => [q.resource, q.target, q.syntax.ok, q.run?.objects]),
          [
            ['cpu', 'pods', true, 3],
            ['memory', 'pods', true, 3],
            ['cpu', 'nodes', true, 1],
            ['memory', 'nodes', true, 1],
          ],
        );
      },
    },
    {
      name: 'a resourceRules query that is not PromQL',
      file: 'BROKEN_RESOURCE',
      exit: 1,
      text: [/broken_resource\.yaml:4:\d+: error: resourceRules\.cpu\.nodeQuery: renders invalid PromQL/],
    },
    {
      name: "prometheus-adapter's sample-config.yaml as is: the YAML errors it has, where they are",
      file: 'SAMPLE',
      exit: 1,
      text: [
        /prometheus-adapter-sample-config\.yaml:22:41: error: YAML syntax/,
        // The place prometheus-adapter itself stops at (its issue #697: "line 30, column 70", 4 lines up).
        /prometheus-adapter-sample-config\.yaml:34:70: error: YAML syntax/,
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const args = [
        'check',
        `--config=${files[c.file] ?? ''}`,
        ...(c.args ?? []).map((a) => (typeof a === 'string' ? a : a())),
      ];
      const json = await runCli([...args, '--format=json']);
      assert.equal(json.code, c.exit, `exit code\n${json.stdout}\n${json.stderr}`);
      const r = report(json.stdout);
      // The text form is a pure rendering of the same report (the CLI's text output is tested below).
      const text = renderCheckText(r);
      for (const want of c.text ?? []) {
        if (typeof want === 'string') assert.ok(text.includes(want), `${want} in\n${text}`);
        else assert.match(text, want);
      }
      c.json?.(r);
    });
  }

  it('text output from the CLI', async () => {
    const r = await runCli(['check', `--config=${files.OVERLAP ?? ''}`, `--prometheus-url=${env.prom.url}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^rules\[1\] \(.*overlap\.yaml:5:5\)$/m);
    assert.match(r.stdout, /^ {2}queue_depth ← queue_depth$/m);
    assert.match(r.stdout, /^.*overlap\.yaml:2:5: warning: rules\[0\]: overlaps rules\[1\]/m);
    assert.match(r.stdout, /^0 errors, 1 warning$/m);
  });

  it('the overlap winner is the rule the server uses', async () => {
    const { rules } = await loadRules(files.OVERLAP ?? '');
    const client = new HttpPrometheusClient({ url: env.prom.url, timeoutMs: 5_000 });
    const discovery = new MetricDiscovery({
      prometheus: client,
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
    });
    await discovery.setRules(rules);
    assert.equal(discovery.catalog.findCustom('queue_depth', '', 'pods', true)?.rule.path, 'rules[1]');
    client.close();
  });

  const usage: { name: string; args: () => string[]; exit: number; stderr: RegExp }[] = [
    { name: 'no --config', args: () => ['check'], exit: 2, stderr: /check needs --config FILE/ },
    {
      name: 'a --config that cannot be read',
      args: () => ['check', '--config=/nonexistent/rules.yaml'],
      exit: 2,
      stderr: /--config: cannot read/,
    },
    {
      name: 'an unknown --format',
      args: () => ['check', `--config=${files.GOOD ?? ''}`, '--format=xml'],
      exit: 2,
      stderr: /--format.*must be text or json/,
    },
    {
      name: 'a stray argument',
      args: () => ['check', `--config=${files.GOOD ?? ''}`, 'extra'],
      exit: 2,
      stderr: /check takes no arguments/,
    },
  ];
  for (const u of usage) {
    it(`usage error: ${u.name} (exit 2)`, async () => {
      const r = await runCli(u.args());
      assert.equal(r.code, u.exit, r.stderr);
      assert.match(r.stderr, u.stderr);
    });
  }

  it('Prometheus unreachable: exit 3', async () => {
    const port = await freePort();
    const r = await runCli([
      'check',
      `--config=${files.GOOD ?? ''}`,
      `--prometheus-url=http://127.0.0.1:${port}`,
    ]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /Prometheus is unreachable/);
  });

  it('--help names the commands and the exit codes', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /metrics-adapter check --config FILE/);
    assert.match(r.stdout, /metrics-adapter explain --config FILE/);
    assert.match(
      r.stdout,
      /3 Prometheus \(or the cluster of\s*--kubeconfig, or the adapter of\s*--adapter-url\) unreachable/,
    );
    assert.match(r.stdout, /metrics-adapter explain pod NAMESPACE\/NAME \| node NAME \[--adapter-url URL\]/);
    assert.match(r.stdout, /--strict/);
  });
});

/**
 * `check` without Prometheus: what the file alone tells (duplicate metric names, resource typos),
 * warnings next to errors, and a file that is not YAML reported with its error only. Calls
 * checkRulesFile directly (no child process, no Prometheus).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkRulesFile, renderCheckText, type CheckReport } from '../../src/cli/rule-tools/index.js';
import { formatDiagnostic } from '../../src/config/rules-file.js';
import { BUILTIN_RESOURCES, ResourceIndex } from '../../src/kube/index.js';

const DUPLICATES = `rules:
  - seriesQuery: 'queue_depth{namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__=~"backlog_.*",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    name: {as: "queue_depth"}
    metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__="queue_depth",node!=""}'
    resources: {overrides: {node: {resource: node}}}
    metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__=~"http_.*",pod!=""}'
    resources: {overrides: {pod: {resource: pod}}}
    name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: {namespaced: false}
    name: {as: "jobs"}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
  - seriesQuery: '{__name__="jobs_running",queue!=""}'
    resources: {namespaced: false}
    name: {as: "jobs"}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const ERRORS_AND_WARNINGS = `rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pdo}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
  - seriesQuery: '{__name__="broken",pod!=""}'
    resources: {overrides: {pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupByy>>)'
  - seriesQuery: '{__name__="gadgets",namespace!="",gadget!=""}'
    resources: {overrides: {namespace: {resource: namespace}, gadget: {group: example.com, resource: gadget}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const NOT_YAML = `rules:
  - seriesQuery: '{__name__="queue_depth",pod!=""}'
    resources: {overrides: {pod: {resource: pod}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

const ONE_RULE = `rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",queue!=""}'
    resources: {namespaced: false}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

const RESOURCE_RULES_TYPO = `resourceRules:
  cpu:
    containerQuery: 'sum(rate(c{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    nodeQuery: 'sum(rate(n{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
    resources:
      overrides:
        node: {resource: nodes}
        namespace: {resource: namespace}
        pod: {resource: pods}
    containerLabel: container
  memory:
    containerQuery: 'sum(c{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    nodeQuery: 'sum(n{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
    resources:
      overrides:
        node: {resource: node}
        namespace: {resource: namespace}
        pod: {resource: podd}
    containerLabel: container
`;

describe('check without Prometheus', () => {
  let dir: string;
  const check = async (name: string, text: string): Promise<{ r: CheckReport; lines: string[] }> => {
    const file = join(dir, name);
    await writeFile(file, text);
    const r = await checkRulesFile({
      file,
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      resourcesFrom: 'builtin',
      maxAgeMs: 60_000,
    });
    return { r, lines: r.diagnostics.map(formatDiagnostic) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'check-static-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('two rules yielding the same metric name, two externalRules sharing a name: warnings naming both', async () => {
    const { r, lines } = await check('dup.yaml', DUPLICATES);
    assert.equal(r.errors, 0);
    const dup = lines.filter((l) => l.includes('and so does'));
    assert.deepEqual(dup, [
      `${join(dir, 'dup.yaml')}:2:5: warning: rules[0]: yields metric queue_depth, and so does rules[1] (${join(dir, 'dup.yaml')}:5:5): the server uses rules[1] on namespaces, pods and ignores this rule there (the later rule replaces the earlier one, as in prometheus-adapter)`,
      `${join(dir, 'dup.yaml')}:17:5: warning: externalRules[0]: yields external metric jobs, and so does externalRules[1] (${join(dir, 'dup.yaml')}:21:5): the server uses externalRules[1] and ignores this rule there (the later rule replaces the earlier one, as in prometheus-adapter)`,
    ]);
    // rules[2] yields queue_depth too, but for nodes only: no collision. rules[3]'s names depend on the series.
    assert.equal(r.warnings, 2);
  });

  it('errors do not hide warnings; a misspelled resource is an error at its value, with the one meant', async () => {
    const { r, lines } = await check('mixed.yaml', ERRORS_AND_WARNINGS);
    const f = join(dir, 'mixed.yaml');
    assert.deepEqual(lines, [
      // The value `pdo` on line 6, column 25.
      `${f}:6:25: error: rules[0].resources.overrides.pod.resource: "pdo" is not a Kubernetes resource — did you mean pod? (a custom resource of that name is checked against the cluster with --kubeconfig)`,
      `${f}:10:63: error: rules[1].metricsQuery: field .GroupByy does not exist (at column 44 of the template); valid fields: .Series, .LabelMatchers, .LabelValuesByName, .GroupBy, .GroupBySlice — did you mean .GroupBy?`,
      // A resource close to no known one stays a warning (it may be a custom resource).
      `${f}:11:5: warning: rules[2]: resources.overrides.gadget: "gadget.example.com" is not a standard Kubernetes resource; it must be served by the cluster (give --kubeconfig to check against it)`,
      // The external rule compiled: its warning is reported next to the errors.
      `${f}:15:5: warning: externalRules[0]: no label maps to namespaces, but the rule is namespaced (the default): a request cannot restrict the series to its namespace and fails; map one (overrides: {namespace: {resource: namespace}}) or set resources.namespaced: false`,
    ]);
    assert.equal(r.errors, 2);
    assert.equal(r.warnings, 2);
    const text = renderCheckText(r);
    assert.match(text, /^not checked: rules\[1\]: beyond the errors reported, as they did not compile$/m);
    assert.match(text, /^not checked: series discovery: the file has errors/m);
    assert.doesNotMatch(text, /nothing else was checked/);
    assert.match(text, /^2 errors, 2 warnings$/m);
  });

  it('a misspelled resource in resourceRules: an error at its value, with the one meant', async () => {
    const { r, lines } = await check('usage.yaml', RESOURCE_RULES_TYPO);
    assert.ok(
      lines.includes(
        `${join(dir, 'usage.yaml')}:18:25: error: resourceRules.memory.resources.overrides.pod.resource: "podd" is not a Kubernetes resource — did you mean pod?`,
      ),
      lines.join('\n'),
    );
    assert.equal(r.errors, 1);
  });

  it('a YAML syntax error: the error and nothing before it', async () => {
    const { r } = await check('bad.yaml', NOT_YAML);
    const text = renderCheckText(r);
    assert.equal(r.unparsable, true);
    assert.match(text, /^\S*bad\.yaml:\d+:\d+: error: YAML syntax: .+\n$/);
    assert.equal(text.split('\n').length, 2, text);
  });

  it('counts are singular for one', async () => {
    const { r } = await check('one.yaml', ONE_RULE);
    const text = renderCheckText(r);
    assert.match(text, /one\.yaml: 1 rule, 1 external rule\n/);
    const r2 = {
      ...r,
      rules: [{ ...r.rules[0]!, discovery: { series: 2, seriesNames: 1, keptNames: 1 } }],
    };
    assert.match(renderCheckText(r2), /^ {2}2 series, 1 series name, 1 kept by the filters$/m);
    assert.match(text, /^0 errors, 0 warnings$/m);
  });
});

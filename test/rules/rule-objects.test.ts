/**
 * Rule objects: a ClusterMetricRule compiles to what the same rule in a rules file compiles to, a
 * MetricRule is kept to its namespace, and every bad object is its diagnostics (object field path,
 * line:col from YAML text) and no rule, alone among good ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic, parseRulesText } from '../../src/config/rules-file.js';
import { compileRules, type CompiledRule } from '../../src/rules/index.js';
import {
  compileRuleObject,
  compileRuleObjectsText,
  readRuleObjectSources,
  type RuleObjectResult,
} from '../../src/rules/rule-objects.js';
import { mapper } from './fixtures.js';

const API = 'apiVersion: metrics-adapter.io/v1alpha1';

const RULE = [
  `seriesQuery: '{__name__=~"^http_.*",namespace!="",pod!=""}'`,
  'seriesFilters:',
  '- isNot: "^http_debug_.*"',
  'resources:',
  '  overrides:',
  '    namespace: {resource: namespace}',
  '    pod: {resource: pod}',
  'name:',
  '  matches: "^(.*)_total$"',
  '  as: "${1}_per_second"',
  `metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'`,
].join('\n');

const EXTERNAL = [
  `seriesQuery: '{__name__="queue_depth",queue!=""}'`,
  'resources:',
  '  overrides:',
  '    namespace: {resource: namespace}',
  '  namespaced: false',
  `metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (queue)'`,
  'labelValueReplacements:',
  '- {find: "-", replace: "_"}',
].join('\n');

const RESOURCE_RULES = [
  'cpu:',
  `  containerQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'`,
  `  nodeQuery: 'sum(rate(node_cpu_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'`,
  '  resources:',
  '    overrides:',
  '      namespace: {resource: namespace}',
  '      pod: {resource: pod}',
  '      instance: {resource: node}',
  '  containerLabel: container',
  'memory:',
  `  containerQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'`,
  `  nodeQuery: 'sum(node_memory_MemTotal_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'`,
  '  resources:',
  '    template: "<<.Resource>>"',
  'window: 3m',
].join('\n');

const TENANT_RULE = [
  `seriesQuery: '{__name__=~"^http_.*",pod!=""}'`,
  'resources:',
  '  overrides:',
  '    pod: {resource: pod}',
  `metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'`,
].join('\n');

const indent = (text: string, by: number): string =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(by)}${l}`)
    .join('\n');

/** A whole object: `spec` is the text under `spec:`. */
function objectYaml(kind: string, spec: string, metadata = 'name: sample'): string {
  return `${API}\nkind: ${kind}\nmetadata:\n${indent(metadata, 2)}\nspec:\n${indent(spec, 2)}\n`;
}

const clusterObject = (spec: string): string => objectYaml('ClusterMetricRule', spec);
const tenantObject = (spec: string): string =>
  objectYaml('MetricRule', spec, 'name: sample\nnamespace: team-a');
const under = (key: string, body: string): string => `${key}:\n${indent(body, 2)}`;

function compileOne(text: string): RuleObjectResult {
  const results = compileRuleObjectsText(text, 'objects.yaml', { mapper });
  assert.equal(results.length, 1);
  return results[0] as RuleObjectResult;
}

/** What a compiled rule is, without where it was written. */
function essence(rule: CompiledRule | undefined): unknown {
  assert.ok(rule !== undefined);
  const { path: _path, at: _at, metricsQuerySource, ...rest } = rule;
  return { ...rest, metricsQuery: metricsQuerySource.value };
}

function fileRules(text: string): ReturnType<typeof compileRules> {
  const parsed = parseRulesText(text, 'rules.yaml');
  const out = compileRules(parsed.config, parsed.diagnostics);
  assert.deepEqual(out.diagnostics.map(formatDiagnostic), []);
  return out;
}

describe('rule objects: a ClusterMetricRule compiles as the rules file does', () => {
  it('spec.rule is a rules entry', () => {
    const got = compileOne(clusterObject(under('rule', RULE)));
    assert.deepEqual(got.diagnostics, []);
    const want = fileRules(`rules:\n- ${indent(RULE, 2).trimStart()}\n`);
    assert.ok(got.rules !== undefined);
    assert.equal(got.rules.custom.length, 1);
    assert.deepEqual(essence(got.rules.custom[0]), essence(want.rules?.custom[0]));
    assert.equal(got.rules.custom[0]?.path, 'ClusterMetricRule sample spec.rule');
    assert.deepEqual(got.rules.external, []);
    assert.equal(got.rules.custom[0].tenant, undefined);
  });

  it('spec.externalRule is an externalRules entry', () => {
    const got = compileOne(clusterObject(under('externalRule', EXTERNAL)));
    assert.deepEqual(got.diagnostics, []);
    const want = fileRules(`externalRules:\n- ${indent(EXTERNAL, 2).trimStart()}\n`);
    assert.ok(got.rules !== undefined);
    assert.equal(got.rules.external.length, 1);
    assert.deepEqual(essence(got.rules.external[0]), essence(want.rules?.external[0]));
    assert.equal(got.rules.external[0]?.namespaced, false);
    assert.deepEqual(got.rules.custom, []);
  });

  it('spec.resourceRules is the resourceRules block', () => {
    const got = compileOne(clusterObject(under('resourceRules', RESOURCE_RULES)));
    assert.deepEqual(got.diagnostics, []);
    const want = fileRules(under('resourceRules', RESOURCE_RULES));
    const strip = (r: typeof want.usable.resource): unknown => ({
      ...r,
      cpu: { ...r?.cpu, path: '' },
      memory: { ...r?.memory, path: '' },
    });
    assert.ok(got.rules?.resource !== undefined);
    assert.deepEqual(strip(got.rules.resource), strip(want.usable.resource));
    assert.equal(got.rules.resource.cpu.path, 'spec.resourceRules.cpu');
    assert.equal(got.rules.resourceRules?.path, 'spec.resourceRules');
  });

  it('an object from the API (a value, no text) compiles the same, and its errors have no line:col', () => {
    const value = {
      apiVersion: 'metrics-adapter.io/v1alpha1',
      kind: 'ClusterMetricRule',
      metadata: { name: 'sample', uid: 'u-1', generation: 3, resourceVersion: '7', labels: { a: 'b' } },
      spec: {
        rule: {
          seriesQuery: 'up',
          resources: { template: '<<.Resource>>' },
          metricsQuery: 'sum(<<.Series>>)',
        },
      },
      status: {},
    };
    const got = compileRuleObject(value, { mapper });
    assert.deepEqual(got.diagnostics, []);
    assert.deepEqual(got.ref, { kind: 'ClusterMetricRule', name: 'sample', generation: 3, uid: 'u-1' });
    const want = fileRules(
      "rules:\n- seriesQuery: up\n  resources: {template: '<<.Resource>>'}\n  metricsQuery: 'sum(<<.Series>>)'\n",
    );
    assert.deepEqual(essence(got.rules?.custom[0]), essence(want.rules?.custom[0]));
    const bad = compileRuleObject({
      ...value,
      spec: { rule: { ...value.spec.rule, metricsQuery: 'sum(<<.Seris>>)' } },
    });
    assert.deepEqual(bad.diagnostics.map(formatDiagnostic), [
      'ClusterMetricRule sample: error: spec.rule.metricsQuery: field .Seris does not exist (at column 7 of the template); valid fields: .Series, .LabelMatchers, .LabelValuesByName, .GroupBy, .GroupBySlice — did you mean .Series?',
    ]);
  });
});

describe('rule objects: a MetricRule is kept to its namespace', () => {
  it('compiles with its tenant, a confined seriesQuery, and only namespaced resources', () => {
    const got = compileOne(tenantObject(under('rule', TENANT_RULE)));
    assert.deepEqual(got.diagnostics, []);
    const rule = got.rules?.custom[0];
    assert.ok(rule !== undefined);
    assert.equal(rule.tenant, 'team-a');
    assert.equal(rule.seriesQuery, '{__name__=~"^http_.*",pod!="",namespace="team-a"}');
    assert.equal(rule.path, 'MetricRule team-a/sample spec.rule');
    assert.equal(rule.association.namespaceLabel(mapper), 'namespace');
    const seen = rule.association.resourcesForLabels(['namespace', 'pod', 'node'], mapper);
    assert.deepEqual(
      seen.resources.map((r) => r.info.resource),
      ['pods'],
    );
    assert.equal(seen.namespaced, true);
  });

  it('an external rule compiles with its tenant, namespaced', () => {
    const external = TENANT_RULE.replace('  overrides:\n    pod: {resource: pod}', '  namespaced: true');
    const got = compileOne(tenantObject(under('externalRule', external)));
    assert.deepEqual(got.diagnostics, []);
    const rule = got.rules?.external[0];
    assert.ok(rule !== undefined);
    assert.equal(rule.tenant, 'team-a');
    assert.equal(rule.namespaced, true);
  });
});

describe('rule objects: refused, with the field path, line:col and why', () => {
  const cases: { name: string; yaml: string; want: RegExp }[] = [
    {
      name: 'rule and externalRule both set',
      yaml: clusterObject(`${under('rule', RULE)}\n${under('externalRule', EXTERNAL)}`),
      want: /^objects\.yaml:\d+:3: error: spec: has rule and externalRule: give exactly one/,
    },
    {
      name: 'none set',
      yaml: clusterObject('{}'),
      want: /^objects\.yaml:6:3: error: spec: needs one of rule, externalRule, resourceRules/,
    },
    {
      name: 'no spec at all',
      yaml: `${API}\nkind: ClusterMetricRule\nmetadata: {name: a}\n`,
      want: /^objects\.yaml:1:1: error: spec: is required/,
    },
    {
      name: 'resourceRules in a MetricRule',
      yaml: tenantObject(under('resourceRules', RESOURCE_RULES)),
      want: /^objects\.yaml:7:3: error: spec\.resourceRules: resourceRules answer metrics\.k8s\.io .*only a ClusterMetricRule/,
    },
    {
      name: 'namespaced: false in a MetricRule',
      yaml: tenantObject(
        under(
          'externalRule',
          `${TENANT_RULE}\nresources:\n  namespaced: false`.replace(
            /resources:\n {2}overrides:\n {4}pod: \{resource: pod\}\n/,
            '',
          ),
        ),
      ),
      want: /^objects\.yaml:\d+:\d+: error: spec\.externalRule\.resources\.namespaced: a MetricRule serves only namespace "team-a": namespaced: false/,
    },
    {
      name: 'override to node',
      yaml: tenantObject(
        under(
          'rule',
          TENANT_RULE.replace('pod: {resource: pod}', 'pod: {resource: pod}\n    instance: {resource: node}'),
        ),
      ),
      want: /^objects\.yaml:12:9: error: spec\.rule\.resources\.overrides\.instance: maps label "instance" to nodes, which are cluster-scoped: a MetricRule in namespace "team-a" serves only objects in that namespace/,
    },
    {
      name: 'override to namespace',
      yaml: tenantObject(
        under(
          'rule',
          TENANT_RULE.replace(
            'pod: {resource: pod}',
            'namespace: {resource: namespace}\n    pod: {resource: pod}',
          ),
        ),
      ),
      want: /spec\.rule\.resources\.overrides\.namespace: maps label "namespace" to namespaces, which are cluster-scoped: .*whose label is always "namespace": remove this override/,
    },
    {
      name: 'template mapping to the namespace resource',
      yaml: tenantObject(
        under(
          'rule',
          TENANT_RULE.replace('overrides:\n    pod: {resource: pod}', 'template: "<<.Resource>>"'),
        ),
      ),
      want: /^objects\.yaml:10:17: error: spec\.rule\.resources\.template: maps labels to cluster-scoped resources \("namespace" to namespaces, "node" to nodes, "persistentvolume" to persistentvolumes\)/,
    },
    {
      name: 'seriesQuery reading another namespace',
      yaml: tenantObject(under('rule', TENANT_RULE.replace('pod!=""', 'pod!="",namespace="team-b"'))),
      want: /^objects\.yaml:8:19: error: spec\.rule\.seriesQuery: cannot be kept to namespace "team-a": selector at 0-49 asks for namespace="team-b"/,
    },
    {
      name: 'metricsQuery with label_replace writing namespace',
      yaml: tenantObject(
        under(
          'rule',
          TENANT_RULE.replace(
            /metricsQuery: .*/,
            `metricsQuery: 'label_replace(sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>), "namespace", "x", "", "")'`,
          ),
        ),
      ),
      want: /^objects\.yaml:12:19: error: spec\.rule\.metricsQuery: cannot be kept to namespace "team-a": label_replace .* writes the namespace label.*Rendered with sample arguments: label_replace\(sum\(sample_series_total\{.*namespace="team-a"/,
    },
    {
      name: 'metricsQuery reading another namespace’s series',
      yaml: tenantObject(
        under(
          'rule',
          TENANT_RULE.replace(
            /metricsQuery: .*/,
            `metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) / on() group_left sum(x{namespace="kube-system"})'`,
          ),
        ),
      ),
      want: /spec\.rule\.metricsQuery: cannot be kept to namespace "team-a": selector at .* asks for namespace="kube-system"/,
    },
    {
      name: 'unknown key in spec, with did-you-mean',
      yaml: clusterObject(`${under('rule', RULE)}\nexternalRul: {}`),
      want: /^objects\.yaml:18:3: error: spec: unknown key "externalRul": did you mean "externalRule"\? allowed keys: rule, externalRule, resourceRules$/,
    },
    {
      name: 'unknown key in the rule, with did-you-mean',
      yaml: clusterObject(under('rule', RULE.replace('seriesFilters:', 'seriesFilter:'))),
      want: /^objects\.yaml:8:5: error: spec\.rule: unknown key "seriesFilter": did you mean "seriesFilters"\?/,
    },
    {
      name: 'bad template field',
      yaml: clusterObject(under('rule', RULE.replace('by (<<.GroupBy>>)', 'by (<<.GroupByy>>)'))),
      want: /^objects\.yaml:17:73: error: spec\.rule\.metricsQuery: field \.GroupByy does not exist .*did you mean \.GroupBy\?$/,
    },
    {
      name: 'bad regex placed inside the string',
      yaml: clusterObject(under('rule', RULE.replace('"^(.*)_total$"', '"^(.*_total$"'))),
      want: /^objects\.yaml:15:18: error: spec\.rule\.name\.matches: invalid regular expression/,
    },
    {
      name: 'wrong apiVersion',
      yaml: clusterObject(under('rule', RULE)).replace(
        'metrics-adapter.io/v1alpha1',
        'metrics-adapter.io/v1',
      ),
      want: /^objects\.yaml:1:13: error: apiVersion: "metrics-adapter\.io\/v1" is not served: the version served is v1alpha1/,
    },
    {
      name: 'wrong kind',
      yaml: objectYaml('ClusterMetricsRule', under('rule', RULE)),
      want: /^objects\.yaml:2:7: error: kind: "ClusterMetricsRule" is not a rule object: did you mean "ClusterMetricRule"\?/,
    },
    {
      name: 'missing metadata.name',
      yaml: objectYaml('ClusterMetricRule', under('rule', RULE), 'labels: {a: b}'),
      want: /^objects\.yaml:4:3: error: metadata\.name: is required$/,
    },
    {
      name: 'MetricRule without namespace',
      yaml: objectYaml('MetricRule', under('rule', TENANT_RULE)),
      want: /^objects\.yaml:4:3: error: metadata\.namespace: a MetricRule belongs to a namespace/,
    },
    {
      name: 'YAML syntax error',
      yaml: `${API}\nkind: MetricRule\nmetadata: {name: a\nspec: {}\n`,
      want: /^objects\.yaml:\d+:\d+: error: YAML syntax: /,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = compileOne(c.yaml);
      const lines = got.diagnostics.map(formatDiagnostic);
      assert.equal(got.rules, undefined, lines.join('\n'));
      assert.ok(
        lines.some((l) => c.want.test(l)),
        `no diagnostic matches ${String(c.want)}:\n${lines.join('\n')}`,
      );
    });
  }

  it('the YAML syntax error is placed at its line:col', () => {
    const got = compileOne(`${API}\nkind: MetricRule\nspec: [a\n`);
    assert.match(formatDiagnostic(got.diagnostics[0] as never), /^objects\.yaml:4:1: error: YAML syntax: /);
  });
});

describe('rule objects: several in one YAML text', () => {
  const good = (name: string): string =>
    objectYaml('ClusterMetricRule', under('rule', RULE), `name: ${name}`);
  const bad = objectYaml('MetricRule', under('rule', TENANT_RULE), 'name: bad');

  it('a bad document among good ones is refused alone', () => {
    const text = `${good('one')}---\n${bad}---\n${good('three')}---\n`;
    const got = compileRuleObjectsText(text, 'objects.yaml', { mapper });
    assert.deepEqual(
      got.map((r) => [r.ref.name, r.rules === undefined]),
      [
        ['one', false],
        ['bad', true],
        ['three', false],
      ],
    );
    assert.match(
      formatDiagnostic(got[1]?.diagnostics[0] as never),
      /^objects\.yaml:22:3: error: metadata\.namespace: /,
    );
  });

  it('a document that is not YAML does not hide the ones after it', () => {
    const text = `${good('one')}---\nkind: [\n---\n${good('three')}`;
    const got = compileRuleObjectsText(text, 'objects.yaml', { mapper });
    assert.deepEqual(
      got.map((r) => [r.ref.name, r.rules === undefined]),
      [
        ['one', false],
        [undefined, true],
        ['three', false],
      ],
    );
  });

  it('a List holds objects, each with its own positions', () => {
    const item = (object: string): string => `- ${indent(object.trimEnd(), 2).trimStart()}\n`;
    const text = `apiVersion: v1\nkind: List\nitems:\n${item(good('one'))}${item(bad)}`;
    const sources = readRuleObjectSources(text, 'list.yaml');
    assert.deepEqual(
      sources.map((s) => s.at.line),
      [4, 21],
    );
    const got = compileRuleObjectsText(text, 'list.yaml', { mapper });
    assert.deepEqual(
      got.map((r) => [r.ref.name, r.rules === undefined]),
      [
        ['one', false],
        ['bad', true],
      ],
    );
    assert.match(
      formatDiagnostic(got[1]?.diagnostics[0] as never),
      /^list\.yaml:24:5: error: metadata\.namespace: /,
    );
  });
});

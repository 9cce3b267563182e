import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic, locateInString, parseRulesText } from '../../src/config/rules-file.js';

const FILE = 'rules.yaml';

function diagnostics(text: string): string[] {
  return parseRulesText(text, FILE).diagnostics.map(formatDiagnostic);
}

describe('parseRulesText: shape errors with file:line:col', () => {
  const cases: { name: string; text: string; want: RegExp[] }[] = [
    {
      name: 'unknown top-level key with a suggestion',
      text: 'rule:\n  - seriesQuery: x\n',
      want: [/^rules\.yaml:1:1: error: unknown key "rule": did you mean "rules"\?/],
    },
    {
      name: 'unknown rule key',
      text: 'rules:\n  - seriesQuery: up\n    metricQuery: x\n',
      want: [/^rules\.yaml:3:5: error: rules\[0\]: unknown key "metricQuery": did you mean "metricsQuery"\?/],
    },
    {
      name: 'unknown name key',
      text: 'rules:\n  - name:\n      matchs: x\n',
      want: [/^rules\.yaml:3:7: error: rules\[0\]\.name: unknown key "matchs": did you mean "matches"\?/],
    },
    {
      name: 'rules must be a list',
      text: 'rules:\n  seriesQuery: up\n',
      want: [/^rules\.yaml:2:3: error: rules: must be a list/],
    },
    {
      name: 'override without resource',
      text: 'rules:\n  - resources:\n      overrides:\n        pod: {group: ""}\n',
      want: [/^rules\.yaml:4:9: error: rules\[0\]\.resources\.overrides\.pod: needs a "resource"/],
    },
    {
      name: 'namespaced only matters in externalRules',
      text: 'rules:\n  - resources:\n      namespaced: false\n',
      want: [
        /rules\.yaml:3:7: warning: rules\[0\]\.resources\.namespaced: has no effect outside externalRules/,
      ],
    },
    {
      name: 'filter with a typo',
      text: 'rules:\n  - seriesFilters:\n      - isnot: x\n',
      want: [
        /rules\.yaml:3:9: error: rules\[0\]\.seriesFilters\[0\]: unknown key "isnot": did you mean "isNot"\?/,
      ],
    },
    {
      name: 'YAML syntax error',
      text: 'rules:\n  - seriesQuery: "unterminated\n',
      want: [/^rules\.yaml:\d+:\d+: error: YAML syntax:/],
    },
    {
      name: 'duplicate keys',
      text: 'rules:\n  - seriesQuery: a\n    seriesQuery: b\n',
      want: [/^rules\.yaml:3:5: error: YAML syntax: Map keys must be unique/],
    },
    {
      name: 'a string where a mapping is expected',
      text: 'rules:\n  - name: "x"\n',
      want: [/rules\.yaml:2:11: error: rules\[0\]\.name: must be a mapping/],
    },
    {
      name: 'empty file warns',
      text: '',
      want: [/^rules\.yaml:1:1: warning: the file is empty/],
    },
    {
      name: 'no rules warns',
      text: 'rules: []\n',
      want: [/warning: no rules, externalRules or resourceRules/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = diagnostics(c.text);
      assert.equal(got.length, c.want.length, got.join('\n'));
      c.want.forEach((re, i) => assert.match(got[i] ?? '', re));
    });
  }
});

describe('parseRulesText: values', () => {
  it('reads a complete prometheus-adapter rule', () => {
    const text = [
      'rules:',
      '- seriesQuery: \'{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}\'',
      '  seriesFilters:',
      '  - isNot: ^container_.*_seconds_total$',
      '  resources:',
      '    overrides:',
      '      namespace: {resource: "namespace"}',
      '      pod: {resource: "pod"}',
      '      deployment: {group: apps, resource: deployment}',
      '  name:',
      '    matches: ^container_(.*)_total$',
      '    as: ""',
      '  metricsQuery: |',
      '    sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[1m]))',
      '      by (<<.GroupBy>>)',
      'externalRules:',
      '- seriesQuery: \'queue_depth{queue!=""}\'',
      '  resources:',
      '    namespaced: false',
      '  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>})',
      'resourceRules:',
      '  window: 3m',
      '  cpu:',
      '    containerQuery: x',
      '    nodeQuery: y',
      '    resources: {overrides: {node: {resource: node}}}',
      '    containerLabel: container',
      '',
    ].join('\n');
    const { config, diagnostics } = parseRulesText(text, FILE);
    assert.deepEqual(diagnostics, []);
    const r = config.rules[0];
    assert.ok(r);
    assert.equal(r.seriesQuery?.value, '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}');
    assert.equal(r.seriesFilters[0]?.isNot?.value, '^container_.*_seconds_total$');
    assert.deepEqual(
      r.resources.overrides.map((o) => [o.label, o.group, o.resource]),
      [
        ['namespace', '', 'namespace'],
        ['pod', '', 'pod'],
        ['deployment', 'apps', 'deployment'],
      ],
    );
    assert.equal(r.name.matches?.value, '^container_(.*)_total$');
    assert.equal(r.name.as?.value, '');
    assert.equal(
      r.metricsQuery?.value,
      'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[1m]))\n  by (<<.GroupBy>>)\n',
    );
    assert.deepEqual(r.metricsQuery.content, { style: 'block', line: 14, column: 5 });
    assert.equal(config.externalRules[0]?.resources.namespaced?.value, false);
    assert.equal(config.resourceRules?.window?.value, '3m');
    const cpu = config.resourceRules.cpu;
    assert.ok(cpu);
    assert.equal(cpu.containerLabel === undefined ? undefined : cpu.containerLabel.value, 'container');
  });

  it('places positions inside strings', () => {
    const { config } = parseRulesText(
      'rules:\n- metricsQuery: "sum(<<.X>>)"\n  name:\n    matches: \'a(\'\n',
      FILE,
    );
    const mq = config.rules[0]?.metricsQuery;
    assert.ok(mq);
    assert.deepEqual(locateInString(mq, 1, 5), { file: FILE, line: 2, column: 22 });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileYaml, ruleYaml } from './fixtures.js';

describe('compileRules: errors carry file:line:col and what to do', () => {
  const cases: { name: string; yaml: string; want: RegExp[] }[] = [
    {
      name: 'bad name regex',
      yaml: ruleYaml({ name: 'matches: "^(http_.*"' }),
      // Line 8 is `    matches: "^(http_.*"`; column 16 is the unclosed "(".
      want: [
        /^rules\.yaml:8:16: error: rules\[0\]\.name\.matches: invalid regular expression "\^\(http_\.\*": .*missing closing \)/,
      ],
    },
    {
      name: 'several capture groups without as',
      yaml: ruleYaml({ name: 'matches: "^(http)_(.*)$"' }),
      want: [/error: rules\[0\]\.name: name\.matches has 2 capture groups: give name\.as/],
    },
    {
      name: 'bad filter regex',
      yaml: ruleYaml({ filters: '- isNot: "[a-"' }),
      want: [/^rules\.yaml:4:13: error: rules\[0\]\.seriesFilters\[0\]\.isNot: invalid regular expression/],
    },
    {
      name: 'filter with both is and isNot',
      yaml: ruleYaml({ filters: '- is: a\n  isNot: b' }),
      want: [/error: rules\[0\]\.seriesFilters\[0\]: a filter needs exactly one of "is" or "isNot"/],
    },
    {
      name: 'template syntax error placed inside the string',
      yaml: ruleYaml({ metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>' }),
      // Column 61 is the lone ">" that should have been ">>".
      want: [
        /^rules\.yaml:7:61: error: rules\[0\]\.metricsQuery: template error: template: metrics-query:1:43: bad character U\+003E '>'/,
      ],
    },
    {
      name: 'template that uses an unknown field: the field, the valid ones, the one meant',
      yaml: ruleYaml({ metricsQuery: 'sum(<<.Serie>>{<<.LabelMatchers>>})' }),
      // Line 7 holds metricsQuery; its text starts at column 18, `.Serie` is column 7 of it.
      want: [
        /^rules\.yaml:7:24: error: rules\[0\]\.metricsQuery: field \.Serie does not exist \(at column 7 of the template\); valid fields: \.Series, \.LabelMatchers, \.LabelValuesByName, \.GroupBy, \.GroupBySlice — did you mean \.Series\?$/,
      ],
    },
    {
      name: 'the issue’s .GroupByy',
      yaml: ruleYaml({ metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupByy>>)' }),
      want: [/rules\[0\]\.metricsQuery: field \.GroupByy does not exist .*— did you mean \.GroupBy\?$/],
    },
    {
      name: 'an unknown field close to none: the valid fields, no guess',
      yaml: ruleYaml({ metricsQuery: 'sum(<<.Whatever>>)' }),
      want: [
        /field \.Whatever does not exist \(at column 7 of the template\); valid fields: \.Series, [^—]*$/,
      ],
    },
    {
      name: 'resources.template with an unknown field: the label template’s fields',
      yaml: ruleYaml({ resources: 'template: "<<.Resorce>>"' }),
      want: [
        /error: rules\[0\]\.resources\.template: field \.Resorce does not exist \(at column 3 of the template\); valid fields: \.Group, \.Resource — did you mean \.Resource\?/,
      ],
    },
    {
      name: 'another execution error: the position and the node, in words',
      yaml: ruleYaml({ metricsQuery: 'sum(<<index .GroupBySlice 5>>)' }),
      want: [
        /error: rules\[0\]\.metricsQuery: template error at column 7 of the template, in <index \.GroupBySlice 5>: error calling index: .*out of range/,
      ],
    },
    {
      name: 'template that renders invalid PromQL',
      yaml: ruleYaml({ metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m]) by (<<.GroupBy>>)' }),
      want: [
        /error: rules\[0\]\.metricsQuery: renders invalid PromQL: .*Rendered with sample arguments: sum\(rate\(sample_series_total/,
      ],
    },
    {
      name: 'resources without overrides or template',
      yaml: 'rules:\n- seriesQuery: up\n  metricsQuery: sum(<<.Series>>)\n',
      want: [
        /^rules\.yaml:2:3: error: rules\[0\]\.resources: give resources\.overrides, resources\.template, or both/,
      ],
    },
    {
      name: 'template without .Resource',
      yaml: ruleYaml({ resources: 'template: "kube_<<.Group>>"' }),
      want: [/error: rules\[0\]\.resources\.template: the template must use <<\.Resource>>/],
    },
    {
      name: 'override label that is not a Prometheus label',
      yaml: ruleYaml({ resources: 'overrides:\n  "pod-name": {resource: pod}' }),
      want: [
        /error: rules\[0\]\.resources\.overrides\.pod-name: "pod-name" is not a valid Prometheus label name/,
      ],
    },
    {
      name: 'impossible resource name',
      yaml: ruleYaml({ resources: 'overrides:\n  pod: {resource: "pods/log"}' }),
      want: [
        /error: rules\[0\]\.resources\.overrides\.pod: resource "pods\/log" is not a Kubernetes resource name/,
      ],
    },
    {
      name: 'impossible group name',
      yaml: ruleYaml({ resources: 'overrides:\n  deployment: {group: "Apps!", resource: deployment}' }),
      want: [/error: rules\[0\]\.resources\.overrides\.deployment: group "Apps!" is not an API group name/],
    },
    {
      name: 'missing seriesQuery and metricsQuery',
      yaml: 'rules:\n- resources: {template: "<<.Resource>>"}\n',
      want: [/error: rules\[0\]: seriesQuery is required/, /error: rules\[0\]: metricsQuery is required/],
    },
    {
      name: 'seriesQuery that is not a selector',
      yaml: ruleYaml({ seriesQuery: 'sum(up)' }),
      want: [/error: rules\[0\]\.seriesQuery: not a series selector/],
    },
    {
      name: 'resourceRules window and queries',
      yaml: 'resourceRules:\n  window: 3 minutes\n  cpu:\n    containerQuery: "sum(<<.Nope>>)"\n',
      want: [
        /error: resourceRules\.window: invalid duration "3 minutes"/,
        /error: resourceRules\.cpu: nodeQuery is required/,
        /error: resourceRules\.cpu\.containerQuery: field \.Nope does not exist/,
        /error: resourceRules: memory is required/,
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { rules, diagnostics } = compileYaml(c.yaml);
      const errors = diagnostics.filter((d) => d.includes(': error: '));
      assert.equal(rules, undefined, 'an invalid file must not compile');
      for (const re of c.want)
        assert.ok(
          errors.some((e) => re.test(e)),
          `expected ${String(re)} in:\n${errors.join('\n')}`,
        );
    });
  }
});

describe('compileRules: accepted configurations', () => {
  it('defaults name.as to $0 or $1, and reports the window', () => {
    const { rules, diagnostics } = compileYaml(
      ruleYaml({ name: 'matches: "^(.*)_total$"' }) + ruleYaml({}).replace('rules:\n', ''),
    );
    assert.deepEqual(diagnostics, []);
    assert.equal(rules?.custom[0]?.nameAs, '$1');
    assert.equal(rules.custom[1]?.nameAs, '$0');
    assert.equal(rules.custom[0].windowSeconds, 120);
  });

  it('warns (not fails) when name.as refers to a group that does not exist', () => {
    const { rules, diagnostics } = compileYaml(
      ruleYaml({ name: 'matches: "^(.*)_total$"\nas: "${2}_rate"' }),
    );
    assert.ok(rules !== undefined);
    assert.match(
      diagnostics.join('\n'),
      /warning: rules\[0\]\.name\.as: refers to group \$2 but name\.matches has 1/,
    );
  });

  it('reads external rules with namespaced: false', () => {
    const { rules, diagnostics } = compileYaml(
      'externalRules:\n- seriesQuery: \'queue_depth{queue!=""}\'\n  resources:\n    namespaced: false\n  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)\n',
    );
    assert.deepEqual(diagnostics, []);
    assert.equal(rules?.external[0]?.namespaced, false);
  });
});

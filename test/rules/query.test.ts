import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { checkPromQL, parseLabelSelector, type Requirement } from '../../src/promql/index.js';
import { renderExternalQuery, renderObjectQuery, type ObjectQueryScope } from '../../src/rules/index.js';
import { ruleFrom, ruleYaml } from './fixtures.js';

const RATE = 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)';

function scope(over: Partial<ObjectQueryScope> = {}): ObjectQueryScope {
  return {
    seriesName: 'http_requests_total',
    resourceLabel: 'pod',
    names: ['web-1'],
    namespace: { label: 'namespace', value: 'default' },
    metricSelector: [],
    ...over,
  };
}

describe('renderObjectQuery: request → PromQL', () => {
  const cases: { name: string; template?: string; scope: ObjectQueryScope; want: string }[] = [
    {
      name: 'one pod',
      scope: scope(),
      want: 'sum(rate(http_requests_total{namespace="default",pod="web-1"}[2m])) by (pod)',
    },
    {
      name: 'several pods become an escaped alternation',
      scope: scope({ names: ['web-1', 'web-2', 'web.3'] }),
      want: 'sum(rate(http_requests_total{namespace="default",pod=~"web-1|web-2|web\\\\.3"}[2m])) by (pod)',
    },
    {
      name: 'metric label selector first, as prometheus-adapter orders them',
      scope: scope({ metricSelector: parseLabelSelector('verb=GET,code in (200,201),!debug,path') }),
      want: 'sum(rate(http_requests_total{code=~"200|201",debug="",path!="",verb="GET",namespace="default",pod="web-1"}[2m])) by (pod)',
    },
    {
      name: 'cluster-scoped object',
      scope: scope({ resourceLabel: 'node', names: ['node-a'], namespace: undefined }),
      want: 'sum(rate(http_requests_total{node="node-a"}[2m])) by (node)',
    },
    {
      name: 'GroupBySlice and LabelValuesByName',
      template:
        'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>) + on(<<.GroupBy>>) group_left count(x{namespace="<<index .LabelValuesByName "namespace">>",pod=~"<<index .LabelValuesByName "pod">>"}) by (pod)',
      scope: scope({ names: ['a', 'b'] }),
      want: 'sum(http_requests_total{namespace="default",pod=~"a|b"}) by (pod) + on(pod) group_left count(x{namespace="default",pod=~"a|b"}) by (pod)',
    },
    {
      name: 'join',
      template: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBySlice | join ",">>)',
      scope: scope(),
      want: 'sum(http_requests_total{namespace="default",pod="web-1"}) by (pod)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rule = ruleFrom(ruleYaml({ metricsQuery: c.template ?? RATE }));
      const q = renderObjectQuery(rule, c.scope);
      assert.equal(q, c.want);
      assert.deepEqual(checkPromQL(q), { ok: true });
    });
  }
});

/** The matchers of the one vector selector in `query`, as [name, op, value-token] triples. */
function matchers(query: string): string[][] {
  const out: string[][] = [];
  const tree = parser.parse(query);
  tree.iterate({
    enter: (n) => {
      if (n.name === 'UnquotedLabelMatcher') {
        const name = n.node.getChild('LabelName');
        const op = n.node.getChild('MatchOp');
        const value = n.node.getChild('StringLiteral');
        if (name && op && value)
          out.push([
            query.slice(name.from, name.to),
            query.slice(op.from, op.to),
            query.slice(value.from, value.to),
          ]);
      }
    },
  });
  return out;
}

describe('renderObjectQuery: hostile values cannot change the query', () => {
  const hostile = ['a"}or vector(1)#', 'x\\"} or up{', 'line\nbreak', 'a|b', '.*', '"', '\\', 'é💥', '}[5m]'];
  for (const value of hostile) {
    it(JSON.stringify(value), () => {
      const rule = ruleFrom(
        ruleYaml({ metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }),
      );
      const reqs: Requirement[] = [
        { key: 'verb', operator: '=', values: [value] },
        { key: 'code', operator: 'in', values: [value, 'ok'] },
      ];
      const q = renderObjectQuery(
        rule,
        scope({
          names: [value, `${value}-2`],
          namespace: { label: 'namespace', value },
          metricSelector: reqs,
        }),
      );
      assert.deepEqual(checkPromQL(q), { ok: true }, q);
      const m = matchers(q);
      assert.deepEqual(
        m.map(([n, op]) => `${n ?? ''}${op ?? ''}`),
        ['verb=', 'code=~', 'namespace=', 'pod=~'],
        `the query must keep exactly its four matchers: ${q}`,
      );
      // The parsed string values decode back to what was sent (regexes escape metacharacters).
      const decoded = m.map(
        ([, , v]) => JSON.parse((v ?? '""').replace(/\\x([0-9a-f]{2})/gi, '\\u00$1')) as string,
      );
      assert.equal(decoded[0], value);
      assert.equal(decoded[2], value);
      assert.ok(q.startsWith('sum(http_requests_total{') && q.endsWith('}) by (pod)'), q);
    });
  }
});

describe('renderExternalQuery', () => {
  it('adds the namespace and selector matchers, no object names', () => {
    const rule = ruleFrom(
      'externalRules:\n- seriesQuery: \'queue_depth{queue!=""}\'\n  resources:\n    overrides: {namespace: {resource: namespace}}\n  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)\n',
      'external',
    );
    const q = renderExternalQuery(rule, {
      seriesName: 'queue_depth',
      namespace: { label: 'namespace', value: 'jobs' },
      metricSelector: parseLabelSelector('queue=orders'),
    });
    assert.equal(q, 'sum(queue_depth{queue="orders",namespace="jobs"}) by (queue)');
  });
});

describe('renderObjectQuery: a template error at request time', () => {
  it('is a 500 InternalError naming the field, the valid fields and the one meant', () => {
    // The load-time check renders without an `app` selector, so the mistake only shows on a request.
    const rule = ruleFrom(
      ruleYaml({
        metricsQuery:
          'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<if .LabelValuesByName.app>><<.GroupBySlise>><<end>>)',
      }),
    );
    const selector = [{ key: 'app', operator: '=', values: ['web'] }] as Requirement[];
    assert.throws(
      () => renderObjectQuery(rule, scope({ metricSelector: selector })),
      (err: Error & { code?: number; reason?: string }) => {
        assert.equal(err.code, 500);
        assert.equal(err.reason, 'InternalError');
        assert.equal(
          err.message,
          'rules[0].metricsQuery could not be rendered: field .GroupBySlise does not exist (at column 73 of the template); valid fields: .Series, .LabelMatchers, .LabelValuesByName, .GroupBy, .GroupBySlice — did you mean .GroupBySlice?',
        );
        return true;
      },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confineToNamespace } from '../../src/promql/index.js';
import { confinementViolations, onlyInsertions } from './namespace-walker.js';

const N = 'team-a';
const INSERTED = [',namespace="team-a"', '{namespace="team-a"}', 'namespace="team-a"'];

/** Confines `query`, and when accepted checks the output independently and for idempotence. */
function confineChecked(query: string): ReturnType<typeof confineToNamespace> {
  const result = confineToNamespace(query, N);
  if (!result.ok) {
    assert.ok(
      result.from >= 0 && result.from <= result.to && result.to <= query.length,
      'span within the query',
    );
    assert.notEqual(result.reason, '');
    return result;
  }
  assert.deepEqual(confinementViolations(result.query, N), [], `output ${JSON.stringify(result.query)}`);
  assert.ok(
    onlyInsertions(query, result.query, INSERTED),
    `only insertions in ${JSON.stringify(result.query)}`,
  );
  assert.deepEqual(confineToNamespace(result.query, N), result, 'idempotent');
  return result;
}

describe('confineToNamespace: accepted queries', () => {
  const accepted: [string, string][] = [
    [
      'sum(rate(http_requests_total{namespace="team-a",pod=~"a|b"}[5m])) by (pod)',
      'sum(rate(http_requests_total{namespace="team-a",pod=~"a|b"}[5m])) by (pod)',
    ],
    [
      'sum(rate(http_requests_total{pod=~"a|b"}[5m])) by (pod)',
      'sum(rate(http_requests_total{pod=~"a|b",namespace="team-a"}[5m])) by (pod)',
    ],
    ['up', 'up{namespace="team-a"}'],
    ['{}', '{namespace="team-a"}'],
    ['x{a="b",}', 'x{a="b",namespace="team-a",}'],
    ['max_over_time(rate(x[1m])[10m:1m])', 'max_over_time(rate(x{namespace="team-a"}[1m])[10m:1m])'],
    ['a or b{job="j"}', 'a{namespace="team-a"} or b{job="j",namespace="team-a"}'],
    ['a unless on(pod) b', 'a{namespace="team-a"} unless on(pod) b{namespace="team-a"}'],
    ['rate(x[5m] offset 1h)', 'rate(x{namespace="team-a"}[5m] offset 1h)'],
    ['x @ end()', 'x{namespace="team-a"} @ end()'],
    [
      'label_replace(x, "svc", "$1", "pod", "(.*)-.*")',
      'label_replace(x{namespace="team-a"}, "svc", "$1", "pod", "(.*)-.*")',
    ],
    [
      'label_replace(x, "ns", "$1", "namespace", "(.*)")',
      'label_replace(x{namespace="team-a"}, "ns", "$1", "namespace", "(.*)")',
    ],
    ['absent(x{job="j"})', 'absent(x{job="j",namespace="team-a"})'],
    ['vector(1)', 'vector(1)'],
    ['time() - 5', 'time() - 5'],
    ['{__name__=~"http_.*"}', '{__name__=~"http_.*",namespace="team-a"}'],
    ['{"my.metric"}', '{"my.metric",namespace="team-a"}'],
    ['x # note\n+ y', 'x{namespace="team-a"} # note\n+ y{namespace="team-a"}'],
    ['x{a="b" # note\n}', 'x{a="b",namespace="team-a" # note\n}'],
    [
      'x * on(pod) group_left(node) kube_pod_info',
      'x{namespace="team-a"} * on(pod) group_left(node) kube_pod_info{namespace="team-a"}',
    ],
    ["x{namespace='team-a'}", "x{namespace='team-a'}"],
    ['x{"namespace"="team-a"}', 'x{"namespace"="team-a"}'],
    // Escapes are read as Prometheus reads them: this is namespace "team-a".
    ['x{namespace="team-\\u0061"}', 'x{namespace="team-\\u0061"}'],
    ['count_values("value", x)', 'count_values("value", x{namespace="team-a"})'],
  ];
  for (const [query, expected] of accepted) {
    it(JSON.stringify(query), () => {
      assert.deepEqual(confineChecked(query), { ok: true, query: expected });
    });
  }

  it('escapes the namespace and rejects a namespace that is not a Kubernetes name', () => {
    assert.deepEqual(confineToNamespace('up', 'a-1'), { ok: true, query: 'up{namespace="a-1"}' });
    for (const bad of ['', 'Team', 'a"b', 'a'.repeat(64), '-a', 'a\n'])
      assert.throws(() => confineToNamespace('up', bad), /invalid namespace name/);
  });

  it('says why, with the span of the offending selector', () => {
    const query = 'sum(x) + sum(rate(y{namespace!="kube-system"}[5m]))';
    assert.deepEqual(confineToNamespace(query, N), {
      ok: false,
      reason:
        'selector at 18-45 asks for namespace!="kube-system"; a namespaced rule may only read namespace "team-a"' +
        ' (write namespace="team-a" or no namespace matcher)',
      from: 18,
      to: 45,
    });
  });
});

describe('confineToNamespace: hostile corpus', () => {
  // [query, whether it must be refused]; accepted ones are checked by the independent walker.
  const hostile: [string, 'refused' | 'confined'][] = [
    ['x{namespace="kube-system"}', 'refused'],
    ['x{namespace!="kube-system"}', 'refused'],
    ['x{namespace=~"team-a"}', 'refused'],
    ['x{namespace=~".*"}', 'refused'],
    ['x{namespace!~"team-a"}', 'refused'],
    ['x{namespace=""}', 'refused'],
    ['{namespace="kube-system"}', 'refused'],
    ['x{namespace="team-a",namespace="kube-system"}', 'refused'],
    ['x{namespace="team-a",namespace="team-a"}', 'refused'],
    ['x{"namespace"="team-a","namespace"="team-a"}', 'refused'],
    ['x{namespace="team-a","namespace"="other"}', 'refused'],
    ['x{namespace="team-a"} or y{namespace="kube-system"}', 'refused'],
    ['x unless y{namespace="other"}', 'refused'],
    ['x and on() y{namespace="other"}', 'refused'],
    ['x and {namespace=~"team-a|kube-system"}', 'refused'],
    ['sum(rate(x{namespace="other"}[5m]))', 'refused'],
    ['max_over_time(x{namespace="other"}[1h:5m])', 'refused'],
    ['rate(x{namespace="other"}[5m] offset 1h)', 'refused'],
    ['x{namespace="other"} @ end()', 'refused'],
    ['sum by (pod) (sum without (x) (avg(x{namespace="other"})))', 'refused'],
    ['histogram_quantile(0.9, sum by (le) (rate(x_bucket{namespace=~"team-.*"}[5m])))', 'refused'],
    ['x * on(pod) group_left(namespace) y', 'confined'],
    ['x * on(pod) group_left(namespace) y{namespace!="team-a"}', 'refused'],
    ['x{namespace="team-a"} + ignoring(namespace) y{namespace="other"}', 'refused'],
    ['label_replace(x, "namespace", "kube-system", "", "")', 'refused'],
    ['label_replace(x, "namespace", "$1", "pod", "(.*)")', 'refused'],
    ['label_join(x, "namespace", "-", "a", "b")', 'refused'],
    ['label_replace(x, "n\\x61mespace", "kube-system", "", "")', 'refused'],
    ['label_replace(x, ("namespace"), "kube-system", "", "")', 'refused'],
    ['count_values("namespace", x)', 'refused'],
    ['COUNT_VALUES("namespace", x)', 'refused'],
    ['info(x)', 'refused'],
    ['info(x, {k8s_cluster_name=~".+"})', 'refused'],
    ['histogram_quantiles("namespace", x, 0.5)', 'refused'],
    ['{__name__=~".+"}', 'confined'],
    ['{"__name__"=~".+"}', 'confined'],
    ['{__name__=~".+",namespace=~".+"}', 'refused'],
    ['{namespace="team-a"} or {__name__="x",namespace="other"}', 'refused'],
    ['{"namespace"="kube-system"}', 'refused'],
    ['{\'namespace\'="kube-system"}', 'refused'],
    ['x{namespace=`kube-system`}', 'refused'],
    ["x{namespace='kube-system'}", 'refused'],
    ['x{namespace=`team-a`}', 'confined'],
    ['x{namespace="team-a\\x00"}', 'refused'],
    ['x{namespace="team-a\\n"}', 'refused'],
    ['x{namespace="team-a "}', 'refused'],
    ['x{namespace="TEAM-A"}', 'refused'],
    ['x{namespace="team-\\U00000061"}', 'confined'],
    ['x{NAMESPACE="kube-system"}', 'confined'],
    ['x{namespace\n=\n"other"}', 'refused'],
    ['x{namespace  =  "team-a"}', 'confined'],
    ['x{namespace="team-a" # namespace="other"\n}', 'confined'],
    ['x # }\nor y{namespace="kube-system"}', 'refused'],
    ['x # a\r or y{namespace="other"}', 'refused'],
    ['x # a\ror y', 'refused'],
    ['x\r\nor y', 'refused'],
    ['x\u00a0or y', 'refused'],
    ['x\u2028or y', 'refused'],
    ['x\u200bor y', 'refused'],
    ['x\tor\ny', 'confined'],
    ['x{namespace="team-a"', 'refused'],
    ['x{namespace="team-a"}}', 'refused'],
    ['sum(x{namespace="team-a"}) by (', 'refused'],
    ['x{namespace="kube-system', 'refused'],
    ['x{namespace="\\q"}', 'refused'],
    ['x{a="b"} or on() vector(1) or {namespace!~""}', 'refused'],
    ['((((x{namespace="other"}))))', 'refused'],
    ['-x{namespace="other"}', 'refused'],
    ['absent(x{namespace="other"})', 'refused'],
    ['absent_over_time(x{namespace=~"o.*"}[5m])', 'refused'],
    ['topk(1, x) or bottomk(1, y{namespace="other"})', 'refused'],
    ['scalar(x{namespace="other"}) * vector(1)', 'refused'],
    ['sort_by_label(x, "namespace")', 'confined'],
    ['"namespace=\\"other\\""', 'confined'],
    ['', 'refused'],
    ['  \n', 'refused'],
    ['# only a comment', 'refused'],
  ];
  it('has at least 50 cases', () => assert.ok(hostile.length >= 50));
  for (const [query, expected] of hostile) {
    it(`${expected}: ${JSON.stringify(query)}`, () => {
      assert.equal(confineChecked(query).ok, expected === 'confined');
    });
  }
});

describe('the independent walker', () => {
  it('flags what is not confined', () => {
    const unconfined = [
      'x',
      'x{namespace="team-a"} or y',
      'x{namespace="other"}',
      'x{namespace=~"team-a"}',
      'x{namespace="team-a",namespace="team-a"}',
      'x{namespace="team-a\\x00"}',
      'label_replace(x{namespace="team-a"}, "namespace", "b", "", "")',
      'count_values("namespace", x{namespace="team-a"})',
      'x{namespace="team-a"} # \r or y',
      'x{namespace="team-a"',
    ];
    for (const query of unconfined) assert.notDeepEqual(confinementViolations(query, N), [], query);
    assert.deepEqual(confinementViolations('x{"namespace"=`team-a`}', N), []);
  });
});

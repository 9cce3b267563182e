import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPromQL, labelMatcher, promqlString } from '../../src/promql/index.js';
import { HOSTILE_VALUES } from './lezer-helpers.js';

describe('checkPromQL', () => {
  const valid = [
    'up',
    'sum(rate(http_requests_total{namespace="default",pod=~"web-.*"}[2m])) by (pod)',
    'sum by (pod) (rate(x[5m]))',
    'max_over_time(rate(x[1m])[10m:1m])',
    'x offset 5m',
    'x @ 1700000000',
    'histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le))',
    'a / on(pod) group_left b',
    '# a comment\nup',
    'x{a="b",}',
    "x{a='b'}",
    'x{a=`b\\n`}',
    '{"my.metric", "my.label"="x"}',
    '1 + 2 * 3',
    'x[5m+1m]',
  ];
  for (const query of valid) {
    it(`accepts ${JSON.stringify(query)}`, () => {
      assert.deepEqual(checkPromQL(query), { ok: true });
    });
  }

  const invalid: [string, number, RegExp][] = [
    ['', 0, /^empty query$/],
    ['   \n', 0, /^empty query$/],
    [
      'sum(rate(x[5m])',
      15,
      /syntax error at position 15: unexpected end of query near "sum\(rate\(x\[5m\]\)"/,
    ],
    ['x{a="b"', 7, /unexpected end of query/],
    ['x y', 2, /syntax error at position 2: unexpected "y" near "x y"/],
    ['1 +', 3, /unexpected end of query/],
    ['x{a="b}[5m]', 11, /invalid string at position 11: unterminated quoted string/],
    ['"abc', 4, /unterminated quoted string/],
    ['x{a="\\q"}', 5, /invalid string at position 5: unknown escape sequence \\q/],
    ['x{a="\\ud800"}', 5, /invalid Unicode code point/],
    ["x{a='\\\"'}", 5, /unknown escape sequence/],
    ['sum(x) by (', 11, /unexpected end of query/],
    ['x{a="b"} or', 11, /unexpected end of query/],
    ['rate(x[5m]) )', 12, /unexpected "\)"/],
  ];
  for (const [query, offset, message] of invalid) {
    it(`rejects ${JSON.stringify(query)} at ${offset}`, () => {
      const result = checkPromQL(query);
      assert.equal(result.ok, false);
      assert.equal(result.offset, offset);
      assert.match(result.message, message);
    });
  }

  it('reports the leftmost problem', () => {
    const result = checkPromQL('x{a="\\q"} + (');
    assert.equal(result.ok ? -1 : result.offset, 5);
  });

  it('quotes long surroundings briefly', () => {
    const result = checkPromQL(`${'a'.repeat(100)} )`);
    assert.equal(result.ok, false);
    assert.match(result.message, /near "…a{19} \)"$/);
  });

  it('accepts every query built with escaped hostile values', () => {
    for (const value of HOSTILE_VALUES) {
      assert.deepEqual(checkPromQL(`sum(rate(x{${labelMatcher('pod', '=', value)}}[1m]))`), { ok: true });
      assert.deepEqual(checkPromQL(`label_replace(x, "a", ${promqlString(value)}, "b", "(.*)")`), {
        ok: true,
      });
    }
  });
});

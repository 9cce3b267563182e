import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatSeriesSelector,
  parseSeriesSelector,
  withNameMatcher,
  type SeriesSelector,
} from '../../src/promql/index.js';
import { HOSTILE_VALUES, syntaxNodes } from './lezer-helpers.js';

describe('parseSeriesSelector', () => {
  const cases: [string, SeriesSelector][] = [
    [
      '{__name__=~"^container_.*",container!="POD",namespace!=""}',
      {
        matchers: [
          { name: '__name__', op: '=~', value: '^container_.*' },
          { name: 'container', op: '!=', value: 'POD' },
          { name: 'namespace', op: '!=', value: '' },
        ],
      },
    ],
    [
      'http_requests_total{pod!=""}',
      { metricName: 'http_requests_total', matchers: [{ name: 'pod', op: '!=', value: '' }] },
    ],
    ['up', { metricName: 'up', matchers: [] }],
    ['up{}', { metricName: 'up', matchers: [] }],
    [' up { job = "x" , } ', { metricName: 'up', matchers: [{ name: 'job', op: '=', value: 'x' }] }],
    ["x{a='b\\'c'}", { metricName: 'x', matchers: [{ name: 'a', op: '=', value: "b'c" }] }],
    ['x{a=`\\d+`}', { metricName: 'x', matchers: [{ name: 'a', op: '=', value: '\\d+' }] }],
    ['x{a!~"b|c"}', { metricName: 'x', matchers: [{ name: 'a', op: '!~', value: 'b|c' }] }],
    [
      '{"my.metric", "my.label"="\\u00e9"}',
      { metricName: 'my.metric', matchers: [{ name: 'my.label', op: '=', value: 'é' }] },
    ],
    ['x{__name__=~"x.*"}', { metricName: 'x', matchers: [{ name: '__name__', op: '=~', value: 'x.*' }] }],
    ['{a=~".*"}', { matchers: [{ name: 'a', op: '=~', value: '.*' }] }],
    ['{a="b"} # comment', { matchers: [{ name: 'a', op: '=', value: 'b' }] }],
  ];
  for (const [selector, expected] of cases) {
    it(`parses ${JSON.stringify(selector)}`, () => {
      assert.deepEqual(parseSeriesSelector(selector), expected);
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /empty query/],
    ['rate(x[5m])', /expected a single series selector/],
    ['x[5m]', /expected a single series selector/],
    ['x offset 5m', /expected a single series selector/],
    ['x + y', /expected a single series selector/],
    ['sum(x)', /expected a single series selector/],
    ['x{a="b"', /unexpected end of query/],
    ['x{a="\\q"}', /unknown escape sequence/],
    ['{}', /at least one non-empty matcher/],
    ['{a=""}', /at least one non-empty matcher/],
    ['{a!="x"}', /at least one non-empty matcher/],
    ['x{"y"}', /metric name must not be set twice: "x" or "y"/],
    ['{"x", "y"}', /metric name must not be set twice/],
  ];
  for (const [selector, message] of invalid) {
    it(`rejects ${JSON.stringify(selector)}`, () => {
      assert.throws(
        () => parseSeriesSelector(selector),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^invalid series selector /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('formatSeriesSelector', () => {
  const cases: [SeriesSelector, string][] = [
    [{ metricName: 'up', matchers: [] }, 'up'],
    [{ matchers: [] }, '{}'],
    [{ metricName: 'x', matchers: [{ name: 'pod', op: '!=', value: '' }] }, 'x{pod!=""}'],
    [
      {
        matchers: [
          { name: '__name__', op: '=~', value: '^a.*' },
          { name: 'b', op: '=', value: 'c' },
        ],
      },
      '{__name__=~"^a.*",b="c"}',
    ],
    [
      { metricName: 'my.metric', matchers: [{ name: 'my.label', op: '=', value: 'x' }] },
      '{"my.metric","my.label"="x"}',
    ],
    [
      { metricName: 'x', matchers: [{ name: 'a', op: '=', value: 'a"}or vector(1)#' }] },
      'x{a="a\\"}or vector(1)#"}',
    ],
  ];
  for (const [selector, expected] of cases) {
    it(`writes ${expected}`, () => {
      assert.equal(formatSeriesSelector(selector), expected);
    });
  }

  for (const value of HOSTILE_VALUES) {
    it(`round-trips the value ${JSON.stringify(value).slice(0, 30)}`, () => {
      const selector: SeriesSelector = {
        metricName: 'x',
        matchers: [
          { name: 'a', op: '=', value },
          { name: 'b', op: '!=', value: '' },
        ],
      };
      const text = formatSeriesSelector(selector);
      assert.equal(syntaxNodes(text).filter((node) => node.name === 'UnquotedLabelMatcher').length, 2);
      assert.deepEqual(parseSeriesSelector(text), selector);
    });
  }
});

describe('withNameMatcher', () => {
  const cases: [string, string, string | undefined][] = [
    [
      '{__name__=~"^container_.*",container!="POD",namespace!=""}',
      'container_cpu_usage_seconds_total',
      '{__name__="container_cpu_usage_seconds_total",__name__=~"^container_.*",container!="POD",namespace!=""}',
    ],
    ['http_requests_total{pod!=""}', 'http_requests_total', 'http_requests_total{pod!=""}'],
    ['http_requests_total{pod!=""}', 'other_total', undefined],
    ['{__name__="a",pod!=""}', 'a', '{__name__="a",pod!=""}'],
    ['{__name__="a",pod!=""}', 'b', undefined],
    ['{pod!=""}', 'a"} or vector(1) #', '{__name__="a\\"} or vector(1) #",pod!=""}'],
    ['{pod!=""}', 'my.metric', '{__name__="my.metric",pod!=""}'],
  ];
  for (const [selector, name, expected] of cases) {
    it(`restricts ${JSON.stringify(selector)} to ${JSON.stringify(name)}`, () => {
      const result = withNameMatcher(selector, name);
      assert.equal(result, expected);
      if (result !== undefined) assert.equal(syntaxNodes(result).filter((node) => node.isError).length, 0);
    });
  }

  it('throws like parseSeriesSelector', () => {
    assert.throws(() => withNameMatcher('rate(x[5m])', 'x'), /expected a single series selector/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricNameFor } from '../../src/rules/index.js';
import { ruleFrom, ruleYaml } from './fixtures.js';

describe('naming: series name → API metric name (prometheus-adapter semantics)', () => {
  const cases: {
    name: string;
    rule: { filters?: string; name?: string };
    series: string;
    want: string | undefined;
  }[] = [
    {
      name: 'no name section keeps the name',
      rule: {},
      series: 'http_requests_total',
      want: 'http_requests_total',
    },
    {
      name: 'one group defaults to $1',
      rule: { name: 'matches: "^(.*)_total$"' },
      series: 'http_requests_total',
      want: 'http_requests',
    },
    {
      name: 'no match is filtered out',
      rule: { name: 'matches: "^(.*)_total$"' },
      series: 'http_requests',
      want: undefined,
    },
    {
      name: 'as with ${1}',
      rule: { name: 'matches: "^(.*)_seconds_total$"\nas: "${1}_per_second"' },
      series: 'cpu_seconds_total',
      want: 'cpu_per_second',
    },
    {
      name: '$1x is group "1x" (empty), as in Go',
      rule: { name: 'matches: "^(.*)_total$"\nas: "$1x"' },
      series: 'a_total',
      want: undefined,
    },
    {
      name: 'named groups',
      rule: { name: 'matches: "^(?P<base>.*)_bytes$"\nas: "${base}_b"' },
      series: 'mem_bytes',
      want: 'mem_b',
    },
    {
      name: 'unanchored: only the matched part is expanded',
      rule: { name: 'matches: "requests"' },
      series: 'http_requests_total',
      want: 'requests',
    },
    {
      name: 'zero groups default to $0 (the match)',
      rule: { name: 'matches: "^http_.*"' },
      series: 'http_x',
      want: 'http_x',
    },
    {
      name: 'isNot filter drops',
      rule: { filters: '- isNot: "_total$"' },
      series: 'http_requests_total',
      want: undefined,
    },
    { name: 'is filter keeps', rule: { filters: '- is: "^http_"' }, series: 'http_up', want: 'http_up' },
    {
      name: 'all filters must pass',
      rule: { filters: '- is: "^http_"\n- isNot: "_bucket$"' },
      series: 'http_latency_bucket',
      want: undefined,
    },
    { name: '(?i) flag', rule: { name: 'matches: "(?i)^HTTP_(.*)$"' }, series: 'http_Up', want: 'Up' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rule = ruleFrom(ruleYaml(c.rule));
      assert.equal(metricNameFor(rule, c.series), c.want);
    });
  }
});

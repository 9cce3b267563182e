import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rangeWindowSeconds } from '../../src/promql/index.js';
import { parseDurationMs } from '../../src/promql/syntax/duration.js';

describe('parseDurationMs', () => {
  const cases: [string, number | undefined][] = [
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1500ms', 1500],
    ['1h2m3s4ms', 3_723_004],
    ['5m10ms', 300_010],
    ['300', 300_000],
    ['1.5', 1500],
    ['0x10', 16_000],
    ['1_000', 1_000_000],
    ['0', 0],
    ['', undefined],
    ['1m1h', undefined],
    ['5mm', undefined],
    ['m', undefined],
    ['-5m', undefined],
    ['1.5m', undefined],
    ['Inf', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${String(expected)}`, () => {
      assert.equal(parseDurationMs(text), expected);
    });
  }
});

describe('rangeWindowSeconds', () => {
  const cases: [string, number | undefined][] = [
    ['sum(rate(x[2m])) by (pod)', 120],
    ['rate(x[1m30s])', 90],
    ['max_over_time(x[5m:1m])', 300],
    ['max_over_time(x[5m:])', 300],
    ['rate(x[2m]) / rate(y[2m])', 120],
    ['rate(x[2m]) / rate(y[5m])', undefined],
    ['max_over_time(rate(x[1m])[5m:1m])', undefined],
    ['max_over_time(rate(x[5m])[5m:1m])', 300],
    ['rate(x[5m] offset 1h)', 300],
    ['x', undefined],
    ['x offset 5m', undefined],
    ['rate(x[5m+1m])', undefined],
    ['rate(x[300])', 300],
    ['rate(x[1500ms])', 1.5],
    ['sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)', 120],
    ['# rate(x[1m])\nrate(x[2m])', 120],
    ['rate(x{a="[1m]"}[2m])', 120],
  ];
  for (const [query, expected] of cases) {
    it(`finds ${String(expected)} in ${JSON.stringify(query)}`, () => {
      assert.equal(rangeWindowSeconds(query), expected);
    });
  }
});

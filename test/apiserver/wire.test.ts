import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalQuantity, formatTime, milliQuantity } from '../../src/apiserver/wire.js';

describe('milliQuantity (prometheus-adapter: NewMilliQuantity(int64(v*1000), DecimalSI))', () => {
  const cases: [number, string][] = [
    [5.914, '5914m'],
    [50, '50'],
    [1_500_000, '1500k'],
    [1.5, '1500m'],
    [0.066, '66m'],
    [0, '0'],
    [0.0004, '0'],
    [-1.5, '-1500m'],
    [1000, '1k'],
    [1_000_000, '1M'],
    [2e9, '2G'],
    [123_456.789, '123456789m'],
    [1.005, '1004m'],
    [10, '10'],
    [100, '100'],
    [1e15, '1P'],
    [9e15, '9P'],
    // Beyond int64 milli-units Go's conversion is undefined; we saturate.
    [1e19, '9223372036854775807m'],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(milliQuantity(v), want));
});

describe('decimalQuantity', () => {
  it('writes nano values', () => assert.equal(decimalQuantity(1_873_205n, -9), '1873205n'));
  it('writes large exponents', () => assert.equal(decimalQuantity(5n, 21), '5e21'));
});

describe('formatTime', () => {
  it('is RFC 3339 UTC with seconds', () =>
    assert.equal(formatTime(new Date('2024-05-29T08:38:20.512Z')), '2024-05-29T08:38:20Z'));
});

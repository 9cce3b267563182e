/**
 * The metrics.k8s.io wire formats: CPU and memory as canonical resource.Quantity text (as
 * metrics-server builds them: NewScaledQuantity(nanocores, -9) and NewQuantity(bytes, BinarySI)),
 * and metav1.Duration as Go's time.Duration.String().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuQuantity, formatGoDuration, memoryQuantity } from '../../src/apiserver/wire.js';

describe('cpuQuantity (DecimalSI from nanocores)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1n'],
    [1_873_205, '1873205n'],
    [1_600_000_000, '1600m'],
    [2_000_000_000, '2'],
    [1_500, '1500n'],
    [1_000, '1u'],
    [15_000, '15u'],
    [100_000_000, '100m'],
    [10_000_000_000, '10'],
    [1_000_000_000_000, '1k'],
    [1_234_000_000_000, '1234'],
    [2.6, '3n'], // rounded to whole nanocores
    [5_914_000_000, '5914m'],
    [1e15, '1M'],
    // int64 saturates beyond 2^63-1 nanocores, as a Go int64 conversion clamps here.
    [1e20, '9223372036854775807n'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(cpuQuantity(n), want));
});

describe('memoryQuantity (BinarySI from bytes)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [500, '500'],
    // Between -1024 and 1024 apimachinery switches to DecimalSI.
    [1000, '1k'],
    [1023, '1023'],
    [1024, '1Ki'],
    [1500, '1500'],
    [2048, '2Ki'],
    [25_280_512, '24688Ki'],
    [1_048_576, '1Mi'],
    [1_024_000, '1000Ki'],
    [9 * 1024 ** 3, '9Gi'],
    [1024 ** 4, '1Ti'],
    [1024 ** 5 * 3, '3Pi'],
    [1024 ** 6, '1Ei'],
    [1_000_000, '1000000'],
    [1_073_741_825, '1073741825'],
    [123.4, '123'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(memoryQuantity(n), want));
});

describe('formatGoDuration (time.Duration.String)', () => {
  // Expected strings are Go's output for time.Duration(ns).String().
  const cases: [number, string][] = [
    [0, '0s'],
    [0.000001, '1ns'],
    [0.0011, '1.1µs'],
    [0.001, '1µs'],
    [2.2, '2.2ms'],
    [1, '1ms'],
    [999.999999, '999.999999ms'],
    [1000, '1s'],
    [15_021, '15.021s'],
    [1000.000001, '1.000000001s'],
    [60_000, '1m0s'],
    [90_500, '1m30.5s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [3_661_001, '1h1m1.001s'],
    [100 * 3_600_000, '100h0m0s'],
    [-1000, '-1s'],
    [-1.5, '-1.5ms'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => assert.equal(formatGoDuration(ms), want));
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLAG_SPECS } from '../../src/config/flag-specs.js';
import { parseCommandLine } from '../../src/config/flags.js';
import { limitsOptionsFrom } from '../../src/config/serve-options.js';

describe('limit flags', () => {
  it('default like the kube-apiserver where it has the flag, and as documented otherwise', () => {
    assert.deepEqual(limitsOptionsFrom(parseCommandLine([]).values), {
      maxRequestsInflight: 400,
      requestTimeoutMs: 60_000,
      maxPrometheusQueries: 20,
      maxSelectedObjects: 10_000,
      maxQueryLength: 6_144,
    });
  });

  it('parse durations and counts, 0 meaning unlimited', () => {
    const values = parseCommandLine([
      '--max-requests-inflight=0',
      '--request-timeout=2m30s',
      '--max-prometheus-queries=5',
      '--max-selected-objects=0',
      '--max-query-length=100000',
    ]).values;
    assert.deepEqual(limitsOptionsFrom(values), {
      maxRequestsInflight: 0,
      requestTimeoutMs: 150_000,
      maxPrometheusQueries: 5,
      maxSelectedObjects: 0,
      maxQueryLength: 100_000,
    });
  });

  it('refuse negative values', () => {
    for (const flag of [
      'max-requests-inflight',
      'max-prometheus-queries',
      'max-selected-objects',
      'max-query-length',
    ]) {
      assert.throws(() => parseCommandLine([`--${flag}=-1`]), new RegExp(flag));
    }
  });

  it('--max-mutating-requests-inflight is accepted for compatibility and has no effect', () => {
    const spec = FLAG_SPECS.find((f) => f.name === 'max-mutating-requests-inflight');
    assert.equal(spec?.compatOnly, true);
    assert.doesNotThrow(() => parseCommandLine(['--max-mutating-requests-inflight=100']));
  });
});

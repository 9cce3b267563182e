import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abortedError, boundedTimeout, remainingMs, setDeadline } from '../src/deadline.js';
import { TimeoutError, UnavailableError } from '../src/errors.js';

describe('request deadlines on abort signals', () => {
  it('a signal without a deadline leaves the own timeout as it is', () => {
    const c = new AbortController();
    assert.equal(remainingMs(c.signal), undefined);
    assert.equal(remainingMs(undefined), undefined);
    assert.equal(boundedTimeout(10_000, c.signal), 10_000);
    assert.equal(boundedTimeout(10_000, undefined), 10_000);
  });

  it('bounds the own timeout by the time left, and never below 1 ms', () => {
    const table: { leftMs: number; own: number; max: number; min: number }[] = [
      { leftMs: 3_000, own: 10_000, max: 3_000, min: 2_500 },
      { leftMs: 60_000, own: 10_000, max: 10_000, min: 10_000 },
      { leftMs: -5_000, own: 10_000, max: 1, min: 1 },
    ];
    for (const row of table) {
      const c = new AbortController();
      setDeadline(c.signal, Date.now() + row.leftMs);
      const t = boundedTimeout(row.own, c.signal);
      assert.ok(t <= row.max && t >= row.min, `${JSON.stringify(row)} gave ${t}`);
    }
  });

  it('gives the typed reason a signal was aborted with, else "cancelled"', () => {
    const timedOut = new AbortController();
    timedOut.abort(new TimeoutError('Timeout: too slow'));
    assert.ok(abortedError(timedOut.signal) instanceof TimeoutError);
    const gone = new AbortController();
    gone.abort(new Error('client went away'));
    const err = abortedError(gone.signal);
    assert.ok(err instanceof UnavailableError);
    assert.match(err.message, /cancelled/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeoutError, UnavailableError } from '../../src/errors.js';
import { QuerySlots } from '../../src/prometheus/query-slots.js';

describe('QuerySlots (--max-prometheus-queries)', () => {
  it('runs at most `limit` at once and hands slots on in order of arrival', async () => {
    const seen: [number, number][] = [];
    const slots = new QuerySlots(2, (running, queued) => seen.push([running, queued]));
    const a = await slots.acquire(5_000);
    const b = await slots.acquire(5_000);
    const order: string[] = [];
    const c = slots.acquire(5_000).then((r) => (order.push('c'), r));
    const d = slots.acquire(5_000).then((r) => (order.push('d'), r));
    assert.deepEqual(slots.size, { running: 2, queued: 2 });
    a();
    a(); // releasing twice frees one slot only
    const releaseC = await c;
    assert.deepEqual(order, ['c']);
    assert.deepEqual(slots.size, { running: 2, queued: 1 });
    b();
    const releaseD = await d;
    assert.deepEqual(order, ['c', 'd']);
    releaseC();
    releaseD();
    assert.deepEqual(slots.size, { running: 0, queued: 0 });
    assert.ok(
      seen.some(([, q]) => q === 2),
      'the observer saw the queue',
    );
    assert.deepEqual(seen.at(-1), [0, 0]);
  });

  it('a waiter past its wait gets a 503 and takes no slot', async () => {
    const slots = new QuerySlots(1);
    const held = await slots.acquire(1_000);
    await assert.rejects(slots.acquire(30), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /--max-prometheus-queries=1/);
      return true;
    });
    assert.deepEqual(slots.size, { running: 1, queued: 0 });
    held();
    assert.deepEqual(slots.size, { running: 0, queued: 0 });
  });

  it('a waiter whose signal fires leaves with the signal reason', async () => {
    const slots = new QuerySlots(1);
    const held = await slots.acquire(1_000);
    const c = new AbortController();
    const waiting = slots.acquire(5_000, c.signal);
    c.abort(new TimeoutError('Timeout: deadline'));
    await assert.rejects(waiting, TimeoutError);
    assert.deepEqual(slots.size, { running: 1, queued: 0 });
    held();
    assert.deepEqual(slots.size, { running: 0, queued: 0 });
    await assert.rejects(slots.acquire(1_000, c.signal), TimeoutError);
  });

  it('0 is unlimited', async () => {
    const slots = new QuerySlots(0);
    const releases = await Promise.all(Array.from({ length: 50 }, () => slots.acquire(10)));
    assert.deepEqual(slots.size, { running: 50, queued: 0 });
    for (const r of releases) r();
  });
});

/**
 * The Prometheus client under limits: the request deadline carried by the signal bounds the
 * call and the `timeout=` sent; a cancelled request aborts its Prometheus call unless another
 * caller still waits for it; --max-prometheus-queries holds the excess in a queue, and coalesced
 * callers take no extra slot.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setDeadline } from '../../src/deadline.js';
import { TimeoutError, UnavailableError } from '../../src/errors.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { startHeldPrometheus, type HeldPrometheus } from '../helpers/held-prometheus.js';

function withDeadline(ms: number): AbortController {
  const c = new AbortController();
  setDeadline(c.signal, Date.now() + ms);
  return c;
}

const ms = (timeout: string | undefined): number => Number(/^(\d+)ms$/.exec(timeout ?? '')?.[1] ?? NaN);

describe('HttpPrometheusClient limits', () => {
  let prom: HeldPrometheus;
  const clients: HttpPrometheusClient[] = [];
  const client = (
    o: Partial<ConstructorParameters<typeof HttpPrometheusClient>[0]> = {},
  ): HttpPrometheusClient => {
    const c = new HttpPrometheusClient({ url: prom.url, timeoutMs: 10_000, ...o });
    clients.push(c);
    return c;
  };

  before(async () => {
    prom = await startHeldPrometheus();
  });
  beforeEach(() => {
    prom.releaseAll();
    prom.queries.length = 0;
    prom.hold = true;
  });
  after(async () => {
    for (const c of clients) c.close();
    await prom.close();
  });

  it('sends timeout= bounded by the time left on the request, not --prometheus-timeout', async () => {
    const c = client();
    const started = Date.now();
    const ctl = withDeadline(3_000);
    const answer = c.query('up{pod="a"}', { signal: ctl.signal });
    await prom.waitFor((q) => q.length === 1);
    const elapsed = Date.now() - started;
    const sent = ms(prom.queries[0]?.timeout);
    // 90 % of what was left when it was sent (a margin for Prometheus to answer its own timeout).
    assert.ok(sent <= 2_700, `timeout=${sent}ms exceeds 90 % of the 3 s deadline`);
    assert.ok(sent >= Math.floor(0.9 * (3_000 - elapsed)) - 1, `timeout=${sent}ms after ${elapsed} ms`);
    prom.releaseAll();
    assert.equal((await answer).length, 1);
    // Without a deadline: --prometheus-timeout (10 s) bounds it.
    prom.hold = false;
    await c.query('up{pod="b"}');
    // 90 % of what is left of the 10 s once the query has its slot: 9 000 ms, a few less when the
    // machine is busy between taking the slot and sending (seen: 8 999 under load).
    const unbounded = ms(prom.queries[1]?.timeout);
    assert.ok(unbounded <= 9_000 && unbounded >= 8_900, `timeout=${unbounded}ms, expected ≈ 9000`);
  });

  it('a deadline that passes ends the call with the signal reason and aborts the Prometheus request', async () => {
    const c = client();
    const ctl = withDeadline(5_000);
    const answer = c.query('up{pod="slow"}', { signal: ctl.signal });
    await prom.waitFor((q) => q.length === 1);
    ctl.abort(new TimeoutError('Timeout: request did not complete within requested timeout'));
    await assert.rejects(answer, TimeoutError);
    await prom.waitFor((q) => q[0]?.abandoned === true, 5_000);
  });

  it('the client-side timeout fires at the time left when Prometheus never answers', async () => {
    const c = client();
    const ctl = withDeadline(300);
    await assert.rejects(c.query('up{pod="never"}', { signal: ctl.signal }), TimeoutError);
    await prom.waitFor((q) => q[0]?.abandoned === true, 5_000);
  });

  it('a timeout names --prometheus-timeout even when part of it went waiting for a slot', async () => {
    const c = client({ timeoutMs: 600, maxConcurrent: 1 });
    const first = c.query('up{pod="holder"}');
    await prom.waitFor((q) => q.length === 1);
    const second = c.query('up{pod="waiter"}');
    await new Promise((r) => setTimeout(r, 150));
    prom.queries[0]?.release();
    await first;
    await prom.waitFor((q) => q.length === 2);
    await assert.rejects(second, (err: unknown) => {
      assert.ok(err instanceof TimeoutError);
      assert.match(err.message, /did not answer within 600 ms$/);
      return true;
    });
    const sent = ms(prom.queries[1]?.timeout);
    assert.ok(sent < 540, `timeout=${sent}ms: the slot wait is not deducted`);
  });

  it('a coalesced call is aborted only when every caller has gone', async () => {
    const c = client();
    const one = new AbortController();
    const two = new AbortController();
    const a = c.query('up{pod="shared"}', { signal: one.signal });
    const b = c.query('up{pod="shared"}', { signal: two.signal });
    await prom.waitFor((q) => q.length === 1);
    one.abort(new Error('client went away'));
    await assert.rejects(a, UnavailableError);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(prom.queries[0]?.abandoned, false, 'still wanted by the second caller');
    prom.releaseAll();
    assert.equal((await b).length, 1);
    assert.equal(prom.queries.length, 1);
    // Both gone: the call is aborted, and a new caller starts a new one.
    const three = new AbortController();
    const four = new AbortController();
    const c3 = c.query('up{pod="shared2"}', { signal: three.signal });
    const c4 = c.query('up{pod="shared2"}', { signal: four.signal });
    await prom.waitFor((q) => q.length === 2);
    three.abort(new Error('gone'));
    four.abort(new Error('gone'));
    await assert.rejects(c3);
    await assert.rejects(c4);
    await prom.waitFor((q) => q[1]?.abandoned === true, 5_000);
    prom.hold = false;
    assert.equal((await c.query('up{pod="shared2"}')).length, 1);
    assert.equal(prom.queries.length, 3);
  });

  it('runs at most --max-prometheus-queries at once; coalesced callers take no slot', async () => {
    const counts: [number, number][] = [];
    const c = client({ maxConcurrent: 2, observeSlots: (r, q) => counts.push([r, q]) });
    const distinct = ['a', 'b', 'c', 'd'].map((p) => c.query(`up{pod="${p}"}`));
    const same = [1, 2, 3].map(() => c.query('up{pod="a"}'));
    await prom.waitFor((q) => q.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(prom.queries.length, 2, 'two in flight, the rest queued');
    assert.deepEqual(counts.at(-1), [2, 2], 'the coalesced copies of "a" did not queue');
    for (let i = 0; i < 4; i++) {
      await prom.waitFor((q) => q.length > i);
      assert.ok(prom.open().length <= 2);
      prom.queries[i]?.release();
    }
    const results = await Promise.all([...distinct, ...same]);
    assert.deepEqual(
      results.map((r) => r[0]?.labels.pod),
      ['a', 'b', 'c', 'd', 'a', 'a', 'a'],
    );
    assert.equal(prom.queries.length, 4);
    assert.deepEqual(counts.at(-1), [0, 0]);
  });

  it('a queued call whose deadline passes leaves the queue with a 503 and never reaches Prometheus', async () => {
    const c = client({ maxConcurrent: 1 });
    const first = c.query('up{pod="first"}');
    await prom.waitFor((q) => q.length === 1);
    const ctl = withDeadline(200);
    await assert.rejects(c.query('up{pod="second"}', { signal: ctl.signal }), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /no slot became free/);
      return true;
    });
    prom.releaseAll();
    await first;
    prom.hold = false;
    await c.query('up{pod="third"}');
    assert.deepEqual(
      prom.queries.map((q) => q.query),
      ['up{pod="first"}', 'up{pod="third"}'],
    );
  });
});

/**
 * RuleStatusWriters meeting each other and a changing cluster: two replicas reporting the same
 * outcomes write once between them, a conflict is re-read and retried once then left to the next
 * report, a deleted object is forgotten, failures back off per object, and stop() ends writing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  createRule,
  getRule,
  outcomeFor,
  pathOf,
  reads,
  reportAndSettle,
  startStatusKube,
  statusWrites,
  verdict,
  writer,
  type StatusKube,
} from './rule-status-kube.js';

let sk: StatusKube;

before(async () => {
  sk = await startStatusKube();
});

after(async () => {
  await sk.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('replicas', () => {
  it('two writers with the same outcomes end with one status and one write, however often they report', async () => {
    const objs = await Promise.all(['r1', 'r2', 'r3'].map((n) => createRule(sk, n)));
    const a = writer(sk);
    const b = writer(sk);
    const outcomes = objs.map((o) => outcomeFor(o));
    // Answers held back so that both read the same resourceVersion before either writes.
    sk.kube.setLatency(100);
    try {
      a.report(outcomes);
      b.report(outcomes);
      await Promise.all([a.idle(), b.idle()]);
    } finally {
      sk.kube.setLatency(0);
    }
    for (let i = 0; i < 3; i++) {
      a.report(outcomes);
      b.report(outcomes);
      await Promise.all([a.idle(), b.idle()]);
    }
    for (const name of ['r1', 'r2', 'r3']) {
      assert.equal(statusWrites(sk, name), 2, `${name}: one write, one conflict (same resourceVersion)`);
      assert.equal(reads(sk, name), 3, `${name}: one read each, one re-read after the conflict`);
      assert.deepEqual(verdict(await getRule(sk, name)), [
        ['True', 'Compiled'],
        ['True', 'MetricsFound'],
      ]);
    }
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a replica with an older generation does not undo a newer status', async () => {
    const obj = await createRule(sk, 'ahead');
    const current = await getRule(sk, 'ahead');
    const spec = { seriesQuery: 'other_total', metricsQuery: 'sum(<<.Series>>)' };
    assert.equal((await sk.call('PUT', pathOf('ahead'), { ...current, spec })).status, 200);
    const updated = await getRule(sk, 'ahead');
    const newer = writer(sk);
    await reportAndSettle(newer, [outcomeFor(updated, { metrics: ['pods/other'] })]);
    const lagging = writer(sk);
    await reportAndSettle(lagging, [outcomeFor(obj)]);
    const got = await getRule(sk, 'ahead');
    assert.equal(got.status?.observedGeneration, 2);
    assert.equal(got.status.metricCount, 1);
    assert.equal(statusWrites(sk, 'ahead'), 1);
    await Promise.all([newer.stop(), lagging.stop()]);
  });
});

describe('conflicts, deletions, failures', () => {
  it('a 409 is re-read and retried once; a second 409 waits for the next report', async () => {
    const once = await createRule(sk, 'conflict-once');
    const w = writer(sk);
    sk.kube.failNext(`${pathOf('conflict-once')}/status`, 409, 1);
    await reportAndSettle(w, [outcomeFor(once)]);
    assert.deepEqual([reads(sk, 'conflict-once'), statusWrites(sk, 'conflict-once')], [2, 2]);
    assert.equal((await getRule(sk, 'conflict-once')).status?.metricCount, 2);

    const twice = await createRule(sk, 'conflict-twice');
    sk.kube.failNext(`${pathOf('conflict-twice')}/status`, 409, 2);
    await reportAndSettle(w, [outcomeFor(once), outcomeFor(twice)]);
    assert.deepEqual([reads(sk, 'conflict-twice'), statusWrites(sk, 'conflict-twice')], [2, 2]);
    assert.equal((await getRule(sk, 'conflict-twice')).status, undefined, 'skipped, no loop');
    await reportAndSettle(w, [outcomeFor(once), outcomeFor(twice)]);
    assert.deepEqual(
      [reads(sk, 'conflict-twice'), statusWrites(sk, 'conflict-twice')],
      [2, 3],
      'the next report writes with the resourceVersion the re-read found',
    );
    await reportAndSettle(w, [outcomeFor(once), outcomeFor(twice)]);
    assert.deepEqual([reads(sk, 'conflict-twice'), statusWrites(sk, 'conflict-twice')], [2, 3]);
    assert.equal((await getRule(sk, 'conflict-twice')).status?.metricCount, 2);
    await w.stop();
  });

  it('an object deleted meanwhile (404) is forgotten; created again, it is written again', async () => {
    const obj = await createRule(sk, 'deleted');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.equal((await sk.call('DELETE', pathOf('deleted'))).status, 200);
    const changed = outcomeFor(obj, { metrics: ['pods/x'] });
    await reportAndSettle(w, [changed]);
    assert.equal(statusWrites(sk, 'deleted'), 2, 'the write that found it gone');
    for (let i = 0; i < 3; i++) await reportAndSettle(w, [changed]);
    assert.deepEqual([reads(sk, 'deleted'), statusWrites(sk, 'deleted')], [1, 2]);
    const again = await createRule(sk, 'deleted');
    await reportAndSettle(w, [outcomeFor(again)]);
    assert.equal((await getRule(sk, 'deleted')).status?.metricCount, 2);
    await w.stop();
  });

  it('other errors: one warning per change, a per-object backoff, then the write', async () => {
    const obj = await createRule(sk, 'failing');
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (s: string) => lines.push(JSON.parse(s) as { level: number; msg: string }) },
    );
    const w = writer(sk, { logger, initialBackoffMs: 200, maxBackoffMs: 400 });
    sk.kube.failNext(pathOf('failing'), 500, 2);
    await reportAndSettle(w, [outcomeFor(obj)]);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.equal(reads(sk, 'failing'), 1, 'within the backoff: no request');
    await sleep(250);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.equal(reads(sk, 'failing'), 2);
    const failures = lines.filter((l) => l.msg.startsWith('rule status: writing the status failed'));
    assert.deepEqual(
      failures.map((l) => l.level),
      [40, 20],
      'warn once, then debug',
    );
    assert.equal(statusWrites(sk, 'failing'), 0);
    await sleep(450);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.equal(statusWrites(sk, 'failing'), 1);
    assert.equal((await getRule(sk, 'failing')).status?.metricCount, 2);
    await w.stop();
  });

  it('objects missing from a report are forgotten', async () => {
    const obj = await createRule(sk, 'dropped');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj)]);
    await reportAndSettle(w, []);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.equal(reads(sk, 'dropped'), 2, 'read again: nothing was kept');
    assert.equal(statusWrites(sk, 'dropped'), 1);
    await w.stop();
  });
});

describe('stop', () => {
  it('no write after stop(), even for a read in flight', async () => {
    const obj = await createRule(sk, 'stopped');
    const w = writer(sk);
    sk.kube.setLatency(300);
    try {
      w.report([outcomeFor(obj)]);
      await sleep(50);
      await w.stop();
      w.report([outcomeFor(obj)]);
      await w.idle();
      await sleep(400);
    } finally {
      sk.kube.setLatency(0);
    }
    assert.equal(statusWrites(sk, 'stopped'), 0);
    assert.equal((await getRule(sk, 'stopped')).status, undefined);
  });
});

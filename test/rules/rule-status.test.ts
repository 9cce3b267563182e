/**
 * The status a RuleStatusWriter writes to rule objects in the simulated kube-apiserver: the
 * Accepted and Ready conditions for each kind of outcome, the metrics list and count, no write
 * when nothing changed, lastTransitionTime kept while a condition holds, observedGeneration
 * following the spec, and what the real kubectl prints afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import {
  conditionOf,
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

describe('the status written for each outcome', () => {
  it('accepted and ready: Compiled, MetricsFound with the count, the metrics, observedGeneration', async () => {
    const obj = await createRule(sk, 'ready');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj)]);
    const got = await getRule(sk, 'ready');
    assert.deepEqual(verdict(got), [
      ['True', 'Compiled'],
      ['True', 'MetricsFound'],
    ]);
    assert.match(conditionOf(got, 'Ready').message, /2 metrics/);
    assert.equal(got.status?.observedGeneration, 1);
    assert.equal(conditionOf(got, 'Ready').observedGeneration, 1);
    assert.match(conditionOf(got, 'Accepted').lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(got.status.metrics, ['pods/http_requests_per_second', 'pods/http_errors_per_second']);
    assert.equal(got.status.metricCount, 2);
    await w.stop();
  });

  it('invalid: Accepted False Invalid with the errors joined, Ready False NotAccepted', async () => {
    const obj = await createRule(sk, 'invalid');
    const w = writer(sk);
    const errors = ['spec.rule.metricsQuery: template: unexpected "}"', 'spec.rule.seriesQuery: empty'];
    await reportAndSettle(w, [outcomeFor(obj, { accepted: false, errors, ready: undefined, metrics: [] })]);
    const got = await getRule(sk, 'invalid');
    assert.deepEqual(verdict(got), [
      ['False', 'Invalid'],
      ['False', 'NotAccepted'],
    ]);
    const message = conditionOf(got, 'Accepted').message;
    for (const e of errors) assert.ok(message.includes(e), message);
    assert.equal(got.status?.metricCount, 0);
    await w.stop();
  });

  it('superseded: Accepted False Superseded naming the winner', async () => {
    const obj = await createRule(sk, 'loser');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { lostTo: 'the rules file', ready: undefined, metrics: [] })]);
    const got = await getRule(sk, 'loser');
    assert.deepEqual(verdict(got), [
      ['False', 'Superseded'],
      ['False', 'NotAccepted'],
    ]);
    assert.match(conditionOf(got, 'Accepted').message, /the rules file/);
    await w.stop();
  });

  it('pending, no series and a failed lookup', async () => {
    const obj = await createRule(sk, 'lookup');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { ready: undefined, metrics: [] })]);
    assert.deepEqual(verdict(await getRule(sk, 'lookup')), [
      ['True', 'Compiled'],
      ['Unknown', 'Pending'],
    ]);
    const none = 'no series match up{job="x"}';
    await reportAndSettle(w, [outcomeFor(obj, { ready: false, readyMessage: none, metrics: [] })]);
    let got = await getRule(sk, 'lookup');
    assert.deepEqual(verdict(got)[1], ['False', 'NoSeries']);
    assert.equal(conditionOf(got, 'Ready').message, none);
    const failed = 'the series lookup failed: Prometheus is unavailable';
    await reportAndSettle(w, [outcomeFor(obj, { ready: false, readyMessage: failed })]);
    got = await getRule(sk, 'lookup');
    assert.deepEqual(verdict(got)[1], ['False', 'LookupFailed']);
    assert.equal(conditionOf(got, 'Ready').message, failed);
    await w.stop();
  });

  it('the metrics list is capped, metricCount is the full count', async () => {
    const obj = await createRule(sk, 'many');
    const metrics = Array.from({ length: 25 }, (_, i) => `pods/m${String(i).padStart(2, '0')}`);
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { metrics })]);
    const got = await getRule(sk, 'many');
    assert.deepEqual(got.status?.metrics, metrics.slice(0, 20));
    assert.equal(got.status.metricCount, 25);
    await w.stop();
  });

  it('a ClusterMetricRule is written at its cluster path', async () => {
    const obj = await createRule(sk, 'node-usage', null);
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { metrics: ['nodes/cpu'] })]);
    const got = await getRule(sk, 'node-usage', null);
    assert.equal(got.status?.metricCount, 1);
    assert.equal(statusWrites(sk, 'node-usage', null), 1);
    await w.stop();
  });
});

describe('writing only what changed', () => {
  it('no request when the same outcome comes again; one read by a new replica, no write', async () => {
    const obj = await createRule(sk, 'steady');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj)]);
    assert.deepEqual([reads(sk, 'steady'), statusWrites(sk, 'steady')], [1, 1]);
    for (let i = 0; i < 3; i++) await reportAndSettle(w, [outcomeFor(obj)]);
    assert.deepEqual([reads(sk, 'steady'), statusWrites(sk, 'steady')], [1, 1]);
    const replica = writer(sk);
    await reportAndSettle(replica, [outcomeFor(obj)]);
    await reportAndSettle(replica, [outcomeFor(obj)]);
    assert.deepEqual([reads(sk, 'steady'), statusWrites(sk, 'steady')], [2, 1]);
    await Promise.all([w.stop(), replica.stop()]);
  });

  it("lastTransitionTime is kept while a condition's status holds and moves when it changes", async () => {
    const obj = await createRule(sk, 'transitions');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { ready: undefined, metrics: [] })]);
    // Backdate the times as if written an hour ago, through the status subresource.
    const stored = await getRule(sk, 'transitions');
    const old = '2020-01-01T00:00:00Z';
    const backdated = (stored.status?.conditions as { lastTransitionTime: string }[]).map((c) => ({
      ...c,
      lastTransitionTime: old,
    }));
    const res = await sk.call('PUT', `${pathOf('transitions')}/status`, {
      ...stored,
      status: { ...stored.status, conditions: backdated },
    });
    assert.equal(res.status, 200, res.body);
    const fresh = writer(sk);
    await reportAndSettle(fresh, [outcomeFor(obj, { ready: undefined, metrics: [] })]);
    assert.equal(statusWrites(sk, 'transitions'), 1, 'times are not compared: no write after the backdating');
    await reportAndSettle(fresh, [outcomeFor(obj)]);
    const got = await getRule(sk, 'transitions');
    assert.equal(conditionOf(got, 'Accepted').lastTransitionTime, old, 'Accepted stayed True');
    assert.notEqual(conditionOf(got, 'Ready').lastTransitionTime, old, 'Ready went Unknown → True');
    await Promise.all([w.stop(), fresh.stop()]);
  });

  it('a spec change: observedGeneration follows the new generation', async () => {
    const obj = await createRule(sk, 'generations');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj)]);
    const current = await getRule(sk, 'generations');
    const res = await sk.call('PUT', pathOf('generations'), {
      ...current,
      spec: { seriesQuery: 'http_errors_total', metricsQuery: 'sum(rate(<<.Series>>[5m]))' },
    });
    assert.equal(res.status, 200, res.body);
    const updated = await getRule(sk, 'generations');
    assert.equal(updated.metadata.generation, 2);
    await reportAndSettle(w, [outcomeFor(updated)]);
    const got = await getRule(sk, 'generations');
    assert.equal(got.status?.observedGeneration, 2);
    assert.deepEqual(
      (got.status.conditions as { observedGeneration: number }[]).map((c) => c.observedGeneration),
      [2, 2],
    );
    // The spec change moved the resourceVersion the writer knew: it conflicted once and re-read.
    assert.equal(statusWrites(sk, 'generations'), 3);
    await w.stop();
  });
});

describe('kubectl', () => {
  it('get metricrules -A shows READY True and METRICS after a report', async () => {
    const obj = await createRule(sk, 'printed');
    const w = writer(sk);
    await reportAndSettle(w, [outcomeFor(obj, { metrics: ['pods/a', 'pods/b', 'pods/c'] })]);
    await w.stop();
    const res = await runKubectl(['get', 'metricrules', '-A'], { kubeconfig: sk.kubeconfig });
    assert.equal(res.code, 0, res.stderr);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^NAMESPACE\s+NAME\s+READY\s+METRICS\s+AGE$/);
    const row = rows.find((r) => /\sprinted\s/.test(r));
    assert.ok(row, res.stdout);
    assert.match(row, /^team-a\s+printed\s+True\s+3\s+\d+s$/);
  });
});

describe('condition messages', () => {
  it("cut a long error list below metav1.Condition's limit, saying how many were left out", async () => {
    const { conditionMessage, MAX_CONDITION_MESSAGE } =
      await import('../../src/rules/rule-status-desired.js');
    const cases: { parts: string[]; want: RegExp; max: number }[] = [
      { parts: ['a: bad'], want: /^a: bad$/, max: 10 },
      { parts: ['a: bad', 'b: worse'], want: /^a: bad; b: worse$/, max: 20 },
      {
        parts: Array.from({ length: 500 }, (_, i) => `spec.rule.x${i}: ${'e'.repeat(40)}`),
        want: /; … and \d+ more$/,
        max: MAX_CONDITION_MESSAGE,
      },
      { parts: ['x'.repeat(40_000)], want: /^x+…$/, max: MAX_CONDITION_MESSAGE },
    ];
    for (const c of cases) {
      const m = conditionMessage(c.parts);
      assert.match(m, c.want);
      assert.ok(m.length <= c.max, `${m.length} > ${c.max}`);
    }
  });
});

/**
 * SubjectAccessReviewer against the simulated kube-apiserver: decisions are cached with their
 * own TTLs, and allowed decisions in use are renewed in the background before they expire, so a
 * caller that asks less often than the TTL (the HPA: every 15 s against 10 s) does not wait for
 * a review; a renewal that comes back denied takes effect; unused questions are not renewed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeClient, SubjectAccessReviewer, type AccessReviewRequest } from '../../src/kube/index.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const question = (name: string): AccessReviewRequest => ({
  user: { name, uid: '', groups: ['system:authenticated'], extra: {} },
  resource: {
    namespace: 'default',
    verb: 'get',
    group: 'custom.metrics.k8s.io',
    version: 'v1beta2',
    resource: 'pods',
    subresource: 'http_requests',
    name: '*',
  },
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('SubjectAccessReviewer', () => {
  let kube: FakeKube;
  let dir: TempDir;
  let client: KubeClient;

  before(async () => {
    kube = await startFakeKube({ allowUsers: ['hpa', 'idle', 'revoked'] });
    dir = await makeTempDir('sar-test-');
    client = KubeClient.fromKubeconfig(await kube.writeKubeconfig(dir.path, { user: 'token' }));
  });
  after(async () => {
    client.close();
    await kube.close();
    await dir.remove();
  });

  const reviewsOf = (user: string): number => kube.sarLog.filter((e) => e.spec.user === user).length;

  it('renews an allowed decision in use before it expires, so a caller slower than the TTL never waits', async () => {
    const reviewer = new SubjectAccessReviewer(client, {
      allowedTtlMs: 800,
      deniedTtlMs: 800,
      renewTickMs: 50,
    });
    try {
      assert.equal((await reviewer.review(question('hpa'))).allowed, true);
      assert.equal(reviewsOf('hpa'), 1);
      // Ask again after more than a TTL: the renewal has replaced the decision meanwhile.
      await until(() => reviewsOf('hpa') >= 2, 3_000);
      await sleep(300);
      const before = reviewsOf('hpa');
      assert.equal((await reviewer.review(question('hpa'))).allowed, true);
      assert.equal(reviewsOf('hpa'), before, 'the request was answered from the renewed decision');
    } finally {
      reviewer.close();
    }
  });

  it('a renewal that is denied takes effect at once', async () => {
    const reviewer = new SubjectAccessReviewer(client, {
      allowedTtlMs: 800,
      deniedTtlMs: 800,
      renewTickMs: 50,
    });
    try {
      assert.equal((await reviewer.review(question('revoked'))).allowed, true);
      kube.setAllowedUsers(['hpa', 'idle']);
      await until(() => reviewsOf('revoked') >= 2, 3_000);
      await sleep(50);
      assert.equal((await reviewer.review(question('revoked'))).allowed, false);
    } finally {
      reviewer.close();
      kube.setAllowedUsers(['hpa', 'idle', 'revoked']);
    }
  });

  it('does not renew questions nobody asked within the in-use window, and close() stops renewals', async () => {
    const reviewer = new SubjectAccessReviewer(client, {
      allowedTtlMs: 400,
      deniedTtlMs: 400,
      renewTickMs: 50,
      inUseWindowMs: 100,
    });
    assert.equal((await reviewer.review(question('idle'))).allowed, true);
    await sleep(1_000);
    assert.equal(reviewsOf('idle'), 1, 'an unused question is left to expire');
    reviewer.close();
    const closed = new SubjectAccessReviewer(client, {
      allowedTtlMs: 400,
      deniedTtlMs: 400,
      renewTickMs: 50,
    });
    await closed.review(question('idle'));
    const mark = reviewsOf('idle');
    closed.close();
    await sleep(600);
    assert.equal(reviewsOf('idle'), mark, 'no renewal after close()');
  });
  it('a slow renewal landing while a request fetches the expired decision does not fail that request', async () => {
    // Found by the soak benchmark: the renewal's cache write replaced the pending fetch, which
    // lru-cache aborts, and every request waiting on it got a 500.
    const reviewer = new SubjectAccessReviewer(client, {
      allowedTtlMs: 400,
      deniedTtlMs: 400,
      renewTickMs: 50,
    });
    try {
      assert.equal((await reviewer.review(question('hpa'))).allowed, true);
      const first = reviewsOf('hpa');
      kube.setLatency(700);
      // The renewal starts in the last quarter of the TTL and outlives the decision.
      await until(() => reviewsOf('hpa') > first, 3_000);
      await sleep(450);
      const decision = await reviewer.review(question('hpa'));
      assert.equal(decision.allowed, true);
    } finally {
      kube.setLatency(0);
      reviewer.close();
    }
  });
});

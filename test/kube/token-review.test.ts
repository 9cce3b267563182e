/**
 * TokenReviewer against the simulated kube-apiserver: the answer's user, audiences sent and
 * checked, authenticated and rejected answers cached each for its own TTL (on a fake clock),
 * failures not cached, concurrent reviews of one token sharing one call, and no raw token kept.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { KubeClient, TokenReviewer, tokenCacheKey } from '../../src/kube/index.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

describe('TokenReviewer', () => {
  let kube: FakeKube;
  let dir: TempDir;
  let client: KubeClient;

  before(async () => {
    kube = await startFakeKube({
      tokens: {
        'alice-token': { username: 'alice', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a', 'b'] } },
        'api-only': { username: 'bob', groups: [], audiences: ['api'] },
        'other-aud': { username: 'carol', groups: [], audiences: ['vault'] },
        'ignores-aud': { username: 'dave', groups: [], answerAudiences: ['vault'] },
      },
      apiAudiences: ['https://kubernetes.default.svc.cluster.local', 'api'],
    });
    dir = await makeTempDir('tokenreview-test-');
    client = KubeClient.fromKubeconfig(await kube.writeKubeconfig(dir.path, { user: 'token' }));
  });
  after(async () => {
    client.close();
    await kube.close();
    await dir.remove();
  });

  const reviewsOf = (token: string): number => kube.tokenReviewLog.filter((e) => e.token === token).length;

  it('returns the user of an authenticated token, as the TokenReview status names it', async () => {
    const reviewer = new TokenReviewer(client, { audiences: [], allowedTtlMs: 0, deniedTtlMs: 0 });
    const { outcome, source } = await reviewer.review('alice-token');
    assert.equal(source, 'review');
    assert.deepEqual(outcome, {
      authenticated: true,
      audiences: ['https://kubernetes.default.svc.cluster.local', 'api'],
      user: {
        name: 'alice',
        uid: 'u-1',
        groups: ['devs', 'system:authenticated'],
        extra: { scopes: ['a', 'b'] },
      },
    });
    const rejected = await reviewer.review('nobody');
    assert.equal(rejected.outcome.authenticated, false);
  });

  it('sends --api-audiences as spec.audiences and rejects tokens good only for other audiences', async () => {
    const reviewer = new TokenReviewer(client, { audiences: ['api'], allowedTtlMs: 0, deniedTtlMs: 0 });
    const before = kube.tokenReviewLog.length;
    assert.equal((await reviewer.review('api-only')).outcome.authenticated, true);
    assert.deepEqual(kube.tokenReviewLog[before]?.audiences, ['api']);
    const other = await reviewer.review('other-aud');
    assert.equal(other.outcome.authenticated, false);
  });

  it('rejects an answer that authenticates the token for audiences none of which are ours', async () => {
    const reviewer = new TokenReviewer(client, { audiences: ['api'], allowedTtlMs: 0, deniedTtlMs: 0 });
    const r = await reviewer.review('ignores-aud');
    if (r.outcome.authenticated) assert.fail('authenticated for audiences that are not ours');
    assert.match(r.outcome.reason, /vault/);
    // Without --api-audiences the kube-apiserver's answer stands.
    const open = new TokenReviewer(client, { audiences: [], allowedTtlMs: 0, deniedTtlMs: 0 });
    assert.equal((await open.review('ignores-aud')).outcome.authenticated, true);
  });

  it('caches authenticated and rejected answers each for its own TTL', async () => {
    let now = 1_000_000;
    const reviewer = new TokenReviewer(client, {
      audiences: [],
      allowedTtlMs: 10_000,
      deniedTtlMs: 2_000,
      now: () => now,
    });
    const token = 'alice-token';
    const bad = `bad-${Date.now()}`;
    const [r0, b0] = [reviewsOf(token), reviewsOf(bad)];
    await reviewer.review(token);
    await reviewer.review(bad);
    assert.equal((await reviewer.review(token)).source, 'hit');
    assert.equal((await reviewer.review(bad)).source, 'hit');
    assert.deepEqual([reviewsOf(token) - r0, reviewsOf(bad) - b0], [1, 1]);

    now += 2_500; // past the deny TTL, within the allow TTL
    assert.equal((await reviewer.review(token)).source, 'hit');
    assert.equal((await reviewer.review(bad)).source, 'review');
    assert.deepEqual([reviewsOf(token) - r0, reviewsOf(bad) - b0], [1, 2]);

    now += 8_000; // past the allow TTL
    assert.equal((await reviewer.review(token)).source, 'review');
    assert.deepEqual([reviewsOf(token) - r0, reviewsOf(bad) - b0], [2, 2]);
  });

  it('sees a token revoked after its allow TTL, and a token granted after its deny TTL', async () => {
    let now = 5_000_000;
    const reviewer = new TokenReviewer(client, {
      audiences: [],
      allowedTtlMs: 1_000,
      deniedTtlMs: 1_000,
      now: () => now,
    });
    kube.setToken('flip', { username: 'flip', groups: [] });
    assert.equal((await reviewer.review('flip')).outcome.authenticated, true);
    kube.removeToken('flip');
    assert.equal((await reviewer.review('flip')).outcome.authenticated, true, 'still cached');
    now += 1_001;
    assert.equal((await reviewer.review('flip')).outcome.authenticated, false);
    kube.setToken('flip', { username: 'flip', groups: [] });
    assert.equal((await reviewer.review('flip')).outcome.authenticated, false, 'rejection still cached');
    now += 1_001;
    assert.equal((await reviewer.review('flip')).outcome.authenticated, true);
  });

  it('shares one TokenReview among concurrent reviews of one token', async () => {
    const reviewer = new TokenReviewer(client, { audiences: [], allowedTtlMs: 10_000, deniedTtlMs: 10_000 });
    kube.setToken('burst', { username: 'burst', groups: [] });
    kube.setLatency(100);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => reviewer.review('burst')));
      assert.ok(results.every((r) => r.outcome.authenticated));
      assert.equal(reviewsOf('burst'), 1);
      assert.equal(results.filter((r) => r.source === 'review').length, 1);
    } finally {
      kube.setLatency(0);
    }
  });

  it('does not cache failures: the next request asks again', async () => {
    const reviewer = new TokenReviewer(client, { audiences: [], allowedTtlMs: 10_000, deniedTtlMs: 10_000 });
    kube.failNext('/apis/authentication.k8s.io/v1/tokenreviews', 500);
    await assert.rejects(reviewer.review('alice-token'));
    assert.equal((await reviewer.review('alice-token')).outcome.authenticated, true);
  });

  it('keys its cache by a hash of the token and keeps no raw token', async () => {
    const secret = `very-secret-${Date.now()}`;
    kube.setToken(secret, { username: 'keeper', groups: [] });
    const reviewer = new TokenReviewer(client, { audiences: [], allowedTtlMs: 10_000, deniedTtlMs: 10_000 });
    await reviewer.review(secret);
    assert.equal(reviewer.size, 1);
    assert.deepEqual(
      reviewer.contents().map(([k]) => k),
      [tokenCacheKey(secret)],
    );
    const dump = JSON.stringify(reviewer.contents()) + inspect(reviewer, { depth: 20, showHidden: true });
    assert.ok(!dump.includes(secret), 'the raw token is not held');
    assert.notEqual(tokenCacheKey(secret), tokenCacheKey(`${secret}x`));
  });

  it('hands out copies: a caller changing the user does not change the cached answer', async () => {
    const reviewer = new TokenReviewer(client, { audiences: [], allowedTtlMs: 10_000, deniedTtlMs: 10_000 });
    const first = await reviewer.review('alice-token');
    assert.ok(first.outcome.authenticated);
    first.outcome.user.groups.push('system:masters');
    const second = await reviewer.review('alice-token');
    assert.ok(second.outcome.authenticated);
    assert.deepEqual(second.outcome.user.groups, ['devs', 'system:authenticated']);
  });
});

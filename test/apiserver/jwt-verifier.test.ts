/**
 * Local service-account token verification: a table of tokens (good, expired, not yet valid,
 * wrong audience, wrong issuer, `alg: none`, symmetric, malformed, legacy, tampered...) and the
 * verdict each gets — a user, a rejection (401) or "undecided" (TokenReview decides); the
 * identity matches the kube-apiserver's; keys are reloaded on an unknown kid, rate-limited; a
 * JWKS file serves offline and is re-read when it changes.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, base64url } from 'jose';
import { fileKeysLoader, IssuerKeySet, type IssuerKeysLoader } from '../../src/apiserver/jwt-keys.js';
import { ServiceAccountJwtVerifier, type LocalVerdict } from '../../src/apiserver/jwt-verifier.js';
import { silentLogger } from '../../src/logging.js';
import { createFakeServiceAccountIssuer, type FakeServiceAccountIssuer } from '../helpers/fake-sa-issuer.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const logger = silentLogger();

function fromIssuer(issuer: FakeServiceAccountIssuer): IssuerKeysLoader {
  return () => Promise.resolve({ issuers: [issuer.issuer], jwks: issuer.jwks() });
}

function verifierFor(
  issuer: FakeServiceAccountIssuer,
  audiences: string[] = [],
  load: IssuerKeysLoader = fromIssuer(issuer),
): { verifier: ServiceAccountJwtVerifier; keys: IssuerKeySet } {
  const keys = new IssuerKeySet({ load, source: 'test', logger, minRefreshIntervalMs: 60_000 });
  return { verifier: new ServiceAccountJwtVerifier({ keys, audiences }), keys };
}

const kindOf = (v: LocalVerdict): string => v.kind;

describe('ServiceAccountJwtVerifier', () => {
  let issuer: FakeServiceAccountIssuer;
  let other: FakeServiceAccountIssuer;
  let dir: TempDir;

  before(async () => {
    issuer = await createFakeServiceAccountIssuer();
    other = await createFakeServiceAccountIssuer('https://oidc.example.com');
    dir = await makeTempDir('jwt-verifier-');
  });
  after(async () => {
    await dir.remove();
  });

  it('maps a bound token to the identity the kube-apiserver gives it', async () => {
    const { verifier } = verifierFor(issuer);
    const token = await issuer.mint({
      namespace: 'monitoring',
      serviceAccount: 'prometheus',
      serviceAccountUid: 'sa-123',
      pod: { name: 'prometheus-0', uid: 'pod-456' },
      node: { name: 'node-a', uid: 'node-789' },
      jti: 'jti-1',
    });
    const verdict = await verifier.verify(token);
    assert.deepEqual(verdict, {
      kind: 'user',
      user: {
        name: 'system:serviceaccount:monitoring:prometheus',
        uid: 'sa-123',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring'],
        extra: {
          'authentication.kubernetes.io/pod-name': ['prometheus-0'],
          'authentication.kubernetes.io/pod-uid': ['pod-456'],
          'authentication.kubernetes.io/credential-id': ['JTI=jti-1'],
          'authentication.kubernetes.io/node-name': ['node-a'],
          'authentication.kubernetes.io/node-uid': ['node-789'],
        },
      },
    });
    // The kube-apiserver's own verdict on the same token names the same identity.
    const review = await issuer.review(token, [issuer.issuer]);
    assert.ok(verdict.kind === 'user' && review?.authenticated === true);
    assert.equal(review.username, verdict.user.name);
    assert.equal(review.uid, verdict.user.uid);
    assert.deepEqual(review.groups, [...verdict.user.groups, 'system:authenticated']);
    assert.deepEqual(review.extra, verdict.user.extra);
  });

  const hs256 = async (): Promise<string> =>
    new SignJWT({ iss: issuer.issuer, sub: 'system:serviceaccount:default:default', aud: [issuer.issuer] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
  const tampered = async (): Promise<string> => {
    const [h, , s] = (await issuer.mint()).split('.');
    const forged = (await issuer.mint({ serviceAccount: 'admin' })).split('.')[1];
    return `${h}.${forged}.${s}`;
  };

  /** [case, audiences flag, token, expected verdict kind, reason pattern]. */
  const CASES: [string, string[], () => Promise<string>, 'user' | 'rejected' | 'undecided', RegExp?][] = [
    ['good RS256 token', [], () => issuer.mint(), 'user'],
    ['good ES256 token', [], () => issuer.mint({ alg: 'ES256' }), 'user'],
    [
      'audience in --api-audiences',
      ['metrics-adapter'],
      () => issuer.mint({ audiences: ['metrics-adapter'] }),
      'user',
    ],
    ['expired an hour ago', [], () => issuer.mint({ expiresIn: -3600 }), 'rejected', /expired/],
    ['expired within the clock skew', [], () => issuer.mint({ expiresIn: -20 }), 'user'],
    ['not valid for an hour yet', [], () => issuer.mint({ notBefore: 3600 }), 'rejected', /nbf/],
    ['nbf within the clock skew', [], () => issuer.mint({ notBefore: 20 }), 'user'],
    [
      'wrong audience with --api-audiences',
      ['metrics-adapter'],
      () => issuer.mint(),
      'rejected',
      /audiences/,
    ],
    [
      'audience not the issuer, no --api-audiences',
      [],
      () => issuer.mint({ audiences: ['vault'] }),
      'undecided',
    ],
    [
      'a key of ours vouching for another issuer',
      [],
      () => issuer.mint({ issuer: 'https://evil.example.com' }),
      'rejected',
      /issuer/,
    ],
    ['another issuer (OIDC) with its own key', [], () => other.mint(), 'undecided', /issuer/],
    ['alg none', [], () => issuer.mint({ alg: 'none' }), 'rejected', /algorithm/],
    ['HS256 (symmetric)', [], hs256, 'rejected', /algorithm/],
    ['tampered payload', [], tampered, 'rejected', /signature/],
    [
      'subject not its service account',
      [],
      () => issuer.mint({ subject: 'system:serviceaccount:kube-system:admin' }),
      'rejected',
      /subject/,
    ],
    [
      'header not JSON',
      [],
      () => Promise.resolve(`${base64url.encode('not json')}.${base64url.encode('{}')}.c2ln`),
      'rejected',
      /malformed/,
    ],
    [
      'payload not JSON',
      [],
      () => Promise.resolve(`${base64url.encode('{"alg":"RS256"}')}.${base64url.encode('[')}.c2ln`),
      'rejected',
      /malformed/,
    ],
    ['not a JWT (opaque token)', [], () => Promise.resolve('an-opaque-static-token'), 'undecided'],
    ['bootstrap token shape', [], () => Promise.resolve('abcdef.0123456789abcdef'), 'undecided'],
    ['legacy Secret-based token', [], () => issuer.mintLegacy(), 'undecided', /legacy/],
    [
      'past warnafter (extended lifetime)',
      [],
      () => issuer.mint({ warnAfter: -10 }),
      'undecided',
      /warnafter/,
    ],
    [
      'bound to a Secret',
      [],
      () => issuer.mint({ secret: { name: 's', uid: 'sec-1' } }),
      'undecided',
      /secret/,
    ],
  ];

  for (const [name, audiences, make, kind, reason] of CASES) {
    it(`${name} → ${kind}`, async () => {
      const { verifier } = verifierFor(issuer, audiences);
      const verdict = await verifier.verify(await make());
      assert.equal(kindOf(verdict), kind, JSON.stringify(verdict));
      if (reason !== undefined && verdict.kind !== 'user') assert.match(verdict.reason, reason);
    });
  }

  it('reloads the keys when a token names an unknown kid (rotation), then verifies it', async () => {
    const rotating = await createFakeServiceAccountIssuer();
    let now = 1_000_000;
    const keys = new IssuerKeySet({
      load: fromIssuer(rotating),
      source: 'test',
      logger,
      minRefreshIntervalMs: 10_000,
      now: () => now,
    });
    const verifier = new ServiceAccountJwtVerifier({ keys, audiences: [] });
    assert.equal((await verifier.verify(await rotating.mint())).kind, 'user');
    assert.equal(keys.loads, 1);
    now += 30_000;
    const kid = await rotating.addKey('RS256');
    const token = await rotating.mint({ kid });
    assert.equal((await verifier.verify(token)).kind, 'user');
    assert.equal(keys.loads, 2);
    // Known now: no further loads.
    assert.equal((await verifier.verify(await rotating.mint({ kid }))).kind, 'user');
    assert.equal(keys.loads, 2);
  });

  it('rate-limits reloads: unknown kids within the interval cost one load, and go to TokenReview', async () => {
    const rotating = await createFakeServiceAccountIssuer();
    let now = 1_000_000;
    const keys = new IssuerKeySet({
      load: fromIssuer(rotating),
      source: 'test',
      logger,
      minRefreshIntervalMs: 10_000,
      now: () => now,
    });
    const verifier = new ServiceAccountJwtVerifier({ keys, audiences: [] });
    await keys.refresh(true);
    const hidden = await rotating.addKey('RS256', false);
    for (let i = 0; i < 5; i++) {
      const v = await verifier.verify(await rotating.mint({ kid: hidden }));
      assert.equal(v.kind, 'undecided');
    }
    assert.equal(keys.loads, 1, 'the first unknown kid came within the interval of the initial load');
    now += 10_001;
    rotating.publish(hidden);
    assert.equal((await verifier.verify(await rotating.mint({ kid: hidden }))).kind, 'user');
    assert.equal(keys.loads, 2);
  });

  it('stops accepting a key the cluster stopped publishing once the keys are reloaded', async () => {
    const rotating = await createFakeServiceAccountIssuer();
    const { verifier, keys } = verifierFor(rotating);
    const oldKid = rotating.jwks().keys[0]?.kid ?? '';
    const token = await rotating.mint({ kid: oldKid });
    assert.equal((await verifier.verify(token)).kind, 'user');
    rotating.retire(oldKid);
    await keys.refresh(true);
    assert.equal((await verifier.verify(token)).kind, 'undecided', 'an unknown kid goes to TokenReview');
  });

  it('is undecided while the keys cannot be loaded', async () => {
    const { verifier } = verifierFor(issuer, [], () => Promise.reject(new Error('JWKS unreachable')));
    const v = await verifier.verify(await issuer.mint());
    assert.equal(v.kind, 'undecided');
    // Tokens no authenticator accepts are still rejected without keys.
    assert.equal((await verifier.verify(await issuer.mint({ alg: 'none' }))).kind, 'rejected');
  });

  it('verifies offline from a JWKS file, re-read when the file changes', async () => {
    const file = join(dir.path, 'jwks.json');
    const offline = await createFakeServiceAccountIssuer('https://issuer.offline.example');
    await writeFile(file, JSON.stringify(offline.jwks()));
    const keys = new IssuerKeySet({
      load: fileKeysLoader(file, [offline.issuer]),
      source: file,
      logger,
      minRefreshIntervalMs: 60_000,
    });
    const verifier = new ServiceAccountJwtVerifier({ keys, audiences: ['metrics-adapter'] });
    assert.equal(
      (await verifier.verify(await offline.mint({ audiences: ['metrics-adapter'] }))).kind,
      'user',
    );
    assert.equal((await verifier.verify(await offline.mint())).kind, 'rejected', 'wrong audience');
    const kid = await offline.addKey('ES256');
    const rotated = await offline.mint({ kid, audiences: ['metrics-adapter'] });
    assert.equal(
      (await verifier.verify(rotated)).kind,
      'undecided',
      'file not updated yet (and rate-limited)',
    );
    await writeFile(file, JSON.stringify(offline.jwks()));
    await keys.refresh(true);
    assert.equal((await verifier.verify(rotated)).kind, 'user');
  });

  it('keeps the last keys when a reload fails (file replaced with garbage)', async () => {
    const file = join(dir.path, 'jwks-garbage.json');
    await writeFile(file, JSON.stringify(issuer.jwks()));
    const keys = new IssuerKeySet({ load: fileKeysLoader(file, [issuer.issuer]), source: file, logger });
    const verifier = new ServiceAccountJwtVerifier({ keys, audiences: [] });
    assert.equal((await verifier.verify(await issuer.mint())).kind, 'user');
    await writeFile(file, '{ not json');
    await keys.refresh(true);
    assert.equal((await verifier.verify(await issuer.mint())).kind, 'user');
  });
});

/**
 * Bearer tokens end to end: the adapter in-process from real flags against the simulated
 * kube-apiserver, which issues service-account tokens with real keys, publishes its issuer
 * discovery document and JWKS, and answers TokenReviews. The real kubectl calls the adapter with
 * `--token`; every bad token is a 401 Status; service-account tokens are verified locally (no
 * TokenReview), everything else by a cached TokenReview; a failing TokenReview is a 401 with a
 * counter; and the SubjectAccessReview names the same identity whether the caller came with a
 * token (verified locally or by TokenReview), through the front proxy, or with a certificate.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { startFakeKube, type FakeKube, type SarLogEntry } from '../helpers/fake-kube.js';
import { createFakeServiceAccountIssuer, type FakeServiceAccountIssuer } from '../helpers/fake-sa-issuer.js';
import { writeKubeconfigFile } from '../helpers/kubeconfig.js';
import { runKubectl } from '../helpers/kubectl.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { assertStatus, waitUntil } from './support.js';

const DISCOVERY = '/apis/custom.metrics.k8s.io/v1beta1';
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** The identity a SubjectAccessReview carries. */
function identityOf(e: SarLogEntry | undefined): Record<string, unknown> {
  assert.ok(e !== undefined, 'a SubjectAccessReview was sent');
  return {
    user: e.spec.user,
    uid: e.spec.uid ?? '',
    groups: e.spec.groups,
    extra: e.spec.extra ?? {},
  };
}

async function tokenMetric(adapter: InProcessAdapter, method: string, result: string): Promise<number> {
  const metric = await adapter.server.metrics.tokenAuthentications.get();
  return metric.values.find((v) => v.labels.method === method && v.labels.result === result)?.value ?? 0;
}

describe('bearer tokens', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let sa: FakeServiceAccountIssuer;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let reviewOnly: InProcessAdapter;
  let adapterKubeconfig: string;

  before(async () => {
    tmp = await makeTempDir('bearer-tokens');
    kube = await startFakeKube({
      tokens: { 'static-token': { username: 'jane', uid: 'j-1', groups: ['ops'] } },
    });
    sa = await kube.serviceAccounts();
    kube.setSarPolicy(() => ({ allowed: true, reason: 'allowed by the test policy' }));
    pki = await createAdapterPki(tmp.path);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token', username: 'metrics-adapter' });
    adapter = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        '--requestheader-uid-headers=X-Remote-Uid',
      ]),
    );
    reviewOnly = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        '--service-account-local-verification=false',
      ]),
    );
    adapterKubeconfig = await writeKubeconfigFile(tmp.path, 'adapter.kubeconfig', {
      server: adapter.url,
      caPem: pki.servingCA.certPem,
      credentials: {},
      clusterName: 'adapter',
      userName: 'nobody',
    });
    await waitUntil('the adapter loaded the service-account keys', async () => {
      const before = kube.tokenReviewLog.length;
      const r = await call(adapter, pki, DISCOVERY, { headers: bearer(await sa.mint()) });
      return r.status === 200 && kube.tokenReviewLog.length === before;
    });
  });
  after(async () => {
    await adapter.close();
    await reviewOnly.close();
    await kube.close();
    await tmp.remove();
  });

  it('kubectl get --raw --token: a service-account token is verified locally, without a TokenReview', async () => {
    const token = await sa.mint({
      namespace: 'kube-system',
      serviceAccount: 'horizontal-pod-autoscaler',
    });
    const reviews = kube.tokenReviewLog.length;
    const r = await runKubectl(['get', '--raw', DISCOVERY, `--token=${token}`], {
      kubeconfig: adapterKubeconfig,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { kind: string }).kind, 'APIResourceList');
    assert.equal(kube.tokenReviewLog.length, reviews);
    const sar = kube.sarLog.at(-1);
    assert.equal(sar?.spec.user, 'system:serviceaccount:kube-system:horizontal-pod-autoscaler');
  });

  it('kubectl get --raw --token: an expired token is refused as Unauthorized', async () => {
    const token = await sa.mint({ expiresIn: -3600 });
    const r = await runKubectl(['get', '--raw', DISCOVERY, `--token=${token}`], {
      kubeconfig: adapterKubeconfig,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized/);
  });

  it('kubectl get --raw --token: a token only the cluster knows is accepted through TokenReview', async () => {
    const r = await runKubectl(['get', '--raw', DISCOVERY, '--token=static-token'], {
      kubeconfig: adapterKubeconfig,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(kube.tokenReviewLog.some((e) => e.token === 'static-token' && e.authenticated));
  });

  /** Tokens the adapter must refuse with a 401 Status, whichever path decides. */
  const REFUSED: [string, () => Promise<string>][] = [
    ['expired', () => sa.mint({ expiresIn: -3600 })],
    ['not valid yet', () => sa.mint({ notBefore: 3600 })],
    ['wrong audience', () => sa.mint({ audiences: ['vault'] })],
    ['wrong issuer for a key we know', () => sa.mint({ issuer: 'https://evil.example.com' })],
    ['alg none', () => sa.mint({ alg: 'none' })],
    ['malformed JWT', () => Promise.resolve('eyJub3QganNvbg.e30.c2ln')],
    ['unknown opaque token', () => Promise.resolve('no-such-token')],
    [
      'bound pod deleted (TokenReview sees it)',
      async () => {
        sa.revokeBinding('pod-gone');
        return sa.mint({ pod: { name: 'gone', uid: 'pod-gone' }, warnAfter: -1 });
      },
    ],
    [
      'legacy token of a deleted secret',
      async () => {
        sa.revokeBinding('old-token-secret');
        return sa.mintLegacy({ secretName: 'old-token-secret' });
      },
    ],
  ];
  for (const [name, make] of REFUSED) {
    it(`refuses a token that is ${name}: 401 Status`, async () => {
      const r = await call(adapter, pki, DISCOVERY, { headers: bearer(await make()) });
      assertStatus(r, 401, 'Unauthorized', name);
    });
  }

  it('refuses an empty bearer token and another scheme (anonymous): both 401', async () => {
    assertStatus(
      await call(adapter, pki, DISCOVERY, { headers: { Authorization: 'Bearer ' } }),
      401,
      'Unauthorized',
    );
    assertStatus(
      await call(adapter, pki, DISCOVERY, { headers: { Authorization: 'Basic YTpi' } }),
      401,
      'Unauthorized',
    );
  });

  it('sends legacy tokens to TokenReview, and caches the answer', async () => {
    const token = await sa.mintLegacy({ namespace: 'ci', serviceAccount: 'deployer' });
    const reviews = (): number => kube.tokenReviewLog.filter((e) => e.token === token).length;
    for (let i = 0; i < 3; i++) {
      const r = await call(adapter, pki, DISCOVERY, { headers: bearer(token) });
      assert.equal(r.status, 200, r.body);
    }
    assert.equal(reviews(), 1);
  });

  it('fails the request with a 401, a log line and a counter when TokenReview fails', async () => {
    const before = await tokenMetric(adapter, 'tokenreview', 'error');
    kube.failNext('/apis/authentication.k8s.io/v1/tokenreviews', 503);
    const r = await call(adapter, pki, DISCOVERY, { headers: bearer(`opaque-${Date.now()}`) });
    assertStatus(r, 401, 'Unauthorized');
    assert.equal(await tokenMetric(adapter, 'tokenreview', 'error'), before + 1);
    // Not cached: once the cluster answers again, the same token is reviewed again.
    kube.setToken('late-token', { username: 'late', groups: [] });
    kube.failNext('/apis/authentication.k8s.io/v1/tokenreviews', 503);
    assertStatus(await call(adapter, pki, DISCOVERY, { headers: bearer('late-token') }), 401, 'Unauthorized');
    assert.equal((await call(adapter, pki, DISCOVERY, { headers: bearer('late-token') })).status, 200);
  });

  it('a certificate that fails verification still lets a good bearer token authenticate', async () => {
    const stranger = await (await import('../helpers/certs.js')).createCA('stranger-ca');
    const cert = await stranger.issue({ commonName: 'stranger', usage: 'client' });
    assertStatus(await call(adapter, pki, DISCOVERY, { cert }), 401, 'Unauthorized');
    const token = await sa.mint();
    assert.equal((await call(adapter, pki, DISCOVERY, { cert, headers: bearer(token) })).status, 200);
  });

  it('gives the same SubjectAccessReview identity for a token verified locally, by TokenReview, or sent through the front proxy', async () => {
    const token = await sa.mint({
      namespace: 'monitoring',
      serviceAccount: 'prometheus',
      serviceAccountUid: 'sa-prom',
      pod: { name: 'prometheus-0', uid: 'pod-prom-0' },
      node: { name: 'node-a', uid: 'node-a-uid' },
      jti: 'jti-prom',
    });
    const path = (ns: string): string =>
      `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/pods/*/http_requests`;

    const reviews = kube.tokenReviewLog.length;
    await call(adapter, pki, path('via-local'), { headers: bearer(token) });
    assert.equal(kube.tokenReviewLog.length, reviews, 'verified locally');
    const local = identityOf(
      kube.sarLog.findLast((e) => e.spec.resourceAttributes?.namespace === 'via-local'),
    );

    await call(reviewOnly, pki, path('via-tokenreview'), { headers: bearer(token) });
    assert.equal(kube.tokenReviewLog.length, reviews + 1, 'verified by TokenReview');
    const reviewed = identityOf(
      kube.sarLog.findLast((e) => e.spec.resourceAttributes?.namespace === 'via-tokenreview'),
    );

    await call(adapter, pki, path('via-front-proxy'), {
      cert: pki.frontProxy,
      headers: {
        'X-Remote-User': 'system:serviceaccount:monitoring:prometheus',
        'X-Remote-Uid': 'sa-prom',
        'X-Remote-Group': [
          'system:serviceaccounts',
          'system:serviceaccounts:monitoring',
          'system:authenticated',
        ],
        'X-Remote-Extra-Authentication.kubernetes.io%2fpod-name': 'prometheus-0',
        'X-Remote-Extra-Authentication.kubernetes.io%2fpod-uid': 'pod-prom-0',
        'X-Remote-Extra-Authentication.kubernetes.io%2fcredential-id': 'JTI=jti-prom',
        'X-Remote-Extra-Authentication.kubernetes.io%2fnode-name': 'node-a',
        'X-Remote-Extra-Authentication.kubernetes.io%2fnode-uid': 'node-a-uid',
      },
    });
    const proxied = identityOf(
      kube.sarLog.findLast((e) => e.spec.resourceAttributes?.namespace === 'via-front-proxy'),
    );

    const expected = {
      user: 'system:serviceaccount:monitoring:prometheus',
      uid: 'sa-prom',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['prometheus-0'],
        'authentication.kubernetes.io/pod-uid': ['pod-prom-0'],
        'authentication.kubernetes.io/credential-id': ['JTI=jti-prom'],
        'authentication.kubernetes.io/node-name': ['node-a'],
        'authentication.kubernetes.io/node-uid': ['node-a-uid'],
      },
    };
    const sorted = (x: Record<string, unknown>): Record<string, unknown> => ({
      ...x,
      extra: Object.fromEntries(
        Object.entries(x.extra as Record<string, string[]>).sort(([a], [b]) => a.localeCompare(b)),
      ),
    });
    assert.deepEqual(sorted(local), sorted(expected));
    assert.deepEqual(sorted(reviewed), sorted(expected));
    assert.deepEqual(sorted(proxied), sorted(expected));
  });

  it('gives a certificate of the same service account the same user and groups', async () => {
    const cert = await pki.clientCA.issue({
      commonName: 'system:serviceaccount:monitoring:prometheus',
      organizations: ['system:serviceaccounts', 'system:serviceaccounts:monitoring'],
      usage: 'client',
    });
    const token = await sa.mint({
      namespace: 'monitoring',
      serviceAccount: 'prometheus',
      jti: '',
    });
    const path = (ns: string): string =>
      `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/pods/*/http_requests`;
    await call(adapter, pki, path('cert-x509'), { cert });
    await call(adapter, pki, path('cert-token'), { headers: bearer(token) });
    const fromCert = identityOf(
      kube.sarLog.findLast((e) => e.spec.resourceAttributes?.namespace === 'cert-x509'),
    );
    const fromToken = identityOf(
      kube.sarLog.findLast((e) => e.spec.resourceAttributes?.namespace === 'cert-token'),
    );
    // A certificate carries no uid or extra; user and groups are the same.
    assert.deepEqual(fromCert, { ...fromToken, uid: '', extra: {} });
    assert.deepEqual(fromToken.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:monitoring',
      'system:authenticated',
    ]);
  });

  it('verifies tokens offline with --service-account-jwks-file and --api-audiences, reading no keys from the cluster', async () => {
    const offline = await createFakeServiceAccountIssuer('https://issuer.offline.example');
    const jwksFile = join(tmp.path, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify(offline.jwks()));
    const kubeconfig = await kube.writeKubeconfig(tmp.path, {
      user: 'token',
      fileName: 'offline.kubeconfig',
    });
    const jwksReads = kube.requestCount('/openid/v1/jwks');
    const discoveryReads = kube.requestCount('/.well-known/openid-configuration');
    const a = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--service-account-jwks-file=${jwksFile}`,
        '--service-account-issuer=https://issuer.offline.example',
        '--api-audiences=metrics-adapter',
      ]),
    );
    try {
      const reviews = kube.tokenReviewLog.length;
      const good = await offline.mint({ audiences: ['metrics-adapter'] });
      assert.equal((await call(a, pki, DISCOVERY, { headers: bearer(good) })).status, 200);
      const wrongAud = await offline.mint();
      assertStatus(await call(a, pki, DISCOVERY, { headers: bearer(wrongAud) }), 401, 'Unauthorized');
      assert.equal(kube.tokenReviewLog.length, reviews, 'no TokenReview');
      assert.equal(kube.requestCount('/openid/v1/jwks'), jwksReads);
      assert.equal(kube.requestCount('/.well-known/openid-configuration'), discoveryReads);
    } finally {
      await a.close();
    }
  });

  it('keeps working after a key rotation: an unknown kid reloads the JWKS, no TokenReview', async () => {
    const jwksReads = kube.requestCount('/openid/v1/jwks');
    const kid = await sa.addKey('ES256');
    const token = await sa.mint({ kid });
    const reviews = kube.tokenReviewLog.length;
    // The first load may be within the reload interval (10 s): until then TokenReview answers.
    const r = await call(adapter, pki, DISCOVERY, { headers: bearer(token) });
    assert.equal(r.status, 200, r.body);
    const reloaded = kube.requestCount('/openid/v1/jwks') > jwksReads;
    assert.equal(kube.tokenReviewLog.length, reloaded ? reviews : reviews + 1);
  });
});

/**
 * The adapter behind the (simulated) kube-aggregator, trusting the front proxy through the
 * cluster's kube-system/extension-apiserver-authentication ConfigMap rather than flags:
 * APIService availability, the caller's identity reaching the SubjectAccessReview, the real kubectl
 * through the aggregator, and availability turning False when the adapter stops.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { createCA, type CertificateAuthority, type IssuedCertificate } from '../helpers/certs.js';
import { startFakeAggregator, type FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { writeKubeconfigFile } from '../helpers/kubeconfig.js';
import { runKubectl } from '../helpers/kubectl.js';
import { LOOPBACK } from '../helpers/ports.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { assertStatus, sarsSince } from './support.js';

const CUSTOM = 'custom.metrics.k8s.io';
const AUTH_CONFIGMAP = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

/** Serving flags only: no client CA, no requestheader flags, no --authentication-skip-lookup. */
function servingFlags(pki: AdapterPki, kubeconfig: string, extra: string[] = []): string[] {
  return [
    '--secure-port=0',
    `--bind-address=${LOOPBACK}`,
    `--tls-cert-file=${pki.servingFiles.certFile}`,
    `--tls-private-key-file=${pki.servingFiles.keyFile}`,
    `--kubeconfig=${kubeconfig}`,
    ...extra,
  ];
}

describe('authentication settings from extension-apiserver-authentication', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let cmProxyCA: CertificateAuthority;
  let certs: Record<string, IssuedCertificate>;

  before(async () => {
    tmp = await makeTempDir('authn-configmap');
    kube = await startFakeKube();
    kube.setSarPolicy(() => ({ allowed: true }));
    pki = await createAdapterPki(tmp.path);
    cmProxyCA = await createCA('configmap-front-proxy-ca');
    // Non-default header names, so that their source is unmistakable.
    kube.setExtensionApiserverAuthentication({
      requestheaderClientCA: cmProxyCA.certPem,
      requestheaderAllowedNames: ['cm-proxy'],
      requestheaderUsernameHeaders: ['X-Test-User'],
      requestheaderGroupHeaders: ['X-Test-Group'],
      requestheaderExtraHeadersPrefix: ['X-Test-Extra-'],
    });
    certs = {
      proxy: await cmProxyCA.issue({ commonName: 'cm-proxy', usage: 'client' }),
      otherProxy: await cmProxyCA.issue({ commonName: 'other-proxy', usage: 'client' }),
      clusterUser: await kube.issueClientCertificate('carol', ['ops']),
    };
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    adapter = await startAdapter(servingFlags(pki, kubeconfig));
  });
  after(async () => {
    await adapter.close();
    await kube.close();
    await tmp.remove();
  });

  it('read the ConfigMap at start', () => {
    assert.ok(
      kube.requestLog.some((e) => e.method === 'GET' && e.path === AUTH_CONFIGMAP && e.status === 200),
    );
  });

  type Expect = 401 | { user: string; groups: string[]; extra: Record<string, string[]> };
  const cases: {
    name: string;
    cert?: () => IssuedCertificate;
    headers?: Record<string, string | string[]>;
    expect: Expect;
  }[] = [
    {
      name: 'front proxy from the ConfigMap CA with its header names',
      cert: () => certs.proxy!,
      headers: { 'X-Test-User': 'dave', 'X-Test-Group': ['g1', 'g2'], 'X-Test-Extra-Team': 'blue' },
      expect: { user: 'dave', groups: ['g1', 'g2', 'system:authenticated'], extra: { team: ['blue'] } },
    },
    {
      name: 'the default X-Remote-User is not one of them',
      cert: () => certs.proxy!,
      headers: { 'X-Remote-User': 'dave' },
      expect: 401,
    },
    {
      name: 'a CN outside the ConfigMap allowed names',
      cert: () => certs.otherProxy!,
      headers: { 'X-Test-User': 'dave' },
      expect: 401,
    },
    {
      name: 'client certificate from the ConfigMap client-ca-file',
      cert: () => certs.clusterUser!,
      expect: { user: 'carol', groups: ['ops', 'system:authenticated'], extra: {} },
    },
    { name: 'client certificate from a CA nobody configured', cert: () => pki.tester, expect: 401 },
    {
      name: 'front-proxy certificate from a CA nobody configured',
      cert: () => pki.frontProxy,
      headers: { 'X-Test-User': 'dave' },
      expect: 401,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const mark = kube.sarLog.length;
      const r = await call(adapter, pki, '/apis', {
        ...(c.cert ? { cert: c.cert() } : {}),
        headers: c.headers ?? {},
      });
      if (c.expect === 401) {
        assertStatus(r, 401, 'Unauthorized', c.name);
        return;
      }
      assert.equal(r.status, 200, r.body);
      const sars = sarsSince(kube.sarLog, mark);
      assert.equal(sars.length, 1, JSON.stringify(sars));
      assert.equal(sars[0]!.spec.user, c.expect.user);
      assert.deepEqual(sars[0]!.spec.groups, c.expect.groups);
      assert.deepEqual(sars[0]!.spec.extra ?? {}, c.expect.extra);
    });
  }
});

describe('behind the kube-aggregator', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let agg: FakeAggregator;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let aliceKubeconfig: string;
  const registrations = [
    { version: 'v1beta1', versionPriority: 100 },
    { version: 'v1beta2', versionPriority: 200 },
  ];

  before(async () => {
    tmp = await makeTempDir('aggregator');
    kube = await startFakeKube();
    kube.setSarPolicy((spec) =>
      spec.user === 'mallory' ? { allowed: false } : { allowed: true, reason: 'allowed by the test policy' },
    );
    agg = await startFakeAggregator({ clusterCA: kube.ca, availabilityIntervalMs: 0 });
    kube.setExtensionApiserverAuthentication(agg.requestHeaderAuthentication());
    pki = await createAdapterPki(tmp.path);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    // --client-ca-file is given (and wins over the ConfigMap's); every requestheader setting comes
    // from the ConfigMap.
    adapter = await startAdapter(servingFlags(pki, kubeconfig, [`--client-ca-file=${pki.clientCAFile}`]));
    aliceKubeconfig = await agg.writeKubeconfig(tmp.path, {
      commonName: 'alice',
      organizations: ['devs'],
      fileName: 'alice.kubeconfig',
    });
  });
  after(async () => {
    await adapter.close();
    await agg.close();
    await kube.close();
    await tmp.remove();
  });

  it('APIServices for v1beta1 and v1beta2 (caBundle = serving CA) become Available', async () => {
    const mark = kube.sarLog.length;
    for (const r of registrations) {
      const name = `${r.version}.${CUSTOM}`;
      const result = await agg.registerAPIService({
        name,
        group: CUSTOM,
        version: r.version,
        groupPriorityMinimum: 100,
        versionPriority: r.versionPriority,
        serviceURL: adapter.url,
        caBundlePem: pki.servingCA.certPem,
      });
      assert.deepEqual(result, { available: true, reason: 'Passed', message: 'all checks passed' });
      const status = agg.getAPIService(name)?.status as { conditions: { type: string; status: string }[] };
      assert.deepEqual(
        status.conditions.map((c) => [c.type, c.status]),
        [['Available', 'True']],
      );
    }
    // The availability probes reached the adapter as the aggregator's identity.
    const probes = sarsSince(kube.sarLog, mark);
    assert.ok(probes.length >= 1);
    for (const e of probes) {
      assert.equal(e.spec.user, 'system:kube-aggregator');
      assert.deepEqual(e.spec.groups, ['system:masters', 'system:authenticated']);
    }
  });

  it('kubectl get --raw through the aggregator reaches the adapter as the kubectl user', async () => {
    const mark = kube.sarLog.length;
    for (const version of ['v1beta1', 'v1beta2']) {
      const res = await runKubectl(['get', '--raw', `/apis/${CUSTOM}/${version}`], {
        kubeconfig: aliceKubeconfig,
      });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${CUSTOM}/${version}`,
        resources: [],
      });
    }
    const sars = sarsSince(kube.sarLog, mark);
    assert.equal(sars.length, 2, JSON.stringify(sars));
    for (const e of sars) {
      assert.equal(e.spec.user, 'alice');
      assert.deepEqual(e.spec.groups, ['devs', 'system:authenticated']);
      assert.ok(!JSON.stringify(e.spec).includes('front-proxy-client'));
    }
    assert.deepEqual(
      sars.map((e) => e.spec.nonResourceAttributes?.path),
      [`/apis/${CUSTOM}/v1beta1`, `/apis/${CUSTOM}/v1beta2`],
    );
    // The aggregator's own discovery of the group prefers v1beta2 (its higher versionPriority).
    const group = await runKubectl(['get', '--raw', `/apis/${CUSTOM}`], { kubeconfig: aliceKubeconfig });
    assert.equal(group.code, 0, group.stderr);
    assert.equal(
      (JSON.parse(group.stdout) as { preferredVersion: { version: string } }).preferredVersion.version,
      'v1beta2',
    );
  });

  it('extra attributes of a token user survive the header escaping', async () => {
    agg.setToken('robot-token', {
      username: 'system:serviceaccount:monitoring:hpa',
      groups: ['system:serviceaccounts'],
      extra: { 'authentication.kubernetes.io/pod-name': ['hpa-0'], scopes: ['a', 'b'] },
    });
    const kubeconfig = await writeKubeconfigFile(tmp.path, 'robot.kubeconfig', {
      server: agg.url,
      caPem: agg.caPem,
      credentials: { token: 'robot-token' },
    });
    const mark = kube.sarLog.length;
    const path = `/apis/${CUSTOM}/v1beta2/namespaces/monitoring/pods/*/http_requests`;
    const res = await runKubectl(['get', '--raw', path], { kubeconfig });
    // Authorized; the metric does not exist.
    assert.match(res.stderr, /NotFound|not find/);
    const sars = sarsSince(kube.sarLog, mark);
    assert.equal(sars.length, 1, JSON.stringify(sars));
    assert.equal(sars[0]!.spec.user, 'system:serviceaccount:monitoring:hpa');
    assert.deepEqual(sars[0]!.spec.groups, ['system:serviceaccounts', 'system:authenticated']);
    assert.deepEqual(sars[0]!.spec.extra, {
      'authentication.kubernetes.io/pod-name': ['hpa-0'],
      scopes: ['a', 'b'],
    });
    assert.deepEqual(sars[0]!.spec.resourceAttributes, {
      namespace: 'monitoring',
      verb: 'get',
      group: CUSTOM,
      version: 'v1beta2',
      resource: 'pods',
      subresource: 'http_requests',
      name: '*',
    });
  });

  it('a denied caller sees the Forbidden message through the aggregator', async () => {
    const kubeconfig = await agg.writeKubeconfig(tmp.path, {
      commonName: 'mallory',
      fileName: 'mallory.kubeconfig',
    });
    const res = await runKubectl(
      ['get', '--raw', `/apis/${CUSTOM}/v1beta1/namespaces/default/pods/*/http_requests`],
      {
        kubeconfig,
      },
    );
    assert.notEqual(res.code, 0);
    assert.ok(
      res.stderr.includes(
        `Error from server (Forbidden): pods.${CUSTOM} "*" is forbidden: User "mallory" cannot get resource "pods/http_requests" in API group "${CUSTOM}" in the namespace "default"`,
      ),
      res.stderr,
    );
  });

  it('cluster certificates are not trusted directly: --client-ca-file wins over the ConfigMap', async () => {
    const clusterUser = await kube.issueClientCertificate('alice', ['devs']);
    assertStatus(await call(adapter, pki, '/apis', { cert: clusterUser }), 401, 'Unauthorized');
    assert.equal((await call(adapter, pki, '/apis', { cert: pki.tester })).status, 200);
    // The aggregator's front-proxy certificate, straight from the test, with headers.
    const r = await call(adapter, pki, '/apis', {
      cert: agg.frontProxyClient,
      headers: { 'X-Remote-User': 'erin', 'X-Remote-Group': 'ops' },
    });
    assert.equal(r.status, 200, r.body);
  });

  it('with the adapter stopped, availability turns False and requests get 503', async () => {
    await adapter.close();
    for (const r of registrations) {
      const name = `${r.version}.${CUSTOM}`;
      const result = await agg.checkAvailability(name);
      assert.equal(result.available, false);
      assert.equal(result.reason, 'FailedDiscoveryCheck');
      assert.match(result.message, /connection refused/);
      const status = agg.getAPIService(name)?.status as { conditions: { type: string; status: string }[] };
      assert.deepEqual(
        status.conditions.map((c) => [c.type, c.status]),
        [['Available', 'False']],
      );
    }
    const res = await runKubectl(['get', '--raw', `/apis/${CUSTOM}/v1beta1`], {
      kubeconfig: aliceKubeconfig,
    });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /ServiceUnavailable|service unavailable|unable to handle the request/);
  });
});

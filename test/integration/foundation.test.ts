/**
 * The adapter's foundation as an aggregated API server, in-process from real flags, with real TLS
 * and a PKI generated for the run, against the simulated kube-apiserver (SubjectAccessReview):
 * discovery, health, OpenAPI, self metrics, Status errors, authentication, authorization, and the
 * real kubectl talking to the adapter directly.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { createCA, type IssuedCertificate } from '../helpers/certs.js';
import { startFakeKube, type FakeKube, type SarDecision } from '../helpers/fake-kube.js';
import { writeKubeconfigFile } from '../helpers/kubeconfig.js';
import { runKubectl } from '../helpers/kubectl.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { assertStatus, sarsSince, waitUntil, withoutEmpty } from './support.js';

const CUSTOM = 'custom.metrics.k8s.io';
const EXTERNAL = 'external.metrics.k8s.io';
const RESOURCE = 'metrics.k8s.io';
const HOUR = 3_600_000;

const gv = (group: string, version: string): { groupVersion: string; version: string } => ({
  groupVersion: `${group}/${version}`,
  version,
});

/** What a kube-apiserver would answer for these groups (preferred version first). */
const EXPECTED_GROUPS = [
  {
    name: CUSTOM,
    versions: [gv(CUSTOM, 'v1beta2'), gv(CUSTOM, 'v1beta1')],
    preferredVersion: gv(CUSTOM, 'v1beta2'),
  },
  { name: EXTERNAL, versions: [gv(EXTERNAL, 'v1beta1')], preferredVersion: gv(EXTERNAL, 'v1beta1') },
  { name: RESOURCE, versions: [gv(RESOURCE, 'v1beta1')], preferredVersion: gv(RESOURCE, 'v1beta1') },
];
const GROUP_VERSIONS: [string, string][] = [
  [CUSTOM, 'v1beta1'],
  [CUSTOM, 'v1beta2'],
  [EXTERNAL, 'v1beta1'],
  [RESOURCE, 'v1beta1'],
];

/** Users the fake kube-apiserver's SubjectAccessReview denies; everyone else is allowed. */
const DENY: Record<string, SarDecision> = {
  mallory: { allowed: false },
  eve: { allowed: false, reason: 'no RBAC policy matched' },
};

interface World {
  tmp: TempDir;
  kube: FakeKube;
  pki: AdapterPki;
  kubeconfig: string;
  /** Client-CA certificates by user. */
  users: Record<string, IssuedCertificate>;
}

async function makeWorld(prefix: string): Promise<World> {
  const tmp = await makeTempDir(prefix);
  const kube = await startFakeKube();
  kube.setSarPolicy(
    (spec) => DENY[spec.user ?? ''] ?? { allowed: true, reason: 'allowed by the test policy' },
  );
  const pki = await createAdapterPki(tmp.path);
  const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
  const users: Record<string, IssuedCertificate> = {};
  for (const [name, orgs] of [
    ['mallory', ['outsiders']],
    ['eve', []],
    ['dora', ['team-a', 'team-b']],
    ['auditor', ['auditors']],
    ['cachey', []],
    ['flaky', []],
  ] as const) {
    users[name] = await pki.clientCA.issue({ commonName: name, organizations: [...orgs], usage: 'client' });
  }
  return { tmp, kube, pki, kubeconfig, users };
}

async function closeWorld(w: World | undefined): Promise<void> {
  await w?.kube.close();
  await w?.tmp.remove();
}

describe('foundation', () => {
  let w: World;
  let adapter: InProcessAdapter;
  let startedAt = 0;
  let firstDiscoveryMs = -1;

  before(async () => {
    w = await makeWorld('foundation');
    adapter = await startAdapter(
      baseFlags(w.pki, [`--kubeconfig=${w.kubeconfig}`, '--authentication-skip-lookup']),
    );
    startedAt = Date.now();
    // Discovery must answer at once: the first request right after start, no rules, no data.
    const r = await call(adapter, w.pki, `/apis/${CUSTOM}/v1beta2`, { cert: w.pki.tester });
    assert.equal(r.status, 200, r.body);
    firstDiscoveryMs = Date.now() - startedAt;
  });
  after(async () => {
    await adapter.close();
    await closeWorld(w);
  });

  describe('discovery', () => {
    it('answers the first request at once (no rules, no data)', () => {
      assert.ok(
        firstDiscoveryMs >= 0 && firstDiscoveryMs < 2_000,
        `first discovery after ${firstDiscoveryMs} ms`,
      );
    });

    it('/apis is the APIGroupList of the three groups, custom.metrics preferring v1beta2', async () => {
      const r = await call(adapter, w.pki, '/apis', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.deepEqual(r.json(), { kind: 'APIGroupList', apiVersion: 'v1', groups: EXPECTED_GROUPS });
    });

    for (const group of EXPECTED_GROUPS) {
      it(`/apis/${group.name} is its APIGroup`, async () => {
        const r = await call(adapter, w.pki, `/apis/${group.name}`, { cert: w.pki.tester });
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(r.json(), { kind: 'APIGroup', apiVersion: 'v1', ...group });
      });
    }

    // With no rules (no metrics yet), custom and external discovery are empty; metrics.k8s.io
    // always lists nodes and pods (the kubelet scraper or resourceRules answer them).
    const RESOURCE_METRICS = [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ];
    for (const [group, version] of GROUP_VERSIONS) {
      const resources = group === 'metrics.k8s.io' ? RESOURCE_METRICS : [];
      it(`/apis/${group}/${version} is an APIResourceList (${resources.length} resources)`, async () => {
        const r = await call(adapter, w.pki, `/apis/${group}/${version}`, { cert: w.pki.tester });
        assert.equal(r.status, 200, r.body);
        assert.match(String(r.headers['content-type']), /^application\/json/);
        assert.deepEqual(r.json(), {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: `${group}/${version}`,
          resources,
        });
      });
    }

    it('?pretty=true indents the same document', async () => {
      const r = await call(adapter, w.pki, '/apis?pretty=true', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body);
      assert.ok(r.body.includes('\n  "kind": "APIGroupList"'), r.body.slice(0, 100));
      assert.deepEqual(r.json(), { kind: 'APIGroupList', apiVersion: 'v1', groups: EXPECTED_GROUPS });
    });

    it('GET / lists the served paths', async () => {
      const r = await call(adapter, w.pki, '/', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body);
      const { paths } = r.json<{ paths: string[] }>();
      for (const p of [
        '/apis',
        `/apis/${CUSTOM}`,
        `/apis/${CUSTOM}/v1beta1`,
        `/apis/${CUSTOM}/v1beta2`,
        `/apis/${EXTERNAL}/v1beta1`,
        `/apis/${RESOURCE}/v1beta1`,
        '/healthz',
        '/livez',
        '/readyz',
        '/metrics',
        '/openapi/v2',
        '/openapi/v3',
      ]) {
        assert.ok(paths.includes(p), `${p} missing from ${JSON.stringify(paths)}`);
      }
      // Old aggregators probe GET / without a certificate: any HTTP answer counts.
      assertStatus(await call(adapter, w.pki, '/'), 401, 'Unauthorized', 'anonymous GET /');
    });

    const unknown = [
      '/apis/example.com',
      '/apis/example.com/v1',
      `/apis/${CUSTOM}/v1`,
      `/apis/${CUSTOM}/v1beta3`,
      `/apis/${EXTERNAL}/v1beta2`,
      `/apis/${RESOURCE}/v1`,
      '/api',
      '/api/v1',
      '/nope',
    ];
    for (const path of unknown) {
      it(`${path} is a 404 Status`, async () => {
        const s = assertStatus(
          await call(adapter, w.pki, path, { cert: w.pki.tester }),
          404,
          'NotFound',
          path,
        );
        assert.equal(s.message, 'the server could not find the requested resource');
      });
    }
  });

  describe('health', () => {
    before(async () => {
      await waitUntil('readyz', async () => (await call(adapter, w.pki, '/readyz')).status === 200);
    });

    const cases: { path: string; status: number; body: string }[] = [
      { path: '/healthz', status: 200, body: 'ok' },
      { path: '/livez', status: 200, body: 'ok' },
      { path: '/readyz', status: 200, body: 'ok' },
      {
        path: '/healthz?verbose',
        status: 200,
        body: '[+]ping ok\n[+]serving-certificate ok\nhealthz check passed\n',
      },
      {
        path: '/livez?verbose=1',
        status: 200,
        body: '[+]ping ok\n[+]serving-certificate ok\nlivez check passed\n',
      },
      {
        path: '/readyz?verbose',
        status: 200,
        body: '[+]ping ok\n[+]serving-certificate ok\n[+]shutdown ok\n[+]metric-catalog ok\n[+]kubelet-data ok\nreadyz check passed\n',
      },
      {
        path: '/readyz?verbose&exclude=metric-catalog',
        status: 200,
        body: '[+]ping ok\n[+]serving-certificate ok\n[+]shutdown ok\n[+]metric-catalog excluded: ok\n[+]kubelet-data ok\nreadyz check passed\n',
      },
      {
        path: '/readyz?verbose&exclude=ping&exclude=shutdown',
        status: 200,
        body: '[+]ping excluded: ok\n[+]serving-certificate ok\n[+]shutdown excluded: ok\n[+]metric-catalog ok\n[+]kubelet-data ok\nreadyz check passed\n',
      },
      { path: '/readyz?exclude=ping', status: 200, body: 'ok' },
    ];
    // Like the generic apiserver, only the exact default paths skip authorization: single checks
    // are asked for by an authorized caller.
    const single: { path: string; status: number; body: string }[] = [
      { path: '/readyz/ping', status: 200, body: 'ok' },
      { path: '/readyz/shutdown', status: 200, body: 'ok' },
      { path: '/readyz/metric-catalog', status: 200, body: 'ok' },
      { path: '/livez/ping', status: 200, body: 'ok' },
      { path: '/healthz/serving-certificate', status: 200, body: 'ok' },
      { path: '/readyz/nope', status: 404, body: '404 page not found\n' },
      { path: '/livez/shutdown', status: 404, body: '404 page not found\n' },
    ];

    it('answers without credentials, with named checks, ?verbose and ?exclude=; no SAR', async () => {
      const mark = w.kube.sarLog.length;
      for (const c of cases) {
        const r = await call(adapter, w.pki, c.path);
        assert.equal(r.status, c.status, `${c.path}: ${r.body}`);
        assert.equal(r.body, c.body, c.path);
        assert.match(String(r.headers['content-type']), /^text\/plain/, c.path);
      }
      // With a client certificate, or one nobody trusts, the answer is the same.
      const stranger = await (await createCA('stranger-ca')).issue({ commonName: 'x', usage: 'client' });
      for (const cert of [w.pki.tester, stranger]) {
        const r = await call(adapter, w.pki, '/healthz', { cert });
        assert.equal(r.status, 200, r.body);
      }
      assert.deepEqual(
        sarsSince(w.kube.sarLog, mark),
        [],
        'health endpoints must not send SubjectAccessReviews',
      );
    });

    it('/<endpoint>/<check> answers one check (authorized caller; anonymous is 401)', async () => {
      for (const c of single) {
        const r = await call(adapter, w.pki, c.path, { cert: w.pki.tester });
        assert.equal(r.status, c.status, `${c.path}: ${r.body}`);
        assert.equal(r.body, c.body, c.path);
      }
      assertStatus(await call(adapter, w.pki, '/readyz/ping'), 401, 'Unauthorized');
    });
  });

  describe('OpenAPI and self metrics', () => {
    it('/openapi/v2 is a Swagger 2.0 document of the served paths', async () => {
      const r = await call(adapter, w.pki, '/openapi/v2', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body.slice(0, 200));
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const doc = r.json<{
        swagger: string;
        info: { title: string; version: string };
        paths: object;
        definitions: object;
      }>();
      assert.equal(doc.swagger, '2.0');
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      const paths = Object.keys(doc.paths);
      assert.ok(
        paths.some((p) => p.startsWith(`/apis/${CUSTOM}/v1beta1/`)),
        paths.join(' '),
      );
      assert.ok(
        paths.some((p) => p.startsWith(`/apis/${CUSTOM}/v1beta2/`)),
        paths.join(' '),
      );
      assert.ok(Object.keys(doc.definitions).length > 0);
    });

    it('/openapi/v3 links one OpenAPI 3 document per group-version, each served with its hash as ETag', async () => {
      const r = await call(adapter, w.pki, '/openapi/v3', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body.slice(0, 200));
      const root = r.json<{ paths: Record<string, { serverRelativeURL: string }> }>();
      for (const [group, version] of [
        [CUSTOM, 'v1beta1'],
        [CUSTOM, 'v1beta2'],
      ]) {
        assert.ok(root.paths[`apis/${group}/${version}`] !== undefined, JSON.stringify(root));
      }
      assert.ok(Object.keys(root.paths).length <= 10);
      for (const [key, { serverRelativeURL }] of Object.entries(root.paths)) {
        assert.match(
          serverRelativeURL,
          new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]+$`),
        );
        const doc = await call(adapter, w.pki, serverRelativeURL, { cert: w.pki.tester });
        assert.equal(doc.status, 200, `${serverRelativeURL}: ${doc.body.slice(0, 200)}`);
        assert.equal(doc.headers.etag, `"${serverRelativeURL.split('hash=')[1] ?? ''}"`);
        const v3 = doc.json<{
          openapi: string;
          info: { title: string };
          paths: object;
          components: { schemas: object };
        }>();
        assert.match(v3.openapi, /^3\.0\.\d+$/);
        assert.equal(typeof v3.info.title, 'string');
        assert.ok(Object.keys(v3.paths).length > 0, key);
        assert.ok(Object.keys(v3.components.schemas).length > 0, key);
      }
    });

    it('/metrics is Prometheus text for an authorized user, 401 for anonymous', async () => {
      const r = await call(adapter, w.pki, '/metrics', { cert: w.pki.tester });
      assert.equal(r.status, 200, r.body.slice(0, 200));
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.match(r.body, /^# HELP metrics_adapter_requests_total /m);
      assert.match(r.body, /^# TYPE metrics_adapter_requests_total counter$/m);
      assert.match(r.body, /^metrics_adapter_requests_total\{route="discovery",code="200"\} [1-9]\d*$/m);
      assert.match(r.body, /^metrics_adapter_serving_certificate_expiration_timestamp_seconds \d+/m);
      assertStatus(await call(adapter, w.pki, '/metrics'), 401, 'Unauthorized', 'anonymous /metrics');
    });
  });

  describe('errors are metav1.Status', () => {
    type Who = 'anonymous' | 'tester' | 'mallory' | 'eve';
    const cert = (who: Who): IssuedCertificate | undefined =>
      who === 'anonymous' ? undefined : who === 'tester' ? w.pki.tester : w.users[who];
    const pods = `/apis/${CUSTOM}/v1beta1/namespaces/default/pods/%2A/http_requests`;
    const cases: {
      who: Who;
      path: string;
      method?: string;
      code: number;
      reason: string;
      message?: string;
      details?: object;
    }[] = [
      ...[
        '/apis',
        `/apis/${CUSTOM}`,
        `/apis/${CUSTOM}/v1beta1`,
        pods,
        `/apis/${EXTERNAL}/v1beta1/namespaces/q/depth`,
        '/metrics',
        '/openapi/v2',
        '/openapi/v3',
        '/nope',
      ].map((path) => ({
        who: 'anonymous' as const,
        path,
        code: 401,
        reason: 'Unauthorized',
        message: 'Unauthorized',
      })),
      {
        who: 'mallory',
        path: '/apis',
        code: 403,
        reason: 'Forbidden',
        message: 'forbidden: User "mallory" cannot get path "/apis"',
      },
      {
        who: 'eve',
        path: `/apis/${CUSTOM}`,
        code: 403,
        reason: 'Forbidden',
        message: `forbidden: User "eve" cannot get path "/apis/${CUSTOM}": no RBAC policy matched`,
      },
      {
        who: 'mallory',
        path: pods,
        code: 403,
        reason: 'Forbidden',
        message: `pods.${CUSTOM} "*" is forbidden: User "mallory" cannot get resource "pods/http_requests" in API group "${CUSTOM}" in the namespace "default"`,
        details: { group: CUSTOM, kind: 'pods', name: '*' },
      },
      {
        who: 'mallory',
        path: `/apis/${CUSTOM}/v1beta2/nodes/node-1/node_load`,
        code: 403,
        reason: 'Forbidden',
        message: `nodes.${CUSTOM} "node-1" is forbidden: User "mallory" cannot get resource "nodes/node_load" in API group "${CUSTOM}" at the cluster scope`,
        details: { group: CUSTOM, kind: 'nodes', name: 'node-1' },
      },
      {
        who: 'mallory',
        path: `/apis/${EXTERNAL}/v1beta1/namespaces/queue/queue_depth`,
        code: 403,
        reason: 'Forbidden',
        message: `queue_depth.${EXTERNAL} is forbidden: User "mallory" cannot list resource "queue_depth" in API group "${EXTERNAL}" in the namespace "queue"`,
        details: { group: EXTERNAL, kind: 'queue_depth' },
      },
      { who: 'tester', path: '/apis/example.com', code: 404, reason: 'NotFound' },
      { who: 'tester', path: `/apis/${CUSTOM}/v1`, code: 404, reason: 'NotFound' },
      { who: 'tester', path: '/openapi/v3/apis/example.com/v1', code: 404, reason: 'NotFound' },
      {
        who: 'tester',
        path: `/apis/${CUSTOM}/v1beta1/namespaces/default/pods/%2A/no_such_metric`,
        code: 404,
        reason: 'NotFound',
      },
      {
        who: 'tester',
        path: `/apis/${CUSTOM}/v1beta1/namespaces/%ZZ/pods/%2A/http_requests`,
        code: 400,
        reason: 'BadRequest',
      },
      { who: 'tester', path: '/apis/%ZZ', code: 400, reason: 'BadRequest' },
      {
        who: 'tester',
        path: `/apis/${CUSTOM}/v1beta1/namespaces/Not_A_Namespace/pods/%2A/x`,
        code: 400,
        reason: 'BadRequest',
      },
      { who: 'tester', path: `${pods}?labelSelector=app%20in%20(`, code: 400, reason: 'BadRequest' },
      ...['POST', 'PUT', 'DELETE', 'PATCH'].flatMap((method) =>
        [`/apis/${CUSTOM}/v1beta1`, pods, '/apis'].map((path) => ({
          who: 'tester' as const,
          path,
          method,
          code: 405,
          reason: 'MethodNotAllowed',
        })),
      ),
    ];
    for (const c of cases) {
      it(`${c.method ?? 'GET'} ${c.path} as ${c.who} → ${c.code} ${c.reason}`, async () => {
        const user = cert(c.who);
        const r = await call(adapter, w.pki, c.path, {
          ...(user ? { cert: user } : {}),
          method: c.method ?? 'GET',
        });
        const s = assertStatus(r, c.code, c.reason, `${c.method ?? 'GET'} ${c.path}`);
        if (c.message !== undefined) assert.equal(s.message, c.message);
        if (c.details !== undefined) assert.deepEqual(s.details, c.details);
      });
    }
  });

  describe('authentication', () => {
    const identity = {
      'X-Remote-User': 'alice',
      'X-Remote-Group': ['devs', 'ops'],
      'X-Remote-Extra-Scopes': ['view', 'edit'],
      'X-Remote-Extra-Acme.com%2Fproject': 'p1',
      'X-Remote-Extra-Reason%20Code': 'maintenance',
    };
    let certs: Record<string, IssuedCertificate> = {};
    before(async () => {
      const stranger = await createCA('stranger-ca');
      certs = {
        stranger: await stranger.issue({ commonName: 'front-proxy-client', usage: 'client' }),
        rogueProxy: await w.pki.frontProxyCA.issue({ commonName: 'rogue-proxy', usage: 'client' }),
        expired: await w.pki.clientCA.issue({
          commonName: 'tester',
          organizations: ['testers'],
          usage: 'client',
          notBefore: new Date(Date.now() - 48 * HOUR),
          notAfter: new Date(Date.now() - 24 * HOUR),
        }),
        notYetValid: await w.pki.clientCA.issue({
          commonName: 'tester',
          usage: 'client',
          notBefore: new Date(Date.now() + 24 * HOUR),
          notAfter: new Date(Date.now() + 48 * HOUR),
        }),
        expiredProxy: await w.pki.frontProxyCA.issue({
          commonName: 'front-proxy-client',
          usage: 'client',
          notBefore: new Date(Date.now() - 48 * HOUR),
          notAfter: new Date(Date.now() - 24 * HOUR),
        }),
        serverOnly: await w.pki.clientCA.issue({ commonName: 'tester', usage: 'server' }),
      };
    });

    type Expect = 401 | { user: string; groups: string[]; extra: Record<string, string[]> };
    const tester: Expect = { user: 'tester', groups: ['testers', 'system:authenticated'], extra: {} };
    const cases: {
      name: string;
      cert?: () => IssuedCertificate;
      headers?: Record<string, string | string[]>;
      expect: Expect;
    }[] = [
      { name: '(a) client-CA certificate: user = CN, groups = O', cert: () => w.pki.tester, expect: tester },
      {
        name: '(a) several O attributes are several groups',
        cert: () => w.users.dora!,
        expect: { user: 'dora', groups: ['team-a', 'team-b', 'system:authenticated'], extra: {} },
      },
      {
        name: '(b) front-proxy certificate + X-Remote-* headers',
        cert: () => w.pki.frontProxy,
        headers: identity,
        expect: {
          user: 'alice',
          groups: ['devs', 'ops', 'system:authenticated'],
          extra: { scopes: ['view', 'edit'], 'acme.com/project': ['p1'], 'reason code': ['maintenance'] },
        },
      },
      {
        name: '(b) front-proxy: system:authenticated is not doubled',
        cert: () => w.pki.frontProxy,
        headers: { 'X-Remote-User': 'bob', 'X-Remote-Group': ['system:authenticated', 'devs'] },
        expect: { user: 'bob', groups: ['system:authenticated', 'devs'], extra: {} },
      },
      {
        name: '(c) identity headers with a client-CA certificate are ignored',
        cert: () => w.pki.tester,
        headers: identity,
        expect: tester,
      },
      {
        name: '(d) identity headers with a certificate from an unknown CA',
        cert: () => certs.stranger!,
        headers: identity,
        expect: 401,
      },
      {
        name: '(e) front-proxy CA certificate with a CN not in --requestheader-allowed-names',
        cert: () => certs.rogueProxy!,
        headers: identity,
        expect: 401,
      },
      { name: '(f) identity headers without any certificate', headers: identity, expect: 401 },
      { name: '(g) expired client certificate', cert: () => certs.expired!, expect: 401 },
      { name: 'client certificate not valid yet', cert: () => certs.notYetValid!, expect: 401 },
      {
        name: 'expired front-proxy certificate',
        cert: () => certs.expiredProxy!,
        headers: identity,
        expect: 401,
      },
      {
        name: 'front-proxy certificate without a user header',
        cert: () => w.pki.frontProxy,
        headers: { 'X-Remote-Group': 'devs' },
        expect: 401,
      },
      {
        name: 'client-CA certificate without the clientAuth usage',
        cert: () => certs.serverOnly!,
        expect: 401,
      },
    ];
    cases.forEach((c, i) => {
      it(c.name, async () => {
        // A path of its own per case, so no cached decision hides the SubjectAccessReview.
        const path = `/apis/${CUSTOM}/v1beta1/namespaces/default/pods/%2A/authn_case_${i}`;
        const mark = w.kube.sarLog.length;
        const r = await call(adapter, w.pki, path, {
          ...(c.cert ? { cert: c.cert() } : {}),
          headers: c.headers ?? {},
        });
        const sars = sarsSince(w.kube.sarLog, mark);
        if (c.expect === 401) {
          assertStatus(r, 401, 'Unauthorized', c.name);
          assert.deepEqual(sars, []);
          return;
        }
        // Authenticated and authorized; the metric itself does not exist.
        assertStatus(r, 404, 'NotFound', c.name);
        assert.equal(sars.length, 1, JSON.stringify(sars));
        const spec = sars[0]!.spec;
        assert.equal(spec.user, c.expect.user);
        assert.deepEqual(spec.groups, c.expect.groups);
        assert.deepEqual(spec.extra ?? {}, c.expect.extra);
        assert.equal(spec.uid, undefined);
      });
    });
  });

  describe('authorization', () => {
    const attributeCases: {
      path: string;
      resource?: Record<string, string>;
      nonResource?: Record<string, string>;
    }[] = [
      {
        path: `/apis/${CUSTOM}/v1beta1/namespaces/default/pods/%2A/http_requests`,
        resource: {
          namespace: 'default',
          verb: 'get',
          group: CUSTOM,
          version: 'v1beta1',
          resource: 'pods',
          subresource: 'http_requests',
          name: '*',
        },
      },
      {
        path: `/apis/${CUSTOM}/v1beta2/namespaces/default/pods/web-1/http_requests?metricLabelSelector=verb%3DGET`,
        resource: {
          namespace: 'default',
          verb: 'get',
          group: CUSTOM,
          version: 'v1beta2',
          resource: 'pods',
          subresource: 'http_requests',
          name: 'web-1',
        },
      },
      {
        path: `/apis/${CUSTOM}/v1beta1/namespaces/default/deployments.apps/web/http_requests`,
        resource: {
          namespace: 'default',
          verb: 'get',
          group: CUSTOM,
          version: 'v1beta1',
          resource: 'deployments.apps',
          subresource: 'http_requests',
          name: 'web',
        },
      },
      {
        path: `/apis/${CUSTOM}/v1beta1/nodes/node-1/node_load`,
        resource: {
          verb: 'get',
          group: CUSTOM,
          version: 'v1beta1',
          resource: 'nodes',
          subresource: 'node_load',
          name: 'node-1',
        },
      },
      {
        path: `/apis/${CUSTOM}/v1beta2/namespaces/default/metrics/queue_depth`,
        resource: {
          namespace: 'default',
          verb: 'get',
          group: CUSTOM,
          version: 'v1beta2',
          resource: 'metrics',
          name: 'queue_depth',
        },
      },
      {
        path: `/apis/${EXTERNAL}/v1beta1/namespaces/queue/queue_depth?labelSelector=queue%3Dorders`,
        resource: {
          namespace: 'queue',
          verb: 'list',
          group: EXTERNAL,
          version: 'v1beta1',
          resource: 'queue_depth',
        },
      },
      {
        path: `/apis/${RESOURCE}/v1beta1/namespaces/default/pods`,
        resource: {
          namespace: 'default',
          verb: 'list',
          group: RESOURCE,
          version: 'v1beta1',
          resource: 'pods',
        },
      },
      {
        path: `/apis/${RESOURCE}/v1beta1/namespaces/default/pods/web-1`,
        resource: {
          namespace: 'default',
          verb: 'get',
          group: RESOURCE,
          version: 'v1beta1',
          resource: 'pods',
          name: 'web-1',
        },
      },
      {
        path: `/apis/${RESOURCE}/v1beta1/nodes?watch=true`,
        resource: { verb: 'watch', group: RESOURCE, version: 'v1beta1', resource: 'nodes' },
      },
      { path: '/apis', nonResource: { path: '/apis', verb: 'get' } },
      { path: `/apis/${CUSTOM}`, nonResource: { path: `/apis/${CUSTOM}`, verb: 'get' } },
      { path: `/apis/${CUSTOM}/v1beta1`, nonResource: { path: `/apis/${CUSTOM}/v1beta1`, verb: 'get' } },
      {
        path: `/apis/${RESOURCE}/v1beta1?pretty=1`,
        nonResource: { path: `/apis/${RESOURCE}/v1beta1`, verb: 'get' },
      },
      { path: '/openapi/v2', nonResource: { path: '/openapi/v2', verb: 'get' } },
      { path: '/metrics', nonResource: { path: '/metrics', verb: 'get' } },
      { path: '/', nonResource: { path: '/', verb: 'get' } },
    ];
    for (const c of attributeCases) {
      it(`GET ${c.path} → SubjectAccessReview ${c.resource ? 'resourceAttributes' : 'nonResourceAttributes'}`, async () => {
        const mark = w.kube.sarLog.length;
        const r = await call(adapter, w.pki, c.path, { cert: w.users.auditor! });
        assert.ok(r.status !== 401 && r.status !== 403 && r.status < 500, `${r.status} ${r.body}`);
        const sars = sarsSince(w.kube.sarLog, mark);
        assert.equal(sars.length, 1, JSON.stringify(sars));
        const spec = sars[0]!.spec;
        assert.equal(spec.user, 'auditor');
        assert.deepEqual(spec.groups, ['auditors', 'system:authenticated']);
        if (c.resource) {
          assert.equal(spec.nonResourceAttributes, undefined);
          assert.deepEqual(withoutEmpty(spec.resourceAttributes), c.resource);
        } else {
          assert.equal(spec.resourceAttributes, undefined);
          assert.deepEqual(spec.nonResourceAttributes, c.nonResource);
        }
      });
    }

    it('caches allowed and denied decisions; another question asks again', async () => {
      const ask = async (user: string, path: string, status: number): Promise<void> => {
        const r = await call(adapter, w.pki, path, { cert: w.users[user]! });
        assert.equal(r.status, status, `${user} ${path}: ${r.body}`);
      };
      let mark = w.kube.sarLog.length;
      for (let i = 0; i < 3; i++) await ask('cachey', `/apis/${CUSTOM}/v1beta1`, 200);
      assert.equal(sarsSince(w.kube.sarLog, mark).length, 1, 'allowed decision cached');

      mark = w.kube.sarLog.length;
      for (let i = 0; i < 3; i++) await ask('mallory', `/apis/${RESOURCE}/v1beta1`, 403);
      const denied = sarsSince(w.kube.sarLog, mark);
      assert.equal(denied.length, 1, 'denied decision cached');
      assert.equal(denied[0]!.status.allowed, false);

      mark = w.kube.sarLog.length;
      await ask('cachey', `/apis/${CUSTOM}/v1beta2`, 200);
      await ask('mallory', `/apis/${EXTERNAL}/v1beta1`, 403);
      assert.equal(sarsSince(w.kube.sarLog, mark).length, 2, 'a different path is a different question');
    });

    it('a failing SubjectAccessReview is a 500 Status, not cached, and the server keeps serving', async () => {
      const path = `/apis/${EXTERNAL}/v1beta1`;
      w.kube.failNext('/apis/authorization.k8s.io/v1/subjectaccessreviews', 500, 1, 'etcd is on fire');
      const failed = await call(adapter, w.pki, path, { cert: w.users.flaky! });
      const s = assertStatus(failed, 500, 'InternalError', 'failed SAR');
      assert.ok(!s.message.includes('etcd'), 'upstream details stay in the log');
      const mark = w.kube.sarLog.length;
      const again = await call(adapter, w.pki, path, { cert: w.users.flaky! });
      assert.equal(again.status, 200, again.body);
      assert.equal(sarsSince(w.kube.sarLog, mark).length, 1, 'the failure was not cached');

      w.kube.failNext('/apis/authorization.k8s.io/v1/subjectaccessreviews', 503, 1);
      assertStatus(
        await call(adapter, w.pki, `/apis/${CUSTOM}`, { cert: w.users.flaky! }),
        500,
        'InternalError',
      );
      assert.equal((await call(adapter, w.pki, '/healthz')).status, 200);
    });
  });

  describe('kubectl against the adapter directly', () => {
    const kubeconfigFor = (name: string, cert: IssuedCertificate): Promise<string> =>
      writeKubeconfigFile(w.tmp.path, `${name}.kubeconfig`, {
        server: adapter.url,
        caPem: w.pki.servingCA.certPem,
        credentials: { clientCertPem: cert.certPem, clientKeyPem: cert.keyPem },
        userName: name,
      });

    it('get --raw with a client-CA certificate', async () => {
      const kubeconfig = await kubeconfigFor('tester', w.pki.tester);
      const mark = w.kube.sarLog.length;
      const res = await runKubectl(['get', '--raw', `/apis/${CUSTOM}/v1beta1`], { kubeconfig });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${CUSTOM}/v1beta1`,
        resources: [],
      });
      const groups = await runKubectl(['get', '--raw', '/apis'], { kubeconfig });
      assert.equal(groups.code, 0, groups.stderr);
      assert.deepEqual(JSON.parse(groups.stdout), {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: EXPECTED_GROUPS,
      });
      // Decisions for tester on these paths may be cached; any new review is about tester.
      for (const e of sarsSince(w.kube.sarLog, mark)) assert.equal(e.spec.user, 'tester');
    });

    it('shows the Forbidden message for a denied path', async () => {
      const kubeconfig = await kubeconfigFor('mallory', w.users.mallory!);
      const res = await runKubectl(
        ['get', '--raw', `/apis/${CUSTOM}/v1beta2/namespaces/default/pods/*/http_requests`],
        { kubeconfig },
      );
      assert.notEqual(res.code, 0);
      assert.match(
        res.stderr,
        new RegExp(
          `Error from server \\(Forbidden\\): pods\\.custom\\.metrics\\.k8s\\.io "\\*" is forbidden: User "mallory" cannot get resource "pods/http_requests" in API group "custom\\.metrics\\.k8s\\.io" in the namespace "default"`,
        ),
      );
    });

    it('reports Unauthorized for a certificate the adapter does not trust', async () => {
      const stranger = await (await createCA('stranger-ca')).issue({ commonName: 'tester', usage: 'client' });
      const kubeconfig = await kubeconfigFor('stranger', stranger);
      const res = await runKubectl(['get', '--raw', `/apis/${CUSTOM}/v1beta1`], { kubeconfig });
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /Unauthorized/);
    });
  });
});

describe('--authorization-always-allow-paths', () => {
  let w: World;
  let adapter: InProcessAdapter;
  before(async () => {
    w = await makeWorld('always-allow');
    adapter = await startAdapter(
      baseFlags(w.pki, [
        `--kubeconfig=${w.kubeconfig}`,
        '--authentication-skip-lookup',
        '--authorization-always-allow-paths=/healthz,/livez,/readyz,/metrics,/foo/*',
      ]),
    );
  });
  after(async () => {
    await adapter.close();
    await closeWorld(w);
  });

  const cases: { path: string; who: 'anonymous' | 'tester'; status: number; sar: boolean }[] = [
    { path: '/metrics', who: 'anonymous', status: 200, sar: false },
    { path: '/healthz', who: 'anonymous', status: 200, sar: false },
    { path: '/foo/bar', who: 'anonymous', status: 404, sar: false },
    { path: '/foo/bar/baz', who: 'tester', status: 404, sar: false },
    { path: '/foo/', who: 'anonymous', status: 404, sar: false },
    { path: '/foo', who: 'anonymous', status: 401, sar: false },
    { path: '/foobar', who: 'anonymous', status: 401, sar: false },
    { path: '/apis', who: 'anonymous', status: 401, sar: false },
    { path: '/foo', who: 'tester', status: 404, sar: true },
    { path: '/apis', who: 'tester', status: 200, sar: true },
  ];
  for (const c of cases) {
    it(`${c.who} GET ${c.path} → ${c.status}${c.sar ? ' after a SubjectAccessReview' : ' without one'}`, async () => {
      const mark = w.kube.sarLog.length;
      const r = await call(adapter, w.pki, c.path, c.who === 'tester' ? { cert: w.pki.tester } : {});
      assert.equal(r.status, c.status, r.body.slice(0, 300));
      if (c.status !== 200) assertStatus(r, c.status, c.status === 404 ? 'NotFound' : 'Unauthorized');
      assert.equal(sarsSince(w.kube.sarLog, mark).length, c.sar ? 1 : 0);
      if (c.path === '/metrics') assert.match(r.body, /^# TYPE metrics_adapter_requests_total counter$/m);
    });
  }
});

describe('readiness during shutdown', () => {
  let w: World;
  let adapter: InProcessAdapter;
  before(async () => {
    w = await makeWorld('shutdown-readyz');
    adapter = await startAdapter(
      baseFlags(w.pki, [`--kubeconfig=${w.kubeconfig}`, '--authentication-skip-lookup']),
    );
  });
  after(async () => {
    await adapter.close();
    await closeWorld(w);
  });

  it('/readyz fails with [-]shutdown failed once shutdown begins; liveness stays ok', async () => {
    await waitUntil('readyz', async () => (await call(adapter, w.pki, '/readyz')).status === 200);
    adapter.server.beginShutdown();
    const cases: { path: string; status: number; body: string | RegExp; authorized?: boolean }[] = [
      {
        path: '/readyz',
        status: 500,
        body: /^\[\+\]ping ok\n\[\+\]serving-certificate ok\n\[-\]shutdown failed: reason withheld\n\[\+\]metric-catalog ok\n\[\+\]kubelet-data ok\nreadyz check failed\n$/,
      },
      { path: '/readyz?verbose', status: 500, body: /\[-\]shutdown failed/ },
      { path: '/readyz/shutdown', status: 500, body: /^internal server error: /, authorized: true },
      { path: '/readyz?exclude=shutdown', status: 200, body: 'ok' },
      { path: '/livez', status: 200, body: 'ok' },
      { path: '/healthz', status: 200, body: 'ok' },
    ];
    for (const c of cases) {
      const r = await call(adapter, w.pki, c.path, c.authorized === true ? { cert: w.pki.tester } : {});
      assert.equal(r.status, c.status, `${c.path}: ${r.body}`);
      if (typeof c.body === 'string') assert.equal(r.body, c.body);
      else assert.match(r.body, c.body);
    }
  });

  it('?verbose shows the reason to a user the SubjectAccessReview allows, to nobody else', async () => {
    await waitUntil('shutting down', async () => (await call(adapter, w.pki, '/readyz')).status === 500);
    const cases: { who: string; cert?: IssuedCertificate; line: string; sar: boolean }[] = [
      { who: 'anonymous', line: '[-]shutdown failed: reason withheld', sar: false },
      { who: 'tester (allowed)', cert: w.pki.tester, line: '[-]shutdown failed: shutting down', sar: true },
      { who: 'eve (denied)', cert: w.users.eve, line: '[-]shutdown failed: reason withheld', sar: true },
    ];
    for (const c of cases) {
      const mark = w.kube.sarLog.length;
      const r = await call(adapter, w.pki, '/readyz?verbose', c.cert === undefined ? {} : { cert: c.cert });
      assert.equal(r.status, 500, `${c.who}: ${r.body}`);
      assert.ok(r.body.split('\n').includes(c.line), `${c.who}: ${r.body}`);
      const sars = sarsSince(w.kube.sarLog, mark);
      assert.equal(sars.length, c.sar ? 1 : 0, `${c.who}: ${JSON.stringify(sars)}`);
    }
    const one = await call(adapter, w.pki, '/readyz/shutdown', { cert: w.pki.tester });
    assert.equal(one.status, 500, one.body);
    assert.equal(one.body, 'internal server error: shutting down\n');
  });
});

describe('readiness with an unreachable Prometheus', () => {
  let w: World;
  let adapter: InProcessAdapter;
  before(async () => {
    w = await makeWorld('unreachable-prometheus');
    const rules = `${w.tmp.path}/rules.yaml`;
    await writeFile(
      rules,
      [
        'rules:',
        `  - seriesQuery: 'http_requests_total{namespace!="",pod!=""}'`,
        '    resources: { template: "<<.Resource>>" }',
        `    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'`,
        'externalRules:',
        `  - seriesQuery: '{__name__=~"^queue_.*"}'`,
        `    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'`,
        '',
      ].join('\n'),
    );
    adapter = await startAdapter(
      baseFlags(w.pki, [
        `--kubeconfig=${w.kubeconfig}`,
        '--authentication-skip-lookup',
        // Nothing listens on port 1 of the loopback: every connection is refused at once.
        '--prometheus-url=http://127.0.0.1:1',
        `--config=${rules}`,
        '--metrics-relist-interval=1s',
      ]),
    );
  });
  after(async () => {
    await adapter.close();
    await closeWorld(w);
  });

  it('becomes ready once the first series discovery has failed, and stays ready', async () => {
    await waitUntil('readyz', async () => (await call(adapter, w.pki, '/readyz')).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const relists = async (): Promise<number> => {
      const r = await call(adapter, w.pki, '/metrics', { cert: w.pki.tester });
      const m = /^metrics_adapter_series_relists_total\{result="failure"\} (\d+)$/m.exec(r.body);
      return Number(m?.[1] ?? 0);
    };
    const first = await relists();
    assert.ok(first >= 1, 'the first series discovery failed');
    // Later relists fail too; readiness does not follow them.
    await waitUntil('two more failed relists', async () => (await relists()) >= first + 2, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const verbose = await call(adapter, w.pki, '/readyz?verbose', { cert: w.pki.tester });
    assert.equal(verbose.status, 200, verbose.body);
    assert.match(verbose.body, /^\[\+\]metric-catalog ok$/m);
    // The APIs answer meanwhile: an empty catalog in discovery.
    const discovery = await call(adapter, w.pki, `/apis/${CUSTOM}/v1beta2`, { cert: w.pki.tester });
    assert.equal(discovery.status, 200, discovery.body);
  });
});

/**
 * Self-test of the test harness: every helper in test/helpers is exercised against the real thing
 * it stands next to (Prometheus, promtool, kubectl, Node's TLS stack).
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls, { TLSSocket } from 'node:tls';
import { createCA, issueCertificate, writePemFiles, type CertificateAuthority } from '../helpers/certs.js';
import { startExporter } from '../helpers/exporter.js';
import { startFakeAggregator, type FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube, type KubeObject } from '../helpers/fake-kube.js';
import { httpsRequest, openJsonLineStream } from '../helpers/https-client.js';
import { runKubectl } from '../helpers/kubectl.js';
import { freePort, LOOPBACK } from '../helpers/ports.js';
import { startProcess } from '../helpers/process.js';
import {
  backfillOpenMetrics,
  backfillTimestamps,
  renderOpenMetrics,
  startPrometheus,
} from '../helpers/prometheus.js';
import { parseLabelSelector } from '../helpers/selectors.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    metadata: { name?: string; resourceVersion?: string };
    code?: number;
    reason?: string;
  };
}

interface ListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Array<KubeObject & { kind?: string; apiVersion?: string }>;
}

const PODS = { group: '', version: 'v1', resource: 'pods' };

let tmp: TempDir;

before(async () => {
  tmp = await makeTempDir('harness-test');
});

after(async () => {
  await tmp.remove();
});

describe('certs', () => {
  it('Node tls accepts server and client certificates (EC and RSA), groups from O', async () => {
    const ca = await createCA('harness-ca');
    const server = await issueCertificate(ca, {
      commonName: 'server',
      dnsNames: ['localhost'],
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    const client = await issueCertificate(ca, {
      commonName: 'alice',
      organizations: ['system:masters', 'team-a'],
      usage: 'client',
      keyAlgorithm: 'rsa',
    });
    assert.match(client.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.ok(client.chainPem?.endsWith(ca.certPem));
    const files = await writePemFiles(tmp.path, 'alice', client);
    assert.equal((await stat(files.keyFile)).mode & 0o777, 0o600);

    const srv = tls.createServer({
      key: server.keyPem,
      cert: server.certPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const seen = new Promise<tls.PeerCertificate>((resolve) => {
      srv.on('secureConnection', (socket: TLSSocket) => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
    });
    await new Promise<void>((resolve) => srv.listen(0, LOOPBACK, resolve));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const socket = tls.connect({
        host: LOOPBACK,
        port,
        ca: ca.certPem,
        cert: client.certPem,
        key: client.keyPem,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      assert.equal(socket.authorized, true);
      // TLS 1.3: the server verifies the client certificate after the client's handshake is done.
      const peer = await seen;
      socket.destroy();
      assert.equal(peer.subject.CN, 'alice');
      assert.deepEqual(peer.subject.O, ['system:masters', 'team-a']);
    } finally {
      srv.close();
    }
  });

  it('Node tls rejects an expired certificate', async () => {
    const ca = await createCA('expired-ca');
    const expired = await ca.issue({
      commonName: 'old',
      ipAddresses: [LOOPBACK],
      usage: 'server',
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const srv = tls.createServer({ key: expired.keyPem, cert: expired.certPem });
    srv.on('secureConnection', (s: TLSSocket) => s.end());
    await new Promise<void>((resolve) => srv.listen(0, LOOPBACK, resolve));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const err = await new Promise<Error & { code?: string }>((resolve) => {
        const socket = tls.connect({ host: LOOPBACK, port, ca: ca.certPem });
        socket.once('error', resolve);
        socket.once('secureConnect', () => {
          socket.destroy();
          resolve(new Error('connected'));
        });
      });
      assert.equal(err.code, 'CERT_HAS_EXPIRED');
    } finally {
      srv.close();
    }
  });
});

describe('ports and processes', () => {
  it('freePort gives a bindable loopback port', async () => {
    const port = await freePort();
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, LOOPBACK, resolve);
    });
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  it('startProcess waits for output and stops with SIGTERM', async () => {
    const proc = await startProcess(process.execPath, [
      '-e',
      "console.log('booting'); setTimeout(() => console.error('listening on 127.0.0.1:1'), 50); setInterval(() => {}, 1000);",
    ]);
    const line = await proc.waitForOutput(/listening on/, { timeoutMs: 5_000, stream: 'stderr' });
    assert.equal(line.stream, 'stderr');
    assert.match(proc.output('stdout'), /booting/);
    const exit = await proc.stop();
    assert.equal(exit.signal, 'SIGTERM');
    await assert.rejects(proc.waitForOutput('never printed', { timeoutMs: 1_000 }), /exited/);
  });
});

describe('prometheus', () => {
  it('scrapes the exporter and answers instant queries', async () => {
    const exporter = await startExporter();
    exporter.set('harness_requests_total', { namespace: 'default', pod: 'web-1', path: 'a"b\\c\nd' }, 42);
    exporter.set('harness_queue_depth', { pod: 'web-1' }, NaN);
    exporter.set('harness_queue_depth', { pod: 'web-2' }, -Infinity);
    assert.match(exporter.render(), /# TYPE harness_requests_total counter/);
    assert.match(exporter.render(), /path="a\\"b\\\\c\\nd"/);
    const prom = await startPrometheus({ scrapeTargets: [exporter.target] });
    try {
      await prom.waitForSeries('harness_requests_total', 20_000);
      const samples = await prom.waitForQuery('harness_requests_total', { timeoutMs: 20_000 });
      assert.equal(samples.length, 1);
      assert.equal(samples[0]!.value, 42);
      assert.equal(samples[0]!.metric.path, 'a"b\\c\nd');
      assert.equal(samples[0]!.metric.job, 'exporter');
      const gauges = await prom.waitForQuery('harness_queue_depth', { accept: (s) => s.length === 2 });
      const byPod = new Map(gauges.map((s) => [s.metric.pod, s.value]));
      assert.ok(Number.isNaN(byPod.get('web-1')));
      assert.equal(byPod.get('web-2'), -Infinity);

      exporter.set('harness_requests_total', { namespace: 'default', pod: 'web-1', path: 'a"b\\c\nd' }, 43);
      await prom.waitForQuery('harness_requests_total', { accept: (s) => s[0]?.value === 43 });
      await prom.restart();
      const after = await prom.queryVector('harness_requests_total');
      assert.equal(after.length, 1);
    } finally {
      await prom.stop();
      await exporter.close();
    }
  });

  it('serves backfilled OpenMetrics data at "now"', async () => {
    const dataDir = `${tmp.path}/tsdb`;
    const ts = backfillTimestamps();
    assert.ok(ts.length >= 190);
    const text = renderOpenMetrics([
      { name: 'harness_backfilled_total', labels: { pod: 'p1' }, samples: ts.map((t, i) => [t, i * 15]) },
      { name: 'harness_backfilled_gauge', labels: { pod: 'p1' }, samples: ts.map((t) => [t, 7]) },
    ]);
    assert.ok(text.endsWith('# EOF\n'));
    await backfillOpenMetrics(dataDir, text);
    const prom = await startPrometheus({ dataDir });
    try {
      const gauge = await prom.queryVector('harness_backfilled_gauge{pod="p1"}');
      assert.equal(gauge.length, 1);
      assert.equal(gauge[0]!.value, 7);
      assert.ok(Math.abs(gauge[0]!.timestamp - Date.now() / 1000) < 5, 'evaluated at now');
      const rate = await prom.queryVector('rate(harness_backfilled_total[5m])');
      assert.equal(rate.length, 1);
      assert.ok(Math.abs(rate[0]!.value - 1) < 0.2, `rate ~1/s, got ${rate[0]!.value}`);
    } finally {
      await prom.stop();
    }
  });
});

describe('selectors', () => {
  it('parses and matches label selectors', () => {
    const labels = { app: 'web', tier: 'frontend', 'example.com/x': '1' };
    const cases: Array<[string, boolean]> = [
      ['', true],
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['missing!=x', true],
      ['app in (web, api)', true],
      ['app notin (web)', false],
      ['tier', true],
      ['!tier', false],
      ['!missing,app=web', true],
      ['example.com/x>0', true],
      ['app=web,tier in (backend)', false],
    ];
    for (const [sel, want] of cases) assert.equal(parseLabelSelector(sel).matches(labels), want, sel);
    assert.throws(() => parseLabelSelector('app in web'));
    assert.throws(() => parseLabelSelector('a b'));
  });
});

describe('fake-kube', () => {
  let kube: FakeKube;
  let ca: string;
  const token = 'harness-admin-token';
  const auth = { Authorization: `Bearer ${token}` };
  const get = (path: string, headers: Record<string, string> = {}) =>
    httpsRequest(`${kube.url}${path}`, { ca, headers: { ...auth, ...headers } });

  before(async () => {
    kube = await startFakeKube({
      tokens: {
        [token]: { username: 'admin', groups: ['system:masters'] },
        'reader-token': { username: 'reader', uid: 'u-1', extra: { scopes: ['a'] } },
      },
      bookmarkIntervalMs: 200,
    });
    ca = kube.caPem;
    kube.setPods('default', [
      { name: 'web-1', labels: { app: 'web', tier: 'frontend' }, nodeName: 'node-a' },
      { name: 'web-2', labels: { app: 'web', tier: 'backend' }, nodeName: 'node-b' },
      { name: 'db-1', labels: { app: 'db' } },
    ]);
    kube.setPods('other', [{ name: 'web-9', labels: { app: 'web' } }]);
  });

  after(async () => {
    await kube.close();
  });

  it('rejects anonymous callers with the real 401 Status', async () => {
    const res = await httpsRequest(`${kube.url}/api/v1/pods`, { ca });
    assert.equal(res.status, 401);
    assert.equal(
      res.body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
    );
    const bad = await httpsRequest(`${kube.url}/api/v1/pods`, {
      ca,
      headers: { Authorization: 'Bearer nope' },
    });
    assert.equal(bad.status, 401);
  });

  it('serves discovery, including test-defined resource types', async () => {
    const api = (await get('/api')).json<{ kind: string; versions: string[] }>();
    assert.deepEqual([api.kind, api.versions], ['APIVersions', ['v1']]);
    const core = (await get('/api/v1')).json<{
      kind: string;
      groupVersion: string;
      resources: Array<{ name: string; namespaced: boolean; shortNames?: string[] }>;
    }>();
    assert.equal(core.groupVersion, 'v1');
    const pods = core.resources.find((r) => r.name === 'pods');
    assert.deepEqual(pods?.shortNames, ['po']);
    assert.equal(core.resources.find((r) => r.name === 'namespaces')?.namespaced, false);
    assert.ok(core.resources.some((r) => r.name === 'pods/status'));

    kube.addResourceType({
      group: 'example.com',
      version: 'v1alpha1',
      resource: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      namespaced: true,
      shortNames: ['wd'],
    });
    const groups = (await get('/apis')).json<{
      kind: string;
      groups: Array<{ name: string; preferredVersion: { version: string } }>;
    }>();
    const names = groups.groups.map((g) => g.name);
    for (const g of [
      'apps',
      'batch',
      'autoscaling',
      'authorization.k8s.io',
      'authentication.k8s.io',
      'apiregistration.k8s.io',
      'example.com',
    ]) {
      assert.ok(names.includes(g), g);
    }
    assert.equal(groups.groups.find((g) => g.name === 'autoscaling')?.preferredVersion.version, 'v2');
    const apps = (await get('/apis/apps/v1')).json<{ resources: Array<{ name: string }> }>();
    assert.ok(apps.resources.some((r) => r.name === 'deployments'));
    const widgets = (await get('/apis/example.com')).json<{ kind: string; name: string }>();
    assert.deepEqual([widgets.kind, widgets.name], ['APIGroup', 'example.com']);
    kube.upsert(
      { group: 'example.com', version: 'v1alpha1', resource: 'widgets' },
      { metadata: { name: 'w1', namespace: 'default' }, spec: { size: 3 } },
    );
    const list = (await get('/apis/example.com/v1alpha1/namespaces/default/widgets')).json<ListBody>();
    assert.equal(list.kind, 'WidgetList');
    assert.equal(list.items[0]!.metadata.name, 'w1');
    kube.removeResourceType({ group: 'example.com', version: 'v1alpha1', resource: 'widgets' });
    assert.equal((await get('/apis/example.com')).status, 404);
    const unknown = await get('/apis/nope.example/v1');
    assert.equal(unknown.json<{ reason: string }>().reason, 'NotFound');
    assert.equal(
      (await httpsRequest(`${kube.url}/api/v1/pods`, { ca, method: 'DELETE', headers: auth })).status,
      405,
    );
  });

  it('LISTs with label and field selectors and pagination', async () => {
    const names = async (path: string): Promise<string[]> => {
      const res = await get(path);
      assert.equal(res.status, 200, res.body);
      return res.json<ListBody>().items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
    };
    const all = (await get('/api/v1/pods')).json<ListBody>();
    assert.equal(all.kind, 'PodList');
    assert.equal(all.apiVersion, 'v1');
    assert.match(all.metadata.resourceVersion, /^\d+$/);
    assert.equal(all.items[0]!.kind, undefined, 'items carry no kind');
    assert.ok(all.items[0]!.metadata.uid);
    assert.deepEqual(await names('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb'), [
      'default/web-1',
      'default/web-2',
    ]);
    assert.deepEqual(await names('/api/v1/pods?labelSelector=app%3D%3Dweb'), [
      'default/web-1',
      'default/web-2',
      'other/web-9',
    ]);
    assert.deepEqual(await names('/api/v1/namespaces/default/pods?labelSelector=app!%3Dweb'), [
      'default/db-1',
    ]);
    assert.deepEqual(
      await names(
        `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent('tier in (backend,x)')}`,
      ),
      ['default/web-2'],
    );
    assert.deepEqual(
      await names(
        `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent('tier notin (backend)')}`,
      ),
      ['default/db-1', 'default/web-1'],
    );
    assert.deepEqual(await names('/api/v1/namespaces/default/pods?labelSelector=tier'), [
      'default/web-1',
      'default/web-2',
    ]);
    assert.deepEqual(await names('/api/v1/namespaces/default/pods?labelSelector=!tier'), ['default/db-1']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=metadata.name%3Dweb-9'), ['other/web-9']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=metadata.namespace!%3Ddefault'), [
      'other/web-9',
    ]);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-b'), ['default/web-2']);
    const badField = await get('/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    assert.equal(badField.status, 400);
    assert.match(badField.body, /field label not supported: spec.bogus/);
    assert.equal((await get('/api/v1/pods?labelSelector=a%20b')).status, 400);

    const page1 = (await get('/api/v1/pods?limit=2')).json<ListBody>();
    assert.equal(page1.items.length, 2);
    assert.equal(page1.metadata.remainingItemCount, 2);
    assert.ok(page1.metadata.continue);
    const page2 = (
      await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`)
    ).json<ListBody>();
    assert.equal(page2.metadata.continue, undefined);
    assert.equal(page2.metadata.resourceVersion, page1.metadata.resourceVersion);
    assert.deepEqual(
      [...page1.items, ...page2.items].map((i) => i.metadata.name),
      ['db-1', 'web-1', 'web-2', 'web-9'],
    );
    const nsList = (await get('/api/v1/namespaces')).json<ListBody>();
    assert.equal(nsList.kind, 'NamespaceList');
    assert.ok(nsList.items.some((n) => n.metadata.name === 'other'));
  });

  it('answers PartialObjectMetadataList / PartialObjectMetadata / Table when asked', async () => {
    const res = await get('/api/v1/namespaces/default/pods', {
      Accept:
        'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
    });
    const meta = res.json<ListBody>();
    assert.equal(meta.kind, 'PartialObjectMetadataList');
    assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
    assert.equal(meta.items[0]!.kind, 'PartialObjectMetadata');
    assert.equal(meta.items[0]!.apiVersion, 'meta.k8s.io/v1');
    assert.equal((meta.items[0] as Record<string, unknown>).spec, undefined);
    const one = (
      await get('/api/v1/namespaces/default/pods/web-1', {
        Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
      })
    ).json<{ kind: string; metadata: { labels: Record<string, string> } }>();
    assert.equal(one.kind, 'PartialObjectMetadata');
    assert.equal(one.metadata.labels.app, 'web');
    const table = (
      await get('/api/v1/namespaces/default/pods', {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      })
    ).json<{ kind: string; rows: unknown[] }>();
    assert.equal(table.kind, 'Table');
    assert.equal(table.rows.length, 3);
    assert.equal((await get('/api/v1/pods', { Accept: 'application/vnd.kubernetes.protobuf' })).status, 406);
    const wrongShape = await get('/api/v1/pods', {
      Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
    });
    assert.equal(wrongShape.status, 406);
    assert.match(wrongShape.body, /requested object is a list/);
  });

  it('GETs single objects and answers 404 like the real server', async () => {
    const pod = (await get('/api/v1/namespaces/default/pods/web-1')).json<{
      kind: string;
      apiVersion: string;
      spec: { nodeName: string };
    }>();
    assert.deepEqual([pod.kind, pod.apiVersion, pod.spec.nodeName], ['Pod', 'v1', 'node-a']);
    const missing = await get('/api/v1/namespaces/default/pods/x');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'pods' },
      code: 404,
    });
    const deploy = (await get('/apis/apps/v1/namespaces/default/deployments/x')).json<{
      message: string;
      details: { group: string };
    }>();
    assert.equal(deploy.message, 'deployments.apps "x" not found');
    assert.equal(deploy.details.group, 'apps');
    const cm = (
      await get('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')
    ).json<{ data: Record<string, string> }>();
    assert.equal(cm.data['client-ca-file'], kube.caPem);
  });

  it('WATCH streams ADDED/MODIFIED/DELETED/BOOKMARK and honors selectors', async () => {
    const list = (await get('/api/v1/namespaces/default/pods')).json<ListBody>();
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true&labelSelector=app%3Dweb&resourceVersion=${list.metadata.resourceVersion}`,
      { ca, headers: auth },
    );
    try {
      assert.equal(watch.status, 200);
      assert.equal(watch.headers['content-type'], 'application/json');
      kube.upsert(PODS, {
        metadata: { name: 'web-3', namespace: 'default', labels: { app: 'web' } },
        spec: {},
      });
      kube.upsert(PODS, {
        metadata: { name: 'db-2', namespace: 'default', labels: { app: 'db' } },
        spec: {},
      });
      kube.upsert(PODS, {
        metadata: { name: 'web-3', namespace: 'default', labels: { app: 'web', v: '2' } },
        spec: {},
      });
      kube.upsert(PODS, {
        metadata: { name: 'web-3', namespace: 'default', labels: { app: 'other' } },
        spec: {},
      });
      kube.remove(PODS, 'db-2', 'default');
      const seen: string[] = [];
      const deadline = Date.now() + 5_000;
      let bookmark: WatchEvent | undefined;
      while ((seen.length < 3 || !bookmark) && Date.now() < deadline) {
        const ev = await watch.next(3_000);
        if (ev.type === 'BOOKMARK') bookmark = ev;
        else seen.push(`${ev.type} ${ev.object.metadata.name ?? ''} ${ev.object.kind ?? ''}`);
      }
      assert.deepEqual(seen, ['ADDED web-3 Pod', 'MODIFIED web-3 Pod', 'DELETED web-3 Pod']);
      assert.ok(bookmark, 'a BOOKMARK arrived');
      assert.equal(bookmark.object.kind, 'Pod');
      assert.equal(bookmark.object.metadata.resourceVersion, kube.resourceVersion);
    } finally {
      watch.close();
      kube.remove(PODS, 'web-3', 'default');
    }
  });

  it('WATCH without resourceVersion replays state; metadata-only watch; timeoutSeconds ends it', async () => {
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1`,
      {
        ca,
        headers: { ...auth, Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
      },
    );
    const first = await watch.next();
    assert.equal(first.type, 'ADDED');
    assert.equal(first.object.kind, 'PartialObjectMetadata');
    assert.equal(await watch.ended(3_000), 'end');
  });

  it('WATCH from an expired resourceVersion gets a 410 ERROR event and ends', async () => {
    const old = kube.resourceVersion;
    kube.upsert(PODS, { metadata: { name: 'tmp', namespace: 'default' }, spec: {} });
    kube.remove(PODS, 'tmp', 'default');
    kube.expireHistory();
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${old}`,
      {
        ca,
        headers: auth,
      },
    );
    const ev = await watch.next();
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.kind, 'Status');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    assert.equal(await watch.ended(), 'end');
  });

  it('breakWatches and stallWatches control open watches', async () => {
    const url = `${kube.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${kube.resourceVersion}`;
    const w1 = await openJsonLineStream<WatchEvent>(url, { ca, headers: auth });
    assert.equal(kube.breakWatches(), 1);
    assert.equal(await w1.ended(), 'error');

    const w2 = await openJsonLineStream<WatchEvent>(
      `${kube.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${kube.resourceVersion}`,
      { ca, headers: auth },
    );
    try {
      kube.stallWatches(true);
      kube.upsert(PODS, { metadata: { name: 'stalled', namespace: 'default' }, spec: {} });
      assert.equal(await w2.quietFor(300), true);
      kube.stallWatches(false);
      const ev = await w2.next();
      assert.equal(`${ev.type} ${ev.object.metadata.name ?? ''}`, 'ADDED stalled');
    } finally {
      kube.stallWatches(false);
      w2.close();
      kube.remove(PODS, 'stalled', 'default');
    }
  });

  it('answers SubjectAccessReviews with the policy and logs them', async () => {
    const post = (spec: unknown) =>
      httpsRequest(`${kube.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
        ca,
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }),
      });
    const attrs = {
      namespace: 'default',
      verb: 'get',
      group: 'custom.metrics.k8s.io',
      resource: 'pods',
      name: '*',
    };
    const masters = await post({ resourceAttributes: attrs, user: 'alice', groups: ['system:masters'] });
    assert.equal(masters.status, 201);
    const body = masters.json<{ kind: string; status: { allowed: boolean }; spec: { user: string } }>();
    assert.equal(body.kind, 'SubjectAccessReview');
    assert.equal(body.status.allowed, true);
    assert.equal(body.spec.user, 'alice');
    const bob = (await post({ resourceAttributes: attrs, user: 'bob', groups: ['devs'] })).json<{
      status: { allowed: boolean };
    }>();
    assert.equal(bob.status.allowed, false);
    kube.setAllowedUsers(['bob']);
    assert.equal(
      (await post({ resourceAttributes: attrs, user: 'bob' })).json<{ status: { allowed: boolean } }>().status
        .allowed,
      true,
    );
    kube.setSarPolicy(() => ({ allowed: false, denied: true, reason: 'nope' }));
    const denied = (await post({ nonResourceAttributes: { path: '/x', verb: 'get' }, user: 'bob' })).json<{
      status: Record<string, unknown>;
    }>();
    assert.deepEqual(denied.status, { allowed: false, denied: true, reason: 'nope' });
    kube.setSarPolicy(undefined);
    const invalid = await post({ resourceAttributes: attrs });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json<{ reason: string }>().reason, 'Invalid');
    assert.ok(kube.sarLog.some((e) => e.spec.user === 'bob' && !e.status.allowed && e.caller === 'admin'));
  });

  it('answers TokenReviews', async () => {
    const review = (tok: string) =>
      httpsRequest(`${kube.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
        ca,
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token: tok },
        }),
      });
    const ok = (await review('reader-token')).json<{
      status: { authenticated?: boolean; user: Record<string, unknown>; audiences: string[] };
    }>();
    assert.equal(ok.status.authenticated, true);
    assert.deepEqual(ok.status.user, {
      username: 'reader',
      uid: 'u-1',
      groups: ['system:authenticated'],
      extra: { scopes: ['a'] },
    });
    assert.deepEqual(ok.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const bad = (await review('unknown')).json<{
      status: { authenticated?: boolean; user: Record<string, unknown> };
    }>();
    assert.equal(bad.status.authenticated, undefined);
    assert.deepEqual(bad.status.user, {});
  });

  it('injects failures and latency, and logs requests', async () => {
    kube.failNext('/api/v1/namespaces/default/pods', 503, 1);
    const failed = await get('/api/v1/namespaces/default/pods');
    assert.equal(failed.status, 503);
    assert.equal(failed.json<{ reason: string }>().reason, 'ServiceUnavailable');
    assert.equal((await get('/api/v1/namespaces/default/pods')).status, 200);
    kube.setLatency(150);
    const t0 = Date.now();
    await get('/api');
    assert.ok(Date.now() - t0 >= 140);
    kube.setLatency(0);
    const entry = kube.requestLog.findLast((e) => e.path === '/api');
    assert.ok(entry);
    assert.equal(entry.user, 'admin');
    assert.equal(entry.status, 200);
  });

  it('works with real kubectl (token and client-certificate kubeconfigs)', async () => {
    const tokenConfig = await kube.writeKubeconfig(tmp.path, {
      user: 'token',
      fileName: 'kube-token.kubeconfig',
    });
    const raw = await runKubectl(['get', '--raw', '/api/v1/namespaces/default/pods'], {
      kubeconfig: tokenConfig,
    });
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal((JSON.parse(raw.stdout) as { kind: string }).kind, 'PodList');
    const certConfig = await kube.writeKubeconfig(tmp.path, {
      user: 'cert',
      commonName: 'carol',
      organizations: ['system:masters'],
      fileName: 'kube-cert.kubeconfig',
    });
    const names = await runKubectl(['get', 'pods', '-n', 'default', '-o', 'name'], {
      kubeconfig: certConfig,
    });
    assert.equal(names.code, 0, names.stderr);
    assert.deepEqual(names.stdout.trim().split('\n'), ['pod/db-1', 'pod/web-1', 'pod/web-2']);
    assert.ok(
      kube.requestLog.some((e) => e.user === 'carol' && e.path === '/api/v1/namespaces/default/pods'),
    );
    const missing = await runKubectl(['get', 'pod', 'nope', '-n', 'default'], { kubeconfig: certConfig });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "nope" not found/);
  });
});

describe('fake-aggregator', () => {
  let agg: FakeAggregator;
  let backendCA: CertificateAuthority;
  let backend: https.Server;
  let backendPort: number;
  let backendStatus = 200;
  const backendSeen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  const GROUP = 'harness.example.com';

  const startBackend = async (port = 0): Promise<void> => {
    const serving = await backendCA.issue({
      commonName: 'backend',
      dnsNames: ['harness-backend.harness.svc'],
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    backend = https.createServer(
      {
        key: serving.keyPem,
        cert: serving.certPem,
        ca: agg.frontProxyCA.certPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket;
        if (
          !(socket instanceof TLSSocket) ||
          !socket.authorized ||
          socket.getPeerCertificate().subject.CN !== 'front-proxy-client'
        ) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"not the front proxy"}');
          return;
        }
        backendSeen.push({ path: req.url ?? '', headers: req.headers });
        const echo: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if ((k.startsWith('x-remote-') || k === 'authorization') && v !== undefined) echo[k] = v;
        }
        res.writeHead(backendStatus, { 'Content-Type': 'application/json', 'X-Backend': 'yes' });
        res.end(
          JSON.stringify({
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: `${GROUP}/v1`,
            resources: [],
            echo,
            remoteGroups: req.headersDistinct['x-remote-group'] ?? [],
          }),
        );
      },
    );
    await new Promise<void>((resolve) => backend.listen(port, LOOPBACK, resolve));
    backendPort = (backend.address() as net.AddressInfo).port;
  };

  before(async () => {
    agg = await startFakeAggregator({
      tokens: {
        'agg-token': { username: 'tok-user', groups: ['g1'], extra: { 'example.com/key%': ['v1', 'v2'] } },
      },
      availabilityIntervalMs: 0,
    });
    backendCA = await createCA('backend-ca');
    await startBackend();
  });

  after(async () => {
    await agg.close();
    backend.closeAllConnections();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
  });

  it('registers an APIService, checks availability and serves discovery', async () => {
    const result = await agg.registerAPIService({
      name: `v1.${GROUP}`,
      group: GROUP,
      version: 'v1',
      groupPriorityMinimum: 100,
      versionPriority: 10,
      serviceURL: `https://${LOOPBACK}:${backendPort}`,
      caBundlePem: backendCA.certPem,
    });
    assert.deepEqual(result, { available: true, reason: 'Passed', message: 'all checks passed' });
    const probe = backendSeen.find((s) => s.path === `/apis/${GROUP}/v1`);
    assert.ok(probe, 'the availability check reached the backend');
    assert.equal(probe.headers['x-remote-user'], 'system:kube-aggregator');
    assert.equal(probe.headers['x-remote-group'], 'system:masters');
    await agg.registerAPIService({
      name: `v2beta1.${GROUP}`,
      group: GROUP,
      version: 'v2beta1',
      groupPriorityMinimum: 100,
      versionPriority: 20,
      serviceURL: `https://${LOOPBACK}:${backendPort}`,
      caBundlePem: backendCA.certPem,
    });

    const cert = await agg.issueClientCertificate('admin', ['system:masters']);
    const opts = { ca: agg.caPem, cert: cert.certPem, key: cert.keyPem };
    const groups = (await httpsRequest(`${agg.url}/apis`, opts)).json<{
      groups: Array<{
        name: string;
        versions: Array<{ version: string }>;
        preferredVersion: { version: string };
      }>;
    }>();
    const g = groups.groups.find((x) => x.name === GROUP);
    assert.ok(g);
    assert.deepEqual(
      g.versions.map((v) => v.version),
      ['v2beta1', 'v1'],
    );
    assert.equal(g.preferredVersion.version, 'v2beta1');
    const apiService = (
      await httpsRequest(`${agg.url}/apis/apiregistration.k8s.io/v1/apiservices/v1.${GROUP}`, opts)
    ).json<{
      spec: { group: string };
      status: { conditions: Array<{ type: string; status: string; reason: string }> };
    }>();
    assert.equal(apiService.spec.group, GROUP);
    assert.deepEqual(
      apiService.status.conditions.map((c) => [c.type, c.status, c.reason]),
      [['Available', 'True', 'Passed']],
    );
    const unknown = await httpsRequest(`${agg.url}/apis/unknown.example.com/v1`, opts);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json<{ kind: string }>().kind, 'Status');
    assert.equal((await httpsRequest(`${agg.url}/apis`, { ca: agg.caPem })).status, 401);
    agg.unregisterAPIService(`v2beta1.${GROUP}`);
  });

  it('proxies kubectl get --raw with front-proxy identity headers', async () => {
    const kubeconfig = await agg.writeKubeconfig(tmp.path, {
      commonName: 'dave',
      organizations: ['devs', 'ops'],
    });
    const res = await runKubectl(['get', '--raw', `/apis/${GROUP}/v1`], { kubeconfig });
    assert.equal(res.code, 0, res.stderr);
    const body = JSON.parse(res.stdout) as { echo: Record<string, string>; remoteGroups: string[] };
    assert.equal(body.echo['x-remote-user'], 'dave');
    assert.deepEqual(body.remoteGroups, ['devs', 'ops', 'system:authenticated']);
    assert.equal(body.echo.authorization, undefined);
  });

  it('strips caller-supplied identity headers and escapes extra keys', async () => {
    const res = await httpsRequest(`${agg.url}/apis/${GROUP}/v1/namespaces/default/pods/*/m?x=1`, {
      ca: agg.caPem,
      headers: {
        Authorization: 'Bearer agg-token',
        'X-Remote-User': 'root',
        'X-Remote-Group': 'system:masters',
        'X-Remote-Extra-Evil': 'x',
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-backend'], 'yes');
    const body = res.json<{ echo: Record<string, string>; remoteGroups: string[] }>();
    assert.equal(body.echo['x-remote-user'], 'tok-user');
    assert.deepEqual(body.remoteGroups, ['g1', 'system:authenticated']);
    assert.equal(body.echo['x-remote-extra-evil'], undefined);
    assert.equal(body.echo['x-remote-extra-example.com%2fkey%25'], 'v1, v2');
    assert.equal(backendSeen.at(-1)?.path, `/apis/${GROUP}/v1/namespaces/default/pods/*/m?x=1`);
  });

  it('reports unavailability: bad status, wrong CA, backend down → 503', async () => {
    backendStatus = 403;
    const forbidden = await agg.checkAvailability(`v1.${GROUP}`);
    assert.equal(forbidden.available, false);
    assert.equal(forbidden.reason, 'FailedDiscoveryCheck');
    assert.match(forbidden.message, /bad status from .*: 403$/);
    backendStatus = 200;

    const otherCA = await createCA('other-ca');
    const wrong = await agg.registerAPIService({
      name: `v1.${GROUP}`,
      group: GROUP,
      version: 'v1',
      groupPriorityMinimum: 100,
      versionPriority: 10,
      serviceURL: `https://${LOOPBACK}:${backendPort}`,
      caBundlePem: otherCA.certPem,
    });
    assert.equal(wrong.available, false);
    assert.match(wrong.message, /x509: certificate signed by unknown authority/);
    await agg.registerAPIService({
      name: `v1.${GROUP}`,
      group: GROUP,
      version: 'v1',
      groupPriorityMinimum: 100,
      versionPriority: 10,
      serviceURL: `https://${LOOPBACK}:${backendPort}`,
      caBundlePem: backendCA.certPem,
    });

    const cert = await agg.issueClientCertificate('admin', ['system:masters']);
    const opts = { ca: agg.caPem, cert: cert.certPem, key: cert.keyPem };
    backend.closeAllConnections();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
    const refused = await httpsRequest(`${agg.url}/apis/${GROUP}/v1`, opts);
    assert.equal(refused.status, 503);
    assert.match(refused.body, /connection refused/);
    const down = await agg.checkAvailability(`v1.${GROUP}`);
    assert.equal(down.available, false);
    assert.equal(down.reason, 'FailedDiscoveryCheck');
    assert.match(down.message, /connect: connection refused/);
    const unavailable = await httpsRequest(`${agg.url}/apis/${GROUP}/v1`, opts);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body, 'service unavailable\n');
    const condition = (agg.getAPIService(`v1.${GROUP}`)?.status as { conditions: Array<{ status: string }> })
      .conditions[0];
    assert.equal(condition?.status, 'False');

    await startBackend(backendPort);
    assert.equal((await agg.checkAvailability(`v1.${GROUP}`)).available, true);
  });

  it('verifies the backend as <service>.<namespace>.svc when a Service is named', async () => {
    const base = {
      name: `v1.${GROUP}`,
      group: GROUP,
      version: 'v1',
      groupPriorityMinimum: 100,
      versionPriority: 10,
      serviceURL: `https://${LOOPBACK}:${backendPort}`,
      caBundlePem: backendCA.certPem,
    };
    const matching = await agg.registerAPIService({
      ...base,
      service: { namespace: 'harness', name: 'harness-backend' },
    });
    assert.equal(matching.available, true, matching.message);
    const other = await agg.registerAPIService({
      ...base,
      service: { namespace: 'monitoring', name: 'metrics-adapter' },
    });
    assert.equal(other.available, false);
    assert.match(other.message, /x509: certificate is valid for .*, not metrics-adapter\.monitoring\.svc/);
    const obj = agg.getAPIService(`v1.${GROUP}`) as {
      spec: { service: { namespace: string; name: string; port: number } };
    };
    assert.deepEqual(obj.spec.service, {
      namespace: 'monitoring',
      name: 'metrics-adapter',
      port: backendPort,
    });
    await agg.registerAPIService(base);
  });
});

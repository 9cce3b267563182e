/**
 * KubeClusterObjects against the simulated kube-apiserver: compact pod and node records from
 * direct LISTs and GETs, selectors applied by the API server, paging, 404 → undefined, and a
 * rejected selector → 400. StaticClusterObjects is checked to filter the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/index.js';
import { parseLabelSelector } from '../../src/promql/index.js';
import { KubeClusterObjects, StaticClusterObjects, type ClusterObjects } from '../../src/providers/index.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const NODES = { group: '', version: 'v1', resource: 'nodes' };

describe('KubeClusterObjects', { timeout: 60_000 }, () => {
  let kube: FakeKube;
  let tmp: TempDir;
  let client: KubeClient;
  let objects: KubeClusterObjects;

  before(async () => {
    tmp = await makeTempDir('cluster-objects');
    kube = await startFakeKube();
    kube.setPods('shop', [
      { name: 'web-0', labels: { app: 'web' }, nodeName: 'n1' },
      { name: 'web-1', labels: { app: 'web' }, nodeName: 'n2' },
      { name: 'job-0', labels: { app: 'job' }, nodeName: 'n1', phase: 'Succeeded' },
    ]);
    kube.setPods('other', [{ name: 'web-0', labels: { app: 'web' }, nodeName: 'n2', phase: 'Pending' }]);
    kube.upsert(NODES, { metadata: { name: 'n1', labels: { zone: 'a' } } });
    kube.upsert(NODES, { metadata: { name: 'n2', labels: { zone: 'b' } } });
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    client = KubeClient.fromKubeconfig(kubeconfig);
    // A small page size so that listing follows `continue` tokens.
    objects = new KubeClusterObjects(client, 2);
  });

  after(async () => {
    client.close();
    await kube.close();
    await tmp.remove();
  });

  it('lists pods as compact records, sorted by namespace and name, across pages', async () => {
    const pods = await objects.pods(undefined, [], []);
    assert.deepEqual(
      pods.map((p) => `${p.namespace}/${p.name}:${p.phase}:${p.nodeName}:${p.containers.join('+')}`),
      [
        'other/web-0:Pending:n2:app',
        'shop/job-0:Succeeded:n1:app',
        'shop/web-0:Running:n1:app',
        'shop/web-1:Running:n2:app',
      ],
    );
    const web0 = pods.find((p) => p.namespace === 'shop' && p.name === 'web-0');
    assert.deepEqual(web0?.labels, { app: 'web' });
    assert.match(web0.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('passes label and field selectors to the API server', async () => {
    const names = async (
      ns: string | undefined,
      ls: string,
      fs: { field: string; operator: '=' | '!='; value: string }[],
    ) => (await objects.pods(ns, parseLabelSelector(ls), fs)).map((p) => `${p.namespace}/${p.name}`);
    assert.deepEqual(await names('shop', 'app=web', []), ['shop/web-0', 'shop/web-1']);
    assert.deepEqual(await names(undefined, '', [{ field: 'spec.nodeName', operator: '=', value: 'n2' }]), [
      'other/web-0',
      'shop/web-1',
    ]);
    assert.deepEqual(
      await names(undefined, 'app', [{ field: 'status.phase', operator: '=', value: 'Running' }]),
      ['shop/web-0', 'shop/web-1'],
    );
    assert.deepEqual(await names('shop', '', [{ field: 'metadata.name', operator: '!=', value: 'web-0' }]), [
      'shop/job-0',
      'shop/web-1',
    ]);
  });

  it('gets one pod or node; a missing one is undefined', async () => {
    assert.equal((await objects.pod('shop', 'web-1'))?.nodeName, 'n2');
    assert.equal(await objects.pod('shop', 'nope'), undefined);
    assert.deepEqual((await objects.node('n1'))?.labels, { zone: 'a' });
    assert.equal(await objects.node('n9'), undefined);
  });

  it('lists nodes with selectors', async () => {
    assert.deepEqual(
      (await objects.nodes([], [])).map((n) => n.name),
      ['n1', 'n2'],
    );
    assert.deepEqual(
      (await objects.nodes(parseLabelSelector('zone=b'), [])).map((n) => n.name),
      ['n2'],
    );
    assert.deepEqual(
      (await objects.nodes([], [{ field: 'metadata.name', operator: '=', value: 'n1' }])).map((n) => n.name),
      ['n1'],
    );
  });

  it('a field the API server rejects → 400; the API server failing → 503', async () => {
    await assert.rejects(
      objects.pods(undefined, [], [{ field: 'spec.bogus', operator: '=', value: 'x' }]),
      (err: unknown) => err instanceof ApiError && err.code === 400,
    );
    kube.failNext('/api/v1/nodes', 500, 1, 'etcd is sad');
    await assert.rejects(
      objects.nodes([], []),
      (err: unknown) => err instanceof ApiError && err.code === 503,
    );
  });

  it('StaticClusterObjects filters like the API server', async () => {
    const live: ClusterObjects = objects;
    const fixed = new StaticClusterObjects(await live.pods(undefined, [], []), await live.nodes([], []));
    for (const [ns, ls, fs] of [
      ['shop', 'app=web', []],
      [undefined, '', [{ field: 'spec.nodeName', operator: '=' as const, value: 'n2' }]],
      [undefined, 'app notin (job)', [{ field: 'status.phase', operator: '!=' as const, value: 'Pending' }]],
    ] as const) {
      const a = (await live.pods(ns, parseLabelSelector(ls), fs)).map((p) => `${p.namespace}/${p.name}`);
      const b = (await fixed.pods(ns, parseLabelSelector(ls), fs)).map((p) => `${p.namespace}/${p.name}`);
      assert.deepEqual(b, a, `${String(ns)} ${ls}`);
    }
  });
});

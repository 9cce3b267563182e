/**
 * The demo's stand-in cluster behind the real express app: the reads `kubectl top` and `explain`
 * make (discovery, list and get with selectors), its Status errors, and the records the rule
 * engine and metrics.k8s.io get. kubectl itself drives it in demo.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newRouter } from '../../src/apiserver/router.js';
import { DemoCluster } from '../../src/cli/demo-cluster.js';
import { DEMO_NODES, DEMO_PODS } from '../../src/cli/demo-workload.js';
import { serveApi, type ServedApi } from '../helpers/api-app.js';

interface Item {
  kind?: string;
  metadata: { name: string; namespace?: string };
  status?: { allocatable?: Record<string, string>; phase?: string };
}

describe('demo stand-in cluster', () => {
  const cluster = new DemoCluster(new Date('2026-12-01T10:00:00.123Z'));
  let served: ServedApi;
  before(async () => {
    served = await serveApi(
      'metrics.k8s.io',
      'v1beta1',
      { router: newRouter(), resources: () => [] },
      { standIn: cluster.apis() },
    );
  });
  after(() => served.close());

  const lists: { path: string; kind: string; names: string[] }[] = [
    { path: '/api/v1/nodes', kind: 'NodeList', names: ['demo-node-1', 'demo-node-2'] },
    {
      path: '/api/v1/nodes?labelSelector=kubernetes.io%2Fhostname%3Ddemo-node-2',
      kind: 'NodeList',
      names: ['demo-node-2'],
    },
    { path: '/api/v1/namespaces/demo/pods', kind: 'PodList', names: ['web-0', 'web-1', 'web-2'] },
    {
      path: '/api/v1/namespaces/demo/pods?labelSelector=app%20in%20(web),pod-template-hash',
      kind: 'PodList',
      names: ['web-0', 'web-1', 'web-2'],
    },
    { path: '/api/v1/namespaces/demo/pods?labelSelector=app%3Ddb', kind: 'PodList', names: [] },
    { path: '/api/v1/namespaces/default/pods', kind: 'PodList', names: [] },
    {
      path: '/api/v1/pods?fieldSelector=spec.nodeName%3Ddemo-node-1',
      kind: 'PodList',
      names: ['web-0', 'web-1'],
    },
    { path: '/api/v1/pods?fieldSelector=metadata.name!%3Dweb-0', kind: 'PodList', names: ['web-1', 'web-2'] },
    { path: '/api/v1/namespaces', kind: 'NamespaceList', names: ['demo', 'default', 'kube-system'] },
    { path: '/api/v1/namespaces/demo/services', kind: 'ServiceList', names: ['web'] },
    { path: '/apis/apps/v1/deployments', kind: 'DeploymentList', names: ['web'] },
    { path: '/apis/apps/v1/namespaces/demo/deployments?limit=500', kind: 'DeploymentList', names: ['web'] },
  ];
  for (const c of lists) {
    it(`lists ${c.path}`, async () => {
      const r = await served.getPath(c.path);
      assert.equal(r.status, 200, r.body);
      const body = r.json as { kind: string; items: Item[]; metadata: { resourceVersion: string } };
      assert.equal(body.kind, c.kind);
      assert.deepEqual(
        body.items.map((i) => i.metadata.name),
        c.names,
      );
      assert.equal(body.metadata.resourceVersion, '1');
    });
  }

  const gets: { path: string; kind: string; name: string }[] = [
    { path: '/api/v1/namespaces/demo/pods/web-2', kind: 'Pod', name: 'web-2' },
    { path: '/api/v1/nodes/demo-node-1', kind: 'Node', name: 'demo-node-1' },
    { path: '/api/v1/namespaces/demo', kind: 'Namespace', name: 'demo' },
    { path: '/apis/apps/v1/namespaces/demo/deployments/web', kind: 'Deployment', name: 'web' },
  ];
  for (const c of gets) {
    it(`gets ${c.path}`, async () => {
      const r = await served.getPath(c.path);
      assert.equal(r.status, 200, r.body);
      const item = r.json as Item & { metadata: { uid: string; creationTimestamp: string } };
      assert.equal(item.kind, c.kind);
      assert.equal(item.metadata.name, c.name);
      assert.match(item.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(item.metadata.creationTimestamp, '2026-12-01T10:00:00Z');
    });
  }

  const errors: { path: string; status: number; reason: string; message: RegExp; details?: object }[] = [
    {
      path: '/api/v1/namespaces/demo/pods/ghost',
      status: 404,
      reason: 'NotFound',
      message: /^pods "ghost" not found$/,
      details: { name: 'ghost', kind: 'pods' },
    },
    {
      path: '/apis/apps/v1/namespaces/demo/deployments/api',
      status: 404,
      reason: 'NotFound',
      message: /^deployments\.apps "api" not found$/,
      details: { name: 'api', group: 'apps', kind: 'deployments' },
    },
    {
      path: '/api/v1/configmaps',
      status: 404,
      reason: 'NotFound',
      message: /could not find the requested resource/,
    },
    {
      path: '/api/v1/pods/web-0',
      status: 404,
      reason: 'NotFound',
      message: /could not find the requested resource/,
    },
    {
      path: '/api/v1/namespaces/demo/nodes',
      status: 404,
      reason: 'NotFound',
      message: /could not find the requested resource/,
    },
    {
      path: '/api/v1/pods?watch=true',
      status: 405,
      reason: 'MethodNotAllowed',
      message: /cannot be watched/,
    },
    {
      path: '/api/v1/pods?labelSelector=%3D%3D',
      status: 400,
      reason: 'BadRequest',
      message: /unable to parse/,
    },
    {
      path: '/api/v1/nodes?fieldSelector=spec.nodeName%3Dx',
      status: 400,
      reason: 'BadRequest',
      message: /field "spec.nodeName" is not supported/,
    },
  ];
  for (const c of errors) {
    it(`answers ${c.status} for ${c.path}`, async () => {
      const r = await served.getPath(c.path);
      assert.equal(r.status, c.status, r.body);
      const status = r.json as {
        kind: string;
        reason: string;
        message: string;
        details?: Record<string, unknown>;
      };
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, c.reason);
      assert.match(status.message, c.message);
      if (c.details !== undefined) assert.deepEqual(status.details, c.details);
    });
  }

  it('answers discovery: /api, /api/v1, /apis (with apps beside the metrics groups), /apis/apps/v1', async () => {
    const api = (await served.getPath('/api')).json as { kind: string; versions: string[] };
    assert.deepEqual([api.kind, api.versions], ['APIVersions', ['v1']]);
    const core = (await served.getPath('/api/v1')).json as {
      resources: { name: string; namespaced: boolean }[];
    };
    assert.deepEqual(
      core.resources.map((r) => [r.name, r.namespaced]),
      [
        ['namespaces', false],
        ['nodes', false],
        ['pods', true],
        ['services', true],
      ],
    );
    const groups = (await served.getPath('/apis')).json as { groups: { name: string }[] };
    assert.deepEqual(
      groups.groups.map((g) => g.name),
      ['custom.metrics.k8s.io', 'external.metrics.k8s.io', 'metrics.k8s.io', 'apps'],
    );
    const apps = (await served.getPath('/apis/apps/v1')).json as {
      groupVersion: string;
      resources: { name: string }[];
    };
    assert.deepEqual([apps.groupVersion, apps.resources.map((r) => r.name)], ['apps/v1', ['deployments']]);
    const appsGroup = (await served.getPath('/apis/apps')).json as {
      preferredVersion: { groupVersion: string };
    };
    assert.equal(appsGroup.preferredVersion.groupVersion, 'apps/v1');
  });

  it('gives kubectl top node the allocatable it divides by', async () => {
    const nodes = ((await served.getPath('/api/v1/nodes')).json as { items: Item[] }).items;
    for (const [i, n] of DEMO_NODES.entries()) {
      assert.deepEqual(nodes[i]?.status?.allocatable, { cpu: '2', memory: '4096Mi', pods: '110' }, n.name);
    }
  });

  it('gives the rule engine and metrics.k8s.io the same objects', async () => {
    const objects = cluster.clusterObjects();
    const pods = await objects.pods(undefined, [], []);
    assert.deepEqual(
      pods.map((p) => [p.namespace, p.name, p.nodeName, p.phase, p.containers]),
      DEMO_PODS.map((p) => [p.namespace, p.name, p.node, 'Running', [p.container]]),
    );
    assert.deepEqual(
      (await objects.nodes([], [])).map((n) => n.name),
      DEMO_NODES.map((n) => n.name),
    );
    const refs = cluster.objectRefs();
    assert.ok(refs.some((r) => r.group === 'apps' && r.resource === 'deployments' && r.name === 'web'));
    assert.ok(refs.some((r) => r.group === '' && r.resource === 'services' && r.namespace === 'demo'));
    assert.equal(refs.filter((r) => r.resource === 'pods').length, DEMO_PODS.length);
  });
});

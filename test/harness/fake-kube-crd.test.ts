/**
 * The simulated kube-apiserver serves CustomResourceDefinitions as the real one does, checked over
 * HTTP: installing a CRD (Established, its group-version in discovery), refusing invalid ones,
 * serving each served version, and deleting it (its objects and its API go away).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import {
  clusterMetricRuleCrd,
  GROUP,
  metricRule,
  metricRuleCrd,
  VERSION,
  widgetCrd,
} from './crd-fixtures.js';
import { CRDS, crdClient, TOKEN, type CrdClient, type Obj } from './crd-http.js';

let kube: FakeKube;
let call: CrdClient['call'];
let expectStatus: CrdClient['expectStatus'];
let watchOf: CrdClient['watch'];

before(async () => {
  kube = await startFakeKube({ tokens: { [TOKEN]: { username: 'admin', groups: ['system:masters'] } } });
  ({ call, expectStatus, watch: watchOf } = crdClient(kube));
  kube.ensureNamespace('team-a');
});

after(async () => {
  await kube.close();
});

describe('CustomResourceDefinitions', () => {
  it('POST installs a CRD: Established, names accepted, its group-version in discovery', async () => {
    const watch = await watchOf(`${CRDS}?watch=1&resourceVersion=${kube.resourceVersion}`);
    try {
      const created = await call('POST', CRDS, metricRuleCrd());
      assert.equal(created.status, 201, created.body);
      const crd = created.json<Obj>();
      assert.equal(crd.kind, 'CustomResourceDefinition');
      const conditions = (crd.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      assert.deepEqual(
        conditions.map((c) => [c.type, c.status]),
        [
          ['NamesAccepted', 'True'],
          ['Established', 'True'],
        ],
      );
      assert.deepEqual(crd.status?.storedVersions, [VERSION]);
      const event = await watch.next();
      assert.deepEqual([event.type, event.object.metadata.name], ['ADDED', 'metricrules.metrics-adapter.io']);
    } finally {
      watch.close();
    }
    const groups = (await call('GET', '/apis')).json<{ groups: Array<{ name: string }> }>();
    assert.ok(groups.groups.some((g) => g.name === GROUP));
    const group = (await call('GET', `/apis/${GROUP}`)).json<{ preferredVersion: { version: string } }>();
    assert.equal(group.preferredVersion.version, VERSION);
    const list = (await call('GET', `/apis/${GROUP}/${VERSION}`)).json<{
      resources: Array<{
        name: string;
        namespaced: boolean;
        kind: string;
        shortNames?: string[];
        verbs: string[];
      }>;
    }>();
    assert.deepEqual(
      list.resources.map((r) => [r.name, r.namespaced, r.kind]),
      [
        ['metricrules', true, 'MetricRule'],
        ['metricrules/status', true, 'MetricRule'],
      ],
    );
    assert.deepEqual(list.resources[0]?.shortNames, ['mr']);
    assert.ok(list.resources[0].verbs.includes('watch'));
    const crds = (await call('GET', CRDS)).json<{ kind: string; items: Obj[] }>();
    assert.equal(crds.kind, 'CustomResourceDefinitionList');
    assert.ok(crds.items.some((c) => c.metadata.name === 'metricrules.metrics-adapter.io'));
  });

  const invalid: Array<[string, (crd: Obj) => void, RegExp]> = [
    [
      'a name that is not plural.group',
      (c) => (c.metadata.name = 'rules.metrics-adapter.io'),
      /metadata\.name: Invalid value: "rules\.metrics-adapter\.io": must be spec\.names\.plural\+"\."\+spec\.group/,
    ],
    [
      'an unknown scope',
      (c) => ((c.spec as { scope: string }).scope = 'Global'),
      /spec\.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"/,
    ],
    [
      'no storage version',
      (c) => ((c.spec as { versions: Array<{ storage: boolean }> }).versions[0]!.storage = false),
      /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/,
    ],
    [
      'a printer column of an unknown type',
      (c) =>
        ((
          c.spec as { versions: Array<{ additionalPrinterColumns: Array<{ type: string }> }> }
        ).versions[0]!.additionalPrinterColumns[1]!.type = 'count'),
      /additionalPrinterColumns\[1\]\.type: Unsupported value: "count"/,
    ],
  ];
  for (const [what, spoil, message] of invalid) {
    it(`refuses a CRD with ${what} (422 Invalid)`, async () => {
      const crd = clusterMetricRuleCrd() as Obj;
      spoil(crd);
      const text = await expectStatus(call('POST', CRDS, crd), 422, 'Invalid');
      assert.match(text, /^CustomResourceDefinition\.apiextensions\.k8s\.io ".*" is invalid: /);
      assert.match(text, message);
      assert.throws(() => kube.installCustomResourceDefinition(crd), message);
    });
  }

  it('serves every served version of a CRD, with the same objects', async () => {
    kube.installCustomResourceDefinition(widgetCrd());
    const created = await call('POST', '/apis/example.com/v1/namespaces/team-a/widgets', {
      metadata: { name: 'w1' },
      spec: { size: 1 },
    });
    assert.equal(created.status, 201, created.body);
    const v2 = (await call('GET', '/apis/example.com/v2/namespaces/team-a/widgets/w1')).json<Obj>();
    assert.deepEqual([v2.apiVersion, v2.kind, v2.spec], ['example.com/v2', 'Widget', { size: 1 }]);
    assert.equal(
      (await call('GET', '/apis/example.com')).json<{ preferredVersion: { version: string } }>()
        .preferredVersion.version,
      'v2',
    );
  });

  it('deleting the CRD deletes its objects (DELETED events, then the watch ends) and withdraws its API', async () => {
    const rules = `/apis/${GROUP}/${VERSION}/namespaces/team-a/metricrules`;
    assert.equal((await call('POST', rules, metricRule('latency', 'team-a'))).status, 201);
    const watch = await watchOf(
      `/apis/${GROUP}/${VERSION}/metricrules?watch=1&resourceVersion=${kube.resourceVersion}`,
    );
    try {
      const res = await call('DELETE', `${CRDS}/metricrules.${GROUP}`);
      assert.equal(res.status, 200, res.body);
      const e = await watch.next();
      assert.deepEqual([e.type, e.object.metadata.name], ['DELETED', 'latency']);
      assert.equal(await watch.ended(), 'end');
    } finally {
      watch.close();
    }
    await expectStatus(await call('GET', `/apis/${GROUP}`), 404, 'NotFound');
    await expectStatus(await call('GET', `${CRDS}/metricrules.${GROUP}`), 404, 'NotFound');
    assert.equal(kube.removeCustomResourceDefinition('widgets.example.com'), true);
    assert.equal(kube.removeCustomResourceDefinition('widgets.example.com'), false);
    await expectStatus(await call('GET', '/apis/example.com/v1/widgets'), 404, 'NotFound');
  });
});

/**
 * The simulated kube-apiserver serves CustomResourceDefinitions as the real one does, checked over
 * HTTP: installing a CRD (Established, its group-version in discovery), refusing invalid ones,
 * and the objects of its served versions — create, get, list with selectors, watch from a
 * resourceVersion, update with optimistic concurrency, the status subresource and generation —
 * until deleting the CRD takes its objects and its API away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKube, type FakeKube, type KubeObject } from '../helpers/fake-kube.js';
import { httpsRequest, openJsonLineStream, type HttpsResponse } from '../helpers/https-client.js';
import {
  clusterMetricRuleCrd,
  GROUP,
  metricRule,
  metricRuleCrd,
  readyStatus,
  VERSION,
  widgetCrd,
} from './crd-fixtures.js';

interface Obj extends KubeObject {
  kind?: string;
  apiVersion?: string;
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}
interface Status {
  kind: string;
  code: number;
  reason?: string;
  message: string;
}
interface WatchEvent {
  type: string;
  object: Obj;
}

const TOKEN = 'crd-admin-token';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const RULES = `/apis/${GROUP}/${VERSION}/namespaces/team-a/metricrules`;
const CONFLICT =
  'Operation cannot be fulfilled on metricrules.metrics-adapter.io "latency": the object has been modified; please apply your changes to the latest version and try again';

let kube: FakeKube;

function call(method: string, path: string, body?: unknown): Promise<HttpsResponse> {
  return httpsRequest(`${kube.url}${path}`, {
    method,
    ca: kube.caPem,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function expectStatus(
  pending: HttpsResponse | Promise<HttpsResponse>,
  code: number,
  reason: string,
  message?: string,
): Promise<void> {
  const res = await pending;
  assert.equal(res.status, code, res.body);
  const status = res.json<Status>();
  assert.deepEqual([status.kind, status.code, status.reason], ['Status', code, reason]);
  if (message !== undefined) assert.equal(status.message, message);
}

before(async () => {
  kube = await startFakeKube({ tokens: { [TOKEN]: { username: 'admin', groups: ['system:masters'] } } });
  kube.ensureNamespace('team-a');
  kube.ensureNamespace('team-b');
});

after(async () => {
  await kube.close();
});

describe('CustomResourceDefinitions', () => {
  it('POST installs a CRD: Established, names accepted, its group-version in discovery', async () => {
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}${CRDS}?watch=1&resourceVersion=${kube.resourceVersion}&timeoutSeconds=10`,
      { ca: kube.caPem, headers: { Authorization: `Bearer ${TOKEN}` } },
    );
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
      const res = await call('POST', CRDS, crd);
      await expectStatus(res, 422, 'Invalid');
      assert.match(
        res.json<Status>().message,
        /^CustomResourceDefinition\.apiextensions\.k8s\.io ".*" is invalid: /,
      );
      assert.match(res.json<Status>().message, message);
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
});

describe('custom objects', () => {
  it('create: 201, generation 1, status dropped with the status subresource; duplicates and missing namespaces refused', async () => {
    const res = await call('POST', RULES, metricRule('latency', 'team-a', { status: readyStatus(true, 3) }));
    assert.equal(res.status, 201, res.body);
    const obj = res.json<Obj>();
    assert.deepEqual(
      [obj.apiVersion, obj.kind, obj.metadata.namespace],
      [`${GROUP}/${VERSION}`, 'MetricRule', 'team-a'],
    );
    assert.equal(obj.metadata.generation, 1);
    assert.equal(obj.status, undefined);
    assert.match(obj.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    await expectStatus(
      await call('POST', RULES, metricRule('latency', 'team-a')),
      409,
      'AlreadyExists',
      'metricrules.metrics-adapter.io "latency" already exists',
    );
    await expectStatus(
      await call(
        'POST',
        `/apis/${GROUP}/${VERSION}/namespaces/nowhere/metricrules`,
        metricRule('x', 'nowhere'),
      ),
      404,
      'NotFound',
      'namespaces "nowhere" not found',
    );
    await expectStatus(
      await call('POST', RULES, metricRule('x', 'team-b')),
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    assert.equal(
      (
        await call(
          'POST',
          `/apis/${GROUP}/${VERSION}/namespaces/team-b/metricrules`,
          metricRule('errors', 'team-b'),
        )
      ).status,
      201,
    );
  });

  it('get, list by label, field and across namespaces', async () => {
    const one = (await call('GET', `${RULES}/latency`)).json<Obj>();
    assert.equal(one.metadata.name, 'latency');
    await expectStatus(
      await call('GET', `${RULES}/nope`),
      404,
      'NotFound',
      'metricrules.metrics-adapter.io "nope" not found',
    );
    const names = async (path: string): Promise<string[]> => {
      const res = await call('GET', path);
      assert.equal(res.status, 200, res.body);
      const list = res.json<{ kind: string; items: Obj[] }>();
      assert.equal(list.kind, 'MetricRuleList');
      return list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
    };
    const all = `/apis/${GROUP}/${VERSION}/metricrules`;
    assert.deepEqual(await names(all), ['team-a/latency', 'team-b/errors']);
    assert.deepEqual(await names(RULES), ['team-a/latency']);
    assert.deepEqual(await names(`${all}?labelSelector=team%3Da`), ['team-a/latency', 'team-b/errors']);
    assert.deepEqual(await names(`${all}?labelSelector=team%3Db`), []);
    assert.deepEqual(await names(`${all}?fieldSelector=metadata.name%3Derrors`), ['team-b/errors']);
    assert.deepEqual(await names(`${all}?fieldSelector=metadata.namespace%3Dteam-a`), ['team-a/latency']);
    await expectStatus(
      await call('GET', `${all}?fieldSelector=spec.seriesQuery%3Dx`),
      400,
      'BadRequest',
      'field label not supported: spec.seriesQuery',
    );
  });

  it('update: generation counts spec changes, status only through /status, stale resourceVersions conflict; watch sees it all', async () => {
    const current = (await call('GET', `${RULES}/latency`)).json<Obj>();
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}${RULES}?watch=1&resourceVersion=${current.metadata.resourceVersion}&timeoutSeconds=10`,
      { ca: kube.caPem, headers: { Authorization: `Bearer ${TOKEN}` } },
    );
    try {
      const statusPut = await call('PUT', `${RULES}/latency/status`, {
        ...current,
        spec: { changed: true },
        status: readyStatus(true, 3),
      });
      assert.equal(statusPut.status, 200, statusPut.body);
      const afterStatus = statusPut.json<Obj>();
      assert.deepEqual(
        [afterStatus.spec, afterStatus.status?.metricCount, afterStatus.metadata.generation],
        [current.spec, 3, 1],
      );

      await expectStatus(
        await call('PUT', `${RULES}/latency`, { ...current, spec: { seriesQuery: 'x' } }),
        409,
        'Conflict',
        CONFLICT,
      );

      const specPut = await call('PUT', `${RULES}/latency`, {
        ...afterStatus,
        spec: { seriesQuery: 'x' },
        status: readyStatus(false, 0),
      });
      assert.equal(specPut.status, 200, specPut.body);
      const afterSpec = specPut.json<Obj>();
      assert.deepEqual(
        [afterSpec.spec, afterSpec.status?.metricCount, afterSpec.metadata.generation],
        [{ seriesQuery: 'x' }, 3, 2],
      );
      assert.equal(afterSpec.metadata.uid, current.metadata.uid);

      const { resourceVersion: _rv, ...unconditional } = afterSpec.metadata;
      const labelPut = await call('PUT', `${RULES}/latency`, {
        ...afterSpec,
        metadata: { ...unconditional, labels: { team: 'a', tier: 'gold' } },
      });
      assert.equal(labelPut.json<Obj>().metadata.generation, 2, 'a metadata change is not a spec change');
      await expectStatus(
        await call('PUT', `${RULES}/ghost`, metricRule('ghost', 'team-a')),
        404,
        'NotFound',
        'metricrules.metrics-adapter.io "ghost" not found',
      );
      await expectStatus(
        await call('PUT', `${RULES}/latency`, metricRule('other', 'team-a')),
        400,
        'BadRequest',
        'the name of the object (other) does not match the name on the URL (latency)',
      );

      const deleted = await call('DELETE', `/apis/${GROUP}/${VERSION}/namespaces/team-b/metricrules/errors`);
      assert.equal(deleted.status, 200, deleted.body);
      await expectStatus(
        await call('DELETE', `/apis/${GROUP}/${VERSION}/namespaces/team-b/metricrules/errors`),
        404,
        'NotFound',
      );

      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const e = await watch.next();
        seen.push(
          `${e.type} ${String(e.object.metadata.generation)} ${String(e.object.status?.metricCount)}`,
        );
      }
      assert.deepEqual(seen, ['MODIFIED 1 3', 'MODIFIED 2 3', 'MODIFIED 2 3']);
      assert.equal(await watch.quietFor(200), true, "the other namespace's deletion is not in this watch");
    } finally {
      watch.close();
    }
  });

  it('without the status subresource, PUT writes status and spec alike and /status is not found', async () => {
    const path = '/apis/example.com/v1/namespaces/team-a/widgets/w1';
    const w = (await call('GET', path)).json<Obj>();
    const put = (await call('PUT', path, { ...w, status: { phase: 'Ready' } })).json<Obj>();
    assert.deepEqual([put.status, put.metadata.generation], [{ phase: 'Ready' }, 2]);
    await expectStatus(await call('PUT', `${path}/status`, put), 404, 'NotFound');
  });

  it('unknown versions and kinds are 404, built-in kinds stay read-only', async () => {
    for (const path of [
      `/apis/${GROUP}/v1beta1/metricrules`,
      `/apis/${GROUP}/${VERSION}/metricrulez`,
      '/apis/nothing.io/v1/things',
    ]) {
      await expectStatus(
        await call('GET', path),
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
    }
    await expectStatus(
      await call('POST', '/api/v1/namespaces/team-a/configmaps', { metadata: { name: 'c' } }),
      405,
      'MethodNotAllowed',
    );
  });

  it('deleting the CRD deletes its objects (DELETED events, then the watch ends) and withdraws its API', async () => {
    const watch = await openJsonLineStream<WatchEvent>(
      `${kube.url}/apis/${GROUP}/${VERSION}/metricrules?watch=1&resourceVersion=${kube.resourceVersion}&timeoutSeconds=10`,
      { ca: kube.caPem, headers: { Authorization: `Bearer ${TOKEN}` } },
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

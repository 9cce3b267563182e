/**
 * Objects of custom resources in the simulated kube-apiserver, over HTTP as clients and
 * controllers use them: create, get, list with label and field selectors and across namespaces,
 * watch from a resourceVersion, update with optimistic concurrency (409 Conflict), the status
 * subresource and metadata.generation, delete, and the 404s of unknown versions and kinds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { GROUP, metricRule, metricRuleCrd, readyStatus, VERSION, widgetCrd } from './crd-fixtures.js';
import { crdClient, TOKEN, type CrdClient, type Obj } from './crd-http.js';

const RULES = `/apis/${GROUP}/${VERSION}/namespaces/team-a/metricrules`;
const CONFLICT =
  'Operation cannot be fulfilled on metricrules.metrics-adapter.io "latency": the object has been modified; please apply your changes to the latest version and try again';

let kube: FakeKube;
let call: CrdClient['call'];
let expectStatus: CrdClient['expectStatus'];
let watchOf: CrdClient['watch'];

before(async () => {
  kube = await startFakeKube({ tokens: { [TOKEN]: { username: 'admin', groups: ['system:masters'] } } });
  ({ call, expectStatus, watch: watchOf } = crdClient(kube));
  kube.ensureNamespace('team-a');
  kube.ensureNamespace('team-b');
  kube.installCustomResourceDefinition(metricRuleCrd());
  kube.installCustomResourceDefinition(widgetCrd());
  kube.upsert(
    { group: 'example.com', version: 'v1', resource: 'widgets' },
    { metadata: { name: 'w1', namespace: 'team-a' }, spec: { size: 1 } },
  );
});

after(async () => {
  await kube.close();
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
    const watch = await watchOf(`${RULES}?watch=1&resourceVersion=${current.metadata.resourceVersion}`);
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
});

/**
 * A namespace's rule (a MetricRule, CompiledRule.tenant) serves and reads its own namespace only:
 * other namespaces get the unknown-metric answer, every query it sends keeps to its namespace,
 * and with --prometheus-tenant-header its queries and series lookups carry its tenant, cluster
 * rules' never. Against a Prometheus stand-in that records what it is sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InternalError, NotFoundError } from '../../src/errors.js';
import { confineToNamespace, type Requirement } from '../../src/promql/index.js';
import { podQuery, setup, type Setup } from './tenant-setup.js';

/** True when every selector of `promql` has exactly `namespace="ns"` (confining changes nothing). */
function keptTo(promql: string, ns: string): boolean {
  const r = confineToNamespace(promql, ns);
  return r.ok && r.query === promql;
}

describe('tenant rules: served in their own namespace only', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());

  const cases: { ns: string; name: string; values: number | 'NotFound' }[] = [
    { ns: 'team-a', name: 'web-1', values: 1 },
    { ns: 'team-a', name: '*', values: 1 },
    { ns: 'team-b', name: 'web-2', values: 'NotFound' },
    { ns: 'team-b', name: '*', values: 'NotFound' },
    { ns: 'team-c', name: '*', values: 'NotFound' },
  ];
  for (const c of cases) {
    it(`custom: ${c.name} in ${c.ns} → ${c.values}`, async () => {
      const before = s.prom.calls.filter((x) => x.endpoint === 'query').length;
      const run = s.custom.getValues(podQuery(c.ns, c.name));
      if (c.values === 'NotFound') {
        await assert.rejects(run, NotFoundError);
        assert.equal(s.prom.calls.filter((x) => x.endpoint === 'query').length, before, 'no query sent');
      } else {
        const got = await run;
        assert.equal(got.length, c.values);
        assert.equal(got[0]?.describedObject.namespace, c.ns);
      }
    });
  }

  for (const c of [
    { ns: 'team-a', found: true },
    { ns: 'team-b', found: false },
    { ns: 'team-c', found: false },
  ]) {
    it(`external: queue_depth in ${c.ns} → ${c.found ? 'its series' : 'NotFound'}`, async () => {
      const run = s.external.getValues({ metric: 'queue_depth', namespace: c.ns, selector: [] });
      if (!c.found) await assert.rejects(run, NotFoundError);
      else assert.ok((await run).length > 0);
    });
  }

  it('every query a tenant rule sent has exactly namespace="team-a" in every selector', async () => {
    await s.custom.getValues(podQuery('team-a', '*'));
    await s.external.getValues({ metric: 'queue_depth', namespace: 'team-a', selector: [] });
    const sent = s.prom.calls
      .filter((c) => c.endpoint === 'query' && !/cpu_seconds_total|cluster_load/.test(c.promql[0] ?? ''))
      .map((c) => c.promql[0] ?? '');
    assert.ok(sent.length >= 2);
    for (const q of sent) assert.ok(keptTo(q, 'team-a'), q);
  });

  it('a request whose selector names another namespace is a 500, and nothing is sent', async () => {
    const before = s.prom.calls.length;
    const other: Requirement[] = [{ key: 'namespace', operator: '=', values: ['team-b'] }];
    await assert.rejects(
      s.custom.getValues(podQuery('team-a', 'web-1', 'http_requests_total', other)),
      (e: unknown) => e instanceof InternalError && /could not be kept to its namespace/.test(e.message),
    );
    await assert.rejects(
      s.external.getValues({ metric: 'queue_depth', namespace: 'team-a', selector: other }),
      (e: unknown) => e instanceof InternalError && /could not be kept to its namespace/.test(e.message),
    );
    assert.equal(s.prom.calls.length, before);
  });
});

/**
 * --prometheus-tenant-header: a namespace's rule's queries and series lookups carry its tenant
 * (the namespace, or one of its labels), cluster rules' never; a namespace without the label is a
 * 500 and nothing is sent for it; and two tenants' identical queries in flight never share an
 * answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InternalError } from '../../src/errors.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import type { TenantSource } from '../../src/providers/index.js';
import { allRules, podQuery, SERIES, setup, tenantRules, type Setup } from './tenant-setup.js';
import { startTenantPrometheus } from './tenant-prometheus.js';

/** team-a's rules read http_requests_total and queue_depth; the cluster's, the other series. */
const tenantCall = (promql: readonly string[]): boolean =>
  promql.some((q) => /http_requests_total|queue_depth/.test(q));

const sources: { name: string; from: TenantSource; tenant: string }[] = [
  { name: 'namespace', from: { kind: 'namespace' }, tenant: 'team-a' },
  { name: 'label:tenant', from: { kind: 'label', key: 'tenant' }, tenant: 'org-a' },
];

for (const src of sources) {
  describe(`tenant headers from ${src.name}`, () => {
    let s: Setup;
    before(async () => {
      s = await setup(src.from);
      await s.custom.getValues(podQuery('team-a', '*'));
      await s.external.getValues({ metric: 'queue_depth', namespace: 'team-a', selector: [] });
      await s.custom.getValues(podQuery('team-b', 'web-2', 'cpu_seconds_total'));
      await s.external.getValues({ metric: 'cluster_load', namespace: 'team-b', selector: [] });
    });
    after(() => s.close());

    it(`tenant rules' series lookups and queries carry X-Scope-OrgID: ${src.tenant}`, () => {
      const tenant = s.prom.calls.filter((c) => tenantCall(c.promql));
      assert.deepEqual(
        [...new Set(tenant.map((c) => c.endpoint))].sort(),
        ['query', 'series'],
        'both lookups and queries were seen',
      );
      for (const c of tenant) assert.equal(c.tenant, src.tenant, `${c.endpoint} ${c.promql.join(' ')}`);
    });

    it("cluster rules' calls carry no tenant header", () => {
      const cluster = s.prom.calls.filter((c) => !tenantCall(c.promql));
      assert.ok(cluster.some((c) => c.endpoint === 'query'));
      assert.ok(cluster.some((c) => c.endpoint === 'series'));
      for (const c of cluster) assert.equal(c.tenant, undefined, `${c.endpoint} ${c.promql.join(' ')}`);
    });
  });
}

describe('tenant headers: a namespace without the label', () => {
  let s: Setup;
  before(async () => {
    // team-b owns the rules here; its namespace has no `tenant` label.
    const rules = allRules();
    const b = tenantRules('team-b');
    s = await setup(
      { kind: 'label', key: 'tenant' },
      {
        ...rules,
        custom: [...rules.custom, ...b.custom],
        external: [...rules.external, ...b.external],
      },
    );
  });
  after(() => s.close());

  it('its series lookups are never sent', () => {
    assert.ok(s.prom.calls.length > 0);
    for (const c of s.prom.calls)
      assert.ok(!c.promql.some((q) => q.includes('namespace="team-b"')), c.promql.join());
  });

  for (const api of ['custom', 'external'] as const) {
    it(`${api}: a request is a 500 naming the label, and nothing is sent`, async () => {
      const before = s.prom.calls.length;
      // The relist could not read team-b's series, so the request looks the metric up: refused too.
      const run =
        api === 'custom'
          ? s.custom.getValues(podQuery('team-b', 'web-2'))
          : s.external.getValues({ metric: 'queue_depth', namespace: 'team-b', selector: [] });
      await assert.rejects(
        run,
        (e: unknown) => e instanceof InternalError && /has no label tenant/.test(e.message),
      );
      assert.deepEqual(
        s.prom.calls.slice(before).filter((c) => c.promql.some((q) => q.includes('team-b'))),
        [],
      );
    });
  }
});

describe('query coalescing keys on headers', () => {
  it("two tenants' identical queries in flight are two calls, each with its own tenant", async () => {
    const prom = await startTenantPrometheus(SERIES, 100);
    const client = new HttpPrometheusClient({ url: prom.url, timeoutMs: 5_000 });
    try {
      const q = 'sum(queue_depth{namespace="team-a"})';
      await Promise.all([
        client.query(q, { headers: { 'X-Scope-OrgID': 'org-a' } }),
        client.query(q, { headers: { 'X-Scope-OrgID': 'org-b' } }),
        client.query(q, { headers: { 'X-Scope-OrgID': 'org-a' } }),
      ]);
      assert.deepEqual(prom.calls.map((c) => c.tenant).sort(), ['org-a', 'org-b']);
    } finally {
      client.close();
      await prom.close();
    }
  });
});

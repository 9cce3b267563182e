import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CUSTOM_DISCOVERY_PATH,
  DEMO_RESOURCE_OBJECTS,
  describeMissing,
  EXTERNAL_DISCOVERY_PATH,
  NODE_METRICS_PATH,
  POD_METRICS_PATH,
  probesFor,
  waitForApis,
  type ApiProbe,
} from '../../src/cli/demo-ready.js';

/** An API whose answers change from one look to the next. */
function answers(
  api: string,
  expected: string[],
  seq: (string[] | Error)[],
): ApiProbe & { looks: () => number } {
  let n = 0;
  return {
    api,
    path: `/apis/${api}`,
    expected,
    fetchNames: () => {
      const a = seq[Math.min(n++, seq.length - 1)] ?? [];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
    looks: () => n,
  };
}

describe('waitForApis', () => {
  const cases: {
    name: string;
    apis: { api: string; expected: string[]; seq: (string[] | Error)[] }[];
    want: { ready: boolean; missing?: Record<string, string[]>; lastError?: Record<string, string> };
  }[] = [
    {
      name: 'ready once every expected name is listed',
      apis: [
        {
          api: 'custom',
          expected: ['pods/a', 'services/a'],
          seq: [[], ['pods/a'], ['pods/a', 'services/a', 'x']],
        },
      ],
      want: { ready: true },
    },
    {
      name: 'ready on the first name when nothing particular is expected',
      apis: [{ api: 'custom', expected: [], seq: [new Error('connection refused'), [], ['pods/x']] }],
      want: { ready: true },
    },
    {
      name: 'ready only when every API is',
      apis: [
        { api: 'custom', expected: [], seq: [['pods/x']] },
        { api: 'external', expected: ['q'], seq: [[], [], ['q']] },
        { api: 'resource', expected: ['nodes/n'], seq: [new Error('503'), ['nodes/n']] },
      ],
      want: { ready: true },
    },
    {
      name: 'an external-only rules file is ready on its external metric alone',
      apis: [{ api: 'external', expected: [], seq: [[], ['queue_messages_ready']] }],
      want: { ready: true },
    },
    {
      name: 'on timeout, names what is missing per API, and only for APIs not ready',
      apis: [
        { api: 'custom', expected: ['pods/a', 'services/a', 'deployments.apps/a'], seq: [['pods/a']] },
        { api: 'external', expected: [], seq: [['q']] },
      ],
      want: { ready: false, missing: { custom: ['services/a', 'deployments.apps/a'], external: [] } },
    },
    {
      name: 'on timeout with nothing listed, says so',
      apis: [{ api: 'external', expected: [], seq: [[]] }],
      want: { ready: false, missing: { external: ['anything'] } },
    },
    {
      name: 'on timeout, keeps the last error',
      apis: [{ api: 'custom', expected: ['pods/a'], seq: [new Error('answered 403')] }],
      want: { ready: false, missing: { custom: ['pods/a'] }, lastError: { custom: 'answered 403' } },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const probes = c.apis.map((a) => answers(a.api, a.expected, a.seq));
      let nudges = 0;
      const r = await waitForApis({
        probes,
        timeoutMs: 200,
        pollMs: 20,
        nudge: () => {
          nudges++;
          return Promise.resolve();
        },
      });
      assert.equal(r.ready, c.want.ready);
      assert.deepEqual(
        r.apis.map((a) => a.api),
        c.apis.map((a) => a.api),
      );
      for (const a of r.apis) {
        if (c.want.missing !== undefined) assert.deepEqual(a.missing, c.want.missing[a.api] ?? [], a.api);
        assert.equal(a.lastError, c.want.lastError?.[a.api], a.api);
      }
      const rounds = Math.max(...probes.map((p) => p.looks()));
      if (!r.ready) assert.ok(rounds >= 2, 'polled more than once before giving up');
      assert.equal(nudges, rounds - 1, 'nudged between rounds');
      if (!r.ready) {
        const lines = describeMissing(r.apis);
        assert.equal(lines.length, r.apis.filter((a) => a.missing.length > 0).length);
        for (const l of lines) assert.match(l, /does not list .* \(it lists: /);
      }
    });
  }
});

describe('probesFor', () => {
  const documents: Record<string, unknown> = {
    [CUSTOM_DISCOVERY_PATH]: { resources: [{ name: 'pods/m' }] },
    [EXTERNAL_DISCOVERY_PATH]: { resources: [{ name: 'queue_messages_ready' }] },
    [NODE_METRICS_PATH]: { items: [{ metadata: { name: 'demo-node-1' } }] },
    [POD_METRICS_PATH]: { items: [{ metadata: { name: 'web-0', namespace: 'demo' } }] },
  };
  const get = (path: string): Promise<unknown> => Promise.resolve(documents[path]);

  const cases: {
    name: string;
    rules: { custom: number; external: number; resource: boolean };
    apis: string[];
  }[] = [
    {
      name: 'custom rules only',
      rules: { custom: 2, external: 0, resource: false },
      apis: ['custom.metrics.k8s.io'],
    },
    {
      name: 'external rules only (nothing waits for custom metrics)',
      rules: { custom: 0, external: 1, resource: false },
      apis: ['external.metrics.k8s.io'],
    },
    {
      name: 'all three kinds',
      rules: { custom: 1, external: 1, resource: true },
      apis: ['custom.metrics.k8s.io', 'external.metrics.k8s.io', 'metrics.k8s.io'],
    },
    {
      name: 'resourceRules only',
      rules: { custom: 0, external: 0, resource: true },
      apis: ['metrics.k8s.io'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        probesFor(c.rules, get, false).map((p) => p.api),
        c.apis,
      );
    });
  }

  it('reads names from discovery documents and metric lists', async () => {
    const [custom, external, resource] = probesFor({ custom: 1, external: 1, resource: true }, get, false);
    assert.deepEqual(await custom?.fetchNames(), ['pods/m']);
    assert.deepEqual(await external?.fetchNames(), ['queue_messages_ready']);
    assert.deepEqual(await resource?.fetchNames(), ['nodes/demo-node-1', 'pods/demo/web-0']);
  });

  it('expects every node and pod of the demo workload with the demo rules', () => {
    const resource = probesFor({ custom: 0, external: 0, resource: true }, get, true)[0];
    assert.deepEqual(resource?.expected, DEMO_RESOURCE_OBJECTS);
    assert.ok(DEMO_RESOURCE_OBJECTS.includes('nodes/demo-node-2'));
    assert.ok(DEMO_RESOURCE_OBJECTS.includes('pods/demo/web-2'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitForDiscovery } from '../../src/cli/demo-ready.js';

/** A discovery endpoint whose answers change from one look to the next. */
function answers(seq: (string[] | Error)[]): { fetchNames: () => Promise<string[]>; looks: () => number } {
  let n = 0;
  return {
    fetchNames: () => {
      const a = seq[Math.min(n++, seq.length - 1)] ?? [];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
    looks: () => n,
  };
}

describe('waitForDiscovery', () => {
  const cases: {
    name: string;
    seq: (string[] | Error)[];
    expected: string[];
    want: { ready: boolean; missing?: string[]; lastError?: string };
  }[] = [
    {
      name: 'ready once every expected metric is listed',
      seq: [[], ['pods/a'], ['pods/a', 'services/a', 'pods/extra']],
      expected: ['pods/a', 'services/a'],
      want: { ready: true },
    },
    {
      name: 'ready on the first metric when nothing particular is expected',
      seq: [new Error('connection refused'), [], ['pods/x']],
      expected: [],
      want: { ready: true },
    },
    {
      name: 'on timeout, names what is missing',
      seq: [['pods/a']],
      expected: ['pods/a', 'services/a', 'deployments.apps/a'],
      want: { ready: false, missing: ['services/a', 'deployments.apps/a'] },
    },
    {
      name: 'on timeout with nothing listed, says so',
      seq: [[]],
      expected: [],
      want: { ready: false, missing: ['any metric'] },
    },
    {
      name: 'on timeout, keeps the last error',
      seq: [new Error('answered 403')],
      expected: ['pods/a'],
      want: { ready: false, missing: ['pods/a'], lastError: 'answered 403' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const endpoint = answers(c.seq);
      let nudges = 0;
      const r = await waitForDiscovery({
        fetchNames: endpoint.fetchNames,
        expected: c.expected,
        timeoutMs: 200,
        pollMs: 20,
        nudge: () => {
          nudges++;
          return Promise.resolve();
        },
      });
      assert.equal(r.ready, c.want.ready);
      if (!r.ready) {
        assert.deepEqual(r.missing, c.want.missing);
        assert.equal(r.lastError, c.want.lastError);
        assert.ok(endpoint.looks() >= 2, 'polled more than once before giving up');
      }
      assert.equal(nudges, endpoint.looks() - 1, 'nudged between looks');
    });
  }
});

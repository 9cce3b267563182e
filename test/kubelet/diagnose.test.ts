/**
 * The read-only accessors `explain pod|node` uses: the store's points per container of a pod and
 * per node (UsageStore.diagnosePod / diagnoseNode). The scraper's diagnoseNode is exercised end to
 * end against the simulated fleet in test/cli/explain-object.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageStore, type NodeScrape } from '../../src/kubelet/index.js';

const T = 1_700_000_000_000;

function scrape(t: number, containers: string[], complete = true, withNode = true): NodeScrape {
  const sample = (cpuNs: number) => ({ cpuNs, cpuTimeMs: t, memoryBytes: 100, memoryTimeMs: t });
  return {
    node: withNode ? sample(t * 1000) : undefined,
    pods: [
      {
        namespace: 'shop',
        name: 'web',
        complete,
        containers: containers.map((name) => ({ name, startTimeMs: T - 60_000, ...sample(t * 10) })),
      },
    ],
  };
}

test('diagnosePod: the node, completeness and points per container; undefined when no node reports it', () => {
  const store = new UsageStore();
  assert.equal(store.diagnosePod('shop', 'web'), undefined);
  assert.deepEqual(store.diagnoseNode('node-a'), { scraped: false, points: 0 });
  store.apply('node-a', scrape(T, ['app']));
  assert.deepEqual(store.diagnosePod('shop', 'web'), {
    node: 'node-a',
    complete: true,
    containers: [{ name: 'app', points: 1 }],
  });
  assert.deepEqual(store.diagnoseNode('node-a'), { scraped: true, points: 1 });
  // A second point for app; sidecar appears with its first.
  store.apply('node-a', scrape(T + 10_000, ['app', 'sidecar']));
  assert.deepEqual(store.diagnosePod('shop', 'web')?.containers, [
    { name: 'app', points: 2 },
    { name: 'sidecar', points: 1 },
  ]);
  assert.deepEqual(store.diagnoseNode('node-a'), { scraped: true, points: 2 });
  // An answer without CPU or memory for a container: the pod is incomplete.
  store.apply('node-a', scrape(T + 20_000, ['app'], false, false));
  assert.equal(store.diagnosePod('shop', 'web')?.complete, false);
  assert.deepEqual(store.diagnoseNode('node-a'), { scraped: true, points: 0 });
  store.apply('node-a', { node: undefined, pods: [] });
  assert.equal(store.diagnosePod('shop', 'web'), undefined);
});

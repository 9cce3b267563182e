import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageStore, type NodeScrape } from '../../src/kubelet/index.js';

const T = 1_700_000_000_000;

/** One node, one pod "shop/web" with the given containers (cpu ns, time ms, start ms, memory). */
function scrape(
  containers: { name: string; cpuNs: number; t: number; start?: number; mem?: number; nc?: number }[],
  node?: { cpuNs: number; t: number; mem?: number; nc?: number },
): NodeScrape {
  return {
    node:
      node === undefined
        ? undefined
        : {
            cpuNs: node.cpuNs,
            cpuTimeMs: node.t,
            memoryBytes: node.mem ?? 1000,
            memoryTimeMs: node.t,
            cpuNanoCores: node.nc,
          },
    pods: [
      {
        namespace: 'shop',
        name: 'web',
        complete: true,
        containers: containers.map((c) => ({
          name: c.name,
          cpuNs: c.cpuNs,
          cpuTimeMs: c.t,
          startTimeMs: c.start ?? T - 60_000,
          memoryBytes: c.mem ?? 100,
          memoryTimeMs: c.t,
          cpuNanoCores: c.nc,
        })),
      },
    ],
  };
}

test('store arithmetic: rate over the window, restarts and counter resets discard the pair', () => {
  const cases: {
    name: string;
    scrapes: NodeScrape[];
    want: { cpu: number; windowMs: number; mem: number; timestamp: number } | undefined;
  }[] = [
    { name: 'one point is not data', scrapes: [scrape([{ name: 'a', cpuNs: 1e9, t: T }])], want: undefined },
    {
      name: 'half a core over 15 s',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 10e9, t: T }]),
        scrape([{ name: 'a', cpuNs: 17.5e9, t: T + 15_000, mem: 300 }]),
      ],
      want: { cpu: 500_000_000, windowMs: 15_000, mem: 300, timestamp: T + 15_000 },
    },
    {
      name: 'the window is the kubelet timestamps, not the scrape interval',
      scrapes: [scrape([{ name: 'a', cpuNs: 0, t: T }]), scrape([{ name: 'a', cpuNs: 1e9, t: T + 4_000 }])],
      want: { cpu: 250_000_000, windowMs: 4_000, mem: 100, timestamp: T + 4_000 },
    },
    {
      name: 'the same sample twice is not a new point',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 0, t: T }]),
        scrape([{ name: 'a', cpuNs: 2e9, t: T + 10_000 }]),
        scrape([{ name: 'a', cpuNs: 2e9, t: T + 10_000 }]),
      ],
      want: { cpu: 200_000_000, windowMs: 10_000, mem: 100, timestamp: T + 10_000 },
    },
    {
      name: 'only the last two points count',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 0, t: T }]),
        scrape([{ name: 'a', cpuNs: 10e9, t: T + 10_000 }]),
        scrape([{ name: 'a', cpuNs: 11e9, t: T + 20_000 }]),
      ],
      want: { cpu: 100_000_000, windowMs: 10_000, mem: 100, timestamp: T + 20_000 },
    },
    {
      name: 'a restart (start time changed) discards the pair; 5 s after it, a cold start',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T }]),
        scrape([{ name: 'a', cpuNs: 6e9, t: T + 15_000, start: T + 10_000 }]),
      ],
      want: { cpu: 1_200_000_000, windowMs: 5_000, mem: 100, timestamp: T + 15_000 },
    },
    {
      name: 'a restart longer than the resolution before the reading: no answer until a pair',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T }]),
        scrape([{ name: 'a', cpuNs: 6e9, t: T + 40_000, start: T + 10_000 }]),
      ],
      want: undefined,
    },
    {
      name: 'after a restart, the next pair counts',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T }]),
        scrape([{ name: 'a', cpuNs: 1e9, t: T + 15_000, start: T + 10_000 }]),
        scrape([{ name: 'a', cpuNs: 4e9, t: T + 30_000, start: T + 10_000 }]),
      ],
      want: { cpu: 200_000_000, windowMs: 15_000, mem: 100, timestamp: T + 30_000 },
    },
    {
      name: 'a counter that went down discards the pair',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T }]),
        scrape([{ name: 'a', cpuNs: 6e9, t: T + 15_000 }]),
        scrape([{ name: 'a', cpuNs: 1e9, t: T + 30_000 }]),
      ],
      want: undefined,
    },
  ];
  for (const c of cases) {
    const store = new UsageStore();
    for (const s of c.scrapes) store.apply('n1', s);
    const got = store.podUsage('shop');
    if (c.want === undefined) {
      assert.deepEqual(got, [], c.name);
      continue;
    }
    assert.equal(got.length, 1, c.name);
    assert.deepEqual(
      {
        cpu: got[0]!.containers[0]!.cpuNanoCores,
        windowMs: got[0]!.windowMs,
        mem: got[0]!.containers[0]!.memoryBytes,
        timestamp: got[0]!.timestamp.getTime(),
      },
      c.want,
      c.name,
    );
  }
});

test('a pod is reported only when every container has a complete pair', () => {
  const store = new UsageStore();
  store.apply('n1', scrape([{ name: 'a', cpuNs: 0, t: T }]));
  store.apply(
    'n1',
    scrape([
      { name: 'a', cpuNs: 1e9, t: T + 10_000 },
      { name: 'b', cpuNs: 0, t: T + 10_000 },
    ]),
  );
  assert.deepEqual(store.podUsage(undefined), []);
  store.apply(
    'n1',
    scrape([
      { name: 'a', cpuNs: 2e9, t: T + 20_000 },
      { name: 'b', cpuNs: 3e9, t: T + 20_000 },
    ]),
  );
  const got = store.podUsage(undefined, ['web']);
  assert.deepEqual(
    got[0]?.containers.map((c) => [c.name, c.cpuNanoCores]),
    [
      ['a', 100_000_000],
      ['b', 300_000_000],
    ],
  );
  // An incomplete scrape of the pod (a container without CPU) hides it until a complete one.
  const partial = scrape([{ name: 'a', cpuNs: 3e9, t: T + 30_000 }]);
  partial.pods[0]!.complete = false;
  store.apply('n1', partial);
  assert.deepEqual(store.podUsage('shop'), []);
});

test('nodes, lookups by name and namespace, pods leaving and nodes removed', () => {
  const store = new UsageStore();
  store.apply('n1', scrape([{ name: 'a', cpuNs: 0, t: T }], { cpuNs: 0, t: T }));
  store.apply(
    'n1',
    scrape([{ name: 'a', cpuNs: 1e9, t: T + 10_000 }], { cpuNs: 20e9, t: T + 10_000, mem: 7 }),
  );
  assert.deepEqual(store.nodeUsage(), [
    { name: 'n1', timestamp: new Date(T + 10_000), windowMs: 10_000, cpuNanoCores: 2e9, memoryBytes: 7 },
  ]);
  assert.deepEqual(store.nodeUsage(['n2']), []);
  assert.equal(store.podUsage('shop', ['web']).length, 1);
  assert.equal(store.podUsage('other', ['web']).length, 0);
  assert.equal(store.podUsage('shop', ['nope']).length, 0);
  assert.deepEqual(store.counts(), { nodes: 1, pods: 1, containers: 1 });
  // The pod is gone from the next scrape.
  store.apply('n1', { node: undefined, pods: [] });
  assert.deepEqual(store.counts(), { nodes: 1, pods: 0, containers: 0 });
  assert.deepEqual(store.nodeUsage(), []);
  store.apply('n1', scrape([{ name: 'a', cpuNs: 0, t: T }]));
  store.removeNode('n1');
  assert.deepEqual(store.counts(), { nodes: 0, pods: 0, containers: 0 });
});

test('a pod recreated on another node replaces the old entry', () => {
  const store = new UsageStore();
  store.apply('n1', scrape([{ name: 'a', cpuNs: 0, t: T }]));
  store.apply('n2', scrape([{ name: 'a', cpuNs: 0, t: T + 1_000 }]));
  store.apply('n2', scrape([{ name: 'a', cpuNs: 1e9, t: T + 11_000 }]));
  assert.deepEqual(store.counts(), { nodes: 2, pods: 1, containers: 1 });
  assert.equal(store.podUsage('shop')[0]?.containers[0]?.cpuNanoCores, 100_000_000);
  // n1 still reporting it later must not make it vanish from n2's data.
  store.removeNode('n1');
  assert.equal(store.podUsage('shop').length, 1);
});

test('between two scrapes of a node, pod usage is the same object; a scrape makes a new one', () => {
  const store = new UsageStore();
  store.apply('n1', scrape([{ name: 'a', cpuNs: 0, t: T }]));
  store.apply('n1', scrape([{ name: 'a', cpuNs: 1e9, t: T + 10_000 }]));
  const first = store.podUsage(undefined);
  assert.equal(first.length, 1);
  assert.equal(store.podUsage('shop')[0], first[0]);
  assert.equal(store.podUsage('shop', ['web'])[0], first[0]);
  store.apply('n1', scrape([{ name: 'a', cpuNs: 4e9, t: T + 20_000, mem: 700 }]));
  const next = store.podUsage(undefined);
  assert.notEqual(next[0], first[0]);
  assert.deepEqual(next[0]?.containers, [{ name: 'a', cpuNanoCores: 300_000_000, memoryBytes: 700 }]);
  assert.deepEqual(first[0]?.containers, [{ name: 'a', cpuNanoCores: 100_000_000, memoryBytes: 100 }]);
  // An incomplete report drops the pod until it is complete again, cached answer included.
  store.apply('n1', {
    node: undefined,
    pods: [{ namespace: 'shop', name: 'web', complete: false, containers: [] }],
  });
  assert.deepEqual(store.podUsage(undefined), []);
});

test('first answers before the pair: the kubelet rate, a cold start, or none', () => {
  const RES = 15_000;
  const cases: {
    name: string;
    scrapes: NodeScrape[];
    want: { cpu: number; windowMs: number; timestamp: number } | undefined;
  }[] = [
    {
      name: 'usageNanoCores: rate as given, window = the resolution',
      scrapes: [scrape([{ name: 'a', cpuNs: 900e9, t: T, nc: 250_000_000 }])],
      want: { cpu: 250_000_000, windowMs: RES, timestamp: T },
    },
    {
      name: 'cold start 12 s before the reading: counter over the time since start',
      scrapes: [scrape([{ name: 'a', cpuNs: 3e9, t: T, start: T - 12_000 }])],
      want: { cpu: 250_000_000, windowMs: 12_000, timestamp: T },
    },
    {
      name: 'cold start exactly one resolution before still counts',
      scrapes: [scrape([{ name: 'a', cpuNs: 15e9, t: T, start: T - RES }])],
      want: { cpu: 1e9, windowMs: RES, timestamp: T },
    },
    {
      name: 'cold start preferred over usageNanoCores (its window is known)',
      scrapes: [scrape([{ name: 'a', cpuNs: 3e9, t: T, start: T - 12_000, nc: 999 }])],
      want: { cpu: 250_000_000, windowMs: 12_000, timestamp: T },
    },
    {
      name: 'started 10 minutes ago, no usageNanoCores: nothing from one point',
      scrapes: [scrape([{ name: 'a', cpuNs: 3e9, t: T, start: T - 600_000 }])],
      want: undefined,
    },
    {
      name: 'started 10 minutes ago: the pair after the second point',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 3e9, t: T, start: T - 600_000 }]),
        scrape([{ name: 'a', cpuNs: 4e9, t: T + 10_000, start: T - 600_000 }]),
      ],
      want: { cpu: 100_000_000, windowMs: 10_000, timestamp: T + 10_000 },
    },
    {
      name: 'the pair wins over usageNanoCores once there are two points',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 3e9, t: T, nc: 7 }]),
        scrape([{ name: 'a', cpuNs: 4e9, t: T + 10_000, nc: 7 }]),
      ],
      want: { cpu: 100_000_000, windowMs: 10_000, timestamp: T + 10_000 },
    },
    {
      name: 'start time after the reading (clock skew) is no cold start',
      scrapes: [scrape([{ name: 'a', cpuNs: 0, t: T, start: T + 1_000 }])],
      want: undefined,
    },
    {
      name: 'start time equal to the reading is no cold start (no time to divide by)',
      scrapes: [scrape([{ name: 'a', cpuNs: 0, t: T, start: T }])],
      want: undefined,
    },
    {
      name: 'unknown start time (NaN) and no usageNanoCores: nothing',
      scrapes: [scrape([{ name: 'a', cpuNs: 3e9, t: T, start: Number.NaN }])],
      want: undefined,
    },
    {
      name: 'usageNanoCores NaN (absent or bad in the answer): nothing from one point',
      scrapes: [scrape([{ name: 'a', cpuNs: 3e9, t: T, nc: Number.NaN }])],
      want: undefined,
    },
    {
      name: 'a restart after a pair: the new one point answers from its usageNanoCores',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T, nc: 1 }]),
        scrape([{ name: 'a', cpuNs: 6e9, t: T + 10_000, nc: 1 }]),
        scrape([{ name: 'a', cpuNs: 1e9, t: T + 60_000, start: T + 30_000, nc: 40_000_000 }]),
      ],
      want: { cpu: 40_000_000, windowMs: RES, timestamp: T + 60_000 },
    },
    {
      name: 'a counter reset without a new start (10 min old): no answer until a pair',
      scrapes: [
        scrape([{ name: 'a', cpuNs: 5e9, t: T, start: T - 600_000 }]),
        scrape([{ name: 'a', cpuNs: 6e9, t: T + 10_000, start: T - 600_000 }]),
        scrape([{ name: 'a', cpuNs: 1e9, t: T + 20_000, start: T - 600_000 }]),
      ],
      want: undefined,
    },
  ];
  for (const c of cases) {
    const store = new UsageStore({ resolutionMs: RES });
    for (const s of c.scrapes) store.apply('n1', s);
    const got = store.podUsage('shop');
    assert.equal(store.podUsageOf('shop', 'web'), got[0], c.name);
    if (c.want === undefined) {
      assert.deepEqual(got, [], c.name);
      continue;
    }
    assert.equal(got.length, 1, c.name);
    assert.deepEqual(
      {
        cpu: got[0]!.containers[0]!.cpuNanoCores,
        windowMs: got[0]!.windowMs,
        timestamp: got[0]!.timestamp.getTime(),
      },
      c.want,
      c.name,
    );
  }
});

test('a node answers from its first scrape with usageNanoCores, else after its pair', () => {
  const store = new UsageStore({ resolutionMs: 10_000 });
  store.apply('with', scrape([], { cpuNs: 5e9, t: T, mem: 9, nc: 2e9 }));
  store.apply('without', scrape([], { cpuNs: 5e9, t: T, mem: 9 }));
  assert.equal(store.nodeComplete('with'), true);
  assert.equal(store.nodeComplete('without'), false);
  assert.deepEqual(store.nodeUsage(), [
    { name: 'with', timestamp: new Date(T), windowMs: 10_000, cpuNanoCores: 2e9, memoryBytes: 9 },
  ]);
  store.apply('without', scrape([], { cpuNs: 6e9, t: T + 4_000, mem: 9 }));
  store.apply('with', scrape([], { cpuNs: 6e9, t: T + 4_000, mem: 9, nc: 2e9 }));
  assert.equal(store.nodeComplete('without'), true);
  // With two points, both report the counter rate over the kubelet's timestamps.
  for (const n of store.nodeUsage())
    assert.deepEqual([n.cpuNanoCores, n.windowMs], [250_000_000, 4_000], n.name);
});

test('a pod answers only when every container answers, whichever rule each uses', () => {
  const store = new UsageStore({ resolutionMs: 15_000 });
  store.apply(
    'n1',
    scrape([
      { name: 'new', cpuNs: 1e9, t: T, start: T - 10_000 },
      { name: 'old', cpuNs: 1e9, t: T, start: T - 600_000 },
    ]),
  );
  assert.deepEqual(store.podUsage('shop'), []);
  store.apply(
    'n1',
    scrape([
      { name: 'new', cpuNs: 2e9, t: T + 10_000, start: T - 10_000 },
      { name: 'old', cpuNs: 3e9, t: T + 10_000, start: T - 600_000 },
    ]),
  );
  assert.deepEqual(
    store.podUsage('shop')[0]?.containers.map((c) => [c.name, c.cpuNanoCores]),
    [
      ['new', 100_000_000],
      ['old', 200_000_000],
    ],
  );
});

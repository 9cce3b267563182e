import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type KubeletScraperOptions } from '../../src/kubelet/index.js';
import { type FakeKubeletFleet } from '../helpers/fake-kubelet.js';
import { NODES, startScraperEnv, waitFor, type LogLine, type ScraperEnv } from './support.js';

type Env = ScraperEnv;

function setup(opts: {
  nodes: number;
  registered?: number;
  options?: Partial<KubeletScraperOptions>;
  beforeStart?: (f: FakeKubeletFleet) => Promise<void>;
}): Promise<Env> {
  return startScraperEnv({
    fleet: { nodes: opts.nodes, podsPerNode: 3, containersPerPod: 2 },
    registered: opts.registered,
    options: opts.options,
    beforeStart: opts.beforeStart,
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]);
}

for (const endpoint of ['summary', 'resource'] as const) {
  test(`CPU and memory are the rates the fleet served (${endpoint})`, { timeout: 60_000 }, async () => {
    const env = await setup({ nodes: 3, options: { endpoint } });
    try {
      env.scraper.start();
      await withTimeout(env.scraper.ready, 15_000, 'ready');
      const source = env.scraper.usageSource();
      assert.equal(source.name, 'kubelet');
      const nodes = await source.nodeUsage({});
      assert.deepEqual(nodes.map((n) => n.name).sort(), ['node-0', 'node-1', 'node-2']);
      for (const n of nodes) {
        assert.equal(n.cpuNanoCores, env.fleet.nodeRate(n.name), n.name);
        assert.equal(n.memoryBytes, env.fleet.nodeMemory(n.name));
        assert.ok(n.windowMs >= 1_000 && n.windowMs % 1_000 === 0, `window ${n.windowMs}`);
      }
      const pods = await source.podUsage({ namespace: undefined });
      assert.equal(pods.length, 9);
      for (const p of pods) {
        assert.equal(p.containers.length, 2);
        for (const c of p.containers) {
          assert.equal(
            c.cpuNanoCores,
            env.fleet.containerRate(p.namespace, p.name, c.name),
            `${p.name}/${c.name}`,
          );
          assert.equal(c.memoryBytes, env.fleet.containerMemory(p.namespace, p.name, c.name));
        }
      }
      assert.deepEqual((await source.podUsage({ namespace: 'team-a' })).map((p) => p.name).sort(), [
        'node-0-pod-1',
        'node-1-pod-1',
        'node-2-pod-1',
      ]);
      assert.deepEqual(
        (await source.podUsage({ namespace: 'default', names: ['node-1-pod-0', 'node-1-pod-1'] })).map(
          (p) => p.name,
        ),
        ['node-1-pod-0'],
      );
      // A rate change shows after the next pairs; a restart first hides the pod, then shows the new rate.
      env.fleet.setContainerRate('default', 'node-0-pod-0', 'c0', 42_000_000);
      env.fleet.restartContainer('default', 'node-1-pod-0', 'c1');
      await waitFor('the new rate', () => {
        const u = env.scraper.store.podUsage('default', ['node-0-pod-0'])[0];
        return u?.containers.find((c) => c.name === 'c0')?.cpuNanoCores === 42_000_000;
      });
      await waitFor(
        'the restarted pod back',
        () => env.scraper.store.podUsage('default', ['node-1-pod-0']).length === 1,
      );
      const restarted = env.scraper.store.podUsage('default', ['node-1-pod-0'])[0]!;
      assert.equal(
        restarted.containers.find((c) => c.name === 'c1')?.cpuNanoCores,
        env.fleet.containerRate('default', 'node-1-pod-0', 'c1'),
      );
      const text = await env.metrics.registry.metrics();
      assert.match(
        text,
        /metrics_adapter_kubelet_last_successful_scrape_timestamp_seconds\{node="node-2"\} \d/,
      );
      assert.match(text, /metrics_adapter_kubelet_points_stored\{kind="container"\} 18/);
      assert.match(text, /metrics_adapter_kubelet_scrape_cycle_duration_seconds_count [1-9]/);
    } finally {
      await env.close();
    }
  });
}

test('a hung kubelet delays no other node, and times out on its own', { timeout: 60_000 }, async () => {
  const env = await setup({
    nodes: 4,
    options: { requestTimeoutMs: 8_000, concurrency: 2 },
    beforeStart: async (f) => {
      await f.setFault('node-1', { kind: 'hang-headers' });
      await f.setFault('node-2', { kind: 'hang-body' });
    },
  });
  // How many requests node-1 had received when its first scrape timed out: a later tick may
  // legitimately scrape it again, so the count is taken at the timeout, not at the end.
  let node1AtTimeout: number | undefined;
  const push = env.logs.push.bind(env.logs);
  env.logs.push = (...lines: LogLine[]): number => {
    for (const l of lines) {
      if (l.kind === 'timeout' && l.node === 'node-1') node1AtTimeout ??= env.fleet.requestCount('node-1');
    }
    return push(...lines);
  };
  try {
    env.scraper.start();
    // With two slots both hung nodes could hold them; the others must still get complete data.
    await waitFor(
      'the healthy nodes',
      () => env.scraper.store.nodeUsage(['node-0', 'node-3']).length === 2,
      7_000,
    );
    assert.equal(
      env.logs.filter((l) => l.kind === 'timeout').length,
      0,
      'the healthy nodes had data before the hung ones timed out',
    );
    assert.equal(env.scraper.isReady, false);
    // What /readyz says meanwhile: the two hung nodes hold readiness.
    assert.deepEqual(env.scraper.readinessProgress(), { nodes: 4, waiting: 2 });
    await withTimeout(env.scraper.ready, 15_000, 'ready after the hung nodes failed');
    assert.equal(env.scraper.readinessProgress(), undefined);
    const timeouts = env.logs
      .filter((l) => l.kind === 'timeout')
      .map((l) => l.node)
      .sort();
    assert.deepEqual(timeouts, ['node-1', 'node-2']);
    assert.equal(node1AtTimeout, 1, 'a hung node is not scraped again while its scrape is in flight');
  } finally {
    await env.close();
  }
});

test('one log line per change of state, naming the flag that fixes it', { timeout: 60_000 }, async () => {
  const env = await setup({ nodes: 2 });
  const linesFor = (node: string): LogLine[] => env.logs.filter((l) => l.node === node);
  const ticks = async (n: number): Promise<void> => {
    const start = env.fleet.requestCount('node-0');
    await waitFor(`${n} ticks`, () => env.fleet.requestCount('node-0') >= start + n);
  };
  try {
    env.scraper.start();
    await withTimeout(env.scraper.ready, 15_000, 'ready');
    const steps: { fault: Parameters<FakeKubeletFleet['setFault']>[1]; kind: string; hint: RegExp }[] = [
      { fault: { kind: 'status', status: 500 }, kind: 'http_status', hint: /500/ },
      {
        fault: { kind: 'status', status: 403 },
        kind: 'unauthorized',
        hint: /--kubelet-client-certificate.*nodes\/stats/,
      },
      {
        fault: { kind: 'unknown-ca' },
        kind: 'unknown_authority',
        hint: /--kubelet-certificate-authority.*--kubelet-insecure-tls/,
      },
      { fault: { kind: 'refuse' }, kind: 'connection_refused', hint: /--kubelet-port/ },
      { fault: { kind: 'wrong-name' }, kind: 'name_mismatch', hint: /--kubelet-preferred-address-types/ },
    ];
    let expected = 0;
    for (const step of steps) {
      await env.fleet.setFault('node-1', step.fault);
      await waitFor(step.kind, () => linesFor('node-1').some((l) => l.kind === step.kind));
      await ticks(3);
      const lines = linesFor('node-1');
      expected++;
      assert.equal(lines.length, expected, `one line for ${step.kind}: ${JSON.stringify(lines)}`);
      const last = lines.at(-1)!;
      assert.equal(last.kind, step.kind);
      assert.match(JSON.stringify(last), step.hint);
    }
    await env.fleet.setFault('node-1', { kind: 'ok' });
    await waitFor('recovery', () => linesFor('node-1').some((l) => l.msg === 'kubelet scrape works again'));
    await ticks(3);
    assert.equal(linesFor('node-1').length, expected + 1, JSON.stringify(linesFor('node-1').slice(expected)));
    assert.equal(linesFor('node-0').length, 0);
    const text = await env.metrics.registry.metrics();
    for (const kind of [
      'http_status',
      'unauthorized',
      'connection_refused',
      'name_mismatch',
      'unknown_authority',
    ])
      assert.match(text, new RegExp(`metrics_adapter_kubelet_scrape_errors_total\\{kind="${kind}"\\} [1-9]`));
  } finally {
    await env.close();
  }
});

test('nodes added and removed through the watch', { timeout: 60_000 }, async () => {
  const env = await setup({ nodes: 3, registered: 2 });
  try {
    env.scraper.start();
    await withTimeout(env.scraper.ready, 15_000, 'ready');
    assert.equal(env.scraper.store.nodeUsage(['node-2']).length, 0);
    assert.equal(env.fleet.requestCount('node-2'), 0);
    env.kube.upsert(NODES, env.fleet.nodeObjects()[2]!);
    await waitFor('the added node', () => env.scraper.store.nodeUsage(['node-2']).length === 1);
    assert.equal(env.scraper.store.podUsage(undefined).filter((p) => p.name.startsWith('node-2-')).length, 3);
    env.kube.remove(NODES, 'node-0');
    await waitFor('the removed node gone', () => env.scraper.store.nodeUsage(['node-0']).length === 0);
    assert.equal(env.scraper.store.podUsage(undefined).filter((p) => p.name.startsWith('node-0-')).length, 0);
    assert.equal(env.scraper.nodes.get('', 'node-2')?.labels['kubernetes.io/hostname'], 'node-2');
    const text = await env.metrics.registry.metrics();
    assert.doesNotMatch(text, /last_successful_scrape_timestamp_seconds\{node="node-0"\}/);
  } finally {
    await env.close();
  }
});

test('stop() leaves no timers or sockets behind', { timeout: 60_000 }, async () => {
  const env = await setup({
    nodes: 3,
    beforeStart: (f) => f.setFault('node-2', { kind: 'hang-headers' }),
  });
  const resources = (): string => {
    const counts = new Map<string, number>();
    for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
    return JSON.stringify([...counts].sort());
  };
  try {
    // Let the fixtures' own connections settle before taking the baseline.
    await new Promise((r) => setTimeout(r, 200));
    const before = resources();
    env.scraper.start();
    await waitFor('data', () => env.scraper.store.nodeUsage().length === 2);
    assert.notEqual(resources(), before);
    await env.scraper.stop();
    env.client.close();
    await waitFor(`resources back to ${before}`, () => resources() === before, 5_000);
  } finally {
    await env.close();
  }
});

test(
  'kubelet connections kept between ticks up to keepAliveMaxNodes nodes',
  { timeout: 60_000 },
  async () => {
    const env = await setup({ nodes: 3, options: { keepAliveMaxNodes: 3 } });
    try {
      env.scraper.start();
      await withTimeout(env.scraper.ready, 15_000, 'ready');
      const requests = env.fleet.requestCount('node-0');
      await waitFor('another tick', () => env.fleet.requestCount('node-0') > requests + 1);
      assert.deepEqual(env.fleet.connectionStats(), { accepted: 3, open: 3, resumed: 0 });
    } finally {
      await env.close();
    }
  },
);

test(
  'above keepAliveMaxNodes nodes, a connection per scrape, closed after it, resuming the TLS session',
  { timeout: 60_000 },
  async () => {
    const env = await setup({ nodes: 3, options: { keepAliveMaxNodes: 2 } });
    try {
      env.scraper.start();
      await withTimeout(env.scraper.ready, 15_000, 'ready');
      assert.equal(env.scraper.store.nodeUsage().length, 3);
      // Between two ticks every connection is closed; each one after a node's first is a resumption.
      // (Ready follows from one scrape with usageNanoCores: wait for a second tick.)
      await waitFor('a second tick', () => env.fleet.connectionStats().accepted >= 6);
      await waitFor('no open connection', () => env.fleet.connectionStats().open === 0);
      const stats = env.fleet.connectionStats();
      assert.ok(stats.accepted >= 6, JSON.stringify(stats));
      assert.equal(stats.resumed, stats.accepted - 3, JSON.stringify(stats));
      const requests = (['node-0', 'node-1', 'node-2'] as const).reduce(
        (n, node) => n + env.fleet.requestCount(node),
        0,
      );
      assert.equal(requests, stats.accepted);
    } finally {
      await env.close();
    }
  },
);

test(
  'summary endpoint: ready, nodes and pods answer after one scrape of each node (usageNanoCores)',
  { timeout: 60_000 },
  async () => {
    // A resolution far beyond the test, so any second request would be a warm-up.
    const env = await setup({ nodes: 3, options: { endpoint: 'summary', resolutionMs: 30_000 } });
    try {
      env.scraper.start();
      await withTimeout(env.scraper.ready, 15_000, 'ready');
      for (const node of env.fleet.nodeNames) assert.equal(env.fleet.requestCount(node), 1, node);
      const nodes = env.scraper.store.nodeUsage();
      assert.equal(nodes.length, 3);
      for (const n of nodes) {
        assert.equal(n.cpuNanoCores, env.fleet.nodeRate(n.name), n.name);
        assert.equal(n.windowMs, 30_000, 'the window of a first answer is the resolution');
      }
      const pods = env.scraper.store.podUsage(undefined);
      assert.equal(pods.length, 9);
      for (const p of pods)
        for (const c of p.containers)
          assert.equal(c.cpuNanoCores, env.fleet.containerRate(p.namespace, p.name, c.name));
      // No warm-up follows: the data is complete.
      await new Promise((r) => setTimeout(r, 1_000));
      for (const node of env.fleet.nodeNames) assert.equal(env.fleet.requestCount(node), 1, node);
    } finally {
      await env.close();
    }
  },
);

test(
  'resource endpoint: a pod started 12 s before the first scrape answers from it, one 10 minutes old after the second',
  { timeout: 60_000 },
  async () => {
    const env = await setup({
      nodes: 1,
      // No warm-ups (their first delay is not below the resolution): the second scrape is the next tick.
      options: { endpoint: 'resource', resolutionMs: 15_000, warmupMs: 15_000 },
      beforeStart: (fleet) => {
        fleet.addPod('node-0', {
          namespace: 'default',
          name: 'fresh',
          containers: ['app'],
          startedMsAgo: 12_000,
        });
        fleet.addPod('node-0', {
          namespace: 'default',
          name: 'old',
          containers: ['app'],
          startedMsAgo: 600_000,
        });
        return Promise.resolve();
      },
    });
    try {
      env.scraper.start();
      await waitFor('the first scrape', () => env.scraper.store.counts().pods === 5);
      assert.equal(env.fleet.requestCount('node-0'), 1);
      const fresh = env.scraper.store.podUsageOf('default', 'fresh');
      assert.ok(fresh !== undefined, 'the cold-started pod answers after one scrape');
      assert.equal(fresh.containers[0]?.cpuNanoCores, env.fleet.containerRate('default', 'fresh', 'app'));
      // The window is the time from the container's start to the kubelet's reading (~12 s).
      assert.ok(fresh.windowMs >= 10_000 && fresh.windowMs <= 13_000, `window ${fresh.windowMs}`);
      assert.equal(env.scraper.store.podUsageOf('default', 'old'), undefined);
      assert.equal(env.scraper.store.podUsageOf('default', 'node-0-pod-0'), undefined);
      assert.deepEqual(env.scraper.store.nodeUsage(), []);
      assert.equal(env.scraper.isReady, false);
      // Scraped, but without complete data yet (one point, no rate): still waiting.
      assert.deepEqual(env.scraper.readinessProgress(), { nodes: 1, waiting: 1 });
      await waitFor(
        'the second scrape',
        () => env.scraper.store.podUsageOf('default', 'old') !== undefined,
        25_000,
      );
      assert.equal(env.fleet.requestCount('node-0'), 2);
      const old = env.scraper.store.podUsageOf('default', 'old')!;
      assert.equal(old.containers[0]?.cpuNanoCores, env.fleet.containerRate('default', 'old', 'app'));
      assert.ok(old.windowMs >= 1_000 && old.windowMs <= 16_000, `window ${old.windowMs}`);
      await withTimeout(env.scraper.ready, 5_000, 'ready');
    } finally {
      await env.close();
    }
  },
);

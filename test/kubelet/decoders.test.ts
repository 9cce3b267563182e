import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeResourceMetrics,
  decodeSummary,
  DecodeError,
  parseKubeTime,
  type ContainerSample,
} from '../../src/kubelet/index.js';
import { promFloat, startKubeletFleet } from '../helpers/fake-kubelet.js';

// Shaped like a kubelet 1.30 answer to /stats/summary?only_cpu_and_memory=true.
const SUMMARY = JSON.stringify({
  node: {
    nodeName: 'kind-control-plane',
    systemContainers: [
      {
        name: 'kubelet',
        startTime: '2024-06-01T09:00:00Z',
        cpu: {
          time: '2024-06-01T10:00:05Z',
          usageNanoCores: 30_000_000,
          usageCoreNanoSeconds: 95_000_000_000,
        },
        memory: { time: '2024-06-01T10:00:05Z', workingSetBytes: 50_000_000 },
      },
    ],
    startTime: '2024-06-01T08:59:00Z',
    cpu: {
      time: '2024-06-01T10:00:05Z',
      usageNanoCores: 250_000_000,
      usageCoreNanoSeconds: 1_234_567_890_123,
    },
    memory: {
      time: '2024-06-01T10:00:06Z',
      availableBytes: 6_000_000_000,
      usageBytes: 2_100_000_000,
      workingSetBytes: 1_600_000_000,
      rssBytes: 900_000_000,
      pageFaults: 123,
      majorPageFaults: 1,
    },
  },
  pods: [
    {
      podRef: { name: 'coredns-7db6d8ff4d-abcde', namespace: 'kube-system', uid: '5b1c' },
      startTime: '2024-06-01T09:01:00Z',
      containers: [
        {
          name: 'coredns',
          startTime: '2024-06-01T09:01:02Z',
          cpu: {
            time: '2024-06-01T10:00:04Z',
            usageNanoCores: 2_000_000,
            usageCoreNanoSeconds: 7_000_000_000,
          },
          memory: {
            time: '2024-06-01T10:00:04Z',
            usageBytes: 20_000_000,
            workingSetBytes: 16_000_000,
            rssBytes: 12_000_000,
            pageFaults: 0,
            majorPageFaults: 0,
          },
        },
      ],
      cpu: { time: '2024-06-01T10:00:04Z', usageNanoCores: 2_000_000, usageCoreNanoSeconds: 7_000_000_000 },
      memory: { time: '2024-06-01T10:00:04Z', workingSetBytes: 16_000_000 },
    },
    {
      // A container that just started: the kubelet has no CPU figures for it yet.
      podRef: { name: 'web-0', namespace: 'shop', uid: '77aa' },
      startTime: '2024-06-01T10:00:00Z',
      containers: [
        {
          name: 'app',
          startTime: '2024-06-01T10:00:01Z',
          cpu: { time: '2024-06-01T10:00:04Z', usageNanoCores: 1, usageCoreNanoSeconds: 5_000_000 },
          memory: { time: '2024-06-01T10:00:04Z', workingSetBytes: 1_000_000 },
        },
        { name: 'sidecar', startTime: '2024-06-01T10:00:03Z', memory: { time: '2024-06-01T10:00:04Z' } },
      ],
    },
  ],
});

// Shaped like a kubelet 1.30 answer to /metrics/resource.
const RESOURCE = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-7db6d8ff4d-abcde"} 7.000123456 1717236004123
container_cpu_usage_seconds_total{container="app",namespace="shop",pod="web-0"} 0.005 1717236004500
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="coredns",namespace="kube-system",pod="coredns-7db6d8ff4d-abcde"} 1.6e+07 1717236004123
container_memory_working_set_bytes{container="app",namespace="shop",pod="web-0"} 1e+06 1717236004500
container_memory_working_set_bytes{container="sidecar",namespace="shop",pod="web-0"} 2.5e+06 1717236004500
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="coredns",namespace="kube-system",pod="coredns-7db6d8ff4d-abcde"} 1.717232462e+09 1717232462000
container_start_time_seconds{container="app",namespace="shop",pod="web-0"} 1.717236001e+09 1717236001000
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 1234.567890123 1717236005000
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 1.6e+09 1717236006000
# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds
# TYPE pod_cpu_usage_seconds_total counter
pod_cpu_usage_seconds_total{namespace="kube-system",pod="coredns-7db6d8ff4d-abcde"} 7.000123456 1717236004123
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
`;

test('parseKubeTime', () => {
  const cases: [string, number][] = [
    ['2024-06-01T10:00:05Z', Date.UTC(2024, 5, 1, 10, 0, 5)],
    ['2024-06-01T10:00:05.25Z', Date.UTC(2024, 5, 1, 10, 0, 5) + 250],
    ['2024-06-01T10:00:05.000000500Z', Date.UTC(2024, 5, 1, 10, 0, 5) + 0.0005],
    ['2024-06-01T12:00:05+02:00', Date.UTC(2024, 5, 1, 10, 0, 5)],
  ];
  for (const [text, want] of cases) assert.ok(Math.abs(parseKubeTime(text) - want) < 1e-6, text);
  for (const bad of ['', 'yesterday', '2024-06-01 10:00:05Z', 17])
    assert.ok(Number.isNaN(parseKubeTime(bad)));
});

test('decodeSummary reads the node, complete pods, and marks pods with a container lacking CPU', () => {
  const got = decodeSummary(SUMMARY);
  assert.deepEqual(got.node, {
    cpuNs: 1_234_567_890_123,
    cpuTimeMs: Date.UTC(2024, 5, 1, 10, 0, 5),
    memoryBytes: 1_600_000_000,
    memoryTimeMs: Date.UTC(2024, 5, 1, 10, 0, 6),
    cpuNanoCores: 250_000_000,
  });
  assert.equal(got.pods.length, 2);
  assert.deepEqual(got.pods[0], {
    namespace: 'kube-system',
    name: 'coredns-7db6d8ff4d-abcde',
    complete: true,
    containers: [
      {
        name: 'coredns',
        startTimeMs: Date.UTC(2024, 5, 1, 9, 1, 2),
        cpuNs: 7_000_000_000,
        cpuTimeMs: Date.UTC(2024, 5, 1, 10, 0, 4),
        memoryBytes: 16_000_000,
        memoryTimeMs: Date.UTC(2024, 5, 1, 10, 0, 4),
        cpuNanoCores: 2_000_000,
      },
    ],
  });
  assert.equal(got.pods[1]?.complete, false);
  assert.deepEqual(
    got.pods[1].containers.map((c) => c.name),
    ['app'],
  );
});

test('decodeResourceMetrics reads the same facts from the text format', () => {
  const got = decodeResourceMetrics(RESOURCE);
  assert.ok(got.node !== undefined);
  assert.ok(Math.abs(got.node.cpuNs - 1_234_567_890_123) < 1);
  assert.equal(got.node.cpuTimeMs, 1717236005000);
  assert.equal(got.node.memoryBytes, 1.6e9);
  assert.equal(got.node.memoryTimeMs, 1717236006000);
  const coredns = got.pods.find((p) => p.name === 'coredns-7db6d8ff4d-abcde');
  assert.equal(coredns?.complete, true);
  const c = coredns.containers[0];
  assert.ok(c !== undefined);
  assert.ok(Math.abs(c.cpuNs - 7_000_123_456) < 1e-3);
  assert.equal(c.cpuTimeMs, 1717236004123);
  assert.equal(c.memoryBytes, 16_000_000);
  assert.equal(c.startTimeMs, 1717232462000);
  // The sidecar has memory but no CPU series: the pod is not complete.
  const web = got.pods.find((p) => p.name === 'web-0');
  assert.equal(web?.complete, false);
});

test('decoders: edge cases', () => {
  const cases: { name: string; run: () => unknown; want?: unknown; throws?: boolean }[] = [
    { name: 'summary not JSON', run: () => decodeSummary('<html>'), throws: true },
    { name: 'summary an array', run: () => decodeSummary('[]'), throws: true },
    {
      name: 'summary without pods',
      run: () => decodeSummary('{"node":{}}'),
      want: { node: undefined, pods: [] },
    },
    {
      name: 'summary negative counter is not data',
      run: () =>
        decodeSummary(
          '{"node":{"cpu":{"time":"2024-06-01T10:00:05Z","usageCoreNanoSeconds":-1},"memory":{"workingSetBytes":1}}}',
        ).node,
      want: undefined,
    },
    // usageNanoCores is optional: absent, negative, infinite-like or not a number → NaN, the rest kept.
    ...(
      [
        ['absent', '', Number.NaN],
        ['zero', ',"usageNanoCores":0', 0],
        ['a rate', ',"usageNanoCores":1500000', 1_500_000],
        ['negative', ',"usageNanoCores":-5', Number.NaN],
        ['a string', ',"usageNanoCores":"7"', Number.NaN],
        ['null', ',"usageNanoCores":null', Number.NaN],
        ['huge', ',"usageNanoCores":1e999', Number.NaN],
      ] as const
    ).map(([what, field, want]) => ({
      name: `summary usageNanoCores ${what}`,
      run: () =>
        decodeSummary(
          `{"node":{"cpu":{"time":"2024-06-01T10:00:05Z","usageCoreNanoSeconds":9${field}},"memory":{"workingSetBytes":1}}}`,
        ).node?.cpuNanoCores,
      want,
    })),
    {
      name: 'text: escaped label values and no timestamp',
      run: () =>
        decodeResourceMetrics(
          'container_cpu_usage_seconds_total{container="a",namespace="n",pod="p\\"q"} 2\ncontainer_memory_working_set_bytes{namespace="n",pod="p\\"q",container="a"} 3\n',
          42,
        ).pods,
      want: [
        {
          namespace: 'n',
          name: 'p"q',
          complete: true,
          containers: [
            {
              name: 'a',
              startTimeMs: Number.NaN,
              cpuNs: 2e9,
              cpuTimeMs: 42,
              memoryBytes: 3,
              memoryTimeMs: 42,
            },
          ],
        },
      ],
    },
    {
      name: 'text: unrelated families and NaN values are skipped',
      run: () =>
        decodeResourceMetrics(
          'scrape_error 0\nnode_cpu_usage_seconds_total NaN 1\nnode_memory_working_set_bytes 5 1\n',
        ).node,
      want: undefined,
    },
    {
      name: 'text: malformed labels',
      run: () => decodeResourceMetrics('container_cpu_usage_seconds_total{container="a 1\n'),
      throws: true,
    },
    {
      name: 'text: not Prometheus text',
      run: () => decodeResourceMetrics('{"kind":"Status"}'),
      throws: true,
    },
  ];
  for (const c of cases) {
    if (c.throws === true) assert.throws(c.run, DecodeError, c.name);
    else assert.deepEqual(c.run(), c.want, c.name);
  }
});

test('promFloat spells values as Go does', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1.5, '1.5'],
    [357.35491, '357.35491'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [16_000_000, '1.6e+07'],
    [1717232462, '1.717232462e+09'],
    [0.00001, '1e-05'],
  ];
  for (const [v, want] of cases) assert.equal(promFloat(v), want);
});

test('the fleet serves the same counters through both endpoints', async () => {
  const fleet = await startKubeletFleet({ nodes: 1, podsPerNode: 4, containersPerPod: 2 });
  try {
    const at = Date.now();
    const summary = decodeSummary(fleet.render('node-0', 'summary', at));
    const resource = decodeResourceMetrics(fleet.render('node-0', 'resource', at));
    assert.equal(summary.pods.length, 4);
    assert.ok(summary.node !== undefined && resource.node !== undefined);
    assert.equal(summary.node.cpuTimeMs, resource.node.cpuTimeMs);
    assert.ok(Math.abs(summary.node.cpuNs - resource.node.cpuNs) < 1);
    for (const p of summary.pods) {
      const q = resource.pods.find((x) => x.namespace === p.namespace && x.name === p.name);
      assert.ok(q !== undefined, p.name);
      for (const c of p.containers) {
        const d: ContainerSample | undefined = q.containers.find((x) => x.name === c.name);
        assert.ok(d !== undefined);
        assert.ok(Math.abs(c.cpuNs - d.cpuNs) < 1);
        assert.equal(c.memoryBytes, d.memoryBytes);
        assert.equal(c.memoryBytes, fleet.containerMemory(p.namespace, p.name, c.name));
        assert.equal(c.startTimeMs, d.startTimeMs);
        assert.equal(c.cpuTimeMs, d.cpuTimeMs);
      }
    }
  } finally {
    await fleet.close();
  }
});

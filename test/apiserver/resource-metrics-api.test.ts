/**
 * metrics.k8s.io/v1beta1 handler: NodeMetrics / PodMetrics encodings as metrics-server writes
 * them, discovery, routes, and the Status errors (404, 405 for watch, 400 for bad selectors).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResourceMetricsApi, parseFieldSelector } from '../../src/apiserver/resource-metrics-api.js';
import {
  encodeNodeMetrics,
  encodeNodeMetricsList,
  encodePodMetrics,
  encodePodMetricsList,
} from '../../src/apiserver/resource-metrics-wire.js';
import { ApiError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import {
  ResourceMetricsProvider,
  StaticClusterObjects,
  type NodeMetricsItem,
  type PodMetricsItem,
  type PodRecord,
  type ResourceUsageSource,
} from '../../src/providers/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { serveApi, type ServedApi } from '../helpers/api-app.js';

const AT = new Date('2024-05-29T08:38:05.400Z');
const NOW = new Date('2024-05-29T08:38:21.900Z');

const POD: PodRecord = {
  name: 'web-1',
  namespace: 'default',
  labels: { app: 'web' },
  creationTimestamp: '2024-01-01T00:00:00Z',
  phase: 'Running',
  nodeName: 'n1',
  containers: ['web'],
};

const POD_ITEM: PodMetricsItem = {
  pod: POD,
  usage: {
    namespace: 'default',
    name: 'web-1',
    timestamp: AT,
    windowMs: 15_021,
    containers: [{ name: 'web', cpuNanoCores: 1_873_205, memoryBytes: 25_280_512 }],
  },
};

const NODE_ITEM: NodeMetricsItem = {
  node: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, creationTimestamp: undefined },
  usage: {
    name: 'n1',
    timestamp: AT,
    windowMs: 60_000,
    cpuNanoCores: 1_600_000_000,
    memoryBytes: 9 * 1024 ** 3,
  },
};

describe('metrics.k8s.io encodings', () => {
  it('PodMetricsList and PodMetrics', () => {
    const item = {
      metadata: {
        name: 'web-1',
        namespace: 'default',
        creationTimestamp: '2024-05-29T08:38:21Z',
        labels: { app: 'web' },
      },
      timestamp: '2024-05-29T08:38:05Z',
      window: '15.021s',
      containers: [{ name: 'web', usage: { cpu: '1873205n', memory: '24688Ki' } }],
    };
    assert.deepEqual(JSON.parse(encodePodMetricsList([POD_ITEM], NOW)), {
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [item],
    });
    assert.deepEqual(JSON.parse(encodePodMetrics(POD_ITEM, NOW)), {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      ...item,
    });
  });

  it('NodeMetricsList and NodeMetrics', () => {
    const item = {
      metadata: {
        name: 'n1',
        creationTimestamp: '2024-05-29T08:38:21Z',
        labels: { 'kubernetes.io/hostname': 'n1' },
      },
      timestamp: '2024-05-29T08:38:05Z',
      window: '1m0s',
      usage: { cpu: '1600m', memory: '9Gi' },
    };
    assert.deepEqual(JSON.parse(encodeNodeMetricsList([NODE_ITEM], NOW)), {
      kind: 'NodeMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [item],
    });
    assert.deepEqual(JSON.parse(encodeNodeMetrics(NODE_ITEM, NOW)), {
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      ...item,
    });
  });

  it('omits empty labels (omitempty) and escapes names and labels as JSON', () => {
    const odd: PodMetricsItem = {
      pod: { ...POD, name: 'a"b', labels: {} },
      usage: { ...POD_ITEM.usage, containers: [{ name: 'c\\d', cpuNanoCores: 2e9, memoryBytes: 1000 }] },
    };
    const parsed = JSON.parse(encodePodMetrics(odd, NOW)) as {
      metadata: Record<string, unknown>;
      containers: { name: string; usage: unknown }[];
    };
    assert.equal(parsed.metadata.name, 'a"b');
    assert.equal('labels' in parsed.metadata, false);
    assert.deepEqual(parsed.containers, [{ name: 'c\\d', usage: { cpu: '2', memory: '1k' } }]);
  });

  it('encodes 30 000 pods into valid JSON (timing reported, not asserted)', () => {
    const items: PodMetricsItem[] = [];
    for (let i = 0; i < 30_000; i++) {
      items.push({
        pod: { ...POD, name: `web-${i}`, labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6d' } },
        usage: {
          ...POD_ITEM.usage,
          name: `web-${i}`,
          containers: [
            { name: 'web', cpuNanoCores: 1_000_000 + i, memoryBytes: 25_280_512 + i * 1024 },
            { name: 'sidecar', cpuNanoCores: 5_000_000, memoryBytes: 8 * 1024 ** 2 },
          ],
        },
      });
    }
    const started = process.hrtime.bigint();
    const text = encodePodMetricsList(items, NOW);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const parsed = JSON.parse(text) as {
      items: { metadata: { name: string }; containers: { usage: { cpu: string } }[] }[];
    };
    assert.equal(parsed.items.length, 30_000);
    assert.equal(parsed.items[29_999]?.metadata.name, 'web-29999');
    assert.equal(parsed.items[7]?.containers[0]?.usage.cpu, '1000007n');
    process.stdout.write(
      `# encodePodMetricsList(30000 pods): ${ms.toFixed(1)} ms, ${(text.length / 1e6).toFixed(1)} MB\n`,
    );
  });
});

describe('PodMetricsList encoding across answers', () => {
  it("a usage object encoded again gives the same item; the answer time is each answer's own", () => {
    const second = { pod: { ...POD, name: 'web-2' }, usage: { ...POD_ITEM.usage, name: 'web-2' } };
    const a = JSON.parse(encodePodMetricsList([POD_ITEM, second], NOW)) as { items: unknown[] };
    const later = new Date(NOW.getTime() + 5_000);
    const b = JSON.parse(encodePodMetricsList([POD_ITEM, second], later)) as {
      items: { metadata: { name: string; creationTimestamp: string } }[];
    };
    assert.equal(b.items.length, 2);
    assert.deepEqual(
      b.items.map((i) => [i.metadata.name, i.metadata.creationTimestamp]),
      [
        ['web-1', '2024-05-29T08:38:26Z'],
        ['web-2', '2024-05-29T08:38:26Z'],
      ],
    );
    const strip = (items: unknown[]): unknown =>
      JSON.parse(JSON.stringify(items).replace(/"creationTimestamp":"[^"]*"/g, '"creationTimestamp":""'));
    assert.deepEqual(strip(a.items), strip(b.items));
    assert.deepEqual(JSON.parse(encodePodMetricsList([], NOW)), {
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [],
    });
  });
});

describe('parseFieldSelector', () => {
  const pods = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);
  it('parses =, == and != terms', () => {
    assert.deepEqual(parseFieldSelector('metadata.name=a, spec.nodeName==n1,status.phase!=Running', pods), [
      { field: 'metadata.name', operator: '=', value: 'a' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    assert.deepEqual(parseFieldSelector('', pods), []);
    assert.deepEqual(parseFieldSelector(null, pods), []);
  });
  for (const bad of [
    'metadata.uid=x',
    'metadata.name',
    'metadata.name=a=b',
    'metadata.name in (a)',
    'metadata.name=a\\,b',
  ]) {
    it(`rejects ${JSON.stringify(bad)} with 400`, () => {
      assert.throws(
        () => parseFieldSelector(bad, pods),
        (err: unknown) => err instanceof ApiError && err.code === 400,
      );
    });
  }
});

class FixedSource implements ResourceUsageSource {
  readonly name = 'kubelet';
  podUsage() {
    return Promise.resolve([POD_ITEM.usage]);
  }
  nodeUsage() {
    return Promise.resolve([NODE_ITEM.usage]);
  }
}

function api(): ResourceMetricsApi {
  const objects = new StaticClusterObjects([POD], [NODE_ITEM.node]);
  const provider = new ResourceMetricsProvider({
    objects,
    sources: [new FixedSource()],
    logger: silentLogger(),
    metrics: new SelfMetrics({ processMetrics: false }),
  });
  return new ResourceMetricsApi(provider);
}

describe('ResourceMetricsApi', () => {
  it('discovery: nodes (cluster) and pods (namespaced), get and list', () => {
    assert.deepEqual(api().resources(), [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ]);
  });

  describe('over HTTP through the express app', () => {
    let served: ServedApi;
    before(async () => {
      served = await serveApi('metrics.k8s.io', 'v1beta1', api());
    });
    after(() => served.close());

    const routes: [string, string][] = [
      ['/nodes', 'NodeMetricsList'],
      ['/nodes/n1', 'NodeMetrics'],
      ['/pods', 'PodMetricsList'],
      ['/namespaces/default/pods?labelSelector=app%3Dweb', 'PodMetricsList'],
      ['/namespaces/default/pods/web-1', 'PodMetrics'],
      ['/nodes?fieldSelector=metadata.name%3Dn1', 'NodeMetricsList'],
    ];
    for (const [path, kind] of routes) {
      it(`${path} → ${kind}`, async () => {
        const res = await served.get(path);
        assert.equal(res.status, 200, res.body);
        const body = res.json as { kind: string; items?: unknown[] };
        assert.equal(body.kind, kind);
        if (body.items !== undefined) assert.equal(body.items.length, 1);
      });
    }

    const errors: [string, number, RegExp][] = [
      ['/nodes?watch=true', 405, /^watch is not supported on resources of kind "nodes\.metrics\.k8s\.io"$/],
      ['/namespaces/default/pods?watch=1', 405, /kind "pods\.metrics\.k8s\.io"/],
      ['/pods?labelSelector=a%20in%20(', 400, /invalid labelSelector/],
      ['/pods?fieldSelector=spec.foo%3Dx', 400, /fieldSelector/],
      ['/nodes?fieldSelector=spec.nodeName%3Dx', 400, /fieldSelector/],
      ['/namespaces/Bad_NS/pods', 400, /namespace/],
      ['/nodes/n9', 404, /^nodemetrics\.metrics\.k8s\.io "n9" not found$/],
      ['/namespaces/default/pods/nope', 404, /^podmetrics\.metrics\.k8s\.io "default\/nope" not found$/],
      ['/namespaces/default/deployments', 404, /could not find the requested resource/],
      ['/nodes/n1/extra', 404, /could not find the requested resource/],
    ];
    const details: [string, Record<string, string>][] = [
      ['/nodes?watch=true', { group: 'metrics.k8s.io', kind: 'nodes' }],
      ['/namespaces/default/pods?watch=true', { group: 'metrics.k8s.io', kind: 'pods' }],
      ['/pods?watch=1', { group: 'metrics.k8s.io', kind: 'pods' }],
      ['/nodes/n9', { name: 'n9', group: 'metrics.k8s.io', kind: 'nodemetrics' }],
      [
        '/namespaces/default/pods/nope',
        { name: 'default/nope', group: 'metrics.k8s.io', kind: 'podmetrics' },
      ],
    ];
    for (const [path, want] of details) {
      it(`${path} → Status details as metrics-server's`, async () => {
        const res = await served.get(path);
        assert.deepEqual((res.json as { details?: unknown }).details, want, res.body);
      });
    }
    for (const [path, code, message] of errors) {
      it(`${path} → ${code} Status`, async () => {
        const res = await served.get(path);
        const status = res.json as { kind: string; code: number; message: string };
        assert.equal(res.status, code, res.body);
        assert.equal(status.kind, 'Status');
        assert.equal(status.code, code);
        assert.match(status.message, message);
      });
    }
  });

  it('watch=false is a plain list', async () => {
    const res = (await api().listNodes(new URLSearchParams('watch=false'))) as { text: string };
    assert.equal((JSON.parse(res.text) as { kind: string }).kind, 'NodeMetricsList');
  });
});

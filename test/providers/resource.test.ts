/**
 * The resource provider: which pods and nodes are reported (Running pods whose every container has
 * CPU and memory), and the per-request fallback across usage sources (a source that throws or lacks
 * objects is followed by the next, asked only for what is missing), with the answering source
 * counted in the self-metrics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, UnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import { parseLabelSelector } from '../../src/promql/index.js';
import {
  ResourceMetricsProvider,
  StaticClusterObjects,
  type NodeUsage,
  type NodeUsageQuery,
  type PodRecord,
  type PodUsage,
  type PodUsageQuery,
  type ResourceUsageSource,
} from '../../src/providers/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';

const AT = new Date('2024-05-29T08:38:05Z');

function pod(ns: string, name: string, over: Partial<PodRecord> = {}): PodRecord {
  return {
    name,
    namespace: ns,
    labels: { app: name.replace(/-\d+$/, '') },
    creationTimestamp: '2024-01-01T00:00:00Z',
    phase: 'Running',
    nodeName: 'n1',
    containers: ['app'],
    ...over,
  };
}

function usage(ns: string, name: string, containers = ['app'], cpu = 1e6): PodUsage {
  return {
    namespace: ns,
    name,
    timestamp: AT,
    windowMs: 15_021,
    containers: containers.map((c) => ({ name: c, cpuNanoCores: cpu, memoryBytes: 1024 })),
  };
}

/** A source answering from a fixed table, recording what it was asked; `fail` makes it throw. */
class TableSource implements ResourceUsageSource {
  readonly asked: PodUsageQuery[] = [];
  readonly askedNodes: NodeUsageQuery[] = [];
  fail = false;

  constructor(
    readonly name: string,
    private readonly pods: PodUsage[],
    private readonly nodes: NodeUsage[] = [],
  ) {}

  podUsage(q: PodUsageQuery): Promise<PodUsage[]> {
    this.asked.push({ namespace: q.namespace, names: q.names });
    if (this.fail) return Promise.reject(new UnavailableError(`${this.name} is down`));
    return Promise.resolve(
      this.pods.filter(
        (p) =>
          (q.namespace === undefined || p.namespace === q.namespace) && (q.names?.includes(p.name) ?? true),
      ),
    );
  }

  nodeUsage(q: NodeUsageQuery): Promise<NodeUsage[]> {
    this.askedNodes.push({ names: q.names });
    if (this.fail) return Promise.reject(new UnavailableError(`${this.name} is down`));
    return Promise.resolve(this.nodes.filter((n) => q.names?.includes(n.name) ?? true));
  }
}

function node(name: string, cpu = 2e9): NodeUsage {
  return { name, timestamp: AT, windowMs: 60_000, cpuNanoCores: cpu, memoryBytes: 1024 ** 3 };
}

async function counts(metrics: SelfMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.resourceMetricsAnswers.get()).values)
    out[`${String(v.labels.kind)}/${String(v.labels.source)}`] = v.value;
  for (const v of (await metrics.resourceSourceFailures.get()).values)
    out[`failed/${String(v.labels.source)}`] = v.value;
  return out;
}

function provider(objects: StaticClusterObjects, sources: ResourceUsageSource[], wholeClusterAbove?: number) {
  const metrics = new SelfMetrics({ processMetrics: false });
  return {
    metrics,
    p: new ResourceMetricsProvider({ objects, sources, logger: silentLogger(), metrics, wholeClusterAbove }),
  };
}

describe('ResourceMetricsProvider: which pods', () => {
  const objects = new StaticClusterObjects([
    pod('shop', 'web-0'),
    pod('shop', 'web-1', { containers: ['app', 'sidecar'] }),
    pod('shop', 'pending-0', { phase: 'Pending' }),
    pod('shop', 'done-0', { phase: 'Succeeded' }),
    pod('shop', 'batch-0', { labels: { app: 'batch' } }),
    pod('other', 'web-0'),
  ]);

  it('lists Running pods with complete usage, sorted, honouring label and field selectors', async () => {
    const src = new TableSource('prometheus', [
      usage('shop', 'web-0'),
      usage('shop', 'web-1', ['app']), // lacks the sidecar: not reported
      usage('shop', 'pending-0'),
      usage('shop', 'done-0'),
      usage('shop', 'batch-0'),
      usage('other', 'web-0'),
    ]);
    const { p } = provider(objects, [src]);
    const names = async (
      ns: string | undefined,
      sel = '',
      fields: { field: string; operator: '=' | '!='; value: string }[] = [],
    ) =>
      (await p.listPods(ns, parseLabelSelector(sel), fields)).map((i) => `${i.pod.namespace}/${i.pod.name}`);
    assert.deepEqual(await names('shop'), ['shop/batch-0', 'shop/web-0']);
    assert.deepEqual(await names(undefined), ['other/web-0', 'shop/batch-0', 'shop/web-0']);
    assert.deepEqual(await names('shop', 'app=web'), ['shop/web-0']);
    assert.deepEqual(
      await names(undefined, '', [{ field: 'metadata.name', operator: '=', value: 'web-0' }]),
      ['other/web-0', 'shop/web-0'],
    );
    assert.deepEqual(
      await names(undefined, '', [{ field: 'metadata.namespace', operator: '!=', value: 'shop' }]),
      ['other/web-0'],
    );
    // Only Running pods are asked for.
    assert.ok(src.asked.every((q) => !(q.names ?? []).includes('pending-0')));
  });

  it('keeps only the spec containers of a pod when a source reports more', async () => {
    const src = new TableSource('kubelet', [usage('shop', 'web-0', ['app', 'gone'])]);
    const { p } = provider(objects, [src]);
    const item = await p.getPod('shop', 'web-0');
    assert.deepEqual(
      item.usage.containers.map((c) => c.name),
      ['app'],
    );
  });

  it('getPod: unknown pod and pod without metrics → 404 podmetrics (as metrics-server)', async () => {
    const { p } = provider(objects, [new TableSource('prometheus', [])]);
    await assert.rejects(p.getPod('shop', 'nope'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, 'podmetrics.metrics.k8s.io "shop/nope" not found');
      assert.deepEqual(err.details, { name: 'shop/nope', group: 'metrics.k8s.io', kind: 'podmetrics' });
      return true;
    });
    await assert.rejects(p.getPod('shop', 'web-0'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, 'podmetrics.metrics.k8s.io "shop/web-0" not found');
      assert.deepEqual(err.details, { name: 'shop/web-0', group: 'metrics.k8s.io', kind: 'podmetrics' });
      return true;
    });
    await assert.rejects(
      p.getPod('shop', 'pending-0'),
      /podmetrics\.metrics\.k8s\.io "shop\/pending-0" not found/,
    );
  });
});

describe('ResourceMetricsProvider: fallback across sources', () => {
  const objects = new StaticClusterObjects(
    [pod('shop', 'a-0'), pod('shop', 'b-0'), pod('shop', 'c-0'), pod('other', 'd-0')],
    [
      { name: 'n1', labels: { zone: 'x' }, creationTimestamp: undefined },
      { name: 'n2', labels: { zone: 'y' }, creationTimestamp: undefined },
    ],
  );

  it('first source throws → the second answers everything; both counted', async () => {
    const prom = new TableSource('prometheus', [usage('shop', 'a-0', ['app'], 1)]);
    prom.fail = true;
    const kubelet = new TableSource('kubelet', [
      usage('shop', 'a-0', ['app'], 2),
      usage('shop', 'b-0', ['app'], 2),
    ]);
    const { p, metrics } = provider(objects, [prom, kubelet]);
    const items = await p.listPods('shop', [], []);
    assert.deepEqual(
      items.map((i) => `${i.pod.name}:${i.usage.containers[0]?.cpuNanoCores}`),
      ['a-0:2', 'b-0:2'],
    );
    assert.deepEqual(await counts(metrics), {
      'pods/kubelet': 2,
      'pods/none': 1,
      'failed/prometheus': 1,
    });
  });

  it('first source lacks some pods → the second is asked only for those', async () => {
    const prom = new TableSource('prometheus', [
      usage('shop', 'a-0', ['app'], 1),
      usage('other', 'd-0', ['app'], 1),
    ]);
    const kubelet = new TableSource('kubelet', [
      usage('shop', 'a-0', ['app'], 2),
      usage('shop', 'b-0', ['app'], 2),
      usage('shop', 'c-0', ['app'], 2),
    ]);
    const { p, metrics } = provider(objects, [prom, kubelet]);
    const items = await p.listPods(undefined, [], []);
    assert.deepEqual(
      items.map((i) => `${i.pod.namespace}/${i.pod.name}:${i.usage.containers[0]?.cpuNanoCores}`),
      ['other/d-0:1', 'shop/a-0:1', 'shop/b-0:2', 'shop/c-0:2'],
    );
    assert.deepEqual(
      kubelet.asked.map((q) => `${q.namespace}:${(q.names ?? []).join(',')}`),
      ['shop:b-0,c-0'],
    );
    assert.deepEqual(await counts(metrics), { 'pods/prometheus': 2, 'pods/kubelet': 2 });
  });

  it('a pod with incomplete containers in the first source is taken from the second', async () => {
    const objects2 = new StaticClusterObjects([pod('shop', 'two-0', { containers: ['app', 'sidecar'] })]);
    const prom = new TableSource('prometheus', [usage('shop', 'two-0', ['app'], 1)]);
    const kubelet = new TableSource('kubelet', [usage('shop', 'two-0', ['app', 'sidecar'], 2)]);
    const { p } = provider(objects2, [prom, kubelet]);
    const item = await p.getPod('shop', 'two-0');
    assert.deepEqual(
      item.usage.containers.map((c) => `${c.name}:${c.cpuNanoCores}`),
      ['app:2', 'sidecar:2'],
    );
  });

  it('every source throws → the first error (503) reaches the client', async () => {
    const a = new TableSource('prometheus', []);
    const b = new TableSource('kubelet', []);
    a.fail = true;
    b.fail = true;
    const { p, metrics } = provider(objects, [a, b]);
    await assert.rejects(p.listPods('shop', [], []), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /prometheus is down/);
      return true;
    });
    await assert.rejects(p.listNodes([], []), UnavailableError);
    assert.equal((await counts(metrics))['failed/kubelet'], 2);
  });

  it('one source throws, the other simply has nothing → empty list, not an error', async () => {
    const a = new TableSource('prometheus', []);
    a.fail = true;
    const { p } = provider(objects, [a, new TableSource('kubelet', [])]);
    assert.deepEqual(await p.listPods('shop', [], []), []);
  });

  it('nodes: fallback, selectors, 404s', async () => {
    const prom = new TableSource('prometheus', [], [node('n1', 1)]);
    const kubelet = new TableSource('kubelet', [], [node('n1', 2), node('n2', 2)]);
    const { p, metrics } = provider(objects, [prom, kubelet]);
    const all = await p.listNodes([], []);
    assert.deepEqual(
      all.map((i) => `${i.node.name}:${i.usage.cpuNanoCores}`),
      ['n1:1', 'n2:2'],
    );
    assert.deepEqual(
      kubelet.askedNodes.map((q) => q.names),
      [['n2']],
    );
    assert.deepEqual(
      (await p.listNodes(parseLabelSelector('zone=y'), [])).map((i) => i.node.name),
      ['n2'],
    );
    assert.deepEqual(
      (await p.listNodes([], [{ field: 'metadata.name', operator: '=', value: 'n1' }])).map(
        (i) => i.node.name,
      ),
      ['n1'],
    );
    assert.equal((await p.getNode('n2')).usage.cpuNanoCores, 2);
    await assert.rejects(
      p.getNode('n9'),
      (err: unknown) =>
        err instanceof NotFoundError && err.message === 'nodemetrics.metrics.k8s.io "n9" not found',
    );
    const empty = provider(objects, [new TableSource('prometheus', [], [])]).p;
    await assert.rejects(empty.getNode('n1'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, 'nodemetrics.metrics.k8s.io "n1" not found');
      assert.deepEqual(err.details, { name: 'n1', group: 'metrics.k8s.io', kind: 'nodemetrics' });
      return true;
    });
    const c = await counts(metrics);
    assert.equal(c['nodes/prometheus'], 2);
    assert.equal(c['nodes/kubelet'], 3);
  });

  it('pods of many namespaces: one cluster-wide question per source, answers matched by namespace and name', async () => {
    const many = new StaticClusterObjects([
      pod('a', 'web-0'),
      pod('b', 'web-0'),
      pod('c', 'web-0'),
      pod('d', 'web-0', { phase: 'Pending' }),
    ]);
    const prom = new TableSource('prometheus', [
      usage('a', 'web-0', ['app'], 1),
      usage('d', 'web-0', ['app'], 1),
    ]);
    const kubelet = new TableSource('kubelet', [
      usage('b', 'web-0', ['app'], 2),
      usage('z', 'web-0', ['app'], 2),
    ]);
    const { p } = provider(many, [prom, kubelet], 2);
    const items = await p.listPods(undefined, [], []);
    assert.deepEqual(
      items.map((i) => `${i.pod.namespace}/${i.pod.name}:${i.usage.containers[0]?.cpuNanoCores}`),
      ['a/web-0:1', 'b/web-0:2'],
    );
    assert.deepEqual(prom.asked, [{ namespace: undefined, names: undefined }]);
    // Two namespaces are still missing (b and c): not more than the threshold, so per namespace.
    assert.deepEqual(
      kubelet.asked.map((q) => `${String(q.namespace)}:${(q.names ?? []).join(',')}`),
      ['b:web-0', 'c:web-0'],
    );
  });
});

/**
 * InformerClusterObjects: informers start on the first request that needs them; until synced the
 * fallback answers; then records come from memory, filtered and sorted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InformerClusterObjects,
  StaticClusterObjects,
  type NodeRecord,
  type PodRecord,
  type RecordSource,
} from '../../src/providers/index.js';

class FakeSource<T extends { name: string; namespace?: string }> implements RecordSource<T> {
  started = 0;
  hasSynced = false;
  private readonly listeners: (() => void)[] = [];
  constructor(private records: T[]) {}
  start(): void {
    this.started++;
  }
  list(): T[] {
    return [...this.records];
  }
  get(namespace: string, name: string): T | undefined {
    return this.records.find((r) => r.name === name && (r.namespace ?? '') === namespace);
  }
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
  set(records: T[]): void {
    this.records = records;
    for (const l of this.listeners) l();
  }
}

const pod = (namespace: string, name: string, app: string): PodRecord => ({
  namespace,
  name,
  labels: { app },
  creationTimestamp: undefined,
  phase: 'Running',
  nodeName: 'n1',
  containers: ['c'],
});

describe('InformerClusterObjects', () => {
  it('starts informers lazily, answers from the fallback until synced, then from memory', async () => {
    const pods = new FakeSource<PodRecord>([
      pod('b', 'web-2', 'web'),
      pod('a', 'web-1', 'web'),
      pod('a', 'db-0', 'db'),
    ]);
    const nodes = new FakeSource<NodeRecord>([{ name: 'n1', labels: {}, creationTimestamp: undefined }]);
    const fallback = new StaticClusterObjects([pod('a', 'from-fallback', 'web')]);
    const objects = new InformerClusterObjects(pods, nodes, fallback);
    assert.equal(pods.started, 0, 'nothing is watched before a request');

    assert.deepEqual(
      (await objects.pods(undefined, [], [])).map((p) => p.name),
      ['from-fallback'],
    );
    assert.equal(pods.started, 1);
    assert.equal(nodes.started, 0, 'the node informer waits for a node request');

    pods.hasSynced = true;
    const all = await objects.pods(undefined, [], []);
    assert.deepEqual(
      all.map((p) => `${p.namespace}/${p.name}`),
      ['a/db-0', 'a/web-1', 'b/web-2'],
    );
    const web = await objects.pods('a', [{ key: 'app', operator: 'in', values: ['web'] }], []);
    assert.deepEqual(
      web.map((p) => p.name),
      ['web-1'],
    );
    assert.equal((await objects.pod('b', 'web-2'))?.name, 'web-2');

    pods.set([pod('c', 'new-0', 'web')]);
    assert.deepEqual(
      (await objects.pods(undefined, [], [])).map((p) => p.name),
      ['new-0'],
      're-sorted after a change',
    );

    nodes.hasSynced = true;
    assert.deepEqual(
      (await objects.nodes([], [])).map((n) => n.name),
      ['n1'],
    );
    assert.equal(nodes.started, 1);
  });
});

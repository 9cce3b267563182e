/**
 * Caches and the kubelet store shrink back: once pods and nodes are deleted, nothing is kept for
 * them — no informer record, no object-cache entry, no kubelet store point, no per-node scraper
 * state, idle socket or TLS session. A cluster whose pods churn must not grow the adapter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Informer, KubeClient, WatchingObjectLister } from '../../src/kube/index.js';
import { KubeletScraper, createNodeInformer } from '../../src/kubelet/index.js';
import { silentLogger } from '../../src/logging.js';
import { podRecordFrom, type PodRecord } from '../../src/providers/index.js';
import { startFakeKube } from '../helpers/fake-kube.js';
import { startKubeletFleet } from '../helpers/fake-kubelet.js';
import { makeTempDir } from '../helpers/temp.js';

const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const TOKEN = 'kubelet-shrink-test-token';
const PODS_INFO = {
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
};
const everything = { text: '', matches: () => true };

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(
  'deleted pods and nodes leave no entry in the caches, the store or the scraper',
  { timeout: 60_000 },
  async () => {
    const fleet = await startKubeletFleet({
      nodes: 4,
      podsPerNode: 3,
      containersPerPod: 2,
      token: TOKEN,
      housekeepingMs: 1000,
    });
    const kube = await startFakeKube({ bookmarkIntervalMs: 100 });
    const dir = await makeTempDir('kubelet-shrink-');
    const logger = silentLogger();
    const stops: (() => unknown)[] = [];
    try {
      for (const n of fleet.nodeObjects()) kube.upsert(NODES, n);
      for (const p of fleet.podObjects()) kube.upsert(PODS, p);
      const kubeconfig = await kube.writeKubeconfig(dir.path, { user: 'token', token: TOKEN });
      const caFile = path.join(dir.path, 'kubelet-ca.crt');
      await writeFile(caFile, fleet.caPem);
      const client = KubeClient.fromKubeconfig(kubeconfig);
      stops.push(() => client.close());

      const nodeInformer = createNodeInformer(client, logger);
      const podInformer = new Informer<PodRecord>(
        client,
        { path: '/api/v1/pods', transform: podRecordFrom },
        logger,
      );
      const lister = new WatchingObjectLister(client, logger);
      const scraper = new KubeletScraper({
        client,
        logger,
        nodes: nodeInformer,
        options: {
          preferredAddressTypes: ['InternalIP'],
          port: fleet.port,
          useNodeStatusPort: false,
          insecureTLS: false,
          caFile,
          clientCertFile: undefined,
          clientKeyFile: undefined,
          requestTimeoutMs: 5_000,
          endpoint: 'summary',
          resolutionMs: 1_000,
          warmupMs: 200,
        },
      });
      stops.push(
        () => scraper.stop(),
        () => nodeInformer.stop(),
        () => podInformer.stop(),
        () => lister.close(),
      );
      nodeInformer.start();
      podInformer.start();
      scraper.start();
      assert.equal((await lister.list(PODS_INFO, undefined, everything)).length, 12);
      await scraper.ready;
      await waitFor('every pod with data', () => scraper.store.counts().pods === 12);
      assert.equal(podInformer.size, 12);
      assert.deepEqual(lister.counts(), { informers: 1, objects: 12 });
      assert.equal(scraper.kept().nodeStates, 4);
      assert.ok(scraper.kept().sessions >= 1, 'TLS sessions are kept while the nodes exist');

      // Two nodes go away with their pods, and one pod of a remaining node.
      const gone = ['node-2', 'node-3'];
      for (const p of fleet.pods()) {
        if (!gone.includes(p.node) && p.name !== 'node-0-pod-0') continue;
        fleet.removePod(p.namespace, p.name);
        kube.remove(PODS, p.name, p.namespace);
      }
      for (const n of gone) {
        await fleet.setFault(n, { kind: 'refuse' });
        kube.remove(NODES, n);
      }

      await waitFor('the pod informer shrinks', () => podInformer.size === 5);
      await waitFor('the object cache shrinks', () => lister.counts().objects === 5);
      await waitFor('the kubelet store shrinks', () => {
        const c = scraper.store.counts();
        return c.nodes === 2 && c.pods === 5 && c.containers === 10;
      });
      await waitFor('the node informer shrinks', () => nodeInformer.size === 2);
      const kept = scraper.kept();
      assert.equal(kept.nodeStates, 2, 'no scraper state for deleted nodes');
      assert.ok(kept.idleSockets <= 2, `idle sockets ${kept.idleSockets}: only for the remaining nodes`);
      assert.ok(kept.sessions <= 2, `TLS sessions ${kept.sessions}: only for the remaining nodes`);
      assert.deepEqual(
        scraper.store
          .podUsage(undefined)
          .map((u) => u.name)
          .sort(),
        ['node-0-pod-1', 'node-0-pod-2', 'node-1-pod-0', 'node-1-pod-1', 'node-1-pod-2'],
      );
      assert.deepEqual(
        scraper.store
          .nodeUsage()
          .map((u) => u.name)
          .sort(),
        ['node-0', 'node-1'],
      );
    } finally {
      for (const stop of stops.reverse()) await stop();
      await kube.close();
      await fleet.close();
      await dir.remove();
    }
  },
);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Informer, KubeClient, type InformerChange } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import { startFakeKube } from '../helpers/fake-kube.js';
import { makeTempDir } from '../helpers/temp.js';

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(
  'informer: paged list, compact records, watch, relist on 410, watchdog, stop',
  { timeout: 60_000 },
  async () => {
    const kube = await startFakeKube({ bookmarkIntervalMs: 100 });
    const dir = await makeTempDir('informer-');
    const client = KubeClient.fromKubeconfig(await kube.writeKubeconfig(dir.path, { user: 'token' }));
    for (let i = 0; i < 120; i++) {
      kube.upsert(CONFIGMAPS, {
        metadata: { name: `cm-${i}`, namespace: i % 2 === 0 ? 'a' : 'b' },
        data: { size: String(i), skip: i % 10 === 0 ? 'yes' : 'no' },
      });
    }
    const events: [InformerChange, string][] = [];
    const informer = new Informer<{ name: string; size: number }>(
      client,
      {
        path: '/api/v1/configmaps',
        pageSize: 25,
        watchIdleTimeoutMs: 500,
        initialBackoffMs: 50,
        transform: (obj) => {
          const data = obj.data as Record<string, string> | undefined;
          // Leave out the cluster's own ConfigMaps (kube-system) and the ones marked skip.
          if (data?.skip === 'yes' || !['a', 'b'].includes(obj.metadata?.namespace ?? '')) return undefined;
          return { name: obj.metadata?.name ?? '', size: Number(data?.size) };
        },
      },
      silentLogger(),
    );
    informer.onChange((change, key) => events.push([change, `${key.namespace}/${key.name}`]));
    try {
      informer.start();
      assert.equal(await informer.waitForSync(10_000), true);
      assert.equal(informer.size, 108);
      assert.deepEqual(informer.get('b', 'cm-7'), { name: 'cm-7', size: 7 });
      assert.equal(informer.get('a', 'cm-10'), undefined, 'the transform left it out');
      const lists = kube.requestLog.filter(
        (r) => r.path === '/api/v1/configmaps' && r.query.watch === undefined,
      );
      assert.ok(lists.length >= 5, `paged LIST (${lists.length} pages)`);

      kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-7', namespace: 'b' }, data: { size: '700' } });
      kube.remove(CONFIGMAPS, 'cm-9', 'b');
      kube.upsert(CONFIGMAPS, {
        metadata: { name: 'cm-3', namespace: 'b' },
        data: { size: '3', skip: 'yes' },
      });
      await waitFor('watch events', () => informer.get('b', 'cm-7')?.size === 700 && informer.size === 106);
      assert.ok(events.some(([c, k]) => c === 'deleted' && k === 'b/cm-9'));
      assert.ok(
        events.some(([c, k]) => c === 'deleted' && k === 'b/cm-3'),
        'transformed away = deleted',
      );

      // The watch breaks and the history is gone: the informer re-lists and sees what changed meanwhile.
      kube.expireHistory();
      kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-new', namespace: 'a' }, data: { size: '1' } });
      kube.breakWatches();
      await waitFor('relist after 410', () => informer.get('a', 'cm-new') !== undefined);

      // A silent watch (no events, no bookmarks) is restarted by the watchdog.
      const watchesBefore = kube.requestLog.filter((r) => r.query.watch !== undefined).length;
      kube.stallWatches(true);
      await waitFor(
        'a new watch',
        () => kube.requestLog.filter((r) => r.query.watch !== undefined).length > watchesBefore,
      );
      kube.stallWatches(false);
      kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-late', namespace: 'a' }, data: { size: '2' } });
      await waitFor('events after the watchdog', () => informer.get('a', 'cm-late') !== undefined);
    } finally {
      informer.stop();
      client.close();
      await kube.close();
      await dir.remove();
    }
    assert.equal(await informer.waitForSync(10), true);
  },
);

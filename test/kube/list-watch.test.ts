/**
 * The list/watch engine under both caches, against the simulated kube-apiserver: paged LIST and a
 * watch from its resourceVersion, what each way of losing a watch leads to (resume from the last
 * resourceVersion seen, or re-list on 410), bounded backoff between failed LISTs, and stop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client.js';
import { ListWatch, type ListWatchConfig, type ObjectKey } from '../../src/kube/list-watch.js';
import { silentLogger } from '../../src/logging.js';
import { startFakeKube, type FakeKube, type RequestLogEntry } from '../helpers/fake-kube.js';
import { makeTempDir } from '../helpers/temp.js';

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A cache as small as can be: each object's `data.v`, swapped in whole by every LIST. */
class Recorder {
  records = new Map<string, string>();
  private next = new Map<string, string>();
  lists = 0;
  failures: string[] = [];
  readonly engine: ListWatch<string>;

  constructor(client: KubeClient, config: Partial<ListWatchConfig> & { path: string }) {
    const key = (k: ObjectKey): string => `${k.namespace}/${k.name}`;
    this.engine = new ListWatch<string>(
      client,
      {
        watchTimeoutSeconds: 600,
        initialBackoffMs: 20,
        maxBackoffMs: 100,
        onWatchFailure: (_path, reason) => this.failures.push(reason),
        failureLog: { message: 'test list/watch failed', fields: {} },
        ...config,
      },
      {
        transform: (obj) => (obj.data as Record<string, string> | undefined)?.v,
        listing: () => {
          this.lists++;
          this.next = new Map();
        },
        listed: (k, v) => {
          if (v !== undefined) this.next.set(key(k), v);
        },
        listDone: () => {
          this.records = this.next;
        },
        changed: (k, v) => {
          if (v === undefined) this.records.delete(key(k));
          else this.records.set(key(k), v);
        },
        deleted: (k) => this.records.delete(key(k)),
      },
      silentLogger(),
    );
  }
}

describe('list/watch engine', { timeout: 120_000 }, () => {
  let kube: FakeKube;
  let client: KubeClient;
  let dir: { path: string; remove(): Promise<void> };
  let nsCount = 0;

  before(async () => {
    // Bookmarks rarely, so a watch's resourceVersion is the last event's.
    kube = await startFakeKube({ bookmarkIntervalMs: 60_000 });
    dir = await makeTempDir('list-watch-');
    client = KubeClient.fromKubeconfig(await kube.writeKubeconfig(dir.path, { user: 'token' }));
  });
  after(async () => {
    client.close();
    await kube.close();
    await dir.remove();
  });

  /** A namespace of its own per test, with `n` configmaps, and its collection path. */
  function freshNamespace(n: number): { ns: string; path: string } {
    const ns = `lw-${++nsCount}`;
    for (let i = 0; i < n; i++) {
      kube.upsert(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: ns }, data: { v: String(i) } });
    }
    return { ns, path: `/api/v1/namespaces/${ns}/configmaps` };
  }

  const requestsTo = (path: string, since = 0): RequestLogEntry[] =>
    kube.requestLog.filter((r) => r.path === path && r.time.getTime() >= since);
  const isWatch = (r: RequestLogEntry): boolean => r.query.watch !== undefined;

  it('lists in pages, then watches from the list resourceVersion with bookmarks', async () => {
    const { ns, path } = freshNamespace(7);
    const listRV = kube.resourceVersion;
    const rec = new Recorder(client, { path, pageSize: 3 });
    try {
      rec.engine.start();
      assert.equal(await rec.engine.waitForSync(10_000), true);
      assert.equal(rec.records.size, 7);
      await waitFor('the watch', () => requestsTo(path).some(isWatch));
      const lists = requestsTo(path).filter((r) => !isWatch(r));
      assert.equal(lists.length, 3, 'pages of 3');
      assert.ok(lists.every((r) => r.query.limit === '3'));
      assert.equal(lists[0]?.query.continue, undefined);
      assert.ok(lists[1]?.query.continue !== undefined);
      const watch = requestsTo(path).find(isWatch);
      assert.equal(watch?.query.resourceVersion, listRV);
      assert.equal(watch.query.allowWatchBookmarks, 'true');

      kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-1', namespace: ns }, data: { v: 'one' } });
      kube.remove(CONFIGMAPS, 'cm-2', ns);
      await waitFor('watch events', () => rec.records.get(`${ns}/cm-1`) === 'one' && rec.records.size === 6);
      assert.equal(rec.lists, 1);
      assert.deepEqual(rec.failures, []);
    } finally {
      rec.engine.stop();
    }
  });

  const lostWatches: {
    name: string;
    lose: (k: FakeKube, path: string) => void;
    relist: boolean;
    failures: string[];
    watchIdleTimeoutMs?: number;
  }[] = [
    {
      name: 'the server ends the watch (its timeoutSeconds ran out)',
      lose: (k) => k.endWatches(),
      relist: false,
      failures: [],
    },
    {
      name: 'the connection drops mid-watch',
      lose: (k) => k.breakWatches(),
      relist: false,
      failures: ['error'],
    },
    {
      name: 'the watch goes silent (half-open connection)',
      lose: (k) => {
        k.stallWatches(true);
        setTimeout(() => k.stallWatches(false), 1_500).unref();
      },
      relist: false,
      failures: ['error'],
      watchIdleTimeoutMs: 1_000,
    },
    {
      name: 'the next watch request fails with 500',
      lose: (k, path) => {
        k.failNext(path, 500, 1, 'etcdserver: leader changed', 'watch');
        k.endWatches();
      },
      relist: false,
      failures: ['error'],
    },
    {
      name: 'history compacted: the resumed watch gets an ERROR event, 410 Expired',
      lose: (k) => {
        // A change elsewhere, then compaction: the watch's resourceVersion is older than the history.
        k.upsert(CONFIGMAPS, { metadata: { name: 'elsewhere', namespace: 'lw-other' } });
        k.expireHistory();
        k.endWatches();
      },
      relist: true,
      failures: ['expired'],
    },
    {
      name: 'history compacted: the resumed watch request is answered HTTP 410',
      lose: (k, path) => {
        k.failNext(path, 410, 1, 'too old resource version: 1 (2)', 'watch');
        k.endWatches();
      },
      relist: true,
      failures: ['expired'],
    },
  ];

  for (const c of lostWatches) {
    it(`${c.name}: ${c.relist ? 're-lists' : 'resumes from the last resourceVersion, no re-list'}`, async () => {
      const { ns, path } = freshNamespace(3);
      const rec = new Recorder(client, { path, watchIdleTimeoutMs: c.watchIdleTimeoutMs ?? 120_000 });
      try {
        rec.engine.start();
        assert.equal(await rec.engine.waitForSync(10_000), true);
        await waitFor('the watch', () => kube.openWatchCount() === 1);
        // An event moves the watch's resourceVersion past the list's.
        const seen = kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-0', namespace: ns }, data: { v: 'a' } });
        await waitFor('the event', () => rec.records.get(`${ns}/cm-0`) === 'a');
        const lostAt = Date.now();
        c.lose(kube, path);
        // Meanwhile a deletion: a resumed watch replays it, a re-list sees it gone.
        kube.remove(CONFIGMAPS, 'cm-2', ns);
        await waitFor('the deletion', () => !rec.records.has(`${ns}/cm-2`));
        kube.upsert(CONFIGMAPS, { metadata: { name: 'cm-new', namespace: ns }, data: { v: 'b' } });
        await waitFor('a later event', () => rec.records.get(`${ns}/cm-new`) === 'b');

        const after = requestsTo(path, lostAt);
        const lists = after.filter((r) => !isWatch(r));
        assert.equal(rec.lists, c.relist ? 2 : 1, 'LISTs');
        assert.equal(lists.length > 0, c.relist, 'LIST requests after the loss');
        assert.deepEqual(rec.failures, c.failures);
        const firstWatch = after.find(isWatch);
        assert.equal(firstWatch?.query.resourceVersion, seen.metadata.resourceVersion, 'resumed from');
        assert.deepEqual([...rec.records.keys()].sort(), [`${ns}/cm-0`, `${ns}/cm-1`, `${ns}/cm-new`]);
      } finally {
        rec.engine.stop();
      }
    });
  }

  it('backs off between failed LISTs, doubling up to the bound, then syncs', async () => {
    const { path } = freshNamespace(2);
    kube.failNext(path, 503, 5, 'the server is currently unable to handle the request', 'non-watch');
    const rec = new Recorder(client, { path, initialBackoffMs: 40, maxBackoffMs: 160 });
    try {
      rec.engine.start();
      assert.equal(await rec.engine.waitForSync(15_000), true);
      assert.equal(rec.records.size, 2);
      const times = requestsTo(path)
        .filter((r) => !isWatch(r))
        .map((r) => r.time.getTime());
      assert.equal(times.length, 6, 'five failures, then the LIST that syncs');
      const expected = [40, 80, 160, 160, 160];
      for (const [i, want] of expected.entries()) {
        const gap = (times[i + 1] ?? 0) - (times[i] ?? 0);
        assert.ok(gap >= want - 5, `gap ${i}: ${gap} ms, at least ${want}`);
        assert.ok(gap < want + 2_000, `gap ${i}: ${gap} ms, bounded`);
      }
      assert.deepEqual(rec.failures, ['error', 'error', 'error', 'error', 'error']);
    } finally {
      rec.engine.stop();
    }
  });

  const stops: { name: string; arrange: (k: FakeKube, path: string) => Promise<void> | void }[] = [
    { name: 'while watching', arrange: () => waitFor('the watch', () => kube.openWatchCount() === 1) },
    {
      name: 'while backing off after a failed LIST',
      arrange: async (k, path) => {
        k.failNext(path, 503, 100, 'unavailable', 'non-watch');
        await waitFor('a failed LIST', () => requestsTo(path).length > 0);
        await sleep(50);
      },
    },
    {
      name: 'while a LIST is pending',
      arrange: async (k, path) => {
        k.setLatency(1_500);
        await waitFor('the LIST sent', () => requestsTo(path).length > 0);
      },
    },
  ];

  for (const c of stops) {
    it(`stop ${c.name}: the pending request ends, no request follows`, async () => {
      const { path } = freshNamespace(1);
      const rec = new Recorder(client, { path, initialBackoffMs: 300, maxBackoffMs: 300 });
      try {
        rec.engine.start();
        await c.arrange(kube, path);
        const count = requestsTo(path).length;
        const watching = kube.openWatchCount();
        rec.engine.stop();
        const stoppedAt = Date.now();
        assert.equal(await rec.engine.waitForSync(5_000), rec.engine.hasSynced);
        assert.ok(Date.now() - stoppedAt < 1_000, 'waitForSync answers at once after stop');
        if (watching > 0) await waitFor('the watch closed', () => kube.openWatchCount() === 0, 5_000);
        await sleep(800);
        assert.equal(requestsTo(path).length, count, 'no request after stop');
        rec.engine.start();
        await sleep(100);
        assert.equal(requestsTo(path).length, count, 'start after stop does nothing');
      } finally {
        rec.engine.stop();
        kube.setLatency(0);
      }
    });
  }
});

/**
 * A watch-backed cache of FULL objects of one collection, kept as the compact records a transform
 * makes of them, so memory holds only what a consumer needs (a node's addresses, a pod's phase
 * and containers), never the objects themselves. It lists in pages, watches from the list's
 * resourceVersion with bookmarks, re-lists on 410 Gone, and restarts a watch that has gone silent
 * (a half-open connection would otherwise leave the cache stale forever). object-cache.ts is the
 * metadata-only sibling used for label selectors.
 */
import type { IncomingMessage } from 'node:http';
import { UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import { KubeApiError } from './answer.js';
import type { KubeClient } from './client.js';

/** The parts of every Kubernetes object the informer itself reads. */
export interface KubeObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export type InformerChange = 'added' | 'modified' | 'deleted';

/**
 * Told when a cache loses its watch: 'expired' (410 Gone, the cache re-lists) or 'error' (the list
 * or watch failed and is retried with backoff). `resource` is the collection path.
 */
export type WatchFailureObserver = (resource: string, reason: 'expired' | 'error') => void;

export type InformerListener<T> = (
  change: InformerChange,
  key: { namespace: string; name: string },
  current: T | undefined,
  previous: T | undefined,
) => void;

export interface InformerConfig<T> {
  /** Collection path, e.g. /api/v1/nodes or /api/v1/pods. */
  path: string;
  /** Keeps the object as a compact record; undefined leaves it out (as if it did not exist). */
  transform: (obj: KubeObjectLike & Record<string, unknown>) => T | undefined;
  /** Server-side filters passed to LIST and WATCH. */
  labelSelector?: string;
  fieldSelector?: string;
  /** Restart a watch that delivered nothing (not even a bookmark) for this long; default 120 s. */
  watchIdleTimeoutMs?: number;
  /** Server-side watch timeout; each watch picks a value in [v, 2v); default 300 s. */
  watchTimeoutSeconds?: number;
  /** Page size of LIST; default 500. */
  pageSize?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onWatchFailure?: WatchFailureObserver;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: (KubeObjectLike & Record<string, unknown>)[];
}
interface WatchEvent {
  type?: string;
  object?: KubeObjectLike & Record<string, unknown> & { code?: number; message?: string };
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

export class Informer<T> {
  private readonly items = new Map<string, { namespace: string; name: string; value: T }>();
  private readonly listeners = new Set<InformerListener<T>>();
  private readonly syncWaiters = new Set<() => void>();
  private resourceVersion = '';
  private stopped = false;
  private started = false;
  private synced = false;
  private response: IncomingMessage | undefined;
  private abort = new AbortController();
  private backoffTimer: NodeJS.Timeout | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly config: InformerConfig<T>,
    private readonly logger: Logger,
  ) {}

  /** A method, so that checks after an await are not narrowed away by the compiler. */
  private isStopped(): boolean {
    return this.stopped;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.items.size;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.response?.destroy();
    clearTimeout(this.backoffTimer);
    this.wakeBackoff?.();
    for (const w of [...this.syncWaiters]) w();
  }

  /** Resolves true once the first LIST is in, false on timeout, abort or stop. */
  waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.syncWaiters.delete(done);
        resolve(this.synced);
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.syncWaiters.add(done);
    });
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(keyOf(namespace, name))?.value;
  }

  list(): T[] {
    const out: T[] = [];
    for (const e of this.items.values()) out.push(e.value);
    return out;
  }

  /** Called for every change after it is applied (including the initial LIST's additions). */
  onChange(listener: InformerListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(
    change: InformerChange,
    namespace: string,
    name: string,
    cur: T | undefined,
    prev: T | undefined,
  ): void {
    for (const l of this.listeners) {
      try {
        l(change, { namespace, name }, cur, prev);
      } catch (err) {
        this.logger.error({ path: this.config.path, err: errorMessage(err) }, 'informer listener failed');
      }
    }
  }

  private put(obj: KubeObjectLike & Record<string, unknown>): void {
    const name = obj.metadata?.name;
    if (name === undefined) return;
    const namespace = obj.metadata?.namespace ?? '';
    const key = keyOf(namespace, name);
    const prev = this.items.get(key)?.value;
    const value = this.config.transform(obj);
    if (value === undefined) {
      if (prev !== undefined) {
        this.items.delete(key);
        this.emit('deleted', namespace, name, undefined, prev);
      }
      return;
    }
    this.items.set(key, { namespace, name, value });
    this.emit(prev === undefined ? 'added' : 'modified', namespace, name, value, prev);
  }

  private remove(obj: KubeObjectLike): void {
    const name = obj.metadata?.name;
    if (name === undefined) return;
    const namespace = obj.metadata?.namespace ?? '';
    const key = keyOf(namespace, name);
    const prev = this.items.get(key);
    if (prev === undefined) return;
    this.items.delete(key);
    this.emit('deleted', namespace, name, undefined, prev.value);
  }

  private query(): Record<string, string | undefined> {
    const { labelSelector, fieldSelector } = this.config;
    return {
      labelSelector: labelSelector === '' ? undefined : labelSelector,
      fieldSelector: fieldSelector === '' ? undefined : fieldSelector,
    };
  }

  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let resourceVersion = '';
    for (let page = 0; ; page++) {
      if (page >= 100_000) throw new UnavailableError(`listing ${this.config.path} did not end`);
      const body = await this.client.requestJSON<ListBody>('GET', this.config.path, {
        query: { ...this.query(), limit: String(this.config.pageSize ?? 500), continue: cont },
        timeoutMs: 60_000,
        signal: this.abort.signal,
      });
      if (this.stopped) return;
      // Apply page by page so a large LIST never holds every full object at once.
      for (const item of body.items ?? []) {
        const name = item.metadata?.name;
        if (name === undefined) continue;
        seen.add(keyOf(item.metadata?.namespace ?? '', name));
        this.put(item);
      }
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
      cont = body.metadata?.continue;
      if (cont === undefined || cont === '') break;
    }
    for (const [key, e] of [...this.items]) {
      if (!seen.has(key)) {
        this.items.delete(key);
        this.emit('deleted', e.namespace, e.name, undefined, e.value);
      }
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
    }
  }

  private async run(): Promise<void> {
    const initial = this.config.initialBackoffMs ?? 500;
    let backoffMs = initial;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        if (this.isStopped()) return;
        const outcome = await this.watch();
        if (outcome === 'relist') {
          needList = true;
          this.config.onWatchFailure?.(this.config.path, 'expired');
          this.logger.info(
            { path: this.config.path },
            'watch resourceVersion expired (410 Gone); re-listing',
          );
        }
        backoffMs = initial;
      } catch (err) {
        if (this.isStopped()) return;
        this.config.onWatchFailure?.(
          this.config.path,
          err instanceof KubeApiError && err.statusCode === 410 ? 'expired' : 'error',
        );
        this.logger.warn(
          { path: this.config.path, err: errorMessage(err), retryMs: backoffMs },
          'informer list/watch failed; retrying',
        );
        await new Promise<void>((resolve) => {
          this.wakeBackoff = resolve;
          this.backoffTimer = setTimeout(resolve, backoffMs);
        });
        this.wakeBackoff = undefined;
        backoffMs = Math.min(backoffMs * 2, this.config.maxBackoffMs ?? 30_000);
        // The resourceVersion may be too old after an error (410 or not): a relist is the safe way back.
        needList = true;
      }
    }
  }

  private async watch(): Promise<'relist' | 'rewatch'> {
    const base = this.config.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base + Math.random() * base);
    const res = await this.client.openStream(this.config.path, {
      query: {
        ...this.query(),
        watch: '1',
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(timeoutSeconds),
      },
      timeoutMs: 15_000,
      signal: this.abort.signal,
    });
    if (this.stopped) {
      res.destroy();
      return 'rewatch';
    }
    this.response = res;
    const idleMs = this.config.watchIdleTimeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      let buffered = '';
      let outcome: 'relist' | 'rewatch' = 'rewatch';
      let failure: Error | undefined;
      let idle = setTimeout(onIdle, idleMs);
      function onIdle(): void {
        res.destroy(new Error(`watch silent for ${idleMs} ms`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        clearTimeout(idle);
        idle = setTimeout(onIdle, idleMs);
        buffered += chunk;
        let start = 0;
        let nl: number;
        while ((nl = buffered.indexOf('\n', start)) >= 0) {
          const line = buffered.slice(start, nl);
          start = nl + 1;
          if (line.trim() === '') continue;
          try {
            if (this.apply(line) === 'relist') {
              outcome = 'relist';
              res.destroy();
              return;
            }
          } catch (err) {
            failure = err instanceof Error ? err : new Error(String(err));
            res.destroy();
            return;
          }
        }
        buffered = buffered.slice(start);
        if (buffered.length > 64 * 1024 * 1024) res.destroy(new Error('watch event larger than 64 MiB'));
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        clearTimeout(idle);
        this.response = undefined;
        if (failure !== undefined) reject(failure);
        else if (outcome === 'relist' || res.complete || this.stopped) resolve(outcome);
        else if (res.errored !== null) reject(res.errored);
        else resolve('rewatch');
      });
    });
  }

  private apply(line: string): 'relist' | undefined {
    let ev: WatchEvent;
    try {
      ev = JSON.parse(line) as WatchEvent;
    } catch {
      throw new Error('malformed watch event');
    }
    const obj = ev.object;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
        if (obj !== undefined) this.put(obj);
        break;
      case 'DELETED':
        if (obj !== undefined) this.remove(obj);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        if (obj?.code === 410) return 'relist';
        throw new Error(`watch error: ${obj?.message ?? 'unknown'}`);
      default:
        return undefined;
    }
    const rv = obj?.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    return undefined;
  }
}

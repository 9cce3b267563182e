/**
 * The list/watch engine behind every watch-backed cache (informer.ts for compact records of full
 * objects, object-cache.ts for metadata): LIST in pages, WATCH from the list's resourceVersion
 * with bookmarks, resume from the last resourceVersion seen when a watch ends or breaks, re-list
 * only when the server says that resourceVersion expired (410), back off (bounded) between
 * failures, and stop every loop and pending request at once. What a cache keeps of each object,
 * and how it indexes it, is the cache's job (ListWatchSink); the engine hands it each object's
 * record as its page or event arrives, made by the cache's transform, so the full objects are
 * dropped at once.
 */
import type { IncomingMessage } from 'node:http';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import { KubeApiError } from './answer.js';
import type { KubeClient } from './client.js';
import { listPages, type RawObject } from './paged-list.js';
import { streamWatch, type WatchEnd, type WatchEventType } from './watch-stream.js';

/**
 * Told when a cache loses its watch: 'expired' (410 Gone, the cache re-lists) or 'error' (the list
 * or watch failed and is retried with backoff). `resource` is the collection path.
 */
export type WatchFailureObserver = (resource: string, reason: 'expired' | 'error') => void;

export interface ObjectKey {
  namespace: string;
  name: string;
}

/** What a cache does with the objects the engine lists and watches. */
export interface ListWatchSink<T> {
  /** The record kept of an object; undefined means the cache does not keep it. */
  transform(obj: RawObject): T | undefined;
  /** A LIST begins: the records given to listed() from now on make the whole collection. */
  listing(): void;
  listed(key: ObjectKey, record: T | undefined): void;
  /** The LIST is complete: objects it did not list are gone. */
  listDone(): void;
  /** ADDED or MODIFIED by a watch. */
  changed(key: ObjectKey, record: T | undefined): void;
  /** DELETED by a watch. */
  deleted(key: ObjectKey): void;
}

export interface ListWatchConfig {
  /** Collection path, e.g. /api/v1/nodes. */
  path: string;
  /** Server-side filters of LIST and WATCH ('' = none). */
  labelSelector?: string;
  fieldSelector?: string;
  listAccept?: string;
  watchAccept?: string;
  /** Page size of LIST; default 500. */
  pageSize?: number;
  /** Deadline of each LIST page; default 60 s. */
  listTimeoutMs?: number;
  /** Pages after which a LIST is given up as endless; default 100 000. */
  maxPages?: number;
  /** Restart a watch that delivered nothing (not even a bookmark) for this long; default 120 s. */
  watchIdleTimeoutMs?: number;
  /** Server-side watch timeout; each watch picks a value in [v, 2v); default 300 s. */
  watchTimeoutSeconds?: number;
  /** A watch line longer than this breaks the watch; default 64 MiB. */
  maxEventBytes?: number;
  /** Backoff after a failure, doubled per consecutive failure up to maxBackoffMs; 500 ms, 30 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onWatchFailure?: WatchFailureObserver;
  /** The warning logged on a failure, and the fields that name the cache in it. */
  failureLog: { message: string; fields: Record<string, unknown> };
}

const WATCH_OPEN_TIMEOUT_MS = 15_000;

function keyOf(obj: RawObject): ObjectKey | undefined {
  const name = obj.metadata?.name;
  return name === undefined ? undefined : { namespace: obj.metadata?.namespace ?? '', name };
}

function isExpiredError(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 410;
}

export class ListWatch<T> {
  private readonly syncWaiters = new Set<() => void>();
  private resourceVersion = '';
  private started = false;
  private stopped = false;
  private synced = false;
  private response: IncomingMessage | undefined;
  private readonly abort = new AbortController();
  private backoffTimer: NodeJS.Timeout | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly config: ListWatchConfig,
    private readonly sink: ListWatchSink<T>,
    private readonly logger: Logger,
  ) {}

  /** A method, so that checks after an await are not narrowed away by the compiler. */
  private isStopped(): boolean {
    return this.stopped;
  }

  /** True once the first LIST is complete. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Idempotent; does nothing after stop(). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.run();
  }

  /** Ends the loop, the pending LIST page or WATCH, and the backoff wait; wakes waitForSync. */
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

  private filters(): Record<string, string | undefined> {
    const { labelSelector, fieldSelector } = this.config;
    return {
      labelSelector: labelSelector === '' ? undefined : labelSelector,
      fieldSelector: fieldSelector === '' ? undefined : fieldSelector,
    };
  }

  private async run(): Promise<void> {
    const { path, onWatchFailure, failureLog } = this.config;
    const initial = this.config.initialBackoffMs ?? 500;
    let backoffMs = initial;
    let needList = true;
    while (!this.isStopped()) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        if (this.isStopped()) return;
        if ((await this.watch()) === 'expired') {
          needList = true;
          onWatchFailure?.(path, 'expired');
          this.logger.info({ path }, 'watch resourceVersion expired (410 Gone); re-listing');
        }
        backoffMs = initial;
      } catch (err) {
        if (this.isStopped()) return;
        // A failed LIST is retried (needList is still set); a failed or broken WATCH resumes from
        // the last resourceVersion seen, which the server answers with 410 if it is too old.
        if (isExpiredError(err)) needList = true;
        onWatchFailure?.(path, isExpiredError(err) ? 'expired' : 'error');
        this.logger.warn(
          { ...failureLog.fields, err: errorMessage(err), retryMs: backoffMs },
          failureLog.message,
        );
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, this.config.maxBackoffMs ?? 30_000);
      }
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wakeBackoff = resolve;
      this.backoffTimer = setTimeout(resolve, ms);
    });
    this.wakeBackoff = undefined;
  }

  private async relist(): Promise<void> {
    this.sink.listing();
    const resourceVersion = await listPages(
      this.client,
      this.config.path,
      {
        query: this.filters(),
        accept: this.config.listAccept,
        pageSize: this.config.pageSize ?? 500,
        timeoutMs: this.config.listTimeoutMs ?? 60_000,
        maxPages: this.config.maxPages ?? 100_000,
        signal: this.abort.signal,
      },
      // Each page becomes records at once, so a large LIST never holds every full object.
      (items) => {
        for (const item of items) {
          const key = keyOf(item);
          if (key !== undefined) this.sink.listed(key, this.sink.transform(item));
        }
      },
    );
    this.sink.listDone();
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
    }
  }

  private watch(): Promise<WatchEnd> {
    const base = this.config.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base + Math.random() * base);
    return streamWatch(this.client, this.config.path, {
      query: {
        ...this.filters(),
        watch: '1',
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(timeoutSeconds),
      },
      accept: this.config.watchAccept,
      openTimeoutMs: WATCH_OPEN_TIMEOUT_MS,
      idleMs: this.config.watchIdleTimeoutMs ?? 120_000,
      maxEventBytes: this.config.maxEventBytes ?? 64 * 1024 * 1024,
      signal: this.abort.signal,
      onResponse: (res) => {
        this.response = res;
      },
      onEvent: (type: WatchEventType, obj: RawObject) => {
        const key = keyOf(obj);
        if (key === undefined) return;
        if (type === 'DELETED') this.sink.deleted(key);
        else this.sink.changed(key, this.sink.transform(obj));
      },
      onResourceVersion: (rv) => {
        this.resourceVersion = rv;
      },
    });
  }
}

/**
 * A watch-backed cache of FULL objects of one collection, kept as the compact records a transform
 * makes of them, so memory holds only what a consumer needs (a node's addresses, a pod's phase
 * and containers), never the objects themselves. Listing, watching, re-listing and backoff are
 * the list/watch engine's (list-watch.ts); this keeps the records by namespace/name and tells
 * listeners what changed. object-cache.ts is the metadata-only sibling used for label selectors.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { KubeClient } from './client.js';
import { ListWatch, type ObjectKey, type WatchFailureObserver } from './list-watch.js';
import type { KubeObjectLike } from './paged-list.js';

export type InformerChange = 'added' | 'modified' | 'deleted';

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

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

export class Informer<T> {
  private readonly items = new Map<string, { namespace: string; name: string; value: T }>();
  private readonly listeners = new Set<InformerListener<T>>();
  private readonly engine: ListWatch<T>;
  /** Keys the LIST in progress has seen; what it did not see is deleted when it completes. */
  private seen = new Set<string>();

  constructor(
    client: KubeClient,
    private readonly config: InformerConfig<T>,
    private readonly logger: Logger,
  ) {
    this.engine = new ListWatch(
      client,
      {
        path: config.path,
        labelSelector: config.labelSelector,
        fieldSelector: config.fieldSelector,
        pageSize: config.pageSize,
        watchIdleTimeoutMs: config.watchIdleTimeoutMs,
        watchTimeoutSeconds: config.watchTimeoutSeconds,
        initialBackoffMs: config.initialBackoffMs,
        maxBackoffMs: config.maxBackoffMs,
        onWatchFailure: config.onWatchFailure,
        failureLog: { message: 'informer list/watch failed; retrying', fields: { path: config.path } },
      },
      {
        transform: (obj) => config.transform(obj),
        listing: () => {
          this.seen = new Set();
        },
        listed: (key, value) => {
          this.seen.add(keyOf(key.namespace, key.name));
          this.put(key, value);
        },
        listDone: () => this.dropUnseen(),
        changed: (key, value) => this.put(key, value),
        deleted: (key) => this.remove(key),
      },
      logger,
    );
  }

  get hasSynced(): boolean {
    return this.engine.hasSynced;
  }

  get size(): number {
    return this.items.size;
  }

  start(): void {
    this.engine.start();
  }

  stop(): void {
    this.engine.stop();
  }

  /** Resolves true once the first LIST is in, false on timeout, abort or stop. */
  waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return this.engine.waitForSync(timeoutMs, signal);
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

  /** Stores the record; an object the transform left out is deleted, as if it did not exist. */
  private put({ namespace, name }: ObjectKey, value: T | undefined): void {
    const key = keyOf(namespace, name);
    const prev = this.items.get(key)?.value;
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

  private remove({ namespace, name }: ObjectKey): void {
    const key = keyOf(namespace, name);
    const prev = this.items.get(key);
    if (prev === undefined) return;
    this.items.delete(key);
    this.emit('deleted', namespace, name, undefined, prev.value);
  }

  private dropUnseen(): void {
    for (const [key, e] of [...this.items]) {
      if (!this.seen.has(key)) {
        this.items.delete(key);
        this.emit('deleted', e.namespace, e.name, undefined, e.value);
      }
    }
    this.seen = new Set();
  }
}

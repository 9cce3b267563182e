/**
 * Watch-backed caches of object metadata (namespace, name, labels), so that a label selector is
 * resolved to object names from memory instead of a LIST per request. One cache per resource,
 * started on first use; it lists with metadata-only answers (PartialObjectMetadataList) and
 * watches through the list/watch engine (list-watch.ts), keeping of each object only its
 * namespace, name and labels, interned. While a cache has not synced, requests fall back to a
 * direct LIST.
 */
import { TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { KubeClient } from './client.js';
import { internLabels, internString } from './intern.js';
import { ListWatch, type WatchFailureObserver } from './list-watch.js';
import { listPages, type RawObject } from './paged-list.js';
import type { ResourceInfo } from './resource-mapper.js';

export interface ObjectRef {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface ObjectSelector {
  /** Kubernetes label selector text, for the API server ('' = everything). */
  text: string;
  matches(labels: Readonly<Record<string, string>>): boolean;
}

export interface ObjectLister {
  /** Objects of a resource (in `namespace`, or all namespaces / cluster-scoped when undefined) matching the selector, sorted by name. */
  list(
    info: ResourceInfo,
    namespace: string | undefined,
    selector: ObjectSelector,
    signal?: AbortSignal,
  ): Promise<ObjectRef[]>;
}

const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** An object as a metadata-only answer carries it; only its name, namespace and labels are read. */
type MetaItem = RawObject & { metadata?: { labels?: Record<string, string> } };

export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return namespace !== undefined && info.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.resource}`
    : `${base}/${info.resource}`;
}

/** One LIST of metadata, for a cache that has not synced (with the request's label selector). */
async function listAll(
  client: KubeClient,
  path: string,
  labelSelector: string,
  signal?: AbortSignal,
): Promise<ObjectRef[]> {
  // Refs are made page by page: the metadata of a whole collection (with its managedFields) is
  // never alive at once.
  const items: ObjectRef[] = [];
  await listPages(
    client,
    path,
    {
      query: { labelSelector: labelSelector === '' ? undefined : labelSelector },
      accept: METADATA_LIST_ACCEPT,
      pageSize: 500,
      timeoutMs: 30_000,
      maxPages: 10_000,
      signal,
    },
    (page) => {
      for (const item of page) {
        const ref = toRef(item);
        if (ref !== undefined) items.push(ref);
      }
    },
  );
  return items;
}

function toRef(item: MetaItem): ObjectRef | undefined {
  const m = item.metadata;
  if (m?.name === undefined) return undefined;
  // Only these three are kept; a PartialObjectMetadata also carries annotations and managedFields.
  return { namespace: internString(m.namespace ?? ''), name: m.name, labels: internLabels(m.labels) };
}

export interface InformerOptions {
  /** Restart a watch that delivered nothing (not even a bookmark) for this long. */
  watchIdleTimeoutMs?: number;
  /** Server-side watch timeout range; each watch picks a value in [min, 2*min). */
  watchTimeoutSeconds?: number;
  maxBackoffMs?: number;
  onWatchFailure?: WatchFailureObserver;
}

type Store = Map<string, Map<string, ObjectRef>>;

class MetadataInformer {
  private store: Store = new Map();
  /** The LIST in progress, swapped in whole when it completes. */
  private next: Store = new Map();
  private readonly engine: ListWatch<ObjectRef>;

  constructor(
    client: KubeClient,
    readonly info: ResourceInfo,
    logger: Logger,
    options: InformerOptions,
  ) {
    this.engine = new ListWatch(
      client,
      {
        path: collectionPath(info),
        listAccept: METADATA_LIST_ACCEPT,
        watchAccept: METADATA_WATCH_ACCEPT,
        listTimeoutMs: 30_000,
        maxPages: 10_000,
        watchIdleTimeoutMs: options.watchIdleTimeoutMs,
        watchTimeoutSeconds: options.watchTimeoutSeconds,
        maxEventBytes: 16 * 1024 * 1024,
        maxBackoffMs: options.maxBackoffMs,
        onWatchFailure: options.onWatchFailure,
        failureLog: {
          message: 'object watch failed; retrying',
          fields: { resource: info.resource, group: info.group },
        },
      },
      {
        transform: toRef,
        listing: () => {
          this.next = new Map();
        },
        listed: (_key, ref) => {
          if (ref !== undefined) put(this.next, ref);
        },
        listDone: () => {
          this.store = this.next;
          this.next = new Map();
        },
        changed: (_key, ref) => {
          if (ref !== undefined) put(this.store, ref);
        },
        deleted: (key) => remove(this.store, key),
      },
      logger,
    );
  }

  get hasSynced(): boolean {
    return this.engine.hasSynced;
  }

  start(): void {
    this.engine.start();
  }

  stop(): void {
    this.engine.stop();
  }

  waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return this.engine.waitForSync(timeoutMs, signal);
  }

  /** Objects held, over all namespaces. */
  get size(): number {
    let n = 0;
    for (const bucket of this.store.values()) n += bucket.size;
    return n;
  }

  list(namespace: string | undefined, selector: ObjectSelector): ObjectRef[] {
    const out: ObjectRef[] = [];
    const buckets =
      namespace !== undefined && this.info.namespaced
        ? [this.store.get(namespace)]
        : [...this.store.values()];
    for (const bucket of buckets) {
      if (bucket === undefined) continue;
      for (const ref of bucket.values()) if (selector.matches(ref.labels)) out.push(ref);
    }
    return out.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.namespace < b.namespace ? -1 : 1,
    );
  }
}

function put(store: Store, ref: ObjectRef): void {
  let bucket = store.get(ref.namespace);
  if (bucket === undefined) {
    bucket = new Map();
    store.set(ref.namespace, bucket);
  }
  bucket.set(ref.name, ref);
}

function remove(store: Store, key: { namespace: string; name: string }): void {
  const bucket = store.get(key.namespace);
  bucket?.delete(key.name);
  if (bucket?.size === 0) store.delete(key.namespace);
}

export interface WatchingObjectListerOptions extends InformerOptions {
  /** How long a request waits for a new informer's first list before listing directly. */
  syncTimeoutMs?: number;
  maxInformers?: number;
}

export class WatchingObjectLister implements ObjectLister {
  private readonly informers = new Map<string, MetadataInformer>();

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly options: WatchingObjectListerOptions = {},
  ) {}

  async list(
    info: ResourceInfo,
    namespace: string | undefined,
    selector: ObjectSelector,
    signal?: AbortSignal,
  ): Promise<ObjectRef[]> {
    const key = `${info.group}/${info.version}/${info.resource}`;
    let informer = this.informers.get(key);
    if (informer === undefined && this.informers.size < (this.options.maxInformers ?? 32)) {
      informer = new MetadataInformer(this.client, info, this.logger, this.options);
      this.informers.set(key, informer);
      informer.start();
    }
    if (
      informer !== undefined &&
      (informer.hasSynced || (await informer.waitForSync(this.options.syncTimeoutMs ?? 5_000, signal)))
    ) {
      return informer.list(namespace, selector);
    }
    return this.listDirect(info, namespace, selector, signal);
  }

  private async listDirect(
    info: ResourceInfo,
    namespace: string | undefined,
    selector: ObjectSelector,
    signal?: AbortSignal,
  ): Promise<ObjectRef[]> {
    try {
      const items = await listAll(this.client, collectionPath(info, namespace), selector.text, signal);
      return items
        .filter((r) => selector.matches(r.labels))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      this.logger.error(
        { resource: info.resource, group: info.group, err: errorMessage(err) },
        'listing objects failed',
      );
      if (err instanceof UnavailableError || err instanceof TimeoutError) throw err;
      throw new UnavailableError(`unable to list ${info.resource} from the Kubernetes API`);
    }
  }

  /** Informers running and the objects they hold (tests check that deleted objects leave). */
  counts(): { informers: number; objects: number } {
    let objects = 0;
    for (const i of this.informers.values()) objects += i.size;
    return { informers: this.informers.size, objects };
  }

  close(): void {
    for (const i of this.informers.values()) i.stop();
    this.informers.clear();
  }
}

/** A fixed set of objects: the demo without a cluster, and unit tests. */
export class StaticObjectLister implements ObjectLister {
  constructor(private readonly objects: (ObjectRef & { group: string; resource: string })[]) {}

  list(info: ResourceInfo, namespace: string | undefined, selector: ObjectSelector): Promise<ObjectRef[]> {
    return Promise.resolve(
      this.objects
        .filter((o) => o.group === info.group && o.resource === info.resource)
        .filter((o) => namespace === undefined || !info.namespaced || o.namespace === namespace)
        .filter((o) => selector.matches(o.labels))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  }
}

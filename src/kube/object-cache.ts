/**
 * Watch-backed caches of object metadata (namespace, name, labels), so that a label selector is
 * resolved to object names from memory instead of a LIST per request. One informer per resource,
 * started on first use; it lists with metadata-only answers (PartialObjectMetadataList), then
 * watches from the list's resourceVersion, re-listing on 410 Gone. A watchdog restarts a watch
 * that has gone silent, since a half-open connection would otherwise leave the cache stale
 * forever. While an informer has not synced, requests fall back to a direct LIST.
 */
import type { IncomingMessage } from 'node:http';
import { TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import { KubeApiError } from './answer.js';
import type { KubeClient } from './client.js';
import type { WatchFailureObserver } from './informer.js';
import { internLabels, internString } from './intern.js';
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

interface MetaItem {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
}
interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: MetaItem[];
}
interface WatchEvent {
  type?: string;
  object?: MetaItem & { code?: number; reason?: string; message?: string };
}

export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return namespace !== undefined && info.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.resource}`
    : `${base}/${info.resource}`;
}

async function listAll(
  client: KubeClient,
  path: string,
  labelSelector: string,
  signal?: AbortSignal,
): Promise<{ items: ObjectRef[]; resourceVersion: string }> {
  // Refs are made page by page: the metadata of a whole collection (with its managedFields) is
  // never alive at once.
  const items: ObjectRef[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  for (let page = 0; page < 10_000; page++) {
    const body = await client.requestJSON<ListBody>('GET', path, {
      query: {
        limit: '500',
        continue: cont,
        labelSelector: labelSelector === '' ? undefined : labelSelector,
      },
      accept: METADATA_LIST_ACCEPT,
      timeoutMs: 30_000,
      signal,
    });
    for (const item of body.items ?? []) {
      const ref = toRef(item);
      if (ref !== undefined) items.push(ref);
    }
    resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
    cont = body.metadata?.continue;
    if (cont === undefined || cont === '') return { items, resourceVersion };
  }
  throw new UnavailableError(`listing ${path} did not end`);
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

class MetadataInformer {
  private readonly store = new Map<string, Map<string, ObjectRef>>();
  private resourceVersion = '';
  private stopped = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private response: IncomingMessage | undefined;
  private backoffMs = 500;
  lastUsed = Date.now();

  constructor(
    private readonly client: KubeClient,
    readonly info: ResourceInfo,
    private readonly logger: Logger,
    private readonly options: InformerOptions,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    void this.run();
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.response?.destroy();
  }

  waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => done(true));
    });
  }

  /** Objects held, over all namespaces. */
  get size(): number {
    let n = 0;
    for (const bucket of this.store.values()) n += bucket.size;
    return n;
  }

  list(namespace: string | undefined, selector: ObjectSelector): ObjectRef[] {
    this.lastUsed = Date.now();
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

  private put(ref: ObjectRef): void {
    let bucket = this.store.get(ref.namespace);
    if (bucket === undefined) {
      bucket = new Map();
      this.store.set(ref.namespace, bucket);
    }
    bucket.set(ref.name, ref);
  }

  private remove(ref: ObjectRef): void {
    const bucket = this.store.get(ref.namespace);
    bucket?.delete(ref.name);
    if (bucket?.size === 0) this.store.delete(ref.namespace);
  }

  private async run(): Promise<void> {
    const path = collectionPath(this.info);
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          const { items, resourceVersion } = await listAll(this.client, path, '');
          this.store.clear();
          for (const ref of items) this.put(ref);
          this.resourceVersion = resourceVersion;
          needList = false;
          if (!this.synced) {
            this.synced = true;
            for (const w of this.syncWaiters.splice(0)) w();
          }
        }
        const outcome = await this.watch(path);
        if (outcome === 'relist') {
          needList = true;
          this.options.onWatchFailure?.(path, 'expired');
          this.logger.info({ path }, 'watch resourceVersion expired (410 Gone); re-listing');
        }
        this.backoffMs = 500;
      } catch (err) {
        if (this.isStopped()) return;
        if (err instanceof KubeApiError && err.statusCode === 410) needList = true;
        this.options.onWatchFailure?.(
          path,
          err instanceof KubeApiError && err.statusCode === 410 ? 'expired' : 'error',
        );
        this.logger.warn(
          {
            resource: this.info.resource,
            group: this.info.group,
            err: errorMessage(err),
            retryMs: this.backoffMs,
          },
          'object watch failed; retrying',
        );
        await new Promise((r) => setTimeout(r, this.backoffMs).unref());
        this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
        // After an error the resourceVersion may be too old; a relist is the safe way back.
        needList = true;
      }
    }
  }

  /** Streams one watch; resolves 'relist' when the resourceVersion expired, 'rewatch' when the stream ended. */
  private async watch(path: string): Promise<'relist' | 'rewatch'> {
    const base = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base + Math.random() * base);
    const res = await this.client.openStream(path, {
      query: {
        watch: '1',
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(timeoutSeconds),
      },
      accept: METADATA_WATCH_ACCEPT,
      timeoutMs: 15_000,
    });
    this.response = res;
    const idleMs = this.options.watchIdleTimeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      let buffered = '';
      let outcome: 'relist' | 'rewatch' = 'rewatch';
      let idle = setTimeout(onIdle, idleMs);
      function onIdle(): void {
        res.destroy(new Error(`watch silent for ${idleMs} ms`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        clearTimeout(idle);
        idle = setTimeout(onIdle, idleMs);
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          if (this.apply(line) === 'relist') {
            outcome = 'relist';
            res.destroy();
            return;
          }
        }
        if (buffered.length > 16 * 1024 * 1024) res.destroy(new Error('watch event larger than 16 MiB'));
      });
      res.on('close', () => {
        clearTimeout(idle);
        this.response = undefined;
        if (outcome === 'relist' || res.complete) resolve(outcome);
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
    const rv = obj?.metadata?.resourceVersion;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const ref = obj === undefined ? undefined : toRef(obj);
        if (ref !== undefined) this.put(ref);
        break;
      }
      case 'DELETED': {
        const ref = obj === undefined ? undefined : toRef(obj);
        if (ref !== undefined) this.remove(ref);
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        if (obj?.code === 410) return 'relist';
        throw new Error(`watch error: ${obj?.message ?? 'unknown'}`);
      default:
        return undefined;
    }
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    return undefined;
  }
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
      const { items } = await listAll(this.client, collectionPath(info, namespace), selector.text, signal);
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

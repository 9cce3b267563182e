/**
 * The object store behind the simulated kube-apiserver: resource types, objects per resource
 * (keyed like etcd, "<namespace>/<name>" or "<name>"), one global monotonically increasing
 * resourceVersion, and a bounded history of change events for watches.
 *
 * Storage is per group+resource, so a resource served at several versions (autoscaling v1 and v2)
 * shares its objects, as in the real apiserver. No-op updates do not bump the resourceVersion.
 */
import { randomUUID } from 'node:crypto';
import { builtinResourceTypes, type ResourceType } from './kube-discovery.js';
import { kubeTimestamp } from './kube-status.js';
import type { FieldSelector, LabelSelector } from './selectors.js';

export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** An object as stored: everything but kind/apiVersion (added when serialized). */
export interface KubeObject {
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  rv: number;
  storeKey: string;
  type: ChangeType;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED/DELETED). */
  previous?: KubeObject;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface ListFilter {
  namespace?: string;
  label?: LabelSelector;
  field?: FieldSelector;
}

export class UnsupportedFieldError extends Error {
  override readonly name = 'UnsupportedFieldError';
}

/** Extra field selectors the real apiserver supports per resource (beyond metadata.name/namespace). */
const EXTRA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
  '/nodes': ['spec.unschedulable'],
  '/replicationcontrollers': ['status.replicas'],
  'apps/replicasets': ['status.replicas'],
  'batch/jobs': ['status.successful'],
};

export function storeKeyOf(ref: { group: string; resource: string }): string {
  return `${ref.group}/${ref.resource}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** JSON with sorted keys, for semantic equality. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

function withoutServerFields(obj: KubeObject): unknown {
  const { uid: _u, resourceVersion: _rv, creationTimestamp: _ct, generation: _g, ...meta } = obj.metadata;
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return { ...rest, metadata: meta };
}

function readPath(obj: unknown, dotted: string): string | undefined {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

export class KubeObjectStore {
  readonly #types = new Map<string, ResourceType>();
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  /** Per store key, the object keys in order; rebuilt after a key is added or removed. */
  readonly #sortedKeys = new Map<string, string[]>();
  readonly #history: ChangeEvent[] = [];
  readonly #listeners = new Map<string, Set<ChangeListener>>();
  readonly #historyLimit: number;
  #rv = 0;
  #compactedRV = 0;

  constructor(opts: { historyLimit?: number; builtins?: boolean } = {}) {
    this.#historyLimit = Math.max(1, opts.historyLimit ?? 1_000);
    if (opts.builtins ?? true) for (const rt of builtinResourceTypes()) this.addType(rt);
  }

  /** Current (latest) global resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** Highest resourceVersion whose events are no longer in the history. */
  get compactedResourceVersion(): number {
    return this.#compactedRV;
  }

  addType(rt: ResourceType): void {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(rt.resource))
      throw new Error(`invalid resource name ${rt.resource}`);
    if (!/^v\d+((alpha|beta)\d+)?$/.test(rt.version) && !/^[a-z0-9]+$/.test(rt.version)) {
      throw new Error(`invalid version ${rt.version}`);
    }
    this.#types.set(`${rt.group}/${rt.version}/${rt.resource}`, clone(rt));
    const sk = storeKeyOf(rt);
    if (!this.#objects.has(sk)) this.#objects.set(sk, new Map());
  }

  /** Removes the type at that version; returns true when no version of the resource remains (objects dropped). */
  removeType(ref: ResourceRef): boolean {
    this.#types.delete(`${ref.group}/${ref.version}/${ref.resource}`);
    const sk = storeKeyOf(ref);
    const stillServed = [...this.#types.values()].some((t) => storeKeyOf(t) === sk);
    if (!stillServed) {
      this.#objects.delete(sk);
      this.#sortedKeys.delete(sk);
      return true;
    }
    return false;
  }

  findType(group: string, version: string, resource: string): ResourceType | undefined {
    const rt = this.#types.get(`${group}/${version}/${resource}`);
    return rt ? clone(rt) : undefined;
  }

  types(): ResourceType[] {
    return [...this.#types.values()].map(clone);
  }

  #requireType(ref: ResourceRef): ResourceType {
    const rt = this.#types.get(`${ref.group}/${ref.version}/${ref.resource}`);
    if (!rt)
      throw new Error(
        `unknown resource ${ref.resource} in ${ref.group === '' ? 'core' : ref.group}/${ref.version}`,
      );
    return rt;
  }

  #bucket(ref: ResourceRef): Map<string, KubeObject> {
    const bucket = this.#objects.get(storeKeyOf(ref));
    if (!bucket) throw new Error(`no storage for ${storeKeyOf(ref)}`);
    return bucket;
  }

  #record(event: ChangeEvent): void {
    this.#history.push(event);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped) this.#compactedRV = dropped.rv;
    }
    for (const l of this.#listeners.get(event.storeKey) ?? []) l(event);
  }

  /**
   * Creates or updates; fills metadata.uid, resourceVersion, creationTimestamp (kept on update).
   * A namespaced object without a namespace goes to "default". Returns a copy of the stored object.
   */
  upsert(ref: ResourceRef, input: KubeObject): KubeObject {
    const rt = this.#requireType(ref);
    const name = input.metadata.name;
    if (typeof name !== 'string' || name === '') throw new Error('upsert: metadata.name is required');
    const obj = clone(input);
    delete obj.kind;
    delete obj.apiVersion;
    if (rt.namespaced) obj.metadata.namespace = obj.metadata.namespace ?? 'default';
    else delete obj.metadata.namespace;
    const key = objectKey(obj.metadata.namespace, name);
    const bucket = this.#bucket(ref);
    const previous = bucket.get(key);
    if (!previous) this.#sortedKeys.delete(storeKeyOf(ref));
    if (previous && canonical(withoutServerFields(previous)) === canonical(withoutServerFields(obj))) {
      return clone(previous);
    }
    const rv = ++this.#rv;
    obj.metadata.uid = previous?.metadata.uid ?? obj.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? kubeTimestamp();
    obj.metadata.resourceVersion = String(rv);
    bucket.set(key, obj);
    const event: ChangeEvent = {
      rv,
      storeKey: storeKeyOf(ref),
      type: previous ? 'MODIFIED' : 'ADDED',
      object: obj,
    };
    if (previous) event.previous = previous;
    this.#record(event);
    return clone(obj);
  }

  remove(ref: ResourceRef, name: string, namespace?: string): boolean {
    const rt = this.#requireType(ref);
    const key = objectKey(rt.namespaced ? (namespace ?? 'default') : undefined, name);
    const bucket = this.#bucket(ref);
    const previous = bucket.get(key);
    if (!previous) return false;
    bucket.delete(key);
    this.#sortedKeys.delete(storeKeyOf(ref));
    const rv = ++this.#rv;
    const last = clone(previous);
    last.metadata.resourceVersion = String(rv);
    this.#record({ rv, storeKey: storeKeyOf(ref), type: 'DELETED', object: last, previous });
    return true;
  }

  get(ref: ResourceRef, name: string, namespace?: string): KubeObject | undefined {
    const rt = this.#requireType(ref);
    const obj = this.#bucket(ref).get(objectKey(rt.namespaced ? (namespace ?? 'default') : undefined, name));
    return obj ? clone(obj) : undefined;
  }

  /** Throws UnsupportedFieldError for a field selector the real apiserver rejects for this resource. */
  fieldLookup(
    ref: { group: string; resource: string },
    obj: KubeObject,
  ): (field: string) => string | undefined {
    const extra = EXTRA_FIELDS[storeKeyOf(ref)] ?? [];
    return (field) => {
      if (field === 'metadata.name') return obj.metadata.name;
      if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
      if (extra.includes(field)) return readPath(obj, field) ?? '';
      throw new UnsupportedFieldError(`field label not supported: ${field}`);
    };
  }

  matches(ref: { group: string; resource: string }, obj: KubeObject, filter: ListFilter): boolean {
    if (filter.namespace !== undefined && obj.metadata.namespace !== filter.namespace) return false;
    if (filter.label && !filter.label.matches(obj.metadata.labels)) return false;
    if (filter.field && !filter.field.matches(this.fieldLookup(ref, obj))) return false;
    return true;
  }

  /** Checks a field selector against the resource without needing an object. */
  validateFieldSelector(ref: { group: string; resource: string }, field: FieldSelector | undefined): void {
    if (!field) return;
    const lookup = this.fieldLookup(ref, { metadata: { name: '' } });
    for (const r of field.requirements) lookup(r.field);
  }

  /** Matching objects sorted by storage key, with their keys. */
  list(ref: ResourceRef, filter: ListFilter = {}): Array<{ key: string; object: KubeObject }> {
    this.#requireType(ref);
    const out: Array<{ key: string; object: KubeObject }> = [];
    for (const [key, obj] of this.#bucket(ref)) {
      if (this.matches(ref, obj, filter)) out.push({ key, object: clone(obj) });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * One page of matching objects in key order, from the first key >= `start`, at most `limit`
   * (0: all), and whether more follow. The objects are the stored ones, NOT copies: serialize them
   * at once and never change them. This is what serves LISTs, so paging through 150 000 pods costs
   * a page's worth per request rather than a copy and sort of the whole collection.
   */
  page(
    ref: ResourceRef,
    filter: ListFilter,
    start: string,
    limit: number,
  ): { items: Array<{ key: string; object: KubeObject }>; more: boolean; remaining: number } {
    this.#requireType(ref);
    const sk = storeKeyOf(ref);
    const bucket = this.#bucket(ref);
    let keys = this.#sortedKeys.get(sk);
    if (keys === undefined) {
      keys = [...bucket.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.#sortedKeys.set(sk, keys);
    }
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const items: Array<{ key: string; object: KubeObject }> = [];
    let i = lo;
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      const obj = bucket.get(key);
      if (obj === undefined || !this.matches(ref, obj, filter)) continue;
      if (limit > 0 && items.length === limit) break;
      items.push({ key, object: obj });
    }
    return { items, more: i < keys.length, remaining: keys.length - i };
  }

  /** Events of storeKey after rv, or 'expired' when some of them were already dropped. */
  eventsSince(storeKey: string, rv: number): ChangeEvent[] | 'expired' {
    if (rv < this.#compactedRV) return 'expired';
    return this.#history.filter((e) => e.rv > rv && e.storeKey === storeKey).map(clone);
  }

  subscribe(storeKey: string, listener: ChangeListener): () => void {
    let set = this.#listeners.get(storeKey);
    if (!set) {
      set = new Set();
      this.#listeners.set(storeKey, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Drops the whole event history: watches from any older resourceVersion get 410 Expired. */
  expireHistory(): void {
    this.#history.length = 0;
    this.#compactedRV = this.#rv;
  }
}

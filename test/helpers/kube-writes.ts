/**
 * Create, update (main resource and /status) and delete over HTTP, with the semantics of the real
 * apiserver's generic registry for custom resources: optimistic concurrency on
 * metadata.resourceVersion (409 Conflict), the status subresource splitting who may write what,
 * metadata.generation counting spec changes, and the real error wording, since clients (kubectl,
 * informers, controllers under test) branch on reason and code.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceType } from './kube-discovery.js';
import { failureStatus, notFoundObjectStatus, type KubeStatus, type StatusDetails } from './kube-status.js';
import type { KubeObject, KubeObjectStore, ResourceRef } from './kube-store.js';

export interface WriteTarget {
  store: KubeObjectStore;
  ref: ResourceRef;
  rt: ResourceType;
  /** The served version has the status subresource. */
  statusSubresource: boolean;
  /** Last step before storing (CRDs: validation and the server-filled fields); a Status refuses. */
  admit?: (candidate: KubeObject, previous: KubeObject | undefined) => KubeObject | KubeStatus;
}

export type WriteOutcome = { code: number; object: KubeObject } | { status: KubeStatus };

function qualified(ref: ResourceRef): string {
  return ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
}

function details(ref: ResourceRef, name: string): StatusDetails {
  const d: StatusDetails = { name };
  if (ref.group !== '') d.group = ref.group;
  d.kind = ref.resource;
  return d;
}

/** A client's value as the server's messages quote it. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isStatus(value: KubeObject | KubeStatus): value is KubeStatus {
  return (value as { kind?: unknown }).kind === 'Status' && 'code' in value;
}

/** The body as an object with metadata, its kind and apiVersion checked against the target. */
function decode(t: WriteTarget, body: unknown): KubeObject | KubeStatus {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return failureStatus(400, 'the body of the request was in an unknown format');
  }
  const obj = structuredClone(body) as Record<string, unknown>;
  const gv = t.ref.group === '' ? t.ref.version : `${t.ref.group}/${t.ref.version}`;
  if (obj.apiVersion !== undefined && obj.apiVersion !== gv) {
    return failureStatus(
      400,
      `the API version in the data (${text(obj.apiVersion)}) does not match the expected API version (${gv})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== t.rt.kind) {
    return failureStatus(
      400,
      `the kind in the data (${text(obj.kind)}) does not match the expected kind (${t.rt.kind})`,
    );
  }
  delete obj.apiVersion;
  delete obj.kind;
  const meta = obj.metadata;
  const metadata: Record<string, unknown> =
    meta !== null && typeof meta === 'object' && !Array.isArray(meta)
      ? (meta as Record<string, unknown>)
      : {};
  if (metadata.name !== undefined && typeof metadata.name !== 'string') {
    return failureStatus(400, `metadata.name must be a string, not ${text(metadata.name)}`);
  }
  metadata.name ??= '';
  obj.metadata = metadata;
  return obj as KubeObject;
}

/** Everything generation counts: all but metadata, and status when the subresource owns it. */
function generationContent(obj: KubeObject, statusSubresource: boolean): unknown {
  const { metadata: _m, ...rest } = obj;
  if (statusSubresource) delete rest.status;
  return rest;
}

function checkNamespace(
  t: WriteTarget,
  obj: KubeObject,
  namespace: string | undefined,
): KubeStatus | undefined {
  if (!t.rt.namespaced) {
    delete obj.metadata.namespace;
    return undefined;
  }
  const given = obj.metadata.namespace;
  if (given !== undefined && given !== '' && given !== namespace) {
    return failureStatus(
      400,
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  obj.metadata.namespace = namespace;
  return undefined;
}

const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  return prefix + [...bytes].map((b) => NAME_SUFFIX_CHARS[b % NAME_SUFFIX_CHARS.length]).join('');
}

function store(t: WriteTarget, candidate: KubeObject, previous: KubeObject | undefined): WriteOutcome {
  const admitted = t.admit ? t.admit(candidate, previous) : candidate;
  if (isStatus(admitted)) return { status: admitted };
  return { code: previous ? 200 : 201, object: t.store.upsert(t.ref, admitted) };
}

export function createObject(t: WriteTarget, namespace: string | undefined, body: unknown): WriteOutcome {
  const obj = decode(t, body);
  if (isStatus(obj)) return { status: obj };
  const nsError = checkNamespace(t, obj, namespace);
  if (nsError) return { status: nsError };
  const generateName = obj.metadata.generateName;
  if (obj.metadata.name === '' && typeof generateName === 'string' && generateName !== '') {
    obj.metadata.name = generatedName(generateName);
  }
  const name = obj.metadata.name;
  if (name === '') {
    const cause = {
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    };
    return {
      status: failureStatus(
        422,
        `${t.rt.kind}.${t.ref.group} "" is invalid: metadata.name: ${cause.message}`,
        'Invalid',
        {
          group: t.ref.group,
          kind: t.rt.kind,
          causes: [cause],
        },
      ),
    };
  }
  if (t.store.get(t.ref, name, obj.metadata.namespace)) {
    return {
      status: failureStatus(
        409,
        `${qualified(t.ref)} "${name}" already exists`,
        'AlreadyExists',
        details(t.ref, name),
      ),
    };
  }
  delete obj.metadata.uid;
  delete obj.metadata.resourceVersion;
  delete obj.metadata.creationTimestamp;
  delete obj.metadata.deletionTimestamp;
  if (t.statusSubresource) delete obj.status;
  obj.metadata.generation = 1;
  return store(t, obj, undefined);
}

/** PUT of the object (subresource undefined) or of its status. */
export function updateObject(
  t: WriteTarget,
  namespace: string | undefined,
  name: string,
  body: unknown,
  subresource: 'status' | undefined,
): WriteOutcome {
  const obj = decode(t, body);
  if (isStatus(obj)) return { status: obj };
  const nsError = checkNamespace(t, obj, namespace);
  if (nsError) return { status: nsError };
  if (obj.metadata.name !== name) {
    return {
      status: failureStatus(
        400,
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      ),
    };
  }
  const previous = t.store.get(t.ref, name, namespace);
  if (!previous) return { status: notFoundObjectStatus(t.ref.group, t.ref.resource, name) };
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== previous.metadata.resourceVersion) {
    return {
      status: failureStatus(
        409,
        `Operation cannot be fulfilled on ${qualified(t.ref)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        'Conflict',
        details(t.ref, name),
      ),
    };
  }
  let next: KubeObject;
  if (subresource === 'status') {
    next = structuredClone(previous);
    if (obj.status === undefined) delete next.status;
    else next.status = obj.status;
  } else {
    next = obj;
    if (t.statusSubresource) {
      if (previous.status === undefined) delete next.status;
      else next.status = structuredClone(previous.status);
    }
    next.metadata.uid = previous.metadata.uid;
    next.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    delete next.metadata.deletionTimestamp;
  }
  const changed = !isDeepStrictEqual(
    generationContent(next, t.statusSubresource),
    generationContent(previous, t.statusSubresource),
  );
  next.metadata.generation = (previous.metadata.generation ?? 1) + (changed ? 1 : 0);
  return store(t, next, previous);
}

export function deleteObject(t: WriteTarget, namespace: string | undefined, name: string): WriteOutcome {
  const previous = t.store.get(t.ref, name, namespace);
  if (!previous || !t.store.remove(t.ref, name, namespace)) {
    return { status: notFoundObjectStatus(t.ref.group, t.ref.resource, name) };
  }
  return { code: 200, object: previous };
}

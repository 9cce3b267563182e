/**
 * The custom resources of the simulated kube-apiserver: which types the stored CRDs make it serve
 * (kept in step with every CRD write), which resources may be written over HTTP and how, and the
 * cleanup a CRD's deletion does (its objects deleted, watchers told, then the types withdrawn), so
 * that tests of CRD-driven code see the API appear and disappear as in a cluster.
 */
import {
  CRD_REF,
  invalidCrdStatus,
  prepareCrd,
  servedVersions,
  statusSubresourceOf,
  validateCrd,
  type ServedVersion,
} from './kube-crd.js';
import type { ResourceType, SubresourceType } from './kube-discovery.js';
import type { KubeStatus } from './kube-status.js';
import { type KubeObject, type KubeObjectStore, type ResourceRef } from './kube-store.js';
import {
  createObject,
  deleteObject,
  updateObject,
  type WriteOutcome,
  type WriteTarget,
} from './kube-writes.js';

function typeKey(ref: { group: string; version: string; resource: string }): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}

function isCrdRef(ref: ResourceRef): boolean {
  return typeKey(ref) === typeKey(CRD_REF);
}

export class CustomResources {
  readonly #served = new Map<string, ServedVersion>();
  readonly #store: KubeObjectStore;
  /** Called after a type is withdrawn; `gone`: no version of the resource remains. */
  readonly #onTypeRemoved: (ref: ResourceRef, gone: boolean) => void;

  constructor(store: KubeObjectStore, onTypeRemoved: (ref: ResourceRef, gone: boolean) => void) {
    this.#store = store;
    this.#onTypeRemoved = onTypeRemoved;
  }

  served(ref: ResourceRef): ServedVersion | undefined {
    return this.#served.get(typeKey(ref));
  }

  /** The `<plural>/status` entries of the served versions that have the subresource. */
  subresources(): SubresourceType[] {
    return [...this.#served.values()].filter((s) => s.statusSubresource).map(statusSubresourceOf);
  }

  /** How HTTP writes to this resource behave; undefined: not writable (built-in kinds). */
  writeTarget(ref: ResourceRef, rt: ResourceType): WriteTarget | undefined {
    if (isCrdRef(ref)) {
      return {
        store: this.#store,
        ref,
        rt,
        statusSubresource: true,
        admit: (candidate, previous): KubeObject | KubeStatus => {
          const causes = validateCrd(candidate);
          if (causes.length > 0) {
            return invalidCrdStatus(
              'CustomResourceDefinition.apiextensions.k8s.io',
              candidate.metadata.name,
              causes,
            );
          }
          return prepareCrd(candidate, previous);
        },
      };
    }
    const served = this.served(ref);
    if (!served) return undefined;
    return { store: this.#store, ref, rt, statusSubresource: served.statusSubresource };
  }

  /** After a create or update (not a delete): a written CRD changes what is served. */
  afterWrite(ref: ResourceRef, outcome: WriteOutcome): void {
    if (isCrdRef(ref) && 'object' in outcome) this.#sync(outcome.object);
  }

  /** Creates or (unconditionally) updates a CRD as a client's POST/PUT would; throws when refused. */
  install(crd: KubeObject): KubeObject {
    const rt = this.#store.findType(CRD_REF.group, CRD_REF.version, CRD_REF.resource);
    const target = rt && this.writeTarget(CRD_REF, rt);
    if (!target) throw new Error('fake-kube: the CustomResourceDefinition type is missing');
    const body = structuredClone(crd);
    delete body.metadata.resourceVersion;
    const outcome = this.#store.get(CRD_REF, crd.metadata.name)
      ? updateObject(target, undefined, crd.metadata.name, body, undefined)
      : createObject(target, undefined, body);
    if ('status' in outcome) throw new Error(`fake-kube: ${outcome.status.message}`);
    this.afterWrite(CRD_REF, outcome);
    return outcome.object;
  }

  /**
   * Deletes a CRD as the real server does once its cleanup finalizer has run: every object of
   * the resource deleted (DELETED events), its types withdrawn (watches end), then the CRD.
   */
  deleteCrd(name: string): WriteOutcome {
    const crd = this.#store.get(CRD_REF, name);
    if (crd) {
      const versions = [...this.#served.values()].filter((s) => s.crdName === name);
      const first = versions[0];
      if (first) {
        for (const { object } of this.#store.list(first.type)) {
          this.#store.remove(first.type, object.metadata.name, object.metadata.namespace);
        }
      }
      for (const s of versions) this.#withdraw(s);
    }
    const rt = this.#store.findType(CRD_REF.group, CRD_REF.version, CRD_REF.resource);
    if (!rt) throw new Error('fake-kube: the CustomResourceDefinition type is missing');
    return deleteObject({ store: this.#store, ref: CRD_REF, rt, statusSubresource: true }, undefined, name);
  }

  #withdraw(s: ServedVersion): void {
    this.#served.delete(typeKey(s.type));
    const ref: ResourceRef = { group: s.type.group, version: s.type.version, resource: s.type.resource };
    this.#onTypeRemoved(ref, this.#store.removeType(ref));
  }

  #sync(crd: KubeObject): void {
    const served = servedVersions(crd);
    const wanted = new Set(served.map((s) => typeKey(s.type)));
    for (const [key, s] of [...this.#served]) {
      if (s.crdName === crd.metadata.name && !wanted.has(key)) this.#withdraw(s);
    }
    for (const s of served) {
      this.#served.set(typeKey(s.type), s);
      this.#store.addType(s.type);
    }
  }
}

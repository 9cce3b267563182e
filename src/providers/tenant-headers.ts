/**
 * The header that tells a multi-tenant Prometheus (Mimir, Cortex, Thanos) whose data a
 * namespace's rule reads (--prometheus-tenant-header, --prometheus-tenant-from): the namespace's
 * name, or the value of one of its labels. A namespace without that label gets no query at all:
 * sending it without the header would read whatever the configured headers allow.
 */
import { InternalError } from '../errors.js';
import type { ObjectLister, ResourceMapper } from '../kube/index.js';
import type { TenantHeaders } from '../rules/index.js';

/** Where the header's value comes from: the namespace's name, or its label `key`. */
export type TenantSource = { kind: 'namespace' } | { kind: 'label'; key: string };

export interface TenantHeaderOptions {
  /** The header's name; '' turns tenant headers off. */
  header: string;
  from: TenantSource;
  /** Reads Namespace objects (its watch-backed cache, for `label:`). */
  lister: ObjectLister;
  mapper: ResourceMapper;
}

const EVERYTHING = { text: '', matches: (): boolean => true };

/** The headers of namespaces' rules' queries; undefined when tenant headers are off. */
export function tenantHeaders(o: TenantHeaderOptions): TenantHeaders | undefined {
  const header = o.header;
  if (header === '') return undefined;
  const from = o.from;
  if (from.kind === 'namespace') return (namespace) => Promise.resolve({ [header]: namespace });
  return async (namespace, signal) => {
    const info = o.mapper.resolve({ group: '', resource: 'namespaces' });
    if (info === undefined) throw new InternalError('the Namespace resource is unknown to the adapter');
    const objects = await o.lister.list(info, undefined, EVERYTHING, signal);
    const value = objects.find((ns) => ns.name === namespace)?.labels[from.key];
    if (value === undefined || value === '') {
      throw new InternalError(
        `namespace ${namespace} has no label ${from.key}, which names its tenant (--prometheus-tenant-from): its rules' queries are not sent`,
      );
    }
    return { [header]: value };
  };
}

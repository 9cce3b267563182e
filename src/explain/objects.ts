/**
 * The objects a request stands for: named in the path, listed from the cluster, given with
 * --objects, or unknown (the query for every object is shown then, and the explanation says
 * which step needed a cluster).
 */
import { groupResourceString, type ResourceInfo } from '../kube/index.js';
import type { CustomMetricQuery } from '../providers/index.js';
import type { ExplainDeps, ExplainedObjects } from './types.js';

export interface ObjectRef {
  namespace: string;
  name: string;
}

export interface ResolvedObjects {
  objects: ExplainedObjects;
  /** The objects with their namespaces (empty when unknown). */
  refs: ObjectRef[];
}

/**
 * `qualified`: the request spans namespaces and objects are told apart by namespace too; names
 * are then `NAMESPACE/NAME` (and so are the names given with --objects).
 */
export async function resolveObjects(
  info: ResourceInfo,
  namespace: string | undefined,
  target: CustomMetricQuery['target'],
  deps: ExplainDeps,
  notes: string[],
  qualified = false,
): Promise<ResolvedObjects> {
  const show = (refs: ObjectRef[]): string[] =>
    refs.map((r) => (qualified ? `${r.namespace}/${r.name}` : r.name));
  if (target.kind === 'name') {
    const refs = [{ namespace: namespace ?? '', name: target.name }];
    return { objects: { source: 'request', names: show(refs) }, refs };
  }
  const selector = target.selector.text;
  const fields = target.fields;
  if (deps.lister !== undefined) {
    const listed = await deps.lister.list(info, namespace, target.selector, deps.signal);
    const refs = (fields === undefined ? listed : listed.filter(fields)).map((o) => ({
      namespace: o.namespace,
      name: o.name,
    }));
    return { objects: { source: 'cluster', names: show(refs), selector }, refs };
  }
  if (deps.objects !== undefined && deps.objects.length > 0) {
    const given = deps.objects.map((text) => {
      const slash = text.indexOf('/');
      return qualified && slash >= 0
        ? { namespace: text.slice(0, slash), name: text.slice(slash + 1) }
        : { namespace: namespace ?? '', name: text };
    });
    const kept = fields === undefined ? given : given.filter(fields);
    const byName = new Map(kept.map((r) => [show([r])[0] ?? '', r]));
    const names = [...byName.keys()].sort();
    if (selector !== '')
      notes.push(
        `the objects given are taken as the ones matching labelSelector ${JSON.stringify(selector)}: without a cluster their labels cannot be checked`,
      );
    return {
      objects: { source: 'flag', names, selector },
      refs: names.map((n) => byName.get(n) as ObjectRef),
    };
  }
  notes.push(
    `listing the ${groupResourceString(info)} that match ${selector === '' ? 'the request' : `labelSelector ${JSON.stringify(selector)}`} needs a cluster: give --kubeconfig, or name them with --objects; shown instead: the query for every object`,
  );
  return { objects: { source: 'unknown', names: [], selector }, refs: [] };
}

/**
 * What a request asks for, in authorization terms, resolved the way the generic apiserver's
 * RequestInfoFactory does, so that RBAC rules written for prometheus-adapter and metrics-server
 * keep their meaning: `/apis/<g>/<v>/namespaces/<ns>/pods/*\/http_requests` is
 * resource "pods", name "*", subresource "http_requests", verb "get".
 */
import type { NonResourceAttributes, ResourceAttributes } from '../kube/index.js';

export type RequestInfo =
  | { kind: 'resource'; attributes: ResourceAttributes }
  | { kind: 'nonResource'; attributes: NonResourceAttributes };

/** `segments` are the decoded path segments; `path` the raw path for non-resource requests. */
export function resolveRequestInfo(
  path: string,
  segments: readonly string[],
  query: URLSearchParams,
): RequestInfo {
  const nonResource: RequestInfo = { kind: 'nonResource', attributes: { path, verb: 'get' } };
  // /apis/<group>/<version>/<rest...>; anything shorter is discovery (non-resource).
  if (segments[0] !== 'apis' || segments.length < 4) return nonResource;
  const group = segments[1] ?? '';
  const version = segments[2] ?? '';
  let rest = segments.slice(3);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1] ?? '';
    // `/namespaces/<ns>` alone is the Namespace object itself.
    rest = rest.length === 2 ? ['namespaces', namespace] : rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest.length >= 3 ? (rest[2] ?? '') : '';
  const watch = query.get('watch');
  let verb = name !== '' ? 'get' : 'list';
  if (watch === '1' || watch === 'true') verb = 'watch';
  return { kind: 'resource', attributes: { namespace, verb, group, version, resource, subresource, name } };
}

/** The generic apiserver's Forbidden message for these attributes. */
export function forbiddenMessage(user: string, info: RequestInfo, reason: string): string {
  let msg: string;
  let prefix = 'forbidden';
  if (info.kind === 'nonResource') {
    msg = `User ${JSON.stringify(user)} cannot ${info.attributes.verb} path ${JSON.stringify(info.attributes.path)}`;
  } else {
    const a = info.attributes;
    const resource = a.subresource !== '' ? `${a.resource}/${a.subresource}` : a.resource;
    const scope =
      a.namespace !== '' ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    msg = `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.group)} ${scope}`;
    const qualified = a.group !== '' ? `${a.resource}.${a.group}` : a.resource;
    prefix =
      a.name !== '' ? `${qualified} ${JSON.stringify(a.name)} is forbidden` : `${qualified} is forbidden`;
  }
  return reason !== '' ? `${prefix}: ${msg}: ${reason}` : `${prefix}: ${msg}`;
}

/**
 * The resource meant by a name that does not resolve (`pdo` → `pod`): explain's 404 notes and
 * check's findings suggest it from the same table the mapper resolves against.
 */
import { closestMatch } from '../config/suggest.js';
import {
  BUILTIN_RESOURCES,
  DiscoveryResourceMapper,
  ResourceIndex,
  type ResourceInfo,
  type ResourceMapper,
} from '../kube/index.js';

/** The resources a mapper knows (for suggestions); the built-in table for any other mapper. */
export function knownResources(mapper: ResourceMapper): readonly ResourceInfo[] {
  if (mapper instanceof ResourceIndex || mapper instanceof DiscoveryResourceMapper) return mapper.resources;
  return BUILTIN_RESOURCES;
}

/**
 * The closest known name for a resource that does not resolve: among the resources of `group`
 * when it has any, else among all; matched against plural, singular and kind, and answered in
 * the form that was closest (`pdo` → `pod`, `deploymnets` → `deployments`).
 */
export function suggestResource(
  resource: string,
  group: string,
  known: readonly ResourceInfo[],
): string | undefined {
  const sameGroup = known.filter((r) => r.group === group || r.group.replace(/[.-]/g, '_') === group);
  const pool = group !== '' && sameGroup.length > 0 ? sameGroup : known;
  const names = new Set<string>();
  for (const r of pool)
    for (const n of [r.singular, r.resource, r.kind.toLowerCase()]) if (n !== '') names.add(n);
  return closestMatch(resource.toLowerCase(), names);
}

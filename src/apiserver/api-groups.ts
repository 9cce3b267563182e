/**
 * The API group-versions this server serves, and the discovery documents built from them.
 * A group-version answers discovery at once even when it has no provider yet (empty resources):
 * the kube-aggregator marks an APIService unavailable otherwise.
 */
import type { UserInfo } from '../kube/index.js';

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

export interface ApiRequest {
  /** Decoded path segments after /apis/<group>/<version>/. */
  segments: readonly string[];
  query: URLSearchParams;
  user: UserInfo;
  signal: AbortSignal;
}

/** A response body already serialized as JSON (fast paths for large answers). */
export class PreEncodedJSON {
  constructor(readonly text: string) {}
}

export interface GroupVersionHandler {
  resources(): APIResource[];
  /** Returns the response object (or PreEncodedJSON); throws ApiError for error answers. */
  handle(request: ApiRequest): Promise<unknown>;
}

export interface ServedGroup {
  name: string;
  /** Most preferred first. */
  versions: string[];
}

export const SERVED_GROUPS: readonly ServedGroup[] = [
  { name: 'custom.metrics.k8s.io', versions: ['v1beta2', 'v1beta1'] },
  { name: 'external.metrics.k8s.io', versions: ['v1beta1'] },
  { name: 'metrics.k8s.io', versions: ['v1beta1'] },
];

export class ApiGroupRegistry {
  private readonly handlers = new Map<string, GroupVersionHandler>();

  register(group: string, version: string, handler: GroupVersionHandler): void {
    if (!SERVED_GROUPS.some((g) => g.name === group && g.versions.includes(version))) {
      throw new Error(`${group}/${version} is not a served group-version`);
    }
    this.handlers.set(`${group}/${version}`, handler);
  }

  group(name: string): ServedGroup | undefined {
    return SERVED_GROUPS.find((g) => g.name === name);
  }

  served(group: string, version: string): boolean {
    return this.group(group)?.versions.includes(version) === true;
  }

  handler(group: string, version: string): GroupVersionHandler | undefined {
    return this.handlers.get(`${group}/${version}`);
  }

  apiGroup(group: ServedGroup): Record<string, unknown> {
    const versions = group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group.name, versions, preferredVersion: versions[0] };
  }

  apiGroupList(): Record<string, unknown> {
    const groups = SERVED_GROUPS.map((g) => {
      const { name, versions, preferredVersion } = this.apiGroup(g);
      return { name, versions, preferredVersion };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  apiResourceList(group: string, version: string): Record<string, unknown> {
    const resources = this.handler(group, version)?.resources() ?? [];
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
  }
}

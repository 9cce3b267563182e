/**
 * The API group-versions this server serves: the registry of their APIs (an express Router for
 * the paths below `/apis/<group>/<version>`, and the resources that discovery lists), and the
 * discovery documents built from it. A group-version answers discovery at once even when it has no
 * API yet (empty resources): the kube-aggregator marks an APIService unavailable otherwise.
 */
import type { Router } from 'express';
import type { UserInfo } from '../kube/index.js';

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

/** What an API's route handler gets: the route's decoded params and the caller's context. */
export interface ApiRequest<P> {
  params: P;
  query: URLSearchParams;
  user: UserInfo;
  signal: AbortSignal;
}

/**
 * One group-version's API. Its router is mounted at `/apis/<group>/<version>` and names the URL
 * shapes below it (made with newRouter() from router.ts, answering through apiHandler() from
 * group-version.ts); paths it does not match are a 404 Status.
 */
export interface GroupVersionApi {
  readonly router: Router;
  resources(): APIResource[];
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

/**
 * APIs served beside the metrics groups in place of a cluster (the demo's read-only core and apps
 * objects, so that `kubectl top` finds its nodes and pods): a router mounted before the metrics
 * routes, and the groups `/apis` lists for it.
 */
export interface StandInApis {
  router: Router;
  groups: readonly ServedGroup[];
}

export class ApiGroupRegistry {
  private readonly apis = new Map<string, GroupVersionApi>();

  /** Before createApp(): the app mounts the routers it finds when it is built. */
  register(group: string, version: string, api: GroupVersionApi): void {
    if (!SERVED_GROUPS.some((g) => g.name === group && g.versions.includes(version))) {
      throw new Error(`${group}/${version} is not a served group-version`);
    }
    this.apis.set(`${group}/${version}`, api);
  }

  group(name: string): ServedGroup | undefined {
    return SERVED_GROUPS.find((g) => g.name === name);
  }

  served(group: string, version: string): boolean {
    return this.group(group)?.versions.includes(version) === true;
  }

  api(group: string, version: string): GroupVersionApi | undefined {
    return this.apis.get(`${group}/${version}`);
  }

  apiGroup(group: ServedGroup): Record<string, unknown> {
    const versions = group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group.name, versions, preferredVersion: versions[0] };
  }

  /** `/apis`: the served groups, then those of the stand-in APIs if any. */
  apiGroupList(standIn: readonly ServedGroup[] = []): Record<string, unknown> {
    const groups = [...SERVED_GROUPS, ...standIn].map((g) => {
      const { name, versions, preferredVersion } = this.apiGroup(g);
      return { name, versions, preferredVersion };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  apiResourceList(group: string, version: string): Record<string, unknown> {
    const resources = this.api(group, version)?.resources() ?? [];
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
  }
}

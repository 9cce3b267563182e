/**
 * Group-resources as the cluster knows them: plural ⇄ singular ⇄ kind, the preferred version, and
 * whether the resource is namespaced. Built from API discovery and refreshed periodically (and
 * early, rate-limited, when a lookup misses, so a new CRD shows up soon). Until discovery first
 * succeeds, a built-in table of the standard Kubernetes resources answers.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { KubeClient } from './client.js';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower-case (e.g. "deployments"). */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
}

export interface GroupResource {
  group: string;
  resource: string;
}

export interface ResourceMapper {
  /**
   * Finds the resource named by plural, singular or kind (any case), in `group` when given
   * (dots and dashes may appear as underscores, as resource label templates write them), else in
   * any group with the core group first.
   */
  resolve(gr: GroupResource): ResourceInfo | undefined;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** "deployments.apps" → {resource: "deployments", group: "apps"}; "pods" → core. */
export function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf('.');
  return dot < 0
    ? { group: '', resource: text }
    : { resource: text.slice(0, dot), group: text.slice(dot + 1) };
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

const sanitizeGroup = (g: string): string => g.replace(/[.-]/g, '_');

/** An immutable index over a list of resources. */
export class ResourceIndex implements ResourceMapper {
  private readonly byName = new Map<string, ResourceInfo[]>();

  constructor(readonly resources: readonly ResourceInfo[]) {
    for (const r of resources) {
      for (const name of new Set([r.resource, r.singular, r.kind.toLowerCase()])) {
        if (name === '') continue;
        const list = this.byName.get(name) ?? [];
        list.push(r);
        this.byName.set(name, list);
      }
    }
  }

  resolve(gr: GroupResource): ResourceInfo | undefined {
    const candidates = this.byName.get(gr.resource.toLowerCase());
    if (candidates === undefined) return undefined;
    if (gr.group === '') return candidates[0];
    return (
      candidates.find((c) => c.group === gr.group) ??
      candidates.find((c) => sanitizeGroup(c.group) === gr.group)
    );
  }
}

const core = (resource: string, singular: string, kind: string, namespaced: boolean): ResourceInfo => ({
  group: '',
  version: 'v1',
  resource,
  singular,
  kind,
  namespaced,
});
const grouped = (
  group: string,
  version: string,
  resource: string,
  singular: string,
  kind: string,
  namespaced = true,
): ResourceInfo => ({
  group,
  version,
  resource,
  singular,
  kind,
  namespaced,
});

/** Standard resources of a current Kubernetes, used before discovery answers and without a cluster. */
export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  core('pods', 'pod', 'Pod', true),
  core('services', 'service', 'Service', true),
  core('namespaces', 'namespace', 'Namespace', false),
  core('nodes', 'node', 'Node', false),
  core('endpoints', 'endpoints', 'Endpoints', true),
  core('persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', true),
  core('persistentvolumes', 'persistentvolume', 'PersistentVolume', false),
  core('configmaps', 'configmap', 'ConfigMap', true),
  core('replicationcontrollers', 'replicationcontroller', 'ReplicationController', true),
  core('serviceaccounts', 'serviceaccount', 'ServiceAccount', true),
  core('events', 'event', 'Event', true),
  grouped('apps', 'v1', 'deployments', 'deployment', 'Deployment'),
  grouped('apps', 'v1', 'statefulsets', 'statefulset', 'StatefulSet'),
  grouped('apps', 'v1', 'replicasets', 'replicaset', 'ReplicaSet'),
  grouped('apps', 'v1', 'daemonsets', 'daemonset', 'DaemonSet'),
  grouped('batch', 'v1', 'jobs', 'job', 'Job'),
  grouped('batch', 'v1', 'cronjobs', 'cronjob', 'CronJob'),
  grouped(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'horizontalpodautoscaler',
    'HorizontalPodAutoscaler',
  ),
  grouped('networking.k8s.io', 'v1', 'ingresses', 'ingress', 'Ingress'),
  grouped('policy', 'v1', 'poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget'),
  grouped('discovery.k8s.io', 'v1', 'endpointslices', 'endpointslice', 'EndpointSlice'),
];

interface APIResourceListBody {
  groupVersion?: string;
  resources?: {
    name?: string;
    singularName?: string;
    kind?: string;
    namespaced?: boolean;
    verbs?: string[];
  }[];
}
interface APIGroupListBody {
  groups?: { name?: string; preferredVersion?: { version?: string } }[];
}

function infosFrom(group: string, version: string, body: APIResourceListBody): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const r of body.resources ?? []) {
    const name = r.name ?? '';
    // Subresources ("pods/status") are not objects of their own.
    if (name === '' || name.includes('/')) continue;
    const kind = r.kind ?? '';
    out.push({
      group,
      version,
      resource: name,
      singular: r.singularName !== undefined && r.singularName !== '' ? r.singularName : kind.toLowerCase(),
      kind,
      namespaced: r.namespaced === true,
    });
  }
  return out;
}

export interface DiscoveryResourceMapperOptions {
  refreshIntervalMs?: number;
  /** Minimum time between refreshes triggered by misses. */
  missRefreshMinIntervalMs?: number;
}

/** The cluster's resources through legacy discovery (/api/v1, /apis, /apis/<group>/<preferred version>). */
export class DiscoveryResourceMapper implements ResourceMapper {
  private index: ResourceIndex = new ResourceIndex(BUILTIN_RESOURCES);
  private synced = false;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly options: DiscoveryResourceMapperOptions = {},
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  /** The resources known now (the built-in table until discovery answers), for suggestions. */
  get resources(): readonly ResourceInfo[] {
    return this.index.resources;
  }

  /** First discovery; failures are logged and the built-in table stays in use until a refresh succeeds. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? 300_000);
    this.timer.unref();
  }

  resolve(gr: GroupResource): ResourceInfo | undefined {
    const found = this.index.resolve(gr);
    if (
      found === undefined &&
      Date.now() - this.lastRefresh > (this.options.missRefreshMinIntervalMs ?? 30_000)
    ) {
      void this.refresh();
    }
    return found;
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    this.lastRefresh = Date.now();
    try {
      const coreList = await this.client.requestJSON<APIResourceListBody>('GET', '/api/v1');
      const infos = infosFrom('', 'v1', coreList);
      const groups = await this.client.requestJSON<APIGroupListBody>('GET', '/apis');
      const lists = await Promise.allSettled(
        (groups.groups ?? []).map(async (g) => {
          const name = g.name ?? '';
          const version = g.preferredVersion?.version ?? '';
          if (name === '' || version === '') return [];
          return infosFrom(
            name,
            version,
            await this.client.requestJSON<APIResourceListBody>('GET', `/apis/${name}/${version}`),
          );
        }),
      );
      for (const l of lists) {
        if (l.status === 'fulfilled') infos.push(...l.value);
        else this.logger.debug({ err: errorMessage(l.reason) }, 'discovery of one API group failed');
      }
      this.index = new ResourceIndex(infos);
      if (!this.synced) this.logger.info({ resources: infos.length }, 'API discovery loaded');
      this.synced = true;
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        'API discovery failed; keeping the previous resource table',
      );
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}

/**
 * Discovery data for the simulated kube-apiserver: the built-in resource types (a representative
 * subset of a v1.32 cluster, with names, kinds, verbs, short names, categories and subresources as
 * the real /api/v1 and /apis/{group}/{version} documents list them), the kube-aware version
 * ordering, and builders for APIResourceList / APIGroup / APIGroupList documents.
 */

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** A top-level (storable) resource type as a test or the built-in table defines it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: "pods". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs?: string[];
  categories?: string[];
}

export interface SubresourceType {
  group: string;
  version: string;
  /** "pods/status". */
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  /** Set when the subresource's kind lives in another group/version (deployments/scale → autoscaling/v1 Scale). */
  refGroup?: string;
  refVersion?: string;
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export const VERBS_ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const VERBS_STATUS = ['get', 'patch', 'update'];
const VERBS_CREATE = ['create'];

type Row = [
  resource: string,
  singular: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  opts?: { verbs?: string[]; categories?: string[] },
];

type SubRow = [name: string, kind: string, verbs: string[], ref?: [group: string, version: string]];

interface GroupVersionTable {
  group: string;
  version: string;
  resources: Row[];
  subresources: SubRow[];
}

const ALL = ['all'];

const TABLES: GroupVersionTable[] = [
  {
    group: '',
    version: 'v1',
    resources: [
      ['bindings', 'binding', 'Binding', true, [], { verbs: VERBS_CREATE }],
      ['componentstatuses', 'componentstatus', 'ComponentStatus', false, ['cs'], { verbs: ['get', 'list'] }],
      ['configmaps', 'configmap', 'ConfigMap', true, ['cm']],
      ['endpoints', 'endpoints', 'Endpoints', true, ['ep']],
      ['events', 'event', 'Event', true, ['ev']],
      ['limitranges', 'limitrange', 'LimitRange', true, ['limits']],
      [
        'namespaces',
        'namespace',
        'Namespace',
        false,
        ['ns'],
        { verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      ],
      ['nodes', 'node', 'Node', false, ['no']],
      ['persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', true, ['pvc']],
      ['persistentvolumes', 'persistentvolume', 'PersistentVolume', false, ['pv']],
      ['pods', 'pod', 'Pod', true, ['po'], { categories: ALL }],
      ['podtemplates', 'podtemplate', 'PodTemplate', true, []],
      [
        'replicationcontrollers',
        'replicationcontroller',
        'ReplicationController',
        true,
        ['rc'],
        { categories: ALL },
      ],
      ['resourcequotas', 'resourcequota', 'ResourceQuota', true, ['quota']],
      ['secrets', 'secret', 'Secret', true, []],
      ['serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']],
      ['services', 'service', 'Service', true, ['svc'], { categories: ALL }],
    ],
    subresources: [
      ['namespaces/finalize', 'Namespace', ['update']],
      ['namespaces/status', 'Namespace', VERBS_STATUS],
      ['nodes/proxy', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update']],
      ['nodes/status', 'Node', VERBS_STATUS],
      ['persistentvolumeclaims/status', 'PersistentVolumeClaim', VERBS_STATUS],
      ['persistentvolumes/status', 'PersistentVolume', VERBS_STATUS],
      ['pods/attach', 'PodAttachOptions', ['create', 'get']],
      ['pods/binding', 'Binding', VERBS_CREATE],
      ['pods/ephemeralcontainers', 'Pod', VERBS_STATUS],
      ['pods/eviction', 'Eviction', VERBS_CREATE, ['policy', 'v1']],
      ['pods/exec', 'PodExecOptions', ['create', 'get']],
      ['pods/log', 'Pod', ['get']],
      ['pods/portforward', 'PodPortForwardOptions', ['create', 'get']],
      ['pods/proxy', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']],
      ['pods/status', 'Pod', VERBS_STATUS],
      ['replicationcontrollers/scale', 'Scale', VERBS_STATUS, ['autoscaling', 'v1']],
      ['replicationcontrollers/status', 'ReplicationController', VERBS_STATUS],
      ['resourcequotas/status', 'ResourceQuota', VERBS_STATUS],
      ['serviceaccounts/token', 'TokenRequest', VERBS_CREATE, ['authentication.k8s.io', 'v1']],
      ['services/proxy', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update']],
      ['services/status', 'Service', VERBS_STATUS],
    ],
  },
  {
    group: 'apiregistration.k8s.io',
    version: 'v1',
    resources: [['apiservices', 'apiservice', 'APIService', false, [], { categories: ['api-extensions'] }]],
    subresources: [['apiservices/status', 'APIService', VERBS_STATUS]],
  },
  {
    group: 'apps',
    version: 'v1',
    resources: [
      ['controllerrevisions', 'controllerrevision', 'ControllerRevision', true, []],
      ['daemonsets', 'daemonset', 'DaemonSet', true, ['ds'], { categories: ALL }],
      ['deployments', 'deployment', 'Deployment', true, ['deploy'], { categories: ALL }],
      ['replicasets', 'replicaset', 'ReplicaSet', true, ['rs'], { categories: ALL }],
      ['statefulsets', 'statefulset', 'StatefulSet', true, ['sts'], { categories: ALL }],
    ],
    subresources: [
      ['daemonsets/status', 'DaemonSet', VERBS_STATUS],
      ['deployments/scale', 'Scale', VERBS_STATUS, ['autoscaling', 'v1']],
      ['deployments/status', 'Deployment', VERBS_STATUS],
      ['replicasets/scale', 'Scale', VERBS_STATUS, ['autoscaling', 'v1']],
      ['replicasets/status', 'ReplicaSet', VERBS_STATUS],
      ['statefulsets/scale', 'Scale', VERBS_STATUS, ['autoscaling', 'v1']],
      ['statefulsets/status', 'StatefulSet', VERBS_STATUS],
    ],
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resources: [['events', 'event', 'Event', true, ['ev']]],
    subresources: [],
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resources: [
      ['selfsubjectreviews', 'selfsubjectreview', 'SelfSubjectReview', false, [], { verbs: VERBS_CREATE }],
      ['tokenreviews', 'tokenreview', 'TokenReview', false, [], { verbs: VERBS_CREATE }],
    ],
    subresources: [],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resources: [
      [
        'localsubjectaccessreviews',
        'localsubjectaccessreview',
        'LocalSubjectAccessReview',
        true,
        [],
        { verbs: VERBS_CREATE },
      ],
      [
        'selfsubjectaccessreviews',
        'selfsubjectaccessreview',
        'SelfSubjectAccessReview',
        false,
        [],
        { verbs: VERBS_CREATE },
      ],
      [
        'selfsubjectrulesreviews',
        'selfsubjectrulesreview',
        'SelfSubjectRulesReview',
        false,
        [],
        { verbs: VERBS_CREATE },
      ],
      [
        'subjectaccessreviews',
        'subjectaccessreview',
        'SubjectAccessReview',
        false,
        [],
        { verbs: VERBS_CREATE },
      ],
    ],
    subresources: [],
  },
  {
    group: 'autoscaling',
    version: 'v2',
    resources: [
      [
        'horizontalpodautoscalers',
        'horizontalpodautoscaler',
        'HorizontalPodAutoscaler',
        true,
        ['hpa'],
        { categories: ALL },
      ],
    ],
    subresources: [['horizontalpodautoscalers/status', 'HorizontalPodAutoscaler', VERBS_STATUS]],
  },
  {
    group: 'autoscaling',
    version: 'v1',
    resources: [
      [
        'horizontalpodautoscalers',
        'horizontalpodautoscaler',
        'HorizontalPodAutoscaler',
        true,
        ['hpa'],
        { categories: ALL },
      ],
    ],
    subresources: [['horizontalpodautoscalers/status', 'HorizontalPodAutoscaler', VERBS_STATUS]],
  },
  {
    group: 'batch',
    version: 'v1',
    resources: [
      ['cronjobs', 'cronjob', 'CronJob', true, ['cj'], { categories: ALL }],
      ['jobs', 'job', 'Job', true, [], { categories: ALL }],
    ],
    subresources: [
      ['cronjobs/status', 'CronJob', VERBS_STATUS],
      ['jobs/status', 'Job', VERBS_STATUS],
    ],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resources: [
      ['ingressclasses', 'ingressclass', 'IngressClass', false, []],
      ['ingresses', 'ingress', 'Ingress', true, ['ing']],
      ['networkpolicies', 'networkpolicy', 'NetworkPolicy', true, ['netpol']],
    ],
    subresources: [['ingresses/status', 'Ingress', VERBS_STATUS]],
  },
  {
    group: 'policy',
    version: 'v1',
    resources: [['poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget', true, ['pdb']]],
    subresources: [['poddisruptionbudgets/status', 'PodDisruptionBudget', VERBS_STATUS]],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resources: [
      ['clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false, []],
      ['clusterroles', 'clusterrole', 'ClusterRole', false, []],
      ['rolebindings', 'rolebinding', 'RoleBinding', true, []],
      ['roles', 'role', 'Role', true, []],
    ],
    subresources: [],
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resources: [
      [
        'customresourcedefinitions',
        'customresourcedefinition',
        'CustomResourceDefinition',
        false,
        ['crd', 'crds'],
        { categories: ['api-extensions'] },
      ],
    ],
    subresources: [['customresourcedefinitions/status', 'CustomResourceDefinition', VERBS_STATUS]],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resources: [['leases', 'lease', 'Lease', true, []]],
    subresources: [],
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resources: [['endpointslices', 'endpointslice', 'EndpointSlice', true, []]],
    subresources: [],
  },
];

/** Built-in top-level resource types, in discovery order. */
export function builtinResourceTypes(): ResourceType[] {
  return TABLES.flatMap((t) =>
    t.resources.map(([resource, singular, kind, namespaced, shortNames, opts]) => {
      const rt: ResourceType = { group: t.group, version: t.version, resource, singular, kind, namespaced };
      if (shortNames.length > 0) rt.shortNames = [...shortNames];
      rt.verbs = [...(opts?.verbs ?? VERBS_ALL)];
      if (opts?.categories) rt.categories = [...opts.categories];
      return rt;
    }),
  );
}

export function builtinSubresources(): SubresourceType[] {
  return TABLES.flatMap((t) =>
    t.subresources.map(([name, kind, verbs, ref]) => {
      const parent = t.resources.find((r) => r[0] === name.split('/')[0]);
      const sub: SubresourceType = {
        group: t.group,
        version: t.version,
        name,
        namespaced: parent?.[3] ?? true,
        kind,
        verbs: [...verbs],
      };
      if (ref) {
        sub.refGroup = ref[0];
        sub.refVersion = ref[1];
      }
      return sub;
    }),
  );
}

/** Order of the built-in groups in /apis (the real order follows APIService priorities). */
export const BUILTIN_GROUP_ORDER = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'apiextensions.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
];

const VERSION_RE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first, anything
 * not kube-like last in lexical order. Negative when a sorts before b.
 */
export function compareKubeVersions(a: string, b: string): number {
  const ma = VERSION_RE.exec(a);
  const mb = VERSION_RE.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const rank = (m: RegExpExecArray): number => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  const major = Number(mb[1]) - Number(ma[1]);
  if (major !== 0) return major;
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

export function toAPIResource(rt: ResourceType): APIResource {
  const r: APIResource = {
    name: rt.resource,
    singularName: rt.singular,
    namespaced: rt.namespaced,
    kind: rt.kind,
    verbs: [...(rt.verbs ?? VERBS_ALL)],
  };
  if (rt.shortNames && rt.shortNames.length > 0) r.shortNames = [...rt.shortNames];
  if (rt.categories && rt.categories.length > 0) r.categories = [...rt.categories];
  return r;
}

export function subresourceToAPIResource(sub: SubresourceType): APIResource {
  return {
    name: sub.name,
    singularName: '',
    namespaced: sub.namespaced,
    ...(sub.refGroup !== undefined ? { group: sub.refGroup } : {}),
    ...(sub.refVersion !== undefined ? { version: sub.refVersion } : {}),
    kind: sub.kind,
    verbs: [...sub.verbs],
  };
}

export function groupVersionString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** APIGroup entry; versions must already be in priority order. */
export function apiGroup(name: string, versions: readonly string[]): APIGroup {
  const gvs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  const preferred = gvs[0];
  if (preferred === undefined) throw new Error(`apiGroup ${name}: no versions`);
  return { name, versions: gvs, preferredVersion: { ...preferred } };
}

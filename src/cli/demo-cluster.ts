/**
 * The demo's stand-in for a cluster: the objects of the demo workload (demo-workload.ts) as the
 * rule engine and metrics.k8s.io read them, and a read-only slice of the Kubernetes API that
 * answers what `kubectl top node|pod` and `metrics-adapter explain --kubeconfig` ask of a cluster:
 * discovery (`/api`, `/api/v1`, `/apis/apps/v1`), and get/list of namespaces, nodes, pods,
 * services and deployments, in the objects' real shapes (metadata, spec, status), with label and
 * field selectors. Nothing can be written, and nothing can be watched.
 */
import { createHash } from 'node:crypto';
import type { Response, Router } from 'express';
import type { StandInApis } from '../apiserver/api-groups.js';
import { parseFieldSelector } from '../apiserver/resource-metrics-api.js';
import { sendJSON } from '../apiserver/respond.js';
import { newRouter } from '../apiserver/router.js';
import { BadRequestError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import type { ObjectRef } from '../kube/index.js';
import { parseLabelSelector } from '../promql/label-selector/parse.js';
import { matchesLabels } from '../promql/label-selector/matches.js';
import { matchesFields, StaticClusterObjects } from '../providers/index.js';
import { DEMO_NAMESPACE, DEMO_NODES, DEMO_PODS } from './demo-workload.js';

type Json = Record<string, unknown>;

interface StandInResource {
  group: string;
  version: string;
  /** Plural, as in URLs. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  objects: Json[];
}

/** The pieces of the workload every object is made of. */
interface Meta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

const MiB = 1024 * 1024;

function uid(kind: string, namespace: string | undefined, name: string): string {
  const h = createHash('sha256')
    .update(`${kind}/${namespace ?? ''}/${name}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function metadata(kind: string, m: Meta, created: string): Json {
  return {
    name: m.name,
    ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
    uid: uid(kind, m.namespace, m.name),
    resourceVersion: '1',
    creationTimestamp: created,
    labels: m.labels,
  };
}

function quantityMi(bytes: number): string {
  return `${Math.round(bytes / MiB)}Mi`;
}

/** The objects, dated from `started` (the demo's start, to the second, as the API writes it). */
function standInResources(started: Date): StandInResource[] {
  const created = new Date(Math.floor(started.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const webLabels = { app: 'web' };
  const namespaces = [DEMO_NAMESPACE, 'default', 'kube-system'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: metadata('Namespace', { name, labels: { 'kubernetes.io/metadata.name': name } }, created),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
  const nodes = DEMO_NODES.map((n, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: metadata(
      'Node',
      {
        name: n.name,
        labels: {
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': n.name,
          'kubernetes.io/os': 'linux',
        },
      },
      created,
    ),
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
    status: {
      capacity: {
        cpu: String(n.allocatableCores),
        memory: quantityMi(n.allocatableMemoryBytes),
        pods: '110',
      },
      allocatable: {
        cpu: String(n.allocatableCores),
        memory: quantityMi(n.allocatableMemoryBytes),
        pods: '110',
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: created,
          lastTransitionTime: created,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: `192.0.2.${10 + i}` },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        containerRuntimeVersion: 'containerd://1.7.24',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  }));
  const pods = DEMO_PODS.map((p, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...metadata('Pod', { name: p.name, namespace: p.namespace, labels: p.labels }, created),
      generateName: 'web-5d8f9-',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-5d8f9',
          uid: uid('ReplicaSet', p.namespace, 'web-5d8f9'),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: p.node,
      containers: [
        {
          name: p.container,
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.52',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      restartPolicy: 'Always',
    },
    status: {
      phase: 'Running',
      podIP: `10.244.${p.node === 'demo-node-1' ? 0 : 1}.${10 + i}`,
      startTime: created,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: created }],
      containerStatuses: [
        {
          name: p.container,
          ready: true,
          started: true,
          restartCount: 0,
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.52',
          state: { running: { startedAt: created } },
        },
      ],
    },
  }));
  const services = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata('Service', { name: 'web', namespace: DEMO_NAMESPACE, labels: webLabels }, created),
      spec: {
        selector: webLabels,
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
        type: 'ClusterIP',
        clusterIP: '10.96.0.80',
      },
      status: { loadBalancer: {} },
    },
  ];
  const deployments = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        ...metadata('Deployment', { name: 'web', namespace: DEMO_NAMESPACE, labels: webLabels }, created),
        generation: 1,
      },
      spec: {
        replicas: DEMO_PODS.length,
        selector: { matchLabels: webLabels },
        template: { metadata: { labels: webLabels }, spec: pods[0]?.spec ?? {} },
      },
      status: {
        observedGeneration: 1,
        replicas: DEMO_PODS.length,
        readyReplicas: DEMO_PODS.length,
        availableReplicas: DEMO_PODS.length,
        updatedReplicas: DEMO_PODS.length,
      },
    },
  ];
  const core = (r: Omit<StandInResource, 'group' | 'version'>): StandInResource => ({
    group: '',
    version: 'v1',
    ...r,
  });
  return [
    core({
      resource: 'namespaces',
      singular: 'namespace',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      objects: namespaces,
    }),
    core({
      resource: 'nodes',
      singular: 'node',
      kind: 'Node',
      namespaced: false,
      shortNames: ['no'],
      objects: nodes,
    }),
    core({
      resource: 'pods',
      singular: 'pod',
      kind: 'Pod',
      namespaced: true,
      shortNames: ['po'],
      objects: pods,
    }),
    core({
      resource: 'services',
      singular: 'service',
      kind: 'Service',
      namespaced: true,
      shortNames: ['svc'],
      objects: services,
    }),
    {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      singular: 'deployment',
      kind: 'Deployment',
      namespaced: true,
      shortNames: ['deploy'],
      objects: deployments,
    },
  ];
}

function metaOf(o: Json): Meta {
  const m = o.metadata as Meta;
  return { name: m.name, namespace: m.namespace, labels: m.labels };
}

const FIELDS = new Set(['metadata.name', 'metadata.namespace']);
const POD_FIELDS = new Set([...FIELDS, 'spec.nodeName', 'status.phase']);

/** The fields a field selector may name, per resource (the subset the API server allows that fits). */
function fieldsOf(r: StandInResource, o: Json): Record<string, string> {
  const m = metaOf(o);
  const fields: Record<string, string> = { 'metadata.name': m.name, 'metadata.namespace': m.namespace ?? '' };
  if (r.resource === 'pods') {
    fields['spec.nodeName'] = String((o.spec as Json).nodeName ?? '');
    fields['status.phase'] = String((o.status as Json).phase ?? '');
  }
  return fields;
}

function labelSelectorOf(query: URLSearchParams): ReturnType<typeof parseLabelSelector> {
  const raw = query.get('labelSelector');
  if (raw === null || raw === '') return [];
  try {
    return parseLabelSelector(raw);
  } catch (err) {
    throw new BadRequestError(`unable to parse requirement: ${(err as Error).message}`);
  }
}

function apiResource(r: StandInResource): Json {
  return {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: ['get', 'list'],
    ...(r.shortNames !== undefined ? { shortNames: r.shortNames } : {}),
  };
}

export class DemoCluster {
  private readonly resources: StandInResource[];

  constructor(started = new Date()) {
    this.resources = standInResources(started);
  }

  /** Every object as the rule engine's lister reads it (group, resource, namespace, name, labels). */
  objectRefs(): (ObjectRef & { group: string; resource: string })[] {
    return this.resources.flatMap((r) =>
      r.objects.map((o) => {
        const m = metaOf(o);
        return {
          group: r.group,
          resource: r.resource,
          namespace: m.namespace ?? '',
          name: m.name,
          labels: m.labels,
        };
      }),
    );
  }

  /** Pods and nodes with what metrics.k8s.io needs (for the demo's resourceRules). */
  clusterObjects(): StaticClusterObjects {
    const created = (o: Json): string => String((o.metadata as Json).creationTimestamp);
    return new StaticClusterObjects(
      this.objectsOf('', 'pods').map((o) => {
        const m = metaOf(o);
        const spec = o.spec as { nodeName: string; containers: { name: string }[] };
        return {
          name: m.name,
          namespace: m.namespace ?? '',
          labels: m.labels,
          creationTimestamp: created(o),
          phase: String((o.status as Json).phase),
          nodeName: spec.nodeName,
          containers: spec.containers.map((c) => c.name),
        };
      }),
      this.objectsOf('', 'nodes').map((o) => ({
        name: metaOf(o).name,
        labels: metaOf(o).labels,
        creationTimestamp: created(o),
      })),
    );
  }

  /** The read-only API, to serve beside the metrics APIs. */
  apis(): StandInApis {
    return { router: this.router(), groups: [{ name: 'apps', versions: ['v1'] }] };
  }

  private objectsOf(group: string, resource: string): Json[] {
    return this.resources.find((r) => r.group === group && r.resource === resource)?.objects ?? [];
  }

  private router(): Router {
    const router = newRouter();
    const q = (res: Response): URLSearchParams => res.locals.context.query;
    router.get('/api', (req, res) =>
      sendJSON(
        res,
        {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }],
        },
        q(res),
      ),
    );
    router.get('/apis/apps', (_req, res) => {
      const v = { groupVersion: 'apps/v1', version: 'v1' };
      sendJSON(
        res,
        { kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [v], preferredVersion: v },
        q(res),
      );
    });
    for (const [prefix, group] of [
      ['/api/v1', ''],
      ['/apis/apps/v1', 'apps'],
    ] as const) {
      const inGroup = this.resources.filter((r) => r.group === group);
      const find = (resource: string): StandInResource => {
        const r = inGroup.find((x) => x.resource === resource);
        if (r === undefined) throw new NotFoundError('the server could not find the requested resource');
        return r;
      };
      router.get(prefix, (_req, res) =>
        sendJSON(
          res,
          {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: group === '' ? 'v1' : `${group}/v1`,
            resources: inGroup.map(apiResource),
          },
          q(res),
        ),
      );
      const list = (r: StandInResource, namespace: string | undefined, res: Response): void => {
        const query = q(res);
        if (query.get('watch') === 'true' || query.get('watch') === '1')
          throw new MethodNotAllowedError('the demo cluster cannot be watched', { group, kind: r.resource });
        const labels = labelSelectorOf(query);
        const fields = parseFieldSelector(
          query.get('fieldSelector'),
          r.resource === 'pods' ? POD_FIELDS : FIELDS,
        );
        const items = r.objects.filter((o) => {
          const m = metaOf(o);
          return (
            (namespace === undefined || m.namespace === namespace) &&
            matchesLabels(labels, m.labels) &&
            matchesFields(fields, fieldsOf(r, o))
          );
        });
        sendJSON(
          res,
          {
            kind: `${r.kind}List`,
            apiVersion: group === '' ? 'v1' : `${group}/v1`,
            metadata: { resourceVersion: '1' },
            items,
          },
          query,
        );
      };
      const get = (r: StandInResource, namespace: string | undefined, name: string, res: Response): void => {
        const found = r.objects.find((o) => {
          const m = metaOf(o);
          return m.name === name && (namespace === undefined || m.namespace === namespace);
        });
        if (found === undefined)
          throw new NotFoundError(`${r.resource}${group === '' ? '' : `.${group}`} "${name}" not found`, {
            name,
            group,
            kind: r.resource,
          });
        sendJSON(res, found, q(res));
      };
      router.get(`${prefix}/:resource`, (req, res) => list(find(req.params.resource ?? ''), undefined, res));
      router.get(`${prefix}/:resource/:name`, (req, res) => {
        const r = find(req.params.resource ?? '');
        if (r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        get(r, undefined, req.params.name ?? '', res);
      });
      router.get(`${prefix}/namespaces/:namespace/:resource`, (req, res) => {
        const r = find(req.params.resource ?? '');
        if (!r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        list(r, req.params.namespace, res);
      });
      router.get(`${prefix}/namespaces/:namespace/:resource/:name`, (req, res) => {
        const r = find(req.params.resource ?? '');
        if (!r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        get(r, req.params.namespace, req.params.name ?? '', res);
      });
    }
    return router;
  }
}

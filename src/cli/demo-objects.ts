/**
 * The demo workload (demo-workload.ts) as Kubernetes objects, in the shapes the API serves them
 * (metadata, spec, status): namespaces, nodes with their allocatable (which `kubectl top node`
 * divides by), the `web` pods, Service and Deployment. demo-cluster.ts serves them.
 */
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../kube/index.js';
import { DEMO_NAMESPACE, DEMO_NODES, DEMO_PODS } from './demo-workload.js';

export type Json = Record<string, unknown>;

/** A resource type of the stand-in (what discovery says of it) and its objects. */
export interface StandInResource extends ResourceInfo {
  shortNames?: string[];
  objects: Json[];
}

/** The pieces of the workload every object is made of. */
export interface Meta {
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
export function standInResources(started: Date): StandInResource[] {
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

export function metaOf(o: Json): Meta {
  const m = o.metadata as Meta;
  return { name: m.name, namespace: m.namespace, labels: m.labels };
}

/**
 * FULL Pod and Node objects shaped like a real kube-apiserver's answers (Kubernetes 1.30): a
 * Deployment's pod with managedFields, ownerReferences, labels and annotations, a spec with
 * containers (env, ports, probes, resources, volume mounts), volumes and tolerations, and a status
 * with conditions, containerStatuses and podIPs; a node with its images, conditions, capacity and
 * nodeInfo. A pod comes to 6–8 KB of JSON and a node to ~12 KB, as on a real cluster, so a
 * benchmark pays what a consumer of LISTs and watches pays in production. Deterministic: the same
 * shape gives the same object.
 */
import type { KubeObject } from './kube-store.js';

export interface PodShape {
  namespace: string;
  name: string;
  nodeName: string;
  containers: readonly string[];
  /** A number unique in the fleet: it varies IPs, hashes and uids. */
  index: number;
  createdMs: number;
  /** status.hostIP; default 10.0.x.y from the index. */
  hostIP?: string;
  /** Default "Running". */
  phase?: string;
}

export interface NodeShape {
  name: string;
  /** The InternalIP. */
  address: string;
  kubeletPort: number;
  index: number;
  createdMs: number;
}

const time = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const hex = (n: number, width: number): string =>
  ((n * 2654435761) >>> 0)
    .toString(16)
    .padStart(8, '0')
    .repeat(Math.ceil(width / 8))
    .slice(0, width);
const uid = (kind: number, n: number): string => {
  const h = hex(n + kind * 1_000_003, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const ip = (n: number, base: number): string => `10.${base + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;

/** The managedFields entry the kube-controller-manager writes for a ReplicaSet's pod. */
function controllerFields(containers: readonly string[]): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const name of containers) {
    c[`k:{"name":"${name}"}`] = {
      '.': {},
      'f:env': {
        '.': {},
        'k:{"name":"POD_NAME"}': { '.': {}, 'f:name': {}, 'f:valueFrom': { '.': {}, 'f:fieldRef': {} } },
        'k:{"name":"POD_NAMESPACE"}': { '.': {}, 'f:name': {}, 'f:valueFrom': { '.': {}, 'f:fieldRef': {} } },
        'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} },
        'k:{"name":"GOMAXPROCS"}': {
          '.': {},
          'f:name': {},
          'f:valueFrom': { '.': {}, 'f:resourceFieldRef': {} },
        },
      },
      'f:image': {},
      'f:imagePullPolicy': {},
      'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} } },
      'f:name': {},
      'f:ports': {
        '.': {},
        'k:{"containerPort":8080,"protocol":"TCP"}': {
          '.': {},
          'f:containerPort': {},
          'f:name': {},
          'f:protocol': {},
        },
      },
      'f:readinessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} } },
      'f:resources': {
        '.': {},
        'f:limits': { '.': {}, 'f:memory': {} },
        'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} },
      },
      'f:securityContext': { '.': {}, 'f:allowPrivilegeEscalation': {}, 'f:readOnlyRootFilesystem': {} },
      'f:terminationMessagePath': {},
      'f:terminationMessagePolicy': {},
      'f:volumeMounts': {
        '.': {},
        'k:{"mountPath":"/etc/config"}': { '.': {}, 'f:mountPath': {}, 'f:name': {}, 'f:readOnly': {} },
      },
    };
  }
  return {
    'f:metadata': {
      'f:annotations': {
        '.': {},
        'f:kubectl.kubernetes.io/restartedAt': {},
        'f:prometheus.io/port': {},
        'f:prometheus.io/scrape': {},
      },
      'f:generateName': {},
      'f:labels': {
        '.': {},
        'f:app': {},
        'f:app.kubernetes.io/name': {},
        'f:app.kubernetes.io/part-of': {},
        'f:pod-template-hash': {},
      },
      'f:ownerReferences': { '.': {}, 'k:{"uid":"..."}': {} },
    },
    'f:spec': {
      'f:containers': c,
      'f:dnsPolicy': {},
      'f:enableServiceLinks': {},
      'f:restartPolicy': {},
      'f:schedulerName': {},
      'f:securityContext': { '.': {}, 'f:runAsNonRoot': {}, 'f:seccompProfile': { '.': {}, 'f:type': {} } },
      'f:serviceAccount': {},
      'f:serviceAccountName': {},
      'f:terminationGracePeriodSeconds': {},
      'f:volumes': {
        '.': {},
        'k:{"name":"config"}': {
          '.': {},
          'f:configMap': { '.': {}, 'f:defaultMode': {}, 'f:name': {} },
          'f:name': {},
        },
      },
    },
  };
}

/** The managedFields entry the kubelet writes through the status subresource. */
function kubeletFields(containers: readonly string[]): Record<string, unknown> {
  const conditions: Record<string, unknown> = {};
  for (const t of ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'Ready'])
    conditions[`k:{"type":"${t}"}`] = {
      '.': {},
      'f:lastProbeTime': {},
      'f:lastTransitionTime': {},
      'f:status': {},
      'f:type': {},
    };
  return {
    'f:status': {
      'f:conditions': conditions,
      'f:containerStatuses': {},
      'f:hostIP': {},
      'f:hostIPs': {},
      'f:phase': {},
      'f:podIP': {},
      'f:podIPs': { '.': {}, [`k:{"ip":"${containers.length}"}`]: { '.': {}, 'f:ip': {} } },
      'f:startTime': {},
    },
  };
}

/** A Running pod of a Deployment, as `GET /api/v1/pods` returns it. */
export function fullPod(p: PodShape): KubeObject {
  const app = p.name.replace(/-\d+$/, '');
  const rsHash = hex(p.index >> 4, 10);
  const created = time(p.createdMs);
  const started = time(p.createdMs + 2_000);
  const podIP = ip(p.index, 100);
  const hostIP = p.hostIP ?? ip(p.index >> 5, 0);
  const phase = p.phase ?? 'Running';
  const running = phase === 'Running';
  return {
    metadata: {
      name: p.name,
      generateName: `${app}-${rsHash}-`,
      namespace: p.namespace,
      uid: uid(1, p.index),
      creationTimestamp: created,
      labels: {
        app,
        'app.kubernetes.io/name': app,
        'app.kubernetes.io/part-of': `${p.namespace}-platform`,
        'pod-template-hash': rsHash,
        node: p.nodeName,
      },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': created,
        'prometheus.io/port': '8080',
        'prometheus.io/scrape': 'true',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${app}-${rsHash}`,
          uid: uid(2, p.index >> 4),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: created,
          fieldsType: 'FieldsV1',
          fieldsV1: controllerFields(p.containers),
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: started,
          fieldsType: 'FieldsV1',
          fieldsV1: kubeletFields(p.containers),
          subresource: 'status',
        },
      ],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        {
          name: `kube-api-access-${hex(p.index, 5)}`,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: p.containers.map((name, k) => ({
        name,
        image: `registry.example.com/${p.namespace}/${app}-${name}:1.${k}.${p.index % 7}`,
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          {
            name: 'POD_NAMESPACE',
            valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
          },
          { name: 'LOG_LEVEL', value: 'info' },
          {
            name: 'GOMAXPROCS',
            valueFrom: { resourceFieldRef: { containerName: name, resource: 'limits.cpu', divisor: '0' } },
          },
        ],
        resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
        volumeMounts: [
          { name: 'config', readOnly: true, mountPath: '/etc/config' },
          {
            name: `kube-api-access-${hex(p.index, 5)}`,
            readOnly: true,
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
          },
        ],
        livenessProbe: {
          httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
          timeoutSeconds: 1,
          periodSeconds: 10,
          successThreshold: 1,
          failureThreshold: 3,
        },
        readinessProbe: {
          httpGet: { path: '/readyz', port: 8080, scheme: 'HTTP' },
          timeoutSeconds: 1,
          periodSeconds: 5,
          successThreshold: 1,
          failureThreshold: 3,
        },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
      })),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: p.nodeName,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase,
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map((type) => ({
        type,
        status: running ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: started,
      })),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: created,
      containerStatuses: p.containers.map((name, k) => ({
        name,
        state: running ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: running,
        restartCount: 0,
        image: `registry.example.com/${p.namespace}/${app}-${name}:1.${k}.${p.index % 7}`,
        imageID: `registry.example.com/${p.namespace}/${app}-${name}@sha256:${hex(p.index + k, 64)}`,
        containerID: `containerd://${hex(p.index * 31 + k, 64)}`,
        started: running,
      })),
      qosClass: 'Burstable',
    },
  };
}

/** A Ready node, as `GET /api/v1/nodes` returns it (with the images it has pulled). */
export function fullNode(n: NodeShape): KubeObject {
  const created = time(n.createdMs);
  const heartbeat = time(Date.now() - 20_000);
  const zone = `zone-${n.index % 3}`;
  const conditions = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ].map(([type, status, reason, message]) => ({
    type,
    status,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: created,
    reason,
    message,
  }));
  const images = Array.from({ length: 24 }, (_, k) => ({
    names: [
      `registry.example.com/team-${k % 6}/service-${k}@sha256:${hex(k * 7 + 1, 64)}`,
      `registry.example.com/team-${k % 6}/service-${k}:1.${k}.0`,
    ],
    sizeBytes: 20_000_000 + k * 1_234_567,
  }));
  return {
    metadata: {
      name: n.name,
      uid: uid(3, n.index),
      creationTimestamp: created,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': 'm5.xlarge',
        'beta.kubernetes.io/os': 'linux',
        'failure-domain.beta.kubernetes.io/region': 'eu-west-1',
        'failure-domain.beta.kubernetes.io/zone': zone,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'm5.xlarge',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': zone,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'csi.volume.kubernetes.io/nodeid': `{"ebs.csi.aws.com":"i-${hex(n.index, 17)}"}`,
      },
      managedFields: [
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: created,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:annotations': { '.': {}, 'f:volumes.kubernetes.io/controller-managed-attach-detach': {} },
              'f:labels': { '.': {}, 'f:kubernetes.io/hostname': {} },
            },
            'f:spec': { 'f:providerID': {} },
          },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: created,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { 'f:node.alpha.kubernetes.io/ttl': {} } },
            'f:spec': { 'f:podCIDR': {}, 'f:podCIDRs': { '.': {} } },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: heartbeat,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:status': {
              'f:allocatable': {},
              'f:capacity': {},
              'f:conditions': {},
              'f:images': {},
              'f:nodeInfo': {},
            },
          },
          subresource: 'status',
        },
      ],
    },
    spec: {
      podCIDR: `10.${64 + (n.index >> 8)}.${n.index & 255}.0/24`,
      podCIDRs: [`10.${64 + (n.index >> 8)}.${n.index & 255}.0/24`],
      providerID: `aws:///eu-west-1${'abc'[n.index % 3]}/i-${hex(n.index, 17)}`,
    },
    status: {
      capacity: {
        cpu: '4',
        'ephemeral-storage': '104845292Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: '16069204Ki',
        pods: '110',
      },
      allocatable: {
        cpu: '3920m',
        'ephemeral-storage': '95551679124',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: '15052372Ki',
        pods: '110',
      },
      conditions,
      addresses: [
        { type: 'InternalIP', address: n.address },
        { type: 'InternalDNS', address: `ip-${n.address.replaceAll('.', '-')}.eu-west-1.compute.internal` },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: n.kubeletPort } },
      nodeInfo: {
        machineID: hex(n.index + 11, 32),
        systemUUID: uid(4, n.index),
        bootID: uid(5, n.index),
        kernelVersion: '6.1.102-108.177.amzn2023.x86_64',
        osImage: 'Amazon Linux 2023.5.20240805',
        containerRuntimeVersion: 'containerd://1.7.20',
        kubeletVersion: 'v1.30.2-eks-1552ad0',
        kubeProxyVersion: 'v1.30.2-eks-1552ad0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images,
    },
  };
}

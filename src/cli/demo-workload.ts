/**
 * The demo's make-believe cluster, in one table: two nodes and the three pods of a `web`
 * Deployment behind a `web` Service in namespace `demo`. The exporter (demo-exporter.ts) turns it
 * into series for Prometheus; the stand-in cluster (demo-cluster.ts) into the objects that
 * `kubectl top` and the rule engine read. The rates are steady so that what a user sees is what
 * this table says.
 */

export const DEMO_NAMESPACE = 'demo';

export interface DemoNode {
  name: string;
  /** What the node's own processes use besides the pods (the root cgroup counts both). */
  systemCores: number;
  systemMemoryBytes: number;
  /** status.allocatable, which `kubectl top node` divides by. */
  allocatableCores: number;
  allocatableMemoryBytes: number;
}

export interface DemoPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  service: string;
  deployment: string;
  node: string;
  container: string;
  requestsPerSecond: number;
  cpuCores: number;
  memoryBytes: number;
}

const MiB = 1024 * 1024;

export const DEMO_NODES: readonly DemoNode[] = [1, 2].map((i) => ({
  name: `demo-node-${i}`,
  systemCores: 0.2 * i,
  systemMemoryBytes: 600 * MiB * i,
  allocatableCores: 2,
  allocatableMemoryBytes: 4096 * MiB,
}));

export const DEMO_PODS: readonly DemoPod[] = [0, 1, 2].map((i) => ({
  namespace: DEMO_NAMESPACE,
  name: `web-${i}`,
  labels: { app: 'web', 'pod-template-hash': '5d8f9' },
  service: 'web',
  deployment: 'web',
  node: i < 2 ? 'demo-node-1' : 'demo-node-2',
  container: 'web',
  requestsPerSecond: 1.5 * (i + 1),
  cpuCores: 0.05 * (i + 1),
  memoryBytes: (40 + 8 * i) * MiB,
}));

/** The queue the demo's external metric measures, and its depth (messages waiting). */
export const DEMO_QUEUE = { name: 'orders', depthPerPod: 10 } as const;

/** A node's usage as its root cgroup reports it: its pods plus its own processes. */
export function nodeUsage(node: DemoNode): { cores: number; memoryBytes: number } {
  const pods = DEMO_PODS.filter((p) => p.node === node.name);
  return {
    cores: node.systemCores + pods.reduce((s, p) => s + p.cpuCores, 0),
    memoryBytes: node.systemMemoryBytes + pods.reduce((s, p) => s + p.memoryBytes, 0),
  };
}

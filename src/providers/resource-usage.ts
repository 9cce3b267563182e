/**
 * The contract between metrics.k8s.io and the places CPU/memory usage comes from: the Prometheus
 * `resourceRules` and the kubelet scraper (src/kubelet). Both answer the same questions with the
 * same shapes, so the resource provider can ask one and fall back to the other per request.
 */

/** Usage of one container, at one instant, over one window. */
export interface ContainerUsage {
  name: string;
  /** CPU rate in nanocores (1 core = 1e9). */
  cpuNanoCores: number;
  /** Memory working set in bytes. */
  memoryBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  /** When the usage was observed (the end of the window). */
  timestamp: Date;
  /** The window the CPU rate was computed over, in milliseconds. */
  windowMs: number;
  containers: ContainerUsage[];
}

export interface NodeUsage {
  name: string;
  timestamp: Date;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

/** Which pods to look up: every pod of a namespace (undefined = all namespaces), or named ones. */
export interface PodUsageQuery {
  namespace: string | undefined;
  /** Undefined: every pod the source knows of in `namespace`. */
  names?: readonly string[];
  signal?: AbortSignal;
}

export interface NodeUsageQuery {
  /** Undefined: every node the source knows of. */
  names?: readonly string[];
  signal?: AbortSignal;
}

/**
 * A source of resource usage. A pod or node it has no complete data for is simply absent from
 * the answer; a source that cannot answer at all (Prometheus down) throws a typed error
 * (UnavailableError / TimeoutError from src/errors.ts).
 */
export interface ResourceUsageSource {
  /** Short name for logs and the `source` label of the self-metrics ("prometheus", "kubelet"). */
  readonly name: string;
  podUsage(query: PodUsageQuery): Promise<PodUsage[]>;
  /**
   * For sources that hold usage in memory (the kubelet store): one pod's usage by lookup, so a
   * list of every pod in a large cluster allocates no per-request list or index of the answer.
   */
  podUsageOf?(namespace: string, name: string): PodUsage | undefined;
  nodeUsage(query: NodeUsageQuery): Promise<NodeUsage[]>;
}

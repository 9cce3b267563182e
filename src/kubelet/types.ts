/** Shapes shared by the decoders, the point store and the scraper. */

/** One cumulative CPU reading and one working-set reading, with the kubelet's own timestamps. */
export interface UsageSample {
  /** Cumulative CPU time in nanoseconds (usageCoreNanoSeconds). */
  cpuNs: number;
  /** When the CPU reading was taken, in ms since the epoch (fractional: the kubelet has ns). */
  cpuTimeMs: number;
  memoryBytes: number;
  memoryTimeMs: number;
  /**
   * The kubelet's own CPU rate at cpuTimeMs in nanocores (Summary API usageNanoCores); absent or
   * NaN when the kubelet did not give one (/metrics/resource never does). Used only for the first
   * answer, before two counter points exist (see store.ts).
   */
  cpuNanoCores?: number;
}

export interface ContainerSample extends UsageSample {
  name: string;
  /** Container start time in ms since the epoch; NaN when the kubelet did not say. */
  startTimeMs: number;
}

export interface PodSample {
  namespace: string;
  name: string;
  containers: ContainerSample[];
  /** False when some container came without CPU or memory: the pod is not reported from this scrape. */
  complete: boolean;
}

/** Everything one kubelet answered in one scrape. */
export interface NodeScrape {
  /** Undefined when the node's own figures were missing. */
  node: UsageSample | undefined;
  pods: PodSample[];
}

export type KubeletEndpoint = 'summary' | 'resource';

/**
 * --kubelet-via-apiserver: never (reach kubelets directly, as metrics-server), fallback (through
 * the API server's node proxy when no address of the node can be reached), always (only that way).
 */
export type KubeletViaAPIServer = 'never' | 'fallback' | 'always';

export const NODE_ADDRESS_TYPES = [
  'Hostname',
  'InternalDNS',
  'InternalIP',
  'ExternalDNS',
  'ExternalIP',
] as const;

/** The scraper's settings; ServeOptions.kubelet (src/config/serve-options.ts) has this shape. */
export interface KubeletScraperOptions {
  /** Node address types to try, in order (--kubelet-preferred-address-types). */
  preferredAddressTypes: readonly string[];
  /** --kubelet-port. */
  port: number;
  /** Use status.daemonEndpoints.kubeletEndpoint.Port when the node reports one. */
  useNodeStatusPort: boolean;
  insecureTLS: boolean;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  requestTimeoutMs: number;
  endpoint: KubeletEndpoint;
  /** Default 'never'. */
  viaAPIServer?: KubeletViaAPIServer;
  resolutionMs: number;
  /** Scrapes in flight at once; default 64. */
  concurrency?: number;
  /**
   * A scrape without an answer after this long stops counting against `concurrency` (up to
   * 4 × concurrency such slow ones); default 1 s.
   */
  slowScrapeMs?: number;
  /**
   * Delay before a node's second scrape when its first left no complete pair, so complete data
   * arrives seconds after start rather than one resolution later; default min(resolution/2, 1 s).
   * While the node still has no answer (the kubelet had not refreshed its stats yet), more
   * warm-ups follow every twice this delay, as long as their sum stays below the resolution.
   */
  warmupMs?: number;
  /**
   * Keep kubelet connections open between ticks only while the cluster has at most this many
   * nodes; above, each scrape opens a connection (resuming the TLS session) and closes it after the
   * answer, resuming the TLS session. Measured (bench/kubelet-scale.ts, 30 pods per node): at 5000
   * nodes 430 instead of 782 MiB peak RSS for 11.2 instead of 5.4 s of CPU per 15 s. Each idle TLS
   * connection holds ~80-90 KB outside the JS heap, so at 1000 nodes keeping them is ~85 MiB of a
   * whole adapter that otherwise fits in under 200 MiB (bench/resource-metrics.ts). Default 100.
   */
  keepAliveMaxNodes?: number;
}

/**
 * What `explain pod|node` reads of the running server (the kubelet scraper's state through
 * KubeletDiagnostics, the resourceRules queries through UsageQueryDiagnostics) and what it
 * answers: one line per cause, the answering source first.
 */
import type { ClusterObjects, DescribedUsageQuery, ResourceUsageSource } from '../providers/index.js';

/** A node's scrapes as the kubelet scraper saw them (KubeletScraper.diagnoseNode). */
export interface NodeScrapeState {
  /** 'ok', the ScrapeErrorKind of the last failure, or 'never' before the first scrape finished. */
  status: string;
  message: string | undefined;
  /** The address (host:port) of the last scrape. */
  address: string | undefined;
  /** Start of the current failing streak (ms since the epoch), undefined while it works. */
  failingSince: number | undefined;
  lastSuccess: number | undefined;
  /** The next scrape: the next warm-up or tick (ms since the epoch). */
  nextScrapeAt: number | undefined;
  /** The scraper's hint for the failure (which flag or permission to check). */
  hint: string | undefined;
}

/** What the kubelet scraper and its store know, read-only. */
export interface KubeletDiagnostics {
  /** Undefined: the scraper does not know the node (not in its node list). */
  diagnoseNode(name: string): NodeScrapeState | undefined;
  /** Undefined: no node's last answer had the pod. */
  diagnosePod(
    namespace: string,
    name: string,
  ): { node: string; complete: boolean; containers: { name: string; points: 1 | 2 }[] } | undefined;
  /** The node's own figures in the store. */
  nodePoints(name: string): { scraped: boolean; points: 0 | 1 | 2 };
  /** e.g. `Summary API` or `/metrics/resource`, for the sentences. */
  endpointName: string;
}

export interface UsageQueryDiagnostics {
  /** Undefined without resourceRules. */
  describe(
    target: { namespace: string; pod: string } | { node: string },
    signal?: AbortSignal,
  ): Promise<DescribedUsageQuery[] | undefined>;
}

export interface ResourceExplainDeps {
  objects: ClusterObjects;
  /** The resource provider's sources, in its order. */
  sources: readonly ResourceUsageSource[];
  /** Undefined when the kubelet scraper is off. */
  kubelet: KubeletDiagnostics | undefined;
  prometheus: UsageQueryDiagnostics | undefined;
}

export type ExplainCause =
  | 'answered'
  | 'pod_not_found'
  | 'node_not_found'
  | 'pod_not_running'
  | 'pod_not_scheduled'
  | 'source_failed'
  | 'kubelet_scraper_off'
  | 'node_unknown_to_scraper'
  | 'node_scrape_failing'
  | 'node_not_scraped_yet'
  | 'pod_missing_from_node'
  | 'pod_incomplete_on_node'
  | 'containers_missing_from_node'
  | 'node_figures_missing'
  | 'one_point_so_far'
  | 'prometheus_no_sample'
  | 'prometheus_query_failed'
  | 'prometheus_incomplete'
  | 'prometheus_not_configured';

export interface ExplainLine {
  cause: ExplainCause;
  /** One sentence. */
  text: string;
  /** The PromQL, for the Prometheus causes. */
  promql?: string;
}

export interface ResourceExplanation {
  kind: 'pod' | 'node';
  namespace?: string;
  name: string;
  /** The source a metrics.k8s.io request gets this object from now; undefined: none (see lines). */
  answeredBy: { source: string; windowSeconds: number; timestamp: string } | undefined;
  /** The answering source first (when there is one), then every cause that applies. */
  lines: ExplainLine[];
}

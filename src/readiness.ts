/**
 * The server's health checks and their reasons.
 *
 * `/readyz` waits for what the first answers need, never for Prometheus to answer: an unready pod
 * leaves the APIServices without endpoints (`MissingEndpoints`), which hides the cause from every
 * client and would also take down the kubelet-backed metrics.k8s.io. So the first series discovery
 * counts once it has finished, whether its queries succeeded or failed; an unreachable Prometheus
 * shows in the APIs' errors, the log and the self metrics instead.
 */
import type { HealthChecks } from './apiserver/health.js';

export interface ReadinessSources {
  /** When the serving certificate stops being valid. */
  certificateNotAfter: () => Date;
  isShuttingDown: () => boolean;
  discovery: {
    readonly ready: boolean;
    readonly firstRelistProgress: { queries: number; finished: number } | undefined;
  };
  /** The kubelet scraper, when it is on. */
  kubelet?: { readinessProgress(): { nodes: number | undefined; waiting: number } | undefined };
}

export function addServerChecks(health: HealthChecks, s: ReadinessSources): void {
  health.add(['healthz', 'livez', 'readyz'], 'ping', () => undefined);
  health.add(['healthz', 'livez', 'readyz'], 'serving-certificate', () =>
    s.certificateNotAfter() < new Date() ? 'the serving certificate has expired' : undefined,
  );
  health.add(['readyz'], 'shutdown', () => (s.isShuttingDown() ? 'shutting down' : undefined));
  health.add(['readyz'], 'metric-catalog', () =>
    s.discovery.ready ? undefined : catalogReason(s.discovery.firstRelistProgress),
  );
  const kubelet = s.kubelet;
  if (kubelet !== undefined) {
    // Like metrics-server: ready once every node has been scraped (or has failed) after the node
    // list is in, so the first `kubectl top` has data.
    health.add(['readyz'], 'kubelet-data', () => kubeletReason(kubelet.readinessProgress()));
  }
}

/** Why the catalog is not ready; `progress` of the first series discovery, if it has started. */
export function catalogReason(progress: { queries: number; finished: number } | undefined): string {
  if (progress === undefined) return 'the first series discovery has not started';
  return (
    `the first series discovery (${progress.queries} seriesQuery) has not finished: ` +
    `${progress.finished} answered or failed so far`
  );
}

export function kubeletReason(
  progress: { nodes: number | undefined; waiting: number } | undefined,
): string | undefined {
  if (progress === undefined) return undefined;
  if (progress.nodes === undefined) return 'the node list has not been read yet';
  const nodes = `${progress.nodes} node${progress.nodes === 1 ? '' : 's'}`;
  return `${progress.waiting} of ${nodes} not scraped yet (each needs complete data or a failed scrape)`;
}

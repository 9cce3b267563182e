/**
 * Whether a Prometheus can be reached at all, told apart from one that rejects a query: `check`
 * reports the two differently (exit code 3 for the first), and the demo waits on it.
 */
import { errorMessage } from '../../errors.js';
import type { PrometheusClient } from '../../prometheus/index.js';

/** Thrown when Prometheus cannot be reached at all (exit code 3), as opposed to rejecting a query. */
export class PrometheusUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusUnreachableError';
  }
}

/** Asks Prometheus something trivial, so "unreachable" is told apart from "rejected this query". */
export async function probePrometheus(prometheus: PrometheusClient): Promise<void> {
  try {
    await prometheus.query('vector(1)');
  } catch (err) {
    throw new PrometheusUnreachableError(errorMessage(err));
  }
}

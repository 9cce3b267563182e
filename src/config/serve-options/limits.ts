/** The bounds on load: requests at once, deadlines, Prometheus calls, selector and query sizes. */
import { numberFlag, type FlagValues } from '../flags.js';

/** Bounds on the work one request, and all of them together, may cause. 0 means unlimited. */
export interface LimitsOptions {
  maxRequestsInflight: number;
  /** 0: requests have no deadline. */
  requestTimeoutMs: number;
  maxPrometheusQueries: number;
  maxSelectedObjects: number;
  maxQueryLength: number;
}

export function limitsOptionsFrom(values: FlagValues): LimitsOptions {
  return {
    maxRequestsInflight: numberFlag(values, 'max-requests-inflight'),
    requestTimeoutMs: numberFlag(values, 'request-timeout'),
    maxPrometheusQueries: numberFlag(values, 'max-prometheus-queries'),
    maxSelectedObjects: numberFlag(values, 'max-selected-objects'),
    maxQueryLength: numberFlag(values, 'max-query-length'),
  };
}

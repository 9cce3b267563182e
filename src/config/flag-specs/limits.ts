/** The bounds on load: requests at once, deadlines, Prometheus calls, selector and query sizes. */
import type { FlagSpec } from './types.js';
import { nonNegative } from './validators.js';

export const LIMITS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'max-requests-inflight',
    kind: 'int',
    default: 400,
    help: 'Requests served at once; beyond it a 429 with Retry-After: 1 (health checks and /metrics are exempt). 0: unlimited.',
    validate: nonNegative,
  },
  {
    name: 'request-timeout',
    kind: 'duration',
    default: 60_000,
    help: 'Deadline of every request, Prometheus and Kubernetes API calls included; past it a 504 Timeout. 0: none.',
    validate: nonNegative,
  },
  {
    name: 'max-prometheus-queries',
    kind: 'int',
    default: 20,
    help: 'Prometheus calls running at once; further ones wait in turn within their deadline (503 if none frees up). 0: unlimited.',
    validate: nonNegative,
  },
  {
    name: 'max-selected-objects',
    kind: 'int',
    default: 10_000,
    help: 'Objects a custom-metrics wildcard (*) with a label selector may stand for; more is a 400. 0: unlimited.',
    validate: nonNegative,
  },
  {
    name: 'max-query-length',
    kind: 'int',
    default: 6_144,
    help: 'Characters of PromQL one query may have when it names objects; longer ones are split over several queries whose results are merged. 0: unlimited.',
    validate: nonNegative,
  },
];

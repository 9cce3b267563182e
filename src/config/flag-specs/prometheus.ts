/** How to reach Prometheus: URL, credentials, TLS, HTTP method and deadline. */
import type { FlagSpec } from './types.js';
import { headerPairs, httpUrl, positiveDuration } from './validators.js';

export const PROMETHEUS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'prometheus-url',
    kind: 'string',
    default: 'http://localhost:9090',
    help: 'Prometheus (or Thanos, Mimir, VictoriaMetrics) base URL.',
    validate: httpUrl,
  },
  {
    name: 'prometheus-header',
    kind: 'stringArray',
    default: [],
    help: 'Name=value header sent to Prometheus (repeatable), e.g. X-Scope-OrgID=tenant-a.',
    validate: headerPairs,
  },
  {
    name: 'prometheus-tenant-header',
    kind: 'string',
    default: '',
    help: "Header naming the tenant of a MetricRule's queries (e.g. X-Scope-OrgID); empty: none.",
    validate: (v) =>
      typeof v !== 'string' || v === '' || /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)
        ? undefined
        : 'must be an HTTP header name',
  },
  {
    name: 'prometheus-tenant-from',
    kind: 'string',
    default: 'namespace',
    help: "The tenant header's value: namespace (the MetricRule's namespace) or label:KEY (that namespace's label KEY).",
    validate: (v) =>
      typeof v !== 'string' || v === 'namespace' || /^label:[A-Za-z0-9][-A-Za-z0-9_./]*$/.test(v)
        ? undefined
        : 'must be namespace or label:KEY',
  },
  {
    name: 'prometheus-token-file',
    kind: 'string',
    default: '',
    help: 'File holding a bearer token for Prometheus; re-read when it changes.',
  },
  {
    name: 'prometheus-ca-file',
    kind: 'string',
    default: '',
    help: "CA bundle to verify Prometheus's certificate.",
  },
  {
    name: 'prometheus-client-tls-cert-file',
    kind: 'string',
    default: '',
    help: 'Client certificate for Prometheus (mutual TLS).',
  },
  {
    name: 'prometheus-client-tls-key-file',
    kind: 'string',
    default: '',
    help: 'Client key for Prometheus (mutual TLS).',
  },
  {
    name: 'prometheus-auth-config',
    kind: 'string',
    default: '',
    help: 'Kubeconfig whose user credentials are used to reach Prometheus.',
  },
  {
    name: 'prometheus-auth-incluster',
    kind: 'bool',
    default: false,
    help: 'Use the in-cluster service account credentials to reach Prometheus.',
  },
  {
    name: 'prometheus-verb',
    kind: 'string',
    default: 'GET',
    help: 'HTTP method for queries: GET (long queries still go by POST) or POST.',
    validate: (v) => (v === 'GET' || v === 'POST' ? undefined : 'must be GET or POST'),
  },
  {
    name: 'prometheus-timeout',
    kind: 'duration',
    default: 10_000,
    help: 'Deadline of one Prometheus request.',
    validate: positiveDuration,
  },
  {
    name: 'prometheus-query-coalescing',
    kind: 'bool',
    default: true,
    help: 'Identical queries in flight at the same time share one Prometheus evaluation.',
  },
];

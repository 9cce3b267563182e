/**
 * The flag table, spelled as prometheus-adapter and the Kubernetes generic apiserver spell their
 * flags, so an existing Deployment keeps working with only the image swapped.
 */
import { isIP } from 'node:net';

export type FlagKind = 'string' | 'int' | 'bool' | 'duration' | 'stringList' | 'stringArray';
export type FlagValue = string | number | boolean | string[];

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  default: FlagValue;
  help: string;
  /** Accepted for compatibility with prometheus-adapter / klog manifests; has no effect here. */
  compatOnly?: boolean;
  validate?: (value: FlagValue) => string | undefined;
}

const TLS_VERSIONS = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

const port = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v >= 0 && v <= 65535 ? undefined : 'must be a port number between 0 and 65535';
const nonNegative = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v >= 0 ? undefined : 'must not be negative';
const positiveDuration = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v > 0 ? undefined : 'must be a positive duration';
const httpUrl = (v: FlagValue): string | undefined => {
  if (typeof v !== 'string') return 'must be a URL';
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? undefined
      : 'must be an http:// or https:// URL';
  } catch {
    return `invalid URL "${v}"`;
  }
};
const headerPairs = (v: FlagValue): string | undefined => {
  if (!Array.isArray(v)) return undefined;
  for (const h of v) {
    const eq = h.indexOf('=');
    if (eq <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.slice(0, eq))) {
      return `"${h}" is not of the form Name=value`;
    }
  }
  return undefined;
};

export const FLAG_SPECS: readonly FlagSpec[] = [
  // Serving
  {
    name: 'secure-port',
    kind: 'int',
    default: 6443,
    help: 'HTTPS port to serve on (0 picks a free port).',
    validate: port,
  },
  {
    name: 'bind-address',
    kind: 'string',
    default: '0.0.0.0',
    help: 'IP address to listen on (0.0.0.0 or :: for all interfaces).',
    validate: (v) => (typeof v === 'string' && isIP(v) !== 0 ? undefined : 'must be an IP address'),
  },
  {
    name: 'tls-cert-file',
    kind: 'string',
    default: '',
    help: 'Serving certificate (PEM, may include intermediates). Reloaded when it changes.',
  },
  {
    name: 'tls-private-key-file',
    kind: 'string',
    default: '',
    help: 'Private key of the serving certificate (PEM). Reloaded when it changes.',
  },
  {
    name: 'cert-dir',
    kind: 'string',
    default: '',
    help: 'Without --tls-cert-file: directory where a SELF-SIGNED serving certificate is created (apiserver.crt, apiserver.key). For local use only.',
  },
  {
    name: 'tls-min-version',
    kind: 'string',
    default: 'VersionTLS12',
    help: `Minimum TLS version: ${TLS_VERSIONS.join(', ')}.`,
    validate: (v) =>
      TLS_VERSIONS.includes(String(v)) ? undefined : `must be one of ${TLS_VERSIONS.join(', ')}`,
  },
  {
    name: 'tls-cipher-suites',
    kind: 'stringList',
    default: [],
    help: 'Comma-separated Go/IANA cipher suite names (TLS 1.2 and below). Empty: Node defaults.',
  },
  {
    name: 'shutdown-delay-duration',
    kind: 'duration',
    default: 0,
    help: 'Time to keep serving after SIGTERM while /readyz fails, before draining.',
    validate: nonNegative,
  },
  // Authentication
  {
    name: 'client-ca-file',
    kind: 'string',
    default: '',
    help: 'CA bundle for client certificates: user = CN, groups = O.',
  },
  {
    name: 'requestheader-client-ca-file',
    kind: 'string',
    default: '',
    help: 'CA bundle for front-proxy client certificates; their X-Remote-* headers carry the user.',
  },
  {
    name: 'requestheader-allowed-names',
    kind: 'stringList',
    default: [],
    help: 'Allowed CNs of front-proxy client certificates (empty: any CN).',
  },
  {
    name: 'requestheader-username-headers',
    kind: 'stringList',
    default: ['X-Remote-User'],
    help: 'Headers carrying the user name, first non-empty wins.',
  },
  {
    name: 'requestheader-group-headers',
    kind: 'stringList',
    default: ['X-Remote-Group'],
    help: 'Headers carrying the groups.',
  },
  {
    name: 'requestheader-extra-headers-prefix',
    kind: 'stringList',
    default: ['X-Remote-Extra-'],
    help: 'Header prefixes carrying extra user attributes.',
  },
  {
    name: 'requestheader-uid-headers',
    kind: 'stringList',
    default: [],
    help: 'Headers carrying the user UID (e.g. X-Remote-Uid).',
  },
  {
    name: 'authentication-kubeconfig',
    kind: 'string',
    default: '',
    help: 'Kubeconfig for authentication lookups (extension-apiserver-authentication ConfigMap, TokenReview). Default: --kubeconfig, else in-cluster.',
  },
  {
    name: 'authentication-skip-lookup',
    kind: 'bool',
    default: false,
    help: 'Do not read kube-system/extension-apiserver-authentication for missing CA / header settings.',
  },
  {
    name: 'authentication-tolerate-lookup-failure',
    kind: 'bool',
    default: false,
    help: 'Start even if the extension-apiserver-authentication lookup fails.',
  },
  // Authorization
  {
    name: 'authorization-kubeconfig',
    kind: 'string',
    default: '',
    help: 'Kubeconfig for SubjectAccessReviews. Default: --kubeconfig, else in-cluster.',
  },
  {
    name: 'authorization-always-allow-paths',
    kind: 'stringList',
    default: ['/healthz', '/readyz', '/livez'],
    help: 'Paths served without authorization (a trailing * matches a prefix).',
  },
  {
    name: 'authorization-webhook-cache-authorized-ttl',
    kind: 'duration',
    default: 10_000,
    help: 'How long an allowed SubjectAccessReview is cached.',
    validate: nonNegative,
  },
  {
    name: 'authorization-webhook-cache-unauthorized-ttl',
    kind: 'duration',
    default: 10_000,
    help: 'How long a denied SubjectAccessReview is cached.',
    validate: nonNegative,
  },
  // Kubernetes
  {
    name: 'kubeconfig',
    kind: 'string',
    default: '',
    help: 'Kubeconfig for the cluster (discovery, listers). Default: in-cluster service account.',
  },
  {
    name: 'lister-kubeconfig',
    kind: 'string',
    default: '',
    help: 'Kubeconfig for object listers/watches. Default: --kubeconfig, else in-cluster.',
  },
  // Prometheus
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
  // Rules
  {
    name: 'config',
    kind: 'string',
    default: '',
    help: 'Rules file (prometheus-adapter format). Watched; SIGHUP re-reads it.',
  },
  {
    name: 'metrics-relist-interval',
    kind: 'duration',
    default: 60_000,
    help: 'How often series discovery re-runs every seriesQuery.',
    validate: positiveDuration,
  },
  {
    name: 'metrics-max-age',
    kind: 'duration',
    default: 0,
    help: 'How far back series discovery looks (default: --metrics-relist-interval; not less than it).',
    validate: nonNegative,
  },
  // check / explain
  {
    name: 'format',
    kind: 'string',
    default: 'text',
    help: 'check / explain: output format, text or json.',
    validate: (v) => (v === 'text' || v === 'json' ? undefined : 'must be text or json'),
  },
  {
    name: 'strict',
    kind: 'bool',
    default: false,
    help: 'check: warnings fail too (exit 1).',
  },
  {
    name: 'objects',
    kind: 'stringList',
    default: [],
    help: 'explain: the object names a wildcard request (name *) stands for, when no --kubeconfig lists them.',
  },
  // Logging
  {
    name: 'v',
    kind: 'int',
    default: 0,
    help: 'klog-style verbosity: 0-3 info, 4-5 debug (one line per request), 6+ trace.',
    validate: nonNegative,
  },
  {
    name: 'log-level',
    kind: 'string',
    default: '',
    help: `Log level (${LOG_LEVELS.join(', ')}); overrides --v.`,
    validate: (v) =>
      v === '' || LOG_LEVELS.includes(String(v)) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`,
  },
  // Accepted so that existing manifests start unchanged; they have no effect (logs are JSON on stderr).
  { name: 'logtostderr', kind: 'bool', default: true, help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'alsologtostderr',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  {
    name: 'stderrthreshold',
    kind: 'string',
    default: '',
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  { name: 'vmodule', kind: 'string', default: '', help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'skip-headers',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  {
    name: 'add-dir-header',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  { name: 'profiling', kind: 'bool', default: false, help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'contention-profiling',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
];

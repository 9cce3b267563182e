/**
 * The flag table, spelled as prometheus-adapter and the Kubernetes generic apiserver spell their
 * flags, so an existing Deployment keeps working with only the image swapped.
 */
import { isIP } from 'node:net';
import { KUBECONFIG_FALLBACK_RULE } from './kubeconfig-roles.js';

export type FlagKind = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'stringList' | 'stringArray';
export type FlagValue = string | number | boolean | string[];

/** The `--help` section of a flag (titles and placement rules: flag-groups.ts). */
export type FlagGroup =
  | 'prometheus'
  | 'rules'
  | 'cluster'
  | 'serving'
  | 'kubelet'
  | 'limits'
  | 'logging'
  | 'tools'
  | 'other'
  | 'compatibility';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  default: FlagValue;
  help: string;
  /**
   * Section of `--help`; without it the section follows from the name (flag-groups.ts), so a new
   * flag needs it only when its name does not tell.
   */
  group?: FlagGroup;
  /** Accepted for compatibility with prometheus-adapter / klog manifests; has no effect here. */
  compatOnly?: boolean;
  /**
   * Said once at start when the flag is given: for settings whose silent dropping would weaken
   * security or hide what the operator asked for (the flag is then not in the "ignored" line).
   */
  noticeWhenGiven?: (value: FlagValue) => FlagNotice | undefined;
  validate?: (value: FlagValue) => string | undefined;
}

export interface FlagNotice {
  level: 'info' | 'warn';
  message: string;
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
    help: `Kubeconfig for authentication lookups (the kube-system/extension-apiserver-authentication ConfigMap). ${KUBECONFIG_FALLBACK_RULE}`,
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
  {
    name: 'authentication-token-webhook-cache-ttl',
    kind: 'duration',
    default: 10_000,
    help: 'How long a TokenReview answer for a bearer token is cached (authenticated and rejected answers each for this long; failures are not cached). 0: no caching.',
    validate: nonNegative,
  },
  {
    name: 'api-audiences',
    kind: 'stringList',
    default: [],
    help: "Audiences a bearer token must be valid for (one is enough), sent in TokenReviews and checked in locally verified tokens. Empty: the kube-apiserver's own audiences (locally: the issuer).",
  },
  {
    name: 'service-account-local-verification',
    kind: 'bool',
    default: true,
    help: "Verify service-account tokens (JWTs) locally against the cluster issuer's keys; what cannot be decided locally goes to TokenReview. false: every token goes to TokenReview (sees revoked pods and secrets at once).",
  },
  {
    name: 'service-account-jwks-file',
    kind: 'string',
    default: '',
    help: 'JWKS file (the JSON of /openid/v1/jwks) to verify service-account tokens with instead of reading the keys from the cluster; needs --service-account-issuer. Reloaded when it changes.',
  },
  {
    name: 'service-account-issuer',
    kind: 'stringArray',
    default: [],
    help: "Issuer(s) of the service-account tokens to verify locally (repeatable). Empty: the issuer named by the cluster's /.well-known/openid-configuration.",
  },
  // Authorization
  {
    name: 'authorization-kubeconfig',
    kind: 'string',
    default: '',
    help: `Kubeconfig for SubjectAccessReviews. ${KUBECONFIG_FALLBACK_RULE}`,
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
    name: 'lister-kubeconfig',
    kind: 'string',
    default: '',
    help: `Kubeconfig for every cluster call made for metrics: API discovery, object lists and watches. ${KUBECONFIG_FALLBACK_RULE}`,
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    default: '',
    help: 'Alias of --lister-kubeconfig (giving both with different files is an error).',
  },
  {
    name: 'discovery-interval',
    kind: 'duration',
    default: 300_000,
    help: 'How often API discovery (resource names, kinds, scope) is refreshed; an unknown resource also triggers a refresh. 0: only then.',
    validate: nonNegative,
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
  // Limits
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
  // Kubelet scraper (metrics-server's flags)
  {
    name: 'kubelet-scraper',
    kind: 'bool',
    default: true,
    help: "Scrape the kubelets (metrics-server's job) to answer metrics.k8s.io where resourceRules do not. Turn off where metrics-server keeps serving metrics.k8s.io.",
  },
  {
    name: 'kubelet-preferred-address-types',
    kind: 'stringList',
    default: ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'],
    help: 'Node address types to reach kubelets by, in order of preference (Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP).',
    validate: (v) => {
      const known = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];
      if (!Array.isArray(v) || v.length === 0) return 'must list at least one address type';
      const bad = v.find((t) => !known.includes(t));
      return bad === undefined ? undefined : `unknown address type "${bad}" (use ${known.join(', ')})`;
    },
  },
  {
    name: 'kubelet-port',
    kind: 'int',
    default: 10250,
    help: 'Port of the kubelets (unless --kubelet-use-node-status-port and the node reports its own).',
    validate: (v) =>
      typeof v === 'number' && v >= 1 && v <= 65535 ? undefined : 'must be a port number between 1 and 65535',
  },
  {
    name: 'kubelet-use-node-status-port',
    kind: 'bool',
    default: false,
    help: "Use each node's status.daemonEndpoints.kubeletEndpoint.Port (falls back to --kubelet-port).",
  },
  {
    name: 'kubelet-insecure-tls',
    kind: 'bool',
    default: false,
    help: "Do not verify the kubelets' serving certificates (testing only).",
  },
  {
    name: 'kubelet-certificate-authority',
    kind: 'string',
    default: '',
    help: "CA bundle to verify the kubelets' serving certificates. Default: the CA the cluster client trusts (the lister kubeconfig's, or the in-cluster service account's ca.crt), as metrics-server does.",
  },
  {
    name: 'kubelet-client-certificate',
    kind: 'string',
    default: '',
    help: 'Client certificate for the kubelets (with --kubelet-client-key). Default: the bearer token of --lister-kubeconfig / the service account.',
  },
  {
    name: 'kubelet-client-key',
    kind: 'string',
    default: '',
    help: 'Client key for the kubelets (with --kubelet-client-certificate).',
  },
  {
    name: 'kubelet-request-timeout',
    kind: 'duration',
    default: 10_000,
    help: 'Deadline of one kubelet scrape, answer body included.',
    validate: positiveDuration,
  },
  {
    name: 'kubelet-endpoint',
    kind: 'string',
    default: 'summary',
    help: 'What to scrape: summary (/stats/summary?only_cpu_and_memory=true) or resource (/metrics/resource).',
    validate: (v) => (v === 'summary' || v === 'resource' ? undefined : 'must be summary or resource'),
  },
  {
    name: 'kubelet-via-apiserver',
    kind: 'string',
    default: 'never',
    help: "Reach kubelets through the API server's node proxy (GET /api/v1/nodes/NAME/proxy/...): never (directly only, as metrics-server), fallback (when no address of a node can be reached), always (only that way, where the adapter cannot reach node networks). Needs RBAC get on nodes/proxy (docs/security.md).",
    validate: (v) =>
      v === 'never' || v === 'fallback' || v === 'always' ? undefined : 'must be never, fallback or always',
  },
  {
    name: 'metric-resolution',
    kind: 'duration',
    default: 15_000,
    help: 'Interval between two scrapes of each kubelet; CPU rates are computed over it.',
    validate: (v) => (typeof v === 'number' && v >= 1_000 ? undefined : 'must be at least 1s'),
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
  {
    name: 'adapter-url',
    kind: 'string',
    default: '',
    help: "explain pod|node: the running adapter to ask (https://HOST:PORT, e.g. after kubectl port-forward); the credentials are those of --kubeconfig. Default: the kubeconfig's server, with its TLS settings (the demo's kubeconfig points at the demo).",
  },
  {
    name: 'adapter-ca-file',
    kind: 'string',
    default: '',
    help: "explain pod|node: CA bundle to verify the adapter's serving certificate with (default: the system store).",
  },
  {
    name: 'adapter-insecure-skip-tls-verify',
    kind: 'bool',
    default: false,
    help: "explain pod|node: do not verify the adapter's serving certificate.",
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
  // prometheus-adapter v0.12 (generic apiserver, audit, klog) flags with no counterpart here, so
  // that its manifests start unchanged; test/config/fixtures lists the flags this block covers.
  // klog's old underscore spellings (--log_dir, ...) are accepted too: names are normalised.
  ...compatFlags(),
];

function compatFlags(): FlagSpec[] {
  // Audit is the setting here whose silent dropping would leave an operator without a record.
  const AUDIT_ENABLING = new Set(['audit-policy-file', 'audit-log-path', 'audit-webhook-config-file']);
  const ignored = (name: string, kind: FlagKind, def: FlagValue, what: string): FlagSpec => ({
    name,
    kind,
    default: def,
    help: `No effect (compatibility): ${what}`,
    compatOnly: true,
  });
  const warned = (
    name: string,
    kind: FlagKind,
    def: FlagValue,
    what: string,
    notice: (v: FlagValue) => FlagNotice | undefined,
  ): FlagSpec => ({
    name,
    kind,
    default: def,
    help: `Not supported (a warning is logged when given): ${what}`,
    noticeWhenGiven: notice,
  });
  const unsupported = (flag: string, consequence: string) => (): FlagNotice => ({
    level: 'warn',
    message: `--${flag} is not supported by metrics-adapter and has no effect: ${consequence}`,
  });
  const audit = (name: string, kind: FlagKind, def: FlagValue): FlagSpec =>
    AUDIT_ENABLING.has(name)
      ? warned(name, kind, def, 'audit logging is not implemented.', (v) =>
          v === ''
            ? undefined
            : unsupported(name, 'audit logging is not implemented, no audit events are written')(),
        )
      : ignored(name, kind, def, 'audit logging is not implemented.');
  const specs: FlagSpec[] = [
    {
      name: 'disable-http2',
      kind: 'bool',
      default: false,
      help: 'The server negotiates HTTP/1.1 only (ALPN), so HTTP/2 is always off; --disable-http2=false cannot turn it on.',
      noticeWhenGiven: (v) =>
        v === false
          ? {
              level: 'info',
              message: '--disable-http2=false: HTTP/2 is not offered by this server; clients use HTTP/1.1',
            }
          : undefined,
    },
    ignored('http2-max-streams-per-connection', 'int', 0, 'HTTP/2 is not offered.'),
    warned(
      'tls-sni-cert-key',
      'stringArray',
      [],
      'every client gets the --tls-cert-file certificate.',
      unsupported('tls-sni-cert-key', 'every client is served the --tls-cert-file certificate'),
    ),
    ignored(
      'permit-address-sharing',
      'bool',
      false,
      'the listener always binds with SO_REUSEADDR (Node does so on Linux).',
    ),
    warned(
      'permit-port-sharing',
      'bool',
      false,
      'no SO_REUSEPORT; a second process cannot bind the same port.',
      (v) =>
        v === true
          ? unsupported(
              'permit-port-sharing',
              'the port is not bound with SO_REUSEPORT, a second process cannot share it',
            )()
          : undefined,
    ),
    ignored(
      'max-mutating-requests-inflight',
      'int',
      200,
      'the metrics APIs are read-only (writes are a 405); --max-requests-inflight bounds every request.',
    ),
    ignored('debug-socket-path', 'string', '', 'no profiling endpoints.'),
    ignored(
      'enable-priority-and-fairness',
      'bool',
      true,
      'requests are not queued by priority level (--max-requests-inflight and --max-prometheus-queries bound the load instead).',
    ),
    ignored('log-flush-frequency', 'duration', 5_000, 'log lines are written at once.'),
    warned('log-dir', 'string', '', 'logs go to stderr only.', (v) =>
      v === '' ? undefined : unsupported('log-dir', 'logs go to stderr only, no log files are written')(),
    ),
    warned('log-file', 'string', '', 'logs go to stderr only.', (v) =>
      v === '' ? undefined : unsupported('log-file', 'logs go to stderr only, no log file is written')(),
    ),
    ignored('log-file-max-size', 'int', 1800, 'logs go to stderr only.'),
    ignored('log-backtrace-at', 'string', ':0', 'logs are JSON lines.'),
    ignored('one-output', 'bool', false, 'logs are JSON lines on stderr.'),
    ignored('skip-log-headers', 'bool', false, 'logs are JSON lines.'),
    audit('audit-policy-file', 'string', ''),
    audit('audit-log-path', 'string', ''),
    audit('audit-log-maxage', 'int', 0),
    audit('audit-log-maxbackup', 'int', 0),
    audit('audit-log-maxsize', 'int', 0),
    audit('audit-log-format', 'string', 'json'),
    audit('audit-log-compress', 'bool', false),
    audit('audit-log-mode', 'string', 'blocking'),
    audit('audit-log-batch-buffer-size', 'int', 10_000),
    audit('audit-log-batch-max-size', 'int', 1),
    audit('audit-log-batch-max-wait', 'duration', 0),
    audit('audit-log-batch-throttle-enable', 'bool', false),
    audit('audit-log-batch-throttle-qps', 'float', 0),
    audit('audit-log-batch-throttle-burst', 'int', 0),
    audit('audit-log-truncate-enabled', 'bool', false),
    audit('audit-log-truncate-max-batch-size', 'int', 10_485_760),
    audit('audit-log-truncate-max-event-size', 'int', 102_400),
    audit('audit-log-version', 'string', 'audit.k8s.io/v1'),
    audit('audit-webhook-config-file', 'string', ''),
    audit('audit-webhook-initial-backoff', 'duration', 10_000),
    audit('audit-webhook-mode', 'string', 'batch'),
    audit('audit-webhook-batch-buffer-size', 'int', 10_000),
    audit('audit-webhook-batch-max-size', 'int', 400),
    audit('audit-webhook-batch-max-wait', 'duration', 30_000),
    audit('audit-webhook-batch-throttle-enable', 'bool', true),
    audit('audit-webhook-batch-throttle-qps', 'float', 10),
    audit('audit-webhook-batch-throttle-burst', 'int', 15),
    audit('audit-webhook-truncate-enabled', 'bool', false),
    audit('audit-webhook-truncate-max-batch-size', 'int', 10_485_760),
    audit('audit-webhook-truncate-max-event-size', 'int', 102_400),
    audit('audit-webhook-version', 'string', 'audit.k8s.io/v1'),
  ];
  // Listed apart in --help (by name only, unless --help-all): none of them changes anything here.
  return specs.map((s) => ({ ...s, group: 'compatibility' }));
}

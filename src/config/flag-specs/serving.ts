/**
 * Serving, authentication and authorization flags: the generic apiserver's spelling, so a
 * prometheus-adapter Deployment's TLS and auth settings carry over unchanged.
 */
import { isIP } from 'node:net';
import { KUBECONFIG_FALLBACK_RULE } from '../kubeconfig-roles.js';
import type { FlagSpec } from './types.js';
import { nonNegative, port } from './validators.js';

const TLS_VERSIONS = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'];

export const SERVING_FLAGS: readonly FlagSpec[] = [
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
];

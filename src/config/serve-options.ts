/**
 * Turns parsed flags into typed, cross-checked options for `serve`. Every problem is a FlagError
 * naming the flag, so the CLI can print one line and exit 2.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { boolFlag, FlagError, listFlag, numberFlag, stringFlag, type FlagValues } from './flags.js';
import {
  resolveKubeconfigs,
  type KubeconfigChoice,
  type KubeconfigEnv,
  type KubeRole,
} from './kubeconfig-roles.js';
import { nodeTlsVersion, opensslCipherList, type NodeTlsVersion } from './tls-names.js';

export interface ServingOptions {
  port: number;
  bindAddress: string;
  certFile: string | undefined;
  keyFile: string | undefined;
  /** Set when the serving certificate is self-signed into this directory. */
  selfSignedCertDir: string | undefined;
  minVersion: NodeTlsVersion;
  ciphers: string | undefined;
  shutdownDelayMs: number;
}

export interface RequestHeaderOptions {
  clientCAFile: string | undefined;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
  uidHeaders: string[];
}

/** Bearer token authentication: local service-account JWT verification, then TokenReview. */
export interface TokenAuthenticationOptions {
  /** --authentication-token-webhook-cache-ttl, for authenticated and rejected answers alike. */
  cacheTtlMs: number;
  apiAudiences: string[];
  localVerification: boolean;
  /** Offline keys; undefined: read from the cluster. */
  jwksFile: string | undefined;
  /** Empty: the issuer the cluster's discovery document names. */
  issuers: string[];
}

export interface AuthenticationOptions {
  clientCAFile: string | undefined;
  requestHeader: RequestHeaderOptions;
  /** Which requestheader settings were given by flag (the rest may come from the cluster ConfigMap). */
  requestHeaderFlagsGiven: ReadonlySet<string>;
  /** extension-apiserver-authentication lookups; undefined: the in-cluster service account. */
  kubeconfig: string | undefined;
  skipLookup: boolean;
  tolerateLookupFailure: boolean;
  tokens: TokenAuthenticationOptions;
}

export interface AuthorizationOptions {
  /** SubjectAccessReviews; undefined: the in-cluster service account. */
  kubeconfig: string | undefined;
  alwaysAllowPaths: string[];
  allowedTtlMs: number;
  deniedTtlMs: number;
}

export interface PrometheusOptions {
  url: string;
  headers: Record<string, string>;
  tokenFile: string | undefined;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  authKubeconfig: string | undefined;
  authInCluster: boolean;
  verb: 'GET' | 'POST';
  timeoutMs: number;
  coalesceQueries: boolean;
}

export interface RulesOptions {
  configFile: string | undefined;
  relistIntervalMs: number;
  maxAgeMs: number;
}

/** The kubelet scraper's settings (metrics-server's flags); the shape of KubeletScraperOptions in src/kubelet. */
export interface KubeletOptions {
  /** --kubelet-scraper: false leaves metrics.k8s.io to resourceRules alone. */
  enabled: boolean;
  preferredAddressTypes: string[];
  port: number;
  useNodeStatusPort: boolean;
  insecureTLS: boolean;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  requestTimeoutMs: number;
  endpoint: 'summary' | 'resource';
  /** --kubelet-via-apiserver. */
  viaAPIServer: 'never' | 'fallback' | 'always';
  resolutionMs: number;
}

/** Bounds on the work one request, and all of them together, may cause. 0 means unlimited. */
export interface LimitsOptions {
  maxRequestsInflight: number;
  /** 0: requests have no deadline. */
  requestTimeoutMs: number;
  maxPrometheusQueries: number;
  maxSelectedObjects: number;
  maxQueryLength: number;
}

export interface ServeOptions {
  serving: ServingOptions;
  limits: LimitsOptions;
  authentication: AuthenticationOptions;
  authorization: AuthorizationOptions;
  /**
   * Every cluster call made for metrics: API discovery, lists and watches (--lister-kubeconfig,
   * alias --kubeconfig, after the fallback rule); undefined: the in-cluster service account.
   */
  listerKubeconfig: string | undefined;
  /** Where each role's kubeconfig came from (a flag, 'in-cluster', 'KUBECONFIG' or 'none'), for the start log. */
  kubeconfigSources: Readonly<Record<KubeRole, string>>;
  /** How often API discovery (resource names, kinds, scope) is refreshed. */
  discoveryIntervalMs: number;
  prometheus: PrometheusOptions;
  rules: RulesOptions;
  kubelet: KubeletOptions;
  logLevel: string;
}

export function optionalFile(values: FlagValues, name: string): string | undefined {
  const path = stringFlag(values, name);
  if (path === '') return undefined;
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FlagError(`--${name}`, `--${name}: cannot read "${path}" (${code})`);
  }
  return path;
}

function logLevelFrom(values: FlagValues): string {
  const explicit = stringFlag(values, 'log-level');
  if (explicit !== '') return explicit;
  const v = numberFlag(values, 'v');
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}

function headerMap(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** --kubeconfig is our alias of --lister-kubeconfig: one given serves both, two different files are an error. */
function listerKubeconfigFlag(values: FlagValues): string | undefined {
  const lister = optionalFile(values, 'lister-kubeconfig');
  const alias = optionalFile(values, 'kubeconfig');
  if (lister !== undefined && alias !== undefined && resolve(lister) !== resolve(alias)) {
    throw new FlagError(
      '--kubeconfig',
      `--kubeconfig ("${alias}") and --lister-kubeconfig ("${lister}") name different files: --kubeconfig is an alias of --lister-kubeconfig, give one of them`,
    );
  }
  return lister ?? alias;
}

/** The Prometheus connection flags (shared by serve, check and explain). */
export function buildPrometheusOptions(values: FlagValues): PrometheusOptions {
  const clientCertFile = optionalFile(values, 'prometheus-client-tls-cert-file');
  const clientKeyFile = optionalFile(values, 'prometheus-client-tls-key-file');
  if ((clientCertFile === undefined) !== (clientKeyFile === undefined)) {
    throw new FlagError(
      '--prometheus-client-tls-cert-file',
      '--prometheus-client-tls-cert-file and --prometheus-client-tls-key-file must be given together',
    );
  }
  const authKubeconfig = optionalFile(values, 'prometheus-auth-config');
  const authInCluster = boolFlag(values, 'prometheus-auth-incluster');
  if (authKubeconfig !== undefined && authInCluster) {
    throw new FlagError(
      '--prometheus-auth-incluster',
      '--prometheus-auth-incluster and --prometheus-auth-config cannot be used together',
    );
  }
  return {
    url: stringFlag(values, 'prometheus-url'),
    headers: headerMap(listFlag(values, 'prometheus-header')),
    tokenFile: optionalFile(values, 'prometheus-token-file'),
    caFile: optionalFile(values, 'prometheus-ca-file'),
    clientCertFile,
    clientKeyFile,
    authKubeconfig,
    authInCluster,
    verb: stringFlag(values, 'prometheus-verb') === 'POST' ? 'POST' : 'GET',
    timeoutMs: numberFlag(values, 'prometheus-timeout'),
    coalesceQueries: boolFlag(values, 'prometheus-query-coalescing'),
  };
}

/** The rules file and discovery flags (shared by serve, check and explain). */
export function buildRulesOptions(values: FlagValues): RulesOptions {
  const relistIntervalMs = numberFlag(values, 'metrics-relist-interval');
  const maxAgeFlag = numberFlag(values, 'metrics-max-age');
  const maxAgeMs = maxAgeFlag === 0 ? relistIntervalMs : maxAgeFlag;
  if (maxAgeMs < relistIntervalMs) {
    throw new FlagError(
      '--metrics-max-age',
      '--metrics-max-age must not be less than --metrics-relist-interval',
    );
  }
  return { configFile: optionalFile(values, 'config'), relistIntervalMs, maxAgeMs };
}

export function buildServeOptions(
  values: FlagValues,
  given: ReadonlySet<string>,
  env: KubeconfigEnv = process.env,
): ServeOptions {
  const certFile = optionalFile(values, 'tls-cert-file');
  const keyFile = optionalFile(values, 'tls-private-key-file');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? '--tls-cert-file' : '--tls-private-key-file';
    throw new FlagError(
      missing,
      `${missing} is required together with ${missing === '--tls-cert-file' ? '--tls-private-key-file' : '--tls-cert-file'}`,
    );
  }
  const certDir = stringFlag(values, 'cert-dir');
  if (certFile === undefined && certDir === '') {
    throw new FlagError(
      '--tls-cert-file',
      'no serving certificate: give --tls-cert-file and --tls-private-key-file (or --cert-dir for a self-signed one, for local use only)',
    );
  }
  let ciphers: string | undefined;
  try {
    ciphers = opensslCipherList(listFlag(values, 'tls-cipher-suites'));
  } catch (err) {
    throw new FlagError(
      '--tls-cipher-suites',
      `invalid argument for "--tls-cipher-suites": ${(err as Error).message}`,
    );
  }

  const prometheus = buildPrometheusOptions(values);
  const rules = buildRulesOptions(values);

  const kube: Record<KubeRole, KubeconfigChoice> = resolveKubeconfigs(
    {
      lister: listerKubeconfigFlag(values),
      authentication: optionalFile(values, 'authentication-kubeconfig'),
      authorization: optionalFile(values, 'authorization-kubeconfig'),
    },
    env,
  );
  const kubelet = kubeletOptionsFrom(values);
  const requestHeaderFlagsGiven = new Set(
    [
      'requestheader-client-ca-file',
      'requestheader-allowed-names',
      'requestheader-username-headers',
      'requestheader-group-headers',
      'requestheader-extra-headers-prefix',
      'requestheader-uid-headers',
    ].filter((f) => given.has(f)),
  );

  return {
    serving: {
      port: numberFlag(values, 'secure-port'),
      bindAddress: stringFlag(values, 'bind-address'),
      certFile,
      keyFile,
      selfSignedCertDir: certFile === undefined ? certDir : undefined,
      minVersion: nodeTlsVersion(stringFlag(values, 'tls-min-version')),
      ciphers,
      shutdownDelayMs: numberFlag(values, 'shutdown-delay-duration'),
    },
    limits: limitsOptionsFrom(values),
    authentication: {
      clientCAFile: optionalFile(values, 'client-ca-file'),
      requestHeader: {
        clientCAFile: optionalFile(values, 'requestheader-client-ca-file'),
        allowedNames: listFlag(values, 'requestheader-allowed-names').filter((n) => n !== ''),
        usernameHeaders: listFlag(values, 'requestheader-username-headers').filter((n) => n !== ''),
        groupHeaders: listFlag(values, 'requestheader-group-headers').filter((n) => n !== ''),
        extraHeaderPrefixes: listFlag(values, 'requestheader-extra-headers-prefix').filter((n) => n !== ''),
        uidHeaders: listFlag(values, 'requestheader-uid-headers').filter((n) => n !== ''),
      },
      requestHeaderFlagsGiven,
      kubeconfig: kube.authentication.path,
      skipLookup: boolFlag(values, 'authentication-skip-lookup'),
      tolerateLookupFailure: boolFlag(values, 'authentication-tolerate-lookup-failure'),
      tokens: tokenOptionsFrom(values),
    },
    authorization: {
      kubeconfig: kube.authorization.path,
      alwaysAllowPaths: listFlag(values, 'authorization-always-allow-paths').filter((p) => p !== ''),
      allowedTtlMs: numberFlag(values, 'authorization-webhook-cache-authorized-ttl'),
      deniedTtlMs: numberFlag(values, 'authorization-webhook-cache-unauthorized-ttl'),
    },
    listerKubeconfig: kube.lister.path,
    kubeconfigSources: {
      lister: kube.lister.from,
      authentication: kube.authentication.from,
      authorization: kube.authorization.from,
    },
    discoveryIntervalMs: numberFlag(values, 'discovery-interval'),
    prometheus,
    rules,
    kubelet,
    logLevel: logLevelFrom(values),
  };
}

function tokenOptionsFrom(values: FlagValues): TokenAuthenticationOptions {
  const jwksFile = optionalFile(values, 'service-account-jwks-file');
  const issuers = listFlag(values, 'service-account-issuer').filter((i) => i !== '');
  if (jwksFile !== undefined && issuers.length === 0) {
    throw new FlagError(
      '--service-account-issuer',
      '--service-account-jwks-file needs --service-account-issuer: the keys of a file are trusted for the issuers named by flag only',
    );
  }
  return {
    cacheTtlMs: numberFlag(values, 'authentication-token-webhook-cache-ttl'),
    apiAudiences: listFlag(values, 'api-audiences').filter((a) => a !== ''),
    localVerification: boolFlag(values, 'service-account-local-verification'),
    jwksFile,
    issuers,
  };
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

function viaAPIServerFrom(v: string): KubeletOptions['viaAPIServer'] {
  return v === 'fallback' || v === 'always' ? v : 'never';
}

function kubeletOptionsFrom(values: FlagValues): KubeletOptions {
  const clientCertFile = optionalFile(values, 'kubelet-client-certificate');
  const clientKeyFile = optionalFile(values, 'kubelet-client-key');
  if ((clientCertFile === undefined) !== (clientKeyFile === undefined)) {
    const missing = clientCertFile === undefined ? '--kubelet-client-certificate' : '--kubelet-client-key';
    throw new FlagError(
      missing,
      '--kubelet-client-certificate and --kubelet-client-key must be given together',
    );
  }
  const caFile = optionalFile(values, 'kubelet-certificate-authority');
  const insecureTLS = boolFlag(values, 'kubelet-insecure-tls');
  if (insecureTLS && caFile !== undefined) {
    throw new FlagError(
      '--kubelet-insecure-tls',
      '--kubelet-insecure-tls and --kubelet-certificate-authority cannot be used together',
    );
  }
  const resolutionMs = numberFlag(values, 'metric-resolution');
  const requestTimeoutMs = numberFlag(values, 'kubelet-request-timeout');
  return {
    enabled: boolFlag(values, 'kubelet-scraper'),
    preferredAddressTypes: listFlag(values, 'kubelet-preferred-address-types').filter((t) => t !== ''),
    port: numberFlag(values, 'kubelet-port'),
    useNodeStatusPort: boolFlag(values, 'kubelet-use-node-status-port'),
    insecureTLS,
    caFile,
    clientCertFile,
    clientKeyFile,
    requestTimeoutMs,
    endpoint: stringFlag(values, 'kubelet-endpoint') === 'resource' ? 'resource' : 'summary',
    viaAPIServer: viaAPIServerFrom(stringFlag(values, 'kubelet-via-apiserver')),
    resolutionMs,
  };
}

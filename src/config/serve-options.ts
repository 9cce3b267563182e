/**
 * Turns parsed flags into typed, cross-checked options for `serve`. Every problem is a FlagError
 * naming the flag, so the CLI can print one line and exit 2.
 */
import { accessSync, constants } from 'node:fs';
import { boolFlag, FlagError, listFlag, numberFlag, stringFlag, type FlagValues } from './flags.js';
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

export interface AuthenticationOptions {
  clientCAFile: string | undefined;
  requestHeader: RequestHeaderOptions;
  /** Which requestheader settings were given by flag (the rest may come from the cluster ConfigMap). */
  requestHeaderFlagsGiven: ReadonlySet<string>;
  kubeconfig: string | undefined;
  skipLookup: boolean;
  tolerateLookupFailure: boolean;
}

export interface AuthorizationOptions {
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

export interface ServeOptions {
  serving: ServingOptions;
  authentication: AuthenticationOptions;
  authorization: AuthorizationOptions;
  kubeconfig: string | undefined;
  listerKubeconfig: string | undefined;
  prometheus: PrometheusOptions;
  rules: RulesOptions;
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

export function buildServeOptions(values: FlagValues, given: ReadonlySet<string>): ServeOptions {
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

  const kubeconfig = optionalFile(values, 'kubeconfig');
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
      kubeconfig: optionalFile(values, 'authentication-kubeconfig') ?? kubeconfig,
      skipLookup: boolFlag(values, 'authentication-skip-lookup'),
      tolerateLookupFailure: boolFlag(values, 'authentication-tolerate-lookup-failure'),
    },
    authorization: {
      kubeconfig: optionalFile(values, 'authorization-kubeconfig') ?? kubeconfig,
      alwaysAllowPaths: listFlag(values, 'authorization-always-allow-paths').filter((p) => p !== ''),
      allowedTtlMs: numberFlag(values, 'authorization-webhook-cache-authorized-ttl'),
      deniedTtlMs: numberFlag(values, 'authorization-webhook-cache-unauthorized-ttl'),
    },
    kubeconfig,
    listerKubeconfig: optionalFile(values, 'lister-kubeconfig') ?? kubeconfig,
    prometheus,
    rules,
    logLevel: logLevelFrom(values),
  };
}

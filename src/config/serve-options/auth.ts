/**
 * Who may call the adapter: client certificates, the front proxy's request headers, bearer tokens
 * (local service-account verification, then TokenReview) and SubjectAccessReview authorization.
 */
import { boolFlag, FlagError, listFlag, numberFlag, type FlagValues } from '../flags.js';
import { optionalFile } from './optional-file.js';

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

const REQUEST_HEADER_FLAGS = [
  'requestheader-client-ca-file',
  'requestheader-allowed-names',
  'requestheader-username-headers',
  'requestheader-group-headers',
  'requestheader-extra-headers-prefix',
  'requestheader-uid-headers',
];

/** `kubeconfig`: the authentication role's, after the fallback rule (kubeconfig-roles.ts). */
export function authenticationOptionsFrom(
  values: FlagValues,
  given: ReadonlySet<string>,
  kubeconfig: string | undefined,
): AuthenticationOptions {
  return {
    clientCAFile: optionalFile(values, 'client-ca-file'),
    requestHeader: {
      clientCAFile: optionalFile(values, 'requestheader-client-ca-file'),
      allowedNames: listFlag(values, 'requestheader-allowed-names').filter((n) => n !== ''),
      usernameHeaders: listFlag(values, 'requestheader-username-headers').filter((n) => n !== ''),
      groupHeaders: listFlag(values, 'requestheader-group-headers').filter((n) => n !== ''),
      extraHeaderPrefixes: listFlag(values, 'requestheader-extra-headers-prefix').filter((n) => n !== ''),
      uidHeaders: listFlag(values, 'requestheader-uid-headers').filter((n) => n !== ''),
    },
    requestHeaderFlagsGiven: new Set(REQUEST_HEADER_FLAGS.filter((f) => given.has(f))),
    kubeconfig,
    skipLookup: boolFlag(values, 'authentication-skip-lookup'),
    tolerateLookupFailure: boolFlag(values, 'authentication-tolerate-lookup-failure'),
    tokens: tokenOptionsFrom(values),
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

/** `kubeconfig`: the authorization role's, after the fallback rule (kubeconfig-roles.ts). */
export function authorizationOptionsFrom(
  values: FlagValues,
  kubeconfig: string | undefined,
): AuthorizationOptions {
  return {
    kubeconfig,
    alwaysAllowPaths: listFlag(values, 'authorization-always-allow-paths').filter((p) => p !== ''),
    allowedTtlMs: numberFlag(values, 'authorization-webhook-cache-authorized-ttl'),
    deniedTtlMs: numberFlag(values, 'authorization-webhook-cache-unauthorized-ttl'),
  };
}

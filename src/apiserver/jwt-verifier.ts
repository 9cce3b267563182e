/**
 * Local verification of Kubernetes service-account tokens (JWTs), so that the common caller — a
 * service account such as the HPA controller's, or Prometheus scraping — costs no TokenReview.
 * The verifier gives one of three verdicts:
 *  - user: signature, issuer, audience, expiry and not-before hold; the identity is what the
 *    kube-apiserver derives from the same claims;
 *  - rejected: a token no Kubernetes authenticator would accept (`alg: none` or a symmetric
 *    algorithm, malformed, expired, not yet valid, a bad signature, the wrong audience, or a key
 *    of ours vouching for another issuer);
 *  - undecided: the token may be good but only the cluster can tell (another issuer such as an
 *    OIDC provider, a legacy secret-based token, a key we do not know even after reloading, keys
 *    not loaded, or a token past its `warnafter` whose bound pod or secret must be looked up):
 *    TokenReview decides.
 * What local verification cannot see is whether the pod, secret or node a token is bound to still
 * exists; bound tokens are short-lived for that reason, and tokens that the kube-apiserver has
 * extended past their requested lifetime (`warnafter`) go to TokenReview.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { UserInfo } from '../kube/index.js';
import type { IssuerKeySet } from './jwt-keys.js';

/** The algorithms Kubernetes signs service-account tokens with (RSA and ECDSA families). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;

/** The issuer of legacy Secret-based tokens; whether the Secret still exists decides, so TokenReview does. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

export type LocalVerdict =
  | { kind: 'user'; user: UserInfo }
  | { kind: 'rejected'; reason: string }
  | { kind: 'undecided'; reason: string };

export interface JwtVerifierOptions {
  keys: IssuerKeySet;
  /** --api-audiences; empty: the issuer is the audience (the kube-apiserver's default). */
  audiences: readonly string[];
  clockSkewSeconds?: number;
  now?: () => number;
}

interface KubernetesClaims {
  namespace?: unknown;
  serviceaccount?: { name?: unknown; uid?: unknown };
  pod?: { name?: unknown; uid?: unknown };
  node?: { name?: unknown; uid?: unknown };
  secret?: { name?: unknown; uid?: unknown };
  warnafter?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A compact JWS: three base64url parts. Anything else is some other kind of token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export class ServiceAccountJwtVerifier {
  constructor(private readonly o: JwtVerifierOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async verify(token: string): Promise<LocalVerdict> {
    if (!looksLikeJwt(token)) return { kind: 'undecided', reason: 'not a JWT' };
    let alg: unknown;
    let kid: unknown;
    let claims: JWTPayload;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
      claims = decodeJwt(token);
    } catch {
      return { kind: 'rejected', reason: 'malformed JWT' };
    }
    if (typeof alg !== 'string' || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg))
      return { kind: 'rejected', reason: `JWT algorithm ${JSON.stringify(alg ?? null)} is not accepted` };
    const issuer = claims.iss;
    if (typeof issuer !== 'string' || issuer === '')
      return { kind: 'rejected', reason: 'JWT without issuer' };
    if (issuer === LEGACY_ISSUER) return { kind: 'undecided', reason: 'legacy service-account token' };

    let keys = await this.o.keys.get();
    if (keys === undefined) return { kind: 'undecided', reason: 'service-account keys not loaded' };
    const knownKid = typeof kid === 'string' && keys.kids.has(kid);
    if (!keys.issuers.has(issuer)) {
      return knownKid
        ? { kind: 'rejected', reason: `JWT signed with a service-account key names issuer ${issuer}` }
        : { kind: 'undecided', reason: 'issuer is not the cluster service-account issuer' };
    }
    if (typeof kid === 'string' && !knownKid) {
      keys = (await this.o.keys.refresh()) ?? keys;
      if (!keys.kids.has(kid)) return { kind: 'undecided', reason: `unknown key id ${kid}` };
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.keys, {
        issuer,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: this.o.clockSkewSeconds ?? 60,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey)
        return { kind: 'undecided', reason: 'no matching service-account key' };
      if (err instanceof errors.JWTExpired) return { kind: 'rejected', reason: 'token expired' };
      if (err instanceof errors.JWTClaimValidationFailed)
        return { kind: 'rejected', reason: `claim ${err.claim} ${err.reason}` };
      if (err instanceof errors.JWSSignatureVerificationFailed)
        return { kind: 'rejected', reason: 'invalid signature' };
      return { kind: 'rejected', reason: err instanceof Error ? err.message : 'invalid token' };
    }

    const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (this.o.audiences.length > 0) {
      if (!audiences.some((a) => this.o.audiences.includes(a)))
        return { kind: 'rejected', reason: `token audiences ${JSON.stringify(audiences)} are not ours` };
    } else if (!audiences.some((a) => keys.issuers.has(a))) {
      // Without --api-audiences the kube-apiserver's own audiences apply, which default to the
      // issuer but may have been set to others: only the cluster knows.
      return { kind: 'undecided', reason: 'audience is not the issuer' };
    }

    const k = (payload['kubernetes.io'] ?? {}) as KubernetesClaims;
    if (typeof k.warnafter === 'number' && this.now() / 1000 > k.warnafter)
      return { kind: 'undecided', reason: 'token past warnafter (extended lifetime)' };
    if (k.secret !== undefined) return { kind: 'undecided', reason: 'secret-bound token' };
    return userFromClaims(payload.sub ?? '', k, str(payload.jti));
  }
}

/** The identity the kube-apiserver gives a service-account token with these claims. */
export function userFromClaims(subject: string, k: KubernetesClaims, jti: string): LocalVerdict {
  const namespace = str(k.namespace);
  const name = str(k.serviceaccount?.name);
  const uid = str(k.serviceaccount?.uid);
  if (namespace === '' || name === '' || uid === '')
    return { kind: 'rejected', reason: 'token lacks the kubernetes.io service-account claims' };
  const username = `system:serviceaccount:${namespace}:${name}`;
  if (subject !== username)
    return { kind: 'rejected', reason: `token subject ${subject} does not match its service account` };
  const extra: Record<string, string[]> = {};
  const podName = str(k.pod?.name);
  const podUid = str(k.pod?.uid);
  if (podName !== '' && podUid !== '') {
    extra[EXTRA_POD_NAME] = [podName];
    extra[EXTRA_POD_UID] = [podUid];
  }
  if (jti !== '') extra[EXTRA_CREDENTIAL_ID] = [`JTI=${jti}`];
  const nodeName = str(k.node?.name);
  if (nodeName !== '') {
    extra[EXTRA_NODE_NAME] = [nodeName];
    const nodeUid = str(k.node?.uid);
    if (nodeUid !== '') extra[EXTRA_NODE_UID] = [nodeUid];
  }
  return {
    kind: 'user',
    user: {
      name: username,
      uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
      extra,
    },
  };
}

/**
 * The service-account token issuer of the simulated kube-apiserver: real key pairs (jose), the
 * OpenID discovery document and JWKS it publishes, tokens minted in the shapes Kubernetes issues
 * (bound tokens with the `kubernetes.io` claim, legacy Secret-based tokens) plus the broken ones a
 * test needs (expired, not yet valid, wrong audience or issuer, `alg: none`, signed with a key not
 * yet published), and the kube-apiserver's own verdict on a token for TokenReview.
 *
 * Differences from Kubernetes: a bound token's pod or secret is "still there" when the test says
 * so (`bindingExists`), node bindings are not checked, and legacy tokens are accepted without a
 * Secret lookup unless `revokeLegacy` names them.
 */
import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  base64url,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  decodeJwt,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export type SigningAlgorithm = 'RS256' | 'ES256';

interface IssuerKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
  published: boolean;
}

export interface MintOptions {
  namespace?: string;
  serviceAccount?: string;
  serviceAccountUid?: string;
  pod?: { name: string; uid: string };
  node?: { name: string; uid?: string };
  secret?: { name: string; uid: string };
  /** Default [issuer]. */
  audiences?: string[];
  /** Default the issuer's; anything else is a wrong issuer. */
  issuer?: string;
  /** Seconds from now (negative: expired). Default 3600. */
  expiresIn?: number;
  /** Seconds from now of nbf (positive: not yet valid). Default 0. */
  notBefore?: number;
  /** Seconds from now of kubernetes.io.warnafter (an extended token). */
  warnAfter?: number;
  /** Default a random UUID; '' leaves jti out. */
  jti?: string;
  alg?: SigningAlgorithm | 'none';
  /** Which key signs: a kid, or by default the newest published key of the algorithm. */
  kid?: string;
  /** Header kid to claim instead of the signing key's. */
  headerKid?: string;
  /** Replace the subject (a mismatch with the service account). */
  subject?: string;
}

export interface IssuerVerdict {
  authenticated: boolean;
  error?: string;
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  audiences?: string[];
}

export interface FakeServiceAccountIssuer {
  readonly issuer: string;
  /** The discovery document as the kube-apiserver serves it. */
  openIdConfiguration(baseUrl: string): Record<string, unknown>;
  jwks(): { keys: JWK[] };
  /** Adds a key; published at once unless `publish` is false. Returns its kid. */
  addKey(alg?: SigningAlgorithm, publish?: boolean): Promise<string>;
  publish(kid: string): void;
  /** Stops publishing (and accepting) a key. */
  retire(kid: string): void;
  mint(opts?: MintOptions): Promise<string>;
  mintLegacy(opts?: {
    namespace?: string;
    serviceAccount?: string;
    serviceAccountUid?: string;
    secretName?: string;
  }): Promise<string>;
  /** What the kube-apiserver's TokenReview says about a JWT; undefined when it is not one of ours. */
  review(token: string, audiences: string[]): Promise<IssuerVerdict | undefined>;
  /** Tokens bound to these pods/secrets (by uid) are no longer valid, as after a deletion. */
  revokeBinding(uid: string): void;
}

async function newKey(alg: SigningAlgorithm, published: boolean): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, published };
}

export async function createFakeServiceAccountIssuer(
  issuer: string = DEFAULT_ISSUER,
): Promise<FakeServiceAccountIssuer> {
  const keys: IssuerKey[] = [await newKey('RS256', true), await newKey('ES256', true)];
  const revoked = new Set<string>();

  const signingKey = (alg: SigningAlgorithm, kid: string | undefined): IssuerKey => {
    const key =
      kid !== undefined
        ? keys.find((k) => k.kid === kid)
        : [...keys].reverse().find((k) => k.alg === alg && k.published);
    if (key === undefined) throw new Error(`fake issuer: no key ${kid ?? alg}`);
    return key;
  };

  const sign = async (
    payload: JWTPayload,
    alg: SigningAlgorithm | 'none',
    kid: string | undefined,
    headerKid: string | undefined,
  ): Promise<string> => {
    if (alg === 'none') {
      const header = base64url.encode(
        JSON.stringify({ alg: 'none', typ: 'JWT', kid: headerKid ?? keys[0]?.kid }),
      );
      return `${header}.${base64url.encode(JSON.stringify(payload))}.`;
    }
    const key = signingKey(kid === undefined ? alg : (keys.find((k) => k.kid === kid)?.alg ?? alg), kid);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: headerKid ?? key.kid })
      .sign(key.privateKey);
  };

  const localSet = () => createLocalJWKSet({ keys: keys.filter((k) => k.published).map((k) => k.publicJwk) });

  return {
    issuer,
    openIdConfiguration: (baseUrl) => ({
      issuer,
      jwks_uri: `${baseUrl}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...new Set(keys.filter((k) => k.published).map((k) => k.alg))],
    }),
    jwks: () => ({ keys: keys.filter((k) => k.published).map((k) => ({ ...k.publicJwk })) }),
    async addKey(alg = 'RS256', publish = true) {
      const key = await newKey(alg, publish);
      keys.push(key);
      return key.kid;
    },
    publish(kid) {
      const k = keys.find((x) => x.kid === kid);
      if (k === undefined) throw new Error(`fake issuer: no key ${kid}`);
      k.published = true;
    },
    retire(kid) {
      const k = keys.find((x) => x.kid === kid);
      if (k !== undefined) k.published = false;
    },
    async mint(o = {}) {
      const ns = o.namespace ?? 'default';
      const sa = o.serviceAccount ?? 'default';
      const now = Math.floor(Date.now() / 1000);
      const k8s: Record<string, unknown> = {
        namespace: ns,
        serviceaccount: { name: sa, uid: o.serviceAccountUid ?? `sa-uid-${ns}-${sa}` },
      };
      if (o.pod !== undefined) k8s.pod = { ...o.pod };
      if (o.secret !== undefined) k8s.secret = { ...o.secret };
      if (o.node !== undefined) k8s.node = { ...o.node };
      if (o.warnAfter !== undefined) k8s.warnafter = now + o.warnAfter;
      const payload: JWTPayload = {
        aud: o.audiences ?? [issuer],
        exp: now + (o.expiresIn ?? 3600),
        iat: now - 1,
        iss: o.issuer ?? issuer,
        nbf: now + (o.notBefore ?? 0) - (o.notBefore === undefined ? 1 : 0),
        sub: o.subject ?? `system:serviceaccount:${ns}:${sa}`,
        'kubernetes.io': k8s,
      };
      const jti = o.jti ?? randomUUID();
      if (jti !== '') payload.jti = jti;
      return sign(payload, o.alg ?? 'RS256', o.kid, o.headerKid);
    },
    async mintLegacy(o = {}) {
      const ns = o.namespace ?? 'default';
      const sa = o.serviceAccount ?? 'default';
      return sign(
        {
          iss: LEGACY_ISSUER,
          'kubernetes.io/serviceaccount/namespace': ns,
          'kubernetes.io/serviceaccount/secret.name': o.secretName ?? `${sa}-token-abcde`,
          'kubernetes.io/serviceaccount/service-account.name': sa,
          'kubernetes.io/serviceaccount/service-account.uid': o.serviceAccountUid ?? `sa-uid-${ns}-${sa}`,
          sub: `system:serviceaccount:${ns}:${sa}`,
        },
        'RS256',
        undefined,
        undefined,
      );
    },
    async review(token, audiences) {
      let claims: JWTPayload;
      try {
        claims = decodeJwt(token);
      } catch {
        return undefined;
      }
      const fail = (error: string): IssuerVerdict => ({
        authenticated: false,
        error: `[invalid bearer token, ${error}]`,
      });
      if (claims.iss === LEGACY_ISSUER) {
        try {
          await jwtVerify(token, localSet(), { algorithms: ['RS256', 'ES256'] });
        } catch (err) {
          return fail((err as Error).message);
        }
        const c = claims as Record<string, unknown>;
        const ns = String(c['kubernetes.io/serviceaccount/namespace']);
        const name = String(c['kubernetes.io/serviceaccount/service-account.name']);
        if (revoked.has(String(c['kubernetes.io/serviceaccount/secret.name'])))
          return fail('token has been invalidated');
        return {
          authenticated: true,
          username: `system:serviceaccount:${ns}:${name}`,
          uid: String(c['kubernetes.io/serviceaccount/service-account.uid']),
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          audiences,
        };
      }
      if (claims.iss !== issuer) return undefined;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, localSet(), {
          issuer,
          algorithms: ['RS256', 'ES256'],
          requiredClaims: ['exp'],
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired)
          return fail('square/go-jose/jwt: validation failed, token is expired (exp)');
        return fail((err as Error).message);
      }
      const tokenAud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const valid = audiences.filter((a) => tokenAud.includes(a));
      if (valid.length === 0)
        return fail(
          `token audiences ${JSON.stringify(tokenAud)} is invalid for the target audiences ${JSON.stringify(audiences)}`,
        );
      const k = (payload['kubernetes.io'] ?? {}) as {
        namespace: string;
        serviceaccount: { name: string; uid: string };
        pod?: { name: string; uid: string };
        secret?: { name: string; uid: string };
        node?: { name: string; uid?: string };
      };
      for (const bound of [k.pod, k.secret]) {
        if (bound !== undefined && revoked.has(bound.uid))
          return fail(`${bound.name} (${bound.uid}) no longer exists`);
      }
      const extra: Record<string, string[]> = {};
      if (k.pod !== undefined) {
        extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
        extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
      }
      if (typeof payload.jti === 'string')
        extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
      if (k.node !== undefined) {
        extra['authentication.kubernetes.io/node-name'] = [k.node.name];
        if (k.node.uid !== undefined) extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
      }
      const verdict: IssuerVerdict = {
        authenticated: true,
        username: `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`,
        uid: k.serviceaccount.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
        audiences: valid,
      };
      if (Object.keys(extra).length > 0) verdict.extra = extra;
      return verdict;
    },
    revokeBinding(uid) {
      revoked.add(uid);
    },
  };
}

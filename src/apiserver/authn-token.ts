/**
 * Bearer token authentication: local verification of service-account JWTs first (when enabled and
 * the keys are loaded), TokenReview for whatever it cannot decide. Like the generic apiserver's
 * delegating authenticator, a TokenReview that fails (the Kubernetes API unreachable or erroring)
 * fails the request with a 401; it is logged and counted so an operator can tell it from bad tokens.
 */
import { FileSetWatcher } from '../config/file-watch.js';
import type { TokenAuthenticationOptions } from '../config/serve-options.js';
import { errorMessage } from '../errors.js';
import { TokenReviewer, type KubeClient, type UserInfo } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import { clusterKeysLoader, fileKeysLoader, IssuerKeySet } from './jwt-keys.js';
import { ServiceAccountJwtVerifier } from './jwt-verifier.js';

export type TokenVerdict =
  { kind: 'user'; user: UserInfo; method: 'jwt' | 'tokenreview' } | { kind: 'failed'; reason: string };

export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<TokenVerdict>;
}

export interface BearerTokenAuthenticatorOptions {
  /** undefined: local verification is off. */
  jwt: ServiceAccountJwtVerifier | undefined;
  /** undefined: no cluster to ask; only locally verifiable tokens are accepted. */
  reviewer: TokenReviewer | undefined;
  logger: Logger;
  metrics: SelfMetrics;
}

export class BearerTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly o: BearerTokenAuthenticatorOptions) {}

  async authenticateToken(token: string): Promise<TokenVerdict> {
    const { metrics, logger } = this.o;
    let undecided = 'local verification is off';
    if (this.o.jwt !== undefined) {
      const local = await this.o.jwt.verify(token);
      if (local.kind === 'user') {
        metrics.tokenAuthentications.inc({ method: 'jwt', result: 'authenticated' });
        return { kind: 'user', user: local.user, method: 'jwt' };
      }
      if (local.kind === 'rejected') {
        metrics.tokenAuthentications.inc({ method: 'jwt', result: 'rejected' });
        return { kind: 'failed', reason: local.reason };
      }
      undecided = local.reason;
    }
    if (this.o.reviewer === undefined) {
      metrics.tokenAuthentications.inc({ method: 'tokenreview', result: 'unavailable' });
      return { kind: 'failed', reason: `${undecided}, and no cluster to send a TokenReview to` };
    }
    try {
      const { outcome, source } = await this.o.reviewer.review(token);
      const method = source === 'hit' ? 'tokenreview_cache' : 'tokenreview';
      if (!outcome.authenticated) {
        metrics.tokenAuthentications.inc({ method, result: 'rejected' });
        return { kind: 'failed', reason: outcome.reason };
      }
      metrics.tokenAuthentications.inc({ method, result: 'authenticated' });
      return { kind: 'user', user: outcome.user, method: 'tokenreview' };
    } catch (err) {
      metrics.tokenAuthentications.inc({ method: 'tokenreview', result: 'error' });
      logger.warn(
        { err: errorMessage(err) },
        'TokenReview failed; the request is rejected as unauthenticated (check the authentication kubeconfig and the Kubernetes API)',
      );
      return { kind: 'failed', reason: 'TokenReview failed' };
    }
  }
}

export interface TokenAuthentication {
  authenticator: BearerTokenAuthenticator;
  close(): void;
}

/**
 * Builds bearer token authentication from the flags: a TokenReviewer on the authentication
 * client, and local verification with keys from the JWKS file (watched) or the cluster. Keys are
 * loaded in the background: until they are, tokens go to TokenReview.
 */
export async function startTokenAuthentication(o: {
  options: TokenAuthenticationOptions;
  /** The authentication kubeconfig role's client; undefined without a cluster. */
  client: KubeClient | undefined;
  logger: Logger;
  metrics: SelfMetrics;
  filePollMs?: number;
}): Promise<TokenAuthentication> {
  const { options, client, logger } = o;
  const reviewer =
    client === undefined
      ? undefined
      : new TokenReviewer(client, {
          audiences: options.apiAudiences,
          allowedTtlMs: options.cacheTtlMs,
          deniedTtlMs: options.cacheTtlMs,
        });
  let jwt: ServiceAccountJwtVerifier | undefined;
  let watcher: FileSetWatcher | undefined;
  if (options.localVerification) {
    const file = options.jwksFile;
    const load =
      file !== undefined
        ? fileKeysLoader(file, options.issuers)
        : client !== undefined
          ? clusterKeysLoader(client, options.issuers)
          : undefined;
    if (load !== undefined) {
      const keys = new IssuerKeySet({ load, source: file ?? 'the cluster', logger });
      jwt = new ServiceAccountJwtVerifier({ keys, audiences: options.apiAudiences });
      if (file !== undefined) {
        await keys.refresh(true);
        watcher = await FileSetWatcher.start([file], () => void keys.refresh(true), {
          pollIntervalMs: o.filePollMs,
        });
      } else {
        void keys.refresh(true);
      }
    }
  }
  logger.info(
    {
      localVerification: jwt !== undefined,
      keys: jwt === undefined ? undefined : (options.jwksFile ?? 'the cluster'),
      tokenReview: reviewer !== undefined,
      apiAudiences: options.apiAudiences,
      cacheTtlMs: options.cacheTtlMs,
    },
    'bearer token authentication',
  );
  return {
    authenticator: new BearerTokenAuthenticator({ jwt, reviewer, logger, metrics: o.metrics }),
    close: () => watcher?.close(),
  };
}

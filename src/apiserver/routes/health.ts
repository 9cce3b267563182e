/**
 * The health endpoints' router, mounted at `/healthz`, `/livez` and `/readyz`: all checks at the
 * endpoint itself, one check at `/<endpoint>/<check>` (health.ts writes the answers).
 *
 * The health paths are usually always allowed (no SubjectAccessReview), so whether a caller may
 * read failing checks' reasons is decided here, only when a reason would be shown: an
 * authenticated (non-anonymous) user whom the authorizer allows `get` on the path, as a
 * non-resource request. A review that fails withholds the reason rather than failing the probe.
 */
import type { Router } from 'express';
import { errorMessage } from '../../errors.js';
import type { UserInfo } from '../../kube/index.js';
import type { Logger } from '../../logging.js';
import type { SelfMetrics } from '../../self-metrics.js';
import type { Authorizer } from '../authz.js';
import type { HealthChecks, HealthEndpoint, ReasonsAccess } from '../health.js';
import type { RequestContext } from '../request-context.js';
import { resolveRequestInfo } from '../request-info.js';
import { newRouter } from '../router.js';

export const HEALTH_ENDPOINTS: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

export interface HealthRouteDeps {
  health: HealthChecks;
  authorizer: Authorizer;
  logger: Logger;
  metrics: SelfMetrics;
}

export function healthRouter(deps: HealthRouteDeps, endpoint: HealthEndpoint): Router {
  const router = newRouter();
  router.get('/', (_req, res) => {
    const context = res.locals.context;
    return deps.health.handle(endpoint, undefined, context.query, res, reasonsAccess(deps, context));
  });
  router.get('/:check', (req, res) => {
    const context = res.locals.context;
    return deps.health.handle(endpoint, req.params.check, context.query, res, reasonsAccess(deps, context));
  });
  return router;
}

/**
 * Anonymous as the generic apiserver represents it: the user system:anonymous, also when a front
 * proxy (the aggregator) forwards an anonymous request under that name.
 */
function isAnonymous(user: UserInfo): boolean {
  return user.name === 'system:anonymous' || user.groups.includes('system:unauthenticated');
}

function reasonsAccess(deps: HealthRouteDeps, context: RequestContext): ReasonsAccess {
  return async () => {
    if (isAnonymous(context.user)) return false;
    // A path outside --authorization-always-allow-paths was already reviewed for this request.
    if (context.authorized) return true;
    const info = resolveRequestInfo(context.path, context.segments, context.query);
    try {
      const decision = await deps.authorizer.authorize(context.user, info);
      deps.metrics.authorizationDecisions.inc({ decision: decision.allowed ? 'allowed' : 'denied' });
      return decision.allowed;
    } catch (err) {
      deps.metrics.authorizationDecisions.inc({ decision: 'error' });
      deps.logger.warn(
        { path: context.path, user: context.user.name, err: errorMessage(err) },
        'health check reasons withheld: the SubjectAccessReview for the caller failed',
      );
      return false;
    }
  };
}

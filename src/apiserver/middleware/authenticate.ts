/**
 * Authentication (see authn.ts for the order of methods). An unverifiable certificate or token,
 * or an anonymous caller, is a 401, except on the always-allowed paths, which anyone may read.
 * Only requests with a bearer token wait for a promise.
 */
import type { NextFunction, RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { SelfMetrics } from '../../self-metrics.js';
import type { AuthenticationResult, Authenticator } from '../authn.js';
import type { PathAllowList } from '../authz.js';
import type { RequestContext } from '../request-context.js';

export function authenticate(
  authenticator: Authenticator,
  alwaysAllowed: PathAllowList,
  logger: Logger,
  metrics: SelfMetrics,
): RequestHandler {
  const conclude = (context: RequestContext, result: AuthenticationResult, next: NextFunction): void => {
    const open = alwaysAllowed.allows(context.path);
    if (result.kind === 'failed') {
      metrics.authenticationFailures.inc({ cause: 'invalid' });
      logger.debug({ path: context.path, reason: result.reason }, 'authentication failed');
      if (!open) throw new UnauthorizedError('Unauthorized');
    } else if (result.kind === 'user') {
      context.user = result.user;
    } else if (!open) {
      metrics.authenticationFailures.inc({ cause: 'anonymous' });
      throw new UnauthorizedError('Unauthorized');
    }
    next();
  };
  return (req, res, next) => {
    const context = res.locals.context;
    const result = authenticator.authenticate(req);
    if (!(result instanceof Promise)) {
      conclude(context, result, next);
      return;
    }
    return result.then((r) => conclude(context, r, next));
  };
}

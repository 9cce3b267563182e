/**
 * Authentication (see authn.ts for the order of methods). An unverifiable certificate or an
 * anonymous caller is a 401, except on the always-allowed paths, which anyone may read.
 */
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { SelfMetrics } from '../../self-metrics.js';
import type { Authenticator } from '../authn.js';
import type { PathAllowList } from '../authz.js';

export function authenticate(
  authenticator: Authenticator,
  alwaysAllowed: PathAllowList,
  logger: Logger,
  metrics: SelfMetrics,
): RequestHandler {
  return (req, res, next) => {
    const context = res.locals.context;
    const open = alwaysAllowed.allows(context.path);
    const result = authenticator.authenticate(req);
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
}

/**
 * Authorization: a SubjectAccessReview for the request's attributes, resolved like the generic
 * apiserver does (request-info.ts), unless the path is always allowed. A denial is a 403 with the
 * kube-apiserver's message; a review that fails is a 500 whose cause stays in the log.
 */
import type { RequestHandler } from 'express';
import { ApiError, ForbiddenError, InternalError } from '../../errors.js';
import type { SelfMetrics } from '../../self-metrics.js';
import type { Authorizer, PathAllowList } from '../authz.js';
import { forbiddenMessage, resolveRequestInfo } from '../request-info.js';

export function authorize(
  authorizer: Authorizer,
  alwaysAllowed: PathAllowList,
  metrics: SelfMetrics,
): RequestHandler {
  return async (_req, res, next) => {
    const context = res.locals.context;
    if (alwaysAllowed.allows(context.path)) {
      metrics.authorizationDecisions.inc({ decision: 'always_allowed' });
      next();
      return;
    }
    const info = resolveRequestInfo(context.path, context.segments, context.query);
    const decision = await authorizer.authorize(context.user, info).catch((err: unknown) => {
      metrics.authorizationDecisions.inc({ decision: 'error' });
      throw new InternalError(
        'Internal error occurred: the authorization check (SubjectAccessReview) failed',
        err instanceof ApiError ? err.details : undefined,
        { cause: err },
      );
    });
    metrics.authorizationDecisions.inc({ decision: decision.allowed ? 'allowed' : 'denied' });
    if (!decision.allowed) {
      const details =
        info.kind === 'resource'
          ? {
              group: info.attributes.group,
              kind: info.attributes.resource,
              name: info.attributes.name || undefined,
            }
          : undefined;
      throw new ForbiddenError(forbiddenMessage(context.user.name, info, decision.reason), details);
    }
    context.authorized = true;
    next();
  };
}

/**
 * The end of the chain: a 404 for whatever no route answered, and the one error handler that
 * turns every error — thrown or passed to next, sync or async — into a metav1.Status (status.ts),
 * logging server-side failures with their cause.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFoundError, errorMessage } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { NOT_FOUND_MESSAGE, sendStatus, statusFromError } from '../status.js';

export function notFound(): RequestHandler {
  return () => {
    throw new NotFoundError(NOT_FOUND_MESSAGE);
  };
}

export function errorAnswer(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const status = statusFromError(err);
    if (status.code >= 500) {
      const cause = err instanceof Error && err.cause !== undefined ? errorMessage(err.cause) : undefined;
      logger.error(
        {
          path: res.locals.context.path,
          user: res.locals.context.user.name,
          code: status.code,
          err: errorMessage(err),
          cause,
        },
        'request failed',
      );
    }
    sendStatus(res, status);
  };
}

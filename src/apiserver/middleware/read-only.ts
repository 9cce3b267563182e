/**
 * The metrics APIs are read-only: anything but GET and HEAD is a 405. Like the kube-apiserver,
 * this comes after authentication (an anonymous write is a 401) and before authorization.
 */
import type { RequestHandler } from 'express';
import { MethodNotAllowedError } from '../../errors.js';

export function readOnly(): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new MethodNotAllowedError(
        `the server does not allow this method on the requested resource (${req.method} ${res.locals.context.path})`,
      );
    }
    next();
  };
}

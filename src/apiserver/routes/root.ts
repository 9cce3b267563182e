/** `GET /`: the list of served paths, as the kube-apiserver answers it. */
import type { RequestHandler } from 'express';
import { SERVED_GROUPS } from '../api-groups.js';
import { sendJSON } from '../respond.js';

export function rootPaths(): RequestHandler {
  const paths = [
    '/apis',
    ...SERVED_GROUPS.flatMap((g) => [`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${g.name}/${v}`)]),
    '/healthz',
    '/livez',
    '/readyz',
    '/metrics',
    '/openapi/v2',
    '/openapi/v3',
  ].sort();
  return (_req, res) => sendJSON(res, { paths }, res.locals.context.query);
}

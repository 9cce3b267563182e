/**
 * The toolkit for a group-version's routes: apiHandler() turns a function of the route's params
 * and the caller's context into an express handler that writes its answer as JSON (pre-encoded
 * bodies as they are; `?pretty` honoured). Errors it throws reach the error middleware.
 */
import type { RequestHandler } from 'express';
import type { ApiRequest } from './api-groups.js';
import { sendJSON, type PreEncodedJSON } from './respond.js';

/** A response object (serialized with JSON.stringify) or an already encoded body. */
export type ApiAnswer = PreEncodedJSON | object;

export function apiHandler<P>(handle: (request: ApiRequest<P>) => Promise<ApiAnswer>): RequestHandler<P> {
  return async (req, res) => {
    const { query, user, signal } = res.locals.context;
    sendJSON(res, await handle({ params: req.params, query, user, signal }), query);
  };
}

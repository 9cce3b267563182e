/**
 * The OpenAPI router, mounted at `/openapi`: the Swagger 2.0 document, the OpenAPI 3 index, and
 * one OpenAPI 3 document per group-version, immutable under its hash (openapi.ts renders them).
 */
import type { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import type { OpenApiDocuments } from '../openapi.js';
import { sendJSONText } from '../respond.js';
import { newRouter } from '../router.js';
import { NOT_FOUND_MESSAGE } from '../status.js';

export function openApiRouter(docs: OpenApiDocuments): Router {
  const router = newRouter();
  router.get('/v2', (_req, res) => sendJSONText(res, 200, docs.v2));
  router.get('/v3', (_req, res) => sendJSONText(res, 200, docs.v3Root));
  router.get('/v3/apis/:group/:version', (req, res) => {
    const doc = docs.v3.get(`apis/${req.params.group}/${req.params.version}`);
    if (doc === undefined) throw new NotFoundError(NOT_FOUND_MESSAGE);
    sendJSONText(res, 200, doc.body, { ETag: doc.etag, 'Cache-Control': 'public, immutable' });
  });
  return router;
}

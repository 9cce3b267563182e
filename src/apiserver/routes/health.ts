/**
 * The health endpoints' router, mounted at `/healthz`, `/livez` and `/readyz`: all checks at the
 * endpoint itself, one check at `/<endpoint>/<check>` (health.ts writes the answers).
 */
import type { Router } from 'express';
import type { HealthChecks, HealthEndpoint } from '../health.js';
import { newRouter } from '../router.js';

export const HEALTH_ENDPOINTS: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

export function healthRouter(health: HealthChecks, endpoint: HealthEndpoint): Router {
  const router = newRouter();
  router.get('/', (_req, res) => health.handle(endpoint, undefined, res.locals.context.query, res));
  router.get('/:check', (req, res) =>
    health.handle(endpoint, req.params.check, res.locals.context.query, res),
  );
  return router;
}

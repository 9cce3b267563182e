/**
 * The HTTP application, an express app used as the HTTPS server's request listener. Middleware
 * runs in the order a kube-apiserver applies its filters: request accounting (with the request
 * deadline), the URL length and body checks, path decoding, the in-flight limit, authentication,
 * the read-only method check, authorization; then the routes (root, health, self
 * metrics, OpenAPI, `/apis`); a 404 for the rest, and one error handler that turns every error
 * into a metav1.Status. Nothing parses request bodies (the APIs are read-only) and express's
 * query parser is off: the query is parsed once into URLSearchParams (request-context.ts).
 * Serve it with messageClassesFor(app) (message-classes.ts): express is then cheap per request.
 */
import express, { type Express } from 'express';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { ApiGroupRegistry, StandInApis } from './api-groups.js';
import type { Authenticator } from './authn.js';
import { PathAllowList, type Authorizer } from './authz.js';
import type { HealthChecks } from './health.js';
import { requestAccounting } from './middleware/accounting.js';
import { authenticate } from './middleware/authenticate.js';
import { authorize } from './middleware/authorize.js';
import { decodePath } from './middleware/decode-path.js';
import { errorAnswer, notFound } from './middleware/errors.js';
import { maxRequestsInflight, requestShape } from './middleware/limits.js';
import { readOnly } from './middleware/read-only.js';
import type { OpenApiDocuments } from './openapi.js';
import { addApiRoutes } from './routes/apis.js';
import { explainRoute, type RequestExplainer } from './routes/debug.js';
import { HEALTH_ENDPOINTS, healthRouter } from './routes/health.js';
import { openApiRouter } from './routes/openapi.js';
import { rootPaths } from './routes/root.js';
import { selfMetrics } from './routes/self-metrics.js';

export interface AppDependencies {
  logger: Logger;
  metrics: SelfMetrics;
  health: HealthChecks;
  authenticator: Authenticator;
  authorizer: Authorizer;
  alwaysAllowPaths: readonly string[];
  /** Complete: the group-versions' routers are mounted when the app is built. */
  groups: ApiGroupRegistry;
  openapi: OpenApiDocuments;
  /** Read-only APIs standing in for a cluster (the demo); none in a cluster. */
  standIn?: StandInApis;
  /** Serves /debug/explain when given. */
  explainer?: RequestExplainer;
  /** Request limits; each is off (unlimited) when left out or 0. */
  limits?: RequestLimits;
}

export interface RequestLimits {
  /** --max-requests-inflight: requests served at once before 429s (health and /metrics exempt). */
  maxRequestsInflight?: number;
  /** --request-timeout: every request's deadline (504 past it). */
  requestTimeoutMs?: number;
  /** Longest request target (path and query) read; longer ones are a 414. */
  maxUrlLength?: number;
}

export function createApp(deps: AppDependencies): Express {
  const { logger, metrics } = deps;
  const alwaysAllowed = new PathAllowList(deps.alwaysAllowPaths);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.set('case sensitive routing', true);

  const limits = deps.limits ?? {};
  app.use(requestAccounting(logger, metrics, { requestTimeoutMs: limits.requestTimeoutMs }));
  app.use(requestShape(limits.maxUrlLength ?? 0, metrics));
  app.use(decodePath());
  app.use(maxRequestsInflight(limits.maxRequestsInflight ?? 0, metrics));
  app.use(authenticate(deps.authenticator, alwaysAllowed, logger, metrics));
  app.use(readOnly());
  app.use(authorize(deps.authorizer, alwaysAllowed, metrics));

  app.get('/', rootPaths());
  const health = { health: deps.health, authorizer: deps.authorizer, logger, metrics };
  for (const endpoint of HEALTH_ENDPOINTS) app.use(`/${endpoint}`, healthRouter(health, endpoint));
  app.get('/metrics', selfMetrics(metrics));
  app.use('/openapi', openApiRouter(deps.openapi));
  addApiRoutes(app, deps.groups, deps.standIn);
  if (deps.explainer !== undefined) app.get('/debug/explain', explainRoute(deps.explainer));

  app.use(notFound());
  app.use(errorAnswer(logger));
  return app;
}

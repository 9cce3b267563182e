/**
 * The HTTP application: request accounting, method check, authentication, authorization, then
 * the routes (health, self metrics, OpenAPI, discovery, API group-versions). Every error answer is
 * a metav1.Status.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  UnauthorizedError,
  ForbiddenError,
  errorMessage,
} from '../errors.js';
import type { UserInfo } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import { ApiGroupRegistry, SERVED_GROUPS } from './api-groups.js';
import { ANONYMOUS, type Authenticator } from './authn.js';
import { PathAllowList, type Authorizer } from './authz.js';
import type { HealthChecks, HealthEndpoint } from './health.js';
import type { OpenApiDocuments } from './openapi.js';
import { forbiddenMessage, resolveRequestInfo } from './request-info.js';
import { sendStatus, statusFromError } from './status.js';

export interface AppDependencies {
  logger: Logger;
  metrics: SelfMetrics;
  health: HealthChecks;
  authenticator: Authenticator;
  authorizer: Authorizer;
  alwaysAllowPaths: readonly string[];
  groups: ApiGroupRegistry;
  openapi: OpenApiDocuments;
}

interface RequestState {
  start: bigint;
  route: string;
  path: string;
  segments: string[];
  query: URLSearchParams;
  user: UserInfo;
  abort: AbortController;
}

const HEALTH: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

function state(res: Response): RequestState {
  return res.locals as unknown as RequestState;
}

function routeFamily(segments: readonly string[]): string {
  const [first, second] = segments;
  if (first === undefined) return 'root';
  if (HEALTH.includes(first as HealthEndpoint)) return 'health';
  if (first === 'metrics') return 'metrics';
  if (first === 'openapi') return 'openapi';
  if (first === 'apis') {
    if (segments.length <= 3) return 'discovery';
    if (second === 'custom.metrics.k8s.io') return 'custom-metrics';
    if (second === 'external.metrics.k8s.io') return 'external-metrics';
    if (second === 'metrics.k8s.io') return 'resource-metrics';
  }
  return 'other';
}

function sendJSON(res: Response, body: unknown): void {
  const pretty = state(res).query.get('pretty');
  const text = pretty === 'true' || pretty === '1' ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.status(200).type('application/json').send(text);
}

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const allowList = new PathAllowList(deps.alwaysAllowPaths);
  const { logger, metrics } = deps;

  // Accounting and parsing first, so every answer (including errors) is counted and logged.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const url = new URL(req.originalUrl, 'https://adapter.invalid');
    const abort = new AbortController();
    const s = res.locals as unknown as RequestState;
    s.start = process.hrtime.bigint();
    s.path = url.pathname;
    s.query = url.searchParams;
    s.user = ANONYMOUS;
    s.abort = abort;
    s.segments = [];
    s.route = 'other';
    metrics.inFlight.inc();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client went away'));
      metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - s.start) / 1e9;
      metrics.requests.inc({ route: s.route, code: String(res.statusCode) });
      metrics.requestDuration.observe({ route: s.route }, seconds);
      logger.debug(
        {
          method: req.method,
          path: s.path,
          query: url.search,
          code: res.statusCode,
          user: s.user.name,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    });
    try {
      s.segments = url.pathname
        .split('/')
        .filter((p) => p !== '')
        .map((p) => decodeURIComponent(p));
    } catch {
      sendStatus(
        res,
        statusFromError(new BadRequestError(`malformed URL path ${JSON.stringify(url.pathname)}`)),
      );
      return;
    }
    s.route = routeFamily(s.segments);
    next();
  });

  // Authentication and authorization.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const s = state(res);
    const open = allowList.allows(s.path);
    const result = deps.authenticator.authenticate(req);
    if (result.kind === 'failed') {
      metrics.authenticationFailures.inc({ cause: 'invalid' });
      logger.debug({ path: s.path, reason: result.reason }, 'authentication failed');
      if (!open) {
        sendStatus(res, statusFromError(new UnauthorizedError('Unauthorized')));
        return;
      }
    } else if (result.kind === 'user') {
      s.user = result.user;
    } else if (!open) {
      metrics.authenticationFailures.inc({ cause: 'anonymous' });
      sendStatus(res, statusFromError(new UnauthorizedError('Unauthorized')));
      return;
    }
    // Like the kube-apiserver: authentication first (anonymous writes get 401), then the method.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(
        res,
        statusFromError(
          new MethodNotAllowedError(
            `the server does not allow this method on the requested resource (${req.method} ${s.path})`,
          ),
        ),
      );
      return;
    }
    if (open) {
      metrics.authorizationDecisions.inc({ decision: 'always_allowed' });
      next();
      return;
    }
    const info = resolveRequestInfo(s.path, s.segments, s.query);
    deps.authorizer.authorize(s.user, info).then(
      (decision) => {
        metrics.authorizationDecisions.inc({ decision: decision.allowed ? 'allowed' : 'denied' });
        if (decision.allowed) {
          next();
          return;
        }
        const details =
          info.kind === 'resource'
            ? {
                group: info.attributes.group,
                kind: info.attributes.resource,
                name: info.attributes.name || undefined,
              }
            : undefined;
        sendStatus(
          res,
          statusFromError(new ForbiddenError(forbiddenMessage(s.user.name, info, decision.reason), details)),
        );
      },
      (err: unknown) => {
        metrics.authorizationDecisions.inc({ decision: 'error' });
        logger.error(
          { path: s.path, user: s.user.name, err: errorMessage(err) },
          'authorization check failed',
        );
        sendStatus(res, {
          ...statusFromError(err),
          code: 500,
          reason: 'InternalError',
          message: 'Internal error occurred: the authorization check (SubjectAccessReview) failed',
        });
      },
    );
  });

  for (const endpoint of HEALTH) {
    app.get(`/${endpoint}`, (req, res) => deps.health.handle(endpoint, undefined, req, res));
    app.get(`/${endpoint}/:check`, (req, res) => deps.health.handle(endpoint, req.params.check, req, res));
  }

  app.get('/metrics', (_req, res, next) => {
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), next);
  });

  app.get('/openapi/v2', (_req, res) => {
    res.status(200).type('application/json').send(deps.openapi.v2);
  });
  app.get('/openapi/v3', (_req, res) => {
    res.status(200).type('application/json').send(deps.openapi.v3Root);
  });
  app.get('/openapi/v3/apis/:group/:version', (req, res) => {
    const doc = deps.openapi.v3.get(`apis/${req.params.group}/${req.params.version}`);
    if (doc === undefined) throw new NotFoundError('the server could not find the requested resource');
    res.setHeader('ETag', doc.etag);
    res.setHeader('Cache-Control', 'public, immutable');
    res.status(200).type('application/json').send(doc.body);
  });

  app.get('/', (_req, res) => {
    const paths = [
      '/apis',
      ...SERVED_GROUPS.flatMap((g) => [`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${g.name}/${v}`)]),
    ];
    paths.push('/healthz', '/livez', '/readyz', '/metrics', '/openapi/v2', '/openapi/v3');
    sendJSON(res, { paths: paths.sort() });
  });

  app.get('/apis', (_req, res) => sendJSON(res, deps.groups.apiGroupList()));

  app.get('/apis/:group', (req, res) => {
    const group = deps.groups.group(req.params.group);
    if (group === undefined) throw new NotFoundError('the server could not find the requested resource');
    sendJSON(res, deps.groups.apiGroup(group));
  });

  app.get('/apis/:group/:version', (req, res) => {
    const { group, version } = req.params;
    if (!deps.groups.served(group, version))
      throw new NotFoundError('the server could not find the requested resource');
    sendJSON(res, deps.groups.apiResourceList(group, version));
  });

  app.get('/apis/:group/:version/*rest', (req, res, next) => {
    const s = state(res);
    const group = s.segments[1] ?? '';
    const version = s.segments[2] ?? '';
    const handler = deps.groups.handler(group, version);
    if (handler === undefined) {
      const what = deps.groups.served(group, version)
        ? `nothing is served under ${group}/${version} yet`
        : 'the server could not find the requested resource';
      next(new NotFoundError(what));
      return;
    }
    handler
      .handle({ segments: s.segments.slice(3), query: s.query, user: s.user, signal: s.abort.signal })
      .then((body) => sendJSON(res, body), next);
  });

  app.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError('the server could not find the requested resource'));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = statusFromError(err);
    if (status.code >= 500) {
      logger.error({ path: state(res).path, code: status.code, err: errorMessage(err) }, 'request failed');
    }
    sendStatus(res, status);
  });

  return app;
}

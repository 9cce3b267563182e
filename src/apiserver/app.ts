/**
 * The HTTP application: request accounting, authentication, method check, authorization, then
 * the routes (health, self metrics, OpenAPI, discovery, API group-versions). Every error answer is
 * a metav1.Status.
 *
 * It is a plain node:http request listener rather than an express app: the routes are a fixed
 * table of path shapes, and express's request/response setup and router cost 0.15–0.4 ms per
 * request on the benchmark machine, a large share of the adapter's whole budget over Prometheus
 * (docs/benchmarks.md).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  BadRequestError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  UnauthorizedError,
  errorMessage,
} from '../errors.js';
import type { UserInfo } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import { PreEncodedJSON, SERVED_GROUPS, type ApiGroupRegistry } from './api-groups.js';
import { ANONYMOUS, type Authenticator } from './authn.js';
import { PathAllowList, type Authorizer } from './authz.js';
import type { HealthChecks, HealthEndpoint } from './health.js';
import type { OpenApiDocuments } from './openapi.js';
import { forbiddenMessage, resolveRequestInfo } from './request-info.js';
import { sendBody, sendJSONText } from './respond.js';
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

interface RequestContext {
  path: string;
  segments: string[];
  query: URLSearchParams;
  user: UserInfo;
  signal: AbortSignal;
}

const HEALTH: readonly string[] = ['healthz', 'livez', 'readyz'];
const NOT_FOUND = 'the server could not find the requested resource';

function routeFamily(segments: readonly string[]): string {
  const [first, second] = segments;
  if (first === undefined) return 'root';
  if (HEALTH.includes(first)) return 'health';
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

function rootPaths(): string[] {
  const paths = [
    '/apis',
    ...SERVED_GROUPS.flatMap((g) => [`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${g.name}/${v}`)]),
  ];
  paths.push('/healthz', '/livez', '/readyz', '/metrics', '/openapi/v2', '/openapi/v3');
  return paths.sort();
}

export function createApp(deps: AppDependencies): RequestListener {
  const allowList = new PathAllowList(deps.alwaysAllowPaths);
  const { logger, metrics } = deps;
  const root = rootPaths();

  const sendJSON = (res: ServerResponse, ctx: RequestContext, body: unknown): void => {
    const pretty = ctx.query.get('pretty');
    if (pretty === 'true' || pretty === '1') {
      const value: unknown = body instanceof PreEncodedJSON ? JSON.parse(body.text) : body;
      sendJSONText(res, 200, JSON.stringify(value, null, 2));
    } else {
      sendJSONText(res, 200, body instanceof PreEncodedJSON ? body.text : JSON.stringify(body));
    }
  };

  const fail = (res: ServerResponse, path: string, err: unknown): void => {
    const status = statusFromError(err);
    if (status.code >= 500)
      logger.error({ path, code: status.code, err: errorMessage(err) }, 'request failed');
    sendStatus(res, status);
  };

  /** The routes; returns a promise only for work that waits. */
  const route = async (res: ServerResponse, ctx: RequestContext): Promise<void> => {
    const s = ctx.segments;
    const [first, second, third, fourth] = s;
    if (first === undefined) {
      sendJSON(res, ctx, { paths: root });
      return;
    }
    if (HEALTH.includes(first) && s.length <= 2) {
      deps.health.handle(first as HealthEndpoint, second, ctx.query, res);
      return;
    }
    if (first === 'metrics' && s.length === 1) {
      sendBody(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return;
    }
    if (first === 'openapi') {
      if (second === 'v2' && s.length === 2) {
        sendJSONText(res, 200, deps.openapi.v2);
        return;
      }
      if (second === 'v3' && s.length === 2) {
        sendJSONText(res, 200, deps.openapi.v3Root);
        return;
      }
      const doc =
        second === 'v3' && third === 'apis' && s.length === 5
          ? deps.openapi.v3.get(`apis/${fourth ?? ''}/${s[4] ?? ''}`)
          : undefined;
      if (doc === undefined) throw new NotFoundError(NOT_FOUND);
      sendJSONText(res, 200, doc.body, { ETag: doc.etag, 'Cache-Control': 'public, immutable' });
      return;
    }
    if (first !== 'apis') throw new NotFoundError(NOT_FOUND);
    if (second === undefined) {
      sendJSON(res, ctx, deps.groups.apiGroupList());
      return;
    }
    const group = deps.groups.group(second);
    if (group === undefined) throw new NotFoundError(NOT_FOUND);
    if (third === undefined) {
      sendJSON(res, ctx, deps.groups.apiGroup(group));
      return;
    }
    if (!deps.groups.served(second, third)) throw new NotFoundError(NOT_FOUND);
    if (s.length === 3) {
      sendJSON(res, ctx, deps.groups.apiResourceList(second, third));
      return;
    }
    const handler = deps.groups.handler(second, third);
    if (handler === undefined) throw new NotFoundError(`nothing is served under ${second}/${third} yet`);
    sendJSON(
      res,
      ctx,
      await handler.handle({ segments: s.slice(3), query: ctx.query, user: ctx.user, signal: ctx.signal }),
    );
  };

  const authorizeThenRoute = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): void => {
    const open = allowList.allows(ctx.path);
    const result = deps.authenticator.authenticate(req);
    if (result.kind === 'failed') {
      metrics.authenticationFailures.inc({ cause: 'invalid' });
      logger.debug({ path: ctx.path, reason: result.reason }, 'authentication failed');
      if (!open) {
        sendStatus(res, statusFromError(new UnauthorizedError('Unauthorized')));
        return;
      }
    } else if (result.kind === 'user') {
      ctx.user = result.user;
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
            `the server does not allow this method on the requested resource (${req.method ?? ''} ${ctx.path})`,
          ),
        ),
      );
      return;
    }
    const run = (): void => {
      route(res, ctx).catch((err: unknown) => fail(res, ctx.path, err));
    };
    if (open) {
      metrics.authorizationDecisions.inc({ decision: 'always_allowed' });
      run();
      return;
    }
    const info = resolveRequestInfo(ctx.path, ctx.segments, ctx.query);
    deps.authorizer.authorize(ctx.user, info).then(
      (decision) => {
        metrics.authorizationDecisions.inc({ decision: decision.allowed ? 'allowed' : 'denied' });
        if (decision.allowed) {
          run();
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
          statusFromError(
            new ForbiddenError(forbiddenMessage(ctx.user.name, info, decision.reason), details),
          ),
        );
      },
      (err: unknown) => {
        metrics.authorizationDecisions.inc({ decision: 'error' });
        logger.error(
          { path: ctx.path, user: ctx.user.name, err: errorMessage(err) },
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
  };

  return (req, res) => {
    const start = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://adapter.invalid');
    const abort = new AbortController();
    const ctx: RequestContext = {
      path: url.pathname,
      segments: [],
      query: url.searchParams,
      user: ANONYMOUS,
      signal: abort.signal,
    };
    let family = 'other';
    metrics.inFlight.inc();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client went away'));
      metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.requests.inc({ route: family, code: String(res.statusCode) });
      metrics.requestDuration.observe({ route: family }, seconds);
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          {
            method: req.method,
            path: ctx.path,
            query: url.search,
            code: res.statusCode,
            user: ctx.user.name,
            ms: Math.round(seconds * 1e4) / 10,
          },
          'request',
        );
      }
    });
    try {
      ctx.segments = url.pathname
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
    family = routeFamily(ctx.segments);
    try {
      authorizeThenRoute(req, res, ctx);
    } catch (err) {
      fail(res, ctx.path, err);
    }
  };
}

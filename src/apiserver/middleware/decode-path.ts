/**
 * Decodes the path into segments once, for authorization and the metrics label. Each segment is
 * decoded on its own, so an encoded slash (`%2F`) stays inside its segment, as in the router's
 * params. Malformed percent-encoding is a 400 before anything else looks at the path, and so is
 * a request target that is not a path (absolute-form `https://host/...` or `*`): the router would
 * match it differently from the path that authorization names.
 */
import type { RequestHandler } from 'express';
import { BadRequestError } from '../../errors.js';
import type { RouteFamily } from '../request-context.js';

const HEALTH: readonly string[] = ['healthz', 'livez', 'readyz'];

function routeFamily(segments: readonly string[]): RouteFamily {
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

export function decodePath(): RequestHandler {
  return (_req, res, next) => {
    const context = res.locals.context;
    let segments: string[];
    if (!context.path.startsWith('/'))
      throw new BadRequestError(`malformed URL path ${JSON.stringify(context.path)}`);
    try {
      segments = context.path
        .split('/')
        .filter((p) => p !== '')
        .map((p) => decodeURIComponent(p));
    } catch {
      throw new BadRequestError(`malformed URL path ${JSON.stringify(context.path)}`);
    }
    context.segments = segments;
    context.family = routeFamily(segments);
    next();
  };
}

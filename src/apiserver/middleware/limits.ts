/**
 * Request limits applied before any routing, like the kube-apiserver's filters:
 * - the request target's length (414), checked before the path is decoded or matched;
 * - request bodies: these APIs are read-only and never read one, so a body is refused rather than
 *   drained — a GET or HEAD with a body is a 413 at once, and any request announcing one gets its
 *   connection closed after the answer (node would otherwise read the rest of the body to reuse
 *   the connection);
 * - --max-requests-inflight: requests beyond the limit are a 429 with Retry-After: 1, as the
 *   kube-apiserver's max-in-flight filter answers; health endpoints and /metrics are exempt so
 *   that probes and scrapes still work when the server is saturated.
 */
import type { RequestHandler } from 'express';
import { RequestEntityTooLargeError, TooManyRequestsError, UriTooLongError } from '../../errors.js';
import type { SelfMetrics } from '../../self-metrics.js';

/**
 * The longest request target read (path and query). 16 KiB: label selectors of large
 * Deployments fit many times over, and it stays below the 32 KiB head limit (CONNECTION_LIMITS,
 * which counts the request line too), so a long URL gets this 414 rather than node's 431.
 */
export const MAX_URL_LENGTH = 16 * 1024;

/** The kube-apiserver's text for a request refused by its in-flight limit. */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

function announcesBody(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function requestShape(maxUrlLength: number, metrics: SelfMetrics): RequestHandler {
  return (req, res, next) => {
    if (maxUrlLength > 0 && req.url.length > maxUrlLength) {
      metrics.requestsLimited.inc({ limit: 'max_url_length' });
      res.setHeader('Connection', 'close');
      throw new UriTooLongError(
        `the request URI is ${req.url.length} characters long, more than the ${maxUrlLength} this server reads`,
      );
    }
    if (announcesBody(req.headers)) {
      res.setHeader('Connection', 'close');
      if (req.method === 'GET' || req.method === 'HEAD') {
        metrics.requestsLimited.inc({ limit: 'request_body' });
        throw new RequestEntityTooLargeError(
          `a ${req.method} request must not carry a body: the metrics APIs are read-only`,
        );
      }
    }
    next();
  };
}

export function maxRequestsInflight(limit: number, metrics: SelfMetrics): RequestHandler {
  let inflight = 0;
  return (_req, res, next) => {
    const family = res.locals.context.family;
    if (limit <= 0 || family === 'health' || family === 'metrics') {
      next();
      return;
    }
    if (inflight >= limit) {
      metrics.requestsLimited.inc({ limit: 'max_requests_inflight' });
      throw new TooManyRequestsError(TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds: 1 });
    }
    inflight++;
    metrics.limitedInFlight.set(inflight);
    res.once('close', () => {
      inflight--;
      metrics.limitedInFlight.set(inflight);
    });
    next();
  };
}

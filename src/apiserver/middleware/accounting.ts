/**
 * The first middleware: creates the request's context (path and query parsed once, from the
 * raw URL) and accounts for the request — the in-flight gauge, the request counter and duration
 * histogram by route family, a debug log line — when the response closes. A client that goes away
 * before the answer is written aborts the context's signal, which cancels upstream queries.
 *
 * It also arms the request's deadline (--request-timeout), as the kube-apiserver's timeout filter
 * does: the signal carries the deadline (deadline.ts) so upstream calls are bounded by what is
 * left, and when it passes the signal aborts with a Timeout and the client gets the 504 at once,
 * whatever the handler is still waiting for.
 */
import type { RequestHandler } from 'express';
import { setDeadline } from '../../deadline.js';
import { TimeoutError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { SelfMetrics } from '../../self-metrics.js';
import { ANONYMOUS } from '../authn.js';
import type { RequestContext } from '../request-context.js';
import { sendStatus, statusFromError } from '../status.js';

/** The kube-apiserver's text for a request that ran past --request-timeout. */
export const REQUEST_TIMEOUT_MESSAGE =
  'Timeout: request did not complete within requested timeout - context deadline exceeded';

export interface AccountingOptions {
  /** The deadline of every request (--request-timeout); 0 or undefined: none. */
  requestTimeoutMs?: number;
}

export function requestAccounting(
  logger: Logger,
  metrics: SelfMetrics,
  options: AccountingOptions = {},
): RequestHandler {
  const timeoutMs = options.requestTimeoutMs ?? 0;
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const url = req.url;
    const q = url.indexOf('?');
    const search = q < 0 ? '' : url.slice(q);
    const abort = new AbortController();
    const context: RequestContext = {
      path: q < 0 ? url : url.slice(0, q),
      search,
      query: new URLSearchParams(search),
      segments: [],
      family: 'other',
      user: ANONYMOUS,
      authorized: false,
      signal: abort.signal,
    };
    res.locals.context = context;
    metrics.inFlight.inc();
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs > 0) {
      setDeadline(abort.signal, Date.now() + timeoutMs);
      timer = setTimeout(() => {
        const err = new TimeoutError(REQUEST_TIMEOUT_MESSAGE);
        abort.abort(err);
        metrics.requestsLimited.inc({ limit: 'request_timeout' });
        logger.warn(
          { method: req.method, path: context.path, user: context.user.name, timeoutMs },
          'request did not complete within --request-timeout',
        );
        if (!res.headersSent) sendStatus(res, statusFromError(err));
      }, timeoutMs);
    }
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) abort.abort(new Error('client went away'));
      metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.requests.inc({ route: context.family, code: String(res.statusCode) });
      metrics.requestDuration.observe({ route: context.family }, seconds);
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          {
            method: req.method,
            path: context.path,
            query: context.search,
            code: res.statusCode,
            user: context.user.name,
            ms: Math.round(seconds * 1e4) / 10,
          },
          'request',
        );
      }
    });
    next();
  };
}

/**
 * The first middleware: creates the request's context (path and query parsed once, from the
 * raw URL) and accounts for the request — the in-flight gauge, the request counter and duration
 * histogram by route family, a debug log line — when the response closes. A client that goes away
 * before the answer is written aborts the context's signal, which cancels upstream queries.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../../logging.js';
import type { SelfMetrics } from '../../self-metrics.js';
import { ANONYMOUS } from '../authn.js';
import type { RequestContext } from '../request-context.js';

export function requestAccounting(logger: Logger, metrics: SelfMetrics): RequestHandler {
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
      signal: abort.signal,
    };
    res.locals.context = context;
    metrics.inFlight.inc();
    res.on('close', () => {
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

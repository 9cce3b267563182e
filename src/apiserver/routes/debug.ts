/**
 * `GET /debug/explain?path=<api path>`: what `metrics-adapter explain` prints, from the running
 * server — the matched rule, the rendered PromQL, the raw samples and how they map to objects.
 * It runs the request's queries against Prometheus, so it sits behind authorization like any
 * other path (a non-resource SubjectAccessReview on /debug/explain); `?format=text` gives the
 * CLI's text instead of JSON.
 */
import type { RequestHandler } from 'express';
import { BadRequestError } from '../../errors.js';
import { sendBody, sendJSON } from '../respond.js';

export interface RequestExplainer {
  explain(path: string, signal: AbortSignal): Promise<unknown>;
  renderText(explanation: unknown): string;
}

export function explainRoute(explainer: RequestExplainer): RequestHandler {
  return async (_req, res) => {
    const { query, signal } = res.locals.context;
    const path = query.get('path');
    if (path === null || !path.startsWith('/apis/'))
      throw new BadRequestError('give the API path to explain as ?path=/apis/<group>/<version>/…');
    const explanation = await explainer.explain(path, signal);
    if (query.get('format') === 'text')
      sendBody(res, 200, 'text/plain; charset=utf-8', explainer.renderText(explanation));
    else sendJSON(res, explanation, query);
  };
}

/**
 * `GET /debug/explain?path=<api path>`: what `metrics-adapter explain` prints, from the running
 * server — the matched rule, the rendered PromQL, the raw samples and how they map to objects.
 * `GET /debug/explain?pod=<namespace>/<name>` and `?node=<name>`: which metrics.k8s.io source
 * answers that pod or node now, and if none, why (src/explain/object.ts), from the
 * server's live state: the scraper's per-node state, the stored points, the resourceRules PromQL.
 * Both run queries against Prometheus, so they sit behind authorization like any other path (a
 * non-resource SubjectAccessReview on /debug/explain); `?format=text` gives the CLI's text
 * instead of JSON.
 */
import type { RequestHandler } from 'express';
import { BadRequestError } from '../../errors.js';
import { validateNamespace, validateObjectName } from '../../providers/index.js';
import { sendBody, sendJSON } from '../respond.js';

export interface RequestExplainer {
  explain(path: string, signal: AbortSignal): Promise<unknown>;
  renderText(explanation: unknown): string;
  /** Why a pod or node is (not) in metrics.k8s.io; absent: ?pod= and ?node= are not served. */
  explainObject?(
    target: { kind: 'pod'; namespace: string; name: string } | { kind: 'node'; name: string },
    signal: AbortSignal,
  ): Promise<unknown>;
  renderObjectText?(explanation: unknown): string;
}

export function explainRoute(explainer: RequestExplainer): RequestHandler {
  return async (_req, res) => {
    const { query, signal } = res.locals.context;
    const text = query.get('format') === 'text';
    const pod = query.get('pod');
    const node = query.get('node');
    if ((pod !== null || node !== null) && explainer.explainObject !== undefined) {
      if (pod !== null && node !== null) throw new BadRequestError('give ?pod= or ?node=, not both');
      let target: Parameters<NonNullable<RequestExplainer['explainObject']>>[0];
      if (pod !== null) {
        const [namespace, name, extra] = pod.split('/');
        if (namespace === undefined || name === undefined || extra !== undefined)
          throw new BadRequestError(`give the pod as ?pod=NAMESPACE/NAME (got ${JSON.stringify(pod)})`);
        target = { kind: 'pod', namespace: validateNamespace(namespace), name: validateObjectName(name) };
      } else target = { kind: 'node', name: validateObjectName(node ?? '') };
      const explanation = await explainer.explainObject(target, signal);
      if (text && explainer.renderObjectText !== undefined)
        sendBody(res, 200, 'text/plain; charset=utf-8', explainer.renderObjectText(explanation));
      else sendJSON(res, explanation, query);
      return;
    }
    const path = query.get('path');
    if (path === null || !path.startsWith('/apis/'))
      throw new BadRequestError(
        explainer.explainObject === undefined
          ? 'give the API path to explain as ?path=/apis/<group>/<version>/…'
          : 'give the API path to explain as ?path=/apis/<group>/<version>/…, or ?pod=NAMESPACE/NAME or ?node=NAME',
      );
    const explanation = await explainer.explain(path, signal);
    if (text) sendBody(res, 200, 'text/plain; charset=utf-8', explainer.renderText(explanation));
    else sendJSON(res, explanation, query);
  };
}

/**
 * `explain`: what the server does with one metrics API request — the parsed request, the rule
 * that answers it (with its place in the file), the PromQL of the providers' own plan (so it is
 * byte for byte what the server sends, every split part included), a syntax check, the samples
 * Prometheus returns, how they map to objects, and the answer the server would give (refusals
 * included). Served at /debug/explain?path= and printed by `metrics-adapter explain PATH`.
 *
 * Without a cluster the objects behind `*` and a label selector cannot be listed: the caller
 * passes a lister, or the names to assume, or neither — then the query for every object runs
 * instead, and the explanation says which step needed the cluster.
 */
import { ApiError } from '../errors.js';
import { explainCustom } from './custom.js';
import { explainExternal } from './external.js';
import { failure, resourcesNote } from './queries.js';
import { parseApiPath, type ParsedApiPath } from './request-path.js';
import { explainResource } from './resource.js';
import type { ExplainDeps, Explanation } from './types.js';

/**
 * Explains one request path (with its query string), e.g.
 * `/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/*\/http_requests_per_second?labelSelector=app%3Dweb`.
 * Never throws for a bad request: the explanation carries the answer the server would give.
 * Throws only when an upstream fails in a way the server would not answer for (the lister).
 */
export async function explainRequest(path: string, deps: ExplainDeps): Promise<Explanation> {
  const e: Explanation = {
    path,
    api: 'unknown',
    resources: resourcesNote(deps.resourcesFrom),
    queries: [],
    outcome: { message: '' },
    notes: [],
  };
  let parsed: ParsedApiPath;
  try {
    parsed = parseApiPath(path, deps.signal);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    e.outcome = failure(err);
    return e;
  }
  e.api = parsed.api;
  e.groupVersion = `${parsed.group}/${parsed.version}`;
  try {
    if (parsed.api === 'custom') await explainCustom(parsed.query, e, deps);
    else if (parsed.api === 'external') await explainExternal(parsed, e, deps);
    else await explainResource(parsed, e, deps);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    e.outcome = failure(err);
  }
  return e;
}

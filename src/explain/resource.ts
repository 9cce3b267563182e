/**
 * A metrics.k8s.io request explained through resourceRules: the objects, the questions the
 * resource provider would ask the Prometheus usage source (one per namespace, or one for the
 * whole cluster above WHOLE_CLUSTER_ABOVE namespaces), the source's own queries for each
 * (resource-queries.ts: batched and split by --max-query-length), and their samples mapped as
 * the source reads them. Without resourceRules the kubelet scraper answers: no PromQL to show.
 */
import { formatLabelSelector, matchesLabels, type Requirement } from '../promql/index.js';
import {
  nodeMetricsNotFound,
  planUsageQueries,
  podMetricsNotFound,
  WHOLE_CLUSTER_ABOVE,
  type UsageQueryPlan,
  type UsageQuestion,
} from '../providers/index.js';
import { mapUsageSamples, type UsageAnswer } from './mapping.js';
import { resolveObjects, type ObjectRef } from './objects.js';
import { failure, newQueries, renderFailure, runExplained } from './queries.js';
import type { ExplainDeps, Explanation } from './types.js';

interface ResourceRequest {
  target: 'pods' | 'nodes';
  namespace: string | undefined;
  name: string | undefined;
  selector: Requirement[];
}

/** The questions the resource provider asks for these objects (undefined refs: every object). */
function questionsFor(p: ResourceRequest, refs: readonly ObjectRef[] | undefined): UsageQuestion[] {
  if (p.target === 'nodes') return [{ target: 'nodes', names: refs?.map((r) => r.name) }];
  if (refs === undefined) return [{ target: 'pods', namespace: p.namespace, names: undefined }];
  const byNs = new Map<string, string[]>();
  for (const r of refs) {
    const names = byNs.get(r.namespace);
    if (names === undefined) byNs.set(r.namespace, [r.name]);
    else names.push(r.name);
  }
  // Pods of many namespaces: one cluster-wide question, as the provider asks.
  if (byNs.size > WHOLE_CLUSTER_ABOVE) return [{ target: 'pods', namespace: undefined, names: undefined }];
  return [...byNs].map(([namespace, names]) => ({ target: 'pods', namespace, names }));
}

function purpose(plan: UsageQueryPlan, question: UsageQuestion, p: ResourceRequest): string {
  const what =
    question.names === undefined && (question.target === 'nodes' || p.namespace === question.namespace)
      ? `every ${p.target === 'pods' ? 'pod' : 'node'}`
      : p.target;
  const where =
    question.target === 'pods' && question.namespace !== undefined && p.namespace === undefined
      ? ` in namespace ${question.namespace}`
      : '';
  return `${plan.resource} of ${what}${where}`;
}

export async function explainResource(p: ResourceRequest, e: Explanation, deps: ExplainDeps): Promise<void> {
  const scope =
    p.target === 'nodes'
      ? ''
      : p.namespace === undefined
        ? ' in all namespaces'
        : ` in namespace ${p.namespace}`;
  const selectorText = formatLabelSelector([...p.selector]);
  e.request = `resource usage of ${p.target} ${p.name ?? '(list)'}${scope}${p.selector.length > 0 ? `, labelSelector ${JSON.stringify(selectorText)}` : ''}`;
  const rules = deps.discovery.rules.resource;
  if (rules === undefined) {
    e.outcome = {
      message: 'no resourceRules: the kubelet scraper answers metrics.k8s.io (no PromQL involved)',
    };
    return;
  }
  const info = deps.mapper.resolve({ group: '', resource: p.target });
  if (info === undefined) {
    e.outcome = { status: 500, reason: 'InternalError', message: `${p.target} is not a known resource` };
    return;
  }
  const qualified = p.target === 'pods' && p.namespace === undefined;
  const { objects, refs } = await resolveObjects(
    info,
    p.namespace,
    p.name !== undefined
      ? { kind: 'name', name: p.name }
      : { kind: 'selector', selector: { text: selectorText, matches: (l) => matchesLabels(p.selector, l) } },
    deps,
    e.notes,
    qualified,
  );
  e.objects = objects;
  const every = objects.source === 'unknown';
  if (!every && objects.names.length === 0) {
    e.outcome = { status: 200, message: 'no object matches: an empty list', items: 0 };
    return;
  }
  const questions = questionsFor(p, every ? undefined : refs);
  let plans: UsageQueryPlan[][];
  try {
    plans = questions.map((q) =>
      planUsageQueries(rules, deps.mapper, q, { maxQueryLength: deps.limits?.maxQueryLength }),
    );
  } catch (err) {
    e.outcome = renderFailure(err);
    return;
  }
  const asked = every ? undefined : objects.names;
  const withData = new Map<string, number>();
  const resources = plans[0] ?? [];
  for (let r = 0; r < resources.length; r++) {
    const answers: UsageAnswer[] = [];
    for (let i = 0; i < questions.length; i++) {
      const question = questions[i] as UsageQuestion;
      const plan = plans[i]?.[r] as UsageQueryPlan;
      const queries = newQueries(purpose(plan, question, p), plan.path, plan.queries);
      const samples = await runExplained(e, queries, deps);
      if (samples === undefined) return;
      answers.push({ namespace: question.target === 'pods' ? question.namespace : undefined, samples });
    }
    const last = e.queries[e.queries.length - 1];
    if (last === undefined) continue;
    last.mapping = mapUsageSamples(answers, resources[r] as UsageQueryPlan, qualified, asked);
    for (const object of new Set(last.mapping.matched.map((m) => m.object)))
      withData.set(object, (withData.get(object) ?? 0) + 1);
  }
  const complete = [...withData.entries()].filter(([, n]) => n === resources.length).map(([o]) => o);
  e.notes.push(
    `an object is in the answer when every resourceRules query (${resources.map((pl) => pl.resource).join(', ')}) returns it`,
  );
  if (every) {
    e.outcome = {
      message: `cannot tell which of the ${complete.length} ${p.target} with data match the request without the object list`,
    };
    return;
  }
  if (p.name !== undefined && complete.length === 0) {
    // The provider's own NotFound, as the API answers it.
    e.outcome = failure(
      p.target === 'pods' ? podMetricsNotFound(p.namespace ?? '', p.name) : nodeMetricsNotFound(p.name),
    );
    return;
  }
  e.outcome = {
    status: 200,
    message: `${complete.length} item${complete.length === 1 ? '' : 's'}`,
    items: complete.length,
  };
}

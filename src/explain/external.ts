/**
 * An external.metrics.k8s.io request explained: the external rule it matches (with the name
 * meant when none does), the provider's own query (externalQuery), its samples, and the items
 * the answer would hold.
 */
import { formatLabelSelector, type Requirement } from '../promql/index.js';
import { externalQuery } from '../providers/index.js';
import { didYouMean, newQuery, renderFailure, ruleInfo, runExplained } from './queries.js';
import type { ExplainDeps, ExplainedQuery, Explanation } from './types.js';

export async function explainExternal(
  p: { namespace: string; metric: string; selector: Requirement[] },
  e: Explanation,
  deps: ExplainDeps,
): Promise<void> {
  e.request = `external metric ${p.metric} in namespace ${p.namespace}${p.selector.length > 0 ? `, labelSelector ${JSON.stringify(formatLabelSelector([...p.selector]))}` : ''}`;
  const entry = await deps.discovery.findExternal(p.metric, p.namespace);
  if (entry === undefined) {
    const suggestion = didYouMean(
      p.metric,
      deps.discovery.catalog.externalEntries().map((x) => x.metric),
    );
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the external metric ${p.metric}${suggestion}`,
    };
    e.notes.push(`no externalRule yields a metric named ${p.metric} from the series Prometheus has now`);
    return;
  }
  e.rule = ruleInfo(entry.rule);
  e.match = { metric: entry.metric, seriesName: entry.seriesName, windowSeconds: entry.rule.windowSeconds };
  if (!entry.rule.namespaced)
    e.notes.push(
      'the rule is not namespaced (resources.namespaced: false): the request namespace does not restrict the series',
    );
  let query: ExplainedQuery;
  let headers: Readonly<Record<string, string>> | undefined;
  try {
    headers = await deps.discovery.headersFor(entry.rule, deps.signal);
    query = newQuery(
      `external metric ${p.metric}`,
      `${entry.rule.path}.metricsQuery`,
      externalQuery(entry, { metric: p.metric, namespace: p.namespace, selector: p.selector }, deps.mapper),
    );
  } catch (err) {
    e.outcome = renderFailure(err);
    return;
  }
  const samples = await runExplained(e, [query], deps, headers);
  if (samples === undefined) return;
  const finite = samples.filter((s) => Number.isFinite(s.value));
  if (finite.length < samples.length)
    e.notes.push(`${samples.length - finite.length} NaN or infinite sample(s) are left out of the answer`);
  e.notes.push('each sample is one item (metricLabels = its labels); the HPA sums the items');
  e.outcome = {
    status: 200,
    message: `${finite.length} item${finite.length === 1 ? '' : 's'}`,
    items: finite.length,
  };
}

/**
 * A custom.metrics.k8s.io request explained: the rule and catalog entry it matches (with the
 * names meant when none does), its objects, the --max-selected-objects refusal, and the queries
 * of the provider's own plan (custom-plan.ts: every part when --max-query-length splits it), run
 * and mapped to objects as the provider reads them.
 */
import { apiVersionOf, groupResourceString, parseGroupResource, type ResourceInfo } from '../kube/index.js';
import { formatLabelSelector } from '../promql/index.js';
import {
  confineRuleQuery,
  customNamespace,
  renderCustomQueries,
  selectionRefusal,
  type CustomMetricQuery,
} from '../providers/index.js';
import { renderAllObjectsQuery, type CustomMetricEntry } from '../rules/index.js';
import { knownResources, suggestResource } from './suggest-resource.js';
import { mapSamples } from './mapping.js';
import { resolveObjects } from './objects.js';
import {
  didYouMean,
  failure,
  newQueries,
  newQuery,
  renderFailure,
  ruleInfo,
  runExplained,
} from './queries.js';
import type { ExplainDeps, ExplainedQuery, Explanation } from './types.js';

/** The catalog entry for the request, or undefined with the 404 and its notes set. */
async function findEntry(
  q: CustomMetricQuery,
  e: Explanation,
  deps: ExplainDeps,
): Promise<{ info: ResourceInfo; entry: CustomMetricEntry } | undefined> {
  const info = deps.mapper.resolve(parseGroupResource(q.resource));
  if (info === undefined) {
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the metric ${q.metric} for ${q.resource}`,
    };
    const gr = parseGroupResource(q.resource);
    const near = suggestResource(gr.resource, gr.group, knownResources(deps.mapper));
    e.notes.push(
      `"${q.resource}" is not a resource ${deps.resourcesFrom === 'builtin' ? 'of the built-in table (give --kubeconfig to ask the cluster)' : 'the cluster serves'}${near === undefined ? '' : `; did you mean ${near}?`}`,
    );
    return undefined;
  }
  const gr = groupResourceString(info);
  const namespaced = q.namespace !== undefined;
  const entry = await deps.discovery.findCustom({
    metric: q.metric,
    group: info.group,
    resource: info.resource,
    namespaced,
    namespace: q.namespace,
  });
  if (entry !== undefined) return { info, entry };
  const custom = deps.discovery.catalog.customEntries();
  // Names for this resource first; any custom metric name when none is close.
  const forResource = custom
    .filter((c) => c.info.group === info.group && c.info.resource === info.resource)
    .map((c) => c.metric);
  const suggestion =
    didYouMean(q.metric, forResource) ||
    didYouMean(
      q.metric,
      custom.map((c) => c.metric),
    );
  e.outcome = {
    status: 404,
    reason: 'NotFound',
    message: `the server could not find the metric ${q.metric} for ${gr}${suggestion}`,
  };
  const elsewhere = custom
    .filter((c) => c.metric === q.metric)
    .map(
      (c) =>
        `${groupResourceString(c.info)}${c.namespaced ? ' (namespaced)' : ' (cluster scope)'} from ${c.rule.path}`,
    );
  e.notes.push(
    elsewhere.length > 0
      ? `no rule yields ${q.metric} for ${gr}${namespaced ? ' in a namespace' : ' at the cluster scope'}; it exists for: ${elsewhere.join(', ')}`
      : `no rule yields a metric named ${q.metric} from the series Prometheus has now (run check to see what each rule yields)`,
  );
  return undefined;
}

export async function explainCustom(q: CustomMetricQuery, e: Explanation, deps: ExplainDeps): Promise<void> {
  const who =
    q.target.kind === 'name' ? q.target.name : `* (labelSelector ${JSON.stringify(q.target.selector.text)})`;
  const where = q.namespace === undefined ? '' : ` in namespace ${q.namespace}`;
  const metricSelector =
    q.metricSelector.length > 0
      ? `, metricLabelSelector ${JSON.stringify(formatLabelSelector([...q.metricSelector]))}`
      : '';
  e.request = `metric ${q.metric} of ${q.resource} ${who}${where}${metricSelector}`;
  const found = await findEntry(q, e, deps);
  if (found === undefined) return;
  const { info, entry } = found;
  const gr = groupResourceString(info);
  e.rule = ruleInfo(entry.rule);
  e.match = {
    metric: entry.metric,
    seriesName: entry.seriesName,
    groupResource: gr,
    namespaced: entry.namespaced,
    objectLabel: entry.resourceLabel,
    windowSeconds: entry.rule.windowSeconds,
  };
  const { objects } = await resolveObjects(info, q.namespace, q.target, deps, e.notes);
  e.objects = objects;
  const every = objects.source === 'unknown';
  // The provider's order: the refusal, then an empty list, then the namespace label.
  if (!every && q.target.kind === 'selector') {
    const refused = selectionRefusal(objects.names.length, info, deps.limits?.maxSelectedObjects);
    if (refused !== undefined) {
      e.outcome = failure(refused);
      return;
    }
  }
  if (!every && objects.names.length === 0) {
    e.outcome = {
      status: 200,
      message: 'no object matches: the server answers an empty list without asking Prometheus',
      items: 0,
    };
    return;
  }
  const source = `${entry.rule.path}.metricsQuery`;
  let queries: ExplainedQuery[];
  let headers: Readonly<Record<string, string>> | undefined;
  try {
    headers = await deps.discovery.headersFor(entry.rule, deps.signal);
    const namespace = customNamespace(entry, q.namespace, deps.mapper);
    const scope = { namespace, metricSelector: q.metricSelector };
    queries = every
      ? [
          newQuery(
            `${q.metric} of every ${info.singular}`,
            source,
            confineRuleQuery(
              entry.rule,
              renderAllObjectsQuery(entry.rule, {
                ...scope,
                seriesName: entry.seriesName,
                resourceLabel: entry.resourceLabel,
              }),
            ),
          ),
        ]
      : newQueries(
          `${q.metric} of ${gr}`,
          source,
          renderCustomQueries(entry, scope, objects.names, deps.limits?.maxQueryLength),
        );
  } catch (err) {
    e.outcome = renderFailure(err);
    return;
  }
  const samples = await runExplained(e, queries, deps, headers);
  const last = queries[queries.length - 1];
  if (samples === undefined || last === undefined) return;
  last.mapping = mapSamples(samples, entry.resourceLabel, every ? undefined : objects.names);
  const items = last.mapping.matched.length;
  if (every) {
    e.outcome = {
      message: `cannot tell which of the ${items} objects with a value match the request without the object list`,
    };
    return;
  }
  if (q.target.kind === 'name' && items === 0) {
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the metric ${q.metric} for ${gr} ${q.target.name}`,
    };
    return;
  }
  e.outcome = { status: 200, message: `${items} item${items === 1 ? '' : 's'}`, items };
  e.notes.push(`describedObject: kind ${info.kind}, apiVersion ${apiVersionOf(info)}`);
}

/**
 * The parts of a custom-metrics request's plan that `explain` shows as well as the provider runs:
 * the --max-selected-objects refusal, the namespace matcher and the PromQL, split over several
 * queries by --max-query-length. One code for both, so what explain shows is what the server
 * sends and answers. A namespace's rule's queries are confined to its namespace here
 * (tenant-query.ts), so explain shows them as sent.
 */
import { BadRequestError, InternalError } from '../errors.js';
import { groupResourceString, type ResourceInfo, type ResourceMapper } from '../kube/index.js';
import type { Requirement } from '../promql/index.js';
import { renderChunks, renderObjectQuery, type CustomMetricEntry } from '../rules/index.js';
import { confineRuleQuery, type RefusalObserver } from './tenant-query.js';

/** The 400 a wildcard gets when it stands for more than `max` objects (0 or undefined: unlimited). */
export function selectionRefusal(
  count: number,
  info: ResourceInfo,
  max: number | undefined,
): BadRequestError | undefined {
  const limit = max ?? 0;
  if (limit <= 0 || count <= limit) return undefined;
  return new BadRequestError(
    `the selector matches ${count} ${info.resource}, more than the ${limit} one request may name (--max-selected-objects): narrow the label selector`,
    { group: 'custom.metrics.k8s.io', kind: groupResourceString(info) },
  );
}

/** The namespace matcher of a namespaced request; throws InternalError when the rule maps no label. */
export function customNamespace(
  entry: CustomMetricEntry,
  namespace: string | undefined,
  mapper: ResourceMapper,
): { label: string; value: string } | undefined {
  if (namespace === undefined) return undefined;
  const label = entry.rule.association.namespaceLabel(mapper);
  if (label === undefined) throw new InternalError(`${entry.rule.path} has no label for namespaces`);
  return { label, value: namespace };
}

/**
 * Every query for `names`: one, or more when one would exceed `maxQueryLength` (0: never split),
 * each confined to the rule's namespace for a namespace's rule (InternalError when it cannot be).
 */
export function renderCustomQueries(
  entry: CustomMetricEntry,
  scope: {
    namespace: { label: string; value: string } | undefined;
    metricSelector: readonly Requirement[];
  },
  names: readonly string[],
  maxQueryLength: number | undefined,
  refused?: RefusalObserver,
): string[] {
  const base = {
    seriesName: entry.seriesName,
    resourceLabel: entry.resourceLabel,
    namespace: scope.namespace,
    metricSelector: scope.metricSelector,
  };
  return renderChunks(names, maxQueryLength ?? 0, (part) =>
    renderObjectQuery(entry.rule, { ...base, names: part }),
  ).map((c) => confineRuleQuery(entry.rule, c.query, refused));
}

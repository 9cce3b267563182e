/**
 * The PromQL of `resourceRules` for some pods or nodes, as the Prometheus usage source sends it:
 * labels from each rule's `resources` mapping, names batched (URL and regex size) and split by
 * --max-query-length. Kept apart from running the queries so `explain` shows exactly these.
 */
import { InternalError } from '../errors.js';
import type { GroupResource, ResourceMapper } from '../kube/index.js';
import {
  renderChunks,
  renderResourceQuery,
  type CompiledResourceQuery,
  type CompiledResourceRules,
} from '../rules/index.js';

const PODS: GroupResource = { group: '', resource: 'pods' };
const NODES: GroupResource = { group: '', resource: 'nodes' };
const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };

/** Splits names into batches whose joined length stays under `maxLength` (always at least one name). */
export function batchNames(names: readonly string[], maxLength: number): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let length = 0;
  for (const name of names) {
    if (batch.length > 0 && length + name.length + 1 > maxLength) {
      out.push(batch);
      batch = [];
      length = 0;
    }
    batch.push(name);
    length += name.length + 1;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

export function usageLabel(q: CompiledResourceQuery, gr: GroupResource, mapper: ResourceMapper): string {
  const label = q.association.labelFor(gr, mapper);
  if (label === undefined) throw new InternalError(`${q.path}.resources has no label for ${gr.resource}`);
  return label;
}

/** The containerQuery of one resource rule for these pods (all when undefined) of a namespace (all when undefined). */
export function podUsageQuery(
  q: CompiledResourceQuery,
  mapper: ResourceMapper,
  namespace: string | undefined,
  names: readonly string[] | undefined,
): string {
  const nsLabel = usageLabel(q, NAMESPACES, mapper);
  return renderResourceQuery(
    { path: `${q.path}.containerQuery`, metricsQuery: q.containerQuery },
    {
      resourceLabel: usageLabel(q, PODS, mapper),
      names,
      namespace: namespace === undefined ? undefined : { label: nsLabel, value: namespace },
      // Without a namespace the samples must say which namespace they belong to.
      extraGroupBy: namespace === undefined ? [q.containerLabel, nsLabel] : [q.containerLabel],
    },
  );
}

/** The nodeQuery of one resource rule for these nodes (all when undefined). */
export function nodeUsageQuery(
  q: CompiledResourceQuery,
  mapper: ResourceMapper,
  names: readonly string[] | undefined,
): string {
  return renderResourceQuery(
    { path: `${q.path}.nodeQuery`, metricsQuery: q.nodeQuery },
    { resourceLabel: usageLabel(q, NODES, mapper), names, extraGroupBy: [] },
  );
}

/** One usage question: pods of a namespace (all when undefined), or nodes; `names` undefined: every one. */
export type UsageQuestion =
  | { target: 'pods'; namespace: string | undefined; names: readonly string[] | undefined }
  | { target: 'nodes'; names: readonly string[] | undefined };

/** What one resourceRules query (cpu or memory) sends for a question, and how to read its samples. */
export interface UsageQueryPlan {
  resource: 'cpu' | 'memory';
  rule: CompiledResourceQuery;
  /** e.g. `resourceRules.cpu.containerQuery`. */
  path: string;
  /** The label holding pod (or node) names. */
  objectLabel: string;
  /** Pods: the label holding namespaces. */
  namespaceLabel: string | undefined;
  /** Pods: the label holding container names. */
  containerLabel: string | undefined;
  /** Every query to run: one per batch of names, more when one would exceed --max-query-length. */
  queries: string[];
}

export interface UsageQueryLimits {
  /** Upper bound on the characters of object names in one query (default 16 KiB). */
  maxNamesLength?: number;
  /** --max-query-length (0 or undefined: none). */
  maxQueryLength?: number;
}

/** The cpu and memory plans of a question; throws InternalError for a label or template problem. */
export function planUsageQueries(
  rules: CompiledResourceRules,
  mapper: ResourceMapper,
  question: UsageQuestion,
  limits: UsageQueryLimits,
): UsageQueryPlan[] {
  const kind = question.target === 'pods' ? 'containerQuery' : 'nodeQuery';
  // Every label first, as the source always has: a missing one is the error, before any rendering.
  const sides = (['cpu', 'memory'] as const).map((resource) => {
    const rule = rules[resource];
    return question.target === 'pods'
      ? {
          resource,
          rule,
          objectLabel: usageLabel(rule, PODS, mapper),
          namespaceLabel: usageLabel(rule, NAMESPACES, mapper),
          containerLabel: rule.containerLabel,
        }
      : {
          resource,
          rule,
          objectLabel: usageLabel(rule, NODES, mapper),
          namespaceLabel: undefined,
          containerLabel: undefined,
        };
  });
  return sides.map((side) => {
    const q = side.rule;
    const render = (names: readonly string[] | undefined): string =>
      question.target === 'pods'
        ? podUsageQuery(q, mapper, question.namespace, names)
        : nodeUsageQuery(q, mapper, names);
    let queries: string[];
    try {
      queries =
        question.names === undefined
          ? [render(undefined)]
          : batchNames(question.names, limits.maxNamesLength ?? 16_384).flatMap((batch) =>
              renderChunks(batch, limits.maxQueryLength ?? 0, render).map((c) => c.query),
            );
    } catch (err) {
      throw new InternalError(`${q.path}.${kind} could not be rendered: ${(err as Error).message}`);
    }
    return { ...side, path: `${q.path}.${kind}`, queries };
  });
}

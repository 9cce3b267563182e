/**
 * The last check of a namespace's rule before Prometheus sees its query: the metricsQuery is
 * rendered per request, so what the rule's compile-time checks proved of the template is proved
 * again of the text sent. A query that cannot be kept to the rule's namespace is never sent.
 */
import { InternalError } from '../errors.js';
import { confineToNamespace } from '../promql/index.js';
import type { CompiledRule } from '../rules/index.js';

/** Told why a namespace's rule's query was refused (the providers log it with the rule's path). */
export type RefusalObserver = (rule: CompiledRule, reason: string) => void;

/**
 * `query` as it may be sent for `rule`: unchanged for a cluster rule, confined to the rule's
 * namespace for a namespace's rule; a 500 (InternalError) when it cannot be confined.
 */
export function confineRuleQuery(rule: CompiledRule, query: string, refused?: RefusalObserver): string {
  if (rule.tenant === undefined) return query;
  const result = confineToNamespace(query, rule.tenant);
  if (result.ok) return result.query;
  refused?.(rule, result.reason);
  throw new InternalError(
    `the query of ${rule.path} could not be kept to its namespace ${rule.tenant}: ${result.reason}`,
  );
}

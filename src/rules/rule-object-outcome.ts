/**
 * What became of one rule object (ClusterMetricRule or MetricRule) in the running adapter: the
 * facts its status is written from. The rules-from-the-cluster loop produces one per object after
 * each change or relist; the status writer turns them into `status` and writes only what changed.
 */
import type { RuleObjectKind } from './rule-object-types.js';

export interface RuleObjectOutcome {
  kind: RuleObjectKind;
  /** Undefined for a ClusterMetricRule. */
  namespace: string | undefined;
  name: string;
  uid: string | undefined;
  /** metadata.generation of the object the outcome is about (becomes status.observedGeneration). */
  generation: number | undefined;
  /** It compiled (condition Accepted). */
  accepted: boolean;
  /** Why not, as `metrics-adapter check` prints each error: `spec.rule.metricsQuery: …`. */
  errors: string[];
  /** Set when another rule serves the same metric and wins (file, then cluster objects, then namespaced ones). */
  lostTo: string | undefined;
  /**
   * Condition Ready: undefined until its series lookup has run; false when the lookup failed or
   * found nothing; true when it yields metrics.
   */
  ready: boolean | undefined;
  readyMessage: string | undefined;
  /** The metric names it yields (custom: `resource/metric`; external: the metric name), sorted. */
  metrics: string[];
}

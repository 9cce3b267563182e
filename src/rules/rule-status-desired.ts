/**
 * The `status` a rule object should carry, computed from its outcome and the status it carries
 * now: conditions keep their lastTransitionTime while their status holds, and two statuses are
 * compared without that bookkeeping, so replicas that see the same outcome agree on "nothing to
 * write" instead of overwriting each other's timestamps.
 */
import type { RuleObjectOutcome } from './rule-object-outcome.js';
import type { RuleObjectKind } from './rule-object-types.js';

export const RULE_OBJECT_GROUP = 'metrics-adapter.io';
export const RULE_OBJECT_VERSION = 'v1alpha1';

/** How many metric names `status.metrics` lists; `status.metricCount` is the full count. */
export const STATUS_METRICS_CAP = 20;

/** metav1.Condition. */
export interface RuleCondition {
  type: 'Accepted' | 'Ready';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface RuleObjectStatus {
  observedGeneration?: number;
  conditions: RuleCondition[];
  metrics: string[];
  metricCount: number;
}

const PLURALS: Record<RuleObjectKind, string> = {
  ClusterMetricRule: 'clustermetricrules',
  MetricRule: 'metricrules',
};

/** The object's path (append `/status` for the subresource). */
export function ruleObjectPath(kind: RuleObjectKind, namespace: string | undefined, name: string): string {
  const ns = namespace === undefined ? '' : `namespaces/${encodeURIComponent(namespace)}/`;
  return `/apis/${RULE_OBJECT_GROUP}/${RULE_OBJECT_VERSION}/${ns}${PLURALS[kind]}/${encodeURIComponent(name)}`;
}

/** metav1.Time: RFC 3339 in seconds. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type ConditionFacts = Omit<RuleCondition, 'lastTransitionTime' | 'observedGeneration'>;

/**
 * metav1.Condition's message is at most 32 768 characters (the CRD schema says so, and the API
 * server refuses the whole status beyond it); long error lists are cut well below, saying how
 * many errors were left out.
 */
export const MAX_CONDITION_MESSAGE = 4_096;

export function conditionMessage(parts: readonly string[]): string {
  let text = '';
  for (const [i, part] of parts.entries()) {
    const next = text === '' ? part : `${text}; ${part}`;
    if (next.length > MAX_CONDITION_MESSAGE - 40) {
      if (text === '') {
        const more = parts.length - 1;
        return `${part.slice(0, MAX_CONDITION_MESSAGE - 40)}…${more > 0 ? `; … and ${more} more` : ''}`;
      }
      return `${text}; … and ${parts.length - i} more`;
    }
    text = next;
  }
  return text;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function acceptedCondition(o: RuleObjectOutcome): ConditionFacts {
  if (!o.accepted) {
    return {
      type: 'Accepted',
      status: 'False',
      reason: 'Invalid',
      message: o.errors.length > 0 ? conditionMessage(o.errors) : 'the rule does not compile',
    };
  }
  if (o.lostTo !== undefined) {
    return {
      type: 'Accepted',
      status: 'False',
      reason: 'Superseded',
      message: `${o.lostTo} serves the same metrics and takes precedence`,
    };
  }
  return { type: 'Accepted', status: 'True', reason: 'Compiled', message: 'the rule compiled' };
}

/**
 * A failed lookup and a lookup that found nothing both arrive as `ready: false`; the outcome does
 * not tell them apart, so a rule that still knows metrics from an earlier lookup is LookupFailed
 * and one that knows none is NoSeries (its readyMessage says which happened).
 */
function readyCondition(o: RuleObjectOutcome, accepted: ConditionFacts): ConditionFacts {
  if (accepted.status !== 'True') {
    return {
      type: 'Ready',
      status: 'False',
      reason: 'NotAccepted',
      message: 'the rule is not accepted (see the Accepted condition)',
    };
  }
  if (o.ready === undefined) {
    return {
      type: 'Ready',
      status: 'Unknown',
      reason: 'Pending',
      message: conditionMessage([o.readyMessage ?? 'the series lookup has not run yet']),
    };
  }
  if (o.ready) {
    return {
      type: 'Ready',
      status: 'True',
      reason: 'MetricsFound',
      message: `the rule yields ${plural(o.metrics.length, 'metric')}`,
    };
  }
  if (o.metrics.length > 0) {
    return {
      type: 'Ready',
      status: 'False',
      reason: 'LookupFailed',
      message: conditionMessage([o.readyMessage ?? 'the series lookup failed']),
    };
  }
  return {
    type: 'Ready',
    status: 'False',
    reason: 'NoSeries',
    message: conditionMessage([o.readyMessage ?? 'no series match the seriesQuery']),
  };
}

function conditionsOf(value: unknown): Partial<RuleCondition>[] {
  if (value === null || typeof value !== 'object') return [];
  const conditions = (value as { conditions?: unknown }).conditions;
  return Array.isArray(conditions)
    ? conditions.filter((c): c is Partial<RuleCondition> => c !== null && typeof c === 'object')
    : [];
}

/** The status to write; `current` is the object's status as last read (any shape). */
export function desiredStatus(o: RuleObjectOutcome, current: unknown, now: Date): RuleObjectStatus {
  const previous = conditionsOf(current);
  const accepted = acceptedCondition(o);
  const conditions = [accepted, readyCondition(o, accepted)].map((facts): RuleCondition => {
    const before = previous.find((c) => c.type === facts.type);
    const kept =
      before?.status === facts.status && typeof before.lastTransitionTime === 'string'
        ? before.lastTransitionTime
        : kubeTime(now);
    return {
      ...facts,
      lastTransitionTime: kept,
      ...(o.generation !== undefined ? { observedGeneration: o.generation } : {}),
    };
  });
  return {
    ...(o.generation !== undefined ? { observedGeneration: o.generation } : {}),
    conditions,
    metrics: o.metrics.slice(0, STATUS_METRICS_CAP),
    metricCount: o.metrics.length,
  };
}

/** A status without its lastTransitionTimes, for comparing. */
function comparable(status: unknown): unknown {
  if (status === null || typeof status !== 'object' || Array.isArray(status)) return status;
  const copy = { ...(status as Record<string, unknown>) };
  if (Array.isArray(copy.conditions)) {
    copy.conditions = copy.conditions.map((c: unknown) => {
      if (c === null || typeof c !== 'object') return c;
      const { lastTransitionTime: _ignored, ...rest } = c as Record<string, unknown>;
      return rest;
    });
  }
  return copy;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Equal but for lastTransitionTime (key order does not matter). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonical(comparable(a)) === canonical(comparable(b));
}

/** The observedGeneration a status carries, if any. */
export function observedGenerationOf(status: unknown): number | undefined {
  if (status === null || typeof status !== 'object') return undefined;
  const g = (status as { observedGeneration?: unknown }).observedGeneration;
  return typeof g === 'number' ? g : undefined;
}

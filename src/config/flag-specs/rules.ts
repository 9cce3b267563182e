/**
 * The rules file, whether rule objects of the cluster (ClusterMetricRule, MetricRule) join it, and
 * how often, and how far back, series discovery runs.
 */
import type { FlagSpec } from './types.js';
import { nonNegative, positiveDuration } from './validators.js';

const RULES_FROM_CLUSTER: readonly string[] = ['auto', 'true', 'false'];

export const RULES_FLAGS: readonly FlagSpec[] = [
  {
    name: 'config',
    kind: 'string',
    default: '',
    help: 'Rules file (prometheus-adapter format). Watched; SIGHUP re-reads it.',
  },
  {
    name: 'rules-from-cluster',
    kind: 'string',
    default: 'auto',
    help: 'Also serve the ClusterMetricRule and MetricRule objects: auto (when their API is listed at start), true (wait for it), false.',
    group: 'rules',
    validate: (v) =>
      typeof v === 'string' && RULES_FROM_CLUSTER.includes(v) ? undefined : 'must be auto, true or false',
  },
  {
    name: 'metrics-relist-interval',
    kind: 'duration',
    default: 60_000,
    help: 'How often series discovery re-runs every seriesQuery.',
    validate: positiveDuration,
  },
  {
    name: 'metrics-max-age',
    kind: 'duration',
    default: 0,
    help: 'How far back series discovery looks (default: --metrics-relist-interval; not less than it).',
    validate: nonNegative,
  },
];

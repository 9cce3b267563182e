/** The rules file and how often, and how far back, series discovery runs. */
import type { FlagSpec } from './types.js';
import { nonNegative, positiveDuration } from './validators.js';

export const RULES_FLAGS: readonly FlagSpec[] = [
  {
    name: 'config',
    kind: 'string',
    default: '',
    help: 'Rules file (prometheus-adapter format). Watched; SIGHUP re-reads it.',
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

/** Log verbosity, klog-style (--v) or by level name (--log-level). */
import type { FlagSpec } from './types.js';
import { nonNegative } from './validators.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const LOGGING_FLAGS: readonly FlagSpec[] = [
  {
    name: 'v',
    kind: 'int',
    default: 0,
    help: 'klog-style verbosity: 0-3 info, 4-5 debug (one line per request), 6+ trace.',
    validate: nonNegative,
  },
  {
    name: 'log-level',
    kind: 'string',
    default: '',
    help: `Log level (${LOG_LEVELS.join(', ')}); overrides --v.`,
    validate: (v) =>
      v === '' || LOG_LEVELS.includes(String(v)) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`,
  },
];

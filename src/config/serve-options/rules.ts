/** The rules file and series discovery's timing; shared by serve, check and explain. */
import { FlagError, numberFlag, type FlagValues } from '../flags.js';
import { optionalFile } from './optional-file.js';

export interface RulesOptions {
  configFile: string | undefined;
  relistIntervalMs: number;
  maxAgeMs: number;
}

/** The rules file and discovery flags (shared by serve, check and explain). */
export function buildRulesOptions(values: FlagValues): RulesOptions {
  const relistIntervalMs = numberFlag(values, 'metrics-relist-interval');
  const maxAgeFlag = numberFlag(values, 'metrics-max-age');
  const maxAgeMs = maxAgeFlag === 0 ? relistIntervalMs : maxAgeFlag;
  if (maxAgeMs < relistIntervalMs) {
    throw new FlagError(
      '--metrics-max-age',
      '--metrics-max-age must not be less than --metrics-relist-interval',
    );
  }
  return { configFile: optionalFile(values, 'config'), relistIntervalMs, maxAgeMs };
}

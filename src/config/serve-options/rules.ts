/** The rules file and series discovery's timing; shared by serve, check and explain. */
import { FlagError, numberFlag, stringFlag, type FlagValues } from '../flags.js';
import { optionalFile } from './optional-file.js';

/** Whether rule objects of the cluster are served: auto (when their API is there), true, false. */
export type RulesFromCluster = 'auto' | 'true' | 'false';

export interface RulesOptions {
  configFile: string | undefined;
  fromCluster: RulesFromCluster;
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
  const fromCluster = stringFlag(values, 'rules-from-cluster');
  if (fromCluster !== 'auto' && fromCluster !== 'true' && fromCluster !== 'false')
    throw new FlagError('--rules-from-cluster', '--rules-from-cluster must be auto, true or false');
  return { configFile: optionalFile(values, 'config'), fromCluster, relistIntervalMs, maxAgeMs };
}

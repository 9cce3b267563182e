/**
 * Which kubeconfig each cluster role uses (metrics lister, authentication, authorization), from
 * the flags and the fallback rule of kubeconfig-roles.ts.
 */
import { resolve } from 'node:path';
import { FlagError, type FlagValues } from '../flags.js';
import {
  resolveKubeconfigs,
  type KubeconfigChoice,
  type KubeconfigEnv,
  type KubeRole,
} from '../kubeconfig-roles.js';
import { optionalFile } from './optional-file.js';

/** --kubeconfig is our alias of --lister-kubeconfig: one given serves both, two different files are an error. */
function listerKubeconfigFlag(values: FlagValues): string | undefined {
  const lister = optionalFile(values, 'lister-kubeconfig');
  const alias = optionalFile(values, 'kubeconfig');
  if (lister !== undefined && alias !== undefined && resolve(lister) !== resolve(alias)) {
    throw new FlagError(
      '--kubeconfig',
      `--kubeconfig ("${alias}") and --lister-kubeconfig ("${lister}") name different files: --kubeconfig is an alias of --lister-kubeconfig, give one of them`,
    );
  }
  return lister ?? alias;
}

export function kubeconfigsFrom(values: FlagValues, env: KubeconfigEnv): Record<KubeRole, KubeconfigChoice> {
  return resolveKubeconfigs(
    {
      lister: listerKubeconfigFlag(values),
      authentication: optionalFile(values, 'authentication-kubeconfig'),
      authorization: optionalFile(values, 'authorization-kubeconfig'),
    },
    env,
  );
}

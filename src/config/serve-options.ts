/**
 * Turns parsed flags into typed, cross-checked options for `serve`. Every problem is a FlagError
 * naming the flag, so the CLI can print one line and exit 2. Each options group is built in its
 * file under serve-options/; the order they are built in here decides which of several wrong
 * flags is reported.
 */
import { numberFlag, stringFlag, type FlagValues } from './flags.js';
import type { KubeconfigEnv, KubeRole } from './kubeconfig-roles.js';
import {
  authenticationOptionsFrom,
  authorizationOptionsFrom,
  type AuthenticationOptions,
  type AuthorizationOptions,
} from './serve-options/auth.js';
import { kubeconfigsFrom } from './serve-options/cluster.js';
import { kubeletOptionsFrom, type KubeletOptions } from './serve-options/kubelet.js';
import { limitsOptionsFrom, type LimitsOptions } from './serve-options/limits.js';
import { buildPrometheusOptions, type PrometheusOptions } from './serve-options/prometheus.js';
import { buildRulesOptions, type RulesOptions } from './serve-options/rules.js';
import { servingOptionsFrom, type ServingOptions } from './serve-options/serving.js';

export type {
  AuthenticationOptions,
  AuthorizationOptions,
  RequestHeaderOptions,
  TokenAuthenticationOptions,
} from './serve-options/auth.js';
export type { KubeletOptions } from './serve-options/kubelet.js';
export { limitsOptionsFrom, type LimitsOptions } from './serve-options/limits.js';
export { optionalFile } from './serve-options/optional-file.js';
export { buildPrometheusOptions, type PrometheusOptions } from './serve-options/prometheus.js';
export { buildRulesOptions, type RulesFromCluster, type RulesOptions } from './serve-options/rules.js';
export type { ServingOptions } from './serve-options/serving.js';

export interface ServeOptions {
  serving: ServingOptions;
  limits: LimitsOptions;
  authentication: AuthenticationOptions;
  authorization: AuthorizationOptions;
  /**
   * Every cluster call made for metrics: API discovery, lists and watches (--lister-kubeconfig,
   * alias --kubeconfig, after the fallback rule); undefined: the in-cluster service account.
   */
  listerKubeconfig: string | undefined;
  /** Where each role's kubeconfig came from (a flag, 'in-cluster', 'KUBECONFIG' or 'none'), for the start log. */
  kubeconfigSources: Readonly<Record<KubeRole, string>>;
  /** How often API discovery (resource names, kinds, scope) is refreshed. */
  discoveryIntervalMs: number;
  prometheus: PrometheusOptions;
  rules: RulesOptions;
  kubelet: KubeletOptions;
  logLevel: string;
}

export function buildServeOptions(
  values: FlagValues,
  given: ReadonlySet<string>,
  env: KubeconfigEnv = process.env,
): ServeOptions {
  const serving = servingOptionsFrom(values);
  const prometheus = buildPrometheusOptions(values);
  const rules = buildRulesOptions(values);
  const kube = kubeconfigsFrom(values, env);
  const kubelet = kubeletOptionsFrom(values);
  return {
    serving,
    limits: limitsOptionsFrom(values),
    authentication: authenticationOptionsFrom(values, given, kube.authentication.path),
    authorization: authorizationOptionsFrom(values, kube.authorization.path),
    listerKubeconfig: kube.lister.path,
    kubeconfigSources: {
      lister: kube.lister.from,
      authentication: kube.authentication.from,
      authorization: kube.authorization.from,
    },
    discoveryIntervalMs: numberFlag(values, 'discovery-interval'),
    prometheus,
    rules,
    kubelet,
    logLevel: logLevelFrom(values),
  };
}

function logLevelFrom(values: FlagValues): string {
  const explicit = stringFlag(values, 'log-level');
  if (explicit !== '') return explicit;
  const v = numberFlag(values, 'v');
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}

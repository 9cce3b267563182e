/**
 * Which kubeconfig each of the adapter's three uses of the cluster gets. prometheus-adapter's
 * manifests give any subset of --lister-kubeconfig, --authentication-kubeconfig and
 * --authorization-kubeconfig (or none, in a cluster); a file given for one role serves the others
 * unless they have their own, so a single flag is enough to run outside a cluster.
 */

export const KUBE_ROLES = ['lister', 'authentication', 'authorization'] as const;
export type KubeRole = (typeof KUBE_ROLES)[number];

export const KUBECONFIG_FLAG_OF: Readonly<Record<KubeRole, string>> = {
  lister: '--lister-kubeconfig',
  authentication: '--authentication-kubeconfig',
  authorization: '--authorization-kubeconfig',
};

/** The rule as --help and docs/configuration.md state it (one sentence, kept identical everywhere). */
export const KUBECONFIG_FALLBACK_RULE =
  'Each of the three roles (lister, authentication, authorization) uses its own flag; if not given, ' +
  'the first given of the others in the order lister → authentication → authorization; if none is ' +
  'given, in-cluster config (KUBERNETES_SERVICE_HOST); outside a cluster, the file named by the ' +
  'KUBECONFIG environment variable; else the adapter does not start.';

export interface KubeconfigChoice {
  /** The file to load; undefined means the in-cluster service account (or, with `from: 'none'`, nothing). */
  path: string | undefined;
  /** Where the choice came from: a flag name, 'in-cluster', 'KUBECONFIG', or 'none'. */
  from: string;
}

export interface KubeconfigEnv {
  KUBERNETES_SERVICE_HOST?: string | undefined;
  KUBERNETES_SERVICE_PORT?: string | undefined;
  KUBECONFIG?: string | undefined;
}

const nonEmpty = (s: string | undefined): s is string => s !== undefined && s !== '';

/** Applies the fallback rule; `flags` holds the files given per role (empty or undefined: not given). */
export function resolveKubeconfigs(
  flags: Partial<Record<KubeRole, string | undefined>>,
  env: KubeconfigEnv,
): Record<KubeRole, KubeconfigChoice> {
  const firstGiven = KUBE_ROLES.find((r) => nonEmpty(flags[r]));
  let shared: KubeconfigChoice;
  if (firstGiven !== undefined) {
    shared = { path: flags[firstGiven], from: KUBECONFIG_FLAG_OF[firstGiven] };
  } else if (nonEmpty(env.KUBERNETES_SERVICE_HOST) && nonEmpty(env.KUBERNETES_SERVICE_PORT)) {
    shared = { path: undefined, from: 'in-cluster' };
  } else {
    // client-go merges a list of files; a development setup names one, and the first one wins here.
    const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
    shared = first !== undefined ? { path: first, from: 'KUBECONFIG' } : { path: undefined, from: 'none' };
  }
  const choose = (role: KubeRole): KubeconfigChoice => {
    const own = flags[role];
    return nonEmpty(own) ? { path: own, from: KUBECONFIG_FLAG_OF[role] } : shared;
  };
  return {
    lister: choose('lister'),
    authentication: choose('authentication'),
    authorization: choose('authorization'),
  };
}

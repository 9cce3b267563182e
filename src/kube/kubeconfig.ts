/**
 * Which cluster and credentials the adapter uses: a kubeconfig file, or the in-cluster service
 * account when none is given. Kept apart from the HTTP client so that the error a user sees for a
 * missing or broken kubeconfig is decided in one place.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '../errors.js';

export class KubeConfigError extends Error {}

/** Loads `path`, or without one the in-cluster service account (which role falls back to what is decided in src/config). */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) {
    try {
      kc.loadFromFile(path);
    } catch (err) {
      throw new KubeConfigError(`cannot load kubeconfig ${path}: ${errorMessage(err)}`);
    }
    if (kc.getCurrentCluster() === null)
      throw new KubeConfigError(`kubeconfig ${path} has no current cluster`);
    return kc;
  }
  if (
    process.env.KUBERNETES_SERVICE_HOST === undefined ||
    process.env.KUBERNETES_SERVICE_PORT === undefined
  ) {
    throw new KubeConfigError(
      'no kubeconfig given and not running in a cluster (KUBERNETES_SERVICE_HOST is unset): give --lister-kubeconfig (alias --kubeconfig), --authentication-kubeconfig or --authorization-kubeconfig, or set KUBECONFIG; or try `metrics-adapter demo`',
    );
  }
  kc.loadFromCluster();
  return kc;
}

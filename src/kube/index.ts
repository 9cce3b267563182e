/**
 * Layer kube/ (under prometheus/): may import promql/, deadline.ts and the base layer (config/,
 * errors.ts, logging.ts, …). Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * The Kubernetes side of the adapter: loading kubeconfigs, a small API client, API discovery for
 * the resource mapper, watch-backed object caches, SubjectAccessReview, TokenReview, the
 * service-account issuer's keys and the cluster's authentication ConfigMap. Nothing here knows
 * about HTTP serving.
 */
export { KubeClient, type KubeRequestOptions } from './client.js';
export { KubeApiError } from './answer.js';
export { KubeConfigError, loadKubeConfig } from './kubeconfig.js';
export { internString, internLabels, internNames, internSizes } from './intern.js';
export { SubjectAccessReviewer, type SubjectAccessReviewerOptions } from './subject-access-review.js';
export {
  TokenReviewer,
  tokenCacheKey,
  type TokenReviewerOptions,
  type TokenReviewOutcome,
  type TokenReviewResult,
} from './token-review.js';
export {
  readIssuerDiscovery,
  readServiceAccountKeys,
  parseJsonWebKeySet,
  type JsonWebKeySetDocument,
} from './service-account-issuer.js';
export { readClusterAuthenticationInfo, type ClusterAuthenticationInfo } from './auth-configmap.js';
export type {
  UserInfo,
  ResourceAttributes,
  NonResourceAttributes,
  AccessReviewRequest,
  AccessDecision,
} from './types.js';
export {
  DiscoveryResourceMapper,
  ResourceIndex,
  BUILTIN_RESOURCES,
  apiVersionOf,
  groupResourceString,
  parseGroupResource,
  type ResourceInfo,
  type ResourceMapper,
  type GroupResource,
} from './resource-mapper.js';
export {
  WatchingObjectLister,
  StaticObjectLister,
  collectionPath,
  type ObjectLister,
  type ObjectRef,
  type ObjectSelector,
} from './object-cache.js';
export { Informer, type InformerConfig, type InformerChange, type InformerListener } from './informer.js';
export type { WatchFailureObserver } from './list-watch.js';
export type { KubeObjectLike } from './paged-list.js';

/**
 * What the adapter reads from a cluster, and `connectCluster`, which builds it from the
 * kubeconfigs of the three roles (lister, authentication, authorization): the resource mapper, the
 * object caches and informers, the kubelet scraper, the SubjectAccessReview authorizer. The demo
 * builds its own `ClusterAccess` in place of a cluster.
 */
import type { StandInApis } from './apiserver/api-groups.js';
import { SubjectAccessReviewAuthorizer, type Authorizer } from './apiserver/authz.js';
import type { ServeOptions } from './config/serve-options.js';
import {
  DiscoveryResourceMapper,
  Informer,
  KubeClient,
  SubjectAccessReviewer,
  WatchingObjectLister,
  type ObjectLister,
  type ResourceMapper,
} from './kube/index.js';
import { createNodeInformer, KubeletScraper } from './kubelet/index.js';
import type { Logger } from './logging.js';
import {
  InformerClusterObjects,
  KubeClusterObjects,
  podRecordFrom,
  type ClusterObjects,
  type PodRecord,
} from './providers/index.js';
import type { SelfMetrics } from './self-metrics.js';

/** What the adapter needs from a cluster. `connectCluster` gives the real thing. */
export interface ClusterAccess {
  mapper: ResourceMapper;
  lister: ObjectLister;
  /** Pods and nodes with what metrics.k8s.io needs (phase, containers, labels). */
  objects: ClusterObjects;
  /** The kubelet scraper (metrics-server's job); undefined where there are no kubelets to ask. */
  kubelet: KubeletScraper | undefined;
  authorizer: Authorizer;
  /**
   * The authentication kubeconfig role's client: the extension-apiserver-authentication lookup
   * (unless skipped), TokenReview and the service-account issuer's keys; undefined without a cluster.
   */
  authenticationClient: KubeClient | undefined;
  /** The client that watches rule objects (ClusterMetricRule, MetricRule); none without a cluster. */
  ruleObjectsClient?: KubeClient;
  /** APIs that answer in place of the cluster's (the demo's core objects); none in a cluster. */
  standIn?: StandInApis;
  start(): Promise<void>;
  close(): void;
}

export function connectCluster(options: ServeOptions, logger: Logger, metrics: SelfMetrics): ClusterAccess {
  // One client (one connection pool, one credential refresh) per distinct kubeconfig file.
  const clients = new Map<string, KubeClient>();
  const clientFor = (path: string | undefined): KubeClient => {
    const key = path ?? '';
    let client = clients.get(key);
    if (client === undefined) {
      client = KubeClient.fromKubeconfig(path);
      clients.set(key, client);
    }
    return client;
  };
  try {
    const lister = clientFor(options.listerKubeconfig);
    // --authentication-skip-lookup skips the ConfigMap only: bearer tokens still need this client.
    const authn = clientFor(options.authentication.kubeconfig);
    const authz = clientFor(options.authorization.kubeconfig);
    const where = (path: string | undefined, from: string): string =>
      path === undefined ? from : `${path} (${from})`;
    logger.info(
      {
        lister: where(options.listerKubeconfig, options.kubeconfigSources.lister),
        authentication:
          where(options.authentication.kubeconfig, options.kubeconfigSources.authentication) +
          (options.authentication.skipLookup ? ', ConfigMap lookup skipped' : ''),
        authorization: where(options.authorization.kubeconfig, options.kubeconfigSources.authorization),
      },
      'cluster access',
    );
    const mapper = new DiscoveryResourceMapper(lister, logger, {
      // 0 (prometheus-adapter's default) leaves refreshes to misses; timers cap at 2^31-1 ms.
      refreshIntervalMs: options.discoveryIntervalMs > 0 ? options.discoveryIntervalMs : 2 ** 31 - 1,
    });
    const onWatchFailure = (resource: string, reason: 'expired' | 'error'): void =>
      metrics.kubeWatchFailures.inc({ resource, reason });
    const objects = new WatchingObjectLister(lister, logger, { onWatchFailure });
    // One node watch serves the kubelet scraper and metrics.k8s.io's node labels.
    const nodeInformer = createNodeInformer(lister, logger, onWatchFailure);
    const podInformer = new Informer<PodRecord>(
      lister,
      {
        path: '/api/v1/pods',
        transform: podRecordFrom,
        onWatchFailure,
        // A page of 100 full pods (~0.7 MB of JSON, a few MB parsed) dies in the young
        // generation; a page of 500 outgrows it, is promoted, and grows the heap while syncing.
        pageSize: 100,
      },
      logger,
    );
    const kubelet = options.kubelet.enabled
      ? new KubeletScraper({ client: lister, options: options.kubelet, logger, metrics, nodes: nodeInformer })
      : undefined;
    const reviewer = new SubjectAccessReviewer(authz, {
      allowedTtlMs: options.authorization.allowedTtlMs,
      deniedTtlMs: options.authorization.deniedTtlMs,
    });
    return {
      mapper,
      lister: objects,
      objects: new InformerClusterObjects(podInformer, nodeInformer, new KubeClusterObjects(lister)),
      kubelet,
      authorizer: new SubjectAccessReviewAuthorizer(reviewer),
      authenticationClient: authn,
      ruleObjectsClient: lister,
      start: () => {
        // The scraper needs the nodes at once; metrics.k8s.io starts the informers on first use.
        if (kubelet !== undefined) {
          nodeInformer.start();
          kubelet.start();
        }
        return mapper.start();
      },
      close: () => {
        void kubelet?.stop();
        podInformer.stop();
        nodeInformer.stop();
        reviewer.close();
        mapper.close();
        objects.close();
        for (const c of clients.values()) c.close();
      },
    };
  } catch (err) {
    for (const c of clients.values()) c.close();
    throw err;
  }
}

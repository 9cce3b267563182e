/**
 * Wires the adapter together: serving certificate, authentication and authorization, the cluster
 * caches, the Prometheus client, the rule engine and the API group-versions, behind one HTTPS
 * listener. `startServer` returns a handle to reload rules and shut down.
 */
import type { AddressInfo } from 'node:net';
import { ApiGroupRegistry, type StandInApis } from './apiserver/api-groups.js';
import { createApp } from './apiserver/app.js';
import { AuthenticationConfigSource } from './apiserver/authn-config.js';
import { Authenticator } from './apiserver/authn.js';
import { startTokenAuthentication } from './apiserver/authn-token.js';
import { SubjectAccessReviewAuthorizer, type Authorizer } from './apiserver/authz.js';
import { CustomMetricsApi } from './apiserver/custom-metrics-api.js';
import { HealthChecks } from './apiserver/health.js';
import { messageClassesFor } from './apiserver/message-classes.js';
import { buildOpenApiDocuments } from './apiserver/openapi.js';
import { MAX_URL_LENGTH } from './apiserver/middleware/limits.js';
import { SecureServer } from './apiserver/secure-server.js';
import { ensureSelfSignedPair, ServingCertificateSource } from './apiserver/serving-certs.js';
import type { ServeOptions } from './config/serve-options.js';
import {
  DiscoveryResourceMapper,
  KubeClient,
  SubjectAccessReviewer,
  Informer,
  WatchingObjectLister,
  type ObjectLister,
  type ResourceMapper,
} from './kube/index.js';

import { KubeletScraper, createNodeInformer } from './kubelet/index.js';
import type { Logger } from './logging.js';
import { connectPrometheus, redactUrl, type PrometheusClient } from './prometheus/index.js';
import { ExternalMetricsApi } from './apiserver/external-metrics-api.js';
import { ResourceMetricsApi } from './apiserver/resource-metrics-api.js';
import {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  InformerClusterObjects,
  KubeClusterObjects,
  podRecordFrom,
  type PodRecord,
  PrometheusResourceSource,
  ResourceMetricsProvider,
  type ClusterObjects,
  type ResourceUsageSource,
} from './providers/index.js';
import {
  explainNode,
  explainPod,
  explainRequest,
  renderExplanationText,
  renderResourceExplanationText,
  type Explanation,
  type ResourceExplainDeps,
  type ResourceExplanation,
} from './explain/index.js';
import { addServerChecks } from './readiness.js';
import { MetricDiscovery, RulesReloader } from './rules/index.js';
import { SelfMetrics } from './self-metrics.js';
import { VERSION } from './version.js';

export { VERSION };

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

export interface RunningServer {
  address: AddressInfo;
  url: string;
  metrics: SelfMetrics;
  discovery: MetricDiscovery;
  reloadRules(reason?: string): Promise<boolean>;
  /** Readiness turns false; nothing else changes until close(). */
  beginShutdown(): void;
  close(deadlineMs?: number): Promise<void>;
}

export interface StartOptions {
  options: ServeOptions;
  logger: Logger;
  /** Defaults to connectCluster(options). */
  cluster?: ClusterAccess;
  /** Defaults to a client built from options.prometheus. */
  prometheus?: PrometheusClient;
  /** File polling interval for certificates, CAs and rules (tests shorten it). */
  filePollMs?: number;
  /** How often kube-system/extension-apiserver-authentication is re-read; default 60 s (tests shorten it). */
  authConfigMapRefreshMs?: number;
}

export async function startServer(start: StartOptions): Promise<RunningServer> {
  const { options, logger } = start;
  const metrics = new SelfMetrics();
  const closers: (() => void)[] = [];
  const closeAll = (): void => {
    for (const c of closers.splice(0).reverse()) {
      try {
        c();
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'close failed');
      }
    }
  };
  try {
    let { certFile, keyFile } = options.serving;
    if (certFile === undefined || keyFile === undefined) {
      ({ certFile, keyFile } = await ensureSelfSignedPair(
        options.serving.selfSignedCertDir ?? '.',
        [options.serving.bindAddress],
        logger,
      ));
    }
    const certs = await ServingCertificateSource.open(certFile, keyFile, logger);
    closers.push(() => certs.close());

    const cluster = start.cluster ?? connectCluster(options, logger, metrics);
    closers.push(() => cluster.close());

    const authnSource = new AuthenticationConfigSource({
      options: options.authentication,
      kube: cluster.authenticationClient,
      logger,
      filePollMs: start.filePollMs,
      configMapRefreshMs: start.authConfigMapRefreshMs,
      onReload: (result) => metrics.authenticationConfigReloads.inc({ result }),
    });
    await authnSource.start();
    closers.push(() => authnSource.close());
    const tokens = await startTokenAuthentication({
      options: options.authentication.tokens,
      client: cluster.authenticationClient,
      logger,
      metrics,
      filePollMs: start.filePollMs,
    });
    closers.push(() => tokens.close());
    const authenticator = new Authenticator(authnSource.current(), tokens.authenticator);

    let prometheus = start.prometheus;
    if (prometheus === undefined) {
      const connection = await connectPrometheus(
        options.prometheus,
        metrics,
        logger,
        options.limits.maxPrometheusQueries,
      );
      closers.push(() => connection.close());
      prometheus = connection.client;
    }

    await cluster.start();
    const discovery = new MetricDiscovery({
      prometheus,
      mapper: cluster.mapper,
      logger,
      metrics,
      relistIntervalMs: options.rules.relistIntervalMs,
      maxAgeMs: options.rules.maxAgeMs,
    });
    const reloader = new RulesReloader({
      file: options.rules.configFile,
      discovery,
      logger,
      metrics,
      pollIntervalMs: start.filePollMs,
    });
    const rules = await reloader.loadInitial();
    closers.push(() => reloader.close());
    closers.push(() => discovery.stop());

    const custom = new CustomMetricsProvider({
      discovery,
      mapper: cluster.mapper,
      lister: cluster.lister,
      prometheus,
      logger,
      metrics,
      maxSelectedObjects: options.limits.maxSelectedObjects,
      maxQueryLength: options.limits.maxQueryLength,
    });
    const groups = new ApiGroupRegistry();
    groups.register(
      'custom.metrics.k8s.io',
      'v1beta1',
      new CustomMetricsApi('v1beta1', custom, () => discovery.catalogVersion),
    );
    groups.register(
      'custom.metrics.k8s.io',
      'v1beta2',
      new CustomMetricsApi('v1beta2', custom, () => discovery.catalogVersion),
    );
    const external = new ExternalMetricsProvider({
      discovery,
      mapper: cluster.mapper,
      prometheus,
      logger,
      metrics,
    });
    groups.register(
      'external.metrics.k8s.io',
      'v1beta1',
      new ExternalMetricsApi(external, () => discovery.catalogVersion),
    );
    // Prometheus (resourceRules) first; without resourceRules it knows nothing and the next
    // source answers.
    const prometheusUsage = new PrometheusResourceSource({
      rules: () => discovery.rules.resource,
      mapper: cluster.mapper,
      prometheus,
      logger,
      metrics,
      maxQueryLength: options.limits.maxQueryLength,
    });
    const usageSources: ResourceUsageSource[] = [prometheusUsage];
    if (cluster.kubelet !== undefined) usageSources.push(cluster.kubelet.usageSource());
    const scraper = cluster.kubelet;
    const resourceExplain: ResourceExplainDeps = {
      objects: cluster.objects,
      sources: usageSources,
      prometheus: prometheusUsage,
      kubelet:
        scraper === undefined
          ? undefined
          : {
              diagnoseNode: (name) => scraper.diagnoseNode(name),
              diagnosePod: (namespace, name) => scraper.store.diagnosePod(namespace, name),
              nodePoints: (name) => scraper.store.diagnoseNode(name),
              endpointName: options.kubelet.endpoint === 'summary' ? 'Summary API' : '/metrics/resource',
            },
    };
    groups.register(
      'metrics.k8s.io',
      'v1beta1',
      new ResourceMetricsApi(
        new ResourceMetricsProvider({ objects: cluster.objects, sources: usageSources, logger, metrics }),
      ),
    );

    const health = new HealthChecks(logger);
    const live: { server?: SecureServer } = {};
    addServerChecks(health, {
      certificateNotAfter: () => new Date(certs.current().leaf.validTo),
      isShuttingDown: () => live.server?.isShuttingDown === true,
      discovery,
      kubelet: cluster.kubelet,
    });

    const app = createApp({
      logger,
      metrics,
      health,
      authenticator,
      authorizer: cluster.authorizer,
      alwaysAllowPaths: options.authorization.alwaysAllowPaths,
      groups,
      limits: {
        maxRequestsInflight: options.limits.maxRequestsInflight,
        requestTimeoutMs: options.limits.requestTimeoutMs,
        maxUrlLength: MAX_URL_LENGTH,
      },
      openapi: buildOpenApiDocuments({ title: 'metrics-adapter', version: VERSION }),
      standIn: cluster.standIn,
      explainer: {
        explain: (path, signal) =>
          explainRequest(path, {
            discovery,
            mapper: cluster.mapper,
            resourcesFrom: 'cluster',
            prometheus,
            lister: cluster.lister,
            limits: options.limits,
            signal,
          }),
        renderText: (e) => renderExplanationText(e as Explanation),
        explainObject: (target, signal) =>
          target.kind === 'pod'
            ? explainPod(resourceExplain, target.namespace, target.name, signal)
            : explainNode(resourceExplain, target.name, signal),
        renderObjectText: (e) => renderResourceExplanationText(e as ResourceExplanation),
      },
    });
    const liveServer = new SecureServer(app, {
      serving: options.serving,
      pair: certs.current(),
      clientCAPems: authnSource.clientCAPems(),
      logger,
      messageClasses: messageClassesFor(app),
    });
    live.server = liveServer;
    metrics.certificateExpiry.set(new Date(certs.current().leaf.validTo).getTime() / 1000);
    await certs.watch(
      (pair) => {
        liveServer.updateServingPair(pair);
        metrics.certificateReloads.inc({ result: 'success' });
        metrics.certificateExpiry.set(new Date(pair.leaf.validTo).getTime() / 1000);
      },
      start.filePollMs,
      () => metrics.certificateReloads.inc({ result: 'failure' }),
    );
    authnSource.onChange((config) => {
      authenticator.update(config);
      liveServer.updateClientCAs(authnSource.clientCAPems());
    });

    const address = await liveServer.listen();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    logger.info({ address: address.address, port: address.port, version: VERSION }, 'serving securely');

    // Discovery runs after the listener is up: the aggregator needs discovery answers at once.
    void discovery.setRules(rules).then(() => {
      const c = discovery.catalog;
      const last = discovery.lastRelist;
      if (last.queries > 0 && last.failures === last.queries) {
        // Not a rules problem: no seriesQuery got an answer.
        logger.warn(
          { prometheus: redactUrl(options.prometheus.url), err: last.error },
          'Prometheus did not answer the series discovery: the APIs list no metrics until it does (check --prometheus-url and the Prometheus flags)',
        );
      } else if (rules.custom.length + rules.external.length > 0 && c.customCount + c.externalCount === 0) {
        logger.warn(
          'the rules yield no metrics from Prometheus (yet): check seriesQuery and the resources mapping',
        );
      }
      discovery.start();
    });
    await reloader.watch();

    let closed = false;
    return {
      address,
      url: `https://${host}:${address.port}`,
      metrics,
      discovery,
      reloadRules: (reason = 'requested') => reloader.reload(reason),
      beginShutdown: () => liveServer.beginShutdown(),
      close: async (deadlineMs = 9_000) => {
        if (closed) return;
        closed = true;
        await liveServer.close(deadlineMs);
        closeAll();
      },
    };
  } catch (err) {
    closeAll();
    throw err;
  }
}

/**
 * Wires the adapter together: serving certificate, authentication and authorization, the cluster
 * (cluster-access.ts), the Prometheus client, the rule engine and the metrics APIs
 * (metric-apis.ts), health checks (readiness.ts), behind one HTTPS listener. `startServer`
 * returns a handle to reload rules and shut down.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './apiserver/app.js';
import { AuthenticationConfigSource } from './apiserver/authn-config.js';
import { Authenticator } from './apiserver/authn.js';
import { startTokenAuthentication } from './apiserver/authn-token.js';
import { HealthChecks } from './apiserver/health.js';
import { messageClassesFor } from './apiserver/message-classes.js';
import { buildOpenApiDocuments } from './apiserver/openapi.js';
import { MAX_URL_LENGTH } from './apiserver/middleware/limits.js';
import { SecureServer } from './apiserver/secure-server.js';
import { ensureSelfSignedPair, ServingCertificateSource } from './apiserver/serving-certs.js';
import { connectCluster, type ClusterAccess } from './cluster-access.js';
import type { ServeOptions } from './config/serve-options.js';
import type { Logger } from './logging.js';
import { metricApis } from './metric-apis.js';
import { connectPrometheus, redactUrl, type PrometheusClient } from './prometheus/index.js';
import { tenantHeaders } from './providers/index.js';
import { addServerChecks } from './readiness.js';
import {
  ClusterRules,
  MetricDiscovery,
  RuleComposer,
  RuleStatusWriter,
  RulesReloader,
  type RuleOutcomeSource,
} from './rules/index.js';
import { SelfMetrics } from './self-metrics.js';
import { VERSION } from './version.js';

export { VERSION };
export { connectCluster, type ClusterAccess };

export interface RunningServer {
  address: AddressInfo;
  url: string;
  metrics: SelfMetrics;
  discovery: MetricDiscovery;
  /** What became of each rule object after each relist (the status writer subscribes). */
  ruleOutcomes: RuleOutcomeSource;
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
      // MetricRules' queries carry their namespace's tenant (--prometheus-tenant-header).
      tenantHeaders: tenantHeaders({
        header: options.prometheus.tenantHeader ?? '',
        from: options.prometheus.tenantFrom ?? { kind: 'namespace' },
        lister: cluster.lister,
        mapper: cluster.mapper,
      }),
    });
    // The rules file and the cluster's rule objects reach the discovery merged, through the composer.
    const composer = new RuleComposer({ discovery, mapper: cluster.mapper, logger });
    const reloader = new RulesReloader({
      file: options.rules.configFile,
      discovery: composer,
      logger,
      metrics,
      pollIntervalMs: start.filePollMs,
    });
    const rules = await reloader.loadInitial();
    closers.push(() => reloader.close());
    closers.push(() => discovery.stop());

    const { groups, explainer } = metricApis({
      options,
      cluster,
      discovery,
      prometheus,
      logger,
      metrics,
    });

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
      explainer,
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
    void composer.setRules(rules).then(() => {
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
    const clusterRules = new ClusterRules({
      mode: options.rules.fromCluster,
      client: cluster.ruleObjectsClient,
      mapper: cluster.mapper,
      composer,
      logger,
      onWatchFailure: (resource, reason) => metrics.kubeWatchFailures.inc({ resource, reason }),
    });
    closers.push(() => clusterRules.stop());
    const objectsClient = cluster.ruleObjectsClient;
    if (objectsClient !== undefined) {
      // Each rule object's status (Accepted, Ready, its metrics), written only when it changes.
      const statusWriter = new RuleStatusWriter({ client: objectsClient, logger });
      const unsubscribe = composer.onOutcomes((outcomes) => statusWriter.report(outcomes));
      closers.push(() => {
        unsubscribe();
        void statusWriter.stop();
      });
    }
    await clusterRules.start();

    let closed = false;
    return {
      address,
      url: `https://${host}:${address.port}`,
      metrics,
      discovery,
      ruleOutcomes: composer,
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

/**
 * The three metrics APIs on their providers (custom and external from the rule engine and
 * Prometheus; metrics.k8s.io from resourceRules first, then the kubelet scraper), registered as
 * group-versions, and the explainer `/debug/explain` answers with, which sees the same providers.
 */
import { ApiGroupRegistry } from './apiserver/api-groups.js';
import type { RequestExplainer } from './apiserver/routes/debug.js';
import { CustomMetricsApi } from './apiserver/custom-metrics-api.js';
import { ExternalMetricsApi } from './apiserver/external-metrics-api.js';
import { ResourceMetricsApi } from './apiserver/resource-metrics-api.js';
import type { ClusterAccess } from './cluster-access.js';
import type { ServeOptions } from './config/serve-options.js';
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
import type { Logger } from './logging.js';
import type { PrometheusClient } from './prometheus/index.js';
import {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  PrometheusResourceSource,
  ResourceMetricsProvider,
  type ResourceUsageSource,
} from './providers/index.js';
import type { MetricDiscovery } from './rules/index.js';
import type { SelfMetrics } from './self-metrics.js';

export interface MetricApiDeps {
  options: ServeOptions;
  cluster: ClusterAccess;
  discovery: MetricDiscovery;
  prometheus: PrometheusClient;
  logger: Logger;
  metrics: SelfMetrics;
}

export function metricApis(deps: MetricApiDeps): { groups: ApiGroupRegistry; explainer: RequestExplainer } {
  const { options, cluster, discovery, prometheus, logger, metrics } = deps;
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
  const explainer: RequestExplainer = {
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
  };
  return { groups, explainer };
}

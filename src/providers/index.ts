/**
 * Providers answer the metrics APIs from the rule engine, Prometheus and the cluster caches:
 * one per API (custom now; external and resource metrics plug in the same way). They throw typed
 * errors and know nothing of HTTP.
 */
export {
  CustomMetricsProvider,
  type CustomMetricsProviderOptions,
  type CustomMetricQuery,
  type CustomMetricValue,
  type CustomMetricInfo,
  type ObjectReference,
  type ObjectTarget,
} from './custom.js';
export type {
  ResourceUsageSource,
  PodUsage,
  NodeUsage,
  ContainerUsage,
  PodUsageQuery,
  NodeUsageQuery,
} from './resource-usage.js';

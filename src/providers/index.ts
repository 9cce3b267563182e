/**
 * Layer providers/ (under explain/): may import rules/ and the layers below; never explain/, kubelet/,
 * apiserver/ or anything above. Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * Providers answer the metrics APIs from the rule engine, Prometheus and the cluster caches:
 * one per API (custom, external, resource), the latter over ordered usage sources (Prometheus
 * resourceRules, the kubelet scraper) and the pods and nodes of ClusterObjects. They throw typed
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
export {
  customMetricParams,
  parseCustomMetricRequest,
  selectorParam,
  validateNamespace,
  validateObjectName,
  METRIC_NAME,
  type CustomMetricParams,
} from './custom-request.js';
export {
  ExternalMetricsProvider,
  externalQuery,
  type ExternalMetricsProviderOptions,
  type ExternalMetricQuery,
  type ExternalMetricValue,
} from './external.js';
export type {
  ContainerUsage,
  PodUsage,
  NodeUsage,
  PodUsageQuery,
  NodeUsageQuery,
  ResourceUsageSource,
} from './resource-usage.js';
export {
  KubeClusterObjects,
  StaticClusterObjects,
  formatFieldSelector,
  matchesFields,
  podFields,
  nodeFields,
  type ClusterObjects,
  type PodRecord,
  type NodeRecord,
  type FieldRequirement,
  podRecordFrom,
  type PodObject,
} from './cluster-objects.js';
export { InformerClusterObjects, type RecordSource } from './cluster-objects-informer.js';
export {
  PrometheusResourceSource,
  type PrometheusResourceSourceOptions,
  type DescribedUsageQuery,
} from './resource-prometheus.js';
export {
  batchNames,
  planUsageQueries,
  type UsageQueryLimits,
  type UsageQueryPlan,
  type UsageQuestion,
} from './resource-queries.js';
export { customNamespace, renderCustomQueries, selectionRefusal } from './custom-plan.js';
export {
  ResourceMetricsProvider,
  podMetricsNotFound,
  nodeMetricsNotFound,
  type ResourceMetricsProviderOptions,
  type NodeMetricsItem,
} from './resource.js';
export { WHOLE_CLUSTER_ABOVE, podUsageFor, type PodMetricsItem } from './resource-pods.js';
export { tenantHeaders, type TenantHeaderOptions, type TenantSource } from './tenant-headers.js';
export { confineRuleQuery, type RefusalObserver } from './tenant-query.js';

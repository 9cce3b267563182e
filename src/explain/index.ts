/**
 * Layer explain/ (under kubelet/): may import providers/ and everything below it (rules/,
 * prometheus/, kube/, promql/, the base layer); never apiserver/, kubelet/ or cli/. Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * Explain, a service of the server's own layers: what the server does with one metrics API
 * request (explainRequest: the rule, the providers' plan of queries, samples, mapping, answer)
 * and why a pod or node is (not) in metrics.k8s.io (explainPod, explainNode). The server serves
 * both at /debug/explain; the command line prints them. Above the providers, below the kubelet
 * scraper (which implements KubeletDiagnostics with NodeScrapeState) and the API layer.
 */
export { explainRequest } from './explain.js';
export { mapSamples, mapUsageSamples } from './mapping.js';
export { parseApiPath, type ParsedApiPath } from './request-path.js';
export { knownResources, suggestResource } from './suggest-resource.js';
export { indent, renderExplanationText } from './text.js';
export type {
  ExplainDeps,
  Explanation,
  ExplainedObjects,
  ExplainedQuery,
  ExplainedRule,
  ExplainedSample,
  ResourcesSource,
  SampleMapping,
} from './types.js';
export { explainNode, explainPod, renderResourceExplanationText } from './object.js';
export type {
  ExplainCause,
  ExplainLine,
  KubeletDiagnostics,
  NodeScrapeState,
  ResourceExplainDeps,
  ResourceExplanation,
  UsageQueryDiagnostics,
} from './object-types.js';

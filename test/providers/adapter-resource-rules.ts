/** resourceRules of prometheus-adapter's deploy/manifests/config-map.yaml (v0.11/v0.12), as data. */
export const ADAPTER_RESOURCE_RULES = `
resourceRules:
  cpu:
    containerLabel: container
    containerQuery: |
      sum by (<<.GroupBy>>) (
        irate (
            container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!="",pod!=""}[4m]
        )
      )
    nodeQuery: |
      sum by (<<.GroupBy>>) (
        irate(
            node_cpu_usage_seconds_total{<<.LabelMatchers>>}[4m]
        )
      )
    resources:
      overrides:
        namespace:
          resource: namespace
        node:
          resource: node
        pod:
          resource: pod
  memory:
    containerLabel: container
    containerQuery: |
      sum by (<<.GroupBy>>) (
        container_memory_working_set_bytes{<<.LabelMatchers>>,container!="",pod!=""}
      )
    nodeQuery: |
      sum by (<<.GroupBy>>) (
        node_memory_working_set_bytes{<<.LabelMatchers>>}
      )
    resources:
      overrides:
        node:
          resource: node
        namespace:
          resource: namespace
        pod:
          resource: pod
  window: 5m
`;

/**
 * Plain resourceRules over the kubelet's cAdvisor and resource-metrics series, with rate windows
 * of `window`: 5 s for tests whose series begin moments before the first request (the simulated
 * kubelet fleet's counters scraped by a real Prometheus), longer for benchmarks.
 */
export function resourceRulesWithWindow(window: string): string {
  const overrides = `    resources:
      overrides:
        node: {resource: node}
        namespace: {resource: namespace}
        pod: {resource: pod}
    containerLabel: container`;
  return `
resourceRules:
  cpu:
    containerQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!=""}[${window}])) by (<<.GroupBy>>)
    nodeQuery: sum(rate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[${window}])) by (<<.GroupBy>>)
${overrides}
  memory:
    containerQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!=""}) by (<<.GroupBy>>)
    nodeQuery: sum(node_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)
${overrides}
  window: ${window}
`;
}

export const FAST_RESOURCE_RULES = resourceRulesWithWindow('5s');

/** `--help` text, generated from the flag table so it cannot drift from what is accepted. */
import { flagHelp } from '../config/flags.js';

export function helpText(): string {
  return `metrics-adapter: serves custom.metrics.k8s.io (v1beta1, v1beta2), external.metrics.k8s.io and
metrics.k8s.io to Kubernetes from Prometheus, as an aggregated API server.

Usage:
  metrics-adapter [serve] [flags]   run the adapter (the default command)
  metrics-adapter demo [flags]      run a local demo: a real Prometheus from PATH, a demo exporter,
                                    sample rules and a self-signed certificate; no cluster needed
  metrics-adapter check --config FILE [--prometheus-url URL] [--kubeconfig K] [--strict] [--format text|json]
                                    check a rules file without a cluster: file:line:col errors; with a
                                    Prometheus, the metrics each rule yields, on which resources, rules
                                    yielding nothing, overlaps, and the resourceRules queries
  metrics-adapter explain --config FILE --prometheus-url URL [--kubeconfig K | --objects a,b] [--format text|json] PATH
                                    explain one request, e.g. PATH = '/apis/custom.metrics.k8s.io/v1beta2/
                                    namespaces/demo/pods/*/http_requests_per_second?labelSelector=app%3Dweb':
                                    the rule (file:line), the PromQL, its samples and the objects they map to
  metrics-adapter explain pod NAMESPACE/NAME | node NAME --adapter-url URL [--kubeconfig K]
                          [--adapter-ca-file F | --adapter-insecure-skip-tls-verify] [--format text|json]
                                    why a pod or node is (not) in kubectl top, from a running adapter's
                                    /debug/explain: the source that answers it, or every reason none does
                                    (scrape failing, container missing, one point so far, not Running,
                                    resourceRules PromQL returning nothing)
  metrics-adapter --version         print the version

Exit codes of check and explain: 0 ok; 1 the rules file has errors (check: or warnings with --strict;
explain: or the request would fail; explain pod|node: no source answers it, or it is not found);
2 wrong flags or arguments; 3 Prometheus (or the cluster of --kubeconfig, or the adapter of
--adapter-url) unreachable or refusing us.

Flags (prometheus-adapter and Kubernetes apiserver spellings; --flag=value or --flag value;
_ and - are the same in names, as in --log_dir):
${flagHelp()}
  -h, --help
            Show this help.
`;
}

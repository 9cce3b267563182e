/**
 * `--help` text, generated from the flag table so it cannot drift from what is accepted. Each
 * command has its own: `check --help` and `explain --help` list only the flags those commands
 * read; the server's (`--help`, `serve --help`, `demo --help`) list its flags in sections, with
 * the compatibility-only flags named in one paragraph (`--help-all` describes them).
 */
import type { HelpCommand } from '../config/flag-groups.js';
import { flagHelp } from '../config/flags.js';

const TOOL_EXIT_CODES = `Exit codes of check and explain: 0 ok; 1 the rules file has errors (check: or warnings with --strict;
explain: or the request would fail; explain pod|node: no source answers it, or it is not found);
2 wrong flags or arguments; 3 Prometheus (or the cluster of --kubeconfig, or the adapter of
--adapter-url) unreachable or refusing us.`;

const FLAG_SYNTAX = `Flags: --flag=value or --flag value; _ and - are the same in names (--log_dir); list flags take
comma-separated values or repeat.`;

function serverHelp(all: boolean): string {
  return `metrics-adapter: serves custom.metrics.k8s.io (v1beta1, v1beta2), external.metrics.k8s.io and
metrics.k8s.io to Kubernetes from Prometheus, as an aggregated API server.

Usage:
  metrics-adapter [serve] [flags]   run the adapter (the default command)
  metrics-adapter demo [flags]      run a local demo: a real Prometheus from PATH, a demo exporter,
                                    sample rules and a self-signed certificate; no cluster needed
  metrics-adapter check --config FILE [--prometheus-url URL] [--kubeconfig K] [--strict] [--format text|json]
                                    check a rules file (or a file of ClusterMetricRule/MetricRule
                                    objects) without a cluster: file:line:col errors; with a
                                    Prometheus, the metrics each rule yields, on which resources, rules
                                    yielding nothing, overlaps, and the resourceRules queries
  metrics-adapter explain --config FILE --prometheus-url URL [--kubeconfig K | --objects a,b] [--format text|json] PATH
                                    explain one request, e.g. PATH = '/apis/custom.metrics.k8s.io/v1beta2/
                                    namespaces/demo/pods/*/http_requests_per_second?labelSelector=app%3Dweb':
                                    the rule (file:line), the PromQL, its samples and the objects they map to
  metrics-adapter explain pod NAMESPACE/NAME | node NAME [--adapter-url URL] [--kubeconfig K]
                          [--adapter-ca-file F | --adapter-insecure-skip-tls-verify] [--format text|json]
                                    why a pod or node is (not) in kubectl top, from a running adapter's
                                    /debug/explain: the source that answers it, or every reason none does
                                    (scrape failing, container missing, one point so far, not Running,
                                    resourceRules PromQL returning nothing)
  metrics-adapter --version         print the version
  metrics-adapter COMMAND --help    the flags of one command (check, explain, demo)

${TOOL_EXIT_CODES}

${FLAG_SYNTAX}
The server's flags, spelled as prometheus-adapter, metrics-server and the Kubernetes apiserver
spell them:

${flagHelp({ command: 'serve', all })}

  -h, --help      show this help (--help-all: describe the compatibility flags too)
`;
}

function demoHelp(all: boolean): string {
  return `metrics-adapter demo: the adapter running locally without a cluster. It starts a demo workload
exporter and the machine's Prometheus (from PATH; unless --prometheus-url is given), serves the
demo rules (unless --config is given: custom metrics, an external metric and resourceRules) over
HTTPS on 127.0.0.1 with a self-signed certificate, stands in for a cluster with a fixed set of
nodes and pods (so kubectl top works), and writes .metrics-adapter-demo/kubeconfig for kubectl and
explain. It says ready once every API the rules feed lists its metrics; a --prometheus-url that
does not answer within 15 s ends it (exit code 1). Ctrl-C stops everything.

Usage:
  metrics-adapter demo [--secure-port=6443] [--prometheus-url URL] [--config FILE]

${FLAG_SYNTAX}
The demo takes the server's flags:

${flagHelp({ command: 'demo', all })}

  -h, --help      show this help (--help-all: describe the compatibility flags too)
`;
}

function checkHelp(): string {
  return `metrics-adapter check: checks a rules file without a cluster: file:line:col errors and warnings;
with --prometheus-url, the metrics each rule yields, on which resources, rules yielding nothing,
overlaps, and the resourceRules queries; with --kubeconfig, the cluster's resources instead of the
built-in table.

Usage:
  metrics-adapter check --config FILE [--prometheus-url URL] [--kubeconfig K] [--strict] [--format text|json]

${TOOL_EXIT_CODES}

${FLAG_SYNTAX}
check also accepts the server's flags and ignores them, so a Deployment's arguments can be reused.

${flagHelp({ command: 'check' })}

  -h, --help      show this help
`;
}

function explainHelp(): string {
  return `metrics-adapter explain: explains one request to the metrics APIs: the rule that serves it
(file:line), the PromQL it runs, the samples Prometheus returns and the objects they map to.

Usage:
  metrics-adapter explain --config FILE --prometheus-url URL [--kubeconfig K | --objects a,b] [--format text|json] PATH

  PATH is the request's API path, e.g.
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/*/http_requests_per_second?labelSelector=app%3Dweb'

  metrics-adapter explain pod NAMESPACE/NAME | node NAME [--adapter-url URL] [--kubeconfig K]
                          [--adapter-ca-file F | --adapter-insecure-skip-tls-verify] [--format text|json]

  why a pod or node is (not) in kubectl top, asked of a running adapter's /debug/explain: the source
  that answers it, or every reason none does (scrape failing, container missing, one point so far,
  not Running, resourceRules PromQL returning nothing).

${TOOL_EXIT_CODES}

${FLAG_SYNTAX}
explain also accepts the server's flags and ignores them.

${flagHelp({ command: 'explain' })}

  -h, --help      show this help
`;
}

/** The help of `command` (undefined or unknown: the server's, which lists every command). */
export function helpText(command?: string, all = false): string {
  switch (command as HelpCommand | undefined) {
    case 'check':
      return checkHelp();
    case 'explain':
      return explainHelp();
    case 'demo':
      return demoHelp(all);
    default:
      return serverHelp(all);
  }
}

/** `--help` text, generated from the flag table so it cannot drift from what is accepted. */
import { flagHelp } from '../config/flags.js';

export function helpText(): string {
  return `metrics-adapter: serves custom.metrics.k8s.io (v1beta1, v1beta2), external.metrics.k8s.io and
metrics.k8s.io to Kubernetes from Prometheus, as an aggregated API server.

Usage:
  metrics-adapter [serve] [flags]   run the adapter (the default command)
  metrics-adapter demo [flags]      run a local demo: a real Prometheus from PATH, a demo exporter,
                                    sample rules and a self-signed certificate; no cluster needed
  metrics-adapter --version         print the version

Flags (prometheus-adapter and Kubernetes apiserver spellings; --flag=value or --flag value;
_ and - are the same in names, as in --log_dir):
${flagHelp()}
  -h, --help
            Show this help.
`;
}

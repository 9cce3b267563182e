/**
 * Which section of `--help` each flag belongs to, and which flags each command reads.
 *
 * Kept apart from the flag table so that a new flag needs no edit here to land somewhere sensible:
 * a flag the explicit map does not name is placed by its prefix (`kubelet-` in the kubelet
 * scraper, `prometheus-` with Prometheus, ...), and only a flag that matches nothing falls into
 * "Other". Flags kept for prometheus-adapter compatibility (`compatOnly`, or `group:
 * 'compatibility'` in the table) are listed apart, by name only, unless `--help-all`.
 */
import type { FlagGroup, FlagSpec } from './flag-specs.js';

export type { FlagGroup };

/** Section titles, in the order `--help` prints them. */
export const GROUP_TITLES: readonly (readonly [FlagGroup, string])[] = [
  ['prometheus', 'Prometheus'],
  ['rules', 'Rules'],
  ['cluster', 'Cluster access'],
  ['serving', 'Serving and authentication'],
  ['kubelet', "Kubelet scraper (metrics-server's flags)"],
  ['limits', 'Limits'],
  ['logging', 'Logging'],
  ['tools', 'check and explain'],
  ['other', 'Other'],
  ['compatibility', 'Accepted for prometheus-adapter compatibility'],
];

/** Flags whose name alone does not tell their section. */
const BY_NAME: ReadonlyMap<string, FlagGroup> = new Map<string, FlagGroup>([
  ['config', 'rules'],
  ['metrics-relist-interval', 'rules'],
  ['metrics-max-age', 'rules'],
  ['kubeconfig', 'cluster'],
  ['lister-kubeconfig', 'cluster'],
  ['discovery-interval', 'cluster'],
  ['secure-port', 'serving'],
  ['bind-address', 'serving'],
  ['cert-dir', 'serving'],
  ['shutdown-delay-duration', 'serving'],
  ['client-ca-file', 'serving'],
  ['api-audiences', 'serving'],
  ['metric-resolution', 'kubelet'],
  ['request-timeout', 'limits'],
  ['v', 'logging'],
  ['log-level', 'logging'],
  ['format', 'tools'],
  ['strict', 'tools'],
  ['objects', 'tools'],
  ['adapter-url', 'tools'],
  ['adapter-ca-file', 'tools'],
  ['adapter-insecure-skip-tls-verify', 'tools'],
]);

const BY_PREFIX: readonly (readonly [string, FlagGroup])[] = [
  ['kubelet-', 'kubelet'],
  ['prometheus-', 'prometheus'],
  ['max-', 'limits'],
  ['tls-', 'serving'],
  ['requestheader-', 'serving'],
  ['authentication-', 'serving'],
  ['authorization-', 'serving'],
  ['service-account-', 'serving'],
  ['log-', 'logging'],
  ['audit-', 'compatibility'],
];

export function flagGroup(spec: FlagSpec): FlagGroup {
  if (spec.compatOnly === true) return 'compatibility';
  if (spec.group !== undefined) return spec.group;
  const named = BY_NAME.get(spec.name);
  if (named !== undefined) return named;
  for (const [prefix, group] of BY_PREFIX) if (spec.name.startsWith(prefix)) return group;
  return 'other';
}

export type HelpCommand = 'serve' | 'demo' | 'check' | 'explain';

/**
 * The flags `check` and `explain` read (besides every Prometheus connection flag). They accept
 * the server's flags too, and ignore them, so one command line can be shared.
 */
const TOOL_FLAGS: Readonly<Record<'check' | 'explain', readonly string[]>> = {
  check: ['config', 'kubeconfig', 'metrics-max-age', 'format', 'strict', 'log-level'],
  explain: [
    'config',
    'kubeconfig',
    'objects',
    'max-selected-objects',
    'max-query-length',
    'metrics-relist-interval',
    'metrics-max-age',
    'format',
    'log-level',
    'adapter-url',
    'adapter-ca-file',
    'adapter-insecure-skip-tls-verify',
  ],
};

/** Whether `--help` of `command` lists `spec` (the compatibility list aside). */
export function flagReadBy(spec: FlagSpec, command: HelpCommand): boolean {
  const group = flagGroup(spec);
  if (command === 'check' || command === 'explain')
    return group === 'prometheus' || TOOL_FLAGS[command].includes(spec.name);
  return group !== 'tools';
}

/**
 * The kubelet scraper's flags, spelled as metrics-server spells them so its manifests' settings
 * carry over when the adapter takes over metrics.k8s.io.
 */
import type { FlagSpec } from './types.js';
import { positiveDuration } from './validators.js';

export const KUBELET_FLAGS: readonly FlagSpec[] = [
  {
    name: 'kubelet-scraper',
    kind: 'bool',
    default: true,
    help: "Scrape the kubelets (metrics-server's job) to answer metrics.k8s.io where resourceRules do not. Turn off where metrics-server keeps serving metrics.k8s.io.",
  },
  {
    name: 'kubelet-preferred-address-types',
    kind: 'stringList',
    default: ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'],
    help: 'Node address types to reach kubelets by, in order of preference (Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP).',
    validate: (v) => {
      const known = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];
      if (!Array.isArray(v) || v.length === 0) return 'must list at least one address type';
      const bad = v.find((t) => !known.includes(t));
      return bad === undefined ? undefined : `unknown address type "${bad}" (use ${known.join(', ')})`;
    },
  },
  {
    name: 'kubelet-port',
    kind: 'int',
    default: 10250,
    help: 'Port of the kubelets (unless --kubelet-use-node-status-port and the node reports its own).',
    validate: (v) =>
      typeof v === 'number' && v >= 1 && v <= 65535 ? undefined : 'must be a port number between 1 and 65535',
  },
  {
    name: 'kubelet-use-node-status-port',
    kind: 'bool',
    default: false,
    help: "Use each node's status.daemonEndpoints.kubeletEndpoint.Port (falls back to --kubelet-port).",
  },
  {
    name: 'kubelet-insecure-tls',
    kind: 'bool',
    default: false,
    help: "Do not verify the kubelets' serving certificates (testing only).",
  },
  {
    name: 'kubelet-certificate-authority',
    kind: 'string',
    default: '',
    help: "CA bundle to verify the kubelets' serving certificates. Default: the CA the cluster client trusts (the lister kubeconfig's, or the in-cluster service account's ca.crt), as metrics-server does.",
  },
  {
    name: 'kubelet-client-certificate',
    kind: 'string',
    default: '',
    help: 'Client certificate for the kubelets (with --kubelet-client-key). Default: the bearer token of --lister-kubeconfig / the service account.',
  },
  {
    name: 'kubelet-client-key',
    kind: 'string',
    default: '',
    help: 'Client key for the kubelets (with --kubelet-client-certificate).',
  },
  {
    name: 'kubelet-request-timeout',
    kind: 'duration',
    default: 10_000,
    help: 'Deadline of one kubelet scrape, answer body included.',
    validate: positiveDuration,
  },
  {
    name: 'kubelet-endpoint',
    kind: 'string',
    default: 'summary',
    help: 'What to scrape: summary (/stats/summary?only_cpu_and_memory=true) or resource (/metrics/resource).',
    validate: (v) => (v === 'summary' || v === 'resource' ? undefined : 'must be summary or resource'),
  },
  {
    name: 'kubelet-via-apiserver',
    kind: 'string',
    default: 'never',
    help: "Reach kubelets through the API server's node proxy (GET /api/v1/nodes/NAME/proxy/...): never (directly only, as metrics-server), fallback (when no address of a node can be reached), always (only that way, where the adapter cannot reach node networks). Needs RBAC get on nodes/proxy (docs/security.md).",
    validate: (v) =>
      v === 'never' || v === 'fallback' || v === 'always' ? undefined : 'must be never, fallback or always',
  },
  {
    name: 'metric-resolution',
    kind: 'duration',
    default: 15_000,
    help: 'Interval between two scrapes of each kubelet; CPU rates are computed over it.',
    validate: (v) => (typeof v === 'number' && v >= 1_000 ? undefined : 'must be at least 1s'),
  },
];

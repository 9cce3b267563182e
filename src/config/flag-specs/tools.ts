/** Flags only `check` and `explain` read; `serve`'s --help does not list them (flag-groups.ts). */
import type { FlagSpec } from './types.js';

export const CHECK_EXPLAIN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'format',
    kind: 'string',
    default: 'text',
    help: 'check / explain: output format, text or json.',
    validate: (v) => (v === 'text' || v === 'json' ? undefined : 'must be text or json'),
  },
  {
    name: 'strict',
    kind: 'bool',
    default: false,
    help: 'check: warnings fail too (exit 1).',
  },
  {
    name: 'objects',
    kind: 'stringList',
    default: [],
    help: 'explain: the object names a wildcard request (name *) stands for, when no --kubeconfig lists them.',
  },
  {
    name: 'adapter-url',
    kind: 'string',
    default: '',
    help: "explain pod|node: the running adapter to ask (https://HOST:PORT, e.g. after kubectl port-forward); the credentials are those of --kubeconfig. Default: the kubeconfig's server, with its TLS settings (the demo's kubeconfig points at the demo).",
  },
  {
    name: 'adapter-ca-file',
    kind: 'string',
    default: '',
    help: "explain pod|node: CA bundle to verify the adapter's serving certificate with (default: the system store).",
  },
  {
    name: 'adapter-insecure-skip-tls-verify',
    kind: 'bool',
    default: false,
    help: "explain pod|node: do not verify the adapter's serving certificate.",
  },
];

/** Which kubeconfig reaches the cluster for metrics, and how often API discovery is refreshed. */
import { KUBECONFIG_FALLBACK_RULE } from '../kubeconfig-roles.js';
import type { FlagSpec } from './types.js';
import { nonNegative } from './validators.js';

export const CLUSTER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'lister-kubeconfig',
    kind: 'string',
    default: '',
    help: `Kubeconfig for every cluster call made for metrics: API discovery, object lists and watches. ${KUBECONFIG_FALLBACK_RULE}`,
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    default: '',
    help: 'Alias of --lister-kubeconfig (giving both with different files is an error).',
  },
  {
    name: 'discovery-interval',
    kind: 'duration',
    default: 300_000,
    help: 'How often API discovery (resource names, kinds, scope) is refreshed; an unknown resource also triggers a refresh. 0: only then.',
    validate: nonNegative,
  },
];

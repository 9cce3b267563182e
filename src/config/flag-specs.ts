/**
 * The flag table, spelled as prometheus-adapter and the Kubernetes generic apiserver spell their
 * flags, so an existing Deployment keeps working with only the image swapped. Each flag group has
 * its file under flag-specs/; this one joins them in a fixed order, which is the order `--help`
 * lists the flags of a section in.
 */
import { CLUSTER_FLAGS } from './flag-specs/cluster.js';
import { COMPATIBILITY_FLAGS } from './flag-specs/compatibility.js';
import { KUBELET_FLAGS } from './flag-specs/kubelet.js';
import { LIMITS_FLAGS } from './flag-specs/limits.js';
import { LOGGING_FLAGS } from './flag-specs/logging.js';
import { PROMETHEUS_FLAGS } from './flag-specs/prometheus.js';
import { RULES_FLAGS } from './flag-specs/rules.js';
import { SERVING_FLAGS } from './flag-specs/serving.js';
import { CHECK_EXPLAIN_FLAGS } from './flag-specs/tools.js';
import type { FlagSpec } from './flag-specs/types.js';

export type { FlagGroup, FlagKind, FlagNotice, FlagSpec, FlagValue } from './flag-specs/types.js';

export const FLAG_SPECS: readonly FlagSpec[] = [
  ...SERVING_FLAGS,
  ...CLUSTER_FLAGS,
  ...PROMETHEUS_FLAGS,
  ...LIMITS_FLAGS,
  ...RULES_FLAGS,
  ...KUBELET_FLAGS,
  ...CHECK_EXPLAIN_FLAGS,
  ...LOGGING_FLAGS,
  ...COMPATIBILITY_FLAGS,
];

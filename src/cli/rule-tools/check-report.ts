/**
 * What `check` reports: plain data, built by the check and rendered by text.ts or as JSON, so the
 * text and the machine-readable output say the same thing. Messages shorten long lists the same
 * way everywhere (listSome).
 */
import type { Diagnostic, SourceLocation } from '../../config/rules-file.js';
import type { ResourcesSource } from '../../explain/index.js';
import type { UsageResource, UsageTarget } from './resource-rules.js';

export interface YieldedResource {
  /** e.g. `pods`, `deployments.apps`. */
  groupResource: string;
  namespaced: boolean;
  /** The series label holding the object names. */
  label: string;
}

export interface YieldedMetric {
  /** The API name. */
  metric: string;
  /** The series names it comes from. */
  series: string[];
  /** Custom rules: what it attaches to. External rules: empty. */
  resources: YieldedResource[];
}

export interface RuleDiscovery {
  /** Series the seriesQuery matched. */
  series: number;
  /** Distinct series names among them. */
  seriesNames: number;
  /** Names that passed seriesFilters and name.matches and got an API name. */
  keptNames: number;
  error?: string;
}

export interface RuleReport {
  api: 'custom' | 'external';
  path: string;
  at: SourceLocation;
  seriesQuery: string;
  /** Static facts: the resources the overrides name (custom rules), the namespace handling (external). */
  mapping: string[];
  discovery?: RuleDiscovery;
  metrics: YieldedMetric[];
  /** Set when the rule yields nothing: the likely reason. */
  yieldsNothing?: string;
}

export interface OverlapReport {
  api: 'custom' | 'external';
  /** `pods/http_requests` (custom) or the external metric name. */
  key: string;
  namespaced: boolean;
  /** The rules yielding it, in file order. */
  rules: string[];
  /** The rule whose series and query the server uses. */
  winner: string;
}

export interface UsageQueryReport {
  resource: UsageResource;
  target: UsageTarget;
  path: string;
  at: SourceLocation;
  /** Rendered for a sample pod (in a sample namespace) or a sample node. */
  sample: { names: string[]; namespace?: string; promql: string };
  syntax: { ok: true } | { ok: false; message: string };
  /** With a Prometheus: the query for every pod / node, and what it returned. */
  run?: { promql: string; series: number; objects: number; error?: string };
}

/** One object of a file of rule objects. */
export interface ObjectReport {
  /** `MetricRule team-a/queue-depth`. */
  object: string;
  at: SourceLocation;
  /** Whether it compiled (without errors). */
  compiled: boolean;
  /** A MetricRule's namespace: the only one its rule reads and serves. */
  namespace?: string;
}

export interface CheckReport {
  file: string;
  /** A file of rule objects: each object, in file order (absent for a rules file). */
  objects?: ObjectReport[];
  counts: { rules: number; externalRules: number; resourceRules: boolean };
  /** Whether the file (every object) compiled (discovery runs only then). */
  compiled: boolean;
  /** The file could not be read or is not YAML: its diagnostics are all there is to say. */
  unparsable: boolean;
  /** What was not checked because of errors (the rest of the file was). */
  notChecked: string[];
  resources: { source: ResourcesSource; note: string };
  /** `skipped`: given but not asked, and why (the file has errors). */
  prometheus?: { url: string; maxAge: string; reachable: boolean; error?: string; skipped?: string };
  rules: RuleReport[];
  overlaps: OverlapReport[];
  resourceRules: UsageQueryReport[];
  /** Loader, compiler and check findings, in file order. */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

/** The order of a rules file: the server's catalog keeps the last rule yielding a metric. */
export const LATER_WINS = 'the later rule replaces the earlier one, as in prometheus-adapter';

/** The order of rule objects (src/rules/merge-rules.ts): the first in precedence serves a metric. */
export const OBJECT_PRECEDENCE =
  'rule objects take precedence by kind and name: ClusterMetricRules by name, then MetricRules by namespace and name';

const LIST_LIMIT = 5;

/** The first few items, and how many more there are. */
export function listSome(items: readonly string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown} and ${items.length - LIST_LIMIT} more` : shown;
}

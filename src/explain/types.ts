/**
 * What `explain` says about one metrics API request, as plain (JSON-serialisable) data: the
 * server serves it at /debug/explain and the CLI prints it; text.ts renders it for people.
 */
import type { MetricDiscovery } from '../rules/index.js';
import type { ObjectLister, ResourceMapper } from '../kube/index.js';
import type { PrometheusClient } from '../prometheus/index.js';

/** Where the resource table comes from: the cluster's API discovery, or the built-in one. */
export type ResourcesSource = 'cluster' | 'builtin';

export interface ExplainDeps {
  /** Rules set and discovery run (the server passes its live discovery). */
  discovery: MetricDiscovery;
  mapper: ResourceMapper;
  /** `builtin`: the standard resource table stands in for a cluster (the explanation says so). */
  resourcesFrom: ResourcesSource;
  prometheus: PrometheusClient;
  /** Lists the objects a label selector stands for; without it, `objects` or every object. */
  lister?: ObjectLister;
  /** Object names to assume for `*` when there is no lister (NAMESPACE/NAME for pods of all namespaces). */
  objects?: readonly string[];
  /** The server's limits, so the plan shows its split queries and refusals (0 or undefined: none). */
  limits?: { maxQueryLength?: number; maxSelectedObjects?: number };
  signal?: AbortSignal;
}

export interface ExplainedRule {
  path: string;
  file: string;
  line: number;
  column: number;
  seriesQuery: string;
  /** The template as written. */
  template: string;
}

export interface ExplainedSample {
  labels: Record<string, string>;
  /** As Prometheus writes it (NaN, +Inf, -Inf kept). */
  value: string;
  timestamp: string;
}

export interface SampleMapping {
  /** The label holding object names. */
  objectLabel: string;
  /** Samples the answer uses, by object. */
  matched: { object: string; value: string; timestamp: string; labels: Record<string, string> }[];
  /** Objects asked for that got no sample. */
  noSample: string[];
  /** Samples that describe no object asked for (or lack the label). */
  unmatched: { labels: Record<string, string>; value: string; reason: string }[];
  /** NaN and infinite values, left out of the answer. */
  dropped: { object: string; value: string }[];
  /** Further samples for an object already answered (the first one is used). */
  duplicates: { object: string; value: string }[];
}

export interface ExplainedQuery {
  /** What the query is for, e.g. `custom metric`, `cpu of pods`; `(part 2 of 3)` for a split one. */
  purpose: string;
  /** The rule path the template comes from, e.g. `rules[0].metricsQuery`. */
  source: string;
  promql: string;
  syntax: { ok: true } | { ok: false; message: string };
  ran: boolean;
  error?: string;
  samples: ExplainedSample[];
  /** How the samples map to objects; on a split query's last part, for the samples of every part. */
  mapping?: SampleMapping;
}

export interface ExplainedObjects {
  /** request: named in the path; cluster: listed; flag: given by the caller; unknown: needs a cluster. */
  source: 'request' | 'cluster' | 'flag' | 'unknown';
  names: string[];
  /** The label selector, as the server reads it. */
  selector?: string;
}

export interface Explanation {
  path: string;
  api: 'custom' | 'external' | 'resource' | 'unknown';
  groupVersion?: string;
  /** What the request asks for, in words. */
  request?: string;
  resources: { source: ResourcesSource; note: string };
  rule?: ExplainedRule;
  /** The catalog entry the request matched. */
  match?: {
    metric: string;
    seriesName?: string;
    groupResource?: string;
    namespaced?: boolean;
    objectLabel?: string;
    windowSeconds?: number;
  };
  objects?: ExplainedObjects;
  queries: ExplainedQuery[];
  /**
   * What the server would answer: status, and the item count for a success. Undefined status:
   * cannot be told (a step needs a cluster, or metrics.k8s.io is answered by the kubelet scraper).
   */
  outcome: { status?: number; reason?: string; message: string; items?: number };
  notes: string[];
}

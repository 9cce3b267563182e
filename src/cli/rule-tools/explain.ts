/**
 * `explain`: what the server does with one metrics API request — the parsed request, the rule
 * that answers it (with its place in the file), the PromQL (rendered by the engine's own
 * functions, so it is byte for byte what the server sends), a syntax check, the samples
 * Prometheus returns, and how they map to objects. The result is plain data (JSON-serialisable)
 * so the server can offer it at a debug endpoint; text.ts renders it for people.
 *
 * Without a cluster the objects behind `*` and a label selector cannot be listed: the caller
 * passes a lister, or the names to assume, or neither — then the query for every object runs
 * instead, and the explanation says which step needed the cluster.
 */
import { damerauLevenshtein, suggestionThreshold } from '../../config/suggest.js';
import { ApiError, errorMessage } from '../../errors.js';
import {
  apiVersionOf,
  groupResourceString,
  parseGroupResource,
  type ObjectLister,
  type ResourceInfo,
  type ResourceMapper,
} from '../../kube/index.js';
import type { PrometheusClient, Sample } from '../../prometheus/index.js';
import { checkPromQL, formatLabelSelector, matchesLabels, type Requirement } from '../../promql/index.js';
import type { CustomMetricQuery } from '../../providers/index.js';
import {
  renderAllObjectsQuery,
  renderExternalQuery,
  renderObjectQuery,
  type CompiledRule,
  type MetricDiscovery,
} from '../../rules/index.js';
import type { ResourcesSource } from './check.js';
import { parseApiPath } from './request-path.js';
import { renderUsageQuery, usageQueryPlans, type UsageQueryPlan } from './resource-rules.js';
import { knownResources, suggestResource } from './static-checks.js';

export interface ExplainDeps {
  /** Rules set and discovery run (the server passes its live discovery). */
  discovery: MetricDiscovery;
  mapper: ResourceMapper;
  /** `builtin`: the standard resource table stands in for a cluster (the explanation says so). */
  resourcesFrom: ResourcesSource;
  prometheus: PrometheusClient;
  /** Lists the objects a label selector stands for; without it, `objects` or every object. */
  lister?: ObjectLister;
  /** Object names to assume for `*` when there is no lister. */
  objects?: readonly string[];
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
  /** What the query is for, e.g. `custom metric`, `cpu of pods`. */
  purpose: string;
  /** The rule path the template comes from, e.g. `rules[0].metricsQuery`. */
  source: string;
  promql: string;
  syntax: { ok: true } | { ok: false; message: string };
  ran: boolean;
  error?: string;
  samples: ExplainedSample[];
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

/** As Prometheus formats sample values. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function explainedSample(s: Sample): ExplainedSample {
  return { labels: { ...s.labels }, value: formatSampleValue(s.value), timestamp: s.timestamp.toISOString() };
}

function ruleInfo(rule: CompiledRule): ExplainedRule {
  return {
    path: rule.path,
    file: rule.at.file,
    line: rule.at.line,
    column: rule.at.column,
    seriesQuery: rule.seriesQuery,
    template: rule.metricsQuerySource.value,
  };
}

function resourcesNote(source: ResourcesSource): Explanation['resources'] {
  return {
    source,
    note:
      source === 'builtin'
        ? 'assumed: the built-in table of standard Kubernetes resources (no cluster was asked)'
        : 'from the cluster’s API discovery',
  };
}

function failure(err: ApiError): Explanation['outcome'] {
  return { status: err.code, reason: err.reason, message: err.message };
}

/** What the server answers when rendering a query throws. */
function renderFailure(err: unknown): Explanation['outcome'] {
  return err instanceof ApiError
    ? failure(err)
    : { status: 500, reason: 'InternalError', message: errorMessage(err) };
}

/**
 * Records the query and runs it; on a syntax error or a failed call, sets the outcome the server
 * would answer with and returns undefined.
 */
async function runExplained(
  e: Explanation,
  query: ExplainedQuery,
  deps: ExplainDeps,
): Promise<Sample[] | undefined> {
  e.queries.push(query);
  const samples = await runQuery(query, deps.prometheus, deps.signal);
  if (!query.syntax.ok) {
    e.outcome = {
      status: 503,
      reason: 'ServiceUnavailable',
      message: `Prometheus would reject the query: ${query.syntax.message}`,
    };
    return undefined;
  }
  if (samples === undefined) {
    e.outcome = { status: 503, reason: 'ServiceUnavailable', message: query.error ?? 'the query failed' };
    return undefined;
  }
  return samples;
}

/**
 * Maps samples to the objects asked for, as the custom-metrics provider does: by the object
 * label, the first sample per object, NaN and infinite values left out. `names` undefined: every
 * object (nothing can be "not asked for").
 */
export function mapSamples(
  samples: readonly Sample[],
  objectLabel: string,
  names: readonly string[] | undefined,
): SampleMapping {
  const mapping: SampleMapping = {
    objectLabel,
    matched: [],
    noSample: [],
    unmatched: [],
    dropped: [],
    duplicates: [],
  };
  const asked = names === undefined ? undefined : new Set(names);
  const seen = new Set<string>();
  for (const s of samples) {
    const value = formatSampleValue(s.value);
    const object = s.labels[objectLabel];
    if (object === undefined || object === '') {
      mapping.unmatched.push({ labels: { ...s.labels }, value, reason: `no ${objectLabel} label` });
      continue;
    }
    if (asked !== undefined && !asked.has(object)) {
      mapping.unmatched.push({ labels: { ...s.labels }, value, reason: 'describes no object asked for' });
      continue;
    }
    if (seen.has(object)) {
      mapping.duplicates.push({ object, value });
      continue;
    }
    seen.add(object);
    if (!Number.isFinite(s.value)) {
      mapping.dropped.push({ object, value });
      continue;
    }
    mapping.matched.push({ object, value, timestamp: s.timestamp.toISOString(), labels: { ...s.labels } });
  }
  if (names !== undefined) mapping.noSample = names.filter((n) => !seen.has(n));
  return mapping;
}

function selectorText(reqs: readonly Requirement[]): string {
  return formatLabelSelector([...reqs]);
}

async function runQuery(
  q: ExplainedQuery,
  prometheus: PrometheusClient,
  signal: AbortSignal | undefined,
): Promise<Sample[] | undefined> {
  if (!q.syntax.ok) return undefined;
  try {
    const samples = await prometheus.query(q.promql, { signal });
    q.ran = true;
    q.samples = samples.map(explainedSample);
    return samples;
  } catch (err) {
    q.ran = true;
    q.error = errorMessage(err);
    return undefined;
  }
}

function newQuery(purpose: string, source: string, promql: string): ExplainedQuery {
  const check = checkPromQL(promql);
  return {
    purpose,
    source,
    promql,
    syntax: check.ok ? { ok: true } : { ok: false, message: check.message },
    ran: false,
    samples: [],
  };
}

/** The objects a request stands for: named, listed from the cluster, given, or unknown. */
const SUGGESTED = 3;

/** `; did you mean a or b?` with the closest names (at most three, nearest first), or nothing. */
function didYouMean(name: string, candidates: Iterable<string>): string {
  const limit = suggestionThreshold(name);
  const near = [...new Set(candidates)]
    .map((c) => ({ c, d: damerauLevenshtein(name, c) }))
    .filter((x) => x.d <= limit && x.c !== name)
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, SUGGESTED)
    .map((x) => x.c);
  return near.length === 0 ? '' : `; did you mean ${near.join(' or ')}?`;
}

async function resolveObjects(
  info: ResourceInfo,
  namespace: string | undefined,
  target: CustomMetricQuery['target'],
  deps: ExplainDeps,
  notes: string[],
): Promise<ExplainedObjects> {
  if (target.kind === 'name') return { source: 'request', names: [target.name] };
  const selector = target.selector.text;
  const fields = target.fields;
  if (deps.lister !== undefined) {
    const listed = await deps.lister.list(info, namespace, target.selector, deps.signal);
    const names = (fields === undefined ? listed : listed.filter(fields)).map((o) => o.name);
    return { source: 'cluster', names, selector };
  }
  if (deps.objects !== undefined && deps.objects.length > 0) {
    const given = deps.objects.map((name) => ({ name, namespace: namespace ?? '' }));
    const names = (fields === undefined ? given : given.filter(fields)).map((o) => o.name);
    if (selector !== '')
      notes.push(
        `the objects given are taken as the ones matching labelSelector ${JSON.stringify(selector)}: without a cluster their labels cannot be checked`,
      );
    return { source: 'flag', names: [...new Set(names)].sort(), selector };
  }
  notes.push(
    `listing the ${groupResourceString(info)} that match ${selector === '' ? 'the request' : `labelSelector ${JSON.stringify(selector)}`} needs a cluster: give --kubeconfig, or name them with --objects; shown instead: the query for every object`,
  );
  return { source: 'unknown', names: [], selector };
}

async function explainCustom(q: CustomMetricQuery, e: Explanation, deps: ExplainDeps): Promise<void> {
  const info = deps.mapper.resolve(parseGroupResource(q.resource));
  const where = q.namespace === undefined ? '' : ` in namespace ${q.namespace}`;
  const who =
    q.target.kind === 'name' ? q.target.name : `* (labelSelector ${JSON.stringify(q.target.selector.text)})`;
  e.request = `metric ${q.metric} of ${q.resource} ${who}${where}${q.metricSelector.length > 0 ? `, metricLabelSelector ${JSON.stringify(selectorText(q.metricSelector))}` : ''}`;
  if (info === undefined) {
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the metric ${q.metric} for ${q.resource}`,
    };
    const gr = parseGroupResource(q.resource);
    const near = suggestResource(gr.resource, gr.group, knownResources(deps.mapper));
    e.notes.push(
      `"${q.resource}" is not a resource ${deps.resourcesFrom === 'builtin' ? 'of the built-in table (give --kubeconfig to ask the cluster)' : 'the cluster serves'}${near === undefined ? '' : `; did you mean ${near}?`}`,
    );
    return;
  }
  const gr = groupResourceString(info);
  const namespaced = q.namespace !== undefined;
  const entry = await deps.discovery.findCustom({
    metric: q.metric,
    group: info.group,
    resource: info.resource,
    namespaced,
  });
  if (entry === undefined) {
    const custom = deps.discovery.catalog.customEntries();
    // Names for this resource first; any custom metric name when none is close.
    const forResource = custom
      .filter((c) => c.info.group === info.group && c.info.resource === info.resource)
      .map((c) => c.metric);
    const suggestion =
      didYouMean(q.metric, forResource) ||
      didYouMean(
        q.metric,
        custom.map((c) => c.metric),
      );
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the metric ${q.metric} for ${gr}${suggestion}`,
    };
    const elsewhere = custom
      .filter((c) => c.metric === q.metric)
      .map(
        (c) =>
          `${groupResourceString(c.info)}${c.namespaced ? ' (namespaced)' : ' (cluster scope)'} from ${c.rule.path}`,
      );
    e.notes.push(
      elsewhere.length > 0
        ? `no rule yields ${q.metric} for ${gr}${namespaced ? ' in a namespace' : ' at the cluster scope'}; it exists for: ${elsewhere.join(', ')}`
        : `no rule yields a metric named ${q.metric} from the series Prometheus has now (run check to see what each rule yields)`,
    );
    return;
  }
  e.rule = ruleInfo(entry.rule);
  e.match = {
    metric: entry.metric,
    seriesName: entry.seriesName,
    groupResource: gr,
    namespaced: entry.namespaced,
    objectLabel: entry.resourceLabel,
    windowSeconds: entry.rule.windowSeconds,
  };
  let namespace: { label: string; value: string } | undefined;
  if (q.namespace !== undefined) {
    const label = entry.rule.association.namespaceLabel(deps.mapper);
    if (label === undefined) {
      e.outcome = {
        status: 500,
        reason: 'InternalError',
        message: `${entry.rule.path} has no label for namespaces`,
      };
      return;
    }
    namespace = { label, value: q.namespace };
  }
  const objects = await resolveObjects(info, q.namespace, q.target, deps, e.notes);
  e.objects = objects;
  const source = `${entry.rule.path}.metricsQuery`;
  const base = {
    seriesName: entry.seriesName,
    resourceLabel: entry.resourceLabel,
    namespace,
    metricSelector: q.metricSelector,
  };
  if (objects.source !== 'unknown' && objects.names.length === 0) {
    e.outcome = {
      status: 200,
      message: 'no object matches: the server answers an empty list without asking Prometheus',
      items: 0,
    };
    return;
  }
  const every = objects.source === 'unknown';
  let query: ExplainedQuery;
  try {
    query = every
      ? newQuery(`${q.metric} of every ${info.singular}`, source, renderAllObjectsQuery(entry.rule, base))
      : newQuery(
          `${q.metric} of ${gr}`,
          source,
          renderObjectQuery(entry.rule, { ...base, names: objects.names }),
        );
  } catch (err) {
    e.outcome = renderFailure(err);
    return;
  }
  const samples = await runExplained(e, query, deps);
  if (samples === undefined) return;
  query.mapping = mapSamples(samples, entry.resourceLabel, every ? undefined : objects.names);
  const items = query.mapping.matched.length;
  if (every) {
    e.outcome = {
      message: `cannot tell which of the ${items} objects with a value match the request without the object list`,
    };
    return;
  }
  if (q.target.kind === 'name' && items === 0) {
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the metric ${q.metric} for ${gr} ${q.target.name}`,
    };
    return;
  }
  e.outcome = { status: 200, message: `${items} item${items === 1 ? '' : 's'}`, items };
  e.notes.push(`describedObject: kind ${info.kind}, apiVersion ${apiVersionOf(info)}`);
}

async function explainExternal(
  p: { namespace: string; metric: string; selector: Requirement[] },
  e: Explanation,
  deps: ExplainDeps,
): Promise<void> {
  e.request = `external metric ${p.metric} in namespace ${p.namespace}${p.selector.length > 0 ? `, labelSelector ${JSON.stringify(selectorText(p.selector))}` : ''}`;
  const entry = await deps.discovery.findExternal(p.metric);
  if (entry === undefined) {
    const suggestion = didYouMean(
      p.metric,
      deps.discovery.catalog.externalEntries().map((x) => x.metric),
    );
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `the server could not find the external metric ${p.metric}${suggestion}`,
    };
    e.notes.push(`no externalRule yields a metric named ${p.metric} from the series Prometheus has now`);
    return;
  }
  e.rule = ruleInfo(entry.rule);
  e.match = { metric: entry.metric, seriesName: entry.seriesName, windowSeconds: entry.rule.windowSeconds };
  let namespace: { label: string; value: string } | undefined;
  if (entry.rule.namespaced) {
    const label = entry.rule.association.namespaceLabel(deps.mapper);
    if (label === undefined) {
      e.outcome = {
        status: 500,
        reason: 'InternalError',
        message: `${entry.rule.path} is namespaced but maps no label to namespaces`,
      };
      e.notes.push('map a namespace label (resources.overrides) or set resources.namespaced: false');
      return;
    }
    namespace = { label, value: p.namespace };
  } else {
    e.notes.push(
      'the rule is not namespaced (resources.namespaced: false): the request namespace does not restrict the series',
    );
  }
  let query: ExplainedQuery;
  try {
    query = newQuery(
      `external metric ${p.metric}`,
      `${entry.rule.path}.metricsQuery`,
      renderExternalQuery(entry.rule, {
        seriesName: entry.seriesName,
        namespace,
        metricSelector: p.selector,
      }),
    );
  } catch (err) {
    e.outcome = renderFailure(err);
    return;
  }
  const samples = await runExplained(e, query, deps);
  if (samples === undefined) return;
  const finite = samples.filter((s) => Number.isFinite(s.value));
  if (finite.length < samples.length)
    e.notes.push(`${samples.length - finite.length} NaN or infinite sample(s) are left out of the answer`);
  e.notes.push('each sample is one item (metricLabels = its labels); the HPA sums the items');
  e.outcome = {
    status: 200,
    message: `${finite.length} item${finite.length === 1 ? '' : 's'}`,
    items: finite.length,
  };
}

async function explainResource(
  p: {
    target: 'pods' | 'nodes';
    namespace: string | undefined;
    name: string | undefined;
    selector: Requirement[];
  },
  e: Explanation,
  deps: ExplainDeps,
): Promise<void> {
  const scope =
    p.target === 'nodes'
      ? ''
      : p.namespace === undefined
        ? ' in all namespaces'
        : ` in namespace ${p.namespace}`;
  e.request = `resource usage of ${p.target} ${p.name ?? '(list)'}${scope}${p.selector.length > 0 ? `, labelSelector ${JSON.stringify(selectorText(p.selector))}` : ''}`;
  const config = deps.discovery.rules.resourceRules;
  if (config === undefined) {
    e.outcome = {
      message: 'no resourceRules: the kubelet scraper answers metrics.k8s.io (no PromQL involved)',
    };
    return;
  }
  const info = deps.mapper.resolve({ group: '', resource: p.target });
  if (info === undefined) {
    e.outcome = { status: 500, reason: 'InternalError', message: `${p.target} is not a known resource` };
    return;
  }
  const plans = usageQueryPlans(config, p.target, deps.mapper);
  const objects = await resolveObjects(
    info,
    p.namespace,
    p.name !== undefined
      ? { kind: 'name', name: p.name }
      : {
          kind: 'selector',
          selector: { text: selectorText(p.selector), matches: (l) => matchesLabels(p.selector, l) },
        },
    deps,
    e.notes,
  );
  e.objects = objects;
  if (objects.source !== 'unknown' && objects.names.length === 0) {
    e.outcome = { status: 200, message: 'no object matches: an empty list', items: 0 };
    return;
  }
  const every = objects.source === 'unknown';
  const withData = new Map<string, number>();
  for (const plan of plans) {
    const query = usageQuery(plan, every ? undefined : objects.names, p.namespace);
    const samples = await runExplained(e, query, deps);
    if (samples === undefined) return;
    query.mapping = mapUsageSamples(samples, plan, every ? undefined : objects.names);
    for (const m of query.mapping.matched) withData.set(m.object, (withData.get(m.object) ?? 0) + 1);
  }
  const complete = [...withData.entries()].filter(([, n]) => n === plans.length).map(([o]) => o);
  e.notes.push(
    `an object is in the answer when every resourceRules query (${plans.map((pl) => pl.resource).join(', ')}) returns it`,
  );
  if (every) {
    e.outcome = {
      message: `cannot tell which of the ${complete.length} ${p.target} with data match the request without the object list`,
    };
    return;
  }
  if (p.name !== undefined && complete.length === 0) {
    e.outcome = {
      status: 404,
      reason: 'NotFound',
      message: `${p.target === 'pods' ? 'podmetrics' : 'nodemetrics'}.metrics.k8s.io "${p.name}" not found`,
    };
    return;
  }
  e.outcome = {
    status: 200,
    message: `${complete.length} item${complete.length === 1 ? '' : 's'}`,
    items: complete.length,
  };
}

function usageQuery(
  plan: UsageQueryPlan,
  names: readonly string[] | undefined,
  namespace: string | undefined,
): ExplainedQuery {
  return newQuery(
    `${plan.resource} of ${names === undefined ? `every ${plan.target === 'pods' ? 'pod' : 'node'}` : plan.target}`,
    plan.path,
    renderUsageQuery(plan, names, namespace),
  );
}

/** Container queries answer one sample per (pod, container): every one of them counts. */
function mapUsageSamples(
  samples: readonly Sample[],
  plan: UsageQueryPlan,
  names: readonly string[] | undefined,
): SampleMapping {
  if (plan.containerLabel === undefined) return mapSamples(samples, plan.objectLabel, names);
  const container = plan.containerLabel;
  // Map per (pod, container) by making the pair the object, then fold back to pods.
  const keyed: Sample[] = samples.map((s) => ({
    ...s,
    labels: { ...s.labels, __object: `${s.labels[plan.objectLabel] ?? ''}/${s.labels[container] ?? ''}` },
  }));
  const pairs = mapSamples(
    keyed.filter((s) => (s.labels[plan.objectLabel] ?? '') !== ''),
    '__object',
    undefined,
  );
  const asked = names === undefined ? undefined : new Set(names);
  const strip = (l: Record<string, string>): Record<string, string> => {
    const { __object: _drop, ...rest } = l;
    return rest;
  };
  const mapping: SampleMapping = {
    objectLabel: plan.objectLabel,
    matched: [],
    noSample: [],
    unmatched: samples
      .filter((s) => (s.labels[plan.objectLabel] ?? '') === '')
      .map((s) => ({
        labels: { ...s.labels },
        value: formatSampleValue(s.value),
        reason: `no ${plan.objectLabel} label`,
      })),
    dropped: [],
    duplicates: pairs.duplicates,
  };
  const seen = new Set<string>();
  for (const m of pairs.matched) {
    const pod = m.labels[plan.objectLabel] ?? '';
    if (asked !== undefined && !asked.has(pod)) {
      mapping.unmatched.push({
        labels: strip(m.labels),
        value: m.value,
        reason: 'describes no object asked for',
      });
      continue;
    }
    seen.add(pod);
    mapping.matched.push({ object: pod, value: m.value, timestamp: m.timestamp, labels: strip(m.labels) });
  }
  for (const d of pairs.dropped) mapping.dropped.push({ object: d.object, value: d.value });
  if (names !== undefined) mapping.noSample = names.filter((n) => !seen.has(n));
  return mapping;
}

/**
 * Explains one request path (with its query string), e.g.
 * `/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/*\/http_requests_per_second?labelSelector=app%3Dweb`.
 * Never throws for a bad request: the explanation carries the answer the server would give.
 * Throws only when an upstream fails in a way the server would not answer for (the lister).
 */
export async function explainRequest(path: string, deps: ExplainDeps): Promise<Explanation> {
  const e: Explanation = {
    path,
    api: 'unknown',
    resources: resourcesNote(deps.resourcesFrom),
    queries: [],
    outcome: { message: '' },
    notes: [],
  };
  let parsed;
  try {
    parsed = parseApiPath(path, deps.signal);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    e.outcome = failure(err);
    return e;
  }
  e.api = parsed.api;
  e.groupVersion = `${parsed.group}/${parsed.version}`;
  try {
    if (parsed.api === 'custom') await explainCustom(parsed.query, e, deps);
    else if (parsed.api === 'external') await explainExternal(parsed, e, deps);
    else await explainResource(parsed, e, deps);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    e.outcome = failure(err);
  }
  return e;
}

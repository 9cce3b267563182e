/**
 * custom.metrics.k8s.io v1beta1 and v1beta2 over one provider: the router of their URL shapes,
 * query parameters, request validation (every value that may reach PromQL is checked here), and
 * the two versions' MetricValueList encodings.
 */
import { BadRequestError } from '../errors.js';
import { groupResourceString } from '../kube/index.js';
import {
  formatLabelSelector,
  matchesLabels,
  parseLabelSelector,
  requirementsToMatchers,
  toLabelSelectorObject,
  type Requirement,
} from '../promql/index.js';
import type { CustomMetricQuery, CustomMetricValue, CustomMetricsProvider } from '../providers/index.js';
import type { APIResource, ApiRequest, GroupVersionApi } from './api-groups.js';
import { apiHandler } from './group-version.js';
import { bytesOf, JsonBytes } from './json-bytes.js';
import { PreEncodedJSON } from './respond.js';
import { newRouter } from './router.js';
import { formatTime, milliQuantity } from './wire.js';

const GROUP = 'custom.metrics.k8s.io';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const OBJECT_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$/;
const METRIC_NAME = /^[^\u0000-\u001f\u007f/]+$/;
const RESOURCE_NAME = /^[A-Za-z0-9][-A-Za-z0-9.]*$/;

export function validateNamespace(ns: string): string {
  if (ns.length > 63 || !DNS_LABEL.test(ns)) {
    throw new BadRequestError(
      `invalid namespace ${JSON.stringify(ns)}: must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    );
  }
  return ns;
}

export function validateObjectName(name: string): string {
  if (name.length > 253 || !OBJECT_NAME.test(name)) {
    throw new BadRequestError(
      `invalid object name ${JSON.stringify(name)}: must be a Kubernetes object name (letters, digits, '-', '.', '_', ':')`,
    );
  }
  return name;
}

function validateMetricName(metric: string): string {
  if (metric.length === 0 || metric.length > 512 || !METRIC_NAME.test(metric))
    throw new BadRequestError(`invalid metric name ${JSON.stringify(metric)}`);
  return metric;
}

function validateResource(resource: string): string {
  if (resource.length > 253 || !RESOURCE_NAME.test(resource))
    throw new BadRequestError(`invalid resource ${JSON.stringify(resource)}`);
  return resource;
}

function selectorParam(query: URLSearchParams, name: string): Requirement[] {
  const raw = query.get(name);
  if (raw === null || raw === '') return [];
  try {
    return parseLabelSelector(raw);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`invalid ${name} ${JSON.stringify(raw)}: ${err.message}`);
    throw err;
  }
}

/** metadata.name / metadata.namespace field selectors, the ones meaningful for metric targets. */
function fieldFilter(raw: string | null): ((o: { name: string; namespace: string }) => boolean) | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const tests: ((o: { name: string; namespace: string }) => boolean)[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*(metadata\.name|metadata\.namespace)\s*(==|!=|=)\s*([^\s,]*)\s*$/.exec(part);
    if (m === null)
      throw new BadRequestError(
        `invalid fieldSelector ${JSON.stringify(raw)}: only metadata.name and metadata.namespace with =, ==, != are supported`,
      );
    const field = m[1] === 'metadata.name' ? 'name' : 'namespace';
    const negate = m[2] === '!=';
    const value = m[3] ?? '';
    tests.push((o) => (o[field] === value) !== negate);
  }
  return (o) => tests.every((t) => t(o));
}

/** The params of the three URL shapes (see CustomMetricsApi's router). */
export type CustomMetricParams =
  | { namespace: string; metric: string }
  | { namespace?: string; resource: string; name: string; metric: string };

/**
 * The route params of a path below /apis/custom.metrics.k8s.io/<version>/ (decoded segments), by
 * the same three URL shapes the router names; undefined when it is none of them (a 404).
 */
export function customMetricParams(segments: readonly string[]): CustomMetricParams | undefined {
  const [a = '', b = '', c = '', d = '', e = ''] = segments;
  if (segments.length === 4 && a === 'namespaces' && c === 'metrics') return { namespace: b, metric: d };
  if (segments.length === 5 && a === 'namespaces') return { namespace: b, resource: c, name: d, metric: e };
  if (segments.length === 3) return { resource: a, name: b, metric: c };
  return undefined;
}

/** Validates a request's path params and query into a provider query. */
export function parseCustomMetricRequest(req: ApiRequest<CustomMetricParams>): CustomMetricQuery {
  const p = req.params;
  let resource: string;
  let name: string;
  let namespace: string | undefined;
  if (!('resource' in p)) {
    // A metric of the Namespace object itself.
    resource = 'namespaces';
    name = validateNamespace(p.namespace);
  } else {
    namespace = p.namespace === undefined ? undefined : validateNamespace(p.namespace);
    resource = p.resource;
    name = p.name;
  }
  const metric = p.metric;
  validateResource(resource);
  validateMetricName(metric);
  const metricSelector = selectorParam(req.query, 'metricLabelSelector');
  // Fail fast (400) on selectors that cannot become PromQL matchers (e.g. label names with dots).
  requirementsToMatchers(metricSelector);
  // Parsed for every request, used only by `*`: a malformed selector is a 400 even where it
  // selects nothing, as custom-metrics-apiserver answers.
  const reqs = selectorParam(req.query, 'labelSelector');
  const fields = fieldFilter(req.query.get('fieldSelector'));
  if (name === '*') {
    return {
      metric,
      resource,
      namespace,
      target: {
        kind: 'selector',
        selector: { text: formatLabelSelector(reqs), matches: (labels) => matchesLabels(reqs, labels) },
        fields,
      },
      metricSelector,
      signal: req.signal,
    };
  }
  return {
    metric,
    resource,
    namespace,
    target: { kind: 'name', name: validateObjectName(name) },
    metricSelector,
    signal: req.signal,
  };
}

/**
 * The MetricValueList JSON as UTF-8 bytes, written directly: a 5 000-pod answer is about 1 MB of
 * the same text repeated, and generic JSON.stringify over per-item objects was a fifth of the
 * adapter's CPU on 2 000 pods. Everything of an item but the object name and the value is
 * encoded once while the items agree on it (in practice: for the whole list) and copied as bytes;
 * the bytes go to the socket as they are (respond.ts).
 */
export function encodeMetricValueListBytes(
  version: 'v1beta1' | 'v1beta2',
  values: readonly CustomMetricValue[],
  selector: unknown,
): Buffer {
  const selectorJSON = JSON.stringify(selector ?? null);
  let last: CustomMetricValue | undefined;
  // `between` ends one item and starts the next up to the name: the item's tail, a comma, the
  // next head; `first` is the head alone.
  let first: Buffer = Buffer.alloc(0);
  let middle: Buffer = Buffer.alloc(0);
  let between: Buffer = Buffer.alloc(0);
  let tail = '';
  const out = new JsonBytes(values.length * 256 + 256);
  out.raw(`{"kind":"MetricValueList","apiVersion":"${GROUP}/${version}","metadata":{},"items":[`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as CustomMetricValue;
    const o = v.describedObject;
    if (
      last === undefined ||
      o.kind !== last.describedObject.kind ||
      o.apiVersion !== last.describedObject.apiVersion ||
      o.namespace !== last.describedObject.namespace ||
      v.metric !== last.metric ||
      v.windowSeconds !== last.windowSeconds ||
      v.timestamp.getTime() !== last.timestamp.getTime()
    ) {
      const previousTail = tail;
      const ns = o.namespace === undefined ? '' : `,"namespace":${JSON.stringify(o.namespace)}`;
      const head = `{"describedObject":{"kind":${JSON.stringify(o.kind)},"apiVersion":${JSON.stringify(o.apiVersion)}${ns},"name":`;
      const metric = JSON.stringify(v.metric);
      const time = `"timestamp":"${formatTime(v.timestamp)}"`;
      let mid: string;
      if (version === 'v1beta1') {
        const window = v.windowSeconds === undefined ? '' : `,"window":${v.windowSeconds}`;
        mid = `},"metricName":${metric},${time}${window},"value":"`;
        tail = `","selector":${selectorJSON}}`;
      } else {
        const window = v.windowSeconds === undefined ? '' : `,"windowSeconds":${v.windowSeconds}`;
        mid = `},"metric":{"name":${metric},"selector":${selectorJSON}},${time}${window},"value":"`;
        tail = '"}';
      }
      middle = bytesOf(mid);
      first = bytesOf(`${last === undefined ? '' : `${previousTail},`}${head}`);
      between = bytesOf(`${tail},${head}`);
      last = v;
      out.bytes(first);
    } else {
      out.bytes(between);
    }
    out.string(o.name);
    out.bytes(middle);
    out.raw(milliQuantity(v.value));
  }
  if (last !== undefined) out.raw(tail);
  out.raw(']}');
  return out.done();
}

/** encodeMetricValueListBytes as text. */
export function encodeMetricValueList(
  version: 'v1beta1' | 'v1beta2',
  values: readonly CustomMetricValue[],
  selector: unknown,
): string {
  return encodeMetricValueListBytes(version, values, selector).toString('utf8');
}

/** What the API needs of the custom metrics provider. */
export type CustomMetricSource = Pick<CustomMetricsProvider, 'listMetrics' | 'getValues'>;

export class CustomMetricsApi implements GroupVersionApi {
  readonly router = newRouter();
  private cachedFor: unknown;
  private cached: APIResource[] = [];

  constructor(
    private readonly version: 'v1beta1' | 'v1beta2',
    private readonly provider: CustomMetricSource,
    /** Identity of the current catalog, to rebuild the discovery list only when it changes. */
    private readonly catalogIdentity: () => unknown,
  ) {
    const serve = apiHandler<CustomMetricParams>((request) => this.answer(request));
    // A metric of the Namespace object itself.
    this.router.get('/namespaces/:namespace/metrics/:metric', serve);
    // A metric of a namespaced object, or of all selected ones (name `*`).
    this.router.get('/namespaces/:namespace/:resource/:name/:metric', serve);
    // A metric of a cluster-scoped object, or of all selected ones.
    this.router.get('/:resource/:name/:metric', serve);
  }

  resources(): APIResource[] {
    const identity = this.catalogIdentity();
    if (identity === this.cachedFor) return this.cached;
    const seen = new Set<string>();
    const out: APIResource[] = [];
    for (const m of this.provider.listMetrics()) {
      const name = `${groupResourceString(m)}/${m.metric}`;
      const key = `${name}\u0000${m.namespaced}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name, singularName: '', namespaced: m.namespaced, kind: 'MetricValueList', verbs: ['get'] });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.cached = out;
    this.cachedFor = identity;
    return out;
  }

  /** The MetricValueList for one request; what every route of the router answers with. */
  async answer(request: ApiRequest<CustomMetricParams>): Promise<PreEncodedJSON> {
    const q = parseCustomMetricRequest(request);
    const values = await this.provider.getValues(q);
    return new PreEncodedJSON(
      encodeMetricValueListBytes(this.version, values, toLabelSelectorObject([...q.metricSelector])),
    );
  }
}

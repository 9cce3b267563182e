/**
 * The checks every custom.metrics.k8s.io request passes before a provider sees it, and the
 * provider query it becomes: every value that may reach PromQL is validated here (400 otherwise).
 * Below the API layer so the server's routes and `explain` parse a request with the same code.
 */
import { BadRequestError } from '../errors.js';
import {
  formatLabelSelector,
  matchesLabels,
  parseLabelSelector,
  requirementsToMatchers,
  type Requirement,
} from '../promql/index.js';
import type { CustomMetricQuery } from './custom.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const OBJECT_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$/;
export const METRIC_NAME = /^[^\u0000-\u001f\u007f/]+$/;
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

export function selectorParam(query: URLSearchParams, name: string): Requirement[] {
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
export function parseCustomMetricRequest(req: {
  params: CustomMetricParams;
  query: URLSearchParams;
  signal?: AbortSignal;
}): CustomMetricQuery {
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

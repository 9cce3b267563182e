/**
 * Parses a metrics API path (with its query string) the way the server does: the same segment
 * decoding, and for custom.metrics.k8s.io the server's own parser and validation. Problems are
 * the typed errors the server would answer with (400, 404).
 */
import { BadRequestError, NotFoundError } from '../errors.js';
import { requirementsToMatchers, type Requirement } from '../promql/index.js';
import {
  customMetricParams,
  METRIC_NAME,
  parseCustomMetricRequest,
  selectorParam,
  validateNamespace,
  validateObjectName,
  type CustomMetricQuery,
} from '../providers/index.js';

export type ParsedApiPath =
  | { api: 'custom'; group: string; version: string; query: CustomMetricQuery }
  | {
      api: 'external';
      group: string;
      version: string;
      namespace: string;
      metric: string;
      selector: Requirement[];
    }
  | {
      api: 'resource';
      group: string;
      version: string;
      target: 'pods' | 'nodes';
      namespace: string | undefined;
      name: string | undefined;
      selector: Requirement[];
    };

const NOT_FOUND = 'the server could not find the requested resource';

function splitPath(path: string): { segments: string[]; query: URLSearchParams } {
  let url: URL;
  try {
    url = new URL(path, 'http://explain.invalid');
  } catch {
    throw new BadRequestError(`malformed path ${JSON.stringify(path)}`);
  }
  try {
    const segments = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
    return { segments, query: url.searchParams };
  } catch {
    throw new BadRequestError(`malformed URL path ${JSON.stringify(url.pathname)}`);
  }
}

/** `/apis/<group>/<version>/…?…` → what it asks for. Throws BadRequestError / NotFoundError. */
export function parseApiPath(
  path: string,
  signal: AbortSignal = new AbortController().signal,
): ParsedApiPath {
  const { segments, query } = splitPath(path);
  const [apis, group = '', version = ''] = segments;
  const rest = segments.slice(3);
  if (apis !== 'apis' || rest.length === 0)
    throw new BadRequestError(
      'explain needs a metric path: /apis/custom.metrics.k8s.io/<version>/…, /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric> or /apis/metrics.k8s.io/v1beta1/…',
    );
  if (group === 'custom.metrics.k8s.io') {
    if (version !== 'v1beta1' && version !== 'v1beta2') throw new NotFoundError(NOT_FOUND);
    const params = customMetricParams(rest);
    if (params === undefined) throw new NotFoundError(NOT_FOUND);
    return {
      api: 'custom',
      group,
      version,
      query: parseCustomMetricRequest({
        params,
        query,
        signal,
      }),
    };
  }
  if (group === 'external.metrics.k8s.io') {
    if (version !== 'v1beta1' || rest.length !== 3 || rest[0] !== 'namespaces')
      throw new NotFoundError(NOT_FOUND);
    const namespace = validateNamespace(rest[1] ?? '');
    const metric = rest[2] ?? '';
    if (metric.length > 512 || !METRIC_NAME.test(metric))
      throw new BadRequestError(`invalid metric name ${JSON.stringify(metric)}`);
    const selector = selectorParam(query, 'labelSelector');
    requirementsToMatchers(selector);
    return { api: 'external', group, version, namespace, metric, selector };
  }
  if (group === 'metrics.k8s.io') {
    if (version !== 'v1beta1') throw new NotFoundError(NOT_FOUND);
    const selector = selectorParam(query, 'labelSelector');
    if (rest[0] === 'nodes' && rest.length <= 2) {
      const name = rest[1] === undefined ? undefined : validateObjectName(rest[1]);
      return { api: 'resource', group, version, target: 'nodes', namespace: undefined, name, selector };
    }
    if (rest[0] === 'pods' && rest.length === 1)
      return {
        api: 'resource',
        group,
        version,
        target: 'pods',
        namespace: undefined,
        name: undefined,
        selector,
      };
    if (rest[0] === 'namespaces' && rest[2] === 'pods' && rest.length <= 4) {
      const namespace = validateNamespace(rest[1] ?? '');
      const name = rest[3] === undefined ? undefined : validateObjectName(rest[3]);
      return { api: 'resource', group, version, target: 'pods', namespace, name, selector };
    }
    throw new NotFoundError(NOT_FOUND);
  }
  throw new NotFoundError(
    `explain knows custom.metrics.k8s.io, external.metrics.k8s.io and metrics.k8s.io, not "${group}"`,
  );
}

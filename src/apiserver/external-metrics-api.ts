/**
 * external.metrics.k8s.io/v1beta1 over the external provider: the one URL shape
 * (`namespaces/{ns}/{metric}`), validation of everything that may reach PromQL (the
 * labelSelector here selects series), and the ExternalMetricValueList encoding.
 */
import { BadRequestError } from '../errors.js';
import { parseLabelSelector, requirementsToMatchers, type Requirement } from '../promql/index.js';
import {
  validateNamespace,
  type ExternalMetricValue,
  type ExternalMetricsProvider,
} from '../providers/index.js';
import type { APIResource, GroupVersionApi } from './api-groups.js';
import { apiHandler } from './group-version.js';
import { PreEncodedJSON } from './respond.js';
import { newRouter } from './router.js';
import { formatTime, milliQuantity } from './wire.js';

const GROUP_VERSION = 'external.metrics.k8s.io/v1beta1';
const METRIC_NAME = /^[^\u0000-\u001f\u007f/]+$/;

function validateMetricName(metric: string): string {
  if (metric.length === 0 || metric.length > 512 || !METRIC_NAME.test(metric))
    throw new BadRequestError(`invalid metric name ${JSON.stringify(metric)}`);
  return metric;
}

/** The labelSelector of an external metrics request, checked so that it can become PromQL matchers. */
export function seriesSelector(query: URLSearchParams): Requirement[] {
  const raw = query.get('labelSelector');
  if (raw === null || raw === '') return [];
  let reqs: Requirement[];
  try {
    reqs = parseLabelSelector(raw);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`invalid labelSelector ${JSON.stringify(raw)}: ${err.message}`);
    throw err;
  }
  try {
    requirementsToMatchers(reqs);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(
        `invalid labelSelector ${JSON.stringify(raw)}: ${err.message.replace('metric label selector', 'label selector')}`,
      );
    throw err;
  }
  return reqs;
}

/** The ExternalMetricValueList JSON, written directly (see encodeMetricValueList). */
export function encodeExternalMetricValueList(values: readonly ExternalMetricValue[]): string {
  const parts = new Array<string>(values.length);
  let lastMetric: string | undefined;
  let name = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as ExternalMetricValue;
    if (v.metric !== lastMetric) {
      lastMetric = v.metric;
      name = JSON.stringify(v.metric);
    }
    parts[i] =
      `{"metricName":${name},"metricLabels":${JSON.stringify(v.labels)},` +
      `"timestamp":"${formatTime(v.timestamp)}","value":"${milliQuantity(v.value)}"}`;
  }
  return `{"kind":"ExternalMetricValueList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[${parts.join(',')}]}`;
}

export class ExternalMetricsApi implements GroupVersionApi {
  readonly router = newRouter();
  private cachedFor: unknown;
  private cached: APIResource[] = [];

  constructor(
    private readonly provider: ExternalMetricsProvider,
    /** Identity of the current catalog, to rebuild the discovery list only when it changes. */
    private readonly catalogIdentity: () => unknown,
  ) {
    // The only URL shape: a metric, in a namespace, its series narrowed by labelSelector.
    this.router.get(
      '/namespaces/:namespace/:metric',
      apiHandler<{ namespace: string; metric: string }>((r) =>
        this.getMetric(r.params.namespace, r.params.metric, r.query, r.signal),
      ),
    );
  }

  resources(): APIResource[] {
    const identity = this.catalogIdentity();
    if (identity === this.cachedFor) return this.cached;
    this.cached = this.provider.listMetrics().map((name) => ({
      name,
      singularName: '',
      namespaced: true,
      kind: 'ExternalMetricValueList',
      verbs: ['get'],
    }));
    this.cachedFor = identity;
    return this.cached;
  }

  /** GET /apis/external.metrics.k8s.io/v1beta1/namespaces/:namespace/:metric */
  async getMetric(
    namespace: string,
    metric: string,
    query: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<PreEncodedJSON> {
    const q = {
      metric: validateMetricName(metric),
      namespace: validateNamespace(namespace),
      selector: seriesSelector(query),
      signal,
    };
    const values = await this.provider.getValues(q);
    return new PreEncodedJSON(encodeExternalMetricValueList(values));
  }
}

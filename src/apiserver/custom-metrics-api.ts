/**
 * custom.metrics.k8s.io v1beta1 and v1beta2 over one provider: the router of their URL shapes
 * (request validation is the providers' parseCustomMetricRequest, shared with `explain`), and the
 * two versions' MetricValueList encodings.
 */
import { groupResourceString } from '../kube/index.js';
import { toLabelSelectorObject } from '../promql/index.js';
import {
  parseCustomMetricRequest,
  type CustomMetricParams,
  type CustomMetricValue,
  type CustomMetricsProvider,
} from '../providers/index.js';
import type { APIResource, ApiRequest, GroupVersionApi } from './api-groups.js';
import { apiHandler } from './group-version.js';
import { bytesOf, JsonBytes } from './json-bytes.js';
import { PreEncodedJSON } from './respond.js';
import { newRouter } from './router.js';
import { formatTime, milliQuantity } from './wire.js';

const GROUP = 'custom.metrics.k8s.io';
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

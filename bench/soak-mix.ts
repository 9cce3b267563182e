/**
 * What the soak asks for: the weighted mix of request kinds, the rules file that serves them
 * (the benchmark's custom rule, plus externalRules and resourceRules), the series Prometheus
 * holds for the external and resource kinds on top of the benchmark's data set, and a check of
 * each kind's answers (status and item count) so a soak of wrong answers cannot pass as healthy.
 *
 * Where the answers come from:
 * - custom Pods/Object: namespace `small` (100 pods) and `large` (2 000 pods) of bench/dataset.ts;
 * - external: `queue_messages_ready{namespace="small",queue=…}` gauges;
 * - metrics.k8s.io pods of `small`: Prometheus through resourceRules (container `app` of each pod);
 * - metrics.k8s.io one pod and nodes: the kubelet scraper, from a simulated kubelet fleet whose
 *   pods live in namespaces `team-a` and `team-b` (Prometheus has no resource series for them, so
 *   the provider falls through to the kubelet source).
 */
import type { OpenMetricsSeries } from '../test/helpers/prometheus.js';
import { APP, QUERY_METRIC, SERVICE, namespaceData, rulesYaml, sampleTimes } from './dataset.js';
import type { PreparedRequest } from './http.js';

export const EXTERNAL_METRIC = 'queue_messages_ready';
/** Queue → messages ready; constant gauges in namespace `small`. */
export const QUEUES: ReadonlyMap<string, number> = new Map([
  ['orders', 120],
  ['billing', 30],
  ['emails', 7],
]);
export const FLEET_NAMESPACES = ['team-a', 'team-b'];

export interface FleetShape {
  nodes: number;
  podsPerNode: number;
}

export interface Kind {
  id: string;
  /** What a reader sees in the report. */
  title: string;
  /** Relative share of the requests. */
  weight: number;
  /** Requests of this kind, taken in turn. */
  paths: readonly string[];
  /** Items every answer must list (for a single object: 1). */
  items: (path: string) => number;
}

const CUSTOM_V2 = '/apis/custom.metrics.k8s.io/v1beta2';
const CUSTOM_V1 = '/apis/custom.metrics.k8s.io/v1beta1';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1';
const RESOURCE = '/apis/metrics.k8s.io/v1beta1';

/** labelSelector values as a client writes them (`app=web`, `app in (web)`), URL-encoded. */
const sel = (s: string): string => `labelSelector=${encodeURIComponent(s)}`;

export function buildKinds(fleet: FleetShape): Kind[] {
  const small = namespaceData('small').pods.length;
  const large = namespaceData('large').pods.length;
  const podsPath = (base: string, ns: string, selector: string): string =>
    `${base}/namespaces/${ns}/pods/%2A/${QUERY_METRIC}?${sel(selector)}`;
  const externalItems: Record<string, number> = {
    [sel('queue=orders')]: 1,
    [sel('queue in (orders,billing)')]: 2,
    [sel('queue!=emails')]: 2,
  };
  // Fleet pod j of node i is in FLEET_NAMESPACES[j % 2] (test/helpers/fake-kubelet.ts).
  const onePods = Array.from({ length: Math.min(fleet.nodes, 4) }, (_, i) => {
    const j = i % Math.min(fleet.podsPerNode, FLEET_NAMESPACES.length);
    return `${RESOURCE}/namespaces/${FLEET_NAMESPACES[j] ?? 'team-a'}/pods/node-${i}-pod-${j}`;
  });
  const discovery = ['/apis', CUSTOM_V2, EXTERNAL, RESOURCE, CUSTOM_V1, '/apis/custom.metrics.k8s.io'];
  return [
    {
      id: 'custom-pods-v1beta2',
      title: `custom Pods v1beta2, ${small} pods, labelSelector`,
      weight: 18,
      paths: [podsPath(CUSTOM_V2, 'small', `app=${APP}`), podsPath(CUSTOM_V2, 'small', `app in (${APP})`)],
      items: () => small,
    },
    {
      id: 'custom-pods-v1beta1',
      title: `custom Pods v1beta1, ${small} pods, labelSelector`,
      weight: 12,
      paths: [podsPath(CUSTOM_V1, 'small', `app=${APP}`)],
      items: () => small,
    },
    {
      id: 'custom-pods-2000',
      title: `custom Pods v1beta2, ${large} pods, labelSelector`,
      weight: 2,
      paths: [podsPath(CUSTOM_V2, 'large', `app=${APP}`)],
      items: () => large,
    },
    {
      id: 'custom-object',
      title: 'custom Object (one Service)',
      weight: 12,
      paths: [`${CUSTOM_V2}/namespaces/small/services/${SERVICE}/${QUERY_METRIC}`],
      items: () => 1,
    },
    {
      id: 'external',
      title: 'external, labelSelector',
      weight: 15,
      paths: Object.keys(externalItems).map((q) => `${EXTERNAL}/namespaces/small/${EXTERNAL_METRIC}?${q}`),
      items: (p) => externalItems[p.slice(p.indexOf('?') + 1)] ?? Number.NaN,
    },
    {
      id: 'resource-pods',
      title: `metrics.k8s.io pods list, ${small} pods (resourceRules)`,
      weight: 10,
      paths: [`${RESOURCE}/namespaces/small/pods`],
      items: () => small,
    },
    {
      id: 'resource-pod',
      title: 'metrics.k8s.io one pod (kubelet)',
      weight: 10,
      paths: onePods,
      items: () => 1,
    },
    {
      id: 'resource-nodes',
      title: `metrics.k8s.io nodes list, ${fleet.nodes} nodes (kubelet)`,
      weight: 7,
      paths: [`${RESOURCE}/nodes`],
      items: () => fleet.nodes,
    },
    {
      id: 'discovery',
      title: 'discovery (/apis, group and version documents)',
      weight: 14,
      paths: discovery,
      items: () => Number.NaN,
    },
  ];
}

/** Number of items in an answer: a list's `items`, 1 for a single object, NaN for discovery. */
export function countItems(body: Buffer): number {
  const doc = JSON.parse(body.toString('utf8')) as { kind?: unknown; items?: unknown };
  if (Array.isArray(doc.items)) return doc.items.length;
  if (doc.kind === 'PodMetrics' || doc.kind === 'NodeMetrics') return 1;
  if (typeof doc.kind === 'string' && /^API(GroupList|Group|ResourceList)$/.test(doc.kind)) return Number.NaN;
  throw new Error(`unexpected answer ${body.toString('utf8').slice(0, 200)}`);
}

/** Whether an answer carries what its kind must; the reason when it does not. */
export function judgeAnswer(kind: Kind, path: string, body: Buffer): string | undefined {
  let got: number;
  try {
    got = countItems(body);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const want = kind.items(path);
  if (Number.isNaN(want))
    return Number.isNaN(got) ? undefined : `expected a discovery document, got ${got} items`;
  return got === want ? undefined : `${got} items, expected ${want}`;
}

/** A deterministic weighted choice of the next request (mulberry32), so runs ask the same mix. */
export function mixer(kinds: readonly Kind[], seed = 0x5eed): () => { kind: Kind; req: PreparedRequest } {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const total = kinds.reduce((s, k) => s + k.weight, 0);
  const turn = new Map<string, number>();
  return () => {
    let r = random() * total;
    const kind = kinds.find((k) => (r -= k.weight) < 0) ?? kinds[kinds.length - 1];
    if (kind === undefined) throw new Error('no request kinds');
    const i = turn.get(kind.id) ?? 0;
    turn.set(kind.id, i + 1);
    const path = kind.paths[i % kind.paths.length] ?? kind.paths[0] ?? '/apis';
    return { kind, req: { method: 'GET', path } };
  };
}

const RESOURCE_OVERRIDES = [
  '    resources:',
  '      overrides:',
  '        node: {resource: node}',
  '        namespace: {resource: namespace}',
  '        pod: {resource: pod}',
  '    containerLabel: container',
];

/** The benchmark's custom rule, plus one externalRule and resourceRules for CPU and memory. */
export function soakRulesYaml(): string {
  return [
    rulesYaml(),
    'externalRules:',
    `  - seriesQuery: '{__name__="${EXTERNAL_METRIC}",queue!=""}'`,
    '    resources:',
    '      overrides:',
    '        namespace: {resource: namespace}',
    "    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'",
    'resourceRules:',
    '  cpu:',
    '    containerQuery: \'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!=""}[2m])) by (<<.GroupBy>>)\'',
    "    nodeQuery: 'sum(rate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'",
    ...RESOURCE_OVERRIDES,
    '  memory:',
    '    containerQuery: \'sum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!=""}) by (<<.GroupBy>>)\'',
    "    nodeQuery: 'sum(node_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
    ...RESOURCE_OVERRIDES,
    '  window: 2m',
    '',
  ].join('\n');
}

/** Queue gauges and the `small` pods' container CPU counters and working sets. */
export function soakSeries(nowMs: number, horizonSeconds: number): OpenMetricsSeries[] {
  const times = sampleTimes(nowMs, horizonSeconds);
  const origin = (times[0] ?? 0) - 100_000;
  const out: OpenMetricsSeries[] = [];
  for (const [queue, value] of QUEUES)
    out.push({
      name: EXTERNAL_METRIC,
      type: 'gauge',
      labels: { namespace: 'small', queue },
      samples: times.map((t) => [t, value]),
    });
  namespaceData('small').pods.forEach((pod, i) => {
    const labels = { namespace: 'small', pod, container: 'app' };
    const cores = ((i % 7) + 1) / 100;
    out.push({
      name: 'container_cpu_usage_seconds_total',
      type: 'counter',
      labels,
      samples: times.map((t) => [t, (t - origin) * cores]),
    });
    out.push({
      name: 'container_memory_working_set_bytes',
      type: 'gauge',
      labels,
      samples: times.map((t) => [t, 64 * 2 ** 20 + i * 4096]),
    });
  });
  return out;
}

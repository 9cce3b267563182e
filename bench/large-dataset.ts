/**
 * The data set of the large-selector benchmark (bench/large-selectors.ts): namespace `xl` with
 * 5 000 pods named like a Deployment's (`web-<hash>-<suffix>`, 20 characters), each with 40
 * gauges and 3 containers × 3 container series: 5 000 × (40 + 9) = 245 000 series, besides the
 * 20 100 of the standard data set (bench/dataset.ts). The request selects all 5 000 pods with a
 * label selector and asks for one gauge; the other series make the index as large as a real
 * cluster's, so Prometheus pays for the pod matcher against many series.
 *
 * Gauge `k` of pod `i` is (i mod 97) + k, constant, so every answer can be checked exactly.
 * Samples every 240 s (inside Prometheus's 5-minute lookback) from 4 minutes before the backfill
 * to `horizonSeconds` after it: few samples per series keep the promtool backfill short.
 */
import type { OpenMetricsSeries } from '../test/helpers/prometheus.js';

export const XL_NAMESPACE = 'xl';
export const XL_APP = 'web';
export const XL_PODS = 5_000;
export const XL_GAUGES = 40;
/** The gauge the request asks for (the rule exposes it under its own name). */
export const XL_METRIC = 'bench_gauge_01';
const CONTAINERS = ['app', 'sidecar', 'istio-proxy'];
const CONTAINER_SERIES = [
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'container_network_receive_bytes_total',
];

/** Deterministic Deployment-like pod names: `web-7c9d5f6b8-` and a 5-character suffix. */
export function xlPodNames(count = XL_PODS): string[] {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: count }, (_, i) => {
    let x = (i * 2_654_435_761) >>> 0;
    let suffix = '';
    for (let k = 0; k < 5; k++) {
      suffix += alphabet[x % alphabet.length] ?? 'x';
      x = Math.floor(x / alphabet.length) + i * (k + 1);
    }
    return `web-7c9d5f6b8-${suffix}`;
  });
}

export function gaugeName(k: number): string {
  return `bench_gauge_${String(k).padStart(2, '0')}`;
}

/** The value of gauge `k` (1-based) of the pod at `index`. */
export function gaugeValue(index: number, k: number): number {
  return (index % 97) + k;
}

export function xlSeries(nowMs: number, horizonSeconds: number): OpenMetricsSeries[] {
  const now = Math.floor(nowMs / 1000);
  const times: number[] = [];
  for (let t = now - 240; t <= now + horizonSeconds; t += 240) times.push(t);
  const pods = xlPodNames();
  const out: OpenMetricsSeries[] = [];
  for (let k = 1; k <= XL_GAUGES; k++) {
    const name = gaugeName(k);
    pods.forEach((pod, i) => {
      const v = gaugeValue(i, k);
      out.push({
        name,
        type: 'gauge',
        labels: { namespace: XL_NAMESPACE, pod, service: XL_APP },
        samples: times.map((t) => [t, v]),
      });
    });
  }
  for (const name of CONTAINER_SERIES) {
    for (const container of CONTAINERS) {
      pods.forEach((pod, i) => {
        const counter = name.endsWith('_total');
        out.push({
          name,
          type: counter ? 'counter' : 'gauge',
          labels: { namespace: XL_NAMESPACE, pod, container },
          samples: times.map((t, j) => [t, counter ? 1e6 + j * (i + 1) : 1e8 + i]),
        });
      });
    }
  }
  return out;
}

/**
 * The rule of the request: the gauge as it is, summed by pod. Its seriesQuery names only the
 * queried gauge, so series discovery stays small; the other series still fill the index.
 */
export function xlRulesYaml(): string {
  return [
    'rules:',
    `  - seriesQuery: '{__name__="${XL_METRIC}",namespace!="",pod!=""}'`,
    '    resources:',
    '      overrides:',
    '        namespace: {resource: namespace}',
    '        pod: {resource: pod}',
    "    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
    '',
  ].join('\n');
}

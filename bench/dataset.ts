/**
 * The fixed data set of the benchmark: pods, their labels and the counter series Prometheus holds
 * for them, and the rules file that turns the series into custom metrics.
 *
 * - namespace `small`: 100 pods (app=web), one counter each (`http_requests_total`);
 * - namespace `large`: 2 000 pods (app=web), ten counters each: 20 000 series.
 *
 * Every series carries `namespace`, `pod` and `service="web"`. Pod i's counters grow by exactly
 * (i mod 7) + 1 per second, so `rate(...[2m])` is the same at any query time and every answer can
 * be checked exactly. Samples are every 30 s from 3 minutes before the backfill to 15 minutes
 * after it: the data is visible to instant queries at "now" for the whole run, with no scraping.
 */
import type { OpenMetricsSeries } from '../test/helpers/prometheus.js';

export const QUERY_METRIC_SERIES = 'http_requests_total';
export const QUERY_METRIC = 'http_requests_per_second';
export const SERVICE = 'web';
export const APP = 'web';
/** Counters per pod in `large` besides http_requests_total. */
export const EXTRA_COUNTERS = 9;

export interface NamespaceData {
  name: string;
  pods: string[];
  /** Counter names (with `_total`) each pod has. */
  counters: string[];
}

function podNames(count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `web-${String(i).padStart(width, '0')}`);
}

export const NAMESPACES: readonly NamespaceData[] = [
  { name: 'small', pods: podNames(100), counters: [QUERY_METRIC_SERIES] },
  {
    name: 'large',
    pods: podNames(2_000),
    counters: [
      QUERY_METRIC_SERIES,
      ...Array.from({ length: EXTRA_COUNTERS }, (_, i) => `bench_counter_${i + 1}_total`),
    ],
  },
];

export function namespaceData(name: string): NamespaceData {
  const ns = NAMESPACES.find((n) => n.name === name);
  if (ns === undefined) throw new Error(`no namespace ${name} in the data set`);
  return ns;
}

export function totalSeries(): number {
  return NAMESPACES.reduce((n, ns) => n + ns.pods.length * ns.counters.length, 0);
}

/** The per-second rate of every counter of the pod at `index` in its namespace. */
export function ratePerSecond(index: number): number {
  return (index % 7) + 1;
}

/** Seconds of data after the backfill by default: long enough for `npm run bench`. */
export const DEFAULT_HORIZON_SECONDS = 900;

/**
 * Sample times: every 30 s from now-3m to now+`horizonSeconds` (seconds since the epoch); a longer
 * run (the soak) asks for a longer horizon so instant queries at "now" keep finding data.
 */
export function sampleTimes(nowMs: number, horizonSeconds = DEFAULT_HORIZON_SECONDS): number[] {
  const now = Math.floor(nowMs / 1000);
  const out: number[] = [];
  for (let t = now - 180; t <= now + horizonSeconds; t += 30) out.push(t);
  return out;
}

/** The counter series for promtool; values start high so no extrapolation is clipped at zero. */
export function seriesFor(nowMs: number, horizonSeconds?: number): OpenMetricsSeries[] {
  const times = sampleTimes(nowMs, horizonSeconds);
  const origin = (times[0] ?? 0) - 100_000;
  const out: OpenMetricsSeries[] = [];
  for (const ns of NAMESPACES) {
    for (const counter of ns.counters) {
      ns.pods.forEach((pod, i) => {
        const rate = ratePerSecond(i);
        out.push({
          name: counter,
          type: 'counter',
          labels: { namespace: ns.name, pod, service: SERVICE },
          samples: times.map((t) => [t, (t - origin) * rate]),
        });
      });
    }
  }
  return out;
}

/** The rules file: the HPA rule of the issue, with pods, services and namespaces associated. */
export function rulesYaml(seriesQuery = '{__name__=~"^.*_total$",namespace!="",pod!=""}'): string {
  return [
    'rules:',
    `  - seriesQuery: '${seriesQuery}'`,
    '    resources:',
    '      overrides:',
    '        namespace: {resource: namespace}',
    '        pod: {resource: pod}',
    '        service: {resource: service}',
    '    name:',
    '      matches: "^(.*)_total$"',
    '      as: "${1}_per_second"',
    "    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'",
    '',
  ].join('\n');
}

/** A rules file whose seriesQuery matches nothing: the adapter's memory without a catalog. */
export function emptyRulesYaml(): string {
  return rulesYaml('{__name__="bench_no_such_series_total"}');
}

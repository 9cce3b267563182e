/**
 * Paced load: the way the HPA controller really calls the adapter. It asks once per HPA per sync
 * period, so each request arrives at a process that has been idle, not right behind the previous
 * one. Every side gets one request per period (250 ms by default); the sides take turns at equal
 * offsets inside the period (floor, adapter, adapter without coalescing, …), so each side's own
 * requests are a full period apart while slow drift of the machine hits all sides alike.
 * Requests never overlap. Besides client-side latency, the adapters' own request and upstream
 * durations over the block are read from their /metrics, to show where an idle request's time goes.
 */
import type { AdapterChild } from './adapter-process.js';
import type { BenchClient, PreparedRequest } from './http.js';
import { median, percentile } from './load.js';
import { sample } from './procstat.js';

export interface PacedSide {
  label: string;
  /** Anything that answers a request like a BenchClient (bench/large-selectors.ts sends several). */
  client: Pick<BenchClient, 'send'>;
  next: () => PreparedRequest;
  /** The adapter process behind the side (undefined for the floor). */
  adapter?: AdapterChild;
}

export interface PacedSideResult {
  label: string;
  latenciesMs: number[];
  medianMs: number;
  p90Ms: number;
  /** Median of each quarter of the block, in order: the spread of the figure over time. */
  quarterMedians: number[];
  /** Mean time inside the adapter (request in → answer out) and in its Prometheus client. */
  serverMs?: number;
  upstreamMs?: number;
}

export interface PacedScenario {
  scenario: string;
  title: string;
  periodMs: number;
  sides: PacedSideResult[];
}

export interface PacedOptions {
  requestsPerSide: number;
  periodMs: number;
  /** Requests per side sent (paced) before measuring. */
  warmup: number;
}

const REQUEST_SUM = 'metrics_adapter_request_duration_seconds_sum{route="custom-metrics"}';
const REQUEST_COUNT = 'metrics_adapter_request_duration_seconds_count{route="custom-metrics"}';
const QUERY_SUM = 'metrics_adapter_prometheus_request_duration_seconds_sum{endpoint="query"}';
const QUERY_COUNT = 'metrics_adapter_prometheus_request_duration_seconds_count{endpoint="query"}';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function adapterCounters(a: AdapterChild | undefined): Promise<number[] | undefined> {
  if (a === undefined) return undefined;
  const m = await a.metrics();
  return [REQUEST_SUM, REQUEST_COUNT, QUERY_SUM, QUERY_COUNT].map((k) => sample(m, k));
}

async function sendPaced(
  sides: readonly PacedSide[],
  count: number,
  periodMs: number,
  record: (side: number, ms: number) => void,
): Promise<void> {
  const slot = periodMs / sides.length;
  const start = performance.now() + slot;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < sides.length; j++) {
      const side = sides[j] as PacedSide;
      await sleep(start + i * periodMs + j * slot - performance.now());
      const req = side.next();
      const t0 = process.hrtime.bigint();
      const res = await side.client.send(req);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200)
        throw new Error(`paced ${side.label}: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
      record(j, ms);
    }
  }
}

export async function runPaced(sides: readonly PacedSide[], o: PacedOptions): Promise<PacedSideResult[]> {
  await sendPaced(sides, o.warmup, o.periodMs, () => undefined);
  const before = await Promise.all(sides.map((s) => adapterCounters(s.adapter)));
  const latencies: number[][] = sides.map(() => []);
  await sendPaced(sides, o.requestsPerSide, o.periodMs, (j, ms) => latencies[j]?.push(ms));
  const after = await Promise.all(sides.map((s) => adapterCounters(s.adapter)));
  return sides.map((s, j) => {
    const lat = latencies[j] ?? [];
    const q = Math.max(1, Math.floor(lat.length / 4));
    const quarterMedians = [0, 1, 2, 3].map((k) =>
      median(lat.slice(k * q, k === 3 ? lat.length : (k + 1) * q)),
    );
    const b = before[j];
    const a = after[j];
    const delta = (k: number): number => (a?.[k] ?? 0) - (b?.[k] ?? 0);
    return {
      label: s.label,
      latenciesMs: lat,
      medianMs: median(lat),
      p90Ms: percentile(lat, 90),
      quarterMedians,
      ...(a === undefined
        ? {}
        : { serverMs: (delta(0) / delta(1)) * 1000, upstreamMs: (delta(2) / delta(3)) * 1000 }),
    };
  });
}

/**
 * Runs one scenario both ways — floor (straight to Prometheus) and adapter — at concurrency 1 for
 * latency and at concurrency 16 for throughput, after a warm-up, in alternating rounds (ABBA…) so
 * slow drift of a noisy machine hits both sides alike. Besides client-side latency it records the
 * CPU time each process spent (load generator, adapter, Prometheus) and the adapter's own view of
 * the time a request took and the time it spent in its Prometheus client.
 *
 * A third, diagnostic side (concurrency 1 only, no goal) sends the floor's request with the
 * headers the adapter's HTTP client sends (axios: it accepts gzip), to show what compression
 * costs Prometheus.
 */
import type { AdapterChild } from './adapter-process.js';
import type { BenchClient, PreparedRequest } from './http.js';
import { median, percentile, runBlock, type BlockResult } from './load.js';
import { cpuMs, sample } from './procstat.js';
import { adapterRequests, floorRequests, type Scenario } from './scenarios.js';

export interface Plan {
  rounds: number;
  warmupLatency: number;
  latencyPerRound: number;
  warmupThroughput: number;
  throughputPerRound: number;
  concurrency: number;
}

export interface CpuPerRequest {
  clientMs: number;
  adapterMs: number;
  prometheusMs: number;
}

export interface SideResult {
  medianMs: number;
  p90Ms: number;
  latencyRequests: number;
  /** Median of each round, in round order. */
  roundMedians: number[];
  /** CPU per request during the concurrency-1 blocks. */
  cpuLatency: CpuPerRequest;
  bytesPerResponse: number;
}

export interface LoadedSideResult extends SideResult {
  rps: number;
  medianMsLoaded: number;
  p90MsLoaded: number;
  throughputRequests: number;
  /** CPU per request during the concurrency-16 blocks. */
  cpu: CpuPerRequest;
}

export interface AdapterPhases {
  /** Mean time from the request reaching the adapter's app to the answer being sent (c=1). */
  serverMs: number;
  /** Mean time inside the adapter's Prometheus client call: send, wait, decompress, parse (c=1). */
  upstreamMs: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  plan: Plan;
  floor: LoadedSideResult;
  adapter: LoadedSideResult;
  /** The floor request with the adapter's HTTP client headers (accepts gzip). */
  floorGzip: SideResult;
  phases: AdapterPhases;
}

export interface Clients {
  floor: { c1: BenchClient; cN: BenchClient };
  adapter: { c1: BenchClient; cN: BenchClient };
}

interface Pids {
  adapter: number;
  prometheus: number;
}

interface Timed {
  block: BlockResult;
  cpu: CpuPerRequest;
}

interface Collected {
  latency: Timed[];
  throughput: Timed[];
}

type Side = 'floor' | 'adapter' | 'floorGzip';

/** What axios (the adapter's HTTP client, through prometheus-query) sends with every request. */
const AXIOS_HEADERS = {
  accept: 'application/json, text/plain, */*',
  'accept-encoding': 'gzip, compress, deflate, br',
};

async function timedBlock(
  client: BenchClient,
  next: () => PreparedRequest,
  requests: number,
  concurrency: number,
  pids: Pids,
): Promise<Timed> {
  const before = await Promise.all([cpuMs(pids.adapter), cpuMs(pids.prometheus)]);
  const block = await runBlock(client, next, { requests, concurrency });
  const after = await Promise.all([cpuMs(pids.adapter), cpuMs(pids.prometheus)]);
  const n = block.latenciesMs.length;
  return {
    block,
    cpu: {
      clientMs: block.clientCpuMs / n,
      adapterMs: (after[0] - before[0]) / n,
      prometheusMs: (after[1] - before[1]) / n,
    },
  };
}

function cpuOf(blocks: readonly Timed[]): CpuPerRequest {
  const n = blocks.reduce((s, b) => s + b.block.latenciesMs.length, 0);
  const total = (f: (c: CpuPerRequest) => number): number =>
    blocks.reduce((s, b) => s + f(b.cpu) * b.block.latenciesMs.length, 0) / n;
  return {
    clientMs: total((c) => c.clientMs),
    adapterMs: total((c) => c.adapterMs),
    prometheusMs: total((c) => c.prometheusMs),
  };
}

function summarizeSide(c: Collected): SideResult {
  const lat = c.latency.flatMap((t) => t.block.latenciesMs);
  const all = [...c.latency, ...c.throughput].map((t) => t.block);
  const responses = all.reduce((s, b) => s + b.latenciesMs.length, 0);
  return {
    medianMs: median(lat),
    p90Ms: percentile(lat, 90),
    latencyRequests: lat.length,
    roundMedians: c.latency.map((t) => median(t.block.latenciesMs)),
    cpuLatency: cpuOf(c.latency),
    bytesPerResponse: all.reduce((s, b) => s + b.bytes, 0) / responses,
  };
}

function summarizeLoadedSide(c: Collected): LoadedSideResult {
  const loaded = c.throughput.flatMap((t) => t.block.latenciesMs);
  const wall = c.throughput.reduce((s, t) => s + t.block.wallMs, 0);
  return {
    ...summarizeSide(c),
    rps: (loaded.length / wall) * 1000,
    medianMsLoaded: median(loaded),
    p90MsLoaded: percentile(loaded, 90),
    throughputRequests: loaded.length,
    cpu: cpuOf(c.throughput),
  };
}

const PHASE_KEYS = [
  'metrics_adapter_request_duration_seconds_sum{route="custom-metrics"}',
  'metrics_adapter_request_duration_seconds_count{route="custom-metrics"}',
  'metrics_adapter_prometheus_request_duration_seconds_sum{endpoint="query"}',
  'metrics_adapter_prometheus_request_duration_seconds_count{endpoint="query"}',
];

async function phaseCounters(adapter: AdapterChild): Promise<number[]> {
  const m = await adapter.metrics();
  return PHASE_KEYS.map((k) => sample(m, k));
}

export async function measureScenario(
  s: Scenario,
  plan: Plan,
  clients: Clients,
  adapter: AdapterChild,
  prometheusPid: number,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const pids: Pids = { adapter: adapter.pid, prometheus: prometheusPid };
  const floorNext = floorRequests(s.promql);
  const next: Record<Side, () => PreparedRequest> = {
    floor: floorNext,
    adapter: adapterRequests(s),
    floorGzip: () => {
      const r = floorNext();
      return { ...r, headers: { ...(r.headers ?? {}), ...AXIOS_HEADERS } };
    },
  };
  const c1: Record<Side, BenchClient> = {
    floor: clients.floor.c1,
    adapter: clients.adapter.c1,
    floorGzip: clients.floor.c1,
  };
  const cN = { floor: clients.floor.cN, adapter: clients.adapter.cN };
  const collected: Record<Side, Collected> = {
    floor: { latency: [], throughput: [] },
    adapter: { latency: [], throughput: [] },
    floorGzip: { latency: [], throughput: [] },
  };
  const phaseTotals = PHASE_KEYS.map(() => 0);

  for (const side of ['floor', 'adapter'] as const) {
    await runBlock(c1[side], next[side], { requests: plan.warmupLatency, concurrency: 1 });
    await runBlock(cN[side], next[side], { requests: plan.warmupThroughput, concurrency: plan.concurrency });
  }
  await runBlock(c1.floorGzip, next.floorGzip, {
    requests: Math.ceil(plan.warmupLatency / 4),
    concurrency: 1,
  });

  for (let round = 0; round < plan.rounds; round++) {
    const order: ('floor' | 'adapter')[] = round % 2 === 0 ? ['floor', 'adapter'] : ['adapter', 'floor'];
    for (const side of order) {
      const before = side === 'adapter' ? await phaseCounters(adapter) : undefined;
      const lat = await timedBlock(c1[side], next[side], plan.latencyPerRound, 1, pids);
      if (before !== undefined) {
        const after = await phaseCounters(adapter);
        after.forEach((v, i) => (phaseTotals[i] = (phaseTotals[i] ?? 0) + v - (before[i] ?? 0)));
      }
      collected[side].latency.push(lat);
      const thr = await timedBlock(cN[side], next[side], plan.throughputPerRound, plan.concurrency, pids);
      collected[side].throughput.push(thr);
      log(
        `  ${s.id} round ${round + 1}/${plan.rounds} ${side.padEnd(7)}: median ${median(lat.block.latenciesMs).toFixed(2)} ms, ` +
          `${((thr.block.latenciesMs.length / thr.block.wallMs) * 1000).toFixed(0)} req/s at c=${plan.concurrency}`,
      );
    }
    collected.floorGzip.latency.push(
      await timedBlock(c1.floorGzip, next.floorGzip, plan.latencyPerRound, 1, pids),
    );
  }
  const [reqSum = 0, reqCount = 1, upSum = 0, upCount = 1] = phaseTotals;
  return {
    scenario: s,
    plan,
    floor: summarizeLoadedSide(collected.floor),
    adapter: summarizeLoadedSide(collected.adapter),
    floorGzip: summarizeSide(collected.floorGzip),
    phases: { serverMs: (reqSum / reqCount) * 1000, upstreamMs: (upSum / upCount) * 1000 },
  };
}

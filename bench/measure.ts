/**
 * Runs one scenario three ways — floor (straight to Prometheus), the adapter as deployed
 * (identical queries in flight coalesced into one Prometheus call) and a second adapter process
 * with `--prometheus-query-coalescing=false` — at concurrency 1 for latency and at concurrency 16
 * for throughput, after a warm-up, in rounds whose order varies so that each side goes before
 * each other side equally often (slow drift of a noisy machine hits all sides alike). Besides
 * client-side latency it records the CPU time each process spent (load generator, the adapter
 * serving the block, Prometheus), the adapter's own view of the time a request took and the time
 * it spent in its Prometheus client, and how many Prometheus queries the adapter sent per request.
 *
 * The load sends the same request over and over, so at concurrency 16 the coalescing adapter
 * shares Prometheus evaluations the floor has to repeat: the no-coalescing adapter shows the raw
 * per-request cost.
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
  /** CPU of the adapter process that served the block (0 for the floor). */
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
  /** Mean time of one call of its instant-query client: send, wait, read, parse (c=1). */
  upstreamMs: number;
  /** Mean garbage-collection pause per request (prom-client's `nodejs_gc_duration_seconds`, c=1). */
  gcMs: number;
  /** Prometheus queries the adapter sent per request at c=1 and at c=16. */
  queriesPerRequestC1: number;
  queriesPerRequestCN: number;
}

export interface AdapterSideResult extends SideResult {
  phases: AdapterPhases;
}

export interface ScenarioResult {
  scenario: Scenario;
  plan: Plan;
  floor: SideResult;
  /** The adapter as deployed (coalescing on, the default). */
  adapter: AdapterSideResult;
  /** The adapter with `--prometheus-query-coalescing=false`. */
  noCoalescing: AdapterSideResult;
}

export type SideId = 'floor' | 'adapter' | 'noCoalescing';

export const SIDE_LABELS: Record<SideId, string> = {
  floor: 'floor',
  adapter: 'adapter',
  noCoalescing: 'adapter (no coalescing)',
};

export interface Clients {
  floor: { c1: BenchClient; cN: BenchClient };
  adapter: { c1: BenchClient; cN: BenchClient };
  noCoalescing: { c1: BenchClient; cN: BenchClient };
}

export interface Adapters {
  adapter: AdapterChild;
  noCoalescing: AdapterChild;
}

interface Timed {
  block: BlockResult;
  cpu: CpuPerRequest;
}

interface Collected {
  latency: Timed[];
  throughput: Timed[];
}

/**
 * Side order per round. Over rounds 1–2 and over rounds 1–4 every side goes before every other
 * side equally often.
 */
const ORDERS: readonly (readonly SideId[])[] = [
  ['floor', 'adapter', 'noCoalescing'],
  ['noCoalescing', 'adapter', 'floor'],
  ['adapter', 'noCoalescing', 'floor'],
  ['floor', 'noCoalescing', 'adapter'],
];

async function timedBlock(
  client: BenchClient,
  next: () => PreparedRequest,
  requests: number,
  concurrency: number,
  pids: { adapter: number | undefined; prometheus: number },
): Promise<Timed> {
  const adapterCpu = async (): Promise<number> => (pids.adapter === undefined ? 0 : cpuMs(pids.adapter));
  const before = await Promise.all([adapterCpu(), cpuMs(pids.prometheus)]);
  const block = await runBlock(client, next, { requests, concurrency });
  const after = await Promise.all([adapterCpu(), cpuMs(pids.prometheus)]);
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
  const loaded = c.throughput.flatMap((t) => t.block.latenciesMs);
  const wall = c.throughput.reduce((s, t) => s + t.block.wallMs, 0);
  const all = [...c.latency, ...c.throughput].map((t) => t.block);
  const responses = all.reduce((s, b) => s + b.latenciesMs.length, 0);
  return {
    medianMs: median(lat),
    p90Ms: percentile(lat, 90),
    latencyRequests: lat.length,
    roundMedians: c.latency.map((t) => median(t.block.latenciesMs)),
    cpuLatency: cpuOf(c.latency),
    bytesPerResponse: all.reduce((s, b) => s + b.bytes, 0) / responses,
    rps: (loaded.length / wall) * 1000,
    medianMsLoaded: median(loaded),
    p90MsLoaded: percentile(loaded, 90),
    throughputRequests: loaded.length,
    cpu: cpuOf(c.throughput),
  };
}

const REQUEST_SUM = 'metrics_adapter_request_duration_seconds_sum{route="custom-metrics"}';
const REQUEST_COUNT = 'metrics_adapter_request_duration_seconds_count{route="custom-metrics"}';
const QUERY_SUM = 'metrics_adapter_prometheus_request_duration_seconds_sum{endpoint="query"}';
const QUERY_COUNT = 'metrics_adapter_prometheus_request_duration_seconds_count{endpoint="query"}';
const GC_SUM = 'nodejs_gc_duration_seconds_sum';
const COUNTERS = [REQUEST_SUM, REQUEST_COUNT, QUERY_SUM, QUERY_COUNT, GC_SUM] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

async function counters(adapter: AdapterChild): Promise<Counters> {
  const m = await adapter.metrics();
  return {
    [REQUEST_SUM]: sample(m, REQUEST_SUM),
    [REQUEST_COUNT]: sample(m, REQUEST_COUNT),
    [QUERY_SUM]: sample(m, QUERY_SUM),
    [QUERY_COUNT]: sample(m, QUERY_COUNT),
    // One sample per kind of collection (minor, major, incremental, weakcb).
    [GC_SUM]: [...m].reduce((sum, [k, v]) => (k.startsWith(`${GC_SUM}{`) ? sum + v : sum), 0),
  };
}

function addDelta(total: Counters, before: Counters, after: Counters): void {
  for (const k of COUNTERS) total[k] += after[k] - before[k];
}

function zeroCounters(): Counters {
  return { [REQUEST_SUM]: 0, [REQUEST_COUNT]: 0, [QUERY_SUM]: 0, [QUERY_COUNT]: 0, [GC_SUM]: 0 };
}

function phasesOf(c1: Counters, cN: Counters): AdapterPhases {
  return {
    serverMs: (c1[REQUEST_SUM] / c1[REQUEST_COUNT]) * 1000,
    upstreamMs: (c1[QUERY_SUM] / c1[QUERY_COUNT]) * 1000,
    gcMs: (c1[GC_SUM] / c1[REQUEST_COUNT]) * 1000,
    queriesPerRequestC1: c1[QUERY_COUNT] / c1[REQUEST_COUNT],
    queriesPerRequestCN: cN[QUERY_COUNT] / cN[REQUEST_COUNT],
  };
}

export async function measureScenario(
  s: Scenario,
  plan: Plan,
  clients: Clients,
  adapters: Adapters,
  prometheusPid: number,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const child = (side: SideId): AdapterChild | undefined => (side === 'floor' ? undefined : adapters[side]);
  const next: Record<SideId, () => PreparedRequest> = {
    floor: floorRequests(s.promql),
    adapter: adapterRequests(s),
    noCoalescing: adapterRequests(s),
  };
  const collected: Record<SideId, Collected> = {
    floor: { latency: [], throughput: [] },
    adapter: { latency: [], throughput: [] },
    noCoalescing: { latency: [], throughput: [] },
  };
  const totals = {
    adapter: { c1: zeroCounters(), cN: zeroCounters() },
    noCoalescing: { c1: zeroCounters(), cN: zeroCounters() },
  };
  const sides = ORDERS[0] ?? [];

  for (const side of sides) {
    await runBlock(clients[side].c1, next[side], { requests: plan.warmupLatency, concurrency: 1 });
    await runBlock(clients[side].cN, next[side], {
      requests: plan.warmupThroughput,
      concurrency: plan.concurrency,
    });
  }

  for (let round = 0; round < plan.rounds; round++) {
    for (const side of ORDERS[round % ORDERS.length] ?? sides) {
      const a = child(side);
      const pids = { adapter: a?.pid, prometheus: prometheusPid };
      const measured = async (concurrency: number, requests: number): Promise<Timed> => {
        const before = a === undefined ? undefined : await counters(a);
        const client = concurrency === 1 ? clients[side].c1 : clients[side].cN;
        const t = await timedBlock(client, next[side], requests, concurrency, pids);
        if (a !== undefined && before !== undefined && side !== 'floor') {
          addDelta(totals[side][concurrency === 1 ? 'c1' : 'cN'], before, await counters(a));
        }
        return t;
      };
      const lat = await measured(1, plan.latencyPerRound);
      collected[side].latency.push(lat);
      const thr = await measured(plan.concurrency, plan.throughputPerRound);
      collected[side].throughput.push(thr);
      log(
        `  ${s.id} round ${round + 1}/${plan.rounds} ${SIDE_LABELS[side].padEnd(23)}: ` +
          `median ${median(lat.block.latenciesMs).toFixed(2)} ms, ` +
          `${((thr.block.latenciesMs.length / thr.block.wallMs) * 1000).toFixed(0)} req/s at c=${plan.concurrency}`,
      );
    }
  }
  return {
    scenario: s,
    plan,
    floor: summarizeSide(collected.floor),
    adapter: {
      ...summarizeSide(collected.adapter),
      phases: phasesOf(totals.adapter.c1, totals.adapter.cN),
    },
    noCoalescing: {
      ...summarizeSide(collected.noCoalescing),
      phases: phasesOf(totals.noCoalescing.c1, totals.noCoalescing.cN),
    },
  };
}

/**
 * `npm run bench:soak [-- --duration=10m] [--concurrency=64] [--warmup=30s] [--floor=20s]
 *   [--nodes=10] [--pods-per-node=10] [--adapter-flags="--max-requests-inflight=32 ..."]
 *   [--no-coalescing] [--check-every=50] [--no-write] [--out=FILE]`
 *
 * Soak: the adapter (a `tsc` build, its real CLI, in a child process) under closed-loop load at
 * concurrency 64 for 10 minutes on a weighted mix of custom (Pods v1beta1/v1beta2 with a
 * labelSelector, Object), external (labelSelector), metrics.k8s.io (pods list from resourceRules,
 * one pod and the nodes list from the kubelet scraper) and discovery requests. Prometheus holds
 * the benchmark's data set (bench/dataset.ts) plus the soak's series (bench/soak-mix.ts); the
 * simulated kube-apiserver and a simulated kubelet fleet run in this process with the load.
 *
 * Reports throughput and p50/p99 per kind, failures by status and kind (429s apart), the adapter's
 * RSS, open fds/sockets and heap at start (after warm-up), middle and end with their maximum and
 * drift, a timeline in tenths of the run, and the floor for one kind (the same PromQL straight to
 * Prometheus). Writes docs/benchmarks.md's soak block for a full-length run (10 minutes or more)
 * unless --no-write; --out=FILE writes anywhere, for any length. Not a test: run it by hand.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseGoDuration } from '../src/config/duration.js';
import { startKubeletFleet, type FakeKubeletFleet } from '../test/helpers/fake-kubelet.js';
import { PROJECT_ROOT, type AdapterChild } from './adapter-process.js';
import { totalSeries } from './dataset.js';
import { BenchClient } from './http.js';
import { machineInfo } from './markdown.js';
import { cpuMs, openFds, procMemory, sample } from './procstat.js';
import { buildScenarios, floorRequests, verifyScenario } from './scenarios.js';
import { setUp, type BenchEnv } from './setup.js';
import { runMix, summarizeLatency, type MixResult } from './soak-load.js';
import {
  FLEET_NAMESPACES,
  QUEUES,
  buildKinds,
  judgeAnswer,
  mixer,
  soakRulesYaml,
  soakSeries,
  type Kind,
} from './soak-mix.js';
import {
  renderSoak,
  writeSoak,
  type FloorSide,
  type ProcessReading,
  type SoakReport,
} from './soak-report.js';

interface Options {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Per side, in two rounds; 0 = no floor. */
  floorMs: number;
  nodes: number;
  podsPerNode: number;
  adapterFlags: string[];
  checkEvery: number;
  out: string | undefined;
}

const FULL_LENGTH_MS = 10 * 60_000;
/** Readings of the adapter process during the timed run (plus the one at its start). */
const READINGS = 60;
const WINDOWS = 10;
const FLOOR_KIND = 'custom-pods-v1beta2';

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    concurrency: 64,
    durationMs: FULL_LENGTH_MS,
    warmupMs: 30_000,
    floorMs: 20_000,
    nodes: 10,
    podsPerNode: 10,
    adapterFlags: [],
    checkEvery: 50,
    out: undefined,
  };
  let write = true;
  let out: string | undefined;
  const positiveInt = (a: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${a}: not a whole number`);
    return n;
  };
  for (const a of argv) {
    const [name, value = ''] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a];
    if (name === '--concurrency') o.concurrency = Math.max(1, positiveInt(a, value));
    else if (name === '--duration') o.durationMs = parseGoDuration(value);
    else if (name === '--warmup') o.warmupMs = parseGoDuration(value);
    else if (name === '--floor') o.floorMs = parseGoDuration(value);
    else if (name === '--nodes') o.nodes = Math.max(1, positiveInt(a, value));
    else if (name === '--pods-per-node') o.podsPerNode = Math.max(1, positiveInt(a, value));
    else if (name === '--check-every') o.checkEvery = positiveInt(a, value);
    else if (name === '--adapter-flags') o.adapterFlags.push(...value.split(/\s+/).filter((f) => f !== ''));
    else if (name === '--no-coalescing') o.adapterFlags.push('--prometheus-query-coalescing=false');
    else if (name === '--no-write') write = false;
    else if (name === '--out') out = path.resolve(value);
    else
      throw new Error(
        `unknown argument ${a} (known: --duration=D, --concurrency=N, --warmup=D, --floor=D, --nodes=N, ` +
          '--pods-per-node=N, --adapter-flags="...", --no-coalescing, --check-every=N, --no-write, --out=FILE)',
      );
  }
  if (o.durationMs < 10_000) throw new Error('--duration: at least 10s');
  o.out =
    out ??
    (write && o.durationMs >= FULL_LENGTH_MS ? path.join(PROJECT_ROOT, 'docs', 'benchmarks.md') : undefined);
  return o;
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[soak ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function reading(adapter: AdapterChild, label: string, atS: number): Promise<ProcessReading> {
  const [mem, fds, metrics] = await Promise.all([
    procMemory(adapter.pid),
    openFds(adapter.pid),
    adapter.metrics().catch(() => undefined),
  ]);
  return {
    label,
    atS,
    rssBytes: mem.rssBytes,
    fds: fds.total,
    sockets: fds.sockets,
    heapUsedBytes: metrics === undefined ? Number.NaN : sample(metrics, 'nodejs_heap_size_used_bytes'),
    load1: os.loadavg()[0] ?? Number.NaN,
  };
}

const LEVELS: Record<string, number> = { warn: 40, error: 50, fatal: 60 };

/**
 * The adapter's warnings and errors (pino JSON, level 40 and up) among its output lines: count
 * per message, with the first one's cause, so a failure in the report comes with its reason.
 */
function logSummary(lines: readonly { line: string }[]): SoakReport['adapterLog'] {
  const byMsg = new Map<string, { count: number; level: number; first: string }>();
  for (const { line } of lines) {
    if (!line.startsWith('{')) continue;
    let entry: {
      level?: unknown;
      msg?: unknown;
      cause?: unknown;
      err?: { message?: unknown };
      error?: unknown;
    };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    // The adapter writes pino's level as its label (src/logging.ts); numbers are accepted too.
    const level = typeof entry.level === 'number' ? entry.level : (LEVELS[String(entry.level)] ?? 0);
    if (level < 40) continue;
    const msg = typeof entry.msg === 'string' ? entry.msg : '(no msg)';
    const seen = byMsg.get(msg);
    if (seen !== undefined) seen.count++;
    else {
      const cause =
        typeof entry.cause === 'string'
          ? entry.cause
          : typeof entry.err?.message === 'string'
            ? entry.err.message
            : typeof entry.error === 'string'
              ? entry.error
              : line;
      byMsg.set(msg, { count: 1, level, first: cause.slice(0, 400) });
    }
  }
  return [...byMsg].map(([msg, v]) => ({ msg, ...v }));
}

/** Sums of the adapter's own counters: answers by code, and requests it sent to Prometheus. */
async function counters(adapter: AdapterChild): Promise<{ codes: Map<string, number>; promQueries: number }> {
  const codes = new Map<string, number>();
  let promQueries = 0;
  for (const [key, v] of await adapter.metrics()) {
    if (key.startsWith('metrics_adapter_requests_total{')) {
      const code = /code="([^"]*)"/.exec(key)?.[1] ?? '?';
      codes.set(code, (codes.get(code) ?? 0) + v);
    } else if (
      key.startsWith('metrics_adapter_prometheus_requests_total{') &&
      key.includes('endpoint="query')
    ) {
      promQueries += v;
    }
  }
  return { codes, promQueries };
}

function delta(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) out.set(k, v - (a.get(k) ?? 0));
  return out;
}

/** Checks every request of every kind once: status 200 and the expected items. */
async function verifyKinds(client: BenchClient, kinds: readonly Kind[]): Promise<void> {
  for (const kind of kinds) {
    for (const p of kind.paths) {
      const res = await client.send({ method: 'GET', path: p });
      if (res.status !== 200)
        throw new Error(`${kind.id}: HTTP ${res.status} for ${p}: ${res.body.toString().slice(0, 300)}`);
      const wrong = judgeAnswer(kind, p, res.body);
      if (wrong !== undefined) throw new Error(`${kind.id}: ${p}: ${wrong}`);
    }
    log(`verified ${kind.id}: ${kind.paths.length} request(s) answered as expected`);
  }
}

/**
 * One kind alone, the adapter against the same PromQL straight to Prometheus: at concurrency 1
 * (latency; nothing to coalesce) and at the soak's concurrency (throughput; identical requests in
 * flight share one Prometheus call, so the adapter's queries per request are reported with it).
 * Sides take turns, two rounds each.
 */
async function floorPhase(
  env: BenchEnv,
  adapter: AdapterChild,
  kind: Kind,
  promql: string,
  o: Options,
  stopped: () => boolean,
): Promise<FloorSide[]> {
  const floorNext = floorRequests(promql);
  const adapterReq = { method: 'GET' as const, path: kind.paths[0] ?? '' };
  const out: FloorSide[] = [];
  for (const concurrency of [...new Set([1, o.concurrency])]) {
    const floorClient = new BenchClient(env.prom.url, concurrency);
    const adapterClient = adapter.client(concurrency);
    const sides = [
      { label: 'floor' as const, client: floorClient, next: () => ({ kind, req: floorNext() }) },
      { label: 'adapter' as const, client: adapterClient, next: () => ({ kind, req: adapterReq }) },
    ];
    const runs = new Map<string, MixResult[]>(sides.map((side) => [side.label, []]));
    let promQueries = 0;
    try {
      for (let round = 0; round < 2; round++) {
        for (const side of sides) {
          const before = side.label === 'adapter' ? (await counters(adapter)).promQueries : 0;
          runs.get(side.label)?.push(
            await runMix({
              client: side.client,
              next: side.next,
              concurrency,
              durationMs: o.floorMs / 2,
              stopped,
            }),
          );
          if (side.label === 'adapter') promQueries += (await counters(adapter)).promQueries - before;
        }
      }
    } finally {
      floorClient.close();
      adapterClient.close();
    }
    for (const { label } of sides) {
      const results = runs.get(label) ?? [];
      const tallies = results.flatMap((r) => [...r.byKind.values()]);
      const requests = tallies.reduce((n, t) => n + t.requests, 0);
      const lat = summarizeLatency(tallies.flatMap((t) => t.latenciesMs));
      const seconds = results.reduce((sum, r) => sum + r.wallMs, 0) / 1000;
      out.push({
        label,
        concurrency,
        promQueriesPerRequest: label === 'adapter' ? promQueries / Math.max(1, requests) : undefined,
        requests,
        failures: tallies.reduce((n, t) => n + t.requests - t.ok, 0),
        rps: requests / seconds,
        p50: lat.p50,
        p99: lat.p99,
      });
    }
  }
  return out;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const state: {
    env: BenchEnv | undefined;
    fleet: FakeKubeletFleet | undefined;
    fleetClosing: Promise<void> | undefined;
    interrupted: boolean;
  } = { env: undefined, fleet: undefined, fleetClosing: undefined, interrupted: false };
  // Each part closes once, whoever asks first (normal end, failure, signal, deadline); the others wait.
  const closeAll = async (): Promise<void> => {
    await state.env?.close();
    if (state.fleet !== undefined) await (state.fleetClosing ??= state.fleet.close());
  };
  // Installed before setup. During setup there is nothing to stop yet: main() sees the flag
  // once setup returns and cleans up then (child processes are also killed when this one exits).
  const onSignal = (signal: string): void => {
    if (state.interrupted) return;
    state.interrupted = true;
    log(`${signal}: stopping the load and cleaning up`);
    if (state.env !== undefined) void closeAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const totalMs = 5 * 60_000 + o.warmupMs + o.durationMs + 2 * o.floorMs + 3 * 60_000;
  const deadline = setTimeout(() => {
    log(`not finished within ${Math.round(totalMs / 60_000)} minutes: giving up`);
    void closeAll().finally(() => process.exit(1));
  }, totalMs);
  deadline.unref();
  const stopped = (): boolean => state.interrupted;

  // Data from the backfill until well after the run's end (the setup after the backfill, the
  // verification and any slowness fit in the 10 minutes of slack), so instant queries at "now"
  // always find samples.
  const horizonSeconds = Math.ceil((o.warmupMs + o.durationMs + 4 * o.floorMs) / 1000) + 600;
  const env = await setUp(log, { extraSeries: soakSeries, horizonSeconds });
  state.env = env;
  try {
    if (stopped()) return 130;
    log(`setup: simulated kubelet fleet, ${o.nodes} nodes × ${o.podsPerNode} pods`);
    const fleet = await startKubeletFleet({
      nodes: o.nodes,
      podsPerNode: o.podsPerNode,
      namespaces: FLEET_NAMESPACES,
    });
    state.fleet = fleet;
    for (const n of fleet.nodeObjects()) env.kube.upsert({ group: '', version: 'v1', resource: 'nodes' }, n);
    for (const p of fleet.podObjects()) env.kube.upsert({ group: '', version: 'v1', resource: 'pods' }, p);
    const fleetCa = path.join(env.dir, 'kubelet-ca.pem');
    const rulesFile = path.join(env.dir, 'soak-rules.yaml');
    await writeFile(fleetCa, fleet.caPem);
    await writeFile(rulesFile, soakRulesYaml());

    log(`starting the adapter${o.adapterFlags.length > 0 ? ` with ${o.adapterFlags.join(' ')}` : ''}`);
    const adapter = await env.startAdapter({
      rulesFile,
      // As deployed: series discovery re-runs every minute during the soak.
      relistInterval: '1m',
      // A preload runs global.gc() on SIGUSR2 (bench/adapter-process.ts): retained memory is read
      // after a full GC once before and once after the timed run, when no request is in flight.
      gcOnSignal: true,
      extraFlags: [
        `--kubelet-port=${fleet.port}`,
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-certificate-authority=${fleetCa}`,
        ...o.adapterFlags,
      ],
    });

    const kinds = buildKinds({ nodes: o.nodes, podsPerNode: o.podsPerNode });
    const floorKind = kinds.find((k) => k.id === FLOOR_KIND);
    const check = adapter.client(1);
    await verifyKinds(check, kinds);
    const scenario = (await buildScenarios(env.rulesFile)).find((s) => s.id === 'pods-100');
    if (o.floorMs > 0 && floorKind !== undefined && scenario !== undefined) {
      if (scenario.adapterPath !== floorKind.paths[0])
        throw new Error(`the floor's scenario ${scenario.adapterPath} is not ${String(floorKind.paths[0])}`);
      const floorCheck = new BenchClient(env.prom.url, 1);
      try {
        await verifyScenario(scenario, [{ label: 'adapter', client: check }], floorCheck, env.prom);
      } finally {
        floorCheck.close();
      }
      log(`verified the floor: the adapter sends the same PromQL (${scenario.promql.length} characters)`);
    }

    const idle = await reading(adapter, 'idle', -o.warmupMs / 1000);
    const client = adapter.client(o.concurrency);
    const common = {
      client,
      concurrency: o.concurrency,
      checkEvery: o.checkEvery,
      judge: judgeAnswer,
      stopped,
    };
    log(`warm-up: ${o.warmupMs / 1000} s at concurrency ${o.concurrency}`);
    await runMix({ ...common, next: mixer(kinds, 0x1), durationMs: o.warmupMs });
    if (stopped()) return 130;
    const gcBefore = await adapter.memory({ gc: true });

    log(`timed run: ${o.durationMs / 1000} s at concurrency ${o.concurrency}`);
    const c0 = await counters(adapter);
    const cpu0 = { adapter: await cpuMs(adapter.pid), prom: await cpuMs(env.prom.process.pid) };
    const self0 = process.cpuUsage();
    const fromLine = adapter.process.nextLineIndex();
    const t0 = performance.now();
    const mixRun = runMix({
      ...common,
      next: mixer(kinds),
      durationMs: o.durationMs,
      windowMs: o.durationMs / WINDOWS,
    });
    const samples: ProcessReading[] = [];
    for (let k = 0; k <= READINGS && !stopped(); k++) {
      const at = (k * o.durationMs) / READINGS;
      await sleep(t0 + at - performance.now());
      const r = await reading(adapter, k === 0 ? 'start' : `t=${(at / 1000).toFixed(0)}s`, at / 1000);
      samples.push(r);
      if (k % (READINGS / WINDOWS) === 0)
        log(
          `  ${(at / 1000).toFixed(0)} s: RSS ${(r.rssBytes / 2 ** 20).toFixed(1)} MiB, fds ${r.fds} (sockets ${r.sockets}), ` +
            `heap ${(r.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, load ${r.load1.toFixed(1)}`,
        );
    }
    const mix = await mixRun;
    const wallS = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const cpu = {
      adapterPct: ((await cpuMs(adapter.pid)) - cpu0.adapter) / 10 / wallS,
      prometheusPct: ((await cpuMs(env.prom.process.pid)) - cpu0.prom) / 10 / wallS,
      loadGeneratorPct: (self.user + self.system) / 1e4 / wallS,
    };
    const c1 = await counters(adapter);
    const answered = [...delta(c0.codes, c1.codes).values()].reduce((a, b) => a + b, 0);
    const adapterLog = logSummary(adapter.process.lines().filter((l) => l.index >= fromLine));
    const gcAfter = await adapter.memory({ gc: true });
    client.close();
    if (stopped()) return 130;
    // The load's keep-alive sockets are closed: what stays open is the adapter's own.
    await sleep(3_000);
    const after = await reading(adapter, 'after', wallS + 3);

    let floor: SoakReport['floor'];
    if (o.floorMs > 0 && floorKind !== undefined && scenario !== undefined) {
      log(
        `floor: ${floorKind.id} alone, ${o.floorMs / 1000} s per side at concurrency 1 and ${o.concurrency}`,
      );
      const sides = await floorPhase(env, adapter, floorKind, scenario.promql, o, stopped);
      floor = {
        kind: floorKind.id,
        title: floorKind.title,
        seconds: o.floorMs / 1000,
        sides,
      };
    }

    const report: SoakReport = {
      command: `npm run bench:soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString(),
      machine: machineInfo(env.promVersion),
      concurrency: o.concurrency,
      durationS: o.durationMs / 1000,
      warmupS: o.warmupMs / 1000,
      adapterFlags: o.adapterFlags,
      dataset:
        `${totalSeries()} custom-metric series (namespaces \`small\`, 100 pods, and \`large\`, 2 000 pods), ` +
        `${QUEUES.size} queue gauges for external metrics, CPU and memory series of the 100 \`small\` pods for resourceRules; ` +
        `a simulated kubelet fleet of ${o.nodes} nodes × ${o.podsPerNode} pods (namespaces ${FLEET_NAMESPACES.join(', ')}); ` +
        'series discovery every minute (`--metrics-relist-interval=1m`), kubelets scraped every 15 s',
      kinds: kinds.map(({ id, title, weight }) => ({ id, title, weight })),
      mix,
      samples,
      idle,
      after,
      adapterLog,
      afterGc: {
        before: { rssBytes: gcBefore.rssBytes, heapUsedBytes: gcBefore.heapUsedBytes },
        after: { rssBytes: gcAfter.rssBytes, heapUsedBytes: gcAfter.heapUsedBytes },
      },
      cpu,
      promQueriesPerRequest: (c1.promQueries - c0.promQueries) / Math.max(1, answered),
      adapterCodes: delta(c0.codes, c1.codes),
      floor,
      totalSeconds: (Date.now() - started) / 1000,
    };
    process.stdout.write(`\n${renderSoak(report)}\n`);
    if (o.out !== undefined) {
      await writeSoak(o.out, report);
      log(`wrote ${path.relative(process.cwd(), o.out)}`);
    }
    return 0;
  } finally {
    clearTimeout(deadline);
    await closeAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

/**
 * `npm run bench [-- --quick] [--no-profile] [--no-express-cost] [--no-write] [--out=FILE] [--keep-profile=FILE]`
 *
 * Benchmarks the adapter against its floor — the same PromQL sent straight to Prometheus — for the
 * HPA Pods query (100 and 2 000 pods) and an Object query, both as deployed (identical queries in
 * flight coalesced) and with `--prometheus-query-coalescing=false`; measures the adapter's
 * memory with a 20 000-series catalog and its relist time; measures what the express HTTP layer
 * costs per request (express-cost.ts); profiles where the adapter's time goes.
 * Prints a table and writes docs/benchmarks.md (not with --quick). Every figure that is compared
 * is a ratio against the floor measured in the same run. Not a test: run it by hand.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdapterChild } from './adapter-process.js';
import { PROJECT_ROOT } from './adapter-process.js';
import { totalSeries } from './dataset.js';
import { runExpressCost } from './express-cost.js';
import { measureFixedCosts } from './fixed.js';
import { BenchClient } from './http.js';
import { runBlock } from './load.js';
import { machineInfo } from './markdown.js';
import { measureScenario, type Plan, type ScenarioResult } from './measure.js';
import { runPaced, type PacedScenario } from './paced.js';
import { findProfile, monotonicUs, summarize, type Window, type WindowSummary } from './profile.js';
import { consoleTable, writeReport, type MemoryReport, type Report } from './report.js';
import {
  adapterRequests,
  buildScenarios,
  floorRequests,
  verifyScenario,
  type Scenario,
} from './scenarios.js';
import { setUp, type BenchEnv } from './setup.js';

const CONCURRENCY = 16;
/**
 * One query per request, as the floor sends: above --max-query-length (6 144 by default) the
 * adapter splits the 2 000-pod selector into parts, which is a different query plan than the
 * floor's; bench/large-selectors.ts (`npm run bench:large`) measures the split against the floor.
 */
const ONE_QUERY = ['--max-query-length=0'];
const NO_COALESCING = ['--prometheus-query-coalescing=false', ...ONE_QUERY];
const TOTAL_DEADLINE_MS = 10 * 60_000;

interface Options {
  quick: boolean;
  profile: boolean;
  expressCost: boolean;
  out: string | undefined;
  /** Copy the adapter's .cpuprofile here (open it in Chrome DevTools). */
  keepProfile: string | undefined;
  /** Run the paced (one request per 250 ms) comparison. */
  paced: boolean;
  /** Only the paced comparison (no back-to-back blocks, fixed costs or profile). */
  pacedOnly: boolean;
}

const PACED_PERIOD_MS = 250;

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false,
    profile: true,
    expressCost: true,
    out: path.join(PROJECT_ROOT, 'docs', 'benchmarks.md'),
    keepProfile: undefined,
    paced: true,
    pacedOnly: false,
  };
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--no-express-cost') o.expressCost = false;
    else if (a === '--no-write') o.out = undefined;
    else if (a === '--no-paced') o.paced = false;
    else if (a === '--paced-only') o.pacedOnly = true;
    else if (a.startsWith('--out=')) o.out = path.resolve(a.slice('--out='.length));
    else if (a.startsWith('--keep-profile=')) o.keepProfile = path.resolve(a.slice('--keep-profile='.length));
    else
      throw new Error(
        `unknown argument ${a} (known: --quick, --no-profile, --no-paced, --paced-only, --no-express-cost, --no-write, --out=FILE, --keep-profile=FILE)`,
      );
  }
  if ((o.quick || o.pacedOnly) && !argv.some((a) => a.startsWith('--out='))) o.out = undefined;
  if (o.pacedOnly) {
    o.paced = true;
    o.profile = false;
    o.expressCost = false;
  }
  return o;
}

/** Request counts per scenario: the 2 000-pod query is ~10× as expensive on both sides. */
function planFor(s: Scenario, quick: boolean): Plan {
  const heavy = s.id === 'pods-2000';
  const scale = quick ? 0.2 : 1;
  const n = (x: number): number => Math.max(5, Math.round(x * scale));
  return {
    rounds: quick ? 2 : 4,
    warmupLatency: n(heavy ? 40 : 200),
    latencyPerRound: n(heavy ? 60 : 250),
    warmupThroughput: n(heavy ? 60 : 300),
    throughputPerRound: n(heavy ? 150 : 1_000),
    concurrency: CONCURRENCY,
  };
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
}

async function memoryAndRelists(env: BenchEnv): Promise<{ adapter: AdapterChild; memory: MemoryReport }> {
  log('memory: adapter with rules that match no series (baseline)');
  const empty = await env.startAdapter({ rulesFile: env.emptyRulesFile, gcOnSignal: true });
  const baseline = {
    label: 'no series (rules match nothing), after start',
    found: await empty.memory(),
    gc: await empty.memory({ gc: true }),
  };
  await empty.stop();

  log(`memory: adapter with ${totalSeries()} series, 3 full relists`);
  const t0 = Date.now();
  const adapter = await env.startAdapter({ gcOnSignal: true, extraFlags: ONE_QUERY });
  const startToReadyMs = Date.now() - t0;
  const relists = [];
  for (let i = 0; i < 3; i++) relists.push(await adapter.relist());
  const afterRelist = {
    label: `${totalSeries()} series, after start + 3 full relists`,
    found: await adapter.memory(),
    gc: await adapter.memory({ gc: true }),
  };
  return {
    adapter,
    memory: { series: totalSeries(), readings: [baseline, afterRelist], startToReadyMs, relists },
  };
}

async function profileRun(
  env: BenchEnv,
  scenarios: Scenario[],
  quick: boolean,
  keep: string | undefined,
): Promise<WindowSummary[]> {
  const dir = path.join(env.dir, 'cpu-profile');
  // Coalescing off, so every request pays for its own Prometheus call: the full per-request path.
  log('profile: adapter (no coalescing) under node --cpu-prof, load at concurrency 16 per scenario');
  const adapter = await env.startAdapter({ cpuProfDir: dir, extraFlags: NO_COALESCING });
  const windows: Window[] = [];
  const client = adapter.client(CONCURRENCY);
  try {
    for (const s of scenarios) {
      const heavy = s.id === 'pods-2000';
      const requests = Math.round((heavy ? 150 : 1_000) * (quick ? 0.3 : 1));
      await runBlock(client, adapterRequests(s), {
        requests: Math.round(requests / 4),
        concurrency: CONCURRENCY,
      });
      const startUs = monotonicUs();
      await runBlock(client, adapterRequests(s), { requests, concurrency: CONCURRENCY });
      windows.push({ label: s.id, startUs, endUs: monotonicUs(), requests });
    }
  } finally {
    await adapter.stop();
  }
  const file = await findProfile(dir);
  if (keep !== undefined) {
    await copyFile(file, keep);
    log(`kept the CPU profile as ${keep}`);
  }
  return summarize(file, env.buildDir, windows);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  // Installed before setup, so an interrupted setup still ends with a full cleanup.
  const state: { env: BenchEnv | undefined; interrupted: boolean } = { env: undefined, interrupted: false };
  const onSignal = (signal: string): void => {
    if (state.interrupted) return;
    state.interrupted = true;
    log(`${signal}: cleaning up`);
    if (state.env !== undefined) void state.env.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const deadline = setTimeout(() => {
    log(`not finished within ${TOTAL_DEADLINE_MS / 60_000} minutes: giving up`);
    void (state.env?.close() ?? Promise.resolve()).finally(() => process.exit(1));
  }, TOTAL_DEADLINE_MS);
  deadline.unref();

  const env = await setUp(log);
  state.env = env;
  if (state.interrupted) {
    await env.close();
    return 130;
  }

  const floorClients: BenchClient[] = [];
  try {
    const scenarios = await buildScenarios(env.rulesFile);
    const { adapter, memory } = await memoryAndRelists(env);
    log('starting a second adapter with --prometheus-query-coalescing=false');
    const noCoalescing = await env.startAdapter({ extraFlags: NO_COALESCING });

    const floor = { c1: new BenchClient(env.prom.url, 1), cN: new BenchClient(env.prom.url, CONCURRENCY) };
    floorClients.push(floor.c1, floor.cN);
    const clients = {
      floor,
      adapter: { c1: adapter.client(1), cN: adapter.client(CONCURRENCY) },
      noCoalescing: { c1: noCoalescing.client(1), cN: noCoalescing.client(CONCURRENCY) },
    };
    const verifyWith = [
      { label: 'adapter', client: clients.adapter.c1 },
      { label: 'adapter (no coalescing)', client: clients.noCoalescing.c1 },
    ];
    for (const s of scenarios) {
      await verifyScenario(s, verifyWith, floor.c1, env.prom);
      log(
        `verified ${s.id}: both adapters send the floor's PromQL (${s.promql.length} characters), same values`,
      );
    }

    const paced: PacedScenario[] = [];
    if (options.paced) {
      for (const s of scenarios) {
        log(`paced: ${s.title}, one request per ${PACED_PERIOD_MS} ms per side`);
        const heavy = s.id === 'pods-2000';
        const sides = await runPaced(
          [
            { label: 'floor', client: floor.c1, next: floorRequests(s.promql) },
            { label: 'adapter', client: clients.adapter.c1, next: adapterRequests(s), adapter },
            {
              label: 'adapter (no coalescing)',
              client: clients.noCoalescing.c1,
              next: adapterRequests(s),
              adapter: noCoalescing,
            },
          ],
          {
            periodMs: PACED_PERIOD_MS,
            warmup: options.quick ? 4 : 10,
            requestsPerSide: Math.round((heavy ? 80 : 160) * (options.quick ? 0.25 : 1)),
          },
        );
        for (const side of sides)
          log(`  ${s.id} paced ${side.label.padEnd(23)}: median ${side.medianMs.toFixed(2)} ms`);
        paced.push({ scenario: s.id, title: s.title, periodMs: PACED_PERIOD_MS, sides });
      }
    }

    log('fixed cost of one exchange: Prometheus over HTTP, the adapter over HTTPS');
    const fixedCosts = options.pacedOnly
      ? []
      : await measureFixedCosts(floor.c1, clients.adapter.c1, {
          rounds: options.quick ? 2 : 4,
          perRound: options.quick ? 100 : 300,
        });

    const sarsBefore = env.kube.sarLog.length;
    const loadStarted = Date.now();
    const results: ScenarioResult[] = [];
    for (const s of options.pacedOnly ? [] : scenarios) {
      log(`measuring ${s.title}`);
      results.push(
        await measureScenario(
          s,
          planFor(s, options.quick),
          clients,
          { adapter, noCoalescing },
          env.prom.process.pid,
          log,
        ),
      );
    }
    const sars = env.kube.sarLog.length - sarsBefore;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    memory.readings.push({
      label: 'same process after all load runs',
      found: await adapter.memory(),
      gc: await adapter.memory({ gc: true }),
    });
    await adapter.stop();
    await noCoalescing.stop();

    const expressCost = options.expressCost ? await runExpressCost(options.quick, log) : undefined;

    const profile = options.profile
      ? await profileRun(env, scenarios, options.quick, options.keepProfile)
      : undefined;

    const report: Report = {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString(),
      machine: machineInfo(env.promVersion),
      results,
      paced,
      fixedCosts,
      memory,
      sars,
      loadSeconds,
      setupSeconds: env.timings,
      totalSeconds: (Date.now() - started) / 1000,
      profile,
      expressCost,
    };
    process.stdout.write(`\n${consoleTable(report)}\n`);
    if (options.out !== undefined) {
      await writeReport(options.out, report);
      log(`wrote ${path.relative(process.cwd(), options.out)}`);
    }
    return 0;
  } finally {
    clearTimeout(deadline);
    for (const c of floorClients) c.close();
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

/**
 * `npm run bench:large -- [--quick] [--profile] [--keep-profile=FILE] [--out=FILE] [--compare-with=REV] [--adapter-flags="…"]`
 *
 * The HPA Pods request over a label selector that matches 5 000 pods (245 000 series besides the
 * standard data set, bench/large-dataset.ts), the adapter against its floor: the whole request
 * sent to Prometheus as ONE query (the PromQL the adapter would send without a length limit).
 * The adapter runs with its defaults, so above --max-query-length (6 144) it splits the request
 * into parts and merges their samples. Two diagnostic sides say where the difference goes: the
 * adapter's own parts sent straight to Prometheus at the adapter's split concurrency (Prometheus's
 * share of the split), and an adapter started with `--max-query-length=0` (one query, no split).
 *
 * Before anything is timed: every answer must carry the 5 000 known values, Prometheus's query log
 * must show the floor and the no-split adapter sending exactly the rendered whole query and the
 * adapter sending parts each within the limit, together naming every pod once.
 * Then back to back (concurrency 1) in interleaved rounds whose side order rotates, and paced (one
 * request per period per side, sides in turn). Medians; the adapter's Prometheus queries per
 * request from its own counters; the machine's load average. `--profile` adds a CPU profile of a
 * separate adapter process serving the request back to back.
 * Prints a Markdown report (and writes it with --out). Not a test: run it by hand.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRules, renderObjectQuery } from '../src/rules/index.js';
import { buildAdapter, type AdapterChild } from './adapter-process.js';
import { BenchClient, type PreparedRequest } from './http.js';
import {
  XL_APP,
  XL_METRIC,
  XL_NAMESPACE,
  gaugeValue,
  xlPodNames,
  xlRulesYaml,
  xlSeries,
} from './large-dataset.js';
import { median, percentile, runBlock } from './load.js';
import { machineInfo, table } from './markdown.js';
import { runPaced } from './paced.js';
import { cpuMs, sample } from './procstat.js';
import { findProfile, monotonicUs, summarize, type WindowSummary } from './profile.js';
import { captureQueries } from './querylog.js';
import { floorRequests, parseQuantity } from './scenarios.js';
import { setUp, type BenchEnv } from './setup.js';

const TOTAL_DEADLINE_MS = 25 * 60_000;
/** The adapter's defaults (docs/configuration.md): --max-query-length and the split's concurrency. */
const MAX_QUERY_LENGTH = 6_144;
const SPLIT_CONCURRENCY = 4;

interface Options {
  quick: boolean;
  profile: boolean;
  out: string | undefined;
  /** Extra flags for the adapter side (not the no-split one), e.g. to try other limits. */
  adapterFlags: string[];
  /** A git revision whose adapter runs as one more side (the same flags as "adapter"). */
  compareWith: string | undefined;
  /** Copy the profile (--profile) here, for Chrome DevTools. */
  keepProfile: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false,
    profile: false,
    out: undefined,
    adapterFlags: [],
    compareWith: undefined,
    keepProfile: undefined,
  };
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--profile') o.profile = true;
    else if (a.startsWith('--out=')) o.out = path.resolve(a.slice('--out='.length));
    else if (a.startsWith('--keep-profile=')) {
      o.keepProfile = path.resolve(a.slice('--keep-profile='.length));
      o.profile = true;
    } else if (a.startsWith('--compare-with=')) o.compareWith = a.slice('--compare-with='.length);
    else if (a.startsWith('--adapter-flags='))
      o.adapterFlags = a
        .slice('--adapter-flags='.length)
        .split(/\s+/)
        .filter((f) => f !== '');
    else
      throw new Error(
        `unknown argument ${a} (known: --quick, --profile, --out=FILE, --keep-profile=FILE, --compare-with=REV, --adapter-flags="…")`,
      );
  }
  return o;
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[large ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
}

type SideId = 'floor' | 'parts' | 'adapter' | 'base' | 'noSplit';
const LABELS: Record<SideId, string> = {
  floor: 'floor: one query straight to Prometheus',
  parts: `the adapter's parts straight to Prometheus (${SPLIT_CONCURRENCY} at a time)`,
  adapter: 'adapter (defaults: split)',
  base: 'adapter at --compare-with (defaults: split)',
  noSplit: 'adapter --max-query-length=0 (one query)',
};

/** Round r's side order: the list rotated by r, reversed every other round. */
function orderOf(ids: readonly SideId[], round: number): SideId[] {
  const k = Math.floor(round / 2) % ids.length;
  const rotated = [...ids.slice(k), ...ids.slice(0, k)];
  return round % 2 === 0 ? rotated : rotated.reverse();
}

/** Sends every part, at most `limit` at a time, as one "request" of the parts side. */
class PartsClient {
  readonly client: BenchClient;
  constructor(
    url: string,
    private readonly parts: readonly PreparedRequest[],
    private readonly limit: number,
  ) {
    this.client = new BenchClient(url, limit);
  }
  async sendAll(): Promise<number> {
    let next = 0;
    let bytes = 0;
    const worker = async (): Promise<void> => {
      while (next < this.parts.length) {
        const p = this.parts[next++] as PreparedRequest;
        const res = await this.client.send(p);
        if (res.status !== 200)
          throw new Error(`part: HTTP ${res.status}: ${res.body.toString().slice(0, 200)}`);
        bytes += res.body.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limit, this.parts.length) }, worker));
    return bytes;
  }
}

interface Side {
  id: SideId;
  /** One request of the side; resolves with the answer's bytes. */
  once(): Promise<number>;
  adapter?: AdapterChild;
}

const REQ_COUNT = 'metrics_adapter_request_duration_seconds_count{route="custom-metrics"}';
const QUERY_COUNT = 'metrics_adapter_prometheus_request_duration_seconds_count{endpoint="query"}';

async function queryCounters(a: AdapterChild | undefined): Promise<[number, number]> {
  if (a === undefined) return [0, 0];
  const m = await a.metrics();
  return [sample(m, REQ_COUNT), sample(m, QUERY_COUNT)];
}

interface SideResult {
  id: SideId;
  latencies: number[];
  /** Medians of each quarter of the back-to-back requests, in order. */
  roundMedians: number[];
  /** CPU over the back-to-back requests (divide by their count). */
  adapterCpuMs: number;
  prometheusCpuMs: number;
  bytes: number;
  paced: number[];
  queriesPerRequest?: number;
}

async function timedOnce(side: Side): Promise<[number, number]> {
  const t0 = process.hrtime.bigint();
  const bytes = await side.once();
  return [Number(process.hrtime.bigint() - t0) / 1e6, bytes];
}

/**
 * Back to back at concurrency 1, interleaved finely: each round sends `perRound` requests per
 * side, the sides in a rotating order, so a busy spell of the shared machine hits every side alike
 * (blocks of many requests per side made the medians depend on what else ran meanwhile). Records
 * the CPU time the adapter process and Prometheus spent per request of each side.
 */
async function backToBack(
  sides: readonly Side[],
  o: { rounds: number; perRound: number; warmup: number; prometheusPid: number },
  results: Map<SideId, SideResult>,
): Promise<void> {
  for (const s of sides) for (let i = 0; i < o.warmup; i++) await s.once();
  const deadline = Date.now() + 10 * 60_000;
  const counters = new Map<SideId, [number, number]>();
  for (const s of sides) counters.set(s.id, await queryCounters(s.adapter));
  for (let round = 0; round < o.rounds; round++) {
    for (const id of orderOf(
      sides.map((x) => x.id),
      round,
    )) {
      const s = sides.find((x) => x.id === id);
      if (s === undefined) continue;
      const r = results.get(id) as SideResult;
      const cpu0 = await Promise.all([
        s.adapter === undefined ? 0 : cpuMs(s.adapter.pid),
        cpuMs(o.prometheusPid),
      ]);
      for (let i = 0; i < o.perRound; i++) {
        if (Date.now() > deadline) throw new Error('back-to-back rounds not finished within 10 minutes');
        const [ms, bytes] = await timedOnce(s);
        r.latencies.push(ms);
        r.bytes = bytes;
      }
      const cpu1 = await Promise.all([
        s.adapter === undefined ? 0 : cpuMs(s.adapter.pid),
        cpuMs(o.prometheusPid),
      ]);
      r.adapterCpuMs += cpu1[0] - cpu0[0];
      r.prometheusCpuMs += cpu1[1] - cpu0[1];
    }
    if ((round + 1) % Math.max(1, Math.floor(o.rounds / 4)) === 0)
      log(
        `  round ${round + 1}/${o.rounds}: ` +
          [...results.values()].map((r) => `${r.id} ${median(r.latencies).toFixed(1)} ms`).join(', '),
      );
  }
  for (const s of sides) {
    if (s.adapter === undefined) continue;
    const before = counters.get(s.id) ?? [0, 0];
    const after = await queryCounters(s.adapter);
    (results.get(s.id) as SideResult).queriesPerRequest = (after[1] - before[1]) / (after[0] - before[0]);
  }
  for (const r of results.values()) {
    const q = Math.max(1, Math.floor(r.latencies.length / 4));
    r.roundMedians = [0, 1, 2, 3].map((k) =>
      median(r.latencies.slice(k * q, k === 3 ? undefined : (k + 1) * q)),
    );
  }
}

function expectedValues(pods: readonly string[]): Map<string, number> {
  return new Map(pods.map((p, i) => [p, gaugeValue(i, 1)]));
}

function assertValues(what: string, got: Map<string, number>, want: Map<string, number>): void {
  assert.equal(got.size, want.size, `${what}: ${got.size} objects, expected ${want.size}`);
  for (const [name, v] of want) assert.equal(got.get(name), v, `${what}: ${name}`);
}

interface AdapterList {
  items?: { describedObject?: { name?: string }; value?: string }[];
}
interface PromAnswer {
  data?: { result?: { metric?: Record<string, string>; value?: [number, string] }[] };
}

function adapterValues(body: Buffer): Map<string, number> {
  const list = JSON.parse(body.toString()) as AdapterList;
  return new Map(
    (list.items ?? []).map((i) => [i.describedObject?.name ?? '', parseQuantity(i.value ?? '')]),
  );
}

function promValues(bodies: readonly Buffer[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of bodies)
    for (const r of (JSON.parse(b.toString()) as PromAnswer).data?.result ?? [])
      out.set(r.metric?.pod ?? '', Number(r.value?.[1]));
  return out;
}

/** Names inside a `pod=~"…"` or `pod="…"` matcher of one logged query. */
function podsOf(query: string): string[] {
  const m = /pod=~?"([^"]*)"/.exec(query);
  return m === null ? [] : (m[1] ?? '').split('|');
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const state: { env: BenchEnv | undefined } = { env: undefined };
  const onSignal = (signal: string): void => {
    log(`${signal}: cleaning up`);
    void (state.env?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const deadline = setTimeout(() => {
    log(`not finished within ${TOTAL_DEADLINE_MS / 60_000} minutes: giving up`);
    void (state.env?.close() ?? Promise.resolve()).finally(() => process.exit(1));
  }, TOTAL_DEADLINE_MS);
  deadline.unref();

  const loadBefore = os.loadavg();
  const env = await setUp(log, { extraSeries: xlSeries, horizonSeconds: 1_800 });
  state.env = env;
  const closers: (() => void | Promise<void>)[] = [];
  try {
    let baseMainJs: string | undefined;
    if (options.compareWith !== undefined) {
      log(`building the adapter at ${options.compareWith}`);
      const base = await buildAdapter({ rev: options.compareWith });
      closers.push(() => base.remove());
      baseMainJs = base.mainJs;
    }
    const pods = xlPodNames();
    env.kube.setPods(
      XL_NAMESPACE,
      pods.map((name) => ({ name, labels: { app: XL_APP } })),
    );
    const rulesFile = path.join(env.dir, 'rules-xl.yaml');
    await writeFile(rulesFile, xlRulesYaml());
    const { rules } = await loadRules(rulesFile);
    const rule = rules.custom[0];
    if (rule === undefined) throw new Error('no custom rule');
    const sorted = [...pods].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const whole = renderObjectQuery(rule, {
      seriesName: XL_METRIC,
      resourceLabel: 'pod',
      names: sorted,
      namespace: { label: 'namespace', value: XL_NAMESPACE },
      metricSelector: [],
    });
    const adapterPath = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${XL_NAMESPACE}/pods/%2A/${XL_METRIC}?labelSelector=app%3D${XL_APP}`;
    const adapterRequest: PreparedRequest = { method: 'GET', path: adapterPath };

    log('starting the adapter (defaults) and one with --max-query-length=0');
    const adapter = await env.startAdapter({ rulesFile, extraFlags: options.adapterFlags });
    const noSplit = await env.startAdapter({ rulesFile, extraFlags: ['--max-query-length=0'] });
    const floorClient = new BenchClient(env.prom.url, 1);
    closers.push(() => floorClient.close());
    const baseAdapter =
      baseMainJs === undefined
        ? undefined
        : await env.startAdapter({ rulesFile, extraFlags: options.adapterFlags, mainJs: baseMainJs });
    const aClient = adapter.client(1);
    const nClient = noSplit.client(1);

    // Checks: values, and what reaches Prometheus.
    const want = expectedValues(pods);
    let adapterBody: Buffer = Buffer.alloc(0);
    const logged = await captureQueries(env.prom, async () => {
      const a = await aClient.send(adapterRequest);
      assert.equal(a.status, 200, a.body.toString().slice(0, 300));
      assertValues('adapter', adapterValues(a.body), want);
      adapterBody = a.body;
    });
    const parts = logged;
    assert.ok(parts.length >= 1, 'the adapter sent no query');
    for (const q of parts) assert.ok(q.length <= MAX_QUERY_LENGTH, `a part of ${q.length} characters`);
    const named = parts.flatMap(podsOf).sort();
    assert.deepEqual(named, sorted, "the adapter's parts do not name every pod exactly once");
    const loggedNoSplit = await captureQueries(env.prom, async () => {
      const n = await nClient.send(adapterRequest);
      assert.equal(n.status, 200);
      assertValues('adapter (no split)', adapterValues(n.body), want);
      // Same data, same evaluation second or not: compare everything but the timestamps.
      const strip = (b: Buffer): string => b.toString().replace(/"timestamp":"[^"]*"/g, '');
      assert.equal(strip(n.body), strip(adapterBody), 'split and unsplit answers differ');
      const f = await floorClient.send(floorRequests(whole)());
      assert.equal(f.status, 200);
      assertValues('floor', promValues([f.body]), want);
    });
    assert.deepEqual(loggedNoSplit, [whole, whole], 'the no-split adapter or the floor sent other PromQL');
    const partRequests = parts.map((q) => floorRequests(q)());
    const partsClient = new PartsClient(env.prom.url, partRequests, SPLIT_CONCURRENCY);
    closers.push(() => partsClient.client.close());
    log(
      `verified: ${pods.length} values on every side; floor ${whole.length} characters; ` +
        `adapter ${parts.length} parts of ${Math.min(...parts.map((p) => p.length))}–${Math.max(...parts.map((p) => p.length))} characters`,
    );

    const send = async (c: BenchClient, req: PreparedRequest): Promise<number> => {
      const res = await c.send(req, 30_000);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString().slice(0, 200)}`);
      return res.body.length;
    };
    const floorReq = floorRequests(whole)();
    const sides: Side[] = [
      { id: 'floor', once: () => send(floorClient, floorReq) },
      { id: 'parts', once: () => partsClient.sendAll() },
      { id: 'adapter', once: () => send(aClient, adapterRequest), adapter },
      { id: 'noSplit', once: () => send(nClient, adapterRequest), adapter: noSplit },
    ];
    if (baseAdapter !== undefined) {
      const bClient = baseAdapter.client(1);
      const b = await bClient.send(adapterRequest);
      assert.equal(b.status, 200);
      const strip = (x: Buffer): string => x.toString().replace(/"timestamp":"[^"]*"/g, '');
      assert.equal(
        strip(b.body),
        strip(adapterBody),
        `the adapter at ${options.compareWith} answers differently`,
      );
      sides.splice(3, 0, { id: 'base', once: () => send(bClient, adapterRequest), adapter: baseAdapter });
      LABELS.base = `adapter at ${options.compareWith} (defaults: split)`;
    }
    const results = new Map<SideId, SideResult>(
      sides.map((s) => [
        s.id,
        {
          id: s.id,
          latencies: [],
          roundMedians: [],
          adapterCpuMs: 0,
          prometheusCpuMs: 0,
          bytes: 0,
          paced: [],
        },
      ]),
    );
    const loadDuring: number[] = [os.loadavg()[0] ?? 0];
    log('back to back (concurrency 1), interleaved rounds');
    await backToBack(
      sides,
      {
        rounds: options.quick ? 8 : 40,
        perRound: 2,
        warmup: options.quick ? 2 : 5,
        prometheusPid: env.prom.process.pid,
      },
      results,
    );
    loadDuring.push(os.loadavg()[0] ?? 0);

    const periodMs = 1_500;
    log(`paced: one request per ${periodMs} ms per side, sides in turn`);
    const paced = await runPaced(
      sides.map((s) => ({
        label: s.id,
        // One paced "request" of a side is its once() (several Prometheus calls for the parts).
        client: {
          send: async () => {
            await s.once();
            return { status: 200, headers: {}, body: Buffer.alloc(0) };
          },
        },
        next: () => adapterRequest,
      })),
      { periodMs, warmup: options.quick ? 2 : 4, requestsPerSide: options.quick ? 8 : 30 },
    );
    for (const p of paced) (results.get(p.label as SideId) as SideResult).paced = p.latenciesMs;
    loadDuring.push(os.loadavg()[0] ?? 0);

    let profile: WindowSummary | undefined;
    if (options.profile) {
      const dir = path.join(env.dir, 'cpu-profile');
      log('profile: a third adapter (defaults) under node --cpu-prof, 40 requests back to back');
      const p = await env.startAdapter({ rulesFile, cpuProfDir: dir, extraFlags: options.adapterFlags });
      const pc = p.client(1);
      try {
        await runBlock(pc, () => adapterRequest, { requests: 10, concurrency: 1 });
        const startUs = monotonicUs();
        await runBlock(pc, () => adapterRequest, { requests: 40, concurrency: 1 });
        const endUs = monotonicUs();
        await p.stop();
        const file = await findProfile(dir);
        if (options.keepProfile !== undefined) await copyFile(file, options.keepProfile);
        [profile] = await summarize(file, env.buildDir, [
          { label: 'pods-5000', startUs, endUs, requests: 40 },
        ]);
      } finally {
        await p.stop();
      }
    }

    const report = render({
      options,
      machine: machineInfo(env.promVersion),
      loadBefore: loadBefore[0] ?? 0,
      loadDuring,
      results,
      parts: parts.map((p) => p.length),
      wholeLength: whole.length,
      profile,
    });
    process.stdout.write(`\n${report}\n`);
    if (options.out !== undefined) {
      await writeFile(options.out, report);
      log(`wrote ${options.out}`);
    }
    return 0;
  } finally {
    clearTimeout(deadline);
    await env.close();
    for (const c of closers.reverse()) await c();
  }
}

function render(r: {
  options: Options;
  machine: ReturnType<typeof machineInfo>;
  loadBefore: number;
  loadDuring: number[];
  results: Map<SideId, SideResult>;
  parts: number[];
  wholeLength: number;
  profile: WindowSummary | undefined;
}): string {
  const m = r.machine;
  const floor = r.results.get('floor') as SideResult;
  const floorB2b = median(floor.latencies);
  const floorPaced = median(floor.paced);
  const rows = [...r.results.values()].map((s) => {
    const b2b = median(s.latencies);
    const paced = median(s.paced);
    return [
      LABELS[s.id],
      s.queriesPerRequest === undefined
        ? s.id === 'parts'
          ? String(r.parts.length)
          : '1'
        : s.queriesPerRequest.toFixed(2),
      b2b.toFixed(1),
      percentile(s.latencies, 90).toFixed(1),
      s.roundMedians.map((x) => x.toFixed(0)).join(' / '),
      s.id === 'floor' ? '' : `${(b2b / floorB2b).toFixed(2)}×`,
      paced.toFixed(1),
      s.id === 'floor' ? '' : `${(paced / floorPaced).toFixed(2)}×`,
      s.id === 'adapter' || s.id === 'base' || s.id === 'noSplit'
        ? (s.adapterCpuMs / s.latencies.length).toFixed(1)
        : '',
      (s.prometheusCpuMs / s.latencies.length).toFixed(1),
      s.bytes > 0 ? `${(s.bytes / 1024).toFixed(0)} KiB` : '',
    ];
  });
  const lines = [
    `- Command: \`node --import tsx bench/large-selectors.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}\``,
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${m.nproc} CPUs, ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}; Node ${m.node}; Prometheus ${m.prometheus}; load average (1 min) ${r.loadBefore.toFixed(1)} before, ${r.loadDuring.map((x) => x.toFixed(1)).join(' → ')} during`,
    `- Request: HPA Pods, labelSelector matching 5 000 pods, one gauge; 245 000 series of namespace \`${XL_NAMESPACE}\` + 20 100 others`,
    `- PromQL: whole query ${r.wholeLength} characters; the adapter's ${r.parts.length} parts ${Math.min(...r.parts)}–${Math.max(...r.parts)} characters (limit ${MAX_QUERY_LENGTH})`,
    '',
    table(
      [
        'side',
        'Prometheus queries per request',
        'back to back p50 ms',
        'p90 ms',
        'quarter medians',
        'p50 ratio',
        'paced p50 ms',
        'paced ratio',
        'adapter CPU ms per request',
        'Prometheus CPU ms per request',
        'answer',
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  ];
  if (r.profile !== undefined) {
    const p = r.profile;
    const per = (ms: number): string => (ms / p.requests).toFixed(2);
    lines.push(
      '',
      `CPU profile of a separate adapter, ${p.requests} requests back to back: busy ${per(p.busyMs)} ms per request of ${per(p.wallMs)} ms wall.`,
      '',
      table(
        ['area', 'ms per request'],
        p.areas
          .filter((a) => a.area !== '(idle)')
          .slice(0, 12)
          .map((a) => [a.area, per(a.ms)]),
        ['l', 'r'],
      ),
      '',
      table(
        ['step (inclusive)', 'ms per request'],
        p.steps.map((s) => [s.step, per(s.ms)]),
        ['l', 'r'],
      ),
      '',
      table(
        ['function (self)', 'where', 'ms per request'],
        p.functions.map((f) => [`\`${f.fn}\``, f.where, per(f.ms)]),
        ['l', 'l', 'r'],
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

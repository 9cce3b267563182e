/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests, plus OpenMetrics backfilling with
 * promtool.
 *
 * startPrometheus() writes a prometheus.yml with one job `exporter` (honor_labels: true) scraping
 * the given host:port targets, starts Prometheus on 127.0.0.1:<free port> with a temporary TSDB
 * and waits for /-/ready.
 *
 * Backfilling (backfillOpenMetrics): promtool writes finished TSDB blocks into a data directory;
 * Prometheus only loads blocks when it opens the TSDB (its periodic reload happens about once a
 * minute), so backfill BEFORE startPrometheus({ dataDir }) or call restart() afterwards.
 * To have the data answer instant queries at "now", the newest sample must lie within the query
 * lookback window (default --query.lookback-delta=5m) and in the past: backfillTimestamps()
 * produces one sample every 15 s over the last ~50 minutes ending 60 s ago, which an instant query
 * at now returns with the default lookback. Samples in the future are rejected by nothing but are
 * invisible to "now" queries; samples older than the retention (1d here) are deleted on load.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { escapeLabelValue, formatSampleValue, type Labels } from './exporter.js';
import { freePort, LOOPBACK } from './ports.js';
import { findExecutable, runProcess, startProcess, type ManagedProcess } from './process.js';
import { makeTempDir, type TempDir } from './temp.js';

export interface StartPrometheusOptions {
  /** host:port targets of the `exporter` job. */
  scrapeTargets?: string[];
  /** Default 1. Also used as scrape timeout and rule evaluation interval. */
  scrapeIntervalSeconds?: number;
  /** TSDB directory; default a fresh temporary one (removed by stop(); a given one is kept). */
  dataDir?: string;
  extraArgs?: string[];
  /** Default: a free port. */
  port?: number;
  /** Readiness deadline; default 30 000 ms. */
  startTimeoutMs?: number;
  /** Echo Prometheus's log lines to stderr. */
  echo?: boolean;
}

export interface VectorSample {
  metric: Record<string, string>;
  /** Seconds since the epoch, as Prometheus reports it. */
  timestamp: number;
  /** Parsed from the string Prometheus sends (so NaN/+Inf/-Inf survive). */
  value: number;
}

export interface PrometheusQueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

export interface PrometheusInstance {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly configFile: string;
  /** The running process (changes on restart()). */
  readonly process: ManagedProcess;
  /** SIGTERM, SIGKILL after 5 s; removes the temporary config and (own) data directory. */
  stop(): Promise<void>;
  /** Stops and starts again on the same port and data directory, waiting for readiness. */
  restart(): Promise<void>;
  /** Rewrites the `exporter` job's targets and POSTs /-/reload. */
  setScrapeTargets(targets: string[]): Promise<void>;
  /** Polls /api/v1/series until the selector matches at least one series (default 20 000 ms). */
  waitForSeries(selector: string, timeoutMs?: number): Promise<void>;
  /** Instant query at `time` (default: now); returns the API's `data`. */
  query(promql: string, time?: Date): Promise<PrometheusQueryData>;
  /** Instant query that must yield a vector; its samples with numeric values. */
  queryVector(promql: string, time?: Date): Promise<VectorSample[]>;
  /** Polls queryVector until `accept` (default: non-empty) holds; default 20 000 ms. */
  waitForQuery(
    promql: string,
    opts?: { timeoutMs?: number; accept?: (samples: VectorSample[]) => boolean },
  ): Promise<VectorSample[]>;
}

const NOT_FOUND_MESSAGE =
  "prometheus not found on PATH: install Debian's prometheus package (apt-get install -y prometheus)";

async function prometheusBinary(name: 'prometheus' | 'promtool'): Promise<string> {
  const found = await findExecutable(name, [`/usr/bin/${name}`]);
  if (found === undefined) {
    throw new Error(
      name === 'prometheus' ? NOT_FOUND_MESSAGE : NOT_FOUND_MESSAGE.replace('prometheus not', 'promtool not'),
    );
  }
  return found;
}

function duration(seconds: number): string {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new Error(`invalid interval ${seconds}s`);
  return `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function renderConfig(targets: readonly string[], intervalSeconds: number): string {
  for (const t of targets) {
    if (!/^[^\s/]+:\d+$/.test(t))
      throw new Error(`scrape target must be host:port, got ${JSON.stringify(t)}`);
  }
  const interval = duration(intervalSeconds);
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'exporter',
        honor_labels: true,
        scrape_interval: interval,
        scrape_timeout: interval,
        static_configs: [{ targets: [...targets] }],
      },
    ],
  });
}

async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface ApiEnvelope {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
}

async function apiGet(base: string, pathAndQuery: string): Promise<unknown> {
  const res = await fetchWithTimeout(`${base}${pathAndQuery}`, {}, 10_000);
  const text = await res.text();
  let body: ApiEnvelope;
  try {
    body = JSON.parse(text) as ApiEnvelope;
  } catch {
    throw new Error(`Prometheus ${pathAndQuery}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (body.status !== 'success') {
    throw new Error(
      `Prometheus ${pathAndQuery}: HTTP ${res.status} ${body.errorType ?? 'error'}: ${body.error ?? text.slice(0, 300)}`,
    );
  }
  return body.data;
}

/** Prometheus sends sample values as strings: "1.5", "NaN", "+Inf", "-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function toVector(data: PrometheusQueryData, promql: string): VectorSample[] {
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new Error(`query ${promql} returned ${data.resultType}, not a vector`);
  }
  return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
    metric: s.metric,
    timestamp: s.value[0],
    value: parseSampleValue(s.value[1]),
  }));
}

export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<PrometheusInstance> {
  const binary = await prometheusBinary('prometheus');
  const intervalSeconds = opts.scrapeIntervalSeconds ?? 1;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const configDir = await makeTempDir('prometheus-config');
  let ownData: TempDir | undefined;
  try {
    const configFile = path.join(configDir.path, 'prometheus.yml');
    let targets = [...(opts.scrapeTargets ?? [])];
    await writeFile(configFile, renderConfig(targets, intervalSeconds));
    let dataDir: string;
    if (opts.dataDir === undefined) {
      ownData = await makeTempDir('prometheus-data');
      dataDir = ownData.path;
    } else {
      dataDir = opts.dataDir;
      await mkdir(dataDir, { recursive: true });
    }

    const launch = async (port: number): Promise<ManagedProcess> => {
      const args = [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        '--storage.tsdb.retention.time=1d',
        `--web.listen-address=${LOOPBACK}:${port}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
        ...(opts.extraArgs ?? []),
      ];
      const proc = await startProcess(binary, args, { name: `prometheus:${port}`, echo: opts.echo ?? false });
      const base = `http://${LOOPBACK}:${port}`;
      const deadline = Date.now() + startTimeoutMs;
      let lastProblem = 'no answer yet';
      while (Date.now() < deadline) {
        if (proc.exit) {
          throw new Error(
            `prometheus exited during startup (code ${String(proc.exit.code)}, signal ${String(proc.exit.signal)}); stderr tail:\n${proc.tail(30, 'stderr')}`,
          );
        }
        try {
          const res = await fetchWithTimeout(`${base}/-/ready`, {}, 1_000);
          await res.arrayBuffer();
          if (res.status === 200) return proc;
          lastProblem = `/-/ready answered ${res.status}`;
        } catch (err) {
          lastProblem = err instanceof Error ? err.message : String(err);
        }
        await sleep(100);
      }
      await proc.stop();
      throw new Error(
        `prometheus not ready within ${startTimeoutMs} ms (${lastProblem}); stderr tail:\n${proc.tail(30, 'stderr')}`,
      );
    };

    let port = opts.port ?? (await freePort());
    let proc: ManagedProcess | undefined;
    for (let attempt = 1; proc === undefined; attempt++) {
      try {
        proc = await launch(port);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (opts.port === undefined && attempt < 3 && msg.includes('address already in use')) {
          port = await freePort();
          continue;
        }
        throw err;
      }
    }
    const base = `http://${LOOPBACK}:${port}`;
    let current: ManagedProcess = proc;
    let stopped = false;

    const instance: PrometheusInstance = {
      url: base,
      port,
      dataDir,
      configFile,
      get process() {
        return current;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await current.stop({ graceMs: 5_000 });
        } finally {
          await configDir.remove();
          await ownData?.remove();
        }
      },
      async restart() {
        if (stopped) throw new Error('prometheus: restart() after stop()');
        await current.stop({ graceMs: 5_000 });
        // The port may linger briefly; retry a few times within the start deadline.
        let lastErr: unknown;
        for (let attempt = 0; attempt < 5; attempt++) {
          try {
            current = await launch(port);
            return;
          } catch (err) {
            lastErr = err;
            if (!(err instanceof Error) || !err.message.includes('address already in use')) break;
            await sleep(500);
          }
        }
        throw lastErr;
      },
      async setScrapeTargets(newTargets) {
        targets = [...newTargets];
        await writeFile(configFile, renderConfig(targets, intervalSeconds));
        const res = await fetchWithTimeout(`${base}/-/reload`, { method: 'POST' }, 10_000);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`prometheus reload failed: HTTP ${res.status} ${text}`);
      },
      async waitForSeries(selector, timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        const q = `/api/v1/series?${new URLSearchParams({ 'match[]': selector }).toString()}`;
        let last = 'no answer';
        while (Date.now() < deadline) {
          try {
            const data = await apiGet(base, q);
            if (Array.isArray(data) && data.length > 0) return;
            last = 'no matching series';
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            if (msg.includes('bad_data')) throw err;
            last = msg;
          }
          await sleep(250);
        }
        throw new Error(`prometheus: no series for ${selector} within ${timeoutMs} ms (${last})`);
      },
      async query(promql, time) {
        const params = new URLSearchParams({ query: promql });
        if (time) params.set('time', (time.getTime() / 1000).toFixed(3));
        return (await apiGet(base, `/api/v1/query?${params.toString()}`)) as PrometheusQueryData;
      },
      async queryVector(promql, time) {
        return toVector(await instance.query(promql, time), promql);
      },
      async waitForQuery(promql, waitOpts = {}) {
        const timeoutMs = waitOpts.timeoutMs ?? 20_000;
        const accept = waitOpts.accept ?? ((s: VectorSample[]) => s.length > 0);
        const deadline = Date.now() + timeoutMs;
        let last: VectorSample[] = [];
        while (Date.now() < deadline) {
          last = await instance.queryVector(promql);
          if (accept(last)) return last;
          await sleep(250);
        }
        throw new Error(
          `prometheus: ${promql} not as expected within ${timeoutMs} ms; last result ${JSON.stringify(last)}`,
        );
      },
    };
    return instance;
  } catch (err) {
    await configDir.remove();
    await ownData?.remove();
    throw err;
  }
}

export type OpenMetricsType = 'gauge' | 'counter' | 'unknown';

export interface OpenMetricsSeries {
  /** Sample name; for counters with or without the `_total` suffix. */
  name: string;
  labels?: Labels;
  /** Default: counter when the name ends with `_total`, else gauge. */
  type?: OpenMetricsType;
  /** [timestamp in SECONDS since the epoch, value], any order (sorted on output). */
  samples: Array<[number, number]>;
}

/**
 * OpenMetrics text for promtool: families grouped with one `# TYPE` each, every series' samples
 * in ascending time order, timestamps in seconds, terminated by `# EOF`.
 */
export function renderOpenMetrics(series: readonly OpenMetricsSeries[]): string {
  const families = new Map<string, { type: OpenMetricsType; lines: string[] }>();
  for (const s of series) {
    const type = s.type ?? (s.name.endsWith('_total') ? 'counter' : 'gauge');
    const family = type === 'counter' ? s.name.replace(/_total$/, '') : s.name;
    const sampleName = type === 'counter' ? `${family}_total` : s.name;
    let entry = families.get(family);
    if (!entry) {
      entry = { type, lines: [] };
      families.set(family, entry);
    } else if (entry.type !== type) {
      throw new Error(`renderOpenMetrics: ${family} used as both ${entry.type} and ${type}`);
    }
    const labelText = Object.entries(s.labels ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    const head = labelText.length > 0 ? `${sampleName}{${labelText}}` : sampleName;
    const sorted = [...s.samples].sort((a, b) => a[0] - b[0]);
    for (const [ts, value] of sorted) {
      if (!Number.isFinite(ts)) throw new Error(`renderOpenMetrics: bad timestamp ${ts}`);
      entry.lines.push(`${head} ${formatSampleValue(value)} ${ts}`);
    }
  }
  const out: string[] = [];
  for (const [family, { type, lines }] of families) {
    out.push(`# TYPE ${family} ${type}`);
    // One push per line: spreading a family of 100 000+ lines overflows the call stack.
    for (const line of lines) out.push(line);
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

export interface BackfillTimestampOptions {
  /** Default Date.now(). */
  nowMs?: number;
  /** Newest sample this many seconds before now; default 60 (inside the 5 m lookback). */
  endAgoSeconds?: number;
  /** Time covered; default 3 000 (50 minutes). */
  spanSeconds?: number;
  /** Default 15. */
  stepSeconds?: number;
}

/** Ascending whole-second timestamps suitable for data that must be visible at "now". */
export function backfillTimestamps(opts: BackfillTimestampOptions = {}): number[] {
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  const end = now - (opts.endAgoSeconds ?? 60);
  const span = opts.spanSeconds ?? 3_000;
  const step = opts.stepSeconds ?? 15;
  if (!(step > 0) || !(span >= 0)) throw new Error('backfillTimestamps: step must be > 0 and span >= 0');
  const out: number[] = [];
  for (let t = end - Math.floor(span / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/**
 * Writes blocks for the OpenMetrics text into dataDir with
 * `promtool tsdb create-blocks-from openmetrics`. Appends `# EOF` when missing.
 */
export async function backfillOpenMetrics(
  dataDir: string,
  openMetricsText: string,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const promtool = await prometheusBinary('promtool');
  const text = /(^|\n)# EOF\n?$/.test(openMetricsText)
    ? openMetricsText.endsWith('\n')
      ? openMetricsText
      : `${openMetricsText}\n`
    : `${openMetricsText.replace(/\n?$/, '\n')}# EOF\n`;
  await mkdir(dataDir, { recursive: true });
  const tmp = await makeTempDir('openmetrics');
  try {
    const input = path.join(tmp.path, 'backfill.om');
    await writeFile(input, text);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const result = await runProcess(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], {
      timeoutMs,
    });
    if (result.timedOut)
      throw new Error(`promtool backfill timed out after ${timeoutMs} ms:\n${result.stderr}`);
    if (result.code !== 0) {
      throw new Error(
        `promtool backfill failed (code ${String(result.code)}):\n${result.stderr}\n${result.stdout}`,
      );
    }
  } finally {
    await tmp.remove();
  }
}

/**
 * Time-bounded closed-loop load on a mix of request kinds: `concurrency` workers each send the
 * next request as soon as their previous one answered, until the end time or until stopped.
 * Unlike bench/load.ts an error does not stop the run: every answer is counted by kind and status
 * (transport failures and timeouts under their own names), 2xx latencies are kept per kind and per
 * time window, and every `checkEvery`-th 2xx answer of a kind is checked (item count).
 */
import type { BenchClient, PreparedRequest } from './http.js';

export interface MixPick<K extends { id: string }> {
  kind: K;
  req: PreparedRequest;
}

export interface KindTally {
  requests: number;
  /** 2xx answers. */
  ok: number;
  /** status code (or `timeout`, `transport`) → count, for every non-2xx outcome. */
  failures: Map<string, number>;
  /** Checked 2xx answers whose body was wrong. */
  wrongAnswers: number;
  checked: number;
  latenciesMs: number[];
  bytes: number;
}

export interface WindowTally {
  requests: number;
  failures: number;
  latenciesMs: number[];
}

export interface MixResult {
  wallMs: number;
  byKind: Map<string, KindTally>;
  /** Completed requests by window of `windowMs` since the start. */
  windows: WindowTally[];
  /** The first few distinct failures, for the report. */
  samples: string[];
  /** CPU time of this (load generator) process during the run. */
  clientCpuMs: number;
}

export interface MixOptions<K extends { id: string }> {
  client: BenchClient;
  next: () => MixPick<K>;
  concurrency: number;
  durationMs: number;
  /** Latency windows (for the timeline); default the whole run. */
  windowMs?: number;
  /** Check every n-th 2xx answer of each kind; 0 = never. */
  checkEvery?: number;
  judge?: (kind: K, path: string, body: Buffer) => string | undefined;
  /** Per-request deadline; default 15 s. */
  timeoutMs?: number;
  /** Polled before every request: true ends the run early (Ctrl-C). */
  stopped?: () => boolean;
}

const MAX_SAMPLES = 8;

function tally(byKind: Map<string, KindTally>, id: string): KindTally {
  let t = byKind.get(id);
  if (t === undefined) {
    t = { requests: 0, ok: 0, failures: new Map(), wrongAnswers: 0, checked: 0, latenciesMs: [], bytes: 0 };
    byKind.set(id, t);
  }
  return t;
}

function failureKey(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return /no answer within/.test(msg) ? 'timeout' : 'transport';
}

export async function runMix<K extends { id: string }>(o: MixOptions<K>): Promise<MixResult> {
  const byKind = new Map<string, KindTally>();
  const windows: WindowTally[] = [];
  const samples: string[] = [];
  const windowMs = o.windowMs ?? o.durationMs;
  const checkEvery = o.checkEvery ?? 0;
  const note = (line: string): void => {
    if (samples.length < MAX_SAMPLES && !samples.some((s) => s.slice(0, 60) === line.slice(0, 60)))
      samples.push(line);
  };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const endAt = t0 + o.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < endAt && o.stopped?.() !== true) {
      const { kind, req } = o.next();
      const t = tally(byKind, kind.id);
      t.requests++;
      const sent = performance.now();
      let outcome: string | undefined;
      let latency = 0;
      try {
        const res = await o.client.send(req, o.timeoutMs ?? 15_000);
        latency = performance.now() - sent;
        if (res.status >= 200 && res.status < 300) {
          t.ok++;
          t.bytes += res.body.length;
          t.latenciesMs.push(latency);
          if (checkEvery > 0 && o.judge !== undefined && t.ok % checkEvery === 1 % checkEvery) {
            t.checked++;
            const wrong = o.judge(kind, req.path, res.body);
            if (wrong !== undefined) {
              t.wrongAnswers++;
              note(`${kind.id}: wrong answer for ${req.path}: ${wrong}`);
            }
          }
        } else {
          outcome = String(res.status);
          note(`${kind.id}: HTTP ${res.status} for ${req.path}: ${res.body.toString('utf8').slice(0, 200)}`);
        }
      } catch (err) {
        latency = performance.now() - sent;
        outcome = failureKey(err);
        note(`${kind.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (outcome !== undefined) t.failures.set(outcome, (t.failures.get(outcome) ?? 0) + 1);
      const w = Math.min(
        Math.floor((performance.now() - t0) / windowMs),
        Math.ceil(o.durationMs / windowMs) - 1,
      );
      const win = (windows[w] ??= { requests: 0, failures: 0, latenciesMs: [] });
      win.requests++;
      if (outcome === undefined) win.latenciesMs.push(latency);
      else win.failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  const used = process.cpuUsage(cpu);
  for (let i = 0; i < windows.length; i++) windows[i] ??= { requests: 0, failures: 0, latenciesMs: [] };
  return {
    wallMs: performance.now() - t0,
    byKind,
    windows,
    samples,
    clientCpuMs: (used.user + used.system) / 1000,
  };
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export function summarizeLatency(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number =>
    sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/**
 * Closed-loop load: `concurrency` workers each send the next request as soon as their previous
 * one answered, until `requests` have been sent. Any non-200 answer or transport error stops the
 * block (a benchmark of errors measures nothing). Bounded by a deadline.
 */
import type { BenchClient, PreparedRequest } from './http.js';

export interface BlockResult {
  latenciesMs: number[];
  wallMs: number;
  bytes: number;
  /** CPU time of this (load generator) process during the block. */
  clientCpuMs: number;
}

export interface BlockOptions {
  requests: number;
  concurrency: number;
  /** Whole block; default 120 s. */
  deadlineMs?: number;
}

export async function runBlock(
  client: BenchClient,
  next: () => PreparedRequest,
  o: BlockOptions,
): Promise<BlockResult> {
  const latenciesMs: number[] = [];
  let bytes = 0;
  let issued = 0;
  let failure: Error | undefined;
  const deadline = Date.now() + (o.deadlineMs ?? 120_000);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (issued < o.requests && failure === undefined) {
      if (Date.now() > deadline) {
        failure = new Error(`block not finished within ${o.deadlineMs ?? 120_000} ms (${issued} sent)`);
        return;
      }
      issued++;
      const req = next();
      const t0 = process.hrtime.bigint();
      try {
        const res = await client.send(req);
        if (res.status !== 200)
          throw new Error(
            `HTTP ${res.status} for ${req.path.slice(0, 120)}: ${res.body.toString().slice(0, 300)}`,
          );
        latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        bytes += res.body.length;
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  if (failure !== undefined) throw failure;
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { latenciesMs, wallMs, bytes, clientCpuMs: (used.user + used.system) / 1000 };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

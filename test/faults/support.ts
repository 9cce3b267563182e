/**
 * What the fault tests look at besides answers: the adapter's open sockets (from /proc/<pid>/fd),
 * its own metrics, and its JSON log lines.
 */
import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { call, type AdapterPki } from '../helpers/adapter.js';
import type { ManagedProcess } from '../helpers/process.js';
import { sleep } from '../integration/support.js';

/** Sockets (TCP, Unix, any) the process has open now. */
export async function openSockets(pid: number): Promise<number> {
  let n = 0;
  const fds = await readdir(`/proc/${pid}/fd`);
  for (const fd of fds) {
    try {
      if ((await readlink(`/proc/${pid}/fd/${fd}`)).startsWith('socket:[')) n++;
    } catch {
      // Closed between readdir and readlink.
    }
  }
  return n;
}

/**
 * Waits (bounded) until the process has at most `baseline` sockets open; fails naming the last
 * count. Returns the count seen.
 */
export async function waitForSocketsAtMost(
  pid: number,
  baseline: number,
  what: string,
  timeoutMs = 15_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (let i = 0; i < Math.ceil(timeoutMs / 200) + 1; i++) {
    last = await openSockets(pid);
    if (last <= baseline) return last;
    if (Date.now() >= deadline) break;
    await sleep(200);
  }
  assert.fail(`${what}: ${last} sockets open, baseline ${baseline}, after ${timeoutMs} ms`);
}

/** A steady socket count: the largest of a few samples over `spanMs` (idle pools may still be closing). */
export async function socketBaseline(pid: number, spanMs = 1_500): Promise<number> {
  let max = 0;
  for (let i = 0; i < 5; i++) {
    max = Math.max(max, await openSockets(pid));
    await sleep(spanMs / 5);
  }
  return max;
}

/** Parses Prometheus text into `name{labels}` → value (labels as exposed, in order). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Sum of the samples of `name` whose labels include every pair of `labels`. */
export function metricSum(
  metrics: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const [key, value] of metrics) {
    const brace = key.indexOf('{');
    const n = brace < 0 ? key : key.slice(0, brace);
    if (n !== name) continue;
    const text = brace < 0 ? '' : key.slice(brace);
    if (Object.entries(labels).every(([k, v]) => text.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

export async function scrapeMetrics(adapter: { url: string }, pki: AdapterPki): Promise<Map<string, number>> {
  const r = await call(adapter, pki, '/metrics', { cert: pki.tester });
  assert.equal(r.status, 200, r.body.slice(0, 300));
  return parseMetrics(r.body);
}

export interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** The JSON log lines of a child adapter from line index `from` on. */
export function logsSince(proc: ManagedProcess, from: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (const l of proc.lines('stderr')) {
    if (l.index < from) continue;
    try {
      out.push(JSON.parse(l.line) as LogRecord);
    } catch {
      // Not a log record (e.g. a runtime warning).
    }
  }
  return out;
}

/** Waits (bounded) for a log record from line `from` on that `match` accepts. */
export async function waitForLog(
  proc: ManagedProcess,
  from: number,
  what: string,
  match: (r: LogRecord) => boolean,
  timeoutMs = 15_000,
): Promise<LogRecord> {
  const line = await proc
    .waitForOutput(
      (text, stream) => {
        if (stream !== 'stderr') return false;
        try {
          return match(JSON.parse(text) as LogRecord);
        } catch {
          return false;
        }
      },
      { timeoutMs, stream: 'stderr', fromLine: from },
    )
    .catch((err: unknown) => {
      throw new Error(`${what}: ${(err as Error).message}\n${proc.tail(30, 'stderr')}`);
    });
  return JSON.parse(line.line) as LogRecord;
}

/**
 * What the fault tests look at besides answers: the adapter's open sockets (from /proc/<pid>/fd),
 * its own metrics, and its JSON log lines.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, readlink } from 'node:fs/promises';
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
 * The process's TCP sockets as "local → remote" (IPv4 loopback as a.b.c.d:port), from
 * /proc/<pid>/net/tcp{,6} matched by inode; other sockets are counted as "other".
 */
export async function describeSockets(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const out: string[] = [];
  const addr = (hex: string): string => {
    const [ip = '', port = '0'] = hex.split(':');
    const p = parseInt(port, 16);
    if (ip.length !== 8) return `[v6]:${p}`;
    const bytes = (ip.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse();
    return `${bytes.join('.')}:${p}`;
  };
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = await readFile(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const inode = f[9];
      if (inode === undefined || !inodes.has(inode)) continue;
      inodes.delete(inode);
      out.push(`${addr(f[1] ?? '')} → ${addr(f[2] ?? '')}`);
    }
  }
  for (let i = 0; i < inodes.size; i++) out.push('other');
  return out.sort();
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
  assert.fail(
    `${what}: ${last} sockets open, baseline ${baseline}, after ${timeoutMs} ms:\n${(await describeSockets(pid)).join('\n')}`,
  );
}

/**
 * A steady value: sampled every 250 ms until four samples in a row agree (bounded by timeoutMs;
 * then the largest of the last four). Returns the value and the samples, for messages.
 */
export async function steadyValue(
  sample: () => Promise<number>,
  timeoutMs = 10_000,
): Promise<{ value: number; samples: number[] }> {
  const samples: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 250) + 1; i++) {
    samples.push(await sample());
    const last = samples.slice(-4);
    if (last.length === 4 && last.every((v) => v === last[0])) return { value: last[0]!, samples };
    if (Date.now() >= deadline) break;
    await sleep(250);
  }
  return { value: Math.max(...samples.slice(-4)), samples };
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

/** How much `name` (summed as `metricSum` does) grew from `before` to `after`. */
export function metricGrowth(
  before: Map<string, number>,
  after: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number {
  return metricSum(after, name, labels) - metricSum(before, name, labels);
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

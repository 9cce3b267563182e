/**
 * What the kernel and the adapter say about a process: CPU time and memory from /proc, and the
 * samples of a Prometheus text exposition (the adapter's own /metrics).
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { runProcess } from '../test/helpers/process.js';

let ticksPerSecond: number | undefined;

async function clockTicks(): Promise<number> {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  const r = await runProcess('getconf', ['CLK_TCK'], { timeoutMs: 5_000 }).catch(() => undefined);
  const n = Number(r?.stdout.trim());
  ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  return ticksPerSecond;
}

/** User + system CPU time of a process so far, in milliseconds (resolution: one clock tick). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return ((utime + stime) * 1000) / (await clockTicks());
}

export interface ProcMemory {
  rssBytes: number;
  /** Peak RSS since the process started. */
  peakRssBytes: number;
}

export async function procMemory(pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (m?.[1] === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

export interface OpenFds {
  total: number;
  /** Descriptors that are sockets (TCP, Unix; `socket:[inode]` in /proc/<pid>/fd). */
  sockets: number;
}

/** The process's open file descriptors; one that closes while being read is not counted. */
export async function openFds(pid: number): Promise<OpenFds> {
  const dir = `/proc/${pid}/fd`;
  const names = await readdir(dir);
  const targets = await Promise.all(names.map((n) => readlink(`${dir}/${n}`).catch(() => undefined)));
  const open = targets.filter((t) => t !== undefined);
  return { total: open.length, sockets: open.filter((t) => t.startsWith('socket:')).length };
}

/** Samples of a text exposition, keyed by `name{labels}` exactly as written. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    if (cut <= 0) continue;
    const value = Number(line.slice(cut + 1));
    if (!Number.isNaN(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

export function sample(samples: Map<string, number>, key: string): number {
  const v = samples.get(key);
  if (v === undefined) throw new Error(`the adapter's /metrics has no ${key}`);
  return v;
}

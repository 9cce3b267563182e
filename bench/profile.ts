/**
 * Reads a V8 CPU profile (node --cpu-prof) of the adapter and says where its time went during
 * given windows: self time by area (node core, GC, each package, each adapter module), the
 * hottest functions, and the inclusive time of the adapter's pipeline steps.
 *
 * Windows are in the monotonic clock (µs) that V8 stamps samples with, which is the clock of
 * process.hrtime in every process on the machine, so the load generator can mark them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface WindowSummary {
  label: string;
  requests: number;
  wallMs: number;
  /** Sampled time that was not idle. */
  busyMs: number;
  /** Self time by area, ms, descending. */
  areas: { area: string; ms: number }[];
  /** Hottest functions by self time. */
  functions: { fn: string; where: string; ms: number }[];
  /** Inclusive time of the adapter's pipeline steps, ms. */
  steps: { step: string; ms: number }[];
}

/**
 * Pipeline steps, found by the file they live in and a function name ('' for any function of the
 * file; `exceptFn` leaves one out).
 */
const STEPS: { step: string; file: string; fn: string; exceptFn?: string }[] = [
  { step: 'authenticate (client certificate)', file: 'apiserver/authn.js', fn: 'authenticate' },
  { step: 'authorize (SAR cache)', file: 'kube/subject-access-review.js', fn: 'review' },
  { step: 'parse request', file: 'apiserver/custom-metrics-api.js', fn: 'parseCustomMetricRequest' },
  { step: 'list pods from the informer cache', file: 'kube/object-cache.js', fn: 'list' },
  { step: 'render PromQL (template)', file: 'rules/query.js', fn: 'renderObjectQuery' },
  {
    step: 'Prometheus call: build + send (sync part)',
    file: 'prometheus/instant-query.js',
    fn: 'runInstantQuery',
  },
  {
    step: 'Prometheus answer: read, JSON.parse, samples',
    file: 'prometheus/instant-query.js',
    fn: '',
    exceptFn: 'runInstantQuery',
  },
  {
    step: '… of which samples from the parsed answer',
    file: 'prometheus/instant-query.js',
    fn: 'samplesFrom',
  },
  {
    step: 'encode the MetricValueList JSON',
    file: 'apiserver/custom-metrics-api.js',
    fn: 'encodeMetricValueListBytes',
  },
  { step: 'send the answer (sendBody)', file: 'apiserver/respond.js', fn: 'sendBody' },
];

export async function findProfile(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`);
  return path.join(dir, files[0] ?? '');
}

function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const parts = url.slice(i + '/node_modules/'.length).split('/');
  const first = parts[0] ?? '?';
  return first.startsWith('@') ? `${first}/${parts[1] ?? ''}` : first;
}

/** Native StreamBase writes: the write(2)/writev(2) to a socket, done synchronously when possible. */
const SOCKET_WRITES = new Set([
  'writev',
  'writeBuffer',
  'writeLatin1String',
  'writeUtf8String',
  'writeAsciiString',
  'writeUcs2String',
]);

function areaOf(frame: CallFrame, buildDir: string): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (SOCKET_WRITES.has(functionName)) return 'socket writes (native writev/write*String)';
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const pkg = packageOf(url);
  if (pkg !== undefined) return `package ${pkg}`;
  if (url.startsWith('node:')) {
    const mod = url.slice('node:'.length).replace(/^internal\//, '');
    if (/^(_tls|tls|_http|http|https|net|stream_base)/.test(mod)) return 'node core: http/tls/net';
    return `node core: ${mod.split('/')[0] ?? mod}`;
  }
  const marker = `${buildDir}/`;
  const at = url.indexOf(marker);
  if (at >= 0) {
    const rel = url.slice(at + marker.length);
    const dir = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel;
    return `adapter ${dir}`;
  }
  return url;
}

function shortWhere(url: string, line: number): string {
  const pkg = packageOf(url);
  const file = url.split('/').slice(-2).join('/');
  return `${pkg !== undefined ? `${pkg}: ` : ''}${file}:${line + 1}`;
}

export interface Window {
  label: string;
  startUs: number;
  endUs: number;
  requests: number;
}

/**
 * Summaries of the profile's samples inside each window. `buildDir` is the directory the adapter's
 * compiled modules live in (their URLs contain it). Throws when the windows do not overlap the
 * profile (the clocks would not be comparable).
 */
export async function summarize(
  file: string,
  buildDir: string,
  windows: readonly Window[],
): Promise<WindowSummary[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Sample i happens at startTime + sum(deltas[0..i]); it stands for the time until the next one.
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) {
    t += d;
    times.push(t);
  }
  const firstWindow = Math.min(...windows.map((w) => w.startUs));
  const lastWindow = Math.max(...windows.map((w) => w.endUs));
  if (firstWindow < profile.startTime || lastWindow > profile.endTime)
    throw new Error(
      `profile clock does not cover the load windows (profile ${profile.startTime}..${profile.endTime} µs, windows ${firstWindow}..${lastWindow} µs)`,
    );

  return windows.map((w) => {
    const areas = new Map<string, number>();
    const fns = new Map<string, { fn: string; where: string; ms: number }>();
    const steps = new Map<string, number>();
    let busy = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const at = times[i] ?? 0;
      if (at < w.startUs || at > w.endUs) continue;
      const weightMs = Math.min(10_000, (times[i + 1] ?? at) - at) / 1000;
      const node = byId.get(profile.samples[i] ?? -1);
      if (node === undefined) continue;
      const area = areaOf(node.callFrame, buildDir);
      areas.set(area, (areas.get(area) ?? 0) + weightMs);
      if (area === '(idle)') continue;
      busy += weightMs;
      const f = node.callFrame;
      const key = `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;
      const entry = fns.get(key) ?? {
        fn: f.functionName || '(anonymous)',
        where: shortWhere(f.url, f.lineNumber),
        ms: 0,
      };
      entry.ms += weightMs;
      fns.set(key, entry);
      // Inclusive: each step counts once per sample, however deep the recursion.
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const frame = byId.get(id)?.callFrame;
        if (frame === undefined) continue;
        for (const s of STEPS) {
          if (seen.has(s.step) || !frame.url.includes(s.file)) continue;
          if (s.fn !== '' && frame.functionName !== s.fn) continue;
          if (s.exceptFn !== undefined && frame.functionName === s.exceptFn) continue;
          seen.add(s.step);
          steps.set(s.step, (steps.get(s.step) ?? 0) + weightMs);
        }
      }
    }
    return {
      label: w.label,
      requests: w.requests,
      wallMs: (w.endUs - w.startUs) / 1000,
      busyMs: busy,
      areas: [...areas].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
      functions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, 12),
      steps: STEPS.map((s) => ({ step: s.step, ms: steps.get(s.step) ?? 0 })),
    };
  });
}

/** process.hrtime in µs: the clock of the profile's timestamps. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

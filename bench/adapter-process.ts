/**
 * The adapter under test, as a child process started through its real CLI with real flags, so it
 * never shares a thread with the load generator. It runs from a fresh `tsc` build of src/ (the
 * production build config, written to a temporary directory, so dist/ is left alone and never
 * stale).
 */
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterPki } from '../test/helpers/adapter.js';
import { runProcess, startProcess, type ManagedProcess } from '../test/helpers/process.js';
import { makeTempDir, type TempDir } from '../test/helpers/temp.js';
import { BenchClient } from './http.js';
import { parseExposition, procMemory, sample } from './procstat.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface AdapterBuild {
  mainJs: string;
  remove(): Promise<void>;
}

/**
 * `tsc -p tsconfig.build.json` into a temporary directory that resolves the project's packages.
 * With `rev`, the sources are that git revision's (`git archive`), so a benchmark can run the
 * adapter as it was next to the adapter as it is, in the same run.
 */
export async function buildAdapter(o: { rev?: string } = {}): Promise<AdapterBuild> {
  const dir: TempDir = await makeTempDir('bench-adapter-build');
  try {
    const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const outDir = path.join(dir.path, 'dist');
    let root = PROJECT_ROOT;
    if (o.rev !== undefined) {
      root = path.join(dir.path, 'tree');
      await mkdir(root);
      const tar = path.join(dir.path, 'tree.tar');
      const files = ['src', 'tsconfig.json', 'tsconfig.build.json'];
      const a = await runProcess('git', ['archive', '--output', tar, o.rev, ...files], {
        cwd: PROJECT_ROOT,
        timeoutMs: 60_000,
      });
      if (a.code !== 0) throw new Error(`git archive ${o.rev} failed:\n${a.stderr}`);
      const x = await runProcess('tar', ['-xf', tar, '-C', root], { timeoutMs: 60_000 });
      if (x.code !== 0) throw new Error(`tar failed:\n${x.stderr}`);
      // The project's package.json: ESM, which NodeNext resolution needs.
      await copyFile(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
      await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    }
    const r = await runProcess(
      process.execPath,
      [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir],
      { cwd: root, timeoutMs: 180_000 },
    );
    if (r.code !== 0) throw new Error(`tsc failed (code ${String(r.code)}):\n${r.stdout}\n${r.stderr}`);
    await writeFile(path.join(dir.path, 'package.json'), '{ "type": "module" }\n');
    await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir.path, 'node_modules'), 'dir');
    return { mainJs: path.join(outDir, 'main.js'), remove: () => dir.remove() };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}

/**
 * The shipped build: `node scripts/bundle.mjs` (what `npm run build` runs after tsc) into a
 * temporary directory, so the figures are those of the `bin` entry an operator runs.
 */
export async function buildAdapterBundle(): Promise<AdapterBuild> {
  const dir: TempDir = await makeTempDir('bench-adapter-bundle');
  try {
    const outDir = path.join(dir.path, 'dist', 'bundle');
    const r = await runProcess(
      process.execPath,
      [path.join(PROJECT_ROOT, 'scripts', 'bundle.mjs'), `--outdir=${outDir}`],
      { cwd: PROJECT_ROOT, timeoutMs: 120_000 },
    );
    if (r.code !== 0) throw new Error(`bundle failed (code ${String(r.code)}):\n${r.stdout}\n${r.stderr}`);
    // The demo finds rules/ two levels above its module, as in the package.
    await symlink(path.join(PROJECT_ROOT, 'rules'), path.join(dir.path, 'rules'), 'dir');
    return { mainJs: path.join(outDir, 'main.js'), remove: () => dir.remove() };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}

/** The node flags the image runs the adapter with (`ENV NODE_OPTIONS` in the Dockerfile). */
export async function imageNodeFlags(): Promise<string[]> {
  const text = await readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const m = /^ENV\s+NODE_OPTIONS="([^"]*)"/m.exec(text);
  if (m?.[1] === undefined) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return m[1].split(/\s+/).filter(Boolean);
}

/** `bundle` (the shipped `bin`, run with the image's node flags) or the plain `tsc` output. */
export async function buildFor(kind: string): Promise<AdapterBuild & { nodeFlags: string[] }> {
  if (kind === 'bundle') return { ...(await buildAdapterBundle()), nodeFlags: await imageNodeFlags() };
  if (kind === 'tsc') return { ...(await buildAdapter()), nodeFlags: [] };
  throw new Error(`unknown build ${kind} (bundle or tsc)`);
}

export interface AdapterMemory {
  /** VmRSS from /proc. */
  rssBytes: number;
  /** VmHWM from /proc: the peak so far. */
  peakRssBytes: number;
  /** From the adapter's /metrics. */
  processRssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

export interface RelistResult {
  /** SIGHUP to the "rules reloaded" log line. */
  wallMs: number;
  /** The adapter's own metrics_adapter_series_relist_duration_seconds for this run. */
  relistMs: number;
}

export interface AdapterChild {
  readonly url: string;
  readonly pid: number;
  readonly process: ManagedProcess;
  /** A keep-alive client presenting the `tester` client certificate. */
  client(maxSockets: number): BenchClient;
  metrics(): Promise<Map<string, number>>;
  /** Memory as found, or after a full GC (needs gcOnSignal). */
  memory(o?: { gc?: boolean }): Promise<AdapterMemory>;
  /** A full relist (SIGHUP re-reads the rules and rediscovers every series). */
  relist(): Promise<RelistResult>;
  stop(): Promise<void>;
}

export interface StartAdapterOptions {
  mainJs: string;
  flags: string[];
  pki: AdapterPki;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory at exit. */
  cpuProfDir?: string;
  /** Preload a SIGUSR2 handler that runs a full GC (for memory readings); touches nothing else. */
  gcOnSignal?: boolean;
  startTimeoutMs?: number;
  /** More node options (before the script), e.g. --max-semi-space-size=4. */
  nodeFlags?: readonly string[];
  /** Told the process id as soon as the process runs (before it is ready). */
  onSpawn?: (pid: number) => void;
}

const GC_DONE = 'bench: full gc done';
/** An ES module given inline to `node --import`: SIGUSR2 → global.gc() (with --expose-gc). */
const GC_PRELOAD = `data:text/javascript,${encodeURIComponent(
  `process.on('SIGUSR2', () => { globalThis.gc(); process.stderr.write('${GC_DONE}\\n'); });`,
)}`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startAdapterChild(o: StartAdapterOptions): Promise<AdapterChild> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const nodeFlags = [
    ...(o.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`]),
    ...(o.gcOnSignal === true ? ['--expose-gc', `--import=${GC_PRELOAD}`] : []),
    ...(o.nodeFlags ?? []),
  ];
  const proc = await startProcess(process.execPath, [...nodeFlags, o.mainJs, ...o.flags], {
    env,
    name: 'adapter',
  });
  o.onSpawn?.(proc.pid);
  const clients: BenchClient[] = [];
  const stop = async (): Promise<void> => {
    for (const c of clients.splice(0)) c.close();
    await proc.stop({ graceMs: 15_000 });
  };
  try {
    const timeoutMs = o.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const line = await proc.waitForOutput('serving securely', { timeoutMs });
    const port = (JSON.parse(line.line) as { port?: number }).port;
    if (port === undefined) throw new Error(`no port in ${line.line}`);
    const url = `https://127.0.0.1:${port}`;
    const tls = { ca: o.pki.servingCA.certPem, cert: o.pki.tester.certPem, key: o.pki.tester.keyPem };
    const control = new BenchClient(url, 2, tls);
    clients.push(control);
    // Ready means the first series discovery has finished.
    for (let ok = false; !ok;) {
      if (Date.now() > deadline)
        throw new Error(`adapter not ready within ${timeoutMs} ms:\n${proc.tail(20)}`);
      const res = await control.send({ method: 'GET', path: '/readyz' }, 5_000).catch(() => undefined);
      ok = res?.status === 200;
      if (!ok) await sleep(100);
    }
    const metrics = async (): Promise<Map<string, number>> =>
      parseExposition(await control.getText('/metrics'));
    const child: AdapterChild = {
      url,
      pid: proc.pid,
      process: proc,
      client(maxSockets) {
        const c = new BenchClient(url, maxSockets, tls);
        clients.push(c);
        return c;
      },
      metrics,
      async memory(mo = {}) {
        if (mo.gc === true) {
          if (o.gcOnSignal !== true) throw new Error('memory({ gc: true }) needs gcOnSignal');
          const from = proc.nextLineIndex();
          proc.child.kill('SIGUSR2');
          await proc.waitForOutput(GC_DONE, { fromLine: from, timeoutMs: 30_000 });
        }
        const m = await metrics();
        const p = await procMemory(proc.pid);
        return {
          ...p,
          processRssBytes: sample(m, 'process_resident_memory_bytes'),
          heapUsedBytes: sample(m, 'nodejs_heap_size_used_bytes'),
          heapTotalBytes: sample(m, 'nodejs_heap_size_total_bytes'),
        };
      },
      async relist() {
        const sum = 'metrics_adapter_series_relist_duration_seconds_sum';
        const before = sample(await metrics(), sum);
        const from = proc.nextLineIndex();
        const t0 = process.hrtime.bigint();
        proc.child.kill('SIGHUP');
        await proc.waitForOutput('"rules reloaded"', { fromLine: from, timeoutMs: 120_000 });
        const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
        const after = sample(await metrics(), sum);
        return { wallMs, relistMs: (after - before) * 1000 };
      },
      stop,
    };
    return child;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The demo's state directory (`.metrics-adapter-demo/`: kubeconfig, client-ca.crt, demo.lock) and
 * the checks that keep a second demo from touching it: whether the port is free, and whether a
 * live demo holds the lock. Files are written whole (temporary file + rename), so a reader never
 * sees half a kubeconfig.
 *
 * A demo started in another directory has its own state directory, so it is found by the port
 * instead: each running demo also leaves a note (pid, port, URL, directory) in a per-user file
 * under the system temporary directory, named after its port.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_DIR = '.metrics-adapter-demo';
export const LOCK_FILE = 'demo.lock';

export interface DemoLock {
  pid: number;
  port: number;
  url: string;
}

export type PortState = 'free' | 'in-use' | 'forbidden';

/** Whether host:port can be bound now (it is released at once). */
export async function probePort(host: string, port: number): Promise<PortState> {
  const server = net.createServer();
  server.listen({ host, port, exclusive: true });
  try {
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return 'in-use';
    if (code === 'EACCES') return 'forbidden';
    throw err;
  }
  await new Promise((r) => server.close(r));
  return 'free';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it just belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): DemoLock | undefined {
  try {
    const v = JSON.parse(text) as Partial<DemoLock>;
    if (typeof v.pid === 'number' && typeof v.port === 'number' && typeof v.url === 'string')
      return { pid: v.pid, port: v.port, url: v.url };
  } catch {
    // a torn or foreign file is no lock
  }
  return undefined;
}

/** A running demo as its port note tells it. */
export interface PortNote extends DemoLock {
  /** The directory it was started in (where its `.metrics-adapter-demo/` is). */
  dir: string;
}

const uid = (): number | undefined => process.getuid?.();

/** The note of the demo on `port`, in this user's name (another user's demo cannot be named). */
export function portNoteFile(port: number, directory = tmpdir()): string {
  return join(directory, `metrics-adapter-running-demo-${uid() ?? 'user'}-${port}.json`);
}

function parsePortNote(text: string): PortNote | undefined {
  const lock = parseLock(text);
  if (lock === undefined) return undefined;
  try {
    const dir = (JSON.parse(text) as { dir?: unknown }).dir;
    return typeof dir === 'string' ? { ...lock, dir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes this demo's note for its port (whole, by rename). Returns the synchronous undo, which
 * removes the note only while it is still this process's.
 */
export async function announcePort(note: PortNote, directory = tmpdir()): Promise<() => void> {
  const file = portNoteFile(note.port, directory);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, JSON.stringify(note) + '\n', { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return () => {
    if (parsePortNote(readFileSyncSafe(file))?.pid !== note.pid) return;
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

/** The live demo (not this process) whose note names `port`, if any. */
export function demoOnPort(port: number, directory = tmpdir()): PortNote | undefined {
  const file = portNoteFile(port, directory);
  try {
    const owner = statSync(file).uid;
    if (uid() !== undefined && owner !== uid()) return undefined;
  } catch {
    return undefined;
  }
  const note = parsePortNote(readFileSyncSafe(file));
  if (note === undefined || note.port !== port || note.pid === process.pid || !processAlive(note.pid))
    return undefined;
  return note;
}

export class DemoStateDir {
  readonly lockFile: string;
  private ownLock = false;
  /** Whether this run made the directory (it is then removed again if the run ends early). */
  private made = false;
  private readonly written = new Set<string>();

  constructor(readonly path: string) {
    this.lockFile = join(path, LOCK_FILE);
  }

  private async ensureDir(): Promise<void> {
    if (!existsSync(this.path)) {
      await mkdir(this.path, { recursive: true, mode: 0o700 });
      this.made = true;
    }
  }

  /** The lock of a demo that still runs (its process lives and its port is taken), if any. */
  async liveDemo(host: string): Promise<DemoLock | undefined> {
    let text: string;
    try {
      text = await readFile(this.lockFile, 'utf8');
    } catch {
      return undefined;
    }
    const lock = parseLock(text);
    if (lock === undefined || lock.pid === process.pid || !processAlive(lock.pid)) return undefined;
    // A recycled pid is not a demo: the demo's port must be taken too.
    return (await probePort(host, lock.port)) === 'in-use' ? lock : undefined;
  }

  /**
   * Takes the lock for this process; fails with the holder when a live demo has it. Created with
   * link(2), which refuses to replace an existing file, so two demos cannot both win.
   */
  async claim(lock: DemoLock, host: string): Promise<DemoLock | undefined> {
    await this.ensureDir();
    const tmp = `${this.lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, JSON.stringify(lock) + '\n', { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await link(tmp, this.lockFile);
          this.ownLock = true;
          return undefined;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const holder = await this.liveDemo(host);
        if (holder !== undefined) return holder;
        await unlink(this.lockFile).catch(() => undefined); // stale
      }
      throw new Error(`cannot take ${this.lockFile}: another demo keeps creating it`);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /** Writes `name` in the state directory whole: readers see the old or the new file. */
  async writeFile(name: string, content: string, mode: number): Promise<string> {
    await this.ensureDir();
    const file = join(this.path, name);
    this.written.add(file);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, content, { mode });
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return file;
  }

  /** Removes the lock if this process holds it; synchronous so that exit paths can call it. */
  releaseSync(): void {
    if (!this.ownLock) return;
    this.ownLock = false;
    try {
      const lock = parseLock(readFileSyncSafe(this.lockFile));
      if (lock?.pid === process.pid) unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }

  /**
   * For a run that ends before it is ready: removes the files it wrote and, if it made the
   * directory and nothing else is in it, the directory, so that nothing is left behind. Only
   * while this process holds the lock (else the files are another demo's). Synchronous, for exit
   * paths; call before releaseSync.
   */
  removeWrittenSync(): void {
    if (!this.ownLock) return;
    for (const file of this.written) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
    this.written.clear();
    if (!this.made) return;
    this.releaseSync();
    try {
      rmdirSync(this.path);
    } catch {
      // not empty (someone else's files): leave it
    }
  }
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

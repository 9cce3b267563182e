/**
 * The demo's state directory (`.metrics-adapter-demo/`: kubeconfig, client-ca.crt, demo.lock) and
 * the checks that keep a second demo from touching it: whether the port is free, and whether a
 * live demo holds the lock. Files are written whole (temporary file + rename), so a reader never
 * sees half a kubeconfig.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
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

export class DemoStateDir {
  readonly lockFile: string;
  private ownLock = false;

  constructor(readonly path: string) {
    this.lockFile = join(path, LOCK_FILE);
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
    await mkdir(this.path, { recursive: true, mode: 0o700 });
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
    await mkdir(this.path, { recursive: true, mode: 0o700 });
    const file = join(this.path, name);
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
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

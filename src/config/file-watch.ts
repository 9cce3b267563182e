/**
 * Notices when files change: certificates, CA bundles, the rules file, token files.
 *
 * Kubernetes mounts Secrets and ConfigMaps through a `..data` symlink that is swapped atomically,
 * which inotify reports on the directory rather than on the file, so we watch each parent
 * directory and also poll: a change is any difference in the files' contents, compared by hash.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileWatchOptions {
  pollIntervalMs?: number;
  debounceMs?: number;
  onError?: (err: unknown) => void;
}

export class FileSetWatcher {
  private readonly watchers: FSWatcher[] = [];
  private readonly timer: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  private lastDigest: string | undefined;
  private checking = false;
  private closed = false;

  private constructor(
    private readonly files: readonly string[],
    private readonly onChange: () => void,
    private readonly options: FileWatchOptions,
  ) {
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Polling still covers this directory.
      }
    }
    this.timer = setInterval(() => this.schedule(), options.pollIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Starts watching; the callback runs after the contents differ from what they were at start. */
  static async start(
    files: readonly string[],
    onChange: () => void,
    options: FileWatchOptions = {},
  ): Promise<FileSetWatcher> {
    const w = new FileSetWatcher(files, onChange, options);
    w.lastDigest = await w.digest();
    return w;
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  private async digest(): Promise<string> {
    const h = createHash('sha256');
    for (const f of this.files) {
      try {
        h.update(await readFile(f));
      } catch (err) {
        h.update(`missing:${(err as NodeJS.ErrnoException).code ?? ''}`);
      }
      h.update('\0');
    }
    return h.digest('hex');
  }

  private async check(): Promise<void> {
    if (this.checking || this.closed) return;
    this.checking = true;
    try {
      const d = await this.digest();
      if (d !== this.lastDigest) {
        this.lastDigest = d;
        this.onChange();
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
  }
}

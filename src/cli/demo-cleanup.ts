/**
 * Everything a demo run must undo — its temporary directory, Prometheus, listeners, its lock — on
 * every way out: an orderly stop (SIGINT, SIGTERM, a start-up error) undoes it in reverse order
 * and waits; anything else that ends the process (process.exit, an uncaught exception, a second
 * Ctrl-C) goes through the 'exit' event, where only synchronous undo steps can run.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEMP_PREFIX = 'metrics-adapter-demo-';

interface UndoStep {
  orderly: () => Promise<void> | void;
  /** What can still be done synchronously when the process is already exiting. */
  atExit?: () => void;
}

/** How long an orderly stop may take before the synchronous steps take over. */
const ORDERLY_LIMIT_MS = 8_000;

export class DemoCleanup {
  private readonly steps: UndoStep[] = [];
  private tempDir: string | undefined;
  private finished = false;
  private signalled = false;
  private readonly onExit = (): void => this.runAtExit();

  constructor() {
    process.on('exit', this.onExit);
  }

  /** The run's own directory under the system temporary directory, removed on every exit path. */
  async makeTempDir(): Promise<string> {
    this.tempDir ??= await mkdtemp(join(tmpdir(), TEMP_PREFIX));
    return this.tempDir;
  }

  /** True once a stop has begun: what exits from now on is expected. */
  get stopping(): boolean {
    return this.signalled || this.finished;
  }

  add(step: UndoStep): void {
    this.steps.push(step);
  }

  /** Undoes everything, newest first; a failing step does not stop the others. */
  async run(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const limit = setTimeout(() => this.runAtExit(), ORDERLY_LIMIT_MS);
    limit.unref();
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.orderly();
      } catch {
        // best effort: the next steps still run
      }
    }
    clearTimeout(limit);
    if (this.tempDir !== undefined)
      await rm(this.tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    this.tempDir = undefined;
    process.off('exit', this.onExit);
  }

  private runAtExit(): void {
    this.finished = true;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        step.atExit?.();
      } catch {
        // best effort
      }
    }
    if (this.tempDir !== undefined) {
      try {
        rmSync(this.tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      } catch {
        // nothing more can be done while exiting
      }
      this.tempDir = undefined;
    }
  }

  /**
   * SIGINT/SIGTERM stop the demo in order and exit 0 (a second one exits at once); SIGHUP calls
   * `reload`. Installed before anything starts, so a signal during start-up cleans up too.
   */
  handleSignals(say: (line: string) => void, reload: () => void): void {
    const stop = (signal: NodeJS.Signals): void => {
      if (this.signalled) process.exit(1);
      this.signalled = true;
      say(`${signal}: stopping the demo…`);
      void this.run().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', reload);
  }
}

/**
 * Child processes for tests: start one, collect its output line by line (bounded), wait for a
 * line that matches, and stop it (SIGTERM, then SIGKILL after a grace period).
 * runProcess() runs a command to completion with a hard timeout.
 * Children still alive when the test process exits are SIGKILLed so nothing outlives a test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputLine {
  /** Position in the process's whole output (both streams), starting at 0. */
  index: number;
  stream: OutputStream;
  line: string;
}

export type LineMatcher = string | RegExp | ((line: string, stream: OutputStream) => boolean);

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  cwd?: string;
  /** Full environment of the child; default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Name used in error messages; default: the command's base name. */
  name?: string;
  /** Lines kept in memory (oldest dropped first); default 10 000. */
  maxLines?: number;
  /** Echo each line to this process's stderr, prefixed with the name (debugging). */
  echo?: boolean;
}

export interface WaitForOutputOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Default 'both'. */
  stream?: OutputStream | 'both';
  /** Only consider lines with index >= fromLine; default 0 (lines already received count too). */
  fromLine?: number;
}

export interface StopOptions {
  /** Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** Time between the signal and SIGKILL; default 5 000 ms. */
  graceMs?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Undefined while running. */
  readonly exit: ExitResult | undefined;
  /** Index the next line will get; pass as fromLine to wait only for new output. */
  nextLineIndex(): number;
  lines(stream?: OutputStream | 'both'): OutputLine[];
  output(stream?: OutputStream | 'both'): string;
  /** The last n lines, for error messages. */
  tail(n?: number, stream?: OutputStream | 'both'): string;
  /** Resolves with the first matching line; rejects on timeout or if the process exits first. */
  waitForOutput(match: LineMatcher, opts?: WaitForOutputOptions): Promise<OutputLine>;
  waitForExit(timeoutMs?: number): Promise<ExitResult>;
  stop(opts?: StopOptions): Promise<ExitResult>;
}

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Default 30 000 ms; the child is SIGKILLed when it is exceeded. */
  timeoutMs?: number;
  /** Cap on collected stdout/stderr, each; default 16 MiB. */
  maxOutputBytes?: number;
}

export interface RunProcessResult extends ExitResult {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function matches(matcher: LineMatcher, line: OutputLine): boolean {
  if (typeof matcher === 'string') return line.line.includes(matcher);
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0;
    return matcher.test(line.line);
  }
  return matcher(line.line, line.stream);
}

function describe(matcher: LineMatcher): string {
  if (typeof matcher === 'string') return JSON.stringify(matcher);
  if (matcher instanceof RegExp) return matcher.toString();
  return 'predicate';
}

/** Absolute path of an executable: the first of `preferred` that exists, else a PATH lookup. */
export async function findExecutable(
  name: string,
  preferred: readonly string[] = [],
): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);
  const candidates = [...preferred, ...dirs.map((d) => path.join(d, name))];
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try next
    }
  }
  return undefined;
}

class Process implements ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  exit: ExitResult | undefined;
  readonly #buffer: OutputLine[] = [];
  readonly #maxLines: number;
  readonly #echo: boolean;
  #next = 0;
  readonly #listeners = new Set<(line: OutputLine | undefined) => void>();
  readonly #exitWaiters = new Set<(r: ExitResult) => void>();

  constructor(name: string, child: ChildProcess, maxLines: number, echo: boolean) {
    this.name = name;
    this.child = child;
    if (child.pid === undefined) throw new Error(`${name}: spawned without a pid`);
    this.pid = child.pid;
    this.#maxLines = maxLines;
    this.#echo = echo;
    this.#attach('stdout');
    this.#attach('stderr');
    child.once('exit', (code, signal) => {
      // Give the stdio streams a moment to deliver their final chunks.
      setImmediate(() => {
        this.exit = { code, signal };
        for (const l of this.#listeners) l(undefined);
        for (const w of this.#exitWaiters) w({ code, signal });
        this.#exitWaiters.clear();
      });
    });
  }

  #attach(stream: OutputStream): void {
    const readable = this.child[stream];
    if (readable === null) return;
    readable.setEncoding('utf8');
    let partial = '';
    readable.on('data', (chunk: string) => {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl !== -1) {
        this.#push(stream, partial.slice(0, nl).replace(/\r$/, ''));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      if (partial.length > 1_000_000) {
        this.#push(stream, partial);
        partial = '';
      }
    });
    readable.once('end', () => {
      if (partial.length > 0) this.#push(stream, partial);
      partial = '';
    });
  }

  #push(stream: OutputStream, text: string): void {
    const line: OutputLine = { index: this.#next++, stream, line: text };
    this.#buffer.push(line);
    if (this.#buffer.length > this.#maxLines) this.#buffer.splice(0, this.#buffer.length - this.#maxLines);
    if (this.#echo) process.stderr.write(`[${this.name} ${stream}] ${text}\n`);
    for (const l of this.#listeners) l(line);
  }

  nextLineIndex(): number {
    return this.#next;
  }

  lines(stream: OutputStream | 'both' = 'both'): OutputLine[] {
    return this.#buffer.filter((l) => stream === 'both' || l.stream === stream);
  }

  output(stream: OutputStream | 'both' = 'both'): string {
    return this.lines(stream)
      .map((l) => l.line)
      .join('\n');
  }

  tail(n = 40, stream: OutputStream | 'both' = 'both'): string {
    return this.lines(stream)
      .slice(-n)
      .map((l) => l.line)
      .join('\n');
  }

  waitForOutput(match: LineMatcher, opts: WaitForOutputOptions = {}): Promise<OutputLine> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const stream = opts.stream ?? 'both';
    const fromLine = opts.fromLine ?? 0;
    const eligible = (l: OutputLine): boolean =>
      l.index >= fromLine && (stream === 'both' || l.stream === stream) && matches(match, l);
    const already = this.#buffer.find(eligible);
    if (already) return Promise.resolve(already);
    if (this.exit) {
      return Promise.reject(
        new Error(
          `${this.name} exited (${this.#exitText()}) before printing ${describe(match)}; output:\n${this.tail()}`,
        ),
      );
    }
    return new Promise<OutputLine>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const listener = (line: OutputLine | undefined): void => {
        if (line === undefined) {
          done();
          reject(
            new Error(
              `${this.name} exited (${this.#exitText()}) before printing ${describe(match)}; output:\n${this.tail()}`,
            ),
          );
          return;
        }
        if (eligible(line)) {
          done();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `${this.name}: no output matching ${describe(match)} within ${timeoutMs} ms; output:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      this.#listeners.add(listener);
    });
  }

  #exitText(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `code ${String(this.exit.code)}`;
  }

  waitForExit(timeoutMs = 10_000): Promise<ExitResult> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise<ExitResult>((resolve, reject) => {
      const waiter = (r: ExitResult): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.#exitWaiters.delete(waiter);
        reject(new Error(`${this.name} (pid ${this.pid}) did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#exitWaiters.add(waiter);
    });
  }

  async stop(opts: StopOptions = {}): Promise<ExitResult> {
    if (this.exit) return this.exit;
    const graceMs = opts.graceMs ?? 5_000;
    this.child.kill(opts.signal ?? 'SIGTERM');
    try {
      return await this.waitForExit(graceMs);
    } catch {
      this.child.kill('SIGKILL');
      return await this.waitForExit(5_000);
    }
  }
}

/** Spawns command; resolves once the process is running (rejects if it cannot be spawned). */
export function startProcess(
  command: string,
  args: readonly string[],
  opts: StartProcessOptions = {},
): Promise<ManagedProcess> {
  const name = opts.name ?? path.basename(command);
  return new Promise<ManagedProcess>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onError = (err: Error): void => {
      reject(new Error(`${name}: cannot start ${command}: ${err.message}`, { cause: err }));
    };
    child.once('error', onError);
    child.once('spawn', () => {
      child.off('error', onError);
      child.on('error', () => {
        // later errors (e.g. kill on an exited process) surface through exit/timeout handling
      });
      track(child);
      resolve(new Process(name, child, opts.maxLines ?? 10_000, opts.echo ?? false));
    });
  });
}

/** Runs a command to completion; never waits longer than timeoutMs (+ a short kill grace). */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: RunProcessOptions = {},
): Promise<RunProcessResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise<RunProcessResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < maxBytes) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < maxBytes) err.push(b);
      errBytes += b.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      // If even SIGKILL does not produce 'close' (stuck stdio), give up after a short grace.
      setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`${command} did not finish within ${timeoutMs} ms and did not exit after SIGKILL`));
      }, 2_000).unref();
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new Error(`cannot run ${command}: ${e.message}`, { cause: e }));
    });
    child.once('spawn', () => track(child));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      // the child may exit without reading its input
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Starts the machine's `prometheus` binary for the demo, on a free loopback port, scraping the
 * demo exporter every 2 s, with its configuration and data in a directory the caller owns (and
 * removes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import type { PrometheusOptions } from '../config/serve-options.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../logging.js';
import { connectPrometheus, type PrometheusConnection } from '../prometheus/index.js';
import { SelfMetrics } from '../self-metrics.js';
import { probePrometheus } from './rule-tools/prometheus-probe.js';

export const DEMO_SCRAPE_INTERVAL_S = 2;

export interface LocalPrometheus {
  url: string;
  pid: number;
  /** Resolves when Prometheus exits, whoever stopped it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** For synchronous exit paths: SIGKILL without waiting. */
  kill(): void;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startLocalPrometheus(
  target: string,
  dir: string,
  binary = 'prometheus',
): Promise<LocalPrometheus> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, 'prometheus.yml');
  const interval = `${DEMO_SCRAPE_INTERVAL_S}s`;
  await writeFile(
    config,
    `global:\n  scrape_interval: ${interval}\n  evaluation_interval: ${interval}\nscrape_configs:\n  - job_name: demo\n    honor_labels: true\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A failed spawn emits 'error' and no 'exit'.
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? `the demo needs Prometheus: "${binary}" is not on PATH (Debian/Ubuntu: apt-get install -y prometheus), or give --prometheus-url`
            : `cannot start ${binary}: ${err.message}`,
        ),
      ),
    );
    void exited.then(({ code }) =>
      reject(new Error(`prometheus exited with code ${code ?? '?'}: ${stderr.trim()}`)),
    );
  });
  spawnError.catch(() => undefined);
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  const ready = (async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus did not become ready within 30 s: ${stderr.trim()}`);
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (err) {
    kill();
    throw err;
  }
  return {
    url,
    pid: child.pid ?? 0,
    exited,
    kill,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(kill, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * The samples the demo waits for before it starts the adapter: enough to fill the demo rules' 10 s
 * rate windows at a 2 s scrape interval (a rate needs two; fewer than a window's worth reads low).
 */
export const DEMO_FIRST_SAMPLES = 5;

/**
 * Waits until Prometheus holds at least `samples` samples of `metric`, polling once a second;
 * false when `timeoutMs` passes first.
 */
export async function waitForSamples(
  prometheusUrl: string,
  metric: string,
  timeoutMs: number,
  samples = 2,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const query = encodeURIComponent(`max(count_over_time(${metric}[1m]))`);
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${query}`, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
      const value = Number(body.data?.result?.[0]?.value?.[1] ?? 0);
      if (value >= samples) return true;
    } catch {
      // Prometheus answers again on the next try, or the deadline says so.
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}

/**
 * Whether the Prometheus the user named (`--prometheus-url`, with the Prometheus flags'
 * credentials) answers a query, trying every 2 s for up to `timeoutMs` since it may be starting:
 * undefined once it does, else the last error.
 */
export async function reachPrometheus(o: PrometheusOptions, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let connection: PrometheusConnection | undefined;
  try {
    connection = await connectPrometheus(
      o,
      new SelfMetrics({ processMetrics: false }),
      createLogger('silent'),
    );
    for (;;) {
      try {
        await probePrometheus(connection.client);
        return undefined;
      } catch (err) {
        if (Date.now() + 2_000 > deadline) return errorMessage(err);
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  } catch (err) {
    // A credentials file that cannot be read: as unreachable, with its own reason.
    return errorMessage(err);
  } finally {
    connection?.close();
  }
}

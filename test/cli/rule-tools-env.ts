/**
 * What the check and explain tests share: a real Prometheus scraping an exporter that serves
 * application series (counters, gauges, a NaN), external-style series and the cAdvisor / node
 * usage series resourceRules read; and running the real CLI as a child process.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mainScript } from '../helpers/adapter.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { runProcess, type RunProcessResult } from '../helpers/process.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

export interface RuleToolsEnv {
  tmp: TempDir;
  exporter: Exporter;
  prom: PrometheusInstance;
  /** Writes `text` to `<tmp>/<name>` and returns the path. */
  file(name: string, text: string): Promise<string>;
  close(): Promise<void>;
}

export const PODS = ['web-0', 'web-1', 'web-2'];

export async function startRuleToolsEnv(prefix: string): Promise<RuleToolsEnv> {
  const tmp = await makeTempDir(prefix);
  const exporter = await startExporter();
  const started = Date.now();
  const tick = (): void => {
    const t = (Date.now() - started) / 1000;
    PODS.forEach((pod, i) => {
      exporter.set(
        'http_requests_total',
        { namespace: 'shop', pod, service: 'web' },
        Math.floor(t * (i + 1) * 100) / 100,
      );
      exporter.set(
        'container_cpu_usage_seconds_total',
        { namespace: 'shop', pod, container: 'app' },
        Math.floor(t * 0.25 * (i + 1) * 1000) / 1000,
      );
    });
    exporter.set('node_cpu_usage_seconds_total', { node: 'node-a' }, Math.floor(t * 1.5 * 1000) / 1000);
  };
  tick();
  const timer = setInterval(tick, 100);
  timer.unref();
  // Gauges: web-2's is NaN; "stray" is a pod nobody asks for.
  exporter.set('queue_depth', { namespace: 'shop', pod: 'web-0' }, 5);
  exporter.set('queue_depth', { namespace: 'shop', pod: 'web-1' }, 7);
  exporter.set('queue_depth', { namespace: 'shop', pod: 'web-2' }, Number.NaN);
  exporter.set('queue_depth', { namespace: 'shop', pod: 'stray' }, 9);
  exporter.set('orphan_gauge', { site: 'a' }, 1);
  exporter.set('jobs_waiting', { namespace: 'queue', queue: 'orders' }, 3);
  exporter.set('jobs_waiting', { namespace: 'queue', queue: 'billing' }, 4);
  PODS.forEach((pod, i) =>
    exporter.set(
      'container_memory_working_set_bytes',
      { namespace: 'shop', pod, container: 'app' },
      (i + 1) * 1048576,
    ),
  );
  exporter.set('node_memory_working_set_bytes', { node: 'node-a' }, 2147483648);
  const prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
  // irate() needs two samples: wait until the usage queries answer.
  await prom.waitForQuery('irate(container_cpu_usage_seconds_total[4m])', {
    accept: (s) => s.length === PODS.length,
    timeoutMs: 30_000,
  });
  await prom.waitForQuery('irate(node_cpu_usage_seconds_total[4m])', { timeoutMs: 30_000 });
  return {
    tmp,
    exporter,
    prom,
    async file(name, text) {
      const path = join(tmp.path, name);
      await writeFile(path, text);
      return path;
    },
    async close() {
      clearInterval(timer);
      await prom.stop();
      await exporter.close();
      await tmp.remove();
    },
  };
}

/** Runs `metrics-adapter <args>` (the real CLI) to completion. */
export function runCli(args: readonly string[]): Promise<RunProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', mainScript(), ...args], { timeoutMs: 60_000 });
}

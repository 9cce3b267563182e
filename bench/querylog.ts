/**
 * Prometheus's query log, switched on only while checking what reaches Prometheus: the config
 * file gets `global.query_log_file`, Prometheus reloads it (/-/reload), and every PromQL it
 * evaluates is logged as one JSON line. Off again before anything is timed.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { PrometheusInstance } from '../test/helpers/prometheus.js';

interface PromConfig {
  global?: Record<string, unknown>;
  [key: string]: unknown;
}

async function setQueryLog(prom: PrometheusInstance, file: string | undefined): Promise<void> {
  const config = parse(await readFile(prom.configFile, 'utf8')) as PromConfig;
  const global = { ...(config.global ?? {}) };
  if (file === undefined) delete global.query_log_file;
  else global.query_log_file = file;
  config.global = global;
  await writeFile(prom.configFile, stringify(config));
  const res = await fetch(`${prom.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`prometheus reload failed: HTTP ${res.status} ${text}`);
}

/** Runs `fn` with the query log on; returns the PromQL texts Prometheus evaluated meanwhile. */
export async function captureQueries(prom: PrometheusInstance, fn: () => Promise<void>): Promise<string[]> {
  const file = path.join(path.dirname(prom.configFile), 'queries.log');
  await rm(file, { force: true });
  await setQueryLog(prom, file);
  try {
    await fn();
  } finally {
    await setQueryLog(prom, undefined);
  }
  const text = await readFile(file, 'utf8').catch(() => '');
  await rm(file, { force: true });
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { params?: { query?: string } }).params?.query ?? '');
}

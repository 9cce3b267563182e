/**
 * A tiny Prometheus exporter on 127.0.0.1 serving /metrics in the text exposition format 0.0.4.
 * Series are set and removed by the test; a name ending in `_total` is typed counter, anything
 * else gauge. Label values are escaped as the format requires (backslash, double quote, newline);
 * NaN, +Inf and -Inf are written the way Prometheus parses them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './ports.js';

export type Labels = Record<string, string>;

export interface Exporter {
  /** "127.0.0.1:<port>", ready to put into a scrape config. */
  readonly target: string;
  readonly url: string;
  /** Number of GET /metrics answered so far. */
  readonly scrapeCount: number;
  set(name: string, labels: Labels, value: number): void;
  /** Without labels, removes every series of the metric; with labels, the series with exactly those labels. */
  remove(name: string, labels?: Labels): void;
  /** The exposition text /metrics would serve now. */
  render(): string;
  close(): Promise<void>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function validate(name: string, labels: Labels): void {
  if (!METRIC_NAME.test(name)) throw new Error(`exporter: invalid metric name ${JSON.stringify(name)}`);
  for (const key of Object.keys(labels)) {
    if (!LABEL_NAME.test(key) || key.startsWith('__')) {
      throw new Error(`exporter: invalid label name ${JSON.stringify(key)} on ${name}`);
    }
  }
}

interface Series {
  labels: Labels;
  value: number;
}

export function startExporter(): Promise<Exporter> {
  const families = new Map<string, Map<string, Series>>();
  let scrapes = 0;

  const render = (): string => {
    const out: string[] = [];
    for (const name of [...families.keys()].sort()) {
      const series = families.get(name);
      if (!series || series.size === 0) continue;
      out.push(`# HELP ${name} Test metric ${name}.`);
      out.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`);
      for (const s of series.values()) {
        const pairs = Object.entries(s.labels)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
        out.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatSampleValue(s.value)}`);
      }
    }
    return out.length > 0 ? `${out.join('\n')}\n` : '';
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' }).end();
      return;
    }
    scrapes++;
    const body = render();
    res.writeHead(200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 1_000;

  return new Promise<Exporter>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const target = `${LOOPBACK}:${port}`;
      resolve({
        target,
        url: `http://${target}/metrics`,
        get scrapeCount() {
          return scrapes;
        },
        set(name, labels, value) {
          validate(name, labels);
          let series = families.get(name);
          if (!series) {
            series = new Map();
            families.set(name, series);
          }
          series.set(labelKey(labels), { labels: { ...labels }, value });
        },
        remove(name, labels) {
          if (labels === undefined) {
            families.delete(name);
            return;
          }
          families.get(name)?.delete(labelKey(labels));
        },
        render,
        close() {
          return new Promise<void>((res, rej) => {
            server.close((err) => (err ? rej(err) : res()));
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

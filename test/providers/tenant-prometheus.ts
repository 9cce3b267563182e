/**
 * A Prometheus stand-in on 127.0.0.1 for the tenant tests: it answers series, label values and
 * instant queries from a fixed list of series, and records every call with its tenant header, so
 * a test sees what each rule really sent and under which tenant.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSeriesSelector } from '../../src/promql/index.js';
import { regexMatches } from './fakes.js';

export interface RecordedCall {
  endpoint: 'series' | 'label_values' | 'query';
  /** X-Scope-OrgID as received; undefined when absent. */
  tenant: string | undefined;
  /** match[] of a series or label-values call; the PromQL of a query. */
  promql: string[];
}

export interface TenantPrometheus {
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

type Series = Record<string, string>;

function matches(selector: string, s: Series): boolean {
  const sel = parseSeriesSelector(selector);
  if (sel.metricName !== undefined && sel.metricName !== s.__name__) return false;
  return sel.matchers.every((m) => {
    const v = s[m.name] ?? '';
    if (m.op === '=') return v === m.value;
    if (m.op === '!=') return v !== m.value;
    if (m.op === '=~') return regexMatches(m.value, v);
    return !regexMatches(m.value, v);
  });
}

/** `delayMs`: how long each answer is held (to keep calls in flight together). */
export async function startTenantPrometheus(series: Series[], delayMs = 0): Promise<TenantPrometheus> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      const url = new URL(req.url ?? '/', 'http://prometheus');
      const params =
        req.method === 'POST'
          ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
          : url.searchParams;
      const header = req.headers['x-scope-orgid'];
      const tenant = Array.isArray(header) ? header.join(',') : header;
      let data: unknown;
      if (url.pathname.endsWith('/api/v1/series')) {
        const sel = params.getAll('match[]');
        calls.push({ endpoint: 'series', tenant, promql: sel });
        data = series.filter((s) => sel.some((m) => matches(m, s)));
      } else if (url.pathname.endsWith('/api/v1/label/__name__/values')) {
        const sel = params.getAll('match[]');
        calls.push({ endpoint: 'label_values', tenant, promql: sel });
        data = [...new Set(series.filter((s) => sel.some((m) => matches(m, s))).map((s) => s.__name__))];
      } else {
        calls.push({ endpoint: 'query', tenant, promql: [params.get('query') ?? ''] });
        const now = Date.now() / 1000;
        data = {
          resultType: 'vector',
          result: series.map((s) => ({ metric: { ...s, __name__: undefined }, value: [now, '1'] })),
        };
      }
      setTimeout(() => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ status: 'success', data }));
      }, delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

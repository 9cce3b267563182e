/**
 * A stand-in for the Prometheus query API over plain HTTP on loopback that can hold queries open:
 * for tests of deadlines, cancellation and concurrency limits. It records every request (the
 * `query` and `timeout` parameters, whether the client hung up before the answer) and answers an
 * instant vector with one series per value of `answerLabel` found in the query's `=~"a|b"` or
 * `="a"` matcher for that label (value 1), so split queries can be told apart. Series lookups
 * (`/api/v1/series`, for metric discovery) are answered at once with the series it was given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './ports.js';

export interface HeldQuery {
  query: string;
  timeout: string | undefined;
  method: string;
  /** Set when the client closed the connection before the answer was written. */
  abandoned: boolean;
  answered: boolean;
  release(): void;
}

export interface HeldPrometheus {
  url: string;
  readonly queries: HeldQuery[];
  /** Hold new queries until released (true) or answer at once (false). */
  hold: boolean;
  /** Queries received and not yet answered or abandoned. */
  open(): HeldQuery[];
  /** Waits (bounded) until `predicate` holds over the recorded queries. */
  waitFor(predicate: (queries: readonly HeldQuery[]) => boolean, timeoutMs?: number): Promise<void>;
  releaseAll(): void;
  close(): Promise<void>;
}

function namesIn(query: string, label: string): string[] {
  const re = new RegExp(`${label}(=~?)"((?:[^"\\\\]|\\\\.)*)"`);
  const m = re.exec(query);
  if (m === null) return [];
  const raw = (m[2] ?? '').replace(/\\\\/g, '\\');
  return m[1] === '=' ? [raw] : raw.split('|').map((n) => n.replace(/\\(.)/g, '$1'));
}

export async function startHeldPrometheus(
  options: { answerLabel?: string; series?: Record<string, string>[] } = {},
): Promise<HeldPrometheus> {
  const label = options.answerLabel ?? 'pod';
  const queries: HeldQuery[] = [];
  const state = { hold: true };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      if (!url.pathname.endsWith('/api/v1/query')) {
        const data = url.pathname.endsWith('/api/v1/series') ? (options.series ?? []) : [];
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data }));
        return;
      }
      const query = params.get('query') ?? '';
      const answer = (): void => {
        if (held.abandoned || held.answered) return;
        held.answered = true;
        const result = namesIn(query, label).map((name) => ({
          metric: { [label]: name },
          value: [Date.now() / 1000, '1'],
        }));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
      };
      const held: HeldQuery = {
        query,
        timeout: params.get('timeout') ?? undefined,
        method: req.method ?? '',
        abandoned: false,
        answered: false,
        release: answer,
      };
      res.on('close', () => {
        if (!held.answered) held.abandoned = true;
      });
      queries.push(held);
      if (!state.hold) answer();
    });
  });
  server.listen(0, LOOPBACK);
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}`,
    queries,
    get hold() {
      return state.hold;
    },
    set hold(v: boolean) {
      state.hold = v;
    },
    open: () => queries.filter((q) => !q.answered && !q.abandoned),
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      while (!predicate(queries)) {
        if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    releaseAll: () => {
      for (const q of queries) q.release();
    },
    close: async () => {
      for (const q of queries) q.release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

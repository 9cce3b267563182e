/**
 * The instant query, the one Prometheus call on every metrics request, on plain node:http(s).
 *
 * Series and label-value lookups go through prometheus-query; this hot path does not, because
 * axios plus prometheus-query's result classes cost more CPU per request than the rest of the
 * adapter (measured in docs/benchmarks.md: about 0.9 ms against 0.4 ms for a small answer), and
 * axios asks for gzip, which makes Prometheus compress every answer. Here the answer is read
 * uncompressed and parsed once, straight into samples.
 */
import http from 'node:http';
import https from 'node:https';
import { abortedError } from '../deadline.js';
import { TimeoutError, UnavailableError } from '../errors.js';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';
import type { Sample } from './client.js';
import { scanVectorAnswer } from './vector-scan.js';

export interface QueryTransport {
  /** Base URL without credentials, e.g. http://prometheus:9090/prefix */
  base: URL;
  agent: http.Agent;
  headers: Readonly<Record<string, string>>;
  authorization?: () => Promise<string | undefined> | string | undefined;
  /** "Basic …" from credentials in the configured URL. */
  basicAuth?: string;
  /** The URL as shown in messages (no credentials). */
  display: string;
}

export interface QueryRequest {
  promql: string;
  post: boolean;
  /** What is left of the call's budget: the socket is given up after this long. */
  timeoutMs: number;
  /** The whole budget the caller was given, named in the timeout message (defaults to timeoutMs). */
  budgetMs?: number;
  signal?: AbortSignal;
}

interface ApiEnvelope {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

type VectorItem = { metric?: Record<string, string>; value?: [number, string] };

const MAX_BODY = 256 * 1024 * 1024;

function samplesFrom(data: ApiEnvelope['data'], display: string): Sample[] {
  const type = data?.resultType;
  if (type === 'vector') {
    const items = (data?.result ?? []) as VectorItem[];
    const out: Sample[] = new Array<Sample>(items.length);
    // All samples of an instant query share the evaluation time: one Date for all.
    let lastTs = Number.NaN;
    let lastDate = new Date(0);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const [ts, value] = item?.value ?? [0, 'NaN'];
      if (ts !== lastTs) {
        lastTs = ts;
        lastDate = new Date(ts * 1000);
      }
      out[i] = { labels: item?.metric ?? {}, value: Number(value), timestamp: lastDate };
    }
    return out;
  }
  if (type === 'scalar') {
    const [ts, value] = (data?.result ?? [0, 'NaN']) as [number, string];
    return [{ labels: {}, value: Number(value), timestamp: new Date(ts * 1000) }];
  }
  throw new UnavailableError(
    `Prometheus at ${display} returned a ${type ?? 'missing'} result where an instant vector was expected (check the rule's metricsQuery)`,
  );
}

export async function runInstantQuery(t: QueryTransport, q: QueryRequest): Promise<Sample[]> {
  const params = new URLSearchParams({
    query: q.promql,
    timeout: `${Math.max(1, Math.floor(q.timeoutMs * 0.9))}ms`,
  });
  const path = `${t.base.pathname.replace(/\/$/, '')}/api/v1/query`;
  const body = q.post ? params.toString() : undefined;
  const headers: Record<string, string | number> = {
    ...t.headers,
    Accept: 'application/json',
    'Accept-Encoding': 'identity',
    'User-Agent': 'metrics-adapter',
  };
  const authorization = (await t.authorization?.()) ?? t.basicAuth;
  if (authorization !== undefined) headers.Authorization = authorization;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  const request: Outgoing = {
    method: q.post ? 'POST' : 'GET',
    path: q.post ? path : `${path}?${params.toString()}`,
    headers,
    body,
  };
  // Prometheus closes idle connections after --web.read-timeout, proxies before it sooner.
  const deadline = Date.now() + q.timeoutMs;
  return resendWhileStale(
    () => sendOnce(t, q, request, Math.max(1, deadline - Date.now())),
    MAX_STALE_RESENDS,
  );
}

/** The client's agent keeps at most 64 connections (client.ts). */
export const MAX_STALE_RESENDS = 64;

interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string | number>;
  body: string | undefined;
}

function sendOnce(t: QueryTransport, q: QueryRequest, o: Outgoing, timeoutMs: number): Promise<Sample[]> {
  const mod = t.base.protocol === 'https:' ? https : http;
  return new Promise<Sample[]>((resolve, reject) => {
    let settled = false;
    let responded = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = mod.request(
      {
        protocol: t.base.protocol,
        hostname: t.base.hostname,
        port: t.base.port,
        method: o.method,
        path: o.path,
        headers: o.headers,
        agent: t.agent,
        signal: q.signal,
      },
      (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY)
            res.destroy(new UnavailableError(`Prometheus at ${t.display} answered more than 256 MiB`));
          else chunks.push(c);
        });
        res.on('error', (err) =>
          fail(
            err instanceof UnavailableError
              ? err
              : new UnavailableError(`Prometheus at ${t.display}: ${err.message}`),
          ),
        );
        res.on('end', () => {
          if (settled) return;
          const text = Buffer.concat(chunks, size).toString('utf8');
          const statusCode = res.statusCode ?? 0;
          if (statusCode >= 200 && statusCode < 300) {
            const fast = scanVectorAnswer(text);
            if (fast !== undefined) {
              settled = true;
              clearTimeout(timer);
              resolve(fast);
              return;
            }
          }
          let env: ApiEnvelope;
          try {
            env = JSON.parse(text) as ApiEnvelope;
          } catch {
            fail(
              new UnavailableError(
                `Prometheus at ${t.display} answered ${res.statusCode ?? '?'} with a body that is not JSON: ${text.slice(0, 200)}`,
              ),
            );
            return;
          }
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300 || env.status !== 'success') {
            const reason = (env.error ?? res.statusMessage ?? 'unknown error').slice(0, 500);
            if (env.errorType === 'timeout') {
              fail(new TimeoutError(`Prometheus at ${t.display} timed out evaluating the query: ${reason}`));
            } else {
              fail(new UnavailableError(`Prometheus at ${t.display} answered ${status}: ${reason}`));
            }
            return;
          }
          try {
            const samples = samplesFrom(env.data, t.display);
            settled = true;
            clearTimeout(timer);
            resolve(samples);
          } catch (err) {
            fail(err as Error);
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail(
        new TimeoutError(`Prometheus at ${t.display} did not answer within ${q.budgetMs ?? q.timeoutMs} ms`),
      );
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (q.signal?.aborted === true) {
        fail(abortedError(q.signal));
        return;
      }
      const unreachable = new UnavailableError(`unable to reach Prometheus at ${t.display}: ${err.message}`);
      fail(failedOnStaleConnection(req, err, responded) ? staleFailure(unreachable) : unreachable);
    });
    req.end(o.body);
  });
}

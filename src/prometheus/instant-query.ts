/**
 * The instant query, the one Prometheus call on every metrics request, on plain node:http(s).
 *
 * Label-value lookups and series lists go through prometheus-query; this hot path does not, because
 * axios plus prometheus-query's result classes cost more CPU per request than the rest of the
 * adapter (measured in docs/benchmarks.md: about 0.9 ms against 0.4 ms for a small answer), and
 * axios asks for gzip, which makes Prometheus compress every answer. Here the answer is read
 * uncompressed and parsed once, straight into samples. The transport (transport.ts) is shared
 * with discovery's streamed series lookup (series-shapes.ts).
 */
import { TimeoutError, UnavailableError } from '../errors.js';
import { callApi, MAX_ANSWER_BYTES, type BodyReader, type QueryTransport } from './transport.js';
import type { Sample } from './types.js';
import { scanVectorAnswer } from './vector-scan.js';

export interface QueryRequest {
  promql: string;
  post: boolean;
  /** What is left of the call's budget: the socket is given up after this long. */
  timeoutMs: number;
  /** The whole budget the caller was given, named in the timeout message (defaults to timeoutMs). */
  budgetMs?: number;
  signal?: AbortSignal;
  /** This call's own headers (CallOptions.headers). */
  headers?: Readonly<Record<string, string>>;
}

interface ApiEnvelope {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

type VectorItem = { metric?: Record<string, string>; value?: [number, string] };

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
  return callApi(
    t,
    {
      endpoint: 'query',
      params,
      post: q.post,
      timeoutMs: q.timeoutMs,
      budgetMs: q.budgetMs,
      signal: q.signal,
      headers: q.headers,
    },
    () => new InstantAnswerReader(t.display),
  );
}

/** Holds the whole answer (small: one sample per object asked about), then parses it once. */
class InstantAnswerReader implements BodyReader<Sample[]> {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly display: string) {}

  data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_ANSWER_BYTES)
      throw new UnavailableError(`Prometheus at ${this.display} answered more than 256 MiB`);
    this.chunks.push(chunk);
  }

  end(statusCode: number, statusMessage: string | undefined): Sample[] {
    const display = this.display;
    const text = Buffer.concat(this.chunks, this.size).toString('utf8');
    if (statusCode >= 200 && statusCode < 300) {
      const fast = scanVectorAnswer(text);
      if (fast !== undefined) return fast;
    }
    let env: ApiEnvelope;
    try {
      env = JSON.parse(text) as ApiEnvelope;
    } catch {
      throw new UnavailableError(
        `Prometheus at ${display} answered ${statusCode || '?'} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (statusCode < 200 || statusCode >= 300 || env.status !== 'success') {
      const reason = (env.error ?? statusMessage ?? 'unknown error').slice(0, 500);
      if (env.errorType === 'timeout')
        throw new TimeoutError(`Prometheus at ${display} timed out evaluating the query: ${reason}`);
      throw new UnavailableError(`Prometheus at ${display} answered ${statusCode}: ${reason}`);
    }
    return samplesFrom(env.data, display);
  }
}

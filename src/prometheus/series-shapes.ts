/**
 * The series lookup of discovery: /api/v1/series read as it streams and reduced to series shapes
 * (series-scan.ts), on the transport of the instant query (transport.ts). Not through
 * prometheus-query, which holds the whole answer three times over (text, parsed JSON, its Metric
 * objects) before the adapter keeps one name and a few label names per shape of it.
 */
import { TimeoutError, UnavailableError } from '../errors.js';
import { MalformedAnswerError, SeriesShapeScanner } from './series-scan.js';
import type { SeriesShape } from './shape-set.js';
import { callApi, MAX_ANSWER_BYTES, type BodyReader, type QueryTransport } from './transport.js';

export interface SeriesShapesRequest {
  selectors: readonly string[];
  start: Date;
  end: Date;
  post: boolean;
  timeoutMs: number;
  budgetMs?: number;
  signal?: AbortSignal;
  /** This call's own headers (CallOptions.headers). */
  headers?: Readonly<Record<string, string>>;
  /** Default MAX_ANSWER_BYTES, as for every answer; smaller in tests. */
  maxBytes?: number;
}

/** How much of an answer that is not a series list is quoted in the error. */
const QUOTED_BYTES = 200;

export function runSeriesShapes(t: QueryTransport, r: SeriesShapesRequest): Promise<SeriesShape[]> {
  const params = new URLSearchParams();
  for (const s of r.selectors) params.append('match[]', s);
  params.set('start', String(r.start.getTime() / 1000));
  params.set('end', String(r.end.getTime() / 1000));
  return callApi(
    t,
    {
      endpoint: 'series',
      params,
      post: r.post,
      timeoutMs: r.timeoutMs,
      budgetMs: r.budgetMs,
      signal: r.signal,
      headers: r.headers,
    },
    () => new SeriesShapesReader(t.display, r.maxBytes ?? MAX_ANSWER_BYTES),
  );
}

class SeriesShapesReader implements BodyReader<SeriesShape[]> {
  private readonly scanner = new SeriesShapeScanner();
  /** The start of the body, quoted when it turns out not to be a series list. */
  private head = Buffer.alloc(0);
  private size = 0;

  constructor(
    private readonly display: string,
    private readonly maxBytes: number,
  ) {}

  data(chunk: Buffer, statusCode: number): void {
    // Nothing is held, but every Prometheus answer is capped (docs/security.md): a broken upstream
    // cannot keep discovery reading forever.
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      const limit =
        this.maxBytes % 2 ** 20 === 0 ? `${this.maxBytes / 2 ** 20} MiB` : `${this.maxBytes} bytes`;
      throw new UnavailableError(`Prometheus at ${this.display} answered more than ${limit}`);
    }
    if (this.head.length < QUOTED_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, QUOTED_BYTES - this.head.length)]);
    try {
      this.scanner.write(chunk);
    } catch (err) {
      throw this.malformed(err, statusCode);
    }
  }

  end(statusCode: number, statusMessage: string | undefined): SeriesShape[] {
    let answer;
    try {
      answer = this.scanner.end();
    } catch (err) {
      throw this.malformed(err, statusCode);
    }
    if (statusCode < 200 || statusCode >= 300 || answer.status !== 'success') {
      const reason = (answer.error ?? statusMessage ?? 'unknown error').slice(0, 500);
      if (answer.errorType === 'timeout')
        throw new TimeoutError(`Prometheus at ${this.display} timed out listing series: ${reason}`);
      throw new UnavailableError(`Prometheus at ${this.display} answered ${statusCode}: ${reason}`);
    }
    if (!answer.hasData)
      throw new UnavailableError(
        `Prometheus at ${this.display} answered ${statusCode} without a series list`,
      );
    return answer.shapes;
  }

  private malformed(err: unknown, statusCode: number): Error {
    if (!(err instanceof MalformedAnswerError)) return err as Error;
    return new UnavailableError(
      `Prometheus at ${this.display} answered ${statusCode || '?'} with a body that is not a JSON series list (${err.message}): ${this.head.toString('utf8')}`,
    );
  }
}

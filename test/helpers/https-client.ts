/**
 * Minimal HTTPS client for tests: one request with explicit trust (CA), optional client
 * certificate, headers (repeatable) and a hard timeout; or a newline-delimited JSON stream (watch).
 */
import type http from 'node:http';
import https from 'node:https';

export interface HttpsRequestOptions {
  method?: string;
  /** Trusted CA PEM for the server certificate. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Array values become repeated header lines. */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Default 10 000 ms for the whole exchange. */
  timeoutMs?: number;
  /** Skip server certificate verification. */
  insecure?: boolean;
}

export interface HttpsResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /**
   * JSON.parse(body) typed as T; throws if the body is not JSON or `check` rejects it.
   * Without `check` the type is the caller's claim, not verified.
   */
  json<T = unknown>(check?: (value: unknown) => value is T): T;
}

function requestOptions(url: URL, opts: HttpsRequestOptions): https.RequestOptions {
  const o: https.RequestOptions = {
    method: opts.method ?? 'GET',
    host: url.hostname,
    port: Number(url.port || 443),
    path: `${url.pathname}${url.search}`,
    headers: { ...(opts.headers ?? {}) },
    rejectUnauthorized: opts.insecure !== true,
    agent: false,
  };
  if (opts.ca !== undefined) o.ca = opts.ca;
  if (opts.cert !== undefined) o.cert = opts.cert;
  if (opts.key !== undefined) o.key = opts.key;
  return o;
}

export function httpsRequest(target: string, opts: HttpsRequestOptions = {}): Promise<HttpsResponse> {
  const url = new URL(target);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<HttpsResponse>((resolve, reject) => {
    const req = https.request(requestOptions(url, opts), (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json<T>(check?: (value: unknown) => value is T): T {
            const value: unknown = JSON.parse(body);
            if (check && !check(value))
              throw new Error(`unexpected body from ${target}: ${body.slice(0, 300)}`);
            return value as T;
          },
        });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => {
      req.destroy(
        new Error(`${opts.method ?? 'GET'} ${target}: no complete response within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

export interface JsonLineStream<T> {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Next JSON line; rejects on timeout (default 5 000 ms) or when the stream ends first. */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves true when nothing arrives for ms milliseconds (and the stream is still open). */
  quietFor(ms: number): Promise<boolean>;
  /** Resolves when the server ends or the connection breaks (bounded by timeoutMs, default 5 000). */
  ended(timeoutMs?: number): Promise<'end' | 'error'>;
  close(): void;
}

/**
 * Opens a streaming request (e.g. ?watch=1) and reads newline-delimited JSON values; `check`
 * optionally validates each value (a failing value ends the stream with an error).
 */
export function openJsonLineStream<T = unknown>(
  target: string,
  opts: HttpsRequestOptions & { check?: (value: unknown) => value is T } = {},
): Promise<JsonLineStream<T>> {
  const url = new URL(target);
  const headerTimeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<JsonLineStream<T>>((resolve, reject) => {
    const req = https.request(requestOptions(url, opts), (res) => {
      clearTimeout(headerTimer);
      const queue: T[] = [];
      const waiters: Array<() => void> = [];
      let partial = '';
      let finished: 'end' | 'error' | undefined;
      const wake = (): void => {
        for (const w of waiters.splice(0)) w();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        partial += chunk;
        let nl = partial.indexOf('\n');
        while (nl !== -1) {
          const line = partial.slice(0, nl).trim();
          partial = partial.slice(nl + 1);
          if (line.length > 0) {
            const value: unknown = JSON.parse(line);
            if (opts.check && !opts.check(value)) {
              finished ??= 'error';
              req.destroy();
              break;
            }
            queue.push(value as T);
          }
          nl = partial.indexOf('\n');
        }
        wake();
      });
      res.once('end', () => {
        finished ??= 'end';
        wake();
      });
      res.on('error', () => {
        finished ??= 'error';
        wake();
      });
      res.once('aborted', () => {
        finished ??= 'error';
        wake();
      });
      req.once('close', () => {
        finished ??= 'error';
        wake();
      });
      const waitFor = (cond: () => boolean, timeoutMs: number): Promise<boolean> =>
        new Promise<boolean>((done) => {
          if (cond()) {
            done(true);
            return;
          }
          const timer = setTimeout(() => {
            const i = waiters.indexOf(check);
            if (i !== -1) waiters.splice(i, 1);
            done(false);
          }, timeoutMs);
          const check = (): void => {
            if (cond()) {
              clearTimeout(timer);
              done(true);
            } else {
              waiters.push(check);
            }
          };
          waiters.push(check);
        });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        async next(timeoutMs = 5_000) {
          const ok = await waitFor(() => queue.length > 0 || finished !== undefined, timeoutMs);
          const item = queue.shift();
          if (item !== undefined) return item;
          if (!ok) throw new Error(`no event within ${timeoutMs} ms from ${target}`);
          throw new Error(`stream ${target} ended (${String(finished)}) without further events`);
        },
        async quietFor(ms) {
          const got = await waitFor(() => queue.length > 0 || finished !== undefined, ms);
          return !got;
        },
        async ended(timeoutMs = 5_000) {
          const ok = await waitFor(() => finished !== undefined, timeoutMs);
          if (!ok || finished === undefined)
            throw new Error(`stream ${target} still open after ${timeoutMs} ms`);
          return finished;
        },
        close() {
          req.destroy();
        },
      });
    });
    const headerTimer = setTimeout(() => {
      req.destroy(new Error(`${target}: no response headers within ${headerTimeoutMs} ms`));
    }, headerTimeoutMs);
    req.on('error', (err) => {
      clearTimeout(headerTimer);
      reject(err);
    });
    req.end(opts.body);
  });
}

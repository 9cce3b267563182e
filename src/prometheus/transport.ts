/**
 * One Prometheus HTTP API call on plain node:http(s), for the calls that do not go through
 * prometheus-query: the instant query (buffered, parsed once) and the series lookup of discovery
 * (read as it streams). The call's body is handed to a reader chunk by chunk, so a reader decides
 * whether anything is held.
 *
 * Same behaviour for every such call: the client's keep-alive agent (CA, client certificate),
 * configured headers, the Authorization of the token file or kubeconfig (else the URL's basic
 * credentials), POST with a form body when asked, `Accept-Encoding: identity` (Prometheus need
 * not compress what we read once), a socket deadline, the caller's abort signal, and sending again
 * on a kept-alive connection the far end had closed (stale-connection.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { abortedError } from '../deadline.js';
import { ApiError, TimeoutError, UnavailableError } from '../errors.js';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../stale-connection.js';

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

/** No answer is read past this, streamed or not (docs/security.md: a hostile or broken upstream). */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** The client's agent keeps at most 64 connections (client.ts). */
export const MAX_STALE_RESENDS = 64;

export interface ApiCall {
  /** The API path below /api/v1/, e.g. `query` or `series`. */
  endpoint: string;
  params: URLSearchParams;
  post: boolean;
  /** What is left of the call's budget: the socket is given up after this long. */
  timeoutMs: number;
  /** The whole budget the caller was given, named in the timeout message (defaults to timeoutMs). */
  budgetMs?: number;
  signal?: AbortSignal;
  /** This call's own headers (CallOptions.headers), over the transport's. */
  headers?: Readonly<Record<string, string>>;
}

/** Reads one answer's body. A fresh reader is made for every send (a stale connection is resent). */
export interface BodyReader<T> {
  /** The next bytes of the body; throwing an ApiError gives the call up with it. */
  data(chunk: Buffer, statusCode: number): void;
  /** The body is complete: the call's result, or it throws the call's error. */
  end(statusCode: number, statusMessage: string | undefined): T;
}

interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string | number>;
  body: string | undefined;
}

export async function callApi<T>(t: QueryTransport, call: ApiCall, reader: () => BodyReader<T>): Promise<T> {
  const path = `${t.base.pathname.replace(/\/$/, '')}/api/v1/${call.endpoint}`;
  const body = call.post ? call.params.toString() : undefined;
  const headers: Record<string, string | number> = {
    ...t.headers,
    ...call.headers,
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
    method: call.post ? 'POST' : 'GET',
    path: call.post ? path : `${path}?${call.params.toString()}`,
    headers,
    body,
  };
  // Prometheus closes idle connections after --web.read-timeout, proxies before it sooner.
  const deadline = Date.now() + call.timeoutMs;
  return resendWhileStale(
    () => sendOnce(t, call, request, Math.max(1, deadline - Date.now()), reader()),
    MAX_STALE_RESENDS,
  );
}

function sendOnce<T>(
  t: QueryTransport,
  call: ApiCall,
  o: Outgoing,
  timeoutMs: number,
  reader: BodyReader<T>,
): Promise<T> {
  const mod = t.base.protocol === 'https:' ? https : http;
  return new Promise<T>((resolve, reject) => {
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
        signal: call.signal,
      },
      (res) => {
        responded = true;
        res.on('data', (c: Buffer) => {
          if (settled) return;
          try {
            reader.data(c, res.statusCode ?? 0);
          } catch (err) {
            res.destroy(err as Error);
          }
        });
        res.on('error', (err) => {
          if (err instanceof ApiError) fail(err);
          else if (call.signal?.aborted === true) fail(abortedError(call.signal));
          else fail(new UnavailableError(`Prometheus at ${t.display}: ${err.message}`));
        });
        res.on('end', () => {
          if (settled) return;
          try {
            const result = reader.end(res.statusCode ?? 0, res.statusMessage);
            settled = true;
            clearTimeout(timer);
            resolve(result);
          } catch (err) {
            fail(err as Error);
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail(
        new TimeoutError(
          `Prometheus at ${t.display} did not answer within ${call.budgetMs ?? call.timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (call.signal?.aborted === true) {
        fail(abortedError(call.signal));
        return;
      }
      const unreachable = new UnavailableError(`unable to reach Prometheus at ${t.display}: ${err.message}`);
      fail(failedOnStaleConnection(req, err, responded) ? staleFailure(unreachable) : unreachable);
    });
    req.end(o.body);
  });
}

/**
 * Small shared pieces of the integration tests: metav1.Status assertions, bounded waiting, the
 * fake kube-apiserver's SubjectAccessReview log, and peer-certificate fingerprints.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { SarLogEntry } from '../helpers/fake-kube.js';
import type { HttpsResponse } from '../helpers/https-client.js';

export interface StatusBody {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string };
}

/** An answer as `httpsRequest` or `rawHttpsRequest` gives it. */
export type AnswerLike = Pick<HttpsResponse, 'status' | 'body'> & {
  headers: Record<string, string | string[] | undefined>;
};

/** Asserts that `res` is a metav1.Status failure with this code and reason, and returns it. */
export function assertStatus(res: AnswerLike, code: number, reason: string, what = ''): StatusBody {
  const label = `${what} → ${res.status} ${res.body.slice(0, 300)}`;
  assert.equal(res.status, code, label);
  assert.match(String(res.headers['content-type']), /^application\/json/, label);
  const body = JSON.parse(res.body) as StatusBody;
  assert.equal(body.kind, 'Status', label);
  assert.equal(body.apiVersion, 'v1', label);
  assert.deepEqual(body.metadata, {}, label);
  assert.equal(body.status, 'Failure', label);
  assert.equal(body.code, code, label);
  assert.equal(body.reason, reason, label);
  assert.equal(typeof body.message, 'string', label);
  assert.ok(body.message.length > 0, label);
  return body;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `cond` every intervalMs until it holds; throws after timeoutMs. Returns the elapsed ms. */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  { timeoutMs = 5_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const maxChecks = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let i = 1; i <= maxChecks; i++) {
    if (await cond()) return Date.now() - started;
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}

/**
 * Polls `fn` every 250 ms until it returns a value (not undefined), bounded in time; errors on the
 * way are remembered and named if time runs out.
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; Date.now() < deadline && i < Math.ceil(timeoutMs / 250) + 1; i++) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** The SubjectAccessReviews the fake kube-apiserver received since `mark` (a previous length). */
export function sarsSince(log: readonly SarLogEntry[], mark: number): SarLogEntry[] {
  return log.slice(mark);
}

/** Drops empty-string fields: the webhook authorizer omits them (omitempty), ours may send them. */
export function withoutEmpty(attrs: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== '' && v !== undefined) out[k] = v;
  return out;
}

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

export interface ProbeResult {
  ok: boolean;
  status: number;
  fingerprint: string;
  error?: string;
}

/**
 * One GET on a NEW connection (agent: false), verifying the server against `ca`; reports the
 * status and the SHA-256 fingerprint of the certificate the server presented.
 */
export function probe(
  url: string,
  opts: { ca: string; cert?: string; key?: string; timeoutMs?: number },
): Promise<ProbeResult> {
  const target = new URL(url);
  return new Promise<ProbeResult>((resolve) => {
    let fingerprint = '';
    let settled = false;
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = https.request(
      {
        host: target.hostname,
        port: Number(target.port),
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        agent: false,
        rejectUnauthorized: true,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        fingerprint = socket.getPeerCertificate().fingerprint256;
        res.resume();
        res.once('end', () =>
          finish({ ok: res.statusCode === 200, status: res.statusCode ?? 0, fingerprint }),
        );
        res.once('error', (err) => finish({ ok: false, status: 0, fingerprint, error: err.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('probe timed out')), opts.timeoutMs ?? 5_000);
    req.once('error', (err) => finish({ ok: false, status: 0, fingerprint, error: err.message }));
    req.end();
  });
}

/**
 * The request limits of the express app (middleware/limits.ts, the deadline in accounting.ts)
 * over plain HTTP: --max-requests-inflight (429 with Retry-After, probes and /metrics exempt),
 * --request-timeout (504 Timeout, the handler's signal aborted), the request target's length
 * (414) and request bodies (413 on GET, connection closed for any body).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { APIResource, GroupVersionApi } from '../../src/apiserver/api-groups.js';
import type { RequestLimits } from '../../src/apiserver/app.js';
import { apiHandler } from '../../src/apiserver/group-version.js';
import { HealthChecks } from '../../src/apiserver/health.js';
import { REQUEST_TIMEOUT_MESSAGE } from '../../src/apiserver/middleware/accounting.js';
import { MAX_URL_LENGTH, TOO_MANY_REQUESTS_MESSAGE } from '../../src/apiserver/middleware/limits.js';
import { CONNECTION_LIMITS } from '../../src/apiserver/secure-server.js';
import { newRouter } from '../../src/apiserver/router.js';
import { remainingMs } from '../../src/deadline.js';
import { TimeoutError } from '../../src/errors.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { serveApi } from '../helpers/api-app.js';
import { LOOPBACK } from '../helpers/ports.js';

const BASE = '/apis/external.metrics.k8s.io/v1beta1';

/** `/hold/:id` answers when the test releases it (or never); records the signals it was given. */
class HoldingApi implements GroupVersionApi {
  readonly router = newRouter();
  readonly waiting = new Map<string, () => void>();
  readonly signals: AbortSignal[] = [];
  readonly remaining: (number | undefined)[] = [];

  constructor() {
    this.router.get(
      '/hold/:id',
      apiHandler<{ id: string }>(
        (r) =>
          new Promise((resolve, reject) => {
            this.signals.push(r.signal);
            this.remaining.push(remainingMs(r.signal));
            this.waiting.set(r.params.id, () => resolve({ kind: 'Held', id: r.params.id }));
            r.signal.addEventListener(
              'abort',
              () => {
                this.waiting.delete(r.params.id);
                reject(r.signal.reason as Error);
              },
              { once: true },
            );
          }),
      ),
    );
  }

  resources(): APIResource[] {
    return [];
  }

  async waitForHeld(n: number): Promise<void> {
    const until = Date.now() + 5_000;
    while (this.waiting.size < n) {
      if (Date.now() > until) throw new Error(`${n} requests were not held in time`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  releaseAll(): void {
    for (const r of this.waiting.values()) r();
    this.waiting.clear();
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: LOOPBACK,
        port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        timeout: 10_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function status(a: Answer): {
  code: number;
  reason: string;
  message: string;
  details?: { retryAfterSeconds?: number };
} {
  const s = JSON.parse(a.body) as { kind: string; code: number; reason: string; message: string };
  assert.equal(s.kind, 'Status', a.body);
  assert.equal(s.code, a.status);
  return s;
}

async function serve(
  limits: RequestLimits,
): Promise<{ port: number; api: HoldingApi; metrics: SelfMetrics; close(): void }> {
  const api = new HoldingApi();
  const metrics = new SelfMetrics({ processMetrics: false });
  const health = new HealthChecks();
  health.add(['healthz', 'livez', 'readyz'], 'ping', () => undefined);
  const served = await serveApi('external.metrics.k8s.io', 'v1beta1', api, {
    limits,
    metrics,
    health,
    // The head limit of the HTTPS server, so that long targets reach the 414 check as they would there.
    maxHeaderSize: CONNECTION_LIMITS.maxHeaderSize,
  });
  return {
    port: served.port,
    api,
    metrics,
    close: () => {
      api.releaseAll();
      served.close();
    },
  };
}

async function counter(metrics: SelfMetrics, limit: string): Promise<number> {
  const m = await metrics.requestsLimited.get();
  return m.values.find((v) => v.labels.limit === limit)?.value ?? 0;
}

describe('--max-requests-inflight', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    s = await serve({ maxRequestsInflight: 2, requestTimeoutMs: 30_000 });
  });
  after(() => s.close());

  it('answers 429 TooManyRequests with Retry-After: 1 beyond the limit; probes and /metrics still answer', async () => {
    const held = [request(s.port, `${BASE}/hold/a`), request(s.port, `${BASE}/hold/b`)];
    await s.api.waitForHeld(2);
    assert.equal((await s.metrics.limitedInFlight.get()).values[0]?.value, 2);
    const refused = await request(s.port, `${BASE}/hold/c`);
    assert.equal(refused.status, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '1');
    const st = status(refused);
    assert.equal(st.reason, 'TooManyRequests');
    assert.equal(st.message, TOO_MANY_REQUESTS_MESSAGE);
    for (const path of ['/healthz', '/livez', '/readyz', '/readyz/ping', '/metrics']) {
      const r = await request(s.port, path);
      assert.equal(r.status, 200, `${path}: ${r.body}`);
    }
    assert.equal(await counter(s.metrics, 'max_requests_inflight'), 1);
    s.api.releaseAll();
    for (const r of await Promise.all(held)) assert.equal(r.status, 200, r.body);
    // Slots are given back when requests end.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await s.metrics.limitedInFlight.get()).values[0]?.value, 0);
    const again = request(s.port, `${BASE}/hold/d`);
    await s.api.waitForHeld(1);
    s.api.releaseAll();
    assert.equal((await again).status, 200);
  });

  it('a request the client abandons gives its slot back', async () => {
    const sock = net.connect(s.port, LOOPBACK);
    sock.on('error', () => undefined);
    sock.write(`GET ${BASE}/hold/gone HTTP/1.1\r\nHost: x\r\n\r\n`);
    await s.api.waitForHeld(1);
    sock.destroy();
    const until = Date.now() + 5_000;
    while ((await s.metrics.limitedInFlight.get()).values[0]?.value !== 0) {
      assert.ok(Date.now() < until, 'the slot was not given back');
      await new Promise((r) => setTimeout(r, 10));
    }
    s.api.waiting.clear();
  });
});

describe('--request-timeout', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    s = await serve({ requestTimeoutMs: 400 });
  });
  after(() => s.close());

  it('answers 504 Timeout at the deadline and aborts the work behind the request', async () => {
    const r = await request(s.port, `${BASE}/hold/slow`);
    assert.equal(r.status, 504, r.body);
    const st = status(r);
    assert.equal(st.reason, 'Timeout');
    assert.equal(st.message, REQUEST_TIMEOUT_MESSAGE);
    const signal = s.api.signals.at(-1);
    assert.ok(signal !== undefined);
    assert.equal(signal.aborted, true);
    assert.ok(signal.reason instanceof TimeoutError);
    const left = s.api.remaining.at(-1) ?? -1;
    assert.ok(left > 0 && left <= 400, `the handler saw ${left} ms left`);
    assert.equal(await counter(s.metrics, 'request_timeout'), 1);
  });

  it('a request answered in time is not cut', async () => {
    const r = request(s.port, `${BASE}/hold/fast`);
    await s.api.waitForHeld(1);
    s.api.releaseAll();
    assert.equal((await r).status, 200);
  });
});

describe('request target and body', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    s = await serve({ maxUrlLength: MAX_URL_LENGTH });
  });
  after(() => s.close());

  it('a target longer than the limit is a 414 before routing', async () => {
    for (const path of [
      `${BASE}/hold/${'x'.repeat(MAX_URL_LENGTH)}`,
      `/nothing-here?q=${'y'.repeat(MAX_URL_LENGTH)}`,
    ]) {
      const r = await request(s.port, path);
      assert.equal(r.status, 414, r.body);
      assert.equal(status(r).reason, 'RequestURITooLong');
    }
    assert.equal(s.api.signals.length, 0, 'nothing was routed');
    const fits = await request(s.port, `/nothing-here?q=${'y'.repeat(MAX_URL_LENGTH - 100)}`);
    assert.equal(fits.status, 404);
  });

  it('a GET with a body is a 413 and its connection is closed; a write with a body stays a 405, closed', async () => {
    const table: { method: string; headers: Record<string, string>; body?: string; code: number }[] = [
      { method: 'GET', headers: { 'Content-Length': '5' }, body: 'hello', code: 413 },
      { method: 'GET', headers: { 'Transfer-Encoding': 'chunked' }, body: 'hello', code: 413 },
      { method: 'HEAD', headers: { 'Content-Length': '3' }, body: 'abc', code: 413 },
      { method: 'POST', headers: { 'Content-Length': '2' }, body: '{}', code: 405 },
    ];
    for (const row of table) {
      const r = await request(s.port, '/healthz', row);
      assert.equal(r.status, row.code, `${row.method} ${JSON.stringify(row.headers)}`);
      assert.equal(r.headers.connection, 'close');
      if (row.method !== 'HEAD') assert.equal(status(r).code, row.code);
    }
    const plain = await request(s.port, '/healthz', { headers: { 'Content-Length': '0' } });
    assert.equal(plain.status, 200);
  });

  it('a huge announced body is not read: the connection closes after the answer', async () => {
    const sock = net.connect(s.port, LOOPBACK);
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.on('error', () => undefined);
    sock.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
    sock.write(Buffer.alloc(64 * 1024));
    const timer = setTimeout(() => sock.destroy(), 5_000);
    await closed;
    clearTimeout(timer);
    assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 413 /);
  });
});

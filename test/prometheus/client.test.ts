/**
 * The Prometheus client's transport against a stub that speaks the Prometheus HTTP API over
 * mutual TLS: headers, bearer token file (re-read), CA and client certificate, GET vs POST,
 * deadlines, and how upstream failures become typed errors without leaking credentials.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TimeoutError, UnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import {
  connectPrometheus,
  HttpPrometheusClient,
  type PrometheusConnection,
} from '../../src/prometheus/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { createCA, issueCertificate, writePemFiles } from '../helpers/certs.js';
import { freePort, LOOPBACK } from '../helpers/ports.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  clientCN: string | undefined;
}

describe('HttpPrometheusClient transport', () => {
  let tmp: TempDir;
  let server: https.Server;
  let url: string;
  let seen: Seen[] = [];
  let delayMs = 0;
  let answer: (s: Seen) => { status: number; body: unknown } = () => ({
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1_700_000_000, '1.5'] }] },
    },
  });
  let conn: PrometheusConnection;
  let tokenFile: string;
  let caPem: string;
  let clientPem: { cert: string; key: string };

  before(async () => {
    tmp = await makeTempDir('prom-client');
    const ca = await createCA('prom-ca');
    const serving = await issueCertificate(ca, {
      commonName: 'prometheus',
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    const client = await issueCertificate(ca, { commonName: 'adapter', usage: 'client' });
    const clientFiles = await writePemFiles(tmp.path, 'client', client);
    caPem = ca.certPem;
    clientPem = { cert: client.certPem, key: client.keyPem };
    const caFile = join(tmp.path, 'ca.crt');
    await writeFile(caFile, ca.certPem);
    tokenFile = join(tmp.path, 'token');
    await writeFile(tokenFile, 'first-token\n');
    server = https.createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const u = new URL(req.url ?? '/', 'https://x');
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          const s: Seen = {
            method: req.method ?? '',
            path: u.pathname,
            query: u.searchParams,
            body: new URLSearchParams(Buffer.concat(chunks).toString()),
            headers: req.headers,
            clientCN: typeof peer.subject.CN === 'string' ? peer.subject.CN : undefined,
          };
          seen.push(s);
          setTimeout(() => {
            const a = answer(s);
            res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(a.body));
          }, delayMs);
        });
      },
    );
    server.listen(0, LOOPBACK);
    await once(server, 'listening');
    url = `https://${LOOPBACK}:${(server.address() as AddressInfo).port}/prom`;
    conn = await connectPrometheus(
      {
        url,
        headers: { 'X-Scope-OrgID': 'tenant-a' },
        tokenFile,
        caFile,
        clientCertFile: clientFiles.certFile,
        clientKeyFile: clientFiles.keyFile,
        authKubeconfig: undefined,
        authInCluster: false,
        verb: 'GET',
        timeoutMs: 2_000,
        coalesceQueries: true,
      },
      new SelfMetrics({ processMetrics: false }),
      silentLogger(),
    );
  });

  after(async () => {
    conn.close();
    server.closeAllConnections();
    server.close();
    await tmp.remove();
  });

  it('sends short queries by GET under the URL path prefix, with headers, token and client certificate', async () => {
    seen = [];
    const samples = await conn.client.query('sum(up)');
    assert.deepEqual(samples, [{ labels: { pod: 'a' }, value: 1.5, timestamp: new Date(1_700_000_000_000) }]);
    const s = seen[0];
    assert.ok(s);
    assert.equal(s.method, 'GET');
    assert.equal(s.path, '/prom/api/v1/query');
    assert.equal(s.query.get('query'), 'sum(up)');
    assert.match(s.query.get('timeout') ?? '', /^\d+ms$/);
    assert.equal(s.headers['x-scope-orgid'], 'tenant-a');
    // Uncompressed: on a cluster network gzip costs Prometheus more CPU than it saves.
    assert.equal(s.headers['accept-encoding'], 'identity');
    assert.equal(s.headers.authorization, 'Bearer first-token');
    assert.equal(s.clientCN, 'adapter');
  });

  it('sends long queries by POST', async () => {
    seen = [];
    const long = `sum(x{pod=~"${Array.from({ length: 400 }, (_, i) => `pod-${i}`).join('|')}"})`;
    await conn.client.query(long);
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0].body.get('query'), long);
  });

  it('re-reads the token file when it changes', async () => {
    await writeFile(tokenFile, 'second-token\n');
    const deadline = Date.now() + 10_000;
    let auth: string | string[] | undefined;
    while (Date.now() < deadline) {
      seen = [];
      await conn.client.query('up');
      auth = seen[0]?.headers.authorization;
      if (auth === 'Bearer second-token') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(auth, 'Bearer second-token');
  });

  it('lists series and label values', async () => {
    answer = (s) =>
      s.path.endsWith('/series')
        ? { status: 200, body: { status: 'success', data: [{ __name__: 'http_requests_total', pod: 'a' }] } }
        : { status: 200, body: { status: 'success', data: ['http_requests_total', 'up'] } };
    const series = await conn.client.series(['{__name__=~"http_.*"}'], new Date(0), new Date());
    assert.deepEqual(series, [{ __name__: 'http_requests_total', pod: 'a' }]);
    assert.deepEqual(await conn.client.labelValues('__name__', ['{job="x"}'], new Date(0), new Date()), [
      'http_requests_total',
      'up',
    ]);
  });

  it('turns upstream errors into 503 with the upstream reason', async () => {
    answer = () => ({
      status: 422,
      body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' },
    });
    await assert.rejects(
      conn.client.query('sum(}'),
      (e: unknown) => e instanceof UnavailableError && /answered 422: 1:5: parse error/.test(e.message),
    );
    answer = () => ({
      status: 503,
      body: { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' },
    });
    await assert.rejects(
      conn.client.query('up'),
      (e: unknown) => e instanceof UnavailableError && /TSDB not ready/.test(e.message),
    );
  });

  it('gives up at the deadline with a 504', async () => {
    answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } });
    delayMs = 1_000;
    try {
      await assert.rejects(
        conn.client.query('up', { timeoutMs: 200 }),
        // The budget is what is left of the 200 ms when the call starts (a millisecond may be gone).
        (e: unknown) => {
          const ms = e instanceof TimeoutError ? /within (\d+) ms/.exec(e.message)?.[1] : undefined;
          return ms !== undefined && Number(ms) > 150 && Number(ms) <= 200;
        },
      );
    } finally {
      delayMs = 0;
    }
  });

  it('shares one Prometheus call between identical queries in flight', async () => {
    answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } });
    delayMs = 200;
    try {
      seen = [];
      await Promise.all([
        conn.client.query('sum(shared)'),
        conn.client.query('sum(shared)'),
        conn.client.query('sum(other)'),
      ]);
      assert.deepEqual(seen.map((x) => x.query.get('query')).sort(), ['sum(other)', 'sum(shared)']);
      // A caller that goes away does not cancel the call the others wait for.
      seen = [];
      const gone = new AbortController();
      const first = conn.client.query('sum(shared)', { signal: gone.signal });
      const second = conn.client.query('sum(shared)');
      gone.abort();
      await assert.rejects(first, /cancelled/);
      assert.deepEqual(await second, []);
      assert.equal(seen.length, 1);
      const separate = new HttpPrometheusClient({
        url,
        timeoutMs: 2_000,
        coalesce: false,
        transport: { ca: caPem, cert: clientPem.cert, key: clientPem.key },
      });
      try {
        seen = [];
        await Promise.all([separate.query('sum(shared)'), separate.query('sum(shared)')]);
        assert.equal(seen.length, 2, 'with coalescing off every query is sent');
      } finally {
        separate.close();
      }
    } finally {
      delayMs = 0;
    }
  });

  it('does not leak URL credentials when Prometheus is unreachable', async () => {
    const port = await freePort();
    const c = new HttpPrometheusClient({ url: `http://admin:s3cret@${LOOPBACK}:${port}`, timeoutMs: 2_000 });
    try {
      await assert.rejects(
        c.query('up'),
        (e: unknown) =>
          e instanceof UnavailableError &&
          /unable to reach Prometheus at http:\/\/127\.0\.0\.1:\d+/.test(e.message) &&
          !e.message.includes('s3cret'),
      );
    } finally {
      c.close();
    }
  });

  it('reads scalar results and keeps NaN as NaN (callers drop it)', async () => {
    answer = () => ({
      status: 200,
      body: { status: 'success', data: { resultType: 'scalar', result: [1_700_000_000, 'NaN'] } },
    });
    const [s] = await conn.client.query('scalar(x)');
    assert.ok(s);
    assert.ok(Number.isNaN(s.value));
    answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } });
    await assert.rejects(conn.client.query('x[1m]'), /matrix result where an instant vector was expected/);
  });
});

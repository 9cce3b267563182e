/**
 * Discovery's series lookup (HttpPrometheusClient.seriesShapes) over HTTP: the same shapes as
 * shapesOf(series()), the request Prometheus gets (GET or POST, match[], start and end, headers,
 * credentials), answers streamed in pieces, and every failure as a typed error.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { TimeoutError, UnavailableError } from '../../src/errors.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { runSeriesShapes } from '../../src/prometheus/series-shapes.js';
import { shapesOf } from '../../src/rules/index.js';
import { listenOnLoopback } from '../helpers/ports.js';
import { startStaleKeepAliveServer } from '../helpers/stale-keepalive-server.js';

interface Seen {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

const SERIES = [
  { __name__: 'http_requests_total', namespace: 'a', pod: 'p1' },
  { __name__: 'http_requests_total', namespace: 'b', pod: 'p2' },
  { __name__: 'queue_depth', queue: 'q\u00e9"' },
];
const ANSWER = JSON.stringify({ status: 'success', data: SERIES });
const START = new Date(1_700_000_000_000);
const END = new Date(1_700_000_060_500);

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body);
}

describe('HttpPrometheusClient.seriesShapes', () => {
  let server: http.Server;
  let base: string;
  let seen: Seen[] = [];
  let handler: Handler = (_req, res) => sendJson(res, 200, ANSWER);
  const clients: HttpPrometheusClient[] = [];
  const client = (
    o: Partial<ConstructorParameters<typeof HttpPrometheusClient>[0]> = {},
  ): HttpPrometheusClient => {
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 5_000, ...o });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const params =
          req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString()) : u.searchParams;
        const s = { method: req.method ?? '', path: u.pathname, params, headers: req.headers };
        seen.push(s);
        handler(s, res);
      });
    });
    const port = await listenOnLoopback(server);
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    for (const c of clients) c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('gives the shapes shapesOf(series()) gives for the same answer', async () => {
    const c = client();
    const shapes = await c.seriesShapes(['{__name__=~"http_.*"}'], START, END);
    assert.deepEqual(shapes, shapesOf(await c.series(['{__name__=~"http_.*"}'], START, END)));
    assert.deepEqual(shapes, [
      { name: 'http_requests_total', labels: ['namespace', 'pod'] },
      { name: 'queue_depth', labels: ['queue'] },
    ]);
  });

  it('asks by GET with match[], start and end, headers and credentials', async () => {
    seen = [];
    const c = client({
      url: base.replace('http://', 'http://user:p%40ss@') + '/prefix/',
      transport: { headers: { 'X-Scope-OrgID': 'tenant' } },
    });
    await c.seriesShapes(['up', 'http_requests_total{pod!=""}'], START, END);
    const s = seen[0];
    assert.ok(s !== undefined);
    assert.equal(s.method, 'GET');
    assert.equal(s.path, '/prefix/api/v1/series');
    assert.deepEqual(s.params.getAll('match[]'), ['up', 'http_requests_total{pod!=""}']);
    assert.equal(s.params.get('start'), '1700000000');
    assert.equal(s.params.get('end'), '1700000060.5');
    assert.equal(s.headers['x-scope-orgid'], 'tenant');
    assert.equal(s.headers.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    assert.equal(s.headers['accept-encoding'], 'identity');
  });

  it('POSTs long match[] lists, or always when asked, with the Authorization of the token', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `metric_${i}{namespace!=""}`);
    for (const [c, selectors] of [
      [client(), long],
      [client({ alwaysPost: true, transport: { authorization: () => 'Bearer t0ken' } }), ['up']],
    ] as const) {
      seen = [];
      await c.seriesShapes(selectors, START, END);
      const s = seen[0];
      assert.ok(s !== undefined);
      assert.equal(s.method, 'POST');
      assert.deepEqual(s.params.getAll('match[]'), selectors);
      assert.equal(s.params.get('start'), '1700000000');
    }
    assert.equal(seen[0]?.headers.authorization, 'Bearer t0ken');
  });

  it('reads an answer that arrives a few bytes at a time', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const bytes = Buffer.from(ANSWER);
      let at = 0;
      const next = (): void => {
        if (at >= bytes.length) {
          res.end();
          return;
        }
        res.write(bytes.subarray(at, at + 7));
        at += 7;
        setImmediate(next);
      };
      next();
    };
    try {
      assert.equal((await client().seriesShapes(['up'], START, END)).length, 2);
    } finally {
      handler = (_req, res) => sendJson(res, 200, ANSWER);
    }
  });

  const FAILURES: {
    name: string;
    handler: Handler;
    error: typeof UnavailableError | typeof TimeoutError;
    message: RegExp;
  }[] = [
    {
      name: 'a Prometheus error answer',
      handler: (_r, res) =>
        sendJson(
          res,
          422,
          '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \\"}\\""}',
        ),
      error: UnavailableError,
      message: /^Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 422: 1:5: parse error: unexpected "}"$/,
    },
    {
      name: 'a query timeout in Prometheus',
      handler: (_r, res) =>
        sendJson(res, 503, '{"status":"error","errorType":"timeout","error":"query timed out"}'),
      error: TimeoutError,
      message: /timed out listing series: query timed out/,
    },
    {
      name: 'a proxy page that is not JSON',
      handler: (_r, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      },
      error: UnavailableError,
      message:
        /answered 502 with a body that is not a JSON series list \(.*byte 0\): <html>Bad Gateway<\/html>$/,
    },
    {
      name: 'malformed JSON in a 200',
      handler: (_r, res) => sendJson(res, 200, '{"status":"success","data":[{"pod":1}]}'),
      error: UnavailableError,
      message:
        /answered 200 with a body that is not a JSON series list \(the value of label pod is not a string/,
    },
    {
      name: 'a body that ends early',
      handler: (_r, res) => sendJson(res, 200, ANSWER.slice(0, 40)),
      error: UnavailableError,
      message: /not a JSON series list \(the answer ends early, after 40 bytes\)/,
    },
    {
      name: 'a connection closed in the middle of the body',
      handler: (_r, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(ANSWER.length) });
        res.write(ANSWER.slice(0, 40), () => res.socket?.destroy());
      },
      error: UnavailableError,
      message: /^Prometheus at http:\/\/127\.0\.0\.1:\d+: aborted|^unable to reach Prometheus/,
    },
    {
      name: 'success without a series list',
      handler: (_r, res) =>
        sendJson(res, 200, '{"status":"success","data":{"resultType":"vector","result":[]}}'),
      error: UnavailableError,
      message: /answered 200 without a series list/,
    },
  ];
  for (const f of FAILURES) {
    it(`turns ${f.name} into a ${f.error.name}`, async () => {
      handler = f.handler;
      try {
        await assert.rejects(
          client().seriesShapes(['up'], START, END),
          (e: unknown) => e instanceof f.error && f.message.test(e.message),
        );
      } finally {
        handler = (_req, res) => sendJson(res, 200, ANSWER);
      }
    });
  }

  it('stops reading an answer longer than the cap', async () => {
    const big = JSON.stringify({
      status: 'success',
      data: Array.from({ length: 500 }, (_, i) => ({ __name__: 'm', pod: `pod-${i}` })),
    });
    handler = (_req, res) => sendJson(res, 200, big);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const transport = { base: new URL(base), agent, headers: {}, display: base };
      const lookup = (maxBytes: number): Promise<unknown> =>
        runSeriesShapes(transport, {
          selectors: ['m'],
          start: START,
          end: END,
          post: false,
          timeoutMs: 5_000,
          maxBytes,
        });
      assert.equal(((await lookup(big.length)) as unknown[]).length, 1);
      await assert.rejects(
        lookup(4_096),
        (e: unknown) => e instanceof UnavailableError && /answered more than 4096 bytes$/.test(e.message),
      );
    } finally {
      agent.destroy();
      handler = (_req, res) => sendJson(res, 200, ANSWER);
    }
  });

  it('gives up at the deadline, and on abort', async () => {
    handler = (_req, res) => setTimeout(() => sendJson(res, 200, ANSWER), 1_000).unref();
    try {
      await assert.rejects(
        client().seriesShapes(['up'], START, END, { timeoutMs: 200 }),
        (e: unknown) => e instanceof TimeoutError && /did not answer within (19\d|200) ms/.test(e.message),
      );
      await assert.rejects(
        client().seriesShapes(['up'], START, END, { signal: AbortSignal.timeout(100) }),
        (e: unknown) => e instanceof UnavailableError && e.message === 'the request was cancelled',
      );
    } finally {
      handler = (_req, res) => sendJson(res, 200, ANSWER);
    }
  });
});

describe('HttpPrometheusClient.seriesShapes and stale kept-alive connections', () => {
  it('sends the lookup again on a stale connection until a fresh one answers', async () => {
    const server = await startStaleKeepAliveServer(ANSWER);
    const c = new HttpPrometheusClient({ url: server.url, timeoutMs: 5_000 });
    try {
      await Promise.all([0, 1, 2].map(() => c.seriesShapes(['up'], START, END)));
      const before = server.connections;
      assert.equal((await c.seriesShapes(['up'], START, END)).length, 2);
      assert.equal(server.connections - before, 1);
      server.resetAll = true;
      await assert.rejects(c.seriesShapes(['up'], START, END), UnavailableError);
    } finally {
      c.close();
      await server.close();
    }
  });
});

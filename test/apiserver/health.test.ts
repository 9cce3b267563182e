import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { ApiGroupRegistry } from '../../src/apiserver/api-groups.js';
import { createApp } from '../../src/apiserver/app.js';
import { Authenticator, type AuthenticationResult } from '../../src/apiserver/authn.js';
import type { Authorizer } from '../../src/apiserver/authz.js';
import { HealthChecks } from '../../src/apiserver/health.js';
import { messageClassesFor } from '../../src/apiserver/message-classes.js';
import { buildOpenApiDocuments } from '../../src/apiserver/openapi.js';
import type { RequestInfo } from '../../src/apiserver/request-info.js';
import type { UserInfo } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import { catalogReason, kubeletReason } from '../../src/readiness.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { LOOPBACK } from '../helpers/ports.js';

// Who may read failing health checks' reasons, through the express app over plain HTTP. The caller
// is named by a test header (the real authenticators are covered in authn.test.ts and end to end in
// test/integration/foundation.test.ts); the authorizer is a table.

const REASON = 'the first series discovery (3 seriesQuery) has not finished: 1 answered or failed so far';
const WITHHELD_LINE = '[-]metric-catalog failed: reason withheld';
const REASON_LINE = `[-]metric-catalog failed: ${REASON}`;

/** The X-Test-User header's user, or anonymous; `system:anonymous` as a front proxy would forward it. */
class HeaderAuthenticator extends Authenticator {
  constructor() {
    super({ clientCA: undefined, requestHeader: undefined });
  }

  override authenticate(req: http.IncomingMessage): AuthenticationResult {
    const name = req.headers['x-test-user'];
    if (typeof name !== 'string') return { kind: 'anonymous' };
    const groups = name === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'];
    return { kind: 'user', user: { name, uid: '', groups, extra: {} }, method: 'requestheader' };
  }
}

/** alice may, mallory may not, and broken's review fails; records every question. */
class TableAuthorizer implements Authorizer {
  readonly asked: { user: string; info: RequestInfo }[] = [];

  authorize(user: UserInfo, info: RequestInfo): Promise<{ allowed: boolean; reason: string }> {
    this.asked.push({ user: user.name, info });
    if (user.name === 'broken') return Promise.reject(new Error('SubjectAccessReview: connection refused'));
    return Promise.resolve({ allowed: user.name === 'alice', reason: '' });
  }
}

interface Served {
  port: number;
  authorizer: TableAuthorizer;
  catalog: { failing: boolean };
  close(): void;
}

async function serve(alwaysAllowPaths: string[], logger: Logger = silentLogger()): Promise<Served> {
  const catalog = { failing: true };
  const health = new HealthChecks(logger);
  health.add(['healthz', 'livez', 'readyz'], 'ping', () => undefined);
  health.add(['readyz'], 'metric-catalog', () => (catalog.failing ? REASON : undefined));
  const authorizer = new TableAuthorizer();
  const app = createApp({
    logger: silentLogger(),
    metrics: new SelfMetrics(),
    health,
    authenticator: new HeaderAuthenticator(),
    authorizer,
    alwaysAllowPaths,
    groups: new ApiGroupRegistry(),
    openapi: buildOpenApiDocuments({ title: 'test', version: '0' }),
  });
  const server = http.createServer({ ...messageClassesFor(app) }, app);
  server.listen(0, LOOPBACK);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    authorizer,
    catalog,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function get(port: number, path: string, user?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = user === undefined ? {} : { 'X-Test-User': user };
    const req = http.request({ host: LOOPBACK, port, path, headers, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

interface Case {
  name: string;
  path: string;
  user?: string;
  status: number;
  /** The whole body, or a line it must hold. */
  body?: string;
  line?: string;
  /** SubjectAccessReviews the request costs (the path is the request's own). */
  reviews: number;
}

describe('failing health checks: the reason for authorized callers only', () => {
  describe('with the default always-allowed paths', () => {
    let s: Served;
    before(async () => {
      s = await serve(['/healthz', '/readyz', '/livez']);
    });
    after(() => s.close());

    const cases: Case[] = [
      { name: 'anonymous ?verbose', path: '/readyz?verbose', status: 500, line: WITHHELD_LINE, reviews: 0 },
      {
        name: 'anonymous through a front proxy (system:anonymous)',
        path: '/readyz?verbose',
        user: 'system:anonymous',
        status: 500,
        line: WITHHELD_LINE,
        reviews: 0,
      },
      {
        name: 'authenticated and allowed',
        path: '/readyz?verbose',
        user: 'alice',
        status: 500,
        body: `[+]ping ok\n${REASON_LINE}\nreadyz check failed\n`,
        reviews: 1,
      },
      {
        name: 'authenticated and allowed, with ?exclude= of another check',
        path: '/readyz?verbose&exclude=ping',
        user: 'alice',
        status: 500,
        body: `[+]ping excluded: ok\n${REASON_LINE}\nreadyz check failed\n`,
        reviews: 1,
      },
      {
        name: 'authenticated and denied',
        path: '/readyz?verbose',
        user: 'mallory',
        status: 500,
        body: `[+]ping ok\n${WITHHELD_LINE}\nreadyz check failed\n`,
        reviews: 1,
      },
      {
        name: 'the review fails: withheld, still the probe’s 500',
        path: '/readyz?verbose',
        user: 'broken',
        status: 500,
        body: `[+]ping ok\n${WITHHELD_LINE}\nreadyz check failed\n`,
        reviews: 1,
      },
      {
        name: 'without ?verbose, no review and no reason (a probe)',
        path: '/readyz',
        user: 'alice',
        status: 500,
        line: WITHHELD_LINE,
        reviews: 0,
      },
      {
        name: 'the failing check excluded: passing, no review',
        path: '/readyz?verbose&exclude=metric-catalog',
        user: 'alice',
        status: 200,
        body: '[+]ping ok\n[+]metric-catalog excluded: ok\nreadyz check passed\n',
        reviews: 0,
      },
      {
        name: 'passing checks are unaffected',
        path: '/livez?verbose',
        user: 'alice',
        status: 200,
        body: '[+]ping ok\nlivez check passed\n',
        reviews: 0,
      },
      // /readyz/<check> is not always allowed here: the authorization step reviews it first.
      {
        name: 'one check, allowed by the authorization step: the reason, no second review',
        path: '/readyz/metric-catalog',
        user: 'alice',
        status: 500,
        body: `internal server error: ${REASON}\n`,
        reviews: 1,
      },
      { name: 'one check, anonymous: 401', path: '/readyz/metric-catalog', status: 401, reviews: 0 },
      {
        name: 'one check, denied: 403',
        path: '/readyz/metric-catalog',
        user: 'mallory',
        status: 403,
        reviews: 1,
      },
      {
        name: 'one passing check',
        path: '/readyz/ping',
        user: 'alice',
        status: 200,
        body: 'ok',
        reviews: 1,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const mark = s.authorizer.asked.length;
        const r = await get(s.port, c.path, c.user);
        assert.equal(r.status, c.status, r.body);
        if (c.body !== undefined) assert.equal(r.body, c.body);
        if (c.line !== undefined) assert.ok(r.body.split('\n').includes(c.line), r.body);
        const asked = s.authorizer.asked.slice(mark);
        assert.equal(asked.length, c.reviews, JSON.stringify(asked));
        for (const a of asked) {
          assert.deepEqual(a.info, {
            kind: 'nonResource',
            attributes: { path: c.path.split('?')[0], verb: 'get' },
          });
        }
      });
    }
  });

  describe('with single checks always allowed too (/readyz/*)', () => {
    let s: Served;
    before(async () => {
      s = await serve(['/healthz', '/readyz', '/livez', '/readyz/*']);
    });
    after(() => s.close());

    const withheld = 'internal server error: reason withheld\n';
    const cases: Case[] = [
      { name: 'anonymous', path: '/readyz/metric-catalog', status: 500, body: withheld, reviews: 0 },
      {
        name: 'authenticated and allowed',
        path: '/readyz/metric-catalog',
        user: 'alice',
        status: 500,
        body: `internal server error: ${REASON}\n`,
        reviews: 1,
      },
      {
        name: 'authenticated and denied',
        path: '/readyz/metric-catalog',
        user: 'mallory',
        status: 500,
        body: withheld,
        reviews: 1,
      },
      {
        name: 'the review fails',
        path: '/readyz/metric-catalog',
        user: 'broken',
        status: 500,
        body: withheld,
        reviews: 1,
      },
      { name: 'a passing check, anonymous', path: '/readyz/ping', status: 200, body: 'ok', reviews: 0 },
      {
        name: 'an unknown check',
        path: '/readyz/nope',
        status: 404,
        body: '404 page not found\n',
        reviews: 0,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const mark = s.authorizer.asked.length;
        const r = await get(s.port, c.path, c.user);
        assert.equal(r.status, c.status, r.body);
        assert.equal(r.body, c.body);
        assert.equal(s.authorizer.asked.length - mark, c.reviews);
      });
    }
  });

  it('logs a check once when it starts failing and once when it passes again', async () => {
    const lines: { msg: string; check?: string; reason?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as never) });
    const s = await serve(['/readyz'], logger);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await get(s.port, '/readyz')).status, 500);
      s.catalog.failing = false;
      for (let i = 0; i < 2; i++) assert.equal((await get(s.port, '/readyz')).status, 200);
    } finally {
      s.close();
    }
    assert.deepEqual(
      lines.map((l) => [l.msg, l.check, l.reason]),
      [
        ['health check failing', 'metric-catalog', REASON],
        ['health check passing again', 'metric-catalog', undefined],
      ],
    );
  });
});

describe('readiness reasons', () => {
  it('metric-catalog says how far the first series discovery is', () => {
    assert.equal(catalogReason(undefined), 'the first series discovery has not started');
    assert.equal(
      catalogReason({ queries: 3, finished: 1 }),
      'the first series discovery (3 seriesQuery) has not finished: 1 answered or failed so far',
    );
  });

  it('kubelet-data says how many nodes are still waiting', () => {
    assert.equal(kubeletReason(undefined), undefined);
    assert.equal(kubeletReason({ nodes: undefined, waiting: 0 }), 'the node list has not been read yet');
    assert.equal(
      kubeletReason({ nodes: 5, waiting: 2 }),
      '2 of 5 nodes not scraped yet (each needs complete data or a failed scrape)',
    );
    assert.equal(
      kubeletReason({ nodes: 1, waiting: 1 }),
      '1 of 1 node not scraped yet (each needs complete data or a failed scrape)',
    );
  });
});

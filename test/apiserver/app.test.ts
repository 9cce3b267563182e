import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiGroupRegistry, type APIResource, type GroupVersionApi } from '../../src/apiserver/api-groups.js';
import { createApp } from '../../src/apiserver/app.js';
import { Authenticator } from '../../src/apiserver/authn.js';
import { CustomMetricsApi, type CustomMetricSource } from '../../src/apiserver/custom-metrics-api.js';
import { apiHandler } from '../../src/apiserver/group-version.js';
import { HealthChecks } from '../../src/apiserver/health.js';
import { messageClassesFor } from '../../src/apiserver/message-classes.js';
import { buildOpenApiDocuments } from '../../src/apiserver/openapi.js';
import { newRouter } from '../../src/apiserver/router.js';
import { UnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logging.js';
import type { CustomMetricQuery, CustomMetricValue } from '../../src/providers/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { LOOPBACK } from '../helpers/ports.js';

// The express app over plain HTTP with every path always allowed (no TLS, so every caller is
// anonymous): routing, path handling and error answers. Authentication and authorization are
// covered end to end in test/integration/foundation.test.ts.

const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta1';

/** Records the queries it gets; answers one value per query, or throws what the metric name says. */
class RecordingProvider implements CustomMetricSource {
  readonly queries: CustomMetricQuery[] = [];

  listMetrics(): ReturnType<CustomMetricSource['listMetrics']> {
    return [{ group: '', resource: 'pods', metric: 'hits', namespaced: true }];
  }

  getValues(q: CustomMetricQuery): Promise<CustomMetricValue[]> {
    this.queries.push(q);
    if (q.metric === 'throws_sync') throw new Error('a bug with a secret');
    if (q.metric === 'upstream_down') return Promise.reject(new UnavailableError('Prometheus is down'));
    return Promise.resolve([
      {
        describedObject: { kind: 'Pod', apiVersion: '/v1', namespace: q.namespace, name: 'web-0' },
        metric: q.metric,
        timestamp: new Date('2026-01-01T00:00:00Z'),
        windowSeconds: 60,
        value: 1.5,
      },
    ]);
  }
}

/** A group-version API as the lead would add one: a router of URL shapes and discovery resources. */
class QueueApi implements GroupVersionApi {
  readonly router = newRouter();

  constructor() {
    this.router.get(
      '/namespaces/:namespace/:metric',
      apiHandler<{ namespace: string; metric: string }>((r) =>
        Promise.resolve({
          kind: 'ExternalMetricValueList',
          namespace: r.params.namespace,
          metric: r.params.metric,
        }),
      ),
    );
  }

  resources(): APIResource[] {
    return [
      {
        name: 'queue_depth',
        singularName: '',
        namespaced: true,
        kind: 'ExternalMetricValueList',
        verbs: ['get'],
      },
    ];
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: LOOPBACK, port, path, method, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

function status(a: Answer): { code: number; reason: string; message: string } {
  const s = JSON.parse(a.body) as {
    kind: string;
    status: string;
    code: number;
    reason: string;
    message: string;
  };
  assert.equal(s.kind, 'Status', a.body);
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, a.status);
  return s;
}

describe('the express app', () => {
  const provider = new RecordingProvider();
  let server: http.Server;
  let port: number;

  before(async () => {
    const groups = new ApiGroupRegistry();
    groups.register('custom.metrics.k8s.io', 'v1beta1', new CustomMetricsApi('v1beta1', provider, () => 1));
    groups.register('external.metrics.k8s.io', 'v1beta1', new QueueApi());
    const app = createApp({
      logger: silentLogger(),
      metrics: new SelfMetrics(),
      health: new HealthChecks(),
      authenticator: new Authenticator({ clientCA: undefined, requestHeader: undefined }),
      authorizer: { authorize: () => Promise.reject(new Error('every path is always allowed here')) },
      alwaysAllowPaths: ['/*'],
      groups,
      openapi: buildOpenApiDocuments({ title: 'test', version: '0' }),
    });
    server = http.createServer({ ...messageClassesFor(app) }, app);
    server.listen(0, LOOPBACK);
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  describe('hands each custom.metrics URL shape to the provider', () => {
    const cases: { path: string; want: Partial<CustomMetricQuery>; target: string }[] = [
      {
        path: `${CUSTOM}/namespaces/shop/pods/%2A/hits?labelSelector=app%3Dweb`,
        want: { metric: 'hits', resource: 'pods', namespace: 'shop' },
        target: 'selector app=web',
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/*/hits`,
        want: { metric: 'hits', resource: 'pods', namespace: 'shop' },
        target: 'selector ',
      },
      {
        path: `${CUSTOM}/namespaces/shop/deployments.apps/web/hits`,
        want: { metric: 'hits', resource: 'deployments.apps', namespace: 'shop' },
        target: 'name web',
      },
      {
        path: `${CUSTOM}/namespaces/shop/metrics/queue_length`,
        want: { metric: 'queue_length', resource: 'namespaces', namespace: undefined },
        target: 'name shop',
      },
      {
        path: `${CUSTOM}/nodes/node-1/load`,
        want: { metric: 'load', resource: 'nodes', namespace: undefined },
        target: 'name node-1',
      },
      {
        path: `${CUSTOM}/nodes/node-1/load/`,
        want: { metric: 'load', resource: 'nodes', namespace: undefined },
        target: 'name node-1',
      },
    ];
    for (const c of cases) {
      it(c.path, async () => {
        const mark = provider.queries.length;
        const r = await request(port, c.path);
        assert.equal(r.status, 200, r.body);
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
        assert.equal((JSON.parse(r.body) as { kind: string }).kind, 'MetricValueList');
        const q = provider.queries.slice(mark);
        assert.equal(q.length, 1);
        const got = q[0]!;
        assert.deepEqual({ metric: got.metric, resource: got.resource, namespace: got.namespace }, c.want);
        assert.equal(
          got.target.kind === 'name' ? `name ${got.target.name}` : `selector ${got.target.selector.text}`,
          c.target,
        );
      });
    }
  });

  describe('errors are metav1.Status', () => {
    const cases: { path: string; method?: string; code: number; reason: string; message: RegExp }[] = [
      // An encoded slash stays inside its segment: a name (or metric) with a slash, not a new shape.
      {
        path: `${CUSTOM}/namespaces/shop/pods/a%2Fb/hits`,
        code: 400,
        reason: 'BadRequest',
        message: /invalid object name "a\/b"/,
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/web/a%2Fb`,
        code: 400,
        reason: 'BadRequest',
        message: /invalid metric name "a\/b"/,
      },
      // A malformed selector is a 400 on a named object too, where it would select nothing.
      {
        path: `${CUSTOM}/namespaces/shop/pods/web/hits?labelSelector=app%20in%20(`,
        code: 400,
        reason: 'BadRequest',
        message: /^invalid labelSelector "app in \("/,
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/web/hits?fieldSelector=spec.nodeName%3Dn1`,
        code: 400,
        reason: 'BadRequest',
        message: /^invalid fieldSelector "spec.nodeName=n1"/,
      },
      {
        path: `${CUSTOM}/namespaces/%ZZ/pods/web/hits`,
        code: 400,
        reason: 'BadRequest',
        message: /malformed URL path/,
      },
      // Absolute-form: the router would strip the scheme and host, authorization would not.
      {
        path: `http://example.com${CUSTOM}/namespaces/shop/pods/web/hits`,
        code: 400,
        reason: 'BadRequest',
        message: /^malformed URL path "http:\/\/example\.com/,
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/web`,
        code: 404,
        reason: 'NotFound',
        message: /^the server could not find the requested resource$/,
      },
      {
        path: `${CUSTOM}/a/b/c/d/e/f`,
        code: 404,
        reason: 'NotFound',
        message: /^the server could not find the requested resource$/,
      },
      {
        path: '/APIS',
        code: 404,
        reason: 'NotFound',
        message: /^the server could not find the requested resource$/,
      },
      {
        path: `/apis/custom.metrics.k8s.io/V1BETA1`,
        code: 404,
        reason: 'NotFound',
        message: /could not find/,
      },
      {
        path: '/apis/metrics.k8s.io/v1beta1/nodes',
        code: 404,
        reason: 'NotFound',
        message: /^nothing is served under metrics\.k8s\.io\/v1beta1 yet$/,
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/web/throws_sync`,
        code: 500,
        reason: 'InternalError',
        message: /^Internal error occurred: the request could not be completed/,
      },
      {
        path: `${CUSTOM}/namespaces/shop/pods/web/upstream_down`,
        code: 503,
        reason: 'ServiceUnavailable',
        message: /^Prometheus is down$/,
      },
      ...['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((method) => ({
        path: `${CUSTOM}/namespaces/shop/pods/web/hits`,
        method,
        code: 405,
        reason: 'MethodNotAllowed',
        message: new RegExp(
          `^the server does not allow this method on the requested resource \\(${method} /apis/`,
        ),
      })),
    ];
    for (const c of cases) {
      it(`${c.method ?? 'GET'} ${c.path} → ${c.code}`, async () => {
        const r = await request(port, c.path, c.method);
        const s = status(r);
        assert.equal(s.code, c.code, r.body);
        assert.equal(s.reason, c.reason);
        assert.match(s.message, c.message);
        assert.ok(!r.body.includes('secret'), 'the cause of a 500 stays in the log');
        if (c.code === 503) assert.equal(r.headers['retry-after'], '1');
      });
    }
  });

  it('a group-version added through the registry answers discovery and its own URL shapes', async () => {
    const d = await request(port, '/apis/external.metrics.k8s.io/v1beta1');
    assert.equal(d.status, 200, d.body);
    assert.deepEqual(
      (JSON.parse(d.body) as { resources: APIResource[] }).resources.map((x) => x.name),
      ['queue_depth'],
    );
    const r = await request(port, '/apis/external.metrics.k8s.io/v1beta1/namespaces/q/queue_depth');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), {
      kind: 'ExternalMetricValueList',
      namespace: 'q',
      metric: 'queue_depth',
    });
    const empty = await request(port, '/apis/metrics.k8s.io/v1beta1/');
    assert.equal(empty.status, 200, empty.body);
    assert.deepEqual((JSON.parse(empty.body) as { resources: APIResource[] }).resources, []);
  });

  it('answers HEAD like GET without a body; no X-Powered-By, no ETag; ?pretty indents', async () => {
    const path = `${CUSTOM}/namespaces/shop/pods/web/hits`;
    const get = await request(port, path);
    const head = await request(port, path, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    for (const r of [get, head]) {
      assert.equal(r.headers['x-powered-by'], undefined);
      assert.equal(r.headers.etag, undefined);
    }
    const pretty = await request(port, `${path}?pretty=true`);
    assert.ok(pretty.body.startsWith('{\n  "kind": "MetricValueList"'), pretty.body.slice(0, 60));
    assert.deepEqual(JSON.parse(pretty.body), JSON.parse(get.body));
  });
});

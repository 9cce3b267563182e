/**
 * The limits end to end: the adapter started from real flags (in process) over TLS, in front of a
 * simulated cluster and a Prometheus that holds queries open. A request past --request-timeout is
 * a 504 whose Prometheus call was cancelled and had been sent with `timeout=` cut to the time
 * left; --max-requests-inflight answers 429 with Retry-After while probes still answer; an
 * oversize head is a 431 and an oversize URL a 414; the limit metrics count them.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startHeldPrometheus, type HeldPrometheus } from '../helpers/held-prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const RULES = `rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
const PATH = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods';
const REQUEST_TIMEOUT_MS = 2_000;

const ms = (timeout: string | undefined): number => Number(/^(\d+)ms$/.exec(timeout ?? '')?.[1] ?? NaN);

describe('limits end to end', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let pki: AdapterPki;
  let prom: HeldPrometheus;
  let adapter: InProcessAdapter;

  before(async () => {
    tmp = await makeTempDir('limits');
    kube = await startFakeKube();
    kube.setSarPolicy(() => ({ allowed: true, reason: 'test' }));
    pki = await createAdapterPki(tmp.path);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    prom = await startHeldPrometheus({
      series: ['web-0', 'web-1', 'web-2', 'web-3'].map((pod) => ({
        __name__: 'queue_depth',
        namespace: 'shop',
        pod,
      })),
    });
    const rules = join(tmp.path, 'rules.yaml');
    await writeFile(rules, RULES);
    adapter = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--config=${rules}`,
        `--prometheus-url=${prom.url}`,
        '--prometheus-timeout=30s',
        `--request-timeout=${REQUEST_TIMEOUT_MS / 1000}s`,
        '--max-requests-inflight=2',
      ]),
    );
    // The catalog knows the metric once the first discovery ran.
    const until = Date.now() + 20_000;
    for (;;) {
      prom.hold = false;
      const r = await call(adapter, pki, `${PATH}/web-0/queue_depth`, { cert: pki.tester });
      if (r.status === 200) break;
      assert.ok(Date.now() < until, `the metric never appeared: ${r.status} ${r.body}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    prom.hold = true;
    prom.queries.length = 0;
  });
  after(async () => {
    await adapter.close();
    await prom.close();
    await kube.close();
    await tmp.remove();
  });

  it('a request past --request-timeout is a 504; Prometheus was asked with the time left and then hung up on', async () => {
    const started = Date.now();
    const r = await call(adapter, pki, `${PATH}/web-1/queue_depth`, { cert: pki.tester });
    assert.equal(r.status, 504, r.body);
    const status = r.json<{ reason: string; message: string }>();
    assert.equal(status.reason, 'Timeout');
    // The request's deadline and the Prometheus call's timeout (cut to the same instant) race: the
    // answer is the kube-apiserver's text or the upstream's own, naming what was slow.
    assert.match(
      status.message,
      /^Timeout: request did not complete within requested timeout|^Prometheus at \S+ did not answer within \d+ ms/,
    );
    const q = prom.queries.find((x) => x.query.includes('web-1'));
    assert.ok(q, 'the query reached Prometheus');
    const sent = ms(q.timeout);
    // Bounded by the 2 s request deadline (90 % of what was left), not --prometheus-timeout=30s.
    assert.ok(sent <= 0.9 * REQUEST_TIMEOUT_MS, `timeout=${q.timeout}`);
    assert.ok(sent >= 0.9 * (REQUEST_TIMEOUT_MS - (Date.now() - started)) - 1, `timeout=${q.timeout}`);
    await prom.waitFor(() => q.abandoned, 5_000);
  });

  it('beyond --max-requests-inflight a 429 with Retry-After: 1; probes still answer', async () => {
    const held = [
      call(adapter, pki, `${PATH}/web-2/queue_depth`, { cert: pki.tester }),
      call(adapter, pki, `${PATH}/web-3/queue_depth`, { cert: pki.tester }),
    ];
    await prom.waitFor(
      (qs) => qs.filter((x) => /web-[23]/.test(x.query) && !x.answered && !x.abandoned).length === 2,
    );
    const refused = await call(adapter, pki, `${PATH}/web-0/queue_depth`, { cert: pki.tester });
    assert.equal(refused.status, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.json<{ reason: string }>().reason, 'TooManyRequests');
    const health = await call(adapter, pki, '/readyz', { cert: pki.tester });
    assert.equal(health.status, 200, health.body);
    prom.releaseAll();
    for (const r of await Promise.all(held)) assert.equal(r.status, 200, r.body);
  });

  it('an oversize head is a 431, an oversize URL a 414', async () => {
    const head = await call(adapter, pki, '/readyz', {
      cert: pki.tester,
      headers: { 'X-Big': 'a'.repeat(40 * 1024) },
    });
    assert.equal(head.status, 431);
    const url = await call(
      adapter,
      pki,
      `${PATH}/*/queue_depth?labelSelector=app+in+(${'a,'.repeat(9_000)}b)`,
      {
        cert: pki.tester,
      },
    );
    assert.equal(url.status, 414, url.body);
    assert.equal(url.json<{ reason: string }>().reason, 'RequestURITooLong');
  });

  it('/metrics counts what the limits cut', async () => {
    const r = await call(adapter, pki, '/metrics', { cert: pki.tester });
    assert.equal(r.status, 200, r.body);
    for (const limit of ['request_timeout', 'max_requests_inflight', 'max_url_length']) {
      assert.match(
        r.body,
        new RegExp(`metrics_adapter_requests_limited_total\\{limit="${limit}"\\} [1-9]`),
        limit,
      );
    }
    assert.match(r.body, /metrics_adapter_prometheus_queries_queued 0/);
    assert.match(r.body, /metrics_adapter_requests_in_flight_limited \d/);
  });
});

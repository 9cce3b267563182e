/**
 * Faults around ONE running adapter process (the real CLI), one test per fault: Prometheus down,
 * slow, failing, answering garbage or a cut-off body; the kube API down, slow, or expiring watches
 * (410 Gone); a kubelet hanging mid-body; the rules file replaced with garbage; the serving
 * certificate replaced with a mismatched key. For each: the Status clients get, the same process
 * still serving (same PID), recovery without a restart, a metric on /metrics and a log line that
 * name the problem, and the adapter's open sockets and timers back to their baseline afterwards.
 *
 * Prometheus is real (scraping an exporter), behind a fault-injecting proxy; the kube API is the
 * simulated one behind a TCP proxy that can stop listening; kubelets are the simulated fleet.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapterProcess,
  type AdapterPki,
} from '../helpers/adapter.js';
import { issueCertificate } from '../helpers/certs.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startKubeletFleet, type FakeKubeletFleet } from '../helpers/fake-kubelet.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import type { HttpsResponse } from '../helpers/https-client.js';
import { LOOPBACK } from '../helpers/ports.js';
import type { ManagedProcess } from '../helpers/process.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { FAST_RESOURCE_RULES } from '../providers/adapter-resource-rules.js';
import { assertStatus, eventually, sleep } from '../integration/support.js';
import {
  logsSince,
  metricGrowth,
  metricSum,
  openSockets,
  scrapeMetrics,
  steadyValue,
  describeSockets,
  waitForLog,
  waitForSocketsAtMost,
  type LogRecord,
} from './support.js';

const TOKEN = 'faults-lister-token';
const START_TIMEOUT_MS = 30_000;
const NODES_REF = { group: '', version: 'v1', resource: 'nodes' };
const PODS_REF = { group: '', version: 'v1', resource: 'pods' };
const DEPLOYMENTS_REF = { group: 'apps', version: 'v1', resource: 'deployments' };

const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/jobs_waiting';
const RESOURCE_PODS = '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods';
const RESOURCE_NODES = '/apis/metrics.k8s.io/v1beta1/nodes';

const RULES = `
rules:
  - seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
        deployment: {group: apps, resource: deployment}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="jobs_waiting",namespace!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
${FAST_RESOURCE_RULES.trimStart()}`;

interface Items {
  items: { metadata?: { name?: string }; describedObject?: { name: string }; value?: string }[];
}

describe('faults around a running adapter process', { timeout: 240_000 }, () => {
  let tmp: TempDir;
  let pki: AdapterPki;
  let kube: FakeKube;
  let kubeProxy: TcpProxy;
  let fleet: FakeKubeletFleet;
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let promProxy: FaultProxy;
  let proc: ManagedProcess;
  let adapter: { url: string };
  let rulesFile: string;
  let baseline = { sockets: 0, timers: 0 };
  const closers: (() => Promise<unknown>)[] = [];
  let baselineSamples = '';

  const get = (path: string, timeoutMs = 15_000): Promise<HttpsResponse> =>
    call(adapter, pki, path, { cert: pki.tester, timeoutMs });
  const metrics = (): Promise<Map<string, number>> => scrapeMetrics(adapter, pki);
  const mark = (): number => proc.nextLineIndex();

  const assertAlive = (): void => {
    assert.equal(proc.exit, undefined, `the adapter exited: ${proc.tail(30)}`);
    process.kill(proc.pid, 0);
  };

  /** Every kind of answer is served again. */
  const assertServing = async (what: string): Promise<void> => {
    await eventually(
      `${what}: custom, external and resource metrics served`,
      async () => {
        const [c, e, r] = await Promise.all([get(CUSTOM), get(EXTERNAL), get(RESOURCE_PODS)]);
        const ok =
          c.status === 200 &&
          e.status === 200 &&
          r.status === 200 &&
          c.json<Items>().items.length === fleet.pods().length &&
          e.json<Items>().items.length > 0;
        return ok ? true : undefined;
      },
      20_000,
    );
  };

  const timersNow = async (): Promise<number> =>
    metricSum(await metrics(), 'nodejs_active_resources', { type: 'Timeout' });

  /** After a fault: same process, sockets and timers back to their baseline once traffic stops. */
  const assertClean = async (what: string): Promise<void> => {
    assertAlive();
    await waitForSocketsAtMost(proc.pid, baseline.sockets, `${what}: sockets`);
    await eventually(
      `${what}: timers back to ${baseline.timers}`,
      async () => ((await timersNow()) <= baseline.timers ? true : undefined),
      15_000,
    );
  };

  const hasLog = (from: number, what: string, match: (r: LogRecord) => boolean): Promise<LogRecord> =>
    waitForLog(proc, from, what, match);

  before(async () => {
    tmp = await makeTempDir('faults');
    closers.push(() => tmp.remove());
    pki = await createAdapterPki(tmp.path);
    fleet = await startKubeletFleet({
      nodes: 2,
      podsPerNode: 2,
      containersPerPod: 1,
      namespaces: ['shop'],
      token: TOKEN,
      // A new point every second, so complete data and rate changes show within seconds.
      housekeepingMs: 1000,
    });
    closers.push(() => fleet.close());
    kube = await startFakeKube();
    closers.push(() => kube.close());
    kube.setAllowedUsers(['tester']);
    kube.ensureNamespace('shop');
    for (const n of fleet.nodeObjects()) kube.upsert(NODES_REF, n);
    for (const p of fleet.podObjects()) kube.upsert(PODS_REF, p);
    kubeProxy = await startTcpProxy(kube.port);
    closers.push(() => kubeProxy.close());
    const direct = await kube.writeKubeconfig(tmp.path, { user: 'token', token: TOKEN });
    const kubeconfig = join(tmp.path, 'proxied.kubeconfig');
    await writeFile(
      kubeconfig,
      (await readFile(direct, 'utf8')).replaceAll(
        `${LOOPBACK}:${kube.port}`,
        `${LOOPBACK}:${kubeProxy.port}`,
      ),
    );
    const fleetCA = join(tmp.path, 'kubelet-ca.crt');
    await writeFile(fleetCA, fleet.caPem);

    exporter = await startExporter();
    closers.push(() => exporter.close());
    const started = Date.now();
    const tick = (): void => {
      const t = (Date.now() - started) / 1000;
      fleet.pods().forEach((p, i) => {
        exporter.set('queue_depth', { namespace: p.namespace, pod: p.name, deployment: 'web' }, i + 1);
        for (const container of p.containers) {
          const labels = { namespace: p.namespace, pod: p.name, container, node: p.node };
          exporter.set('container_cpu_usage_seconds_total', labels, t * 4);
          exporter.set('container_memory_working_set_bytes', labels, 3 * 2 ** 30);
        }
      });
      for (const node of fleet.nodeNames) {
        exporter.set('node_cpu_usage_seconds_total', { node }, t * 4);
        exporter.set('node_memory_working_set_bytes', { node }, 3 * 2 ** 30);
      }
      exporter.set('jobs_waiting', { namespace: 'shop', queue: 'a' }, 5);
    };
    tick();
    const tickTimer = setInterval(tick, 200);
    tickTimer.unref();
    closers.push(() => Promise.resolve(clearInterval(tickTimer)));
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    closers.push(() => prom.stop());
    promProxy = await startFaultProxy(prom.url);
    closers.push(() => promProxy.close());
    await prom.waitForQuery('sum(rate(container_cpu_usage_seconds_total[5s])) by (pod)', {
      accept: (s) => s.length === fleet.pods().length,
      timeoutMs: 30_000,
    });

    rulesFile = join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, RULES);
    proc = await startAdapterProcess(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--prometheus-url=${promProxy.url}`,
        '--prometheus-timeout=2s',
        `--config=${rulesFile}`,
        '--metrics-relist-interval=1h',
        `--kubelet-certificate-authority=${fleetCA}`,
        `--kubelet-port=${fleet.port}`,
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        '--kubelet-request-timeout=2s',
        '--metric-resolution=1s',
        // While the kube API is away, decisions already made keep serving (as the HPA repeats its questions).
        '--authorization-webhook-cache-authorized-ttl=10m',
      ]),
    );
    closers.push(() => proc.stop({ graceMs: 5_000 }));
    const line = await proc.waitForOutput('"msg":"serving securely"', {
      timeoutMs: START_TIMEOUT_MS,
      stream: 'stderr',
    });
    adapter = { url: `https://${LOOPBACK}:${(JSON.parse(line.line) as { port: number }).port}` };
    await eventually(
      '/readyz',
      async () => ((await get('/readyz')).status === 200 ? true : undefined),
      30_000,
    );
    await assertServing('start');
    // Warm every path the tests use, then let idle connections close before measuring.
    for (const p of [RESOURCE_NODES, '/apis/custom.metrics.k8s.io/v1beta2', '/readyz', '/metrics'])
      await get(p);
    // Idle keep-alive connections close after 5 s (Node's server default, the fake kube API's and the
    // kubelets'), 1 s (the Prometheus proxy): measure after that, so that the baseline holds no pool
    // left over from the start-up burst and a leak cannot hide in it.
    await sleep(6_000);
    const sockets = await steadyValue(() => openSockets(proc.pid));
    const timers = await steadyValue(timersNow);
    baseline = { sockets: sockets.value, timers: timers.value };
    baselineSamples = `sockets ${sockets.samples.join(',')}; timers ${timers.samples.join(',')}; ${(await describeSockets(proc.pid)).join(', ')}`;
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('Prometheus stopped: 503 for custom and external, metrics.k8s.io from the kubelets; recovers', async () => {
    const from = mark();
    const m0 = await metrics();
    await promProxy.setFault({ kind: 'down' });
    try {
      const c = assertStatus(await get(CUSTOM), 503, 'ServiceUnavailable', 'custom');
      assert.match(c.message, /Prometheus/);
      const e = assertStatus(await get(EXTERNAL), 503, 'ServiceUnavailable', 'external');
      assert.match(e.message, /Prometheus/);
      const r = await get(RESOURCE_PODS);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.json<Items>().items.length, fleet.pods().length);
      const m1 = await metrics();
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_prometheus_requests_total', {
          endpoint: 'query',
          outcome: 'error',
        }) > 0,
      );
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_resource_metrics_source_failures_total', {
          source: 'prometheus',
        }) > 0,
      );
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_resource_metrics_objects_total', {
          kind: 'pods',
          source: 'kubelet',
        }) > 0,
      );
      const failed = await hasLog(
        from,
        'request failed log',
        (l) =>
          l.msg === 'request failed' && l.code === 503 && /unable to reach Prometheus/.test(String(l.err)),
      );
      assert.equal(failed.level, 'error');
      await hasLog(
        from,
        'fallback log',
        (l) =>
          l.msg === 'resource usage source failed; asking the next one' &&
          l.source === 'prometheus' &&
          typeof l.err === 'string',
      );
      const readyz = await get('/readyz');
      assert.equal(readyz.status, 200, 'readiness does not depend on Prometheus answering');
    } finally {
      await promProxy.setFault({ kind: 'pass' });
    }
    await assertServing('Prometheus back');
    await assertClean('Prometheus stopped');
  });

  it('Prometheus slower than --prometheus-timeout: 504, and the slow request is abandoned', async () => {
    const from = mark();
    const m0 = await metrics();
    const abandoned0 = promProxy.abandoned;
    await promProxy.setFault({ kind: 'hang' });
    try {
      const c = assertStatus(await get(CUSTOM), 504, 'Timeout', 'custom');
      assert.match(c.message, /did not answer within 2000 ms/);
      assertStatus(await get(EXTERNAL), 504, 'Timeout', 'external');
      await eventually(
        'the adapter to close the requests it gave up on',
        () =>
          Promise.resolve(promProxy.abandoned >= abandoned0 + 2 && promProxy.held === 0 ? true : undefined),
        10_000,
      );
      const m1 = await metrics();
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_prometheus_requests_total', {
          endpoint: 'query',
          outcome: 'timeout',
        }) >= 2,
      );
      await hasLog(
        from,
        'timeout log',
        (l) => l.msg === 'request failed' && l.code === 504 && /did not answer within/.test(String(l.err)),
      );
    } finally {
      await promProxy.setFault({ kind: 'pass' });
    }
    await assertServing('Prometheus fast again');
    await assertClean('Prometheus slow');
  });

  const upstreamCases: {
    name: string;
    fault: Parameters<FaultProxy['setFault']>[0];
    says: RegExp;
  }[] = [
    {
      name: 'Prometheus answering 500',
      fault: { kind: 'status', status: 500, error: 'query processing failed' },
      says: /answered 500: query processing failed/,
    },
    {
      name: 'Prometheus answering 503 with an HTML page',
      fault: {
        kind: 'garbage',
        body: '<html><body>503 Service Temporarily Unavailable</body></html>',
        contentType: 'text/html',
      },
      says: /not JSON/,
    },
    {
      name: 'Prometheus answering JSON of the wrong shape',
      fault: { kind: 'garbage', body: '{"status":"success","data":{"resultType":"matrix","result":"nope"}}' },
      says: /matrix result where an instant vector was expected/,
    },
    {
      name: 'Prometheus answering a truncated body (Content-Length larger than sent, then closed)',
      fault: { kind: 'truncate' },
      says: /Prometheus at .*(aborted|socket hang up|ECONNRESET)/,
    },
  ];
  for (const c of upstreamCases) {
    it(`${c.name}: 503 Status naming the problem; recovers`, async () => {
      const from = mark();
      const m0 = await metrics();
      await promProxy.setFault(c.fault);
      try {
        for (const path of [CUSTOM, EXTERNAL]) {
          const s = assertStatus(await get(path), 503, 'ServiceUnavailable', `${c.name} ${path}`);
          assert.match(s.message, c.says);
        }
        const m1 = await metrics();
        assert.ok(
          metricGrowth(m0, m1, 'metrics_adapter_prometheus_requests_total', {
            endpoint: 'query',
            outcome: 'error',
          }) >= 2,
        );
        await hasLog(
          from,
          'request failed log',
          (l) => l.msg === 'request failed' && l.code === 503 && c.says.test(String(l.err)),
        );
      } finally {
        await promProxy.setFault({ kind: 'pass' });
      }
      await assertServing(`after ${c.name}`);
      await assertClean(c.name);
    });
  }

  it('kube API stopped: cached answers keep coming, uncached ones get a Status; recovers without restart', async () => {
    const from = mark();
    const m0 = await metrics();
    await kubeProxy.pause();
    try {
      // Cached: pods (watch-backed), decisions already made.
      for (const path of [CUSTOM, EXTERNAL, RESOURCE_PODS]) {
        const r = await get(path);
        assert.equal(r.status, 200, `${path} while the kube API is down: ${r.body.slice(0, 300)}`);
      }
      assert.equal((await get('/readyz')).status, 200, 'still ready: it serves from its caches');
      // A question never asked before cannot be authorized: a 500 Status, as kube-apiserver answers
      // when its authorizer fails.
      const unknown = await get(
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/queue_depth',
        20_000,
      );
      const s = assertStatus(unknown, 500, 'InternalError', 'a new question while the kube API is down');
      assert.match(s.message, /SubjectAccessReview/);
      const m1 = await metrics();
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_authorization_decisions_total', { decision: 'error' }) > 0,
      );
      await hasLog(from, 'authorization failure log', (l) => l.msg === 'request failed' && l.code === 500);
      // Changes made meanwhile are picked up after the return.
      kube.upsert(DEPLOYMENTS_REF, { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } });
      await eventually(
        'a watch failure counted',
        async () =>
          metricGrowth(m0, await metrics(), 'metrics_adapter_kube_watch_failures_total', {
            reason: 'error',
          }) > 0
            ? true
            : undefined,
        15_000,
      );
      await hasLog(
        from,
        'watch failure log',
        (l) => /list\/watch failed|object watch failed/.test(l.msg) && typeof l.err === 'string',
      );
    } finally {
      await kubeProxy.resume();
    }
    await eventually(
      'the deployment created while the kube API was away',
      async () => {
        const r = await get(
          '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/queue_depth',
        );
        return r.status === 200 ? r : undefined;
      },
      40_000,
    );
    await assertServing('kube API back');
    await assertClean('kube API stopped');
  });

  it('kube API slower than its 10 s deadline: cached answers are not held up, a new question gets a Status; recovers', async () => {
    const from = mark();
    const m0 = await metrics();
    const fresh = '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth';
    kube.setLatency(11_000);
    try {
      const [cached, asked] = await Promise.all([get(CUSTOM), get(fresh, 30_000)]);
      assert.equal(cached.status, 200, cached.body);
      // The v1beta1 path is a new SubjectAccessReview: it waits for the kube API, then gives up.
      const s = assertStatus(asked, 500, 'InternalError', 'a new question while the kube API is slow');
      assert.match(s.message, /SubjectAccessReview/);
      const m1 = await metrics();
      assert.ok(
        metricGrowth(m0, m1, 'metrics_adapter_authorization_decisions_total', { decision: 'error' }) > 0,
      );
      await hasLog(
        from,
        'the failure with its cause',
        (l) => l.msg === 'request failed' && l.code === 500 && /within \d+ ms/.test(String(l.cause)),
      );
      // A pod created meanwhile reaches the caches through the open watches.
      kube.upsert(PODS_REF, {
        metadata: { name: 'late-0', namespace: 'shop', labels: { app: 'late' } },
        spec: { nodeName: fleet.nodeNames[0], containers: [{ name: 'main', image: 'x' }] },
        status: { phase: 'Running' },
      });
      exporter.set('queue_depth', { namespace: 'shop', pod: 'late-0', deployment: 'web' }, 9);
    } finally {
      kube.setLatency(0);
    }
    const again = await get(fresh);
    assert.equal(again.status, 200, `the same question once the kube API is fast again: ${again.body}`);
    await eventually(
      'the new pod in the custom metrics answer',
      async () => {
        const r = await get(CUSTOM);
        return r.status === 200 && r.json<Items>().items.some((i) => i.describedObject?.name === 'late-0')
          ? true
          : undefined;
      },
      30_000,
    );
    await assertClean('kube API slow');
  });

  it('kube API expiring watches (410 Gone): the caches re-list, counted and logged; changes are seen', async () => {
    const from = mark();
    const m0 = await metrics();
    // The pod goes away while the watches are down and their history forgotten: only a re-list sees it.
    kube.stallWatches(true);
    kube.remove(PODS_REF, 'late-0', 'shop');
    exporter.remove('queue_depth', { namespace: 'shop', pod: 'late-0', deployment: 'web' });
    kube.expireHistory();
    assert.ok(kube.endWatches() >= 2, 'the adapter watches nodes and pods');
    kube.stallWatches(false);
    await eventually(
      'expired watches counted',
      async () =>
        metricGrowth(m0, await metrics(), 'metrics_adapter_kube_watch_failures_total', {
          reason: 'expired',
        }) > 0
          ? true
          : undefined,
      20_000,
    );
    const log = await hasLog(
      from,
      're-list log',
      (l) => l.msg === 'watch resourceVersion expired (410 Gone); re-listing',
    );
    assert.equal(typeof log.path, 'string');
    await assertServing('after the re-list');
    await assertClean('410 Gone');
  });

  it('a kubelet hanging mid-body: the other node is served, one warning, metric; recovers', async () => {
    const [hung, healthy] = fleet.nodeNames;
    assert.ok(hung !== undefined && healthy !== undefined);
    const from = mark();
    const m0 = await metrics();
    await fleet.setFault(hung, { kind: 'hang-body' });
    try {
      await eventually(
        'a timeout counted',
        async () =>
          metricGrowth(m0, await metrics(), 'metrics_adapter_kubelet_scrape_errors_total', {
            kind: 'timeout',
          }) > 0
            ? true
            : undefined,
        20_000,
      );
      // A few more cycles: still one warning for the node.
      await sleep(3_000);
      const warnings = logsSince(proc, from).filter((l) => l.level === 'warn' && l.node === hung);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.equal(warnings[0]?.kind, 'timeout');
      const nodes = await get(RESOURCE_NODES);
      assert.equal(nodes.status, 200, nodes.body);
      const names = nodes.json<Items>().items.map((i) => i.metadata?.name);
      assert.ok(names.includes(healthy), JSON.stringify(names));
      const healthyNode = await get(`${RESOURCE_NODES}/${healthy}`);
      assert.equal(healthyNode.status, 200, healthyNode.body);
    } finally {
      await fleet.setFault(hung, { kind: 'ok' });
    }
    await hasLog(from, 'recovery log', (l) => l.msg === 'kubelet scrape works again' && l.node === hung);
    await assertServing('kubelet back');
    await assertClean('kubelet hanging');
  });

  it('the rules file replaced with garbage: old rules keep serving, failure metric and file:line logged; a good file recovers', async () => {
    const from = mark();
    await writeFile(
      rulesFile,
      'rules:\n  - seriesQuery: up\n    metricsQuery: [unclosed\n\u0000\u0007 {{{ ]]] ::\n',
    );
    try {
      await eventually(
        'the failed reload counted',
        async () => {
          const m = await metrics();
          return metricSum(m, 'metrics_adapter_rules_reloads_total', { result: 'failure' }) > 0 &&
            metricSum(m, 'metrics_adapter_rules_last_reload_successful') === 0
            ? true
            : undefined;
        },
        20_000,
      );
      const at = new RegExp(`^${rulesFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `);
      await hasLog(from, 'a file:line:column diagnostic', (l) => l.level === 'error' && at.test(l.msg));
      const rejected = await hasLog(
        from,
        'the rejection',
        (l) => l.msg === 'new rules rejected; the previous rules keep serving',
      );
      assert.equal(rejected.file, rulesFile);
      const c = await get(CUSTOM);
      assert.equal(c.status, 200, 'the old rules keep serving');
    } finally {
      await writeFile(rulesFile, RULES);
    }
    await eventually(
      'the good file loaded',
      async () =>
        metricSum(await metrics(), 'metrics_adapter_rules_last_reload_successful') === 1 ? true : undefined,
      20_000,
    );
    await assertServing('rules fixed');
    await assertClean('rules garbage');
  });

  it('the serving certificate replaced with a mismatched key: the old pair keeps serving; fixing the files recovers', async () => {
    const from = mark();
    const m0 = await metrics();
    const next = await issueCertificate(pki.servingCA, {
      commonName: 'metrics-adapter',
      dnsNames: ['localhost'],
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    const other = await issueCertificate(pki.servingCA, { commonName: 'other', usage: 'server' });
    await writeFile(pki.servingFiles.certFile, next.certPem);
    await writeFile(pki.servingFiles.keyFile, other.keyPem);
    await eventually(
      'the rejected reload counted',
      async () =>
        metricGrowth(m0, await metrics(), 'metrics_adapter_serving_certificate_reloads_total', {
          result: 'failure',
        }) > 0
          ? true
          : undefined,
      20_000,
    );
    const log = await hasLog(
      from,
      'rejection log',
      (l) => l.msg === 'new serving certificate rejected; the previous one keeps serving',
    );
    assert.equal(log.certFile, pki.servingFiles.certFile);
    assert.equal(typeof log.err, 'string');
    const still = await get(CUSTOM);
    assert.equal(still.status, 200, 'the old pair keeps serving');
    await writeFile(pki.servingFiles.keyFile, next.keyPem);
    await hasLog(from, 'reload log', (l) => l.msg === 'serving certificate reloaded');
    await eventually(
      'the new certificate in use',
      async () => {
        const m = await metrics();
        return metricGrowth(m0, m, 'metrics_adapter_serving_certificate_reloads_total', {
          result: 'success',
        }) > 0
          ? true
          : undefined;
      },
      20_000,
    );
    await assertServing('certificate fixed');
    await assertClean('certificate mismatch');
  });

  it('after every fault: the same process, no error-level crash report, sockets at the baseline', async (t) => {
    assertAlive();
    t.diagnostic(
      `baseline: ${baseline.sockets} sockets, ${baseline.timers} timers (samples: ${baselineSamples}); now ${await openSockets(proc.pid)} sockets, ${await timersNow()} timers: ${(await describeSockets(proc.pid)).join(', ')}`,
    );
    assert.ok((await openSockets(proc.pid)) > 0);
    await waitForSocketsAtMost(proc.pid, baseline.sockets, 'end');
    assert.deepEqual(
      logsSince(proc, 0).filter((l) => l.level === 'fatal' || /uncaught|unhandled/i.test(l.msg)),
      [],
    );
  });
});

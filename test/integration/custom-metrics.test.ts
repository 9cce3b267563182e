/**
 * custom.metrics.k8s.io end to end: a real Prometheus scraping an exporter, the simulated
 * kube-apiserver for pods/services/deployments, the adapter with a prometheus-adapter rules file,
 * and both the HPA's request shapes and kubectl as clients.
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
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { writeKubeconfigFile } from '../helpers/kubeconfig.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { eventually } from './support.js';

const RULES = `
rules:
  # Counters to per-second rates, for every object kind whose label the series carries.
  - seriesQuery: '{__name__=~"^http_requests_total$",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
        service: {resource: service}
        deployment: {group: apps, resource: deployment}
    name:
      matches: "^(.*)_total$"
      as: "\${1}_per_second"
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
  # Gauges keep their names; resources found by template.
  - seriesQuery: '{__name__=~"^(queue_|late_|odd_).*",namespace!="",pod!=""}'
    resources:
      template: <<.Resource>>
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

interface MetricValueV1 {
  describedObject: { kind: string; namespace?: string; name: string; apiVersion: string };
  metricName: string;
  timestamp: string;
  window?: number;
  value: string;
  selector: unknown;
}
interface MetricValueV2 {
  describedObject: { kind: string; namespace?: string; name: string; apiVersion: string };
  metric: { name: string; selector: unknown };
  timestamp: string;
  windowSeconds?: number;
  value: string;
}
interface List<T> {
  kind: string;
  apiVersion: string;
  metadata: Record<string, never>;
  items: T[];
}
interface ResourceList {
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[]; singularName: string }[];
}

const PODS = ['web-0', 'web-1', 'web-2', 'batch-0'];

describe('custom.metrics.k8s.io on a real Prometheus', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let rulesFile: string;
  let userKubeconfig: string;
  let promDataDir: string;
  let promProxy: TcpProxy;

  const get = async <T>(path: string): Promise<{ status: number; body: T; raw: string }> => {
    const r = await call(adapter, pki, path, { cert: pki.tester });
    return { status: r.status, body: JSON.parse(r.body) as T, raw: r.body };
  };

  before(async () => {
    tmp = await makeTempDir('custom-metrics');
    exporter = await startExporter();
    // Counters grow by a fixed amount per second in the exporter's clock: set them from a timer.
    const started = Date.now();
    const rates: Record<string, number> = { 'web-0': 1, 'web-1': 2, 'web-2': 4, 'batch-0': 8 };
    const tick = (): void => {
      const t = (Date.now() - started) / 1000;
      for (const pod of PODS) {
        const labels = {
          namespace: 'shop',
          pod,
          service: pod.startsWith('web') ? 'web' : 'batch',
          deployment: pod.replace(/-\d$/, ''),
          verb: 'GET',
        };
        exporter.set('http_requests_total', labels, Math.floor(t * (rates[pod] ?? 1) * 100) / 100);
      }
    };
    tick();
    const timer = setInterval(tick, 100);
    timer.unref();
    PODS.forEach((pod, i) => exporter.set('queue_depth', { namespace: 'shop', pod }, (i + 1) * 10));
    exporter.set('odd_value', { namespace: 'shop', pod: 'web-0' }, Number.NaN);
    exporter.set('odd_value', { namespace: 'shop', pod: 'web-1' }, 7);
    promDataDir = join(tmp.path, 'prometheus-data');
    prom = await startPrometheus({
      scrapeTargets: [exporter.target],
      scrapeIntervalSeconds: 1,
      dataDir: promDataDir,
    });

    promProxy = await startTcpProxy(prom.port);

    kube = await startFakeKube();
    kube.ensureNamespace('shop');
    kube.setPods(
      'shop',
      PODS.map((name) => ({
        name,
        labels: {
          app: name.startsWith('web') ? 'web' : 'batch',
          tier: name === 'web-2' ? 'canary' : 'stable',
        },
      })),
    );
    kube.upsert(
      { group: '', version: 'v1', resource: 'services' },
      { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } },
    );
    kube.upsert(
      { group: 'apps', version: 'v1', resource: 'deployments' },
      { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } },
    );
    kube.setAllowedUsers(['tester']);

    pki = await createAdapterPki(tmp.path);
    rulesFile = join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, RULES);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    adapter = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--prometheus-url=${promProxy.url}`,
        `--config=${rulesFile}`,
        // Long on purpose: metrics that appear later must be found without waiting for a relist.
        '--metrics-relist-interval=1h',
      ]),
    );
    userKubeconfig = await writeKubeconfigFile(tmp.path, 'user.kubeconfig', {
      server: adapter.url,
      caPem: pki.servingCA.certPem,
      credentials: { clientCertPem: pki.tester.certPem, clientKeyPem: pki.tester.keyPem },
    });
    // Two scrapes are needed for rate(); wait until the query has data.
    await prom.waitForQuery('sum(rate(http_requests_total[1m])) by (pod)', {
      accept: (s) => s.length === PODS.length,
      timeoutMs: 30_000,
    });
  });

  after(async () => {
    await adapter.close();
    await prom.stop();
    await promProxy.close();
    await exporter.close();
    await kube.close();
    await tmp.remove();
  });

  it('lists the metrics the rules yield, in both versions', async () => {
    await adapter.server.discovery.relist();
    for (const v of ['v1beta1', 'v1beta2']) {
      const r = await get<ResourceList & { groupVersion: string }>(`/apis/custom.metrics.k8s.io/${v}`);
      assert.equal(r.status, 200, r.raw);
      assert.equal(r.body.groupVersion, `custom.metrics.k8s.io/${v}`);
      const names = r.body.resources.map((x) => `${x.name}:${x.namespaced}`);
      for (const want of [
        'pods/http_requests_per_second:true',
        'services/http_requests_per_second:true',
        'deployments.apps/http_requests_per_second:true',
        'namespaces/http_requests_per_second:false',
        'pods/queue_depth:true',
        'namespaces/queue_depth:false',
      ]) {
        assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
      }
      assert.ok(
        r.body.resources.every(
          (x) => x.kind === 'MetricValueList' && x.verbs.join() === 'get' && x.singularName === '',
        ),
      );
    }
  });

  it('answers the HPA Pods query (labelSelector + metricLabelSelector), v1beta1 shape', async () => {
    const path =
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb&metricLabelSelector=verb%3DGET';
    const r = await get<List<MetricValueV1>>(path);
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.kind, 'MetricValueList');
    assert.equal(r.body.apiVersion, 'custom.metrics.k8s.io/v1beta1');
    assert.deepEqual(
      r.body.items.map((i) => i.describedObject.name),
      ['web-0', 'web-1', 'web-2'],
    );
    const direct = await prom.queryVector(
      'sum(rate(http_requests_total{verb="GET",namespace="shop",pod=~"web-0|web-1|web-2"}[1m])) by (pod)',
    );
    for (const item of r.body.items) {
      assert.deepEqual(item.describedObject, {
        kind: 'Pod',
        namespace: 'shop',
        name: item.describedObject.name,
        apiVersion: 'v1',
      });
      assert.equal(item.metricName, 'http_requests_per_second');
      assert.equal(item.window, 60);
      assert.deepEqual(item.selector, { matchLabels: { verb: 'GET' } });
      assert.match(item.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(item.value, /^\d+(m|k)?$/);
      const milli = item.value.endsWith('m') ? Number(item.value.slice(0, -1)) / 1000 : Number(item.value);
      const expected = direct.find((s) => s.metric.pod === item.describedObject.name)?.value;
      assert.ok(
        expected !== undefined && Math.abs(milli - expected) <= Math.max(0.5, expected * 0.5),
        `${item.describedObject.name}: ${item.value} vs ${String(expected)}`,
      );
    }
  });

  it('answers the same query in the v1beta2 shape', async () => {
    const r = await get<List<MetricValueV2>>(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%20in%20(web),tier!%3Dcanary&metricLabelSelector=verb%20in%20(GET,POST)',
    );
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.apiVersion, 'custom.metrics.k8s.io/v1beta2');
    assert.deepEqual(
      r.body.items.map((i) => i.describedObject.name),
      ['web-0', 'web-1'],
    );
    for (const item of r.body.items) {
      assert.deepEqual(item.metric, {
        name: 'http_requests_per_second',
        selector: { matchExpressions: [{ key: 'verb', operator: 'In', values: ['GET', 'POST'] }] },
      });
      assert.equal(item.windowSeconds, 60);
      assert.equal('metricName' in item, false);
    }
  });

  it('answers Object queries: Service, Deployment (apps/v1) and the Namespace itself', async () => {
    const svc = await get<List<MetricValueV2>>(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/services/web/http_requests_per_second',
    );
    assert.equal(svc.status, 200, svc.raw);
    assert.equal(svc.body.items.length, 1);
    assert.deepEqual(svc.body.items[0]?.describedObject, {
      kind: 'Service',
      namespace: 'shop',
      name: 'web',
      apiVersion: 'v1',
    });

    const dep = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/deployments.apps/web/http_requests_per_second',
    );
    assert.equal(dep.status, 200, dep.raw);
    assert.deepEqual(dep.body.items[0]?.describedObject, {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      apiVersion: 'apps/v1',
    });

    // The singular form is accepted too.
    const singular = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/deployment.apps/web/http_requests_per_second',
    );
    assert.equal(singular.status, 200, singular.raw);

    const ns = await get<List<MetricValueV2>>(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/metrics/queue_depth',
    );
    assert.equal(ns.status, 200, ns.raw);
    assert.deepEqual(
      ns.body.items.map((i) => [i.describedObject, i.value]),
      [[{ kind: 'Namespace', name: 'shop', apiVersion: 'v1' }, '100']],
    );
  });

  it('/debug/explain shows the rule, the PromQL the request runs and the samples, behind authentication', async () => {
    const path =
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/http_requests_per_second?labelSelector=app%3Dweb';
    const r = await get<{
      api: string;
      rule?: { path: string; line: number };
      queries: { promql: string; syntax: { ok: boolean }; ran: boolean }[];
      outcome: { status?: number; items?: number };
    }>(`/debug/explain?path=${encodeURIComponent(path)}`);
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.api, 'custom');
    assert.equal(r.body.rule?.path, 'rules[0]');
    const [q] = r.body.queries;
    assert.ok(q !== undefined, r.raw);
    assert.match(q.promql, /http_requests_total\{/);
    assert.match(q.promql, /pod=~"web-0\|web-1\|web-2"/);
    assert.equal(q.syntax.ok, true);
    assert.equal(r.body.outcome.items, 3, r.raw);
    const text = await call(adapter, pki, `/debug/explain?format=text&path=${encodeURIComponent(path)}`, {
      cert: pki.tester,
    });
    assert.equal(text.status, 200);
    assert.match(text.body, /sum\(rate\(http_requests_total/);
    const missing = await call(adapter, pki, '/debug/explain', { cert: pki.tester });
    assert.equal(missing.status, 400, missing.body);
    const anonymous = await call(adapter, pki, `/debug/explain?path=${encodeURIComponent(path)}`);
    assert.equal(anonymous.status, 401);
  });

  it('leaves out NaN values and objects without samples', async () => {
    const r = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/odd_value',
    );
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(
      r.body.items.map((i) => [i.describedObject.name, i.value]),
      [['web-1', '7']],
    );
    const one = await get<{ reason: string; code: number }>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0/odd_value',
    );
    assert.equal(one.status, 404);
    assert.equal(one.body.reason, 'NotFound');
  });

  it('answers errors as Status objects', async () => {
    const cases: { path: string; code: number; reason: string; message: RegExp }[] = [
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/no_such_metric',
        code: 404,
        reason: 'NotFound',
        message: /could not find the metric no_such_metric for pods/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/widgets/*/queue_depth',
        code: 404,
        reason: 'NotFound',
        message: /could not find the metric queue_depth for widgets/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?labelSelector=app%3D%3D%3D',
        code: 400,
        reason: 'BadRequest',
        message: /invalid labelSelector/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?metricLabelSelector=app.kubernetes.io%2Fname%3Dx',
        code: 400,
        reason: 'BadRequest',
        message: /not a valid Prometheus label name|label name/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?metricLabelSelector=a%3D%22%7Dor%20vector(1)%23',
        code: 400,
        reason: 'BadRequest',
        message: /invalid metricLabelSelector/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/Shop_Bad/pods/*/queue_depth',
        code: 400,
        reason: 'BadRequest',
        message: /invalid namespace/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/a%22%7Dor%20vector(1)%23/queue_depth',
        code: 400,
        reason: 'BadRequest',
        message: /invalid object name/,
      },
      {
        path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0',
        code: 404,
        reason: 'NotFound',
        message: /could not find the requested resource/,
      },
    ];
    for (const c of cases) {
      const r = await get<{ kind: string; code: number; reason: string; message: string; status: string }>(
        c.path,
      );
      assert.equal(r.status, c.code, `${c.path}: ${r.raw}`);
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.status, 'Failure');
      assert.equal(r.body.code, c.code);
      assert.equal(r.body.reason, c.reason);
      assert.match(r.body.message, c.message, c.path);
    }
  });

  it('answers an empty list when no object matches the selector', async () => {
    const r = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dnone',
    );
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(r.body.items, []);
  });

  it('follows pods as they come and go (watch-backed cache)', async () => {
    kube.setPods(
      'shop',
      [...PODS, 'web-3'].map((name) => ({ name, labels: { app: name.startsWith('web') ? 'web' : 'batch' } })),
    );
    exporter.set('queue_depth', { namespace: 'shop', pod: 'web-3' }, 99);
    await prom.waitForSeries('queue_depth{pod="web-3"}');
    await eventually('web-3 in the answer', async () => {
      const r = await get<List<MetricValueV1>>(
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb',
      );
      return r.body.items.some((i) => i.describedObject.name === 'web-3') ? true : undefined;
    });
    kube.setPods(
      'shop',
      PODS.map((name) => ({ name, labels: { app: name.startsWith('web') ? 'web' : 'batch' } })),
    );
    await eventually('web-3 gone', async () => {
      const r = await get<List<MetricValueV1>>(
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb',
      );
      return r.body.items.some((i) => i.describedObject.name === 'web-3') ? undefined : true;
    });
  });

  it('serves a metric that appears after start without waiting for a relist', async () => {
    exporter.set('late_arrival', { namespace: 'shop', pod: 'web-1' }, 42);
    await prom.waitForSeries('late_arrival');
    const r = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1/late_arrival',
    );
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.body.items[0]?.value, '42');
    const list = await get<ResourceList>('/apis/custom.metrics.k8s.io/v1beta1');
    assert.ok(list.body.resources.some((x) => x.name === 'pods/late_arrival'));
  });

  it('works with kubectl as the client', async () => {
    const r = await runKubectl(
      [
        'get',
        '--raw',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/queue_depth?labelSelector=app=batch',
      ],
      {
        kubeconfig: userKubeconfig,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as List<MetricValueV2>;
    assert.deepEqual(
      body.items.map((i) => [i.describedObject.name, i.value]),
      [['batch-0', '40']],
    );
    const missing = await runKubectl(
      ['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/nope'],
      { kubeconfig: userKubeconfig },
    );
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound|could not find the metric nope/);
  });

  it('reloads the rules file: a valid one replaces the rules, an invalid one is rejected', async () => {
    await writeFile(rulesFile, RULES.replace('as: "${1}_per_second"', 'as: "${1}_rate"'));
    await eventually('the renamed metric', async () => {
      const r = await get<List<MetricValueV1>>(
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/http_requests_rate',
      );
      return r.status === 200 ? r : undefined;
    });
    const gone = await get<unknown>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/http_requests_per_second',
    );
    assert.equal(gone.status, 404);

    await writeFile(rulesFile, 'rules:\n- seriesQuery: up\n  name: {matches: "("}\n');
    await eventually('the failed reload to be counted', async () => {
      const m = await call(adapter, pki, '/metrics', { cert: pki.tester });
      return /metrics_adapter_rules_reloads_total\{result="failure"\} [1-9]/.test(m.body) ? true : undefined;
    });
    const still = await get<List<MetricValueV1>>(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/http_requests_rate',
    );
    assert.equal(still.status, 200, 'the old rules keep serving');
    const metrics = await call(adapter, pki, '/metrics', { cert: pki.tester });
    assert.match(metrics.body, /metrics_adapter_rules_last_reload_successful 0/);
    assert.match(metrics.body, /metrics_adapter_catalog_metrics\{api="custom"\} [1-9]/);
    await writeFile(rulesFile, RULES);
    await eventually('the original rules back', async () => {
      const r = await get<unknown>(
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/http_requests_per_second',
      );
      return r.status === 200 ? r : undefined;
    });
  });

  it('answers 503 while Prometheus is down, then recovers', async () => {
    const path =
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/queue_depth?labelSelector=app%3Dweb';
    await prom.stop();
    const down = await get<{ code: number; reason: string; message: string }>(path);
    assert.equal(down.status, 503, down.raw);
    assert.equal(down.body.reason, 'ServiceUnavailable');
    assert.match(down.body.message, /Prometheus/);
    assert.doesNotMatch(down.body.message, /token|password/i);
    // Discovery keeps answering from the last good catalog.
    const list = await get<ResourceList>('/apis/custom.metrics.k8s.io/v1beta1');
    assert.equal(list.status, 200);
    assert.ok(list.body.resources.length > 0);
    // Back with the same data behind the same address, as after a Prometheus pod restart.
    prom = await startPrometheus({
      scrapeTargets: [exporter.target],
      scrapeIntervalSeconds: 1,
      dataDir: promDataDir,
    });
    promProxy.setUpstreamPort(prom.port);
    await eventually(
      'recovery',
      async () => {
        const r = await get<List<MetricValueV1>>(path);
        return r.status === 200 && r.body.items.length > 0 ? r : undefined;
      },
      40_000,
    );
  });
});

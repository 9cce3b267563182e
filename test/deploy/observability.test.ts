/**
 * manifests/observability: the Grafana dashboard and the PrometheusRule. The dashboard has a valid
 * Grafana shape; every PromQL expression of both parses (lezer grammar and Prometheus' own parser
 * through promtool); the alerts fire and stay quiet where they should (`promtool test rules`); the
 * objects validate against the Prometheus Operator's schemas and render with kustomize; and every
 * metric name they use is one the adapter serves on /metrics.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parser } from '@prometheus-io/lezer-promql';
import { parse, stringify } from 'yaml';
import { checkPromQL } from '../../src/promql/index.js';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { findExecutable, runProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { renderKustomization, ROOT, type K8sObject } from './rendered.js';

const DIR = join(ROOT, 'manifests/observability');

interface Target {
  expr?: unknown;
  refId?: unknown;
  datasource?: unknown;
}

interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  datasource?: { type?: unknown; uid?: unknown };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

interface Dashboard {
  title?: unknown;
  uid?: unknown;
  schemaVersion?: unknown;
  panels?: Panel[];
  templating?: { list?: { name?: unknown; type?: unknown; query?: unknown }[] };
}

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleObject extends K8sObject {
  spec: { groups: { name: string; rules: AlertRule[] }[] };
}

/** Grafana's built-in interval variables become a duration; dashboard variables a plain value. */
function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{?(\w+)\}?/g, 'x');
}

/** The metric names of an expression's vector selectors (`name{...}` and `{__name__="name"}`). */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const first = node.node.firstChild;
      if (first?.name === 'Identifier') names.add(expr.slice(first.from, first.to));
      const text = expr.slice(node.from, node.to);
      for (const m of text.matchAll(/__name__\s*=\s*"([^"]+)"/g)) if (m[1] !== undefined) names.add(m[1]);
    },
  });
  return [...names];
}

/** Metric family names on a /metrics page, with the sample names of histograms and summaries. */
function servedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    if (name === undefined) continue;
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(`${name}${s}`);
  }
  return out;
}

async function promtool(): Promise<string> {
  const found = await findExecutable('promtool', ['/usr/bin/promtool']);
  assert.ok(found, 'promtool is installed with prometheus (apt-get install -y prometheus)');
  return found;
}

describe('manifests/observability', () => {
  let dashboard: Dashboard;
  let dashboardText: string;
  let rule: RuleObject;
  let serviceMonitor: K8sObject;
  let tmp: TempDir;
  const dashboardExprs: { panel: string; expr: string }[] = [];

  before(async () => {
    tmp = await makeTempDir('observability');
    dashboardText = await readFile(join(DIR, 'metrics-adapter.json'), 'utf8');
    dashboard = JSON.parse(dashboardText) as Dashboard;
    rule = parse(await readFile(join(DIR, 'alerts.yaml'), 'utf8')) as RuleObject;
    serviceMonitor = parse(await readFile(join(DIR, 'service-monitor.yaml'), 'utf8')) as K8sObject;
    for (const p of dashboard.panels ?? [])
      for (const t of p.targets ?? [])
        if (typeof t.expr === 'string') dashboardExprs.push({ panel: String(p.title), expr: t.expr });
  });
  after(async () => {
    await tmp.remove();
  });

  const alertRules = (): AlertRule[] => rule.spec.groups.flatMap((g) => g.rules);

  describe('the dashboard', () => {
    it('is a Grafana dashboard with a title, uid and schema version', () => {
      assert.equal(dashboard.title, 'metrics-adapter');
      assert.equal(dashboard.uid, 'metrics-adapter');
      assert.equal(typeof dashboard.schemaVersion, 'number');
      assert.ok(Array.isArray(dashboard.panels) && dashboard.panels.length > 10);
    });

    it('has a Prometheus datasource variable that every panel and target uses', () => {
      const vars = dashboard.templating?.list ?? [];
      const ds = vars.find((v) => v.name === 'datasource');
      assert.deepEqual({ type: ds?.type, query: ds?.query }, { type: 'datasource', query: 'prometheus' });
      for (const p of dashboard.panels ?? []) {
        if (p.type === 'row') continue;
        assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, String(p.title));
        for (const t of p.targets ?? [])
          assert.deepEqual(t.datasource, { type: 'prometheus', uid: '${datasource}' }, String(p.title));
      }
    });

    it('panels have unique ids, fit the 24-column grid, and every non-row panel has queries', () => {
      const ids = (dashboard.panels ?? []).map((p) => p.id);
      assert.ok(
        ids.every((id) => Number.isInteger(id)),
        'integer ids',
      );
      assert.equal(new Set(ids).size, ids.length, 'unique ids');
      for (const p of dashboard.panels ?? []) {
        const title = String(p.title);
        assert.ok(typeof p.title === 'string' && p.title !== '', 'every panel has a title');
        assert.ok(p.gridPos, `${title}: gridPos`);
        assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${title}: width`);
        if (p.type === 'row') continue;
        assert.ok(['timeseries', 'stat'].includes(String(p.type)), `${title}: panel type ${String(p.type)}`);
        const targets = p.targets ?? [];
        assert.ok(targets.length > 0, `${title}: targets`);
        const refIds = targets.map((t) => t.refId);
        assert.equal(new Set(refIds).size, refIds.length, `${title}: unique refIds`);
        for (const t of targets) assert.ok(typeof t.expr === 'string' && t.expr.length > 0, `${title}: expr`);
      }
    });

    it('uses only variables it defines (and Grafana built-ins)', () => {
      const defined = new Set((dashboard.templating?.list ?? []).map((v) => String(v.name)));
      for (const { panel, expr } of dashboardExprs) {
        for (const m of expr.matchAll(/\$\{?(\w+)\}?/g)) {
          const name = m[1] ?? '';
          if (name.startsWith('__')) continue;
          assert.ok(defined.has(name), `${panel}: $${name} is not a dashboard variable`);
        }
      }
    });

    it('covers the areas operators need', () => {
      const all = dashboardExprs.map((e) => e.expr).join('\n');
      for (const needle of [
        'metrics_adapter_requests_total',
        'histogram_quantile(0.5, sum by (route, le) (rate(metrics_adapter_request_duration_seconds_bucket',
        'histogram_quantile(0.99, sum by (route, le) (rate(metrics_adapter_request_duration_seconds_bucket',
        'metrics_adapter_prometheus_request_duration_seconds_bucket',
        'metrics_adapter_prometheus_requests_total',
        'metrics_adapter_series_relist_duration_seconds_bucket',
        'metrics_adapter_catalog_metrics',
        'metrics_adapter_rules_last_reload_successful',
        'metrics_adapter_kubelet_last_successful_scrape_timestamp_seconds',
        'metrics_adapter_kubelet_scrape_errors_total',
        'metrics_adapter_kubelet_scrape_duration_seconds_bucket',
        'metrics_adapter_kubelet_scrape_cycle_duration_seconds_bucket',
        'metrics_adapter_serving_certificate_expiration_timestamp_seconds',
        'metrics_adapter_authentication_failures_total',
        'metrics_adapter_authorization_decisions_total',
      ])
        assert.ok(all.includes(needle), `a panel queries ${needle}`);
    });
  });

  describe('PromQL', () => {
    it('every dashboard and alert expression parses (lezer grammar)', () => {
      const exprs = [
        ...dashboardExprs.map((e) => ({
          where: `panel ${e.panel}`,
          expr: substituteGrafanaVariables(e.expr),
        })),
        ...alertRules().map((r) => ({ where: `alert ${String(r.alert)}`, expr: r.expr })),
      ];
      assert.ok(exprs.length > 40);
      for (const { where, expr } of exprs) {
        const check = checkPromQL(expr);
        assert.ok(check.ok, `${where}: ${check.ok ? '' : check.message}\n${expr}`);
      }
    });

    it('promtool check rules accepts the alerts, and the dashboard queries as recording rules', async () => {
      const file = join(tmp.path, 'check.rules.yaml');
      const dashboardGroup = {
        name: 'dashboard-queries',
        rules: dashboardExprs.map((e, i) => ({
          record: `dashboard:query_${i}`,
          expr: substituteGrafanaVariables(e.expr),
        })),
      };
      await writeFile(file, stringify({ groups: [...rule.spec.groups, dashboardGroup] }));
      const r = await runProcess(await promtool(), ['check', 'rules', file], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(
        r.stdout,
        new RegExp(`SUCCESS: ${alertRules().length + dashboardExprs.length} rules found`),
      );
    });
  });

  describe('the PrometheusRule', () => {
    it('validates against the Prometheus Operator schema', () => {
      assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
      assert.equal(rule.kind, 'PrometheusRule');
      new PrometheusRule(rule).validate();
    });

    it('has the alerts, each with a severity, a summary and a runbook section in docs/observability.md', async () => {
      const doc = await readFile(join(ROOT, 'docs/observability.md'), 'utf8');
      const anchors = new Set(
        [...doc.matchAll(/^#+ (.+)$/gm)].map((m) =>
          (m[1] ?? '')
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, '')
            .replace(/ /g, '-'),
        ),
      );
      const names = alertRules().map((r) => r.alert);
      assert.deepEqual([...new Set(names)].sort(), [
        'MetricsAdapterAPIErrors',
        'MetricsAdapterCatalogStale',
        'MetricsAdapterHighLatency',
        'MetricsAdapterKubeWatchFailing',
        'MetricsAdapterKubeletScrapeFailures',
        'MetricsAdapterPrometheusErrors',
        'MetricsAdapterRequestsLimited',
        'MetricsAdapterRulesReloadFailing',
        'MetricsAdapterServingCertificateExpiring',
        'MetricsAdapterTokenReviewFailing',
      ]);
      for (const r of alertRules()) {
        const name = String(r.alert);
        assert.ok(['warning', 'critical'].includes(r.labels?.severity ?? ''), `${name}: severity`);
        assert.ok((r.annotations?.summary ?? '') !== '', `${name}: summary`);
        const runbook = r.annotations?.runbook ?? '';
        const m = /^docs\/observability\.md#(.+)$/.exec(runbook);
        assert.ok(m?.[1] !== undefined && anchors.has(m[1]), `${name}: runbook ${runbook} is a heading`);
        assert.equal(m[1], name.toLowerCase());
      }
    });

    it('the ServiceMonitor validates and selects the adapter Service’s https port', async () => {
      new ServiceMonitor(
        serviceMonitor as unknown as ConstructorParameters<typeof ServiceMonitor>[0],
      ).validate();
      const service = parse(await readFile(join(ROOT, 'manifests/service.yaml'), 'utf8')) as {
        spec: { ports: { name: string }[] };
      };
      const spec = serviceMonitor.spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; scheme: string }[];
      };
      assert.deepEqual(spec.selector.matchLabels, { 'app.kubernetes.io/name': 'metrics-adapter' });
      for (const e of spec.endpoints) {
        assert.ok(
          service.spec.ports.some((p) => p.name === e.port),
          `Service port ${e.port}`,
        );
        assert.equal(e.scheme, 'https');
      }
    });

    it('kustomize renders the ServiceMonitor, the rule and the dashboard ConfigMap', async () => {
      const r = await renderKustomization(DIR);
      const kinds = r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
      assert.deepEqual(kinds, [
        'ConfigMap/monitoring/metrics-adapter-dashboard',
        'PrometheusRule/monitoring/metrics-adapter',
        'ServiceMonitor/monitoring/metrics-adapter',
      ]);
      const cm = r.objects.find((o) => o.kind === 'ConfigMap');
      assert.ok(cm);
      assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
      assert.equal((cm.data as Record<string, string>)['metrics-adapter.json'], dashboardText);
    });
  });

  describe('alert behaviour (promtool test rules)', () => {
    /** The alerts without annotations (promtool compares them whole; their templates are checked above). */
    async function ruleFileWithoutAnnotations(): Promise<string> {
      const file = join(tmp.path, 'alerts.rules.yaml');
      const groups = rule.spec.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: r.labels })),
      }));
      await writeFile(file, stringify({ groups }));
      return file;
    }

    const target = 'namespace="monitoring",pod="metrics-adapter-0",job="metrics-adapter"';
    const labels = { namespace: 'monitoring', pod: 'metrics-adapter-0', job: 'metrics-adapter' };
    const DAY = 86_400;

    const tests = [
      {
        name: 'certificate: quiet at 20 days, warning at 10, warning and critical at 2',
        input_series: [
          // Three certificates, all observed from t=0: expiring after 20, 10 and 2 days.
          ...[20, 10, 2].map((days) => ({
            series: `metrics_adapter_serving_certificate_expiration_timestamp_seconds{${target},cert="d${days}"}`,
            values: `${days * DAY}x200`,
          })),
          // Not loaded yet: the gauge is 0 and must not alert.
          {
            series: `metrics_adapter_serving_certificate_expiration_timestamp_seconds{${target},cert="unset"}`,
            values: '0x200',
          },
        ],
        alert_rule_test: [
          {
            eval_time: '2h',
            alertname: 'MetricsAdapterServingCertificateExpiring',
            exp_alerts: [
              { exp_labels: { ...labels, cert: 'd10', severity: 'warning' } },
              { exp_labels: { ...labels, cert: 'd2', severity: 'warning' } },
              { exp_labels: { ...labels, cert: 'd2', severity: 'critical' } },
            ],
          },
        ],
      },
      {
        name: 'rules reload failing after 5 minutes, not before',
        input_series: [
          { series: `metrics_adapter_rules_last_reload_successful{${target}}`, values: '1 1 0x20' },
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'MetricsAdapterRulesReloadFailing', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'MetricsAdapterRulesReloadFailing',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'catalog stale: relists failing, or never succeeding; quiet while they succeed',
        input_series: [
          { series: `metrics_adapter_rules_last_reload_successful{${target}}`, values: '1x40' },
          // Succeeds every minute for 10 minutes, then only fails.
          {
            series: `metrics_adapter_series_relists_total{${target},result="success"}`,
            values: '1+1x10 11x30',
          },
          {
            series: `metrics_adapter_series_relists_total{${target},result="failure"}`,
            values: '0x10 1+1x30',
          },
          // A second replica whose relists never succeeded.
          {
            series: `metrics_adapter_rules_last_reload_successful{namespace="monitoring",pod="metrics-adapter-1",job="metrics-adapter"}`,
            values: '1x40',
          },
          {
            series: `metrics_adapter_series_relists_total{namespace="monitoring",pod="metrics-adapter-1",job="metrics-adapter",result="failure"}`,
            values: '1+1x40',
          },
        ],
        alert_rule_test: [
          {
            eval_time: '10m',
            alertname: 'MetricsAdapterCatalogStale',
            exp_alerts: [{ exp_labels: { ...labels, pod: 'metrics-adapter-1', severity: 'warning' } }],
          },
          {
            eval_time: '30m',
            alertname: 'MetricsAdapterCatalogStale',
            exp_alerts: [
              { exp_labels: { ...labels, severity: 'warning' } },
              { exp_labels: { ...labels, pod: 'metrics-adapter-1', severity: 'warning' } },
            ],
          },
        ],
      },
      {
        name: 'API 5xx ratio above 5% alerts; health-check errors do not count',
        input_series: [
          {
            series: `metrics_adapter_requests_total{${target},route="custom-metrics",code="200"}`,
            values: '0+90x30',
          },
          {
            series: `metrics_adapter_requests_total{${target},route="custom-metrics",code="503"}`,
            values: '0+10x30',
          },
          {
            series: `metrics_adapter_requests_total{${target},route="health",code="500"}`,
            values: '0+1000x30',
          },
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'MetricsAdapterAPIErrors', exp_alerts: [] },
          {
            eval_time: '20m',
            alertname: 'MetricsAdapterAPIErrors',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'health-check errors do not count towards the API error ratio',
        input_series: [
          {
            series: `metrics_adapter_requests_total{${target},route="external-metrics",code="200"}`,
            values: '0+99x30',
          },
          {
            series: `metrics_adapter_requests_total{${target},route="external-metrics",code="500"}`,
            values: '0+1x30',
          },
          {
            series: `metrics_adapter_requests_total{${target},route="health",code="500"}`,
            values: '0+1000x30',
          },
        ],
        alert_rule_test: [{ eval_time: '20m', alertname: 'MetricsAdapterAPIErrors', exp_alerts: [] }],
      },
      {
        name: 'high p99 latency on a metrics route',
        input_series: [
          ...[
            ['1', '0+100x30'],
            ['2.5', '0+100x30'],
            ['5', '0+200x30'],
            ['+Inf', '0+200x30'],
          ].map(([le, values]) => ({
            series: `metrics_adapter_request_duration_seconds_bucket{${target},route="external-metrics",le="${le}"}`,
            values,
          })),
        ],
        alert_rule_test: [
          {
            eval_time: '20m',
            alertname: 'MetricsAdapterHighLatency',
            exp_alerts: [
              {
                exp_labels: {
                  namespace: 'monitoring',
                  job: 'metrics-adapter',
                  route: 'external-metrics',
                  severity: 'warning',
                },
              },
            ],
          },
        ],
      },
      {
        name: 'kubelet scrapes: 1 of 5 nodes stale alerts, 0 of 5 does not',
        input_series: [
          // Scraped every 15 s: the timestamp follows the clock (60 per minute).
          ...['n1', 'n2', 'n3', 'n4'].map((node) => ({
            series: `metrics_adapter_kubelet_last_successful_scrape_timestamp_seconds{${target},node="${node}"}`,
            values: '0+60x40',
          })),
          // n5 stops answering after 10 minutes.
          {
            series: `metrics_adapter_kubelet_last_successful_scrape_timestamp_seconds{${target},node="n5"}`,
            values: '0+60x10 600x30',
          },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'MetricsAdapterKubeletScrapeFailures', exp_alerts: [] },
          {
            eval_time: '25m',
            alertname: 'MetricsAdapterKubeletScrapeFailures',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'Prometheus errors above 10%',
        input_series: [
          {
            series: `metrics_adapter_prometheus_requests_total{${target},endpoint="query",outcome="success"}`,
            values: '0+80x30',
          },
          {
            series: `metrics_adapter_prometheus_requests_total{${target},endpoint="query",outcome="timeout"}`,
            values: '0+20x30',
          },
          {
            series: `metrics_adapter_prometheus_requests_total{${target},endpoint="series",outcome="success"}`,
            values: '0+1x30',
          },
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'MetricsAdapterPrometheusErrors', exp_alerts: [] },
          {
            eval_time: '20m',
            alertname: 'MetricsAdapterPrometheusErrors',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'requests limited: quiet at 0.5%, warning at 2%',
        input_series: [
          {
            series: `metrics_adapter_requests_total{${target},route="custom",code="200"}`,
            values: '0+100x40',
          },
          // 0.5 per minute of 100 for 10 minutes, then 2 per minute.
          {
            series: `metrics_adapter_requests_limited_total{${target},limit="max_requests_inflight"}`,
            values: '0+0.5x10 5+1x30',
          },
          {
            series: `metrics_adapter_requests_limited_total{${target},limit="request_timeout"}`,
            values: '0x10 0+1x30',
          },
          // Refusals of bad requests are not load: never counted here.
          {
            series: `metrics_adapter_requests_limited_total{${target},limit="max_url_length"}`,
            values: '0+50x40',
          },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'MetricsAdapterRequestsLimited', exp_alerts: [] },
          {
            eval_time: '30m',
            alertname: 'MetricsAdapterRequestsLimited',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'TokenReview failing for 10 minutes; rejected tokens are not failures',
        input_series: [
          {
            series: `metrics_adapter_token_authentications_total{${target},method="tokenreview",result="rejected"}`,
            values: '0+5x40',
          },
          {
            series: `metrics_adapter_token_authentications_total{${target},method="tokenreview",result="error"}`,
            values: '0x10 0+1x30',
          },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'MetricsAdapterTokenReviewFailing', exp_alerts: [] },
          {
            eval_time: '30m',
            alertname: 'MetricsAdapterTokenReviewFailing',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
      {
        name: 'kube watch failing for 15 minutes; 410 re-lists are not failures',
        input_series: [
          {
            series: `metrics_adapter_kube_watch_failures_total{${target},resource="/api/v1/pods",reason="expired"}`,
            values: '0+1x40',
          },
          {
            series: `metrics_adapter_kube_watch_failures_total{${target},resource="/api/v1/pods",reason="error"}`,
            values: '0x10 0+1x30',
          },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'MetricsAdapterKubeWatchFailing', exp_alerts: [] },
          {
            eval_time: '35m',
            alertname: 'MetricsAdapterKubeWatchFailing',
            exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }],
          },
        ],
      },
    ];

    it('fires and stays quiet as expected', async () => {
      const rulesFile = await ruleFileWithoutAnnotations();
      const testFile = join(tmp.path, 'alerts.test.yaml');
      await writeFile(
        testFile,
        stringify({
          rule_files: [rulesFile],
          evaluation_interval: '1m',
          tests: tests.map(({ name: _name, ...t }) => ({ interval: '1m', ...t })),
        }),
      );
      const r = await runProcess(await promtool(), ['test', 'rules', testFile], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /SUCCESS/);
    });
  });

  describe('metric names', () => {
    let kube: FakeKube;
    let pki: AdapterPki;
    let adapter: InProcessAdapter;
    let served: Set<string>;

    before(async () => {
      kube = await startFakeKube();
      kube.setSarPolicy(() => ({ allowed: true, reason: 'allowed by the test policy' }));
      pki = await createAdapterPki(tmp.path);
      const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
      adapter = await startAdapter(
        baseFlags(pki, [`--kubeconfig=${kubeconfig}`, '--authentication-skip-lookup']),
      );
      const r = await call(adapter, pki, '/metrics', { cert: pki.tester });
      assert.equal(r.status, 200, r.body);
      served = servedNames(r.body);
    });
    after(async () => {
      await adapter.close();
      await kube.close();
    });

    it('every metric the dashboard and alerts use is on /metrics', () => {
      const used = new Set<string>();
      for (const e of dashboardExprs)
        for (const n of metricNames(substituteGrafanaVariables(e.expr))) used.add(n);
      for (const r of alertRules()) for (const n of metricNames(r.expr)) used.add(n);
      assert.ok(used.size > 20, `found ${used.size} names`);
      const missing = [...used].filter((n) => !served.has(n)).sort();
      assert.deepEqual(missing, [], 'used but not served');
    });
  });
});

/**
 * Drop-in for real: the adapter process started with the literal argument lists of
 * prometheus-adapter's published deploy manifests must start, serve discovery and answer the
 * HPA's Pods query, against a real Prometheus and the simulated kube-apiserver.
 *
 * Substitutions in the manifests' arguments, and nothing else: file paths (into a temporary
 * directory), URLs (the test Prometheus) and the port value (a free one). One argument is
 * appended to each list, `--bind-address=127.0.0.1`, because tests here listen on loopback only;
 * it changes where the listener binds, not which flags must be accepted. Those manifests run
 * in-cluster; here the cluster is reached through the KUBECONFIG environment variable instead.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAdapterPki, mainScript, type AdapterPki } from '../helpers/adapter.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { httpsRequest } from '../helpers/https-client.js';
import { freePort, LOOPBACK } from '../helpers/ports.js';
import { startProcess, type ManagedProcess } from '../helpers/process.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

/** tsx compiles the sources on start: a child takes a few seconds, more on a loaded machine. */
const START_TIMEOUT_MS = 45_000;

const RULES = `
rules:
  - seriesQuery: '{__name__=~"^http_requests_total$",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
    name:
      matches: "^(.*)_total$"
      as: "\${1}_per_second"
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
`;

const PODS = ['web-0', 'web-1', 'batch-0'];
const RATES: Record<string, number> = { 'web-0': 1, 'web-1': 3, 'batch-0': 9 };

/** prometheus-adapter v0.8.x, deploy/manifests/custom-metrics-apiserver-deployment.yaml. */
function v08Args(p: {
  certDir: string;
  certFile: string;
  keyFile: string;
  promUrl: string;
  port: number;
  config: string;
}): string[] {
  return [
    `--cert-dir=${p.certDir}`,
    `--secure-port=${p.port}`,
    `--tls-cert-file=${p.certFile}`,
    `--tls-private-key-file=${p.keyFile}`,
    '--logtostderr=true',
    `--prometheus-url=${p.promUrl}`,
    '--metrics-relist-interval=1m',
    '--v=10',
    `--config=${p.config}`,
  ];
}

/** prometheus-adapter v0.12.0, deploy/manifests/deployment.yaml. */
function v012Args(p: { certDir: string; promUrl: string; port: number; config: string }): string[] {
  return [
    `--cert-dir=${p.certDir}`,
    `--config=${p.config}`,
    '--metrics-relist-interval=1m',
    `--prometheus-url=${p.promUrl}`,
    `--secure-port=${p.port}`,
    '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA',
  ];
}

const LOOPBACK_ONLY = `--bind-address=${LOOPBACK}`;

interface MetricValue {
  describedObject: { kind: string; namespace?: string; name: string };
  metricName: string;
  value: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function quantity(v: string): number {
  if (v.endsWith('m')) return Number(v.slice(0, -1)) / 1000;
  if (v.endsWith('k')) return Number(v.slice(0, -1)) * 1000;
  return Number(v);
}

describe('prometheus-adapter command lines start this adapter unchanged', { timeout: 240_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let pki: AdapterPki;
  let rulesFile: string;
  let kubeconfig: string;
  let promUrl: string;
  const procs: ManagedProcess[] = [];

  /** The environment of a pod's container, but outside a cluster and with KUBECONFIG as given. */
  const childEnv = (kubeconfigEnv: string | undefined): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.KUBERNETES_SERVICE_HOST;
    delete env.KUBERNETES_SERVICE_PORT;
    delete env.KUBECONFIG;
    if (kubeconfigEnv !== undefined) env.KUBECONFIG = kubeconfigEnv;
    return env;
  };

  const start = async (
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ proc: ManagedProcess; port: number }> => {
    const proc = await startProcess(process.execPath, ['--import', 'tsx', mainScript(), ...args], {
      env,
      name: 'metrics-adapter',
    });
    procs.push(proc);
    const line = await proc.waitForOutput('"msg":"serving securely"', {
      timeoutMs: START_TIMEOUT_MS,
      stream: 'stderr',
    });
    const port = (JSON.parse(line.line) as { port?: unknown }).port;
    assert.equal(typeof port, 'number', line.line);
    return { proc, port: port as number };
  };

  /** Discovery lists the metric, then the HPA's Pods query answers with Prometheus's rates. */
  const assertServesMetrics = async (
    port: number,
    servingCA: string,
    proc: ManagedProcess,
  ): Promise<void> => {
    const get = (path: string) =>
      httpsRequest(`https://${LOOPBACK}:${port}${path}`, {
        ca: servingCA,
        cert: pki.tester.certPem,
        key: pki.tester.keyPem,
        timeoutMs: 10_000,
      });
    let names: string[] = [];
    for (let i = 0; i < 60 && !names.includes('pods/http_requests_per_second'); i++) {
      if (i > 0) await sleep(500);
      const r = await get('/apis/custom.metrics.k8s.io/v1beta1');
      assert.equal(r.status, 200, `${r.body}\n${proc.tail(20)}`);
      names = r.json<{ resources: { name: string }[] }>().resources.map((x) => x.name);
    }
    assert.ok(names.includes('pods/http_requests_per_second'), `${names.join(', ')}\n${proc.tail(20)}`);

    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb',
    );
    assert.equal(r.status, 200, r.body);
    const items = r.json<{ kind: string; items: MetricValue[] }>().items;
    assert.deepEqual(
      items.map((i) => i.describedObject.name),
      ['web-0', 'web-1'],
    );
    const direct = await prom.queryVector(
      'sum(rate(http_requests_total{namespace="shop",pod=~"web-0|web-1"}[1m])) by (pod)',
    );
    for (const item of items) {
      assert.equal(item.metricName, 'http_requests_per_second');
      assert.equal(item.describedObject.kind, 'Pod');
      const want = direct.find((s) => s.metric.pod === item.describedObject.name)?.value;
      const got = quantity(item.value);
      assert.ok(
        want !== undefined && Math.abs(got - want) <= Math.max(0.3, want * 0.3),
        `${item.describedObject.name}: ${item.value} vs Prometheus ${String(want)}`,
      );
    }
    // The rates differ threefold: a swapped or constant answer would not pass.
    assert.ok(quantity(items[1]!.value) > 2 * quantity(items[0]!.value), JSON.stringify(items));
  };

  before(async () => {
    tmp = await makeTempDir('dropin-flags');
    exporter = await startExporter();
    const started = Date.now();
    const tick = (): void => {
      const t = (Date.now() - started) / 1000;
      for (const pod of PODS) {
        exporter.set(
          'http_requests_total',
          { namespace: 'shop', pod },
          Math.floor(t * RATES[pod]! * 100) / 100,
        );
      }
    };
    tick();
    const timer = setInterval(tick, 100);
    timer.unref();
    prom = await startPrometheus({
      scrapeTargets: [exporter.target],
      scrapeIntervalSeconds: 1,
      dataDir: join(tmp.path, 'prometheus-data'),
    });
    promUrl = `${prom.url}/`;

    kube = await startFakeKube();
    kube.ensureNamespace('shop');
    kube.setPods(
      'shop',
      PODS.map((name) => ({ name, labels: { app: name.startsWith('web') ? 'web' : 'batch' } })),
    );
    kube.setAllowedUsers(['tester']);
    pki = await createAdapterPki(tmp.path);
    // The manifests give no --client-ca-file: the CA comes from the cluster's ConfigMap.
    kube.setExtensionApiserverAuthentication({ clientCA: pki.clientCA.certPem });
    kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const etc = join(tmp.path, 'etc', 'adapter');
    await mkdir(etc, { recursive: true });
    rulesFile = join(etc, 'config.yaml');
    await writeFile(rulesFile, RULES);
    // The adapters' first series discovery must see the series; rate() needs two scrapes.
    await prom.waitForQuery('sum(rate(http_requests_total[1m])) by (pod)', {
      accept: (s) => s.length === PODS.length,
      timeoutMs: 30_000,
    });
  });

  after(async () => {
    for (const p of procs) await p.stop({ graceMs: 3_000 });
    await prom.stop();
    await exporter.close();
    await kube.close();
    await tmp.remove();
  });

  it('v0.8.x custom-metrics-apiserver-deployment.yaml', async () => {
    const certDir = join(tmp.path, 'v08-serving-cert');
    const args = v08Args({
      certDir,
      certFile: pki.servingFiles.certFile,
      keyFile: pki.servingFiles.keyFile,
      promUrl,
      port: await freePort(),
      config: rulesFile,
    });
    const { proc, port } = await start([...args, LOOPBACK_ONLY], childEnv(kubeconfig));
    await assertServesMetrics(port, pki.servingCA.certPem, proc);
    const ignored = proc.lines('stderr').find((l) => l.line.includes('flags accepted for compatibility'));
    assert.ok(ignored?.line.includes('--logtostderr'), proc.tail(20));
    assert.deepEqual(await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 }), { code: 0, signal: null });
  });

  it('v0.12 deployment.yaml (self-signed --cert-dir, Go cipher suite names)', async () => {
    const certDir = join(tmp.path, 'v012-serving-cert');
    const args = v012Args({ certDir, promUrl, port: await freePort(), config: rulesFile });
    const { proc, port } = await start([...args, LOOPBACK_ONLY], childEnv(kubeconfig));
    const selfSigned = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
    await assertServesMetrics(port, selfSigned, proc);
    assert.deepEqual(await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 }), { code: 0, signal: null });
  });

  it('--lister-kubeconfig, --authentication-kubeconfig, --authorization-kubeconfig without --kubeconfig', async () => {
    const sarsBefore = kube.sarLog.length;
    const { proc, port } = await start(
      [
        `--secure-port=${await freePort()}`,
        LOOPBACK_ONLY,
        `--tls-cert-file=${pki.servingFiles.certFile}`,
        `--tls-private-key-file=${pki.servingFiles.keyFile}`,
        `--prometheus-url=${promUrl}`,
        `--config=${rulesFile}`,
        `--lister-kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
      ],
      // No KUBECONFIG and no cluster: only the flags lead to the cluster.
      childEnv(undefined),
    );
    await assertServesMetrics(port, pki.servingCA.certPem, proc);
    assert.ok(
      kube.sarLog.slice(sarsBefore).some((s) => s.spec.user === 'tester'),
      'SubjectAccessReviews went to the --authorization-kubeconfig cluster',
    );
    const access = proc.lines('stderr').find((l) => l.line.includes('"msg":"cluster access"'));
    assert.ok(access?.line.includes('--lister-kubeconfig'), proc.tail(20));
    assert.deepEqual(await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 }), { code: 0, signal: null });
  });

  it('--kubeconfig and --lister-kubeconfig naming different files: one line, exit 2', async () => {
    const other = join(tmp.path, 'other.kubeconfig');
    await writeFile(other, await readFile(kubeconfig, 'utf8'));
    const proc = await startProcess(
      process.execPath,
      [
        '--import',
        'tsx',
        mainScript(),
        `--tls-cert-file=${pki.servingFiles.certFile}`,
        `--tls-private-key-file=${pki.servingFiles.keyFile}`,
        `--kubeconfig=${kubeconfig}`,
        `--lister-kubeconfig=${other}`,
      ],
      { env: childEnv(undefined), name: 'metrics-adapter' },
    );
    procs.push(proc);
    const exit = await proc.waitForExit(START_TIMEOUT_MS);
    assert.equal(exit.code, 2, proc.tail(20));
    const lines = proc
      .output('stderr')
      .split('\n')
      .filter((l) => l !== '');
    assert.equal(lines.length, 1, proc.tail(20));
    assert.match(
      lines[0]!,
      /^metrics-adapter: --kubeconfig .* and --lister-kubeconfig .* name different files/,
    );
  });

  it('without any of them, outside a cluster and without KUBECONFIG, exits naming the flags', async () => {
    const proc = await startProcess(
      process.execPath,
      [
        '--import',
        'tsx',
        mainScript(),
        `--secure-port=${await freePort()}`,
        LOOPBACK_ONLY,
        `--tls-cert-file=${pki.servingFiles.certFile}`,
        `--tls-private-key-file=${pki.servingFiles.keyFile}`,
        `--prometheus-url=${promUrl}`,
      ],
      { env: childEnv(undefined), name: 'metrics-adapter' },
    );
    procs.push(proc);
    const exit = await proc.waitForExit(START_TIMEOUT_MS);
    assert.equal(exit.code, 1, proc.tail(20));
    const text = proc.output('stderr');
    for (const flag of [
      '--lister-kubeconfig',
      '--kubeconfig',
      '--authentication-kubeconfig',
      '--authorization-kubeconfig',
      'KUBECONFIG',
    ]) {
      assert.ok(text.includes(flag), `${flag} in ${text}`);
    }
  });
});

/**
 * The hostile-request corpus (corpus.ts) against a real adapter: in-process from real flags, real
 * TLS with its own PKI, a real Prometheus behind a recording proxy, the simulated kube-apiserver
 * for pods, nodes and SubjectAccessReviews. One setup for the whole file; the cases run one at a
 * time so that the PromQL and the reviews each one caused can be told apart.
 *
 * For every case: the answer (a valid metav1.Status with the expected code and reason, or the
 * expected list, or node's parser answer), the PromQL Prometheus received (parsed back: exactly
 * the expected selectors and matchers, the expected skeleton around them, no syntax errors, or
 * no query at all), and the identity that reached authorization (never a forged one).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { createCA, type IssuedCertificate } from '../helpers/certs.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube, type SubjectAccessReviewSpec } from '../helpers/fake-kube.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { rawHttpsRequest, type RawAnswer } from '../helpers/raw-https.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { assertStatus } from '../integration/support.js';
import { ADAPTER_RESOURCE_RULES } from '../providers/adapter-resource-rules.js';
import {
  hostileCorpus,
  IDLE_NAMESPACE,
  IDLE_POD,
  NAMESPACE,
  NODE,
  PODS,
  QUEUES,
  SHARDS,
  type ExpectedQuery,
  type HostileCase,
  type Identity,
} from './corpus.js';
import { matcherSet, queryShape } from './promql-shape.js';

const RULES = `
rules:
  - seriesQuery: '{__name__="hostile_gauge",namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
  - seriesQuery: '{__name__="queue_depth",namespace!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
${ADAPTER_RESOURCE_RULES}`;

const CORPUS = hostileCorpus();
const MIN_CORPUS = 500;

function describeAnswer(a: RawAnswer): string {
  return a.kind === 'answered'
    ? `${a.status} ${a.body.slice(0, 300)}`
    : `${a.kind} ${'error' in a ? (a.error ?? '') : ''}`;
}

type Answered = Extract<RawAnswer, { kind: 'answered' }>;

function answered(a: RawAnswer, what: string): Answered {
  if (a.kind !== 'answered') assert.fail(`${what}: no answer (${describeAnswer(a)})`);
  return a;
}

/** The names a list answer holds, whatever the API. */
function itemNames(body: unknown): string[] | undefined {
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) return undefined;
  return items.map((raw) => {
    const item = raw as {
      describedObject?: { name?: string };
      metricLabels?: Record<string, string>;
      metadata?: { name?: string };
    };
    return item.describedObject?.name ?? item.metricLabels?.queue ?? item.metadata?.name ?? '?';
  });
}

function assertQueries(
  sent: readonly string[],
  expected: readonly ExpectedQuery[] | undefined,
  what: string,
): void {
  if (expected === undefined) {
    assert.deepEqual(sent, [], `${what}: no query may reach Prometheus`);
    return;
  }
  const want = expected.map((q) => ({
    skeleton: q.skeleton.replace(/\s+/g, ' ').trim(),
    selectors: q.selectors.map((s) => ({
      metric: s.metric,
      matchers: matcherSet(s.matchers.map(([name, op, value]) => ({ name, op, value }))),
    })),
  }));
  const got = sent.map((query) => {
    const shape = queryShape(query);
    assert.deepEqual(shape.errors, [], `${what}: syntax errors in ${query}`);
    return {
      skeleton: shape.skeleton,
      selectors: shape.selectors.map((s) => ({ metric: s.metric, matchers: matcherSet(s.matchers) })),
    };
  });
  const key = (q: { skeleton: string }): string => q.skeleton;
  assert.deepEqual(
    [...got].sort((a, b) => key(a).localeCompare(key(b))),
    [...want].sort((a, b) => key(a).localeCompare(key(b))),
    `${what}: PromQL sent ${JSON.stringify(sent)}`,
  );
}

/**
 * Whether node's own client can send the case unchanged (so it can go over a kept-alive
 * connection): a known upper-case method, a path-form target and headers without control
 * characters. Everything else is written byte for byte on a fresh connection.
 */
function sendableByNode(c: HostileCase): boolean {
  const plain = (t: string): boolean => !/[\u0000-\u0020\u007f-\uffff]/.test(t);
  const method = c.method ?? 'GET';
  return (
    c.stallAfterBytes === undefined &&
    typeof c.expect === 'object' &&
    !('transport' in c.expect) &&
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method) &&
    c.target.startsWith('/') &&
    plain(c.target) &&
    (c.headers ?? []).every(([k, v]) => plain(k) && /^[\u0020-\u007e]*$/.test(v) && v.length < 8192)
  );
}

function keptAliveRequest(
  agent: https.Agent,
  tls: { ca: string; cert?: string; key?: string },
  target: { host: string; port: number },
  c: HostileCase,
): Promise<RawAnswer> {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of c.headers ?? []) (headers[k] ??= []).push(v);
  return new Promise<RawAnswer>((resolve) => {
    const req = https.request(
      { ...target, ...tls, agent, method: c.method ?? 'GET', path: c.target, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.once('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            flat[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
          resolve({
            kind: 'answered',
            status: res.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (err) => resolve({ kind: 'closed', error: err.message }));
    req.end();
  });
}

describe('hostile request corpus', { timeout: 240_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let exporter: Exporter;
  let prom: PrometheusInstance;
  let proxy: RecordingProxy;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let target: { host: string; port: number };
  const certs: Partial<Record<Identity, IssuedCertificate>> = {};
  let timer: NodeJS.Timeout | undefined;
  const reviewed: SubjectAccessReviewSpec[] = [];
  // One kept-alive connection per identity, as the aggregator keeps its connections.
  const agents = new Map<Identity, https.Agent>();

  before(async () => {
    tmp = await makeTempDir('hostile');
    exporter = await startExporter();
    const pods = Object.keys(PODS);
    pods.forEach((pod, i) => {
      exporter.set('hostile_gauge', { namespace: NAMESPACE, pod, shard: SHARDS[pod] ?? '' }, i + 1);
      exporter.set(
        'container_memory_working_set_bytes',
        { namespace: NAMESPACE, pod, container: 'app' },
        (i + 1) * 1024 ** 2,
      );
    });
    QUEUES.forEach((queue, i) => exporter.set('queue_depth', { namespace: NAMESPACE, queue }, (i + 1) * 10));
    exporter.set('node_memory_working_set_bytes', { node: NODE }, 2 * 1024 ** 3);
    // Counters for irate(): they must grow between scrapes.
    const started = Date.now();
    const tick = (): void => {
      const t = (Date.now() - started) / 1000;
      pods.forEach((pod) =>
        exporter.set(
          'container_cpu_usage_seconds_total',
          { namespace: NAMESPACE, pod, container: 'app' },
          t * 0.25,
        ),
      );
      exporter.set('node_cpu_usage_seconds_total', { node: NODE }, t);
    };
    tick();
    timer = setInterval(tick, 200);
    timer.unref();
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    proxy = await startRecordingProxy(prom.port);

    kube = await startFakeKube();
    kube.ensureNamespace(NAMESPACE);
    kube.setPods(
      NAMESPACE,
      pods.map((name) => ({ name, labels: { ...PODS[name] }, nodeName: NODE })),
    );
    kube.setPods(IDLE_NAMESPACE, [{ name: IDLE_POD, labels: { app: 'idle' }, nodeName: NODE }]);
    kube.upsert({ group: '', version: 'v1', resource: 'nodes' }, { metadata: { name: NODE, labels: {} } });
    // Our own record of every review: the fake's log is bounded, so offsets into it drift.
    kube.setSarPolicy((spec) => {
      reviewed.push(spec);
      const allowed = spec.user === 'tester' || spec.user === 'alice';
      return allowed ? { allowed, reason: 'allowed by the corpus policy' } : { allowed };
    });

    pki = await createAdapterPki(tmp.path);
    const hour = 3_600_000;
    const stranger = await createCA('stranger-ca');
    const selfSigned = await createCA('self-signed');
    certs.tester = pki.tester;
    certs.frontProxy = pki.frontProxy;
    certs.selfSigned = { certPem: selfSigned.certPem, keyPem: selfSigned.keyPem };
    certs.stranger = await stranger.issue({ commonName: 'front-proxy-client', usage: 'client' });
    certs.expiredProxy = await pki.frontProxyCA.issue({
      commonName: 'front-proxy-client',
      usage: 'client',
      notBefore: new Date(Date.now() - 48 * hour),
      notAfter: new Date(Date.now() - 24 * hour),
    });
    certs.rogueProxy = await pki.frontProxyCA.issue({ commonName: 'rogue-proxy', usage: 'client' });
    certs.proxyServerOnly = await pki.frontProxyCA.issue({
      commonName: 'front-proxy-client',
      usage: 'server',
    });
    certs.clientServerOnly = await pki.clientCA.issue({ commonName: 'tester', usage: 'server' });
    certs.expiredClient = await pki.clientCA.issue({
      commonName: 'tester',
      usage: 'client',
      notBefore: new Date(Date.now() - 48 * hour),
      notAfter: new Date(Date.now() - 24 * hour),
    });

    const rulesFile = join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, RULES);
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    adapter = await startAdapter(
      baseFlags(pki, [
        `--kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
        `--prometheus-url=${proxy.url}`,
        `--config=${rulesFile}`,
        '--metrics-relist-interval=1h',
        // Every request reviewed, none renewed in the background: each review belongs to its case.
        '--authorization-webhook-cache-authorized-ttl=0s',
        '--authorization-webhook-cache-unauthorized-ttl=0s',
      ]),
    );
    const url = new URL(adapter.url);
    target = { host: url.hostname, port: Number(url.port) };
    await prom.waitForSeries('hostile_gauge');
    await prom.waitForSeries('queue_depth');
    await prom.waitForQuery('irate(container_cpu_usage_seconds_total[4m])', {
      accept: (s) => s.length === pods.length,
      timeoutMs: 30_000,
    });
    await prom.waitForQuery('irate(node_cpu_usage_seconds_total[4m])', { timeoutMs: 30_000 });
    await adapter.server.discovery.relist();
  });

  after(async () => {
    if (timer) clearInterval(timer);
    for (const a of agents.values()) a.destroy();
    await adapter.close();
    await proxy.close();
    await prom.stop();
    await exporter.close();
    await kube.close();
    await tmp.remove();
  });

  it(`holds at least ${MIN_CORPUS} cases, each with a unique name`, () => {
    assert.ok(CORPUS.length >= MIN_CORPUS, `${CORPUS.length} cases`);
    const names = new Set(CORPUS.map((c) => `${c.category}: ${c.name}`));
    assert.equal(names.size, CORPUS.length, 'duplicate case names');
  });

  const run = async (c: HostileCase): Promise<void> => {
    const what = `${c.method ?? 'GET'} ${c.target.slice(0, 200)}`;
    const identity = c.identity ?? 'tester';
    const cert = identity === 'none' ? undefined : certs[identity];
    assert.ok(identity === 'none' || cert !== undefined, `no certificate for ${identity}`);
    const queryMark = proxy.queries.length;
    const sarMark = reviewed.length;
    const tlsOptions = { ca: pki.servingCA.certPem, cert: cert?.certPem, key: cert?.keyPem };
    let agent = agents.get(identity);
    if (agent === undefined) {
      agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
      agents.set(identity, agent);
    }
    const answer = sendableByNode(c)
      ? await keptAliveRequest(agent, tlsOptions, target, c)
      : await rawHttpsRequest({
          ...target,
          ...tlsOptions,
          method: c.method ?? 'GET',
          target: c.target,
          headers: c.headers ?? [],
          ...(c.stallAfterBytes !== undefined ? { stallAfterBytes: c.stallAfterBytes } : {}),
          ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
        });
    const e = c.expect;
    if (e === 'dropped') {
      assert.equal(answer.kind, 'closed', `${what}: ${describeAnswer(answer)}`);
    } else {
      const a = answered(answer, what);
      if ('transport' in e) {
        assert.equal(a.status, e.transport, `${what}: ${describeAnswer(a)}`);
      } else if ('ok' in e) {
        assert.equal(a.status, 200, `${what}: ${describeAnswer(a)}`);
        assert.match(a.headers['content-type'] ?? '', /^application\/json/);
        const body: unknown = JSON.parse(a.body);
        if (e.items !== undefined) {
          const names = itemNames(body) ?? [(body as { metadata?: { name?: string } }).metadata?.name ?? '?'];
          assert.deepEqual([...names].sort(), [...e.items].sort(), `${what}: ${a.body.slice(0, 500)}`);
        }
      } else {
        assertStatus(a, e.status, e.reason, what);
        if (e.detailsKind !== undefined) {
          const details = (JSON.parse(a.body) as { details?: { kind?: string } }).details;
          assert.equal(details?.kind, e.detailsKind, `${what}: ${a.body}`);
        }
      }
      // Any answer the app wrote with an error code is a Status, whatever the case expected.
      if (a.status >= 400 && !('transport' in e)) {
        assertStatus(a, a.status, String((JSON.parse(a.body) as { reason?: unknown }).reason), what);
      }
    }
    assertQueries(
      proxy.queries.slice(queryMark).map((q) => q.query),
      c.promql,
      what,
    );
    const sars = reviewed.slice(sarMark);
    for (const s of sars) {
      assert.ok(s.user === 'tester' || s.user === 'alice', `${what}: SAR for ${String(s.user)}`);
      if (c.sarUser !== undefined) assert.equal(s.user, c.sarUser, what);
      for (const g of s.groups ?? [])
        assert.notEqual(g, 'system:masters', `${what}: forged group reached SAR`);
    }
    if (typeof e === 'object' && 'status' in e && e.status === 401) assert.deepEqual(sars, [], what);
    if (c.sarUser !== undefined) assert.ok(sars.length > 0, `${what}: no review for ${c.sarUser}`);
  };

  for (const category of [...new Set(CORPUS.map((c) => c.category))]) {
    describe(category, () => {
      for (const c of CORPUS.filter((x) => x.category === category)) {
        it(c.name, () => run(c));
      }
    });
  }

  it('no forged identity ever reached authorization', () => {
    assert.ok(reviewed.length > 0, 'no review at all: the check would be empty');
    const users = new Set(reviewed.map((s) => s.user));
    for (const u of users) assert.ok(u === 'tester' || u === 'alice', `SAR for ${String(u)}`);
  });
});

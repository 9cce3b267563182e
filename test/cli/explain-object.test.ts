/**
 * `metrics-adapter explain pod|node`: the real CLI asking a running adapter's /debug/explain, the
 * adapter scraping a simulated kubelet fleet and reading pods from the simulated kube-apiserver,
 * with resourceRules on a real Prometheus that has none of their series. One cluster holds every
 * cause at once: a node whose kubelet refuses from the start, a Pending pod with no node, a pod
 * whose spec names a container the kubelet does not report, a Running pod its node does not
 * report at all, a pod with one point so far (its node's stats stopped refreshing), an answered
 * pod, and a pod that does not exist.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResourceExplanation } from '../../src/explain/index.js';
import {
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { startKubeletFleet, type FakeKubeletFleet } from '../helpers/fake-kubelet.js';
import { writeKubeconfigFile } from '../helpers/kubeconfig.js';
import type { KubeObject } from '../helpers/kube-store.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { eventually } from '../integration/support.js';
import { FAST_RESOURCE_RULES } from '../providers/adapter-resource-rules.js';
import { runCli } from './rule-tools-env.js';
import { fleetAdapterFlags } from '../integration/aggregated.js';

const TOKEN = 'explain-object-token';
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

function runningPod(namespace: string, name: string, node: string, containers: string[]): KubeObject {
  return {
    metadata: { name, namespace, labels: { app: name } },
    spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'x' })) },
    status: { phase: 'Running' },
  };
}

describe('metrics-adapter explain pod|node against a running adapter', { timeout: 180_000 }, () => {
  let tmp: TempDir;
  let fleet: FakeKubeletFleet;
  let kube: FakeKube;
  let prom: PrometheusInstance;
  let pki: AdapterPki;
  let adapter: InProcessAdapter;
  let userKubeconfig: string;
  let servingCAFile: string;

  before(async () => {
    tmp = await makeTempDir('explain-object');
    fleet = await startKubeletFleet({
      nodes: 4,
      podsPerNode: 2,
      containersPerPod: 2,
      namespaces: ['default', 'team-a'],
      token: TOKEN,
      housekeepingMs: 1000,
    });
    // node-3's kubelet refuses from the start: never a success.
    await fleet.setFault('node-3', { kind: 'refuse' });
    kube = await startFakeKube();
    kube.setSarPolicy(() => ({ allowed: true }));
    kube.ensureNamespace('default');
    kube.ensureNamespace('team-a');
    for (const n of fleet.nodeObjects()) kube.upsert(NODES, n);
    for (const p of fleet.podObjects()) kube.upsert(PODS, p);
    kube.upsert(PODS, {
      metadata: { name: 'pending-0', namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'x' }] },
      status: { phase: 'Pending' },
    });
    // The kubelet reports c0 and c1 of this pod; its spec names a sidecar as well.
    kube.upsert(PODS, runningPod('default', 'node-0-pod-0', 'node-0', ['c0', 'c1', 'sidecar']));
    // Running on node-0 as far as the API server knows; node-0's kubelet does not report it.
    kube.upsert(PODS, runningPod('default', 'ghost-0', 'node-0', ['main']));

    prom = await startPrometheus({ scrapeTargets: [] });
    pki = await createAdapterPki(tmp.path);
    const rulesFile = join(tmp.path, 'rules.yaml');
    await writeFile(rulesFile, FAST_RESOURCE_RULES);
    const fleetCAFile = join(tmp.path, 'kubelet-ca.crt');
    await writeFile(fleetCAFile, fleet.caPem);
    servingCAFile = join(tmp.path, 'serving-ca.crt');
    await writeFile(servingCAFile, pki.servingCA.certPem);
    const adapterKubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token', token: TOKEN });
    adapter = await startAdapter([
      ...fleetAdapterFlags(pki, adapterKubeconfig, fleetCAFile, fleet.port),
      '--metric-resolution=1s',
      `--prometheus-url=${prom.url}`,
      `--config=${rulesFile}`,
    ]);
    // The user: a client certificate the adapter's client CA signed (as kubectl users have).
    userKubeconfig = await writeKubeconfigFile(tmp.path, 'user.kubeconfig', {
      server: 'https://kube.invalid:1',
      caPem: pki.servingCA.certPem,
      credentials: { clientCertPem: pki.tester.certPem, clientKeyPem: pki.tester.keyPem },
    });
    await eventually('/readyz', async () => {
      const r = await call(adapter, pki, '/readyz', {});
      return r.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    await adapter.close();
    await prom.stop();
    await kube.close();
    await fleet.close();
    await tmp.remove();
  });

  /** The adapter's JSON answer, straight (to wait for a state before running the CLI). */
  async function live(query: string): Promise<ResourceExplanation> {
    const r = await call(adapter, pki, `/debug/explain?${query}`, { cert: pki.tester });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as ResourceExplanation;
  }

  function explain(args: string[]): ReturnType<typeof runCli> {
    return runCli([
      'explain',
      ...args,
      `--adapter-url=${adapter.url}`,
      `--adapter-ca-file=${servingCAFile}`,
      `--kubeconfig=${userKubeconfig}`,
    ]);
  }

  it('an answered pod: the source, its window and time; the resourceRules PromQL that found nothing', async () => {
    const r = await explain(['pod', 'team-a/node-0-pod-1']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'pod team-a/node-0-pod-1:');
    assert.match(
      lines[1] ?? '',
      new RegExp(`^ {2}answered by kubelet \\(window \\d+(\\.\\d+)?s, at ${ISO}\\)$`),
    );
    assert.match(
      r.stdout,
      /^ {2}Prometheus resourceRules\.cpu\.containerQuery returned no sample for pod team-a\/node-0-pod-1; PromQL: .*container_cpu_usage_seconds_total\{.*namespace="team-a".*pod="node-0-pod-1"/m,
    );
    assert.match(r.stdout, /resourceRules\.memory\.containerQuery returned no sample/);
  });

  it('a pod whose node refuses: the error kind, since when, last success never, and the flag to check', async () => {
    const pod = fleet.pods().find((p) => p.node === 'node-3');
    assert.ok(pod !== undefined);
    const r = await explain(['pod', `${pod.namespace}/${pod.name}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^pod .*: not answered by any source$/m);
    assert.match(
      r.stdout,
      new RegExp(
        `^ {2}the scrape of node node-3's kubelet at ${fleet.addressOf('node-3').replaceAll('.', '\\.')}:${fleet.port} fails since ${ISO} with connection_refused: .+; last success: never; connection refused: check --kubelet-port`,
        'm',
      ),
    );
  });

  it('a Pending pod without a node: not Running (and why that matters), not scheduled', async () => {
    const r = await explain(['pod', 'default/pending-0']);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^ {2}pod default\/pending-0 is Pending, not Running: metrics\.k8s\.io reports only Running pods \(as metrics-server does\)$/m,
    );
    assert.match(
      r.stdout,
      /^ {2}pod default\/pending-0 is not scheduled yet \(no node\), so no kubelet reports it$/m,
    );
    assert.match(r.stdout, /^pod default\/pending-0: not answered by any source$/m);
    assert.doesNotMatch(r.stdout, /^ {2}answered by/m);
  });

  it('a container of the spec missing from the node’s answer, named', async () => {
    const r = await explain(['pod', 'default/node-0-pod-0']);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^ {2}container sidecar of pod default\/node-0-pod-0 is missing from the last Summary API answer of node node-0's kubelet$/m,
    );
  });

  it('a Running pod its node does not report at all', async () => {
    const r = await explain(['pod', 'default/ghost-0']);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^ {2}pod default\/ghost-0 is missing from the last Summary API answer of node node-0's kubelet$/m,
    );
  });

  it('one point so far: the container named and when the next scrape is due', async () => {
    // node-2's stats stop refreshing; a pod started there afterwards has one point and keeps it.
    await fleet.setFault('node-2', { kind: 'frozen' });
    fleet.addPod('node-2', { namespace: 'default', name: 'fresh-0', containers: ['app'] });
    kube.upsert(PODS, runningPod('default', 'fresh-0', 'node-2', ['app']));
    await eventually('fresh-0 in the store with one point', async () => {
      const e = await live('pod=default/fresh-0');
      return e.lines.some((l) => l.cause === 'one_point_so_far') ? true : undefined;
    });
    const before = Date.now();
    const r = await explain(['pod', 'default/fresh-0']);
    assert.equal(r.code, 1);
    const m = new RegExp(
      `^ {2}one point so far for container app of pod default/fresh-0: a CPU rate needs two \\(next scrape due at (${ISO})\\)$`,
      'm',
    ).exec(r.stdout);
    assert.ok(m !== null, r.stdout);
    // The next tick is at most a resolution (1 s) away from when the adapter answered.
    const due = Date.parse(m[1] ?? '');
    assert.ok(
      due >= before - 1_000 && due <= Date.now() + 1_500,
      `${m[1]} vs ${new Date(before).toISOString()}`,
    );
  });

  it('a pod that does not exist: one line, exit 1', async () => {
    const r = await explain(['pod', 'default/nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'pod default/nope is not found in the cluster\n');
    const n = await explain(['node', 'node-99']);
    assert.equal(n.code, 1);
    assert.equal(n.stdout, 'node node-99 is not found in the cluster\n');
  });

  it('explain node: answered, and a node whose kubelet refuses', async () => {
    const ok = await explain(['node', 'node-0']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(`^ {2}answered by kubelet \\(window \\d+(\\.\\d+)?s, at ${ISO}\\)$`, 'm'),
    );
    assert.match(
      ok.stdout,
      /resourceRules\.cpu\.nodeQuery returned no sample for node node-0; PromQL: .*node="node-0"/,
    );
    const bad = await explain(['node', 'node-3']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stdout,
      /^ {2}the scrape of node node-3's kubelet .* fails since .* with connection_refused/m,
    );
  });

  it('--format json: the same explanation as data', async () => {
    const r = await explain(['pod', 'default/pending-0', '--format=json']);
    assert.equal(r.code, 1);
    const e = JSON.parse(r.stdout) as ResourceExplanation;
    assert.equal(e.answeredBy, undefined);
    assert.deepEqual(
      e.lines.map((l) => l.cause),
      ['pod_not_running', 'pod_not_scheduled', 'prometheus_no_sample', 'prometheus_no_sample'],
    );
    assert.match(e.lines[2]?.promql ?? '', /pod="pending-0"/);
  });

  it('the server route: text, JSON, bad names 400, anonymous 401', async () => {
    const text = await call(adapter, pki, '/debug/explain?format=text&node=node-0', { cert: pki.tester });
    assert.equal(text.status, 200);
    assert.match(text.body, /^node node-0:\n {2}answered by kubelet/);
    const bad = await call(adapter, pki, '/debug/explain?pod=Default/x', { cert: pki.tester });
    assert.equal(bad.status, 400, bad.body);
    const noSlash = await call(adapter, pki, '/debug/explain?pod=x', { cert: pki.tester });
    assert.equal(noSlash.status, 400);
    const anonymous = await call(adapter, pki, '/debug/explain?node=node-0');
    assert.equal(anonymous.status, 401);
  });

  it("without --adapter-url, asks the kubeconfig's server with its TLS settings (a kubeconfig of the adapter, as the demo's)", async () => {
    const own = await writeKubeconfigFile(tmp.path, 'adapter.kubeconfig', {
      server: adapter.url,
      caPem: pki.servingCA.certPem,
      credentials: { clientCertPem: pki.tester.certPem, clientKeyPem: pki.tester.keyPem },
    });
    const r = await runCli(['explain', 'node', 'node-0', `--kubeconfig=${own}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^node node-0:\n\s+answered by kubelet/);
    // The same server named by --adapter-url: the kubeconfig's CA still applies.
    const named = await runCli([
      'explain',
      'node',
      'node-0',
      `--kubeconfig=${own}`,
      `--adapter-url=${adapter.url}`,
    ]);
    assert.equal(named.code, 0, named.stderr);
  });

  it('CLI errors: no credentials 3, no --adapter-url 2, a malformed pod 2', async () => {
    const anon = await runCli([
      'explain',
      'pod',
      'default/ghost-0',
      `--adapter-url=${adapter.url}`,
      `--adapter-ca-file=${servingCAFile}`,
    ]);
    assert.equal(anon.code, 3);
    assert.match(anon.stderr, /the adapter answered 401: .*give --kubeconfig with credentials/);
    const noUrl = await runCli(['explain', 'pod', 'default/ghost-0']);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /give --adapter-url/);
    // Without --adapter-url the kubeconfig's server is asked: a kube-apiserver is not the adapter.
    const kubeApi = await runCli([
      'explain',
      'pod',
      'default/ghost-0',
      `--kubeconfig=${await kube.writeKubeconfig(tmp.path, { user: 'token', fileName: 'kube-api.kubeconfig' })}`,
    ]);
    assert.equal(kubeApi.code, 3, kubeApi.stderr);
    assert.match(
      kubeApi.stderr,
      /the adapter answered 404: .*the kubeconfig's server is not the adapter: give --adapter-url/,
    );
    const malformed = await explain(['pod', 'ghost-0']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /give the pod as NAMESPACE\/NAME/);
  });
});

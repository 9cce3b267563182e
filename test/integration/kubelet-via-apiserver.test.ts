/**
 * The real CLI (a child process) against the simulated kube-apiserver, aggregator and kubelet
 * fleet, where the adapter cannot reach one node's kubelet at any of its addresses (InternalIP
 * refused, Hostname unresolvable) and reaches the others at their second address: with
 * --kubelet-via-apiserver=fallback the unreachable node is scraped through the API server's node
 * proxy, and `kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes` lists every node with the
 * figures its kubelet served. The adapter's own /metrics counts the nodes per address type, and a
 * kubelet that stops answering at every address and comes back is reached again.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cpuQuantity, memoryQuantity } from '../../src/apiserver/wire.js';
import { call, startAdapterProcess, type AdapterPki } from '../helpers/adapter.js';
import type { FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import {
  refusedAddress,
  startKubeletFleet,
  unresolvableName,
  type FakeKubeletFleet,
} from '../helpers/fake-kubelet.js';
import { runKubectl } from '../helpers/kubectl.js';
import { LOOPBACK } from '../helpers/ports.js';
import type { ManagedProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { eventually } from './support.js';
import { fleetAdapterFlags, startAggregated } from './aggregated.js';

const TOKEN = 'kubelet-via-apiserver-e2e-token';
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

interface NodeMetrics {
  metadata: { name: string };
  usage: { cpu: string; memory: string };
}

describe('kubelets unreachable at their addresses, through the real CLI', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let agg: FakeAggregator;
  let fleet: FakeKubeletFleet;
  let pki: AdapterPki;
  let proc: ManagedProcess | undefined;
  let adapter: { url: string };
  let userKubeconfig: string;

  before(async () => {
    tmp = await makeTempDir('kubelet-via-apiserver-');
    fleet = await startKubeletFleet({
      nodes: 3,
      podsPerNode: 1,
      token: TOKEN,
      housekeepingMs: 1000,
      // node-0: nothing the adapter can reach (ExternalIP is not among its preferred types, but it
      // is the API server's); the others: InternalIP refused, Hostname... their own address.
      nodeAddresses: (n) =>
        n.index === 0
          ? [
              { type: 'InternalIP', address: refusedAddress(n.index) },
              { type: 'Hostname', address: unresolvableName(n.name) },
              { type: 'ExternalIP', address: n.address },
            ]
          : [
              { type: 'InternalIP', address: refusedAddress(n.index) },
              { type: 'Hostname', address: n.address },
              { type: 'ExternalIP', address: n.address },
            ],
    });
    kube = await startFakeKube({ kubeletProxy: { token: TOKEN, preferredAddressTypes: ['ExternalIP'] } });
    kube.setSarPolicy(() => ({ allowed: true }));
    for (const n of fleet.nodeObjects()) kube.upsert(NODES, n);
    for (const p of fleet.podObjects()) kube.upsert(PODS, p);
    const setup = await startAggregated(kube, tmp.path, TOKEN);
    ({ agg, pki, userKubeconfig } = setup);
    const adapterKubeconfig = setup.adapterKubeconfig;
    const fleetCA = join(tmp.path, 'kubelet-ca.crt');
    await writeFile(fleetCA, fleet.caPem);
    proc = await startAdapterProcess([
      'serve',
      ...fleetAdapterFlags(pki, adapterKubeconfig, fleetCA, fleet.port),
      '--kubelet-via-apiserver=fallback',
      '--kubelet-request-timeout=3s',
      '--metric-resolution=1s',
    ]);
    const line = await proc.waitForOutput('"msg":"serving securely"', {
      timeoutMs: 30_000,
      stream: 'stderr',
    });
    adapter = { url: `https://${LOOPBACK}:${(JSON.parse(line.line) as { port: number }).port}` };
    await eventually(
      '/readyz',
      async () => ((await call(adapter, pki, '/readyz')).status === 200 ? true : undefined),
      30_000,
    );
    const result = await agg.registerAPIService({
      name: 'v1beta1.metrics.k8s.io',
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      serviceURL: adapter.url,
      caBundlePem: pki.servingCA.certPem,
    });
    assert.equal(result.available, true, JSON.stringify(result));
  });
  after(async () => {
    await proc?.stop({ graceMs: 5_000 });
    await agg.close();
    await kube.close();
    await fleet.close();
    await tmp.remove();
  });

  it('kubectl get --raw .../nodes has every node, the unreachable one through the node proxy', async () => {
    const r = await runKubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'], {
      kubeconfig: userKubeconfig,
    });
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { items: NodeMetrics[] };
    assert.deepEqual(list.items.map((m) => m.metadata.name).sort(), ['node-0', 'node-1', 'node-2']);
    for (const m of list.items) {
      assert.equal(m.usage.cpu, cpuQuantity(fleet.nodeRate(m.metadata.name)), m.metadata.name);
      assert.equal(m.usage.memory, memoryQuantity(fleet.nodeMemory(m.metadata.name)), m.metadata.name);
    }
    assert.ok(kube.requestCount('/api/v1/nodes/node-0/proxy/stats/summary') >= 1, 'node-0 through the proxy');
    for (const n of ['node-1', 'node-2'])
      assert.equal(kube.requestCount(`/api/v1/nodes/${n}/proxy/stats/summary`), 0, `${n} directly`);
  });

  it('logs each switch once and counts the nodes per address type in /metrics', async () => {
    const logs = proc!.output('stderr');
    assert.match(
      logs,
      /kubelet of node node-0 reached through the API server node proxy \(InternalIP 127\.21\.0\.1 unreachable\)/,
    );
    assert.equal(logs.split('kubelet of node node-1 reached').length - 1, 1, 'one line for node-1');
    assert.match(logs, /kubelet of node node-1 reached at Hostname 127\.20\.0\.2/);
    const metrics = await call(adapter, pki, '/metrics', { cert: pki.tester });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /metrics_adapter_kubelet_address_type\{type="APIServerProxy"\} 1/);
    assert.match(metrics.body, /metrics_adapter_kubelet_address_type\{type="Hostname"\} 2/);
  });

  it('recovers: a kubelet refusing at every address fails, then is reached at its Hostname again', async () => {
    const lines = (): { msg?: string; node?: string }[] =>
      proc!
        .output('stderr')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; node?: string });
    const count = (re: RegExp): number =>
      lines().filter((l) => l.node === 'node-1' && re.test(l.msg ?? '')).length;
    const recovered = count(/works again/);
    await fleet.setFault('node-1', { kind: 'refuse' });
    await eventually(
      'node-1 failing',
      () => Promise.resolve(count(/^cannot scrape the kubelet of node node-1/) > 0 ? true : undefined),
      15_000,
    );
    await fleet.setFault('node-1', { kind: 'ok' });
    await eventually(
      'node-1 again',
      () => Promise.resolve(count(/works again/) > recovered ? true : undefined),
      15_000,
    );
    const types = await call(adapter, pki, '/metrics', { cert: pki.tester });
    assert.match(types.body, /metrics_adapter_kubelet_address_type\{type="Hostname"\} 2/);
    const r = await runKubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/node-1'], {
      kubeconfig: userKubeconfig,
    });
    assert.equal(r.code, 0, r.stderr);
  });
});

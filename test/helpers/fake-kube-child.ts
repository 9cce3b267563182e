/**
 * The child side of fake-kube-process.ts: a simulated kube-apiserver filled with the nodes and
 * pods it is sent (made FULL by kube-objects.ts), answering add/remove requests until its parent
 * goes away.
 */
import { startFakeKube, type FakeKube } from './fake-kube.js';
import { fullNode, fullPod, type NodeShape, type PodShape } from './kube-objects.js';
import type { FromChild, ToChild } from './fake-kube-process.js';
import type { KubeObject } from './kube-store.js';

const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

function send(m: FromChild): void {
  process.send?.(m);
}

/** The small objects the kubelet fleet's own nodeObjects()/podObjects() give. */
function smallPod(p: PodShape): KubeObject {
  return {
    metadata: {
      name: p.name,
      namespace: p.namespace,
      creationTimestamp: new Date(p.createdMs).toISOString(),
      labels: { app: p.name.replace(/-\d+$/, ''), node: p.nodeName },
    },
    spec: {
      nodeName: p.nodeName,
      containers: p.containers.map((name) => ({ name, image: 'registry.k8s.io/pause:3.10' })),
    },
    status: { phase: p.phase ?? 'Running', startTime: new Date(p.createdMs).toISOString() },
  };
}
function smallNode(n: NodeShape): KubeObject {
  return {
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.address },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: n.kubeletPort } },
    },
  };
}

let kube: FakeKube | undefined;
let full = true;

process.on('message', (m: ToChild) => {
  void (async () => {
    try {
      if (m.op === 'init') {
        full = m.full;
        kube = await startFakeKube({ watchHistoryLimit: m.watchHistoryLimit });
        for (const n of m.nodes) kube.upsert(NODES, full ? fullNode(n) : smallNode(n));
        for (const p of m.pods) kube.upsert(PODS, full ? fullPod(p) : smallPod(p));
        kube.setAllowedUsers([...m.allowUsers]);
        send({ op: 'ready', kubeconfig: await kube.writeKubeconfig(m.dir, { user: 'token' }) });
      } else if (m.op === 'addPods') {
        for (const p of m.pods) kube?.upsert(PODS, full ? fullPod(p) : smallPod(p));
        send({ op: 'done', id: m.id });
      } else {
        for (const p of m.pods) kube?.remove(PODS, p.name, p.namespace);
        send({ op: 'done', id: m.id });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      send(m.op === 'init' ? { op: 'error', message } : { op: 'error', id: m.id, message });
    }
  })();
});
process.on('disconnect', () => {
  void (kube?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});

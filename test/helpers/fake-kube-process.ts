/**
 * The simulated kube-apiserver (fake-kube.ts) in a child process of its own, for sizes where it
 * must not share a thread with the process under test or the load: 150 000 full pods take seconds
 * of CPU to serialize per LIST. Objects are described by shapes (kube-objects.ts) and made FULL in
 * the child; pods can be added and removed while it runs (churn). The child dies with its parent
 * (IPC disconnect), and `close()` waits for it.
 *
 *   const kube = await startFakeKubeProcess({ dir, nodes, pods, allowUsers: ['tester'] });
 *   // kube.kubeconfig: a token kubeconfig for it
 *   await kube.addPods([...]); await kube.removePods([{ namespace, name }]);
 *   await kube.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeShape, PodShape } from './kube-objects.js';

export interface FakeKubeProcessOptions {
  /** Where the kubeconfig is written. */
  dir: string;
  nodes: readonly NodeShape[];
  pods: readonly PodShape[];
  /** Users the SubjectAccessReview policy allows. */
  allowUsers: readonly string[];
  /** Full objects (kube-objects.ts) or the small ones of the kubelet fleet's shapes; default true. */
  full?: boolean;
  /** Watch event history (fake-kube's watchHistoryLimit); default 10 000. */
  watchHistoryLimit?: number;
  startTimeoutMs?: number;
}

export interface FakeKubeProcess {
  readonly pid: number;
  readonly kubeconfig: string;
  addPods(pods: readonly PodShape[]): Promise<void>;
  removePods(pods: readonly { namespace: string; name: string }[]): Promise<void>;
  close(): Promise<void>;
}

/** Messages between the parent and fake-kube-child.ts. */
export type ToChild =
  | {
      op: 'init';
      dir: string;
      nodes: readonly NodeShape[];
      pods: readonly PodShape[];
      allowUsers: readonly string[];
      full: boolean;
      watchHistoryLimit: number;
    }
  | { op: 'addPods'; id: number; pods: readonly PodShape[] }
  | { op: 'removePods'; id: number; pods: readonly { namespace: string; name: string }[] };
export type FromChild =
  | { op: 'ready'; kubeconfig: string }
  | { op: 'done'; id: number }
  | { op: 'error'; id?: number; message: string };

const CHILD = fileURLToPath(new URL('./fake-kube-child.ts', import.meta.url));

export async function startFakeKubeProcess(o: FakeKubeProcessOptions): Promise<FakeKubeProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let onReady: ((m: FromChild) => void) | undefined;
  child.on('message', (m: FromChild) => {
    const id = m.op === 'done' || m.op === 'error' ? m.id : undefined;
    if (id !== undefined) {
      const w = waiters.get(id);
      waiters.delete(id);
      if (m.op === 'done') w?.resolve();
      else if (m.op === 'error') w?.reject(new Error(`fake-kube process: ${m.message}`));
    } else onReady?.(m);
  });
  void exit.then(() => {
    for (const w of waiters.values()) w.reject(new Error('fake-kube process exited'));
    waiters.clear();
  });
  const close = async (): Promise<void> => {
    if (exited) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    const timeoutMs = o.startTimeoutMs ?? 600_000;
    const ready = await new Promise<FromChild>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake-kube process not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      onReady = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error('fake-kube process exited before it was ready'));
      });
      const init: ToChild = {
        op: 'init',
        dir: o.dir,
        nodes: o.nodes,
        pods: o.pods,
        allowUsers: o.allowUsers,
        full: o.full ?? true,
        watchHistoryLimit: o.watchHistoryLimit ?? 10_000,
      };
      child.send(init);
    });
    if (ready.op !== 'ready')
      throw new Error(`fake-kube process: ${ready.op === 'error' ? ready.message : ready.op}`);
    let next = 0;
    const call = (msg: ToChild & { id: number }): Promise<void> =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new Error('fake-kube process exited'));
        waiters.set(msg.id, { resolve, reject });
        child.send(msg);
      });
    return {
      pid: child.pid ?? 0,
      kubeconfig: ready.kubeconfig,
      addPods: (pods) => call({ op: 'addPods', id: ++next, pods }),
      removePods: (pods) => call({ op: 'removePods', id: ++next, pods }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

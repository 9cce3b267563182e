/**
 * Runs the real kubectl (/usr/bin/kubectl, else the one on PATH) against a kubeconfig with
 * --request-timeout=10s. HOME points at a fresh temporary directory per call, so the discovery
 * and HTTP caches (~/.kube/cache) never leak between tests; KUBECONFIG from the environment is
 * ignored.
 */
import { findExecutable, runProcess } from './process.js';
import { makeTempDir } from './temp.js';

export interface KubectlOptions {
  kubeconfig: string;
  /** Whole-process deadline; default 20 000 ms (the child is killed when exceeded). */
  timeoutMs?: number;
  /** Default "10s". */
  requestTimeout?: string;
  /** Written to kubectl's stdin (e.g. for `-f -`). */
  input?: string;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

let cachedBinary: string | undefined;

export async function kubectlBinary(): Promise<string> {
  if (cachedBinary !== undefined) return cachedBinary;
  const found = await findExecutable('kubectl', ['/usr/bin/kubectl']);
  if (found === undefined) throw new Error('kubectl not found (looked at /usr/bin/kubectl and on PATH)');
  cachedBinary = found;
  return found;
}

export async function runKubectl(args: string[], opts: KubectlOptions): Promise<KubectlResult> {
  const binary = await kubectlBinary();
  const home = await makeTempDir('kubectl-home');
  const timeoutMs = opts.timeoutMs ?? 20_000;
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home.path,
      KUBECACHEDIR: `${home.path}/.kube/cache`,
      LANG: 'C',
    };
    const result = await runProcess(
      binary,
      [`--kubeconfig=${opts.kubeconfig}`, `--request-timeout=${opts.requestTimeout ?? '10s'}`, ...args],
      { env, timeoutMs, ...(opts.input !== undefined ? { input: opts.input } : {}) },
    );
    if (result.timedOut) {
      throw new Error(
        `kubectl ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr:\n${result.stderr}`,
      );
    }
    return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
  } finally {
    await home.remove();
  }
}

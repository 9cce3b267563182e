/**
 * The demo's start-up refusals, made before anything is written: a demo already running here
 * or on the port (wherever it was started), a port taken by another program or needing
 * privileges.
 */
import { join } from 'node:path';
import { demoOnPort, probePort, STATE_DIR, type DemoStateDir } from './demo-state.js';

/** A refusal or failure the demo explains in one line (no stack). */
export class DemoError extends Error {}

/** The first free port of the few after `port`, to suggest. */
async function freePortAfter(host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++)
    if ((await probePort(host, p)) === 'free') return p;
  return undefined;
}

/** Refuses to start next to a running demo or on a taken port, before anything is written. */
export async function checkNoConflict(state: DemoStateDir, host: string, port: number): Promise<void> {
  const running = await state.liveDemo(host);
  const portState = port === 0 ? 'free' : await probePort(host, port);
  if (running !== undefined && running.port === port) {
    throw new DemoError(
      `a metrics-adapter demo (pid ${running.pid}) is already running on ${running.url}; ` +
        `use it (kubectl --kubeconfig ${join(STATE_DIR, 'kubeconfig')} …) or stop it first (Ctrl-C in its terminal, or kill ${running.pid})`,
    );
  }
  if (portState === 'in-use') {
    // A demo started in another directory: its lock is elsewhere, its port note names it.
    const other = demoOnPort(port);
    if (other !== undefined) {
      const free = await freePortAfter(host, port);
      throw new DemoError(
        `a metrics-adapter demo started in ${other.dir} (pid ${other.pid}) already uses port ${port}: ` +
          `stop it with Ctrl-C there (or kill ${other.pid}), or run this one with --secure-port=${free ?? 'PORT'}`,
      );
    }
    throw new DemoError(`port ${port} is in use by another program; use --secure-port`);
  }
  if (portState === 'forbidden')
    throw new DemoError(
      `not allowed to listen on port ${port} (ports below 1024 need privileges); use --secure-port`,
    );
  if (running !== undefined) {
    throw new DemoError(
      `another metrics-adapter demo (pid ${running.pid}) is running on ${running.url} and uses ${STATE_DIR}/; stop it first (Ctrl-C in its terminal, or kill ${running.pid})`,
    );
  }
}

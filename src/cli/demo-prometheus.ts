/**
 * Starts the machine's `prometheus` binary for the demo, on a free loopback port, scraping the
 * demo exporter every 2 s, with its data in a temporary directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalPrometheus {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startLocalPrometheus(target: string, binary = 'prometheus'): Promise<LocalPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-demo-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    `global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\nscrape_configs:\n  - job_name: demo\n    honor_labels: true\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? `the demo needs Prometheus: "${binary}" is not on PATH (Debian/Ubuntu: apt-get install -y prometheus), or give --prometheus-url`
            : `cannot start ${binary}: ${err.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`prometheus exited with code ${code ?? '?'}: ${stderr}`)));
  });
  const deadline = Date.now() + 30_000;
  const ready = (async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/-/ready`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus did not become ready within 30 s: ${stderr}`);
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  spawnError.catch(() => undefined);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One KubeletScraper against a simulated fleet and kube-apiserver, for the scraper tests: the
 * fleet's nodes registered, a token kubeconfig, the fleet's CA, logs collected as JSON lines.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { KubeClient } from '../../src/kube/index.js';
import { KubeletScraper, type KubeletScraperOptions } from '../../src/kubelet/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '../helpers/fake-kube.js';
import { startKubeletFleet, type FakeKubeletFleet, type FleetOptions } from '../helpers/fake-kubelet.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

export const NODES = { group: '', version: 'v1', resource: 'nodes' };
export const TOKEN = 'kubelet-scraper-test-token';

export interface LogLine {
  level: number;
  msg: string;
  node?: string;
  kind?: string;
  address?: string;
}

export interface ScraperEnv {
  fleet: FakeKubeletFleet;
  kube: FakeKube;
  dir: TempDir;
  client: KubeClient;
  scraper: KubeletScraper;
  metrics: SelfMetrics;
  logs: LogLine[];
  close(): Promise<void>;
}

export async function startScraperEnv(o: {
  /** The fleet (token and a 1 s housekeeping unless given). */
  fleet: Partial<FleetOptions> & { nodes: number };
  kube?: FakeKubeOptions;
  /** How many of the fleet's nodes the kube-apiserver lists (default: all). */
  registered?: number;
  options?: Partial<KubeletScraperOptions>;
  logLevel?: 'info' | 'debug';
  beforeStart?: (f: FakeKubeletFleet) => Promise<void>;
  /** Start the scraper before returning (default false). */
  start?: boolean;
}): Promise<ScraperEnv> {
  const fleet = await startKubeletFleet({
    token: TOKEN,
    // A new point every second, so complete data and rate changes show within seconds.
    housekeepingMs: 1000,
    ...o.fleet,
  });
  const kube = await startFakeKube(o.kube);
  const dir = await makeTempDir('kubelet-scraper-');
  for (const n of fleet.nodeObjects().slice(0, o.registered ?? o.fleet.nodes)) kube.upsert(NODES, n);
  const kubeconfig = await kube.writeKubeconfig(dir.path, { user: 'token', token: TOKEN });
  const caFile = path.join(dir.path, 'kubelet-ca.crt');
  await writeFile(caFile, fleet.caPem);
  const client = KubeClient.fromKubeconfig(kubeconfig);
  const logs: LogLine[] = [];
  const logger = pino(
    { level: o.logLevel ?? 'info' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(JSON.parse(chunk.toString()) as LogLine);
        cb();
      },
    }),
  );
  const metrics = new SelfMetrics({ processMetrics: false });
  await o.beforeStart?.(fleet);
  const scraper = new KubeletScraper({
    client,
    logger,
    metrics,
    options: {
      preferredAddressTypes: ['InternalIP', 'Hostname'],
      port: fleet.port,
      useNodeStatusPort: false,
      insecureTLS: false,
      caFile,
      clientCertFile: undefined,
      clientKeyFile: undefined,
      requestTimeoutMs: 5_000,
      endpoint: 'summary',
      resolutionMs: 1_000,
      warmupMs: 200,
      ...o.options,
    },
  });
  if (o.start === true) scraper.start();
  return {
    fleet,
    kube,
    dir,
    client,
    scraper,
    metrics,
    logs,
    async close() {
      await scraper.stop();
      client.close();
      await kube.close();
      await fleet.close();
      await dir.remove();
    },
  };
}

/** Polls cond every 20 ms until it holds; throws after timeoutMs. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

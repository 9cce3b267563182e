/**
 * Serving certificate rotation without a restart: while a bounded loop of requests runs (each on a
 * new connection that verifies the server against the serving CA), the certificate files are
 * replaced — rewritten in place, and swapped the way a Kubernetes Secret volume does it (`..data`
 * symlink). No request may fail, new connections must see the new certificate within a few
 * seconds, and a broken pair must leave the previous certificate serving (and be counted).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapter,
  type AdapterPki,
  type InProcessAdapter,
} from '../helpers/adapter.js';
import type { IssuedCertificate } from '../helpers/certs.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { LOOPBACK } from '../helpers/ports.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { fingerprintOf, probe, sleep, waitUntil, type ProbeResult } from './support.js';

const PATH = '/apis/custom.metrics.k8s.io/v1beta1';
/** The serving certificate must be seen on new connections within this time after the swap. */
const PICKUP_LIMIT_MS = 3_000;

interface Sample extends ProbeResult {
  startedAt: number;
}

interface RequestLoop {
  readonly results: Sample[];
  failures(): Sample[];
  /** Waits for `count` more successful results and returns them. */
  next(count: number, timeoutMs?: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

/** Sequential requests on `workers` lanes, each on a new verified connection; bounded in count and time. */
function startRequestLoop(
  adapter: InProcessAdapter,
  pki: AdapterPki,
  { workers = 2, maxRequests = 6_000, maxMs = 25_000 } = {},
): RequestLoop {
  const results: Sample[] = [];
  const started = Date.now();
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (!stopped && results.length < maxRequests && Date.now() - started < maxMs) {
      const startedAt = Date.now();
      const r = await probe(`${adapter.url}${PATH}`, {
        ca: pki.servingCA.certPem,
        cert: pki.tester.certPem,
        key: pki.tester.keyPem,
      });
      results.push({ ...r, startedAt });
    }
  };
  const done = Promise.all(Array.from({ length: workers }, lane));
  return {
    results,
    failures: () => results.filter((r) => !r.ok),
    async next(count, timeoutMs = 5_000) {
      const from = results.length;
      await waitUntil(
        `${count} more requests`,
        () => results.slice(from).filter((r) => r.ok).length >= count,
        {
          timeoutMs,
          intervalMs: 20,
        },
      );
      return results.slice(from);
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

function counter(metricsText: string, result: string): number {
  const m = new RegExp(
    `^metrics_adapter_serving_certificate_reloads_total\\{result="${result}"\\} (\\d+)$`,
    'm',
  ).exec(metricsText);
  return m === null ? 0 : Number(m[1]);
}

async function selfMetrics(adapter: InProcessAdapter, pki: AdapterPki): Promise<string> {
  const r = await call(adapter, pki, '/metrics', { cert: pki.tester });
  assert.equal(r.status, 200, r.body.slice(0, 200));
  return r.body;
}

function issueServing(pki: AdapterPki): Promise<IssuedCertificate> {
  return pki.servingCA.issue({
    commonName: 'metrics-adapter',
    dnsNames: ['localhost', 'metrics-adapter.monitoring.svc'],
    ipAddresses: [LOOPBACK],
    usage: 'server',
  });
}

/**
 * The shared scenario: rotate to a new pair while requests run, then install a broken pair.
 * `install` writes a pair the way the variant under test does.
 */
async function rotationScenario(
  adapter: InProcessAdapter,
  pki: AdapterPki,
  install: (pair: { certPem: string; keyPem: string }) => Promise<void>,
): Promise<string> {
  const original = fingerprintOf(pki.serving.certPem);
  const fresh = await issueServing(pki);
  const freshFp = fingerprintOf(fresh.certPem);
  const unrelated = await issueServing(pki);
  const before = await selfMetrics(adapter, pki);
  const loop = startRequestLoop(adapter, pki);
  let pickupMs = -1;
  try {
    const warmup = await loop.next(20);
    assert.ok(
      warmup.every((r) => r.fingerprint === original),
      'the original certificate serves at first',
    );

    // 1. A new valid pair: new connections see it shortly, nothing fails meanwhile.
    const swappedAt = Date.now();
    await install(fresh);
    await waitUntil(
      'new certificate on new connections',
      () => loop.results.some((r) => r.fingerprint === freshFp),
      {
        timeoutMs: PICKUP_LIMIT_MS,
        intervalMs: 20,
      },
    );
    const firstNew = loop.results.find((r) => r.fingerprint === freshFp)!;
    pickupMs = firstNew.startedAt - swappedAt;
    assert.ok(pickupMs < PICKUP_LIMIT_MS, `picked up after ${pickupMs} ms`);
    await sleep(100);
    const after = await loop.next(30);
    assert.deepEqual(
      after.filter((r) => r.fingerprint !== freshFp).map((r) => r.fingerprint),
      [],
      'once seen, the new certificate is what every new connection gets',
    );
    const rotated = await selfMetrics(adapter, pki);
    assert.ok(counter(rotated, 'success') >= counter(before, 'success') + 1, rotated);
    assert.match(
      rotated,
      new RegExp(
        `^metrics_adapter_serving_certificate_expiration_timestamp_seconds ${Math.floor(new Date(new X509Certificate(fresh.certPem).validTo).getTime() / 1000)}$`,
        'm',
      ),
    );

    // 2. A broken pair (the key belongs to another certificate): the previous pair keeps serving.
    const failuresBefore = counter(rotated, 'failure');
    await install({ certPem: unrelated.certPem, keyPem: fresh.keyPem });
    await waitUntil(
      'the rejected reload is counted',
      async () => counter(await selfMetrics(adapter, pki), 'failure') > failuresBefore,
      { timeoutMs: PICKUP_LIMIT_MS, intervalMs: 100 },
    );
    const during = await loop.next(30);
    assert.deepEqual(
      during.filter((r) => r.fingerprint !== freshFp).map((r) => r.fingerprint),
      [],
      'the last good certificate keeps serving',
    );
    const finalMetrics = await selfMetrics(adapter, pki);
    assert.equal(counter(finalMetrics, 'success'), counter(rotated, 'success'), 'nothing was swapped in');
  } finally {
    await loop.stop();
  }
  assert.deepEqual(
    loop.failures(),
    [],
    `${loop.failures().length} of ${loop.results.length} requests failed`,
  );
  assert.ok(loop.results.length >= 80, `only ${loop.results.length} requests ran`);
  return `${loop.results.length} requests on new connections, 0 failed; new certificate seen ${pickupMs} ms after the swap`;
}

describe('serving certificate rotation', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let kubeconfig: string;

  before(async () => {
    tmp = await makeTempDir('tls-rotation');
    kube = await startFakeKube();
    kube.setAllowedUsers(['tester']);
    kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
  });
  after(async () => {
    await kube.close();
    await tmp.remove();
  });

  it('files rewritten in place', async (t) => {
    const dir = join(tmp.path, 'in-place');
    await mkdir(dir);
    const pki = await createAdapterPki(dir);
    const adapter = await startAdapter(
      baseFlags(pki, [`--kubeconfig=${kubeconfig}`, '--authentication-skip-lookup']),
      {
        filePollMs: 100,
      },
    );
    try {
      const port = adapter.server.address.port;
      t.diagnostic(
        await rotationScenario(adapter, pki, async (pair) => {
          await writeFile(pki.servingFiles.certFile, pair.certPem);
          await writeFile(pki.servingFiles.keyFile, pair.keyPem);
        }),
      );
      assert.equal(adapter.server.address.port, port, 'same listener throughout');
    } finally {
      await adapter.close();
    }
  });

  it('Kubernetes Secret volume: ..data symlink swapped atomically', async (t) => {
    const dir = join(tmp.path, 'pki');
    await mkdir(dir);
    const pki = await createAdapterPki(dir);
    // dir/secret/..2024_<n>/tls.{crt,key}, dir/secret/..data → ..2024_<n>, dir/secret/tls.crt → ..data/tls.crt
    const volume = join(tmp.path, 'secret');
    await mkdir(volume);
    let generation = 0;
    let current: string | undefined;
    const install = async (pair: { certPem: string; keyPem: string }): Promise<void> => {
      generation++;
      const name = `..2024_01_01_00_00_0${generation}.${process.pid}`;
      await mkdir(join(volume, name));
      await writeFile(join(volume, name, 'tls.crt'), pair.certPem);
      await writeFile(join(volume, name, 'tls.key'), pair.keyPem, { mode: 0o600 });
      await symlink(name, join(volume, '..data_tmp'));
      await rename(join(volume, '..data_tmp'), join(volume, '..data'));
      if (current !== undefined) await rm(join(volume, current), { recursive: true, force: true });
      current = name;
    };
    await install(pki.serving);
    await symlink(join('..data', 'tls.crt'), join(volume, 'tls.crt'));
    await symlink(join('..data', 'tls.key'), join(volume, 'tls.key'));
    const flags = baseFlags(pki, [`--kubeconfig=${kubeconfig}`, '--authentication-skip-lookup']).map((f) =>
      f.startsWith('--tls-cert-file=')
        ? `--tls-cert-file=${join(volume, 'tls.crt')}`
        : f.startsWith('--tls-private-key-file=')
          ? `--tls-private-key-file=${join(volume, 'tls.key')}`
          : f,
    );
    const adapter = await startAdapter(flags, { filePollMs: 100 });
    try {
      t.diagnostic(await rotationScenario(adapter, pki, install));
    } finally {
      await adapter.close();
    }
  });
});

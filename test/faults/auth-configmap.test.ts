/**
 * kube-system/extension-apiserver-authentication changing under a running adapter (in-process, so
 * that its timers and sockets are visible through process.getActiveResourcesInfo()): a new
 * requestheader CA and new allowed names take effect without a restart (the old front-proxy
 * certificate is refused afterwards, the new one accepted), a ConfigMap with an unusable CA is
 * rejected while the last good settings keep working, and fixing it recovers. Each change is
 * counted on /metrics and logged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { call, createAdapterPki, type AdapterPki } from '../helpers/adapter.js';
import { createCA, type CertificateAuthority, type IssuedCertificate } from '../helpers/certs.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { LOOPBACK } from '../helpers/ports.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { assertStatus, eventually, sleep } from '../integration/support.js';
import { metricGrowth, scrapeMetrics, type LogRecord } from './support.js';

/** Active handles by type (timers, sockets, servers) of this process now. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of process.getActiveResourcesInfo()) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

describe('the authentication ConfigMap changes under a running adapter', { timeout: 60_000 }, () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let pki: AdapterPki;
  let server: RunningServer;
  let caA: CertificateAuthority;
  let caB: CertificateAuthority;
  const certs: Record<string, IssuedCertificate> = {};
  const logs: LogRecord[] = [];
  let baseline = new Map<string, number>();

  const asProxy = (cert: IssuedCertificate | undefined, path = '/apis') => {
    assert.ok(cert);
    return call(server, pki, path, { cert, headers: { 'X-Remote-User': 'dave', 'X-Remote-Group': 'devs' } });
  };
  const metrics = (): Promise<Map<string, number>> => scrapeMetrics(server, pki);
  /** The ConfigMap's requestheader settings: this CA, this one allowed name, the usual headers. */
  const setRequestHeader = (clientCA: string, allowedName: string): void =>
    kube.setExtensionApiserverAuthentication({
      requestheaderClientCA: clientCA,
      requestheaderAllowedNames: [allowedName],
      requestheaderUsernameHeaders: ['X-Remote-User'],
      requestheaderGroupHeaders: ['X-Remote-Group'],
      requestheaderExtraHeadersPrefix: ['X-Remote-Extra-'],
    });
  const logged = (from: number, match: (l: LogRecord) => boolean): LogRecord | undefined =>
    logs.slice(from).find(match);

  before(async () => {
    tmp = await makeTempDir('faults-auth-configmap');
    kube = await startFakeKube();
    kube.setSarPolicy(() => ({ allowed: true }));
    pki = await createAdapterPki(tmp.path);
    [caA, caB] = await Promise.all([createCA('front-proxy-ca-a'), createCA('front-proxy-ca-b')]);
    certs.a = await caA.issue({ commonName: 'front-proxy-a', usage: 'client' });
    certs.b = await caB.issue({ commonName: 'front-proxy-b', usage: 'client' });
    // Signed by the new CA but with the old name: refused once the allowed names change.
    certs.bWithOldName = await caB.issue({ commonName: 'front-proxy-a', usage: 'client' });
    setRequestHeader(caA.certPem, 'front-proxy-a');
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const parsed = parseCommandLine([
      '--secure-port=0',
      `--bind-address=${LOOPBACK}`,
      `--tls-cert-file=${pki.servingFiles.certFile}`,
      `--tls-private-key-file=${pki.servingFiles.keyFile}`,
      `--kubeconfig=${kubeconfig}`,
      // Direct clients by flag; the front proxy only from the ConfigMap.
      `--client-ca-file=${pki.clientCAFile}`,
      '--kubelet-scraper=false',
    ]);
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          logs.push(JSON.parse(line) as LogRecord);
        },
      },
    );
    server = await startServer({
      options: buildServeOptions(parsed.values, parsed.given),
      logger,
      filePollMs: 200,
      authConfigMapRefreshMs: 200,
    });
    const ok = await asProxy(certs.a);
    assert.equal(ok.status, 200, ok.body);
    await sleep(500);
    baseline = activeResources();
  });

  after(async () => {
    await server.close(2_000);
    await kube.close();
    await tmp.remove();
  });

  /** Timers and sockets of this process back to (at most) what they were before the change. */
  const assertNoLeak = async (what: string): Promise<void> => {
    await eventually(
      `${what}: active resources back to the baseline`,
      () => {
        const now = activeResources();
        const over = [...now].filter(([t, n]) => n > (baseline.get(t) ?? 0));
        return Promise.resolve(over.length === 0 ? true : undefined);
      },
      10_000,
    ).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}: baseline ${JSON.stringify([...baseline])}, now ${JSON.stringify([...activeResources()])}`,
      );
    });
  };

  it('a new requestheader CA and allowed names take effect without a restart', async () => {
    const from = logs.length;
    const m0 = await metrics();
    setRequestHeader(caB.certPem, 'front-proxy-b');
    await eventually(
      'the new front proxy accepted',
      async () => ((await asProxy(certs.b)).status === 200 ? true : undefined),
      10_000,
    );
    assertStatus(await asProxy(certs.a), 401, 'Unauthorized', 'the old front-proxy certificate');
    assertStatus(await asProxy(certs.bWithOldName), 401, 'Unauthorized', 'new CA, name no longer allowed');
    const m1 = await metrics();
    assert.ok(
      metricGrowth(m0, m1, 'metrics_adapter_authentication_config_reloads_total', { result: 'success' }) > 0,
    );
    const reloaded = logged(from, (l) => l.msg === 'authentication settings reloaded');
    assert.equal(reloaded?.why, 'extension-apiserver-authentication changed');
    const summary = logged(from, (l) => l.msg === 'authentication configured');
    assert.deepEqual(summary?.requestHeaderAllowedNames, ['front-proxy-b']);
    await assertNoLeak('after the change');
  });

  it('a ConfigMap with an unusable CA is rejected, the last settings keep working; fixing it recovers', async () => {
    const from = logs.length;
    const m0 = await metrics();
    setRequestHeader(
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
      'front-proxy-a',
    );
    await eventually(
      'the rejection counted',
      async () =>
        metricGrowth(m0, await metrics(), 'metrics_adapter_authentication_config_reloads_total', {
          result: 'failure',
        }) > 0
          ? true
          : undefined,
      10_000,
    );
    const rejected = logged(
      from,
      (l) => l.msg === 'new authentication settings rejected; keeping the previous ones',
    );
    assert.ok(rejected, JSON.stringify(logs.slice(from)));
    assert.equal(rejected.level, 50, 'error level');
    assert.equal(typeof rejected.err, 'string');
    assert.equal((await asProxy(certs.b)).status, 200, 'the last good settings keep working');
    assertStatus(await asProxy(certs.a), 401, 'Unauthorized', 'the broken ConfigMap trusts nothing new');

    setRequestHeader(caA.certPem, 'front-proxy-a');
    await eventually(
      'the fixed ConfigMap in effect',
      async () => ((await asProxy(certs.a)).status === 200 ? true : undefined),
      10_000,
    );
    assertStatus(await asProxy(certs.b), 401, 'Unauthorized', 'CA B no longer trusted');
    await assertNoLeak('after the recovery');
  });
});

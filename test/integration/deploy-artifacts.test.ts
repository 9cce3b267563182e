/**
 * The deployable set end to end: certs/generate.sh writes an overlay; what it renders (the Secret's
 * key pair, the ConfigMap's rules, the Deployment's flags and each APIService's caBundle) is what
 * an adapter serves with, and the kube-aggregator (simulated) then marks every APIService Available
 * for <service>.<namespace>.svc. The offline checks of the same files are in test/deploy/.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IAPIService } from 'kubernetes-models/apiregistration.k8s.io/v1/APIService';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { createAdapterPki, startAdapter, type InProcessAdapter } from '../helpers/adapter.js';
import { startFakeAggregator, type FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { LOOPBACK } from '../helpers/ports.js';
import { runProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { wiring } from '../deploy/consistency.js';
import { ROOT, findObject, objectsOfKind, renderKustomization, type K8sObject } from '../deploy/rendered.js';

const EXP = { namespace: 'monitoring', service: 'metrics-adapter', metricsK8sIo: true };

describe('certs/generate.sh overlay, served', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let agg: FakeAggregator;
  let adapter: InProcessAdapter;
  let objects: K8sObject[];

  before(async () => {
    tmp = await makeTempDir('deploy-artifacts');
    const r = await runProcess('bash', [join(ROOT, 'certs/generate.sh'), '--out', join(tmp.path, 'pki')], {
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kubectl apply -k .*pki\/overlay/);
    ({ objects } = await renderKustomization(join(tmp.path, 'pki/overlay')));

    // The files the pod would see in its volumes, written from the rendered objects.
    const { args, servingSecretName } = wiring(objects, EXP);
    const secret = findObject<ISecret>(objects, 'Secret', servingSecretName);
    const files: Record<string, string> = {};
    for (const [flag, key] of [
      ['tls-cert-file', 'tls.crt'],
      ['tls-private-key-file', 'tls.key'],
    ] as const) {
      assert.match(String(args.values.get(flag)), new RegExp(`/${key.replace('.', '\\.')}$`));
      files[flag] = join(tmp.path, key);
      await writeFile(files[flag], Buffer.from(secret.data?.[key] ?? '', 'base64'));
    }
    const rules = findObject<IConfigMap>(objects, 'ConfigMap', 'metrics-adapter-rules');
    files.config = join(tmp.path, 'config.yaml');
    await writeFile(files.config, rules.data?.['config.yaml'] ?? '');

    kube = await startFakeKube();
    agg = await startFakeAggregator({ clusterCA: kube.ca, availabilityIntervalMs: 0 });
    kube.setExtensionApiserverAuthentication(agg.requestHeaderAuthentication());
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const pki = await createAdapterPki(tmp.path);
    adapter = await startAdapter([
      '--secure-port=0',
      `--bind-address=${LOOPBACK}`,
      `--tls-cert-file=${files['tls-cert-file']}`,
      `--tls-private-key-file=${files['tls-private-key-file']}`,
      `--config=${files.config}`,
      `--client-ca-file=${pki.clientCAFile}`,
      `--kubeconfig=${kubeconfig}`,
    ]);
  });

  after(async () => {
    await adapter.close();
    await agg.close();
    await kube.close();
    await tmp.remove();
  });

  it('every APIService becomes Available with the caBundle it was rendered with', async () => {
    const apiServices = objectsOfKind<IAPIService>(objects, 'APIService');
    assert.equal(apiServices.length, 4);
    for (const a of apiServices) {
      const spec = a.spec;
      assert.ok(spec?.group !== undefined && spec.version !== undefined && spec.service);
      const result = await agg.registerAPIService({
        name: a.metadata.name,
        group: spec.group,
        version: spec.version,
        groupPriorityMinimum: spec.groupPriorityMinimum,
        versionPriority: spec.versionPriority,
        serviceURL: adapter.url,
        caBundlePem: Buffer.from(spec.caBundle ?? '', 'base64').toString('utf8'),
        service: { namespace: spec.service.namespace ?? '', name: spec.service.name ?? '' },
      });
      assert.equal(result.available, true, `${a.metadata.name}: ${result.reason}: ${result.message}`);
    }
  });

  it('the base placeholder caBundle is not accepted', async () => {
    const base = await renderKustomization(join(ROOT, 'manifests'));
    const a = findObject<IAPIService>(base.objects, 'APIService', 'v1beta2.custom.metrics.k8s.io');
    const result = await agg.registerAPIService({
      name: 'v1beta2.custom.metrics.k8s.io',
      group: 'custom.metrics.k8s.io',
      version: 'v1beta2',
      groupPriorityMinimum: 100,
      versionPriority: 200,
      serviceURL: adapter.url,
      caBundlePem: Buffer.from(a.spec?.caBundle ?? '', 'base64').toString('utf8'),
      service: { namespace: 'monitoring', name: 'metrics-adapter' },
    });
    assert.equal(result.available, false);
    assert.equal(result.reason, 'FailedDiscoveryCheck', result.message);
  });
});

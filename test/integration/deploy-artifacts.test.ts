/**
 * The files operators deploy with: the kustomize base renders (with kubectl's kustomize), its
 * objects are the ones an aggregated server needs, its Deployment's flags and rules are accepted
 * by the adapter, and certs/generate.sh yields a certificate the kube-aggregator accepts for
 * <service>.<namespace>.svc.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../../src/config/flags.js';
import { compileYaml } from '../rules/fixtures.js';
import { createAdapterPki, startAdapter, type InProcessAdapter } from '../helpers/adapter.js';
import { startFakeAggregator, type FakeAggregator } from '../helpers/fake-aggregator.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { runKubectl } from '../helpers/kubectl.js';
import { LOOPBACK } from '../helpers/ports.js';
import { runProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  roleRef?: { name: string };
}

describe('manifests/ (kustomize base)', () => {
  let objects: K8sObject[];

  before(async () => {
    const tmp = await makeTempDir('kustomize');
    try {
      const out = await runKubectl(['kustomize', join(ROOT, 'manifests')], {
        kubeconfig: join(tmp.path, 'none'),
      });
      assert.equal(out.code, 0, out.stderr);
      objects = parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject);
    } finally {
      await tmp.remove();
    }
  });

  const find = (kind: string, name: string): K8sObject => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind}/${name} in the rendered base`);
    return o;
  };

  it('has the objects an aggregated API server needs, in the right namespaces', () => {
    assert.equal(find('RoleBinding', 'metrics-adapter-auth-reader').metadata.namespace, 'kube-system');
    assert.equal(
      find('RoleBinding', 'metrics-adapter-auth-reader').roleRef?.name,
      'extension-apiserver-authentication-reader',
    );
    assert.equal(
      find('ClusterRoleBinding', 'metrics-adapter:system:auth-delegator').roleRef?.name,
      'system:auth-delegator',
    );
    for (const [kind, name] of [
      ['ServiceAccount', 'metrics-adapter'],
      ['Deployment', 'metrics-adapter'],
      ['Service', 'metrics-adapter'],
      ['ConfigMap', 'metrics-adapter-rules'],
    ] as const) {
      assert.equal(find(kind, name).metadata.namespace, 'monitoring');
    }
  });

  it('registers v1beta2 above v1beta1', () => {
    const v2 = find('APIService', 'v1beta2.custom.metrics.k8s.io').spec ?? {};
    const v1 = find('APIService', 'v1beta1.custom.metrics.k8s.io').spec ?? {};
    assert.ok(Number(v2.versionPriority) > Number(v1.versionPriority));
    assert.deepEqual(v2.service, { name: 'metrics-adapter', namespace: 'monitoring', port: 443 });
  });

  it('has Deployment flags and rules the adapter accepts', () => {
    const spec = find('Deployment', 'metrics-adapter').spec as {
      template: { spec: { containers: { args: string[] }[] } };
    };
    const args = spec.template.spec.containers[0]?.args ?? [];
    const parsed = parseCommandLine(args);
    assert.equal(parsed.values.get('secure-port'), 6443);
    const rules = find('ConfigMap', 'metrics-adapter-rules').data?.['config.yaml'] ?? '';
    assert.deepEqual(compileYaml(rules).diagnostics, []);
  });
});

describe('certs/generate.sh', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let agg: FakeAggregator;
  let adapter: InProcessAdapter;

  before(async () => {
    tmp = await makeTempDir('generate-sh');
    const r = await runProcess(
      'bash',
      [join(ROOT, 'certs/generate.sh'), tmp.path, 'metrics-adapter', 'monitoring'],
      { timeoutMs: 30_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kubectl -n monitoring create secret tls metrics-adapter-serving-cert/);
    kube = await startFakeKube();
    agg = await startFakeAggregator({ clusterCA: kube.ca, availabilityIntervalMs: 0 });
    kube.setExtensionApiserverAuthentication(agg.requestHeaderAuthentication());
    const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
    const pki = await createAdapterPki(tmp.path);
    adapter = await startAdapter([
      '--secure-port=0',
      `--bind-address=${LOOPBACK}`,
      `--tls-cert-file=${join(tmp.path, 'tls.crt')}`,
      `--tls-private-key-file=${join(tmp.path, 'tls.key')}`,
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

  it('makes a certificate the aggregator accepts for metrics-adapter.monitoring.svc', async () => {
    const result = await agg.registerAPIService({
      name: 'v1beta2.custom.metrics.k8s.io',
      group: 'custom.metrics.k8s.io',
      version: 'v1beta2',
      groupPriorityMinimum: 100,
      versionPriority: 200,
      serviceURL: adapter.url,
      caBundlePem: await readFile(join(tmp.path, 'ca.crt'), 'utf8'),
      service: { namespace: 'monitoring', name: 'metrics-adapter' },
    });
    assert.equal(result.available, true, `${result.reason}: ${result.message}`);
  });

  it('keeps the CA when run again, so rotation needs no caBundle change', async () => {
    const before = await readFile(join(tmp.path, 'ca.crt'), 'utf8');
    const cert = await readFile(join(tmp.path, 'tls.crt'), 'utf8');
    const r = await runProcess('bash', [join(ROOT, 'certs/generate.sh'), tmp.path], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(tmp.path, 'ca.crt'), 'utf8'), before);
    assert.notEqual(await readFile(join(tmp.path, 'tls.crt'), 'utf8'), cert);
  });
});

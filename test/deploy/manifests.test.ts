/**
 * manifests/ (the kustomize base), its components without-metrics-k8s-io and kubelet-via-apiserver, and the two deployable
 * overlays (certs/generate.sh's and certs/cert-manager): each renders offline with kubectl's
 * kustomize, every object matches its Kubernetes schema, and the cross-checks of consistency.ts
 * and rule-objects.ts (the rule objects' CRDs and RBAC) hold. The base alone is not deployable: its caBundle is a placeholder that only overlays replace.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IAPIService } from 'kubernetes-models/apiregistration.k8s.io/v1/APIService';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { compileYaml } from '../rules/fixtures.js';
import { runProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import {
  ADAPTER,
  CHECKS as CONSISTENCY_CHECKS,
  PROMETHEUS_URL,
  wiring,
  type Expectations,
} from './consistency.js';
import { RULE_OBJECT_CHECKS } from './rule-objects.js';
import {
  MANIFESTS,
  ROOT,
  findObject,
  objectsOfKind,
  renderKustomization,
  validateAgainstSchema,
  type K8sObject,
  type Rendered,
} from './rendered.js';

/** Every deployable render passes both tables. */
const CHECKS = [...CONSISTENCY_CHECKS, ...RULE_OBJECT_CHECKS];

const DEFAULTS: Expectations = { namespace: 'monitoring', service: ADAPTER, metricsK8sIo: true };
/** What the component leaves out of the base. */
const WITHOUT_METRICS_K8S_IO = [
  'APIService/v1beta1.metrics.k8s.io',
  'ClusterRole/system:aggregated-metrics-reader',
  'ClusterRole/metrics-adapter:kubelet-reader',
  'ClusterRoleBinding/metrics-adapter:kubelet-reader',
  'NetworkPolicy/metrics-adapter-kubelets',
];

const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
const caBundles = (objects: readonly K8sObject[]): (string | undefined)[] =>
  objectsOfKind<IAPIService>(objects, 'APIService').map((a) => a.spec?.caBundle);

interface Variant {
  name: string;
  exp: Expectations;
  /** Deployable: no placeholder caBundle, and the serving Secret is provided. */
  deployable: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'base', exp: DEFAULTS, deployable: false },
  {
    name: 'base + component without-metrics-k8s-io',
    exp: { ...DEFAULTS, metricsK8sIo: false },
    deployable: false,
  },
  { name: 'base + component kubelet-via-apiserver', exp: DEFAULTS, deployable: false },
  { name: 'certs/cert-manager overlay', exp: DEFAULTS, deployable: true },
  { name: 'certs/generate.sh overlay', exp: DEFAULTS, deployable: true },
];

describe('kustomize renders of manifests/', () => {
  let tmp: TempDir;
  const renders = new Map<string, Rendered>();
  let placeholder: string;

  before(async () => {
    tmp = await makeTempDir('deploy-manifests');
    renders.set('base', await renderKustomization(MANIFESTS));

    const componentOverlay = join(tmp.path, 'component');
    await mkdir(componentOverlay);
    const rel = relative(componentOverlay, MANIFESTS);
    await writeFile(
      join(componentOverlay, 'kustomization.yaml'),
      `resources: [${rel}]\ncomponents: [${rel}/components/without-metrics-k8s-io]\n`,
    );
    renders.set('base + component without-metrics-k8s-io', await renderKustomization(componentOverlay));

    const proxyOverlay = join(tmp.path, 'component-proxy');
    await mkdir(proxyOverlay);
    await writeFile(
      join(proxyOverlay, 'kustomization.yaml'),
      `resources: [${rel}]\ncomponents: [${rel}/components/kubelet-via-apiserver]\n`,
    );
    renders.set('base + component kubelet-via-apiserver', await renderKustomization(proxyOverlay));

    renders.set('certs/cert-manager overlay', await renderKustomization(join(ROOT, 'certs/cert-manager')));

    const gen = await runProcess('bash', [join(ROOT, 'certs/generate.sh'), '--out', join(tmp.path, 'pki')], {
      timeoutMs: 30_000,
    });
    assert.equal(gen.code, 0, gen.stderr);
    renders.set('certs/generate.sh overlay', await renderKustomization(join(tmp.path, 'pki/overlay')));

    const bundles = caBundles(renders.get('base')!.objects);
    placeholder = bundles[0] ?? '';
  });

  after(async () => {
    await tmp.remove();
  });

  const rendered = (name: string): Rendered => {
    const r = renders.get(name);
    assert.ok(r, name);
    return r;
  };

  for (const v of VARIANTS) {
    describe(v.name, () => {
      it('every object matches its Kubernetes schema', async () => {
        const { objects } = rendered(v.name);
        assert.ok(objects.length > 10);
        for (const o of objects) await validateAgainstSchema(o);
      });

      for (const check of CHECKS) {
        it(check.name, () => {
          const r = rendered(v.name);
          check.run(r.objects, r.text, v.exp);
        });
      }

      it(v.deployable ? 'replaces every placeholder caBundle' : 'keeps the placeholder caBundle', () => {
        const bundles = caBundles(rendered(v.name).objects);
        assert.ok(bundles.length >= 3);
        for (const b of bundles) assert.equal(b === placeholder, !v.deployable);
      });

      it('the rules ConfigMap compiles without diagnostics', () => {
        const { objects } = rendered(v.name);
        const cm = findObject<IConfigMap>(objects, 'ConfigMap', 'metrics-adapter-rules');
        assert.deepEqual(compileYaml(cm.data?.['config.yaml'] ?? '').diagnostics, []);
      });
    });
  }

  it('certs/README.md’s bring-your-own overlay renders into a deployable set', async () => {
    const readme = await readFile(join(ROOT, 'certs/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## 3.'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'a kustomization.yaml example');
    const pki = join(tmp.path, 'pki');
    const dir = join(tmp.path, 'byo');
    await mkdir(dir);
    for (const f of ['tls.crt', 'tls.key']) await writeFile(join(dir, f), await readFile(join(pki, f)));
    const ca = await readFile(join(pki, 'ca.crt'), 'utf8');
    const kustomization = block
      .replace('<path to>/manifests', relative(dir, MANIFESTS))
      .replace(/<base64[^>]*>/, Buffer.from(ca).toString('base64'));
    assert.doesNotMatch(kustomization, /<[^>]+>/, 'every placeholder of the example is filled');
    await writeFile(join(dir, 'kustomization.yaml'), kustomization);
    const r = await renderKustomization(dir);
    for (const o of r.objects) await validateAgainstSchema(o);
    for (const check of CHECKS) check.run(r.objects, r.text, DEFAULTS);
    findObject<ISecret>(r.objects, 'Secret', wiring(r.objects, DEFAULTS).servingSecretName);
    const bundles = caBundles(r.objects);
    assert.equal(bundles.length, 4);
    for (const b of bundles) assert.equal(Buffer.from(b ?? '', 'base64').toString('utf8'), ca);
  });

  it('the docs give the Deployment’s Prometheus URL', async () => {
    const files = [
      ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
      'certs/README.md',
      'README.md',
    ];
    let seen = 0;
    for (const file of files) {
      const text = await readFile(join(ROOT, file), 'utf8');
      // In-cluster URLs only (the demo's "--prometheus-url=http://…" is a placeholder).
      for (const m of text.matchAll(/--prometheus-url=(\S+?\.svc\S*?)[`\s]/g)) {
        seen++;
        assert.equal(m[1], PROMETHEUS_URL, file);
      }
    }
    assert.ok(seen > 0, 'docs/operations.md names it');
  });

  it('the base placeholder says what it is, and is valid base64 (so the schema check means something)', () => {
    const bundles = caBundles(rendered('base').objects);
    assert.equal(new Set(bundles).size, 1);
    assert.match(
      Buffer.from(placeholder, 'base64').toString('utf8'),
      /placeholder caBundle.*certs\/README\.md/,
    );
    assert.doesNotMatch(Buffer.from(placeholder, 'base64').toString('utf8'), /BEGIN CERTIFICATE/);
  });

  it('the base provides no serving Secret (an overlay must)', () => {
    assert.equal(objectsOfKind(rendered('base').objects, 'Secret').length, 0);
  });

  it('the component leaves out exactly metrics.k8s.io and the kubelet scraper’s objects', () => {
    const base = rendered('base').objects;
    const component = rendered('base + component without-metrics-k8s-io').objects;
    for (const k of WITHOUT_METRICS_K8S_IO)
      assert.ok(
        base.some((o) => key(o) === k),
        `${k} in the base`,
      );
    // Besides the objects left out, only the Deployment differs: the scraper is turned off.
    const isDeployment = (o: (typeof base)[number]): boolean => o.kind === 'Deployment';
    assert.deepEqual(
      component.filter((o) => !isDeployment(o)),
      base.filter((o) => !WITHOUT_METRICS_K8S_IO.includes(key(o)) && !isDeployment(o)),
    );
    interface WithArgs {
      spec: { template: { spec: { containers: { args?: string[] }[] } } };
    }
    const args = (objs: typeof base): string[] =>
      findObject<WithArgs>(objs, 'Deployment', 'metrics-adapter').spec.template.spec.containers[0]?.args ??
      [];
    assert.deepEqual(args(component), [...args(base), '--kubelet-scraper=false']);
  });

  it('nodes/proxy is granted only by the component kubelet-via-apiserver, which also turns the fallback on', () => {
    const base = rendered('base').objects;
    const component = rendered('base + component kubelet-via-apiserver').objects;
    interface Rules {
      rules?: { resources?: string[]; verbs?: string[] }[];
    }
    const grantsProxy = (objs: typeof base): string[] =>
      objs
        .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
        .filter((o) =>
          ((o as unknown as Rules).rules ?? []).some((r) => (r.resources ?? []).includes('nodes/proxy')),
        )
        .map(key);
    assert.deepEqual(grantsProxy(base), []);
    assert.deepEqual(grantsProxy(component), ['ClusterRole/metrics-adapter:kubelet-proxy']);
    const role = findObject<Rules>(component, 'ClusterRole', 'metrics-adapter:kubelet-proxy');
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]);
    interface Binding {
      roleRef: { name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    }
    const binding = findObject<Binding>(component, 'ClusterRoleBinding', 'metrics-adapter:kubelet-proxy');
    assert.equal(binding.roleRef.name, 'metrics-adapter:kubelet-proxy');
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'metrics-adapter', namespace: 'monitoring' },
    ]);
    interface WithArgs {
      spec: { template: { spec: { containers: { args?: string[] }[] } } };
    }
    const args = (objs: typeof base): string[] =>
      findObject<WithArgs>(objs, 'Deployment', 'metrics-adapter').spec.template.spec.containers[0]?.args ??
      [];
    assert.ok(!args(base).some((a) => a.startsWith('--kubelet-via-apiserver')));
    assert.deepEqual(args(component), [...args(base), '--kubelet-via-apiserver=fallback']);
  });

  it('generate.sh overlay: the Secret holds the generated pair and every caBundle is the generated CA', async () => {
    const { objects } = rendered('certs/generate.sh overlay');
    const pki = join(tmp.path, 'pki');
    const { servingSecretName } = wiring(objects, DEFAULTS);
    const secret = findObject<ISecret>(objects, 'Secret', servingSecretName);
    assert.equal(secret.type, 'kubernetes.io/tls');
    for (const file of ['tls.crt', 'tls.key']) {
      assert.equal(
        Buffer.from(secret.data?.[file] ?? '', 'base64').toString('utf8'),
        await readFile(join(pki, file), 'utf8'),
        file,
      );
    }
    const ca = await readFile(join(pki, 'ca.crt'), 'utf8');
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    const bundles = caBundles(objects);
    assert.equal(bundles.length, 4);
    for (const b of bundles) assert.equal(Buffer.from(b ?? '', 'base64').toString('utf8'), ca);
  });

  it('cert-manager overlay: cainjector fills the caBundle from the serving Certificate, issued by a bootstrapped CA', () => {
    const { objects } = rendered('certs/cert-manager overlay');
    const { service, servingSecretName } = wiring(objects, DEFAULTS);
    const certs = objectsOfKind<ICertificate>(objects, 'Certificate');
    const serving = certs.find((c) => c.spec.secretName === servingSecretName);
    assert.ok(serving, `a Certificate writes Secret ${servingSecretName}`);
    const svc = service.metadata.name;
    const ns = service.metadata.namespace ?? '';
    assert.deepEqual(serving.spec.dnsNames, [
      svc,
      `${svc}.${ns}`,
      `${svc}.${ns}.svc`,
      `${svc}.${ns}.svc.cluster.local`,
    ]);
    assert.ok(serving.spec.usages?.includes('server auth'));
    assert.notEqual(serving.spec.isCA, true);

    for (const a of objectsOfKind<IAPIService>(objects, 'APIService')) {
      assert.equal(a.spec?.caBundle, undefined, `${a.metadata.name}: no caBundle for apply to fight over`);
      assert.equal(
        a.metadata.annotations?.['cert-manager.io/inject-ca-from'],
        `${serving.metadata.namespace}/${serving.metadata.name}`,
      );
    }

    // Serving Certificate ← CA Issuer ← CA Certificate ← self-signed Issuer.
    assert.equal(serving.spec.issuerRef.kind, 'Issuer');
    const issuer = findObject<IIssuer>(objects, 'Issuer', serving.spec.issuerRef.name);
    const caSecret = issuer.spec.ca?.secretName;
    const caCert = certs.find((c) => c.spec.secretName === caSecret);
    assert.ok(caCert, `a Certificate writes the CA Secret ${caSecret}`);
    assert.equal(caCert.spec.isCA, true);
    const root = findObject<IIssuer>(objects, 'Issuer', caCert.spec.issuerRef.name);
    assert.deepEqual(root.spec.selfSigned, {});
    for (const o of [...certs, issuer, root]) assert.equal(o.metadata.namespace, ns);
  });
});

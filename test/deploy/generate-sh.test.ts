/**
 * certs/generate.sh: the CA and serving certificate it makes (checked with node:crypto), the
 * kustomize overlay it writes (rendered offline, with the cross-checks every deployable set
 * passes), what it keeps when run again, and what it refuses to do.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IAPIService } from 'kubernetes-models/apiregistration.k8s.io/v1/APIService';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { runProcess, type RunProcessResult } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { CHECKS, wiring, type Expectations } from './consistency.js';
import {
  ROOT,
  findObject,
  objectsOfKind,
  renderKustomization,
  validateAgainstSchema,
  type Rendered,
} from './rendered.js';

const SCRIPT = join(ROOT, 'certs/generate.sh');
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function generate(args: string[]): Promise<RunProcessResult> {
  return runProcess('bash', [SCRIPT, ...args], { timeoutMs: 30_000 });
}

async function generateOk(args: string[]): Promise<RunProcessResult> {
  const r = await generate(args);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

async function snapshot(dir: string, files: readonly string[]): Promise<Map<string, string>> {
  return new Map(
    await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as const)),
  );
}

function sans(names: { service: string; namespace: string }): string {
  const { service: s, namespace: n } = names;
  return `DNS:${s}, DNS:${s}.${n}, DNS:${s}.${n}.svc, DNS:${s}.${n}.svc.cluster.local`;
}

/** The serving certificate names the Service, is signed by the CA, and matches its key. */
async function assertPki(dir: string, names: { service: string; namespace: string }): Promise<void> {
  const ca = new X509Certificate(await readFile(join(dir, 'ca.crt')));
  const cert = new X509Certificate(await readFile(join(dir, 'tls.crt')));
  assert.equal(ca.ca, true, 'ca.crt is a CA');
  assert.equal(cert.ca, false, 'tls.crt is not a CA');
  assert.equal(cert.subjectAltName, sans(names));
  assert.equal(cert.subject, `CN=${names.service}.${names.namespace}.svc`);
  assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
  assert.ok(cert.keyUsage.includes(SERVER_AUTH), 'extendedKeyUsage serverAuth');
  assert.ok(
    cert.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'tls.key')))),
    'tls.key is its key',
  );
  assert.ok(ca.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'ca.key')))), 'ca.key is its key');
  const now = Date.now();
  assert.ok(Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) > now + 300 * 86_400_000);
  for (const key of ['ca.key', 'tls.key']) {
    assert.equal((await stat(join(dir, key))).mode & 0o077, 0, `${key} is private to its owner`);
  }
}

/** What an overlay deploys: the pair from `dir` in the Secret, its CA in every caBundle. */
async function assertOverlayCarries(rendered: Rendered, dir: string, exp: Expectations): Promise<void> {
  for (const o of rendered.objects) await validateAgainstSchema(o);
  for (const check of CHECKS) check.run(rendered.objects, rendered.text, exp);
  const { servingSecretName } = wiring(rendered.objects, exp);
  const secret = findObject<ISecret>(rendered.objects, 'Secret', servingSecretName);
  for (const file of ['tls.crt', 'tls.key']) {
    assert.equal(
      Buffer.from(secret.data?.[file] ?? '', 'base64').toString('utf8'),
      await readFile(join(dir, file), 'utf8'),
    );
  }
  const ca = new X509Certificate(await readFile(join(dir, 'ca.crt')));
  const apiServices = objectsOfKind<IAPIService>(rendered.objects, 'APIService');
  assert.equal(apiServices.length, exp.metricsK8sIo ? 4 : 3);
  for (const a of apiServices) {
    const bundle = new X509Certificate(Buffer.from(a.spec?.caBundle ?? '', 'base64'));
    assert.equal(bundle.fingerprint256, ca.fingerprint256, `${a.metadata.name} trusts the generated CA`);
  }
}

describe('certs/generate.sh', () => {
  let tmp: TempDir;
  let out: string;
  const FILES = [
    'ca.crt',
    'ca.key',
    'tls.crt',
    'tls.key',
    'overlay/kustomization.yaml',
    'overlay/ca-bundle.yaml',
  ];
  const DEFAULTS: Expectations = { namespace: 'monitoring', service: 'metrics-adapter', metricsK8sIo: true };

  before(async () => {
    tmp = await makeTempDir('generate-sh');
    out = join(tmp.path, 'out');
    await generateOk(['--out', out]);
  });

  after(async () => {
    await tmp.remove();
  });

  it('makes a CA and a serving certificate for metrics-adapter.monitoring.svc', async () => {
    await assertPki(out, { service: 'metrics-adapter', namespace: 'monitoring' });
  });

  it('writes an overlay that renders offline into a deployable set with the generated pair and CA', async () => {
    await assertOverlayCarries(await renderKustomization(join(out, 'overlay')), out, DEFAULTS);
  });

  it('keeps everything when run again (idempotent)', async () => {
    const before = await snapshot(out, FILES);
    const r = await generateOk(['--out', out]);
    assert.match(r.stdout, /Kept the serving certificate/);
    assert.deepEqual(await snapshot(out, FILES), before);
  });

  it('--renew reissues the serving certificate under the same CA, so the caBundle stays', async () => {
    const before = await snapshot(out, FILES);
    await generateOk(['--out', out, '--renew']);
    const now = await snapshot(out, FILES);
    assert.notEqual(now.get('tls.crt'), before.get('tls.crt'));
    assert.notEqual(now.get('tls.key'), before.get('tls.key'));
    for (const f of ['ca.crt', 'ca.key', 'overlay/ca-bundle.yaml', 'overlay/kustomization.yaml']) {
      assert.equal(now.get(f), before.get(f), f);
    }
    await assertPki(out, { service: 'metrics-adapter', namespace: 'monitoring' });
  });

  it('refuses to replace a CA key unless asked (--new-ca)', async () => {
    const dir = join(tmp.path, 'half');
    await generateOk(['--out', dir]);
    const key = await readFile(join(dir, 'ca.key'), 'utf8');
    const oldBundle = await readFile(join(dir, 'overlay/ca-bundle.yaml'), 'utf8');
    await rm(join(dir, 'ca.crt'));
    const refused = await generate(['--out', dir]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /half a CA.*--new-ca/);
    assert.equal(await readFile(join(dir, 'ca.key'), 'utf8'), key);

    await generateOk(['--out', dir, '--new-ca']);
    assert.notEqual(await readFile(join(dir, 'ca.key'), 'utf8'), key);
    assert.notEqual(await readFile(join(dir, 'overlay/ca-bundle.yaml'), 'utf8'), oldBundle);
    await assertPki(dir, { service: 'metrics-adapter', namespace: 'monitoring' });
    await assertOverlayCarries(await renderKustomization(join(dir, 'overlay')), dir, DEFAULTS);
  });

  it('another namespace and Service name, a chosen overlay directory, and metrics-server kept', async () => {
    const dir = join(tmp.path, 'custom');
    const overlay = join(tmp.path, 'elsewhere/overlay');
    const names = { service: 'custom-metrics', namespace: 'team-a' };
    await generateOk([
      '-o',
      dir,
      '--overlay',
      overlay,
      '--service',
      names.service,
      '--namespace',
      names.namespace,
      '--without-metrics-k8s-io',
    ]);
    await assertPki(dir, names);
    const rendered = await renderKustomization(overlay);
    await assertOverlayCarries(rendered, dir, { ...names, metricsK8sIo: false });
    // The ClusterRoleBindings follow the ServiceAccount; the HPA controller's stays in kube-system.
    const hpa = findObject<{ subjects: { namespace: string }[] }>(
      rendered.objects,
      'ClusterRoleBinding',
      'metrics-adapter:hpa-metrics-reader',
    );
    assert.equal(hpa.subjects[0]?.namespace, 'kube-system');

    // Changing only the names reissues the certificate for them.
    await generateOk(['-o', dir, '--overlay', overlay, '--namespace', 'team-b', '--service', names.service]);
    await assertPki(dir, { ...names, namespace: 'team-b' });
  });

  for (const [args, message] of [
    [['--namespace', 'Team_A'], /--namespace: "Team_A" is not a valid namespace name/],
    [['--service', '1abc'], /--service: "1abc" is not a valid Service name/],
    [['--days', '0'], /--days: "0" is not a positive number/],
    [['--frobnicate'], /unknown argument: --frobnicate/],
    [['--base', '/nonexistent'], /--base: no kustomization.yaml/],
  ] as const) {
    it(`rejects ${args.join(' ')}`, async () => {
      const dir = join(tmp.path, `rejected-${args[0].replace(/\W/g, '')}`);
      const r = await generate(['--out', dir, ...args]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      await assert.rejects(stat(join(dir, 'ca.key')), 'no key written');
    });
  }

  it('--help describes the options and writes nothing', async () => {
    const r = await generateOk(['--help', '--out', join(tmp.path, 'help')]);
    for (const opt of [
      '--out',
      '--overlay',
      '--service',
      '--namespace',
      '--renew',
      '--new-ca',
      '--without-metrics-k8s-io',
    ]) {
      assert.ok(r.stdout.includes(opt), opt);
    }
    await assert.rejects(stat(join(tmp.path, 'help')));
  });

  it('no private key is kept in the repository (certs/out is ignored)', async () => {
    const found: string[] = [];
    const scan = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (p === join(ROOT, 'certs/out')) continue;
        if (e.isDirectory()) await scan(p);
        else if (/PRIVATE KEY-----/.test(await readFile(p, 'utf8'))) found.push(p);
      }
    };
    await scan(join(ROOT, 'certs'));
    await scan(join(ROOT, 'manifests'));
    assert.deepEqual(found, []);
    assert.match(await readFile(join(ROOT, '.gitignore'), 'utf8'), /^certs\/out\/$/m);
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FLAG_SPECS, FlagError, flagHelp, parseCommandLine } from '../../src/config/flags.js';
import {
  KUBECONFIG_FALLBACK_RULE,
  resolveKubeconfigs,
  type KubeconfigEnv,
} from '../../src/config/kubeconfig-roles.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const IN_CLUSTER: KubeconfigEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
const OUTSIDE: KubeconfigEnv = {};
const DEV: KubeconfigEnv = { KUBECONFIG: '/home/dev/.kube/config' };

describe('resolveKubeconfigs (the fallback rule)', () => {
  // [flags given, env, expected lister / authentication / authorization]
  const table: [Record<string, string>, KubeconfigEnv, [string, string, string]][] = [
    [{ lister: 'L' }, OUTSIDE, ['L', 'L', 'L']],
    [{ authentication: 'A' }, OUTSIDE, ['A', 'A', 'A']],
    [{ authorization: 'Z' }, OUTSIDE, ['Z', 'Z', 'Z']],
    [{ lister: 'L', authentication: 'A' }, OUTSIDE, ['L', 'A', 'L']],
    [{ lister: 'L', authorization: 'Z' }, OUTSIDE, ['L', 'L', 'Z']],
    [{ authentication: 'A', authorization: 'Z' }, OUTSIDE, ['A', 'A', 'Z']],
    [{ lister: 'L', authentication: 'A', authorization: 'Z' }, OUTSIDE, ['L', 'A', 'Z']],
    [{ lister: 'K', authentication: 'K', authorization: 'K' }, OUTSIDE, ['K', 'K', 'K']],
    // A flag wins over the cluster and over KUBECONFIG.
    [{ authorization: 'Z' }, IN_CLUSTER, ['Z', 'Z', 'Z']],
    [{ authentication: 'A' }, { ...IN_CLUSTER, ...DEV }, ['A', 'A', 'A']],
    // None given.
    [{}, IN_CLUSTER, ['in-cluster', 'in-cluster', 'in-cluster']],
    [{}, { ...IN_CLUSTER, ...DEV }, ['in-cluster', 'in-cluster', 'in-cluster']],
    [{}, DEV, ['/home/dev/.kube/config', '/home/dev/.kube/config', '/home/dev/.kube/config']],
    [{}, { KUBECONFIG: '/a:/b' }, ['/a', '/a', '/a']],
    [{}, { KUBECONFIG: '' }, ['none', 'none', 'none']],
    [{}, OUTSIDE, ['none', 'none', 'none']],
    // Half an in-cluster environment is not a cluster (client-go needs both).
    [
      {},
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', ...DEV },
      ['/home/dev/.kube/config', '/home/dev/.kube/config', '/home/dev/.kube/config'],
    ],
    // An empty flag value is not given.
    [{ lister: '', authorization: 'Z' }, OUTSIDE, ['Z', 'Z', 'Z']],
  ];
  for (const [flags, env, want] of table) {
    it(`${JSON.stringify(flags)} ${JSON.stringify(env)}`, () => {
      const got = resolveKubeconfigs(flags, env);
      const show = (c: { path: string | undefined; from: string }): string => c.path ?? c.from;
      assert.deepEqual([show(got.lister), show(got.authentication), show(got.authorization)], want);
    });
  }

  it('says where each choice came from', () => {
    const got = resolveKubeconfigs({ authentication: 'A' }, IN_CLUSTER);
    assert.equal(got.lister.from, '--authentication-kubeconfig');
    assert.equal(got.authentication.from, '--authentication-kubeconfig');
    assert.equal(resolveKubeconfigs({}, DEV).lister.from, 'KUBECONFIG');
    assert.equal(resolveKubeconfigs({}, IN_CLUSTER).lister.path, undefined);
  });
});

describe('kubeconfig flags in buildServeOptions', () => {
  let tmp: TempDir;
  let k1: string;
  let k2: string;
  before(async () => {
    tmp = await makeTempDir('kubeconfig-roles');
    k1 = join(tmp.path, 'one.kubeconfig');
    k2 = join(tmp.path, 'two.kubeconfig');
    writeFileSync(k1, 'apiVersion: v1\nkind: Config\n');
    writeFileSync(k2, 'apiVersion: v1\nkind: Config\n');
  });
  after(() => tmp.remove());

  const build = (args: string[], env: KubeconfigEnv = OUTSIDE) => {
    const p = parseCommandLine(['--cert-dir=/tmp/x', ...args]);
    return buildServeOptions(p.values, p.given, env);
  };

  it('--kubeconfig is an alias of --lister-kubeconfig and serves every role', () => {
    const o = build([`--kubeconfig=${k1}`]);
    assert.equal(o.listerKubeconfig, k1);
    assert.equal(o.authentication.kubeconfig, k1);
    assert.equal(o.authorization.kubeconfig, k1);
    assert.deepEqual(o.kubeconfigSources, {
      lister: '--lister-kubeconfig',
      authentication: '--lister-kubeconfig',
      authorization: '--lister-kubeconfig',
    });
    assert.equal(build([`--kubeconfig=${k1}`, `--lister-kubeconfig=${k1}`]).listerKubeconfig, k1);
  });

  it('the three prometheus-adapter flags without --kubeconfig', () => {
    const o = build([
      `--lister-kubeconfig=${k1}`,
      `--authentication-kubeconfig=${k2}`,
      `--authorization-kubeconfig=${k1}`,
    ]);
    assert.equal(o.listerKubeconfig, k1);
    assert.equal(o.authentication.kubeconfig, k2);
    assert.equal(o.authorization.kubeconfig, k1);
  });

  it('no flag: KUBECONFIG outside a cluster, the service account inside', () => {
    assert.equal(build([], { KUBECONFIG: k2 }).listerKubeconfig, k2);
    const inCluster = build([], { ...IN_CLUSTER, KUBECONFIG: k2 });
    assert.equal(inCluster.listerKubeconfig, undefined);
    assert.equal(inCluster.kubeconfigSources.authorization, 'in-cluster');
  });

  it('rejects --kubeconfig and --lister-kubeconfig naming different files, naming both flags', () => {
    assert.throws(
      () => build([`--kubeconfig=${k1}`, `--lister-kubeconfig=${k2}`]),
      (e: unknown) =>
        e instanceof FlagError &&
        e.flag === '--kubeconfig' &&
        e.message.includes('--lister-kubeconfig') &&
        e.message.includes(k1) &&
        e.message.includes(k2) &&
        !e.message.includes('\n'),
    );
  });

  it('rejects an unreadable kubeconfig naming its flag', () => {
    assert.throws(
      () => build(['--authorization-kubeconfig=/does/not/exist']),
      (e: unknown) => e instanceof FlagError && e.flag === '--authorization-kubeconfig',
    );
  });

  it('--discovery-interval reaches the options', () => {
    assert.equal(build([]).discoveryIntervalMs, 300_000);
    assert.equal(build(['--discovery-interval=0s']).discoveryIntervalMs, 0);
  });
});

describe('the fallback rule is stated the same everywhere', () => {
  it('in the help of each of the three flags', () => {
    for (const name of ['lister-kubeconfig', 'authentication-kubeconfig', 'authorization-kubeconfig']) {
      const spec = FLAG_SPECS.find((s) => s.name === name);
      assert.ok(spec?.help.includes(KUBECONFIG_FALLBACK_RULE), name);
    }
    assert.match(flagHelp(), /--kubeconfig string\n\s+Alias of --lister-kubeconfig/);
  });

  it('in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.ok(doc.replace(/\s*\n\s*/g, ' ').includes(KUBECONFIG_FALLBACK_RULE));
  });
});

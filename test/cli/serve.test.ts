/**
 * `metrics-adapter serve` reports a broken rules file (file:line:col) before anything that needs
 * a cluster, certificates or Prometheus, so the first error a user sees is the one in their file.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { runProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('serve --config with a broken rules file and no cluster', () => {
  let dir: TempDir;
  before(async () => {
    dir = await makeTempDir('serve-rules');
  });
  after(() => dir.remove());

  const cases: { name: string; flags: (d: string) => string[] }[] = [
    { name: 'no other flags', flags: () => [] },
    { name: 'with a kubeconfig that does not exist', flags: (d) => [`--kubeconfig=${join(d, 'nope')}`] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const bad = join(dir.path, 'bad.yaml');
      await writeFile(bad, 'rules:\n  - seriesQuery: up\n    metricQuery: x\n');
      const r = await runProcess(
        process.execPath,
        ['--import', 'tsx', MAIN, 'serve', `--config=${bad}`, ...c.flags(dir.path)],
        {
          env: { ...process.env, HOME: dir.path, KUBECONFIG: '' },
          // tsx compiles the server's sources first; slow on a loaded machine.
          timeoutMs: 90_000,
        },
      );
      assert.equal(r.code, 1, `timed out: ${String(r.timedOut)}; stderr: ${r.stderr}`);
      const first = r.stderr.split('\n')[0] ?? '';
      assert.equal(
        first,
        `metrics-adapter: ${bad}:3:5: error: rules[0]: unknown key "metricQuery": did you mean "metricsQuery"? allowed keys: seriesQuery, seriesFilters, resources, name, metricsQuery, labelValueReplacements`,
      );
      assert.doesNotMatch(r.stderr, /kubeconfig|serving certificate/i);
    });
  }
});

describe('serve with the Kubernetes API refusing connections', () => {
  let dir: TempDir;
  before(async () => {
    dir = await makeTempDir('serve-refused');
  });
  after(() => dir.remove());

  it('says so in one line, with connection hints and no RBAC hint', async () => {
    const port = await freePort();
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- {name: c, cluster: {server: "http://127.0.0.1:${port}"}}`,
        'users:',
        '- {name: u, user: {token: t}}',
        'contexts:',
        '- {name: x, context: {cluster: c, user: u}}',
        'current-context: x',
        '',
      ].join('\n'),
    );
    const r = await runProcess(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        `--kubeconfig=${kubeconfig}`,
        `--cert-dir=${join(dir.path, 'certs')}`,
        '--secure-port=0',
        '--bind-address=127.0.0.1',
      ],
      { env: { ...process.env, HOME: dir.path, KUBECONFIG: '' }, timeoutMs: 90_000 },
    );
    assert.equal(r.code, 1, `timed out: ${String(r.timedOut)}; stderr: ${r.stderr}`);
    const fatal = r.stderr.split('\n').filter((l) => /cannot start|"level":"fatal"|ECONNREFUSED/.test(l));
    assert.equal(fatal.length, 1, r.stderr);
    assert.match(
      fatal[0] ?? '',
      new RegExp(
        `^metrics-adapter: cannot start: unable to read kube-system/extension-apiserver-authentication: cannot reach the Kubernetes API at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\(the Kubernetes API cannot be reached: check the server of --authentication-kubeconfig / --kubeconfig`,
      ),
    );
    assert.doesNotMatch(fatal[0] ?? '', /Role|grant/);
  });
});

/**
 * kube/kubeconfig.ts loads what client-node's KubeConfig loads (its own entry parsers and
 * authenticators): the current context's cluster and user, certificate paths relative to the
 * file, tokens, TLS options and basic auth applied to request options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { makeTempDir } from '../helpers/temp.js';

test('the current context, relative certificate paths, a token, TLS options and basic auth', async () => {
  const dir = await makeTempDir('kubeconfig-');
  try {
    await writeFile(path.join(dir.path, 'ca.crt'), 'CA PEM');
    await writeFile(path.join(dir.path, 'token'), 'from-file\n');
    const file = path.join(dir.path, 'config');
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: b',
        'clusters:',
        '- name: one',
        '  cluster: { server: "https://one.example:6443", certificate-authority: ca.crt }',
        '- name: two',
        '  cluster: { server: "https://two.example", insecure-skip-tls-verify: true, tls-server-name: api }',
        'users:',
        '- name: alice',
        '  user: { token: secret }',
        '- name: bob',
        '  user: { tokenFile: token }',
        '- name: carol',
        '  user: { username: carol, password: pw }',
        'contexts:',
        '- name: a',
        '  context: { cluster: one, user: alice }',
        '- name: b',
        '  context: { cluster: two, user: bob }',
        '- name: c',
        '  context: { cluster: one, user: carol }',
        '',
      ].join('\n'),
    );
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    assert.equal(kc.getCurrentCluster()?.server, 'https://two.example');
    assert.equal(kc.getCurrentUser()?.name, 'bob');
    const b: { headers?: Record<string, unknown>; rejectUnauthorized?: boolean; servername?: string } = {};
    await kc.applyToHTTPSOptions(b);
    assert.equal(b.rejectUnauthorized, false);
    assert.equal(b.servername, 'api');

    const a = new KubeConfig();
    a.loadFromFile(file);
    (a as unknown as { currentContext: string }).currentContext = 'a';
    const opts: { headers?: Record<string, unknown>; ca?: unknown; auth?: string | null } = {};
    await a.applyToHTTPSOptions(opts);
    assert.equal(opts.headers?.Authorization, 'Bearer secret');
    assert.equal(String(opts.ca), 'CA PEM', 'certificate-authority is relative to the file');

    const c = new KubeConfig();
    c.loadFromFile(file);
    (c as unknown as { currentContext: string }).currentContext = 'c';
    const basic: { headers?: Record<string, unknown>; auth?: string | null } = {};
    await c.applyToHTTPSOptions(basic);
    assert.equal(basic.auth, 'carol:pw');
  } finally {
    await dir.remove();
  }
});

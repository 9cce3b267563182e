import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';

const build = (args: string[]) => {
  const p = parseCommandLine(['--cert-dir=/tmp/x', ...args]);
  return buildServeOptions(p.values, p.given);
};

test("metrics-server's kubelet flags: defaults", () => {
  assert.deepEqual(build([]).kubelet, {
    enabled: true,
    preferredAddressTypes: ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'],
    port: 10250,
    useNodeStatusPort: false,
    insecureTLS: false,
    caFile: undefined,
    clientCertFile: undefined,
    clientKeyFile: undefined,
    requestTimeoutMs: 10_000,
    endpoint: 'summary',
    viaAPIServer: 'never',
    resolutionMs: 15_000,
  });
});

test('--kubelet-scraper=false turns the scraper off', () => {
  assert.equal(build(['--kubelet-scraper=false']).kubelet.enabled, false);
});

test("metrics-server's kubelet flags: values", () => {
  const k = build([
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    '--kubelet-port=10255',
    '--kubelet-use-node-status-port',
    '--kubelet-insecure-tls',
    '--kubelet-request-timeout=3s',
    '--kubelet-endpoint=resource',
    '--metric-resolution=30s',
    '--kubelet-via-apiserver=fallback',
  ]).kubelet;
  assert.equal(k.viaAPIServer, 'fallback');
  assert.equal(build(['--kubelet-via-apiserver=always']).kubelet.viaAPIServer, 'always');
  assert.deepEqual(k.preferredAddressTypes, ['InternalIP', 'Hostname']);
  assert.equal(k.port, 10255);
  assert.equal(k.useNodeStatusPort, true);
  assert.equal(k.insecureTLS, true);
  assert.equal(k.requestTimeoutMs, 3_000);
  assert.equal(k.endpoint, 'resource');
  assert.equal(k.resolutionMs, 30_000);
});

test('kubelet flag errors name the flag', () => {
  const cases: { args: string[]; flag: string }[] = [
    {
      args: ['--kubelet-preferred-address-types=InternalIP,Bogus'],
      flag: '--kubelet-preferred-address-types',
    },
    { args: ['--kubelet-port=0'], flag: '--kubelet-port' },
    { args: ['--kubelet-endpoint=cadvisor'], flag: '--kubelet-endpoint' },
    { args: ['--kubelet-via-apiserver=sometimes'], flag: '--kubelet-via-apiserver' },
    { args: ['--metric-resolution=500ms'], flag: '--metric-resolution' },
    { args: ['--kubelet-request-timeout=0s'], flag: '--kubelet-request-timeout' },
    { args: ['--kubelet-client-certificate=/etc/hostname'], flag: '--kubelet-client-key' },
    { args: ['--kubelet-certificate-authority=/no/such/file'], flag: '--kubelet-certificate-authority' },
    {
      args: ['--kubelet-certificate-authority=/etc/hostname', '--kubelet-insecure-tls'],
      flag: '--kubelet-insecure-tls',
    },
  ];
  for (const c of cases) {
    assert.throws(
      () => build(c.args),
      (e: unknown) => e instanceof FlagError && e.flag === c.flag,
      c.args.join(' '),
    );
  }
});

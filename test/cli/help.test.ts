/**
 * `--help` per command and in sections: check and explain list only their flags, the server's
 * help groups its flags and names the compatibility-only ones in one paragraph (`--help-all`
 * describes them), and no empty default is shown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpText } from '../../src/cli/help.js';
import { flagGroup, GROUP_TITLES } from '../../src/config/flag-groups.js';
import { FLAG_SPECS, type FlagSpec } from '../../src/config/flag-specs.js';

/** Flags given a description block (`      --name ...` at the start of a line). */
function described(help: string): string[] {
  return [...help.matchAll(/^ {6}--([a-z0-9-]+)/gm)].map((m) => m[1] ?? '');
}

const compat = FLAG_SPECS.filter((s) => flagGroup(s) === 'compatibility').map((s) => s.name);

describe('--help', () => {
  const server = helpText();

  it('lists the server flags in sections, in the documented order', () => {
    const titles = [
      'Prometheus:',
      'Rules:',
      'Cluster access:',
      'Serving and authentication:',
      "Kubelet scraper (metrics-server's flags):",
      'Limits:',
      'Logging:',
      'Accepted for prometheus-adapter compatibility (',
    ];
    const at = titles.map((t) => server.indexOf(`\n\n${t}`));
    assert.ok(!at.includes(-1), `a section is missing: ${titles.filter((_, i) => at[i] === -1).join(', ')}`);
    assert.deepEqual(
      [...at].sort((x, y) => x - y),
      at,
      'sections out of order',
    );
    assert.deepEqual(
      GROUP_TITLES.filter(([g]) => g !== 'tools' && g !== 'other').map(([, t]) => t),
      titles.map((t) => t.replace(/:$| \($/, '')),
    );
  });

  it('describes each server flag once and names the compatibility flags in one paragraph', () => {
    const names = described(server);
    assert.equal(new Set(names).size, names.length, 'a flag is described twice');
    for (const name of compat) assert.ok(!names.includes(name), `--${name} described`);
    assert.ok(compat.length > 40, 'the audit and klog flags are compatibility flags');
    const paragraph = /Accepted for prometheus-adapter compatibility[\s\S]*?\n\n/.exec(server)?.[0] ?? '';
    for (const name of compat) assert.match(paragraph, new RegExp(`--${name}\\b`), name);
    for (const name of ['secure-port', 'prometheus-url', 'config', 'kubelet-port', 'max-requests-inflight'])
      assert.ok(names.includes(name), `--${name} missing`);
    for (const name of ['strict', 'objects', 'format'])
      assert.ok(!names.includes(name), `--${name} is check/explain's`);
  });

  it('is much shorter than the flag table, and --help-all describes the compatibility flags', () => {
    // The compatibility flags are what made it long (263 flat lines): folded into one paragraph,
    // the help stays well under the full listing as flags are added.
    const lines = server.split('\n').length;
    const all = helpText(undefined, true);
    const allLines = all.split('\n').length;
    assert.ok(lines < allLines * 0.75 && lines < 260, `${lines} lines (--help-all: ${allLines})`);
    for (const name of compat) assert.ok(described(all).includes(name), `--${name} not described`);
    assert.match(all, /--audit-log-path string\n\s+Not supported \(a warning is logged when given\)/);
  });

  it('shows no empty default', () => {
    for (const text of [server, helpText(undefined, true), helpText('check'), helpText('explain')])
      assert.doesNotMatch(text, /\(default (""|\[\]|false)\)/);
    assert.match(server, /--prometheus-url string\n\s+.*\n?.*\(default\s+"http:\/\/localhost:9090"\)/);
    assert.match(
      server,
      /--client-ca-file string\n\s+CA bundle for client certificates: user = CN, groups = O\.\n/,
    );
  });

  it('check --help lists what check reads', () => {
    const names = described(helpText('check'));
    for (const name of ['config', 'prometheus-url', 'prometheus-header', 'kubeconfig', 'strict', 'format'])
      assert.ok(names.includes(name), `--${name} missing`);
    for (const name of ['secure-port', 'objects', 'kubelet-port', 'tls-cert-file', 'logtostderr'])
      assert.ok(!names.includes(name), `--${name} listed`);
    assert.match(helpText('check'), /^metrics-adapter check: /);
    assert.match(
      helpText('check'),
      /3 Prometheus \(or the cluster of\s*--kubeconfig, or the adapter of\s*--adapter-url\) unreachable/,
    );
  });

  it('explain --help lists what explain reads', () => {
    const names = described(helpText('explain'));
    for (const name of ['config', 'prometheus-url', 'kubeconfig', 'objects', 'format'])
      assert.ok(names.includes(name), `--${name} missing`);
    for (const name of ['secure-port', 'strict', 'kubelet-port'])
      assert.ok(!names.includes(name), `--${name} listed`);
    assert.match(helpText('explain'), /PATH is the request's API path/);
  });

  it('demo --help tells what the demo does and takes the server flags', () => {
    const demo = helpText('demo');
    assert.match(demo, /^metrics-adapter demo: /);
    assert.ok(described(demo).includes('secure-port'));
  });
});

describe('flag sections', () => {
  const spec = (name: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({
    name,
    kind: 'string',
    default: '',
    help: 'x',
    ...extra,
  });

  it('places a flag the map does not name by its prefix', () => {
    assert.equal(flagGroup(spec('kubelet-via-apiserver')), 'kubelet');
    assert.equal(flagGroup(spec('prometheus-new-thing')), 'prometheus');
    assert.equal(flagGroup(spec('audit-new-thing')), 'compatibility');
    assert.equal(flagGroup(spec('zz-unheard-of')), 'other');
  });

  it('lets the table decide: compatOnly and an explicit group win', () => {
    assert.equal(flagGroup(spec('kubelet-x', { compatOnly: true })), 'compatibility');
    assert.equal(flagGroup(spec('kubelet-x', { group: 'limits' })), 'limits');
  });

  it('puts no flag of the table in "Other"', () => {
    const other = FLAG_SPECS.filter((s) => flagGroup(s) === 'other').map((s) => s.name);
    assert.deepEqual(other, []);
  });
});

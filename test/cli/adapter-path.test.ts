/** Old prometheus-adapter manifests start with the binary's path as an argument; it is dropped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutAdapterPath } from '../../src/cli/index.js';

describe('the prometheus-adapter binary path as first argument', () => {
  const cases: [string[], string[]][] = [
    [['/adapter', '--secure-port=6443'], ['--secure-port=6443']],
    [['adapter', '--v=4'], ['--v=4']],
    [['/usr/local/bin/prometheus-adapter', '--config=/etc/a.yaml'], ['--config=/etc/a.yaml']],
    [['/k8s-prometheus-adapter'], []],
    [
      ['--secure-port=6443', '/adapter'],
      ['--secure-port=6443', '/adapter'],
    ],
    [
      ['serve', '--v=2'],
      ['serve', '--v=2'],
    ],
    [['/adapterx'], ['/adapterx']],
    [[], []],
  ];
  for (const [argv, want] of cases) {
    it(`${JSON.stringify(argv)} → ${JSON.stringify(want)}`, () => {
      assert.deepEqual(withoutAdapterPath(argv), want);
    });
  }
});

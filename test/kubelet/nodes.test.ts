import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseNodeAddress,
  kubeletTarget,
  nodeRecordFrom,
  NODE_ADDRESS_TYPES,
} from '../../src/kubelet/index.js';

const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'worker-1',
    labels: { 'kubernetes.io/os': 'linux' },
    creationTimestamp: '2024-06-01T08:00:00Z',
  },
  spec: { podCIDR: '10.244.1.0/24' },
  status: {
    addresses: [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'InternalIP', address: 'fd00::5' },
      { type: 'ExternalIP', address: '203.0.113.9' },
      { type: 'Hostname', address: 'worker-1' },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10255 } },
  },
};

test('nodeRecordFrom keeps what the scraper and the lead need', () => {
  assert.deepEqual(nodeRecordFrom(NODE), {
    name: 'worker-1',
    labels: { 'kubernetes.io/os': 'linux' },
    creationTimestamp: '2024-06-01T08:00:00Z',
    addresses: NODE.status.addresses,
    kubeletPort: 10255,
  });
  assert.equal(nodeRecordFrom({ metadata: {} }), undefined);
  assert.equal(
    nodeRecordFrom({ metadata: { name: 'x' }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 0 } } } })
      ?.kubeletPort,
    0,
  );
});

test('address selection follows --kubelet-preferred-address-types', () => {
  const node = nodeRecordFrom(NODE)!;
  const cases: { types: readonly string[]; want: string | undefined }[] = [
    { types: NODE_ADDRESS_TYPES, want: 'worker-1' },
    { types: ['InternalIP', 'Hostname'], want: '10.0.0.5' },
    { types: ['InternalDNS', 'ExternalIP'], want: '203.0.113.9' },
    { types: ['ExternalDNS'], want: undefined },
  ];
  for (const c of cases) assert.equal(chooseNodeAddress(node, c.types)?.address, c.want, c.types.join(','));
});

test('port: --kubelet-port unless the node status port is asked for and present; IPv6 in brackets', () => {
  const node = nodeRecordFrom(NODE)!;
  const v6 = { ...node, addresses: [{ type: 'InternalIP', address: 'fd00::5' }] };
  const noPort = { ...node, kubeletPort: 0 };
  const cases: { node: typeof node; useStatus: boolean; want: string }[] = [
    { node, useStatus: false, want: '10.0.0.5:10250' },
    { node, useStatus: true, want: '10.0.0.5:10255' },
    { node: noPort, useStatus: true, want: '10.0.0.5:10250' },
    { node: v6, useStatus: false, want: '[fd00::5]:10250' },
  ];
  for (const c of cases) {
    assert.equal(kubeletTarget(c.node, ['InternalIP'], 10250, c.useStatus)?.authority, c.want);
  }
  assert.equal(kubeletTarget(node, ['ExternalDNS'], 10250, false), undefined);
});

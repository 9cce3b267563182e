import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forbiddenMessage, resolveRequestInfo, type RequestInfo } from '../../src/apiserver/request-info.js';

function info(path: string): RequestInfo {
  const url = new URL(path, 'https://x');
  return resolveRequestInfo(
    url.pathname,
    url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
    url.searchParams,
  );
}

describe('resolveRequestInfo (generic apiserver RequestInfoFactory)', () => {
  const g = 'custom.metrics.k8s.io';
  const cases: { path: string; want: RequestInfo['attributes'] }[] = [
    { path: '/apis', want: { path: '/apis', verb: 'get' } },
    { path: `/apis/${g}/v1beta1`, want: { path: `/apis/${g}/v1beta1`, verb: 'get' } },
    { path: '/metrics', want: { path: '/metrics', verb: 'get' } },
    {
      path: `/apis/${g}/v1beta1/namespaces/default/pods/%2A/http_requests`,
      want: {
        namespace: 'default',
        verb: 'get',
        group: g,
        version: 'v1beta1',
        resource: 'pods',
        subresource: 'http_requests',
        name: '*',
      },
    },
    {
      path: `/apis/${g}/v1beta2/namespaces/default/deployments.apps/web/hits`,
      want: {
        namespace: 'default',
        verb: 'get',
        group: g,
        version: 'v1beta2',
        resource: 'deployments.apps',
        subresource: 'hits',
        name: 'web',
      },
    },
    {
      path: `/apis/${g}/v1beta1/namespaces/default/metrics/queue_length`,
      want: {
        namespace: 'default',
        verb: 'get',
        group: g,
        version: 'v1beta1',
        resource: 'metrics',
        subresource: '',
        name: 'queue_length',
      },
    },
    {
      path: `/apis/${g}/v1beta1/nodes/*/cpu_seconds`,
      want: {
        namespace: '',
        verb: 'get',
        group: g,
        version: 'v1beta1',
        resource: 'nodes',
        subresource: 'cpu_seconds',
        name: '*',
      },
    },
    {
      path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth',
      want: {
        namespace: 'default',
        verb: 'list',
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        resource: 'queue_depth',
        subresource: '',
        name: '',
      },
    },
    {
      path: '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/coredns-1',
      want: {
        namespace: 'kube-system',
        verb: 'get',
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        resource: 'pods',
        subresource: '',
        name: 'coredns-1',
      },
    },
    {
      path: '/apis/metrics.k8s.io/v1beta1/nodes',
      want: {
        namespace: '',
        verb: 'list',
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        resource: 'nodes',
        subresource: '',
        name: '',
      },
    },
  ];
  for (const c of cases) it(c.path, () => assert.deepEqual(info(c.path).attributes, c.want));
});

describe('forbiddenMessage', () => {
  it('reads like the apiserver', () => {
    assert.equal(
      forbiddenMessage('bob', info('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/hits'), ''),
      'pods.custom.metrics.k8s.io "*" is forbidden: User "bob" cannot get resource "pods/hits" in API group "custom.metrics.k8s.io" in the namespace "default"',
    );
    assert.equal(
      forbiddenMessage('bob', info('/metrics'), 'no RBAC policy matched'),
      'forbidden: User "bob" cannot get path "/metrics": no RBAC policy matched',
    );
  });
});

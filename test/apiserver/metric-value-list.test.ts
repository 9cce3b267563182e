import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMetricValueList } from '../../src/apiserver/custom-metrics-api.js';
import type { CustomMetricValue } from '../../src/providers/index.js';

const T = new Date('2024-05-29T08:38:20.900Z');

function value(over: Partial<CustomMetricValue> = {}): CustomMetricValue {
  return {
    describedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
    metric: 'http_requests_per_second',
    timestamp: T,
    windowSeconds: 60,
    value: 5.914,
    ...over,
  };
}

describe('encodeMetricValueList', () => {
  it('writes the v1beta1 shape', () => {
    assert.deepEqual(JSON.parse(encodeMetricValueList('v1beta1', [value()], null)), {
      kind: 'MetricValueList',
      apiVersion: 'custom.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          describedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
          metricName: 'http_requests_per_second',
          timestamp: '2024-05-29T08:38:20Z',
          window: 60,
          value: '5914m',
          selector: null,
        },
      ],
    });
  });

  it('writes the v1beta2 shape with a selector, and omits an unknown window', () => {
    const selector = { matchLabels: { verb: 'GET' } };
    const items = [
      value(),
      value({
        describedObject: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
        windowSeconds: undefined,
        value: 1_500_000,
      }),
      value({ describedObject: { kind: 'Namespace', name: 'default', apiVersion: 'v1' }, value: 50 }),
    ];
    assert.deepEqual(JSON.parse(encodeMetricValueList('v1beta2', items, selector)), {
      kind: 'MetricValueList',
      apiVersion: 'custom.metrics.k8s.io/v1beta2',
      metadata: {},
      items: [
        {
          describedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
          metric: { name: 'http_requests_per_second', selector },
          timestamp: '2024-05-29T08:38:20Z',
          windowSeconds: 60,
          value: '5914m',
        },
        {
          describedObject: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
          metric: { name: 'http_requests_per_second', selector },
          timestamp: '2024-05-29T08:38:20Z',
          value: '1500k',
        },
        {
          describedObject: { kind: 'Namespace', name: 'default', apiVersion: 'v1' },
          metric: { name: 'http_requests_per_second', selector },
          timestamp: '2024-05-29T08:38:20Z',
          windowSeconds: 60,
          value: '50',
        },
      ],
    });
  });

  it('escapes strings as JSON', () => {
    const odd = 'a"b\\c\u2028d';
    const parsed = JSON.parse(
      encodeMetricValueList(
        'v1beta1',
        [
          value({
            metric: odd,
            describedObject: { kind: 'Pod', namespace: odd, name: odd, apiVersion: 'v1' },
          }),
        ],
        null,
      ),
    ) as {
      items: { metricName: string; describedObject: { name: string; namespace: string } }[];
    };
    const [item] = parsed.items;
    assert.ok(item);
    assert.equal(item.metricName, odd);
    assert.equal(item.describedObject.name, odd);
    assert.equal(item.describedObject.namespace, odd);
  });

  it('writes an empty list', () => {
    assert.deepEqual(
      (JSON.parse(encodeMetricValueList('v1beta2', [], null)) as { items: unknown[] }).items,
      [],
    );
  });
});

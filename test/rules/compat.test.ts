import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { MetricCatalog, renderObjectQuery } from '../../src/rules/index.js';
import { compileYaml, mapper } from './fixtures.js';

const FIXTURE = new URL('./testdata/cadvisor-style.yaml', import.meta.url);

describe('a prometheus-adapter configuration loads unchanged', () => {
  it('compiles without errors or warnings', async () => {
    const { rules, diagnostics } = compileYaml(await readFile(FIXTURE, 'utf8'));
    assert.deepEqual(diagnostics, []);
    assert.ok(rules);
    assert.equal(rules.custom.length, 6);
    assert.equal(rules.external.length, 1);
    assert.ok(rules.resourceRules?.cpu?.containerQuery);
  });

  it('maps cAdvisor and application series to the names prometheus-adapter gives them', async () => {
    const { rules } = compileYaml(await readFile(FIXTURE, 'utf8'));
    assert.ok(rules);
    const container = ['container', 'namespace', 'pod', 'instance', 'id'];
    const app = ['namespace', 'pod', 'service', 'job', 'instance'];
    const shapes = [
      { name: 'container_cpu_usage_seconds_total', labels: container },
      { name: 'container_network_receive_bytes_total', labels: container },
      { name: 'container_memory_working_set_bytes', labels: container },
      { name: 'http_requests_total', labels: app },
      { name: 'request_duration_seconds_total', labels: app },
      { name: 'queue_length', labels: app },
    ];
    const catalog = new MetricCatalog();
    for (const rule of rules.custom) catalog.addShapes(rule, shapes, mapper);
    const got = new Set(
      catalog
        .customEntries()
        .map((e) => `${e.info.resource}${e.info.group ? `.${e.info.group}` : ''}/${e.metric}`),
    );
    for (const want of [
      'pods/cpu_usage',
      'pods/network_receive_bytes',
      'pods/memory_working_set_bytes',
      'namespaces/cpu_usage',
      'pods/http_requests',
      'services/http_requests',
      'jobs.batch/http_requests',
      'pods/request_duration',
      'pods/queue_length',
      'services/queue_length',
    ]) {
      assert.ok(got.has(want), `${want} in ${[...got].sort().join(', ')}`);
    }
    // Counters are not also served raw by the gauge rule, thanks to its isNot filter.
    assert.equal(got.has('pods/http_requests_total'), false);

    const cpu = catalog.findCustom('cpu_usage', '', 'pods', true);
    assert.ok(cpu);
    assert.equal(
      renderObjectQuery(cpu.rule, {
        seriesName: cpu.seriesName,
        resourceLabel: cpu.resourceLabel,
        names: ['a', 'b'],
        namespace: { label: 'namespace', value: 'prod' },
        metricSelector: [],
      }),
      'sum(rate(container_cpu_usage_seconds_total{namespace="prod",pod=~"a|b",container!="POD"}[5m])) by (pod)',
    );
  });

  it('also accepts the shipped rule sets', async () => {
    const { diagnostics } = compileYaml(
      await readFile(new URL('../../rules/demo.yaml', import.meta.url), 'utf8'),
    );
    assert.deepEqual(diagnostics, []);
  });
});

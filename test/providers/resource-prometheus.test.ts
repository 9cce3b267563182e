/**
 * Resource usage from Prometheus through resourceRules: the rendered queries (namespace and
 * escaped name matchers, GroupBy of the pod then container label, batching of long name lists),
 * and the mapping of the samples back to pods, containers and nodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/logging.js';
import type { Sample } from '../../src/prometheus/index.js';
import { PrometheusResourceSource, batchNames } from '../../src/providers/index.js';
import type { CompiledResourceRules } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { compileYaml, mapper } from '../rules/fixtures.js';
import { ADAPTER_RESOURCE_RULES } from './adapter-resource-rules.js';
import { matchersOf, RecordingPrometheus, regexMatches, sample } from './fakes.js';

export function compileResource(text: string): CompiledResourceRules {
  const { rules, diagnostics } = compileYaml(text);
  assert.ok(rules?.resource, diagnostics.join('\n'));
  return rules.resource;
}

interface Row {
  ns: string;
  pod: string;
  container: string;
  cpu: number;
  mem: number;
}

/** Answers container/node queries from a table, honouring the namespace and name matchers asked for. */
function tableAnswer(rows: Row[], nodes: { node: string; cpu: number; mem: number }[], at: Date) {
  return (promql: string): Sample[] => {
    const ms = matchersOf(promql);
    const ok = (label: string, value: string): boolean =>
      ms
        .filter((m) => m.name === label)
        .every((m) =>
          m.op === '='
            ? m.value === value
            : m.op === '=~'
              ? regexMatches(m.value, value)
              : m.op === '!='
                ? m.value !== value
                : !regexMatches(m.value, value),
        );
    const isCpu = promql.includes('cpu_usage');
    if (promql.includes('node_')) {
      return nodes
        .filter((n) => ok('node', n.node))
        .map((n) => sample({ node: n.node }, isCpu ? n.cpu : n.mem, at));
    }
    const groupsNs = /by \(pod,container,namespace\)/.test(promql);
    return rows
      .filter((r) => ok('namespace', r.ns) && ok('pod', r.pod))
      .map((r) =>
        sample(
          groupsNs
            ? { pod: r.pod, container: r.container, namespace: r.ns }
            : { pod: r.pod, container: r.container },
          isCpu ? r.cpu : r.mem,
          at,
        ),
      );
  };
}

function source(
  rules: CompiledResourceRules,
  prom: RecordingPrometheus,
  maxNamesLength?: number,
  maxQueryLength?: number,
) {
  const metrics = new SelfMetrics({ processMetrics: false });
  return {
    metrics,
    src: new PrometheusResourceSource({
      rules,
      mapper,
      prometheus: prom,
      logger: silentLogger(),
      metrics,
      maxNamesLength,
      maxQueryLength,
    }),
  };
}

const AT = new Date('2024-05-29T08:38:05Z');

describe('PrometheusResourceSource: queries', () => {
  const rules = compileResource(ADAPTER_RESOURCE_RULES);

  it('renders the containerQuery like prometheus-adapter: namespace and pod matchers, by (pod,container)', async () => {
    const prom = new RecordingPrometheus();
    const { src } = source(rules, prom);
    await src.podUsage({ namespace: 'shop', names: ['web-0', 'web-1'] });
    assert.deepEqual(
      prom.queries.map((q) => q.replace(/\s+/g, ' ').trim()),
      [
        'sum by (pod,container) ( irate ( container_cpu_usage_seconds_total{namespace="shop",pod=~"web-0|web-1",container!="",pod!=""}[4m] ) )',
        'sum by (pod,container) ( container_memory_working_set_bytes{namespace="shop",pod=~"web-0|web-1",container!="",pod!=""} )',
      ],
    );
  });

  it('uses an equality matcher for one pod, and the node label for nodes', async () => {
    const prom = new RecordingPrometheus();
    const { src } = source(rules, prom);
    await src.podUsage({ namespace: 'shop', names: ['web-0'] });
    await src.nodeUsage({ names: ['n1', 'n2'] });
    const flat = prom.queries.map((q) => q.replace(/\s+/g, ' ').trim());
    assert.ok(flat[0]?.includes('{namespace="shop",pod="web-0",container!=""'), flat[0]);
    assert.equal(flat[2], 'sum by (node) ( irate( node_cpu_usage_seconds_total{node=~"n1|n2"}[4m] ) )');
    assert.equal(flat[3], 'sum by (node) ( node_memory_working_set_bytes{node=~"n1|n2"} )');
  });

  it('regex-escapes names: the matcher parsed back matches exactly the names asked for', async () => {
    const prom = new RecordingPrometheus();
    const { src } = source(rules, prom);
    const names = ['a.b', 'web-0', 'x.y.z'];
    await src.podUsage({ namespace: 'shop', names });
    const pod = matchersOf(prom.queries[0] ?? '').find((m) => m.name === 'pod' && m.op === '=~');
    assert.ok(pod);
    for (const n of names) assert.ok(regexMatches(pod.value, n), n);
    for (const n of ['aXb', 'web-0|x', 'x.y', '']) assert.ok(!regexMatches(pod.value, n), n);
  });

  it('splits a long name list over several queries and merges the answers', async () => {
    const prom = new RecordingPrometheus();
    const rows: Row[] = [];
    for (let i = 0; i < 300; i++)
      rows.push({ ns: 'big', pod: `pod-${i}`, container: 'app', cpu: i / 1000, mem: i * 1024 });
    prom.answer = tableAnswer(rows, [], AT);
    const { src } = source(rules, prom, 200);
    const usage = await src.podUsage({ namespace: 'big', names: rows.map((r) => r.pod) });
    assert.ok(prom.queries.length >= 2 * 10, `${prom.queries.length} queries`);
    for (const q of prom.queries) {
      const pod = matchersOf(q).find((m) => m.name === 'pod' && m.op !== '!=');
      assert.ok(pod && pod.value.length <= 260, q.slice(0, 100));
    }
    assert.equal(usage.length, 300);
    const p7 = usage.find((u) => u.name === 'pod-7');
    assert.deepEqual(p7?.containers, [{ name: 'app', cpuNanoCores: 7_000_000, memoryBytes: 7 * 1024 }]);
  });

  it('batchNames keeps every name once and each batch under the cap', () => {
    const names = Array.from({ length: 50 }, (_, i) => `n${'x'.repeat(i % 7)}${i}`);
    const batches = batchNames(names, 40);
    assert.deepEqual(batches.flat(), names);
    for (const b of batches) assert.ok(b.length === 1 || b.join('|').length < 40);
    assert.deepEqual(batchNames(['a-very-long-name'], 3), [['a-very-long-name']]);
  });

  it('--max-query-length splits long pod lists; the merged usage equals the unsplit one', async () => {
    const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
      ns: 'shop',
      pod: `pod.${i}-${'z'.repeat(i % 9)}`,
      container: 'app',
      cpu: i / 100,
      mem: 1000 + i,
    }));
    const names = rows.map((r) => r.pod);
    const whole = new RecordingPrometheus();
    whole.answer = tableAnswer(rows, [], AT);
    const expected = await source(rules, whole).src.podUsage({ namespace: 'shop', names });
    assert.equal(whole.queries.length, 2, 'one cpu and one memory query');
    const split = new RecordingPrometheus();
    split.answer = tableAnswer(rows, [], AT);
    const { src, metrics } = source(rules, split, undefined, 400);
    const got = await src.podUsage({ namespace: 'shop', names });
    assert.ok(split.queries.length > 4, `${split.queries.length} queries`);
    for (const q of split.queries) assert.ok(q.length <= 400, `a ${q.length}-character query`);
    assert.equal(got.length, 60);
    assert.deepEqual(got, expected);
    const counted = (await metrics.splitQueries.get()).values.find((v) => v.labels.api === 'resource');
    assert.equal(counted?.value, 2);
  });

  it('without a namespace, groups by the namespace label too and keeps pods of namespaces apart', async () => {
    const prom = new RecordingPrometheus();
    prom.answer = tableAnswer(
      [
        { ns: 'a', pod: 'web', container: 'app', cpu: 0.1, mem: 1024 },
        { ns: 'b', pod: 'web', container: 'app', cpu: 0.2, mem: 2048 },
      ],
      [],
      AT,
    );
    const { src } = source(rules, prom);
    const usage = await src.podUsage({ namespace: undefined });
    assert.ok(prom.queries[0]?.includes('by (pod,container,namespace)'));
    assert.ok(prom.queries[0]?.includes('{pod!="",container!=""'), prom.queries[0]);
    assert.deepEqual(usage.map((u) => `${u.namespace}/${u.name}:${u.containers[0]?.memoryBytes}`).sort(), [
      'a/web:1024',
      'b/web:2048',
    ]);
  });
});

describe('PrometheusResourceSource: answers', () => {
  const rules = compileResource(ADAPTER_RESOURCE_RULES);

  it('maps samples to containers: nanocores, bytes, the window of the rule, the sample time', async () => {
    const prom = new RecordingPrometheus();
    prom.answer = tableAnswer(
      [
        { ns: 'shop', pod: 'web-0', container: 'app', cpu: 0.0018732, mem: 25_280_512 },
        { ns: 'shop', pod: 'web-0', container: 'sidecar', cpu: 1.6, mem: 9 * 1024 ** 3 },
      ],
      [{ node: 'n1', cpu: 2, mem: 1500 }],
      AT,
    );
    const { src } = source(rules, prom);
    assert.deepEqual(await src.podUsage({ namespace: 'shop', names: ['web-0'] }), [
      {
        namespace: 'shop',
        name: 'web-0',
        timestamp: AT,
        windowMs: 300_000,
        containers: [
          { name: 'app', cpuNanoCores: 1_873_200, memoryBytes: 25_280_512 },
          { name: 'sidecar', cpuNanoCores: 1_600_000_000, memoryBytes: 9 * 1024 ** 3 },
        ],
      },
    ]);
    assert.deepEqual(await src.nodeUsage({ names: ['n1'] }), [
      { name: 'n1', timestamp: AT, windowMs: 300_000, cpuNanoCores: 2_000_000_000, memoryBytes: 1500 },
    ]);
  });

  it('reports the earliest sample time of a pod', async () => {
    const prom = new RecordingPrometheus();
    const early = new Date('2024-05-29T08:00:00Z');
    prom.answer = (q) =>
      q.includes('cpu')
        ? [sample({ pod: 'p', container: 'c' }, 1, AT)]
        : [sample({ pod: 'p', container: 'c' }, 1024, early)];
    const { src } = source(rules, prom);
    const [u] = await src.podUsage({ namespace: 'ns', names: ['p'] });
    assert.deepEqual(u?.timestamp, early);
  });

  it('leaves out a pod whose containers lack CPU or memory, or have non-finite values (counted)', async () => {
    const prom = new RecordingPrometheus();
    prom.answer = (q) =>
      q.includes('cpu')
        ? [
            sample({ pod: 'ok', container: 'c' }, 0.5),
            sample({ pod: 'half', container: 'a' }, 0.5),
            sample({ pod: 'half', container: 'b' }, 0.5),
            sample({ pod: 'nan', container: 'c' }, Number.NaN),
            sample({ pod: 'inf', container: 'c' }, Number.POSITIVE_INFINITY),
            sample({ pod: 'neg', container: 'c' }, -0.25),
            sample({ pod: 'nolabel' }, 1),
            sample({ pod: 'other', container: 'c' }, 1),
          ]
        : [
            sample({ pod: 'ok', container: 'c' }, 100),
            sample({ pod: 'half', container: 'a' }, 100),
            sample({ pod: 'nan', container: 'c' }, 100),
            sample({ pod: 'inf', container: 'c' }, 100),
            sample({ pod: 'neg', container: 'c' }, 100),
            sample({ pod: 'nolabel' }, 1),
            sample({ pod: 'other', container: 'c' }, 1),
          ];
    const { src, metrics } = source(rules, prom);
    const usage = await src.podUsage({
      namespace: 'ns',
      names: ['ok', 'half', 'nan', 'inf', 'neg', 'nolabel'],
    });
    assert.deepEqual(usage.map((u) => u.name).sort(), ['neg', 'ok']);
    // prometheus-adapter turns negative rates (counter resets) into 0.
    assert.equal(usage.find((u) => u.name === 'neg')?.containers[0]?.cpuNanoCores, 0);
    assert.equal((await metrics.nonFiniteValues.get()).values[0]?.value, 2);
  });

  it('Prometheus down: throws (503) so that the next source is asked', async () => {
    const prom = new RecordingPrometheus();
    prom.down = true;
    const { src } = source(rules, prom);
    await assert.rejects(
      src.podUsage({ namespace: 'ns', names: ['p'] }),
      (err: Error & { code?: number }) => err.code === 503,
    );
    await assert.rejects(
      src.nodeUsage({ names: ['n'] }),
      (err: Error & { code?: number }) => err.code === 503,
    );
  });

  it('asks nothing for an empty name list', async () => {
    const prom = new RecordingPrometheus();
    const { src } = source(rules, prom);
    assert.deepEqual(await src.podUsage({ namespace: 'ns', names: [] }), []);
    assert.deepEqual(await src.nodeUsage({ names: [] }), []);
    assert.deepEqual(prom.queries, []);
  });

  it('without resourceRules.window reports the range of the CPU query (prometheus-adapter would say 0s)', async () => {
    const noWindow = compileResource(ADAPTER_RESOURCE_RULES.replace('  window: 5m\n', ''));
    assert.equal(noWindow.windowMs, undefined);
    const prom = new RecordingPrometheus();
    prom.answer = tableAnswer(
      [{ ns: 'ns', pod: 'p', container: 'c', cpu: 1, mem: 1 }],
      [{ node: 'n', cpu: 1, mem: 1 }],
      AT,
    );
    const { src } = source(noWindow, prom);
    assert.equal((await src.podUsage({ namespace: 'ns', names: ['p'] }))[0]?.windowMs, 240_000);
    assert.equal((await src.nodeUsage({ names: ['n'] }))[0]?.windowMs, 240_000);
  });

  it('honours custom labels: overrides naming other labels and a containerLabel other than container', async () => {
    const custom = compileResource(`
resourceRules:
  cpu:
    containerLabel: container_name
    containerQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)
    nodeQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>, id='/'}[3m])) by (<<.GroupBy>>)
    resources:
      overrides:
        kubernetes_node: {resource: node}
        kubernetes_namespace: {resource: namespace}
        pod_name: {resource: pod}
  memory:
    containerLabel: container_name
    containerQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>}) by (<<.GroupBy>>)
    nodeQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>,id='/'}) by (<<.GroupBy>>)
    resources:
      overrides:
        kubernetes_node: {resource: node}
        kubernetes_namespace: {resource: namespace}
        pod_name: {resource: pod}
  window: 3m
`);
    const prom = new RecordingPrometheus();
    prom.answer = (q) =>
      q.includes('id=')
        ? [sample({ kubernetes_node: 'n1' }, 1)]
        : [sample({ pod_name: 'p', container_name: 'c' }, 2)];
    const { src } = source(custom, prom);
    const [pod] = await src.podUsage({ namespace: 'ns', names: ['p'] });
    assert.equal(
      prom.queries[0],
      'sum(rate(container_cpu_usage_seconds_total{kubernetes_namespace="ns",pod_name="p"}[3m])) by (pod_name,container_name)',
    );
    assert.deepEqual(pod?.containers, [{ name: 'c', cpuNanoCores: 2e9, memoryBytes: 2 }]);
    assert.equal(pod.windowMs, 180_000);
    const [node] = await src.nodeUsage({ names: ['n1'] });
    assert.equal(node?.name, 'n1');
  });

  it('follows a rules getter: no resourceRules → no pods or nodes, no queries', async () => {
    const state: { current?: CompiledResourceRules } = {};
    const prom = new RecordingPrometheus();
    prom.answer = tableAnswer([{ ns: 'ns', pod: 'p', container: 'c', cpu: 1, mem: 1 }], [], AT);
    const src = new PrometheusResourceSource({
      rules: () => state.current,
      mapper,
      prometheus: prom,
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
    });
    assert.deepEqual(await src.podUsage({ namespace: 'ns', names: ['p'] }), []);
    assert.deepEqual(await src.nodeUsage({}), []);
    assert.deepEqual(prom.queries, []);
    state.current = rules;
    assert.equal((await src.podUsage({ namespace: 'ns', names: ['p'] })).length, 1);
  });
});

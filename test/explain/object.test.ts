/**
 * The sentences of `explain pod|node`, one case per cause: the object, the sources in the resource
 * provider's order (the answering one first), the kubelet scraper's node state and points, and the
 * resourceRules queries. The inputs are plain fakes of each dependency, so every line is checked
 * word for word; test/cli/explain-object.test.ts runs the same causes end to end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  explainNode,
  explainPod,
  renderResourceExplanationText,
  type KubeletDiagnostics,
  type NodeScrapeState,
  type ResourceExplainDeps,
} from '../../src/explain/index.js';
import {
  StaticClusterObjects,
  type DescribedUsageQuery,
  type PodRecord,
  type ResourceUsageSource,
} from '../../src/providers/index.js';

const T = Date.parse('2026-12-06T01:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function pod(over: Partial<PodRecord> = {}): PodRecord {
  return {
    name: 'web-0',
    namespace: 'shop',
    labels: {},
    creationTimestamp: undefined,
    phase: 'Running',
    nodeName: 'node-a',
    containers: ['app', 'proxy'],
    ...over,
  };
}

const OK: NodeScrapeState = {
  status: 'ok',
  message: undefined,
  address: '10.0.0.1:10250',
  failingSince: undefined,
  lastSuccess: T - 5_000,
  nextScrapeAt: T + 10_000,
  hint: undefined,
};

interface Setup {
  pods?: PodRecord[];
  /** Sources: "kubelet" answers from `kubeletUsage`, "prometheus" from `promUsage`, "broken" throws. */
  sources?: ('kubelet' | 'prometheus' | 'broken')[];
  kubeletUsage?: boolean;
  promUsage?: boolean;
  scraper?: false;
  node?: NodeScrapeState | undefined;
  stored?: ReturnType<KubeletDiagnostics['diagnosePod']>;
  nodePoints?: { scraped: boolean; points: 0 | 1 | 2 };
  /** undefined: no resourceRules. */
  queries?: DescribedUsageQuery[] | undefined;
}

const NO_SAMPLE: DescribedUsageQuery[] = [
  { path: 'resourceRules.cpu.containerQuery', promql: 'cpu{pod="web-0"}', samples: 0 },
  { path: 'resourceRules.memory.containerQuery', promql: 'mem{pod="web-0"}', samples: 0 },
];

function deps(s: Setup): ResourceExplainDeps {
  const usage = {
    namespace: 'shop',
    name: 'web-0',
    timestamp: new Date(T),
    windowMs: 15_000,
    containers: [
      { name: 'app', cpuNanoCores: 1, memoryBytes: 1 },
      { name: 'proxy', cpuNanoCores: 1, memoryBytes: 1 },
    ],
  };
  const nodeUsage = {
    name: 'node-a',
    timestamp: new Date(T),
    windowMs: 10_500,
    cpuNanoCores: 1,
    memoryBytes: 1,
  };
  const source = (name: 'kubelet' | 'prometheus' | 'broken'): ResourceUsageSource => {
    const has = name === 'kubelet' ? s.kubeletUsage === true : name === 'prometheus' && s.promUsage === true;
    const failure = (): Promise<never> =>
      Promise.reject(new Error('Prometheus is unreachable: connect ECONNREFUSED'));
    return {
      name,
      podUsage: () => (name === 'broken' ? failure() : Promise.resolve(has ? [usage] : [])),
      nodeUsage: () => (name === 'broken' ? failure() : Promise.resolve(has ? [nodeUsage] : [])),
    };
  };
  return {
    objects: new StaticClusterObjects(s.pods ?? [pod()], [
      { name: 'node-a', labels: {}, creationTimestamp: undefined },
    ]),
    sources: (s.sources ?? ['prometheus', 'kubelet']).map(source),
    kubelet:
      s.scraper === false
        ? undefined
        : {
            diagnoseNode: (name) => (name === 'node-a' ? ('node' in s ? s.node : OK) : undefined),
            diagnosePod: () => s.stored,
            nodePoints: () => s.nodePoints ?? { scraped: true, points: 2 },
            endpointName: 'Summary API',
          },
    prometheus: { describe: () => Promise.resolve('queries' in s ? s.queries : NO_SAMPLE) },
  };
}

const BOTH_POINTS = {
  node: 'node-a',
  complete: true,
  containers: [
    { name: 'app', points: 2 as const },
    { name: 'proxy', points: 2 as const },
  ],
};

const NO_SAMPLE_LINES = [
  'Prometheus resourceRules.cpu.containerQuery returned no sample for pod shop/web-0; PromQL: cpu{pod="web-0"}',
  'Prometheus resourceRules.memory.containerQuery returned no sample for pod shop/web-0; PromQL: mem{pod="web-0"}',
];

const podCases: { name: string; setup: Setup; lines: string[]; answered?: string }[] = [
  {
    name: 'answered by the kubelet scraper; Prometheus, asked first, had no sample',
    setup: { kubeletUsage: true, stored: BOTH_POINTS },
    answered: 'kubelet',
    lines: [`answered by kubelet (window 15s, at ${iso(T)})`, ...NO_SAMPLE_LINES],
  },
  {
    name: 'answered by Prometheus: nothing else to say',
    setup: { promUsage: true, kubeletUsage: true },
    answered: 'prometheus',
    lines: [`answered by prometheus (window 15s, at ${iso(T)})`],
  },
  {
    name: 'answered from points kept while the scrape fails',
    setup: {
      kubeletUsage: true,
      queries: undefined,
      node: { ...OK, status: 'timeout', message: 'no answer', failingSince: T - 60_000, hint: 'overloaded' },
    },
    answered: 'kubelet',
    lines: [
      `answered by kubelet (window 15s, at ${iso(T)})`,
      `the scrape of node node-a's kubelet at 10.0.0.1:10250 fails since ${iso(T - 60_000)} with timeout: no answer; last success: ${iso(T - 5_000)}; overloaded`,
    ],
  },
  {
    name: 'not found',
    setup: { pods: [] },
    lines: ['pod shop/web-0 is not found in the cluster'],
  },
  {
    name: 'not Running, and not scheduled',
    setup: { pods: [pod({ phase: 'Pending', nodeName: '' })], queries: undefined },
    lines: [
      'pod shop/web-0 is Pending, not Running: metrics.k8s.io reports only Running pods (as metrics-server does)',
      'pod shop/web-0 is not scheduled yet (no node), so no kubelet reports it',
      'Prometheus is not asked: the rules file has no resourceRules',
    ],
  },
  {
    name: 'no phase yet: not counted even when every source has data',
    setup: { pods: [pod({ phase: '' })], kubeletUsage: true, stored: BOTH_POINTS, queries: [] },
    lines: [
      'pod shop/web-0 is in no phase yet, not Running: metrics.k8s.io reports only Running pods (as metrics-server does)',
    ],
  },
  {
    name: 'node scrape failing, never a success',
    setup: {
      node: {
        ...OK,
        status: 'unknown_authority',
        message: 'x509: certificate signed by unknown authority',
        failingSince: T - 30_000,
        lastSuccess: undefined,
        hint: 'give --kubelet-certificate-authority, or --kubelet-insecure-tls',
      },
    },
    lines: [
      `the scrape of node node-a's kubelet at 10.0.0.1:10250 fails since ${iso(T - 30_000)} with unknown_authority: x509: certificate signed by unknown authority; last success: never; give --kubelet-certificate-authority, or --kubelet-insecure-tls`,
      ...NO_SAMPLE_LINES,
    ],
  },
  {
    name: 'node not scraped yet',
    setup: { node: { ...OK, status: 'never', lastSuccess: undefined } },
    lines: [
      `the kubelet of node node-a has not been scraped yet (next scrape due at ${iso(T + 10_000)})`,
      ...NO_SAMPLE_LINES,
    ],
  },
  {
    name: 'node unknown to the scraper',
    setup: { pods: [pod({ nodeName: 'node-gone' })], queries: [] },
    lines: [
      "node node-gone is not in the kubelet scraper's node list (deleted, or the node watch is not synced yet)",
    ],
  },
  {
    name: 'pod missing from the node’s answer',
    setup: { stored: undefined, queries: [] },
    lines: ["pod shop/web-0 is missing from the last Summary API answer of node node-a's kubelet"],
  },
  {
    name: 'pod in the answer without CPU or memory for a container',
    setup: { stored: { node: 'node-a', complete: false, containers: [] }, queries: [] },
    lines: [
      "node node-a's last answer has pod shop/web-0 without CPU or memory for some container, so it is left out until one has both",
    ],
  },
  {
    name: 'containers missing, and one point so far for another',
    setup: {
      pods: [pod({ containers: ['app', 'proxy', 'init-like', 'sidecar'] })],
      stored: {
        node: 'node-a',
        complete: true,
        containers: [
          { name: 'app', points: 1 },
          { name: 'proxy', points: 2 },
        ],
      },
      queries: [],
    },
    lines: [
      "containers init-like, sidecar of pod shop/web-0 are missing from the last Summary API answer of node node-a's kubelet",
      `one point so far for container app of pod shop/web-0: a CPU rate needs two (next scrape due at ${iso(T + 10_000)})`,
    ],
  },
  {
    name: 'kubelet scraper off and no resourceRules',
    setup: { scraper: false, queries: undefined },
    lines: [
      'the kubelet scraper is off (--kubelet-scraper=false)',
      'Prometheus is not asked: the rules file has no resourceRules',
    ],
  },
  {
    name: 'a source that fails, a query that fails, a query with samples',
    setup: {
      sources: ['broken', 'kubelet'],
      stored: BOTH_POINTS,
      queries: [
        {
          path: 'resourceRules.cpu.containerQuery',
          promql: 'cpu{}',
          samples: 0,
          error: 'bad_data: parse error',
        },
        { path: 'resourceRules.memory.containerQuery', promql: 'mem{}', samples: 2 },
      ],
    },
    lines: [
      'the broken source failed, so the next one is asked: Prometheus is unreachable: connect ECONNREFUSED',
      'Prometheus resourceRules.cpu.containerQuery failed for pod shop/web-0: bad_data: parse error; PromQL: cpu{}',
    ],
  },
  {
    name: 'both queries have samples and still no answer',
    setup: {
      stored: BOTH_POINTS,
      queries: NO_SAMPLE.map((q) => ({ ...q, samples: 1 })),
    },
    lines: [
      'Prometheus resourceRules returned samples for pod shop/web-0, but not finite CPU and memory for every container its spec names',
    ],
  },
];

describe('explain pod: one sentence per cause', () => {
  for (const c of podCases) {
    it(c.name, async () => {
      const e = await explainPod(deps(c.setup), 'shop', 'web-0');
      assert.deepEqual(
        e.lines.map((l) => l.text),
        c.lines,
      );
      assert.equal(e.answeredBy?.source, c.answered);
      const text = renderResourceExplanationText(e);
      for (const l of c.lines) assert.ok(text.includes(l), text);
    });
  }

  it('text: a header saying whether a source answers, then the lines', async () => {
    const e = await explainPod(deps({ stored: undefined, queries: [] }), 'shop', 'web-0');
    assert.equal(
      renderResourceExplanationText(e),
      "pod shop/web-0: not answered by any source\n  pod shop/web-0 is missing from the last Summary API answer of node node-a's kubelet\n",
    );
    const gone = await explainPod(deps({ pods: [] }), 'shop', 'web-0');
    assert.equal(renderResourceExplanationText(gone), 'pod shop/web-0 is not found in the cluster\n');
  });
});

describe('explain node', () => {
  const cases: { name: string; setup: Setup; lines: string[] }[] = [
    {
      name: 'answered',
      setup: { kubeletUsage: true, queries: [] },
      lines: [`answered by kubelet (window 10.5s, at ${iso(T)})`],
    },
    {
      name: 'its own figures missing from the answer',
      setup: { nodePoints: { scraped: true, points: 0 }, queries: [] },
      lines: [
        "node node-a's own CPU or memory figures are missing from the last Summary API answer of its kubelet",
      ],
    },
    {
      name: 'one point so far',
      setup: {
        nodePoints: { scraped: true, points: 1 },
        queries: [{ path: 'resourceRules.cpu.nodeQuery', promql: 'cpu{node="node-a"}', samples: 0 }],
      },
      lines: [
        `one point so far for node node-a: a CPU rate needs two (next scrape due at ${iso(T + 10_000)})`,
        'Prometheus resourceRules.cpu.nodeQuery returned no sample for node node-a; PromQL: cpu{node="node-a"}',
      ],
    },
    {
      name: 'queries with samples and no answer',
      setup: { queries: [{ path: 'resourceRules.cpu.nodeQuery', promql: 'x', samples: 1 }] },
      lines: ['Prometheus resourceRules returned samples for node node-a, but not finite CPU and memory'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const e = await explainNode(deps(c.setup), 'node-a');
      assert.deepEqual(
        e.lines.map((l) => l.text),
        c.lines,
      );
    });
  }

  it('not found', async () => {
    const e = await explainNode(deps({}), 'node-z');
    assert.deepEqual(
      e.lines.map((l) => [l.cause, l.text]),
      [['node_not_found', 'node node-z is not found in the cluster']],
    );
  });
});

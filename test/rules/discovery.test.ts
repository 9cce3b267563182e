import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/logging.js';
import type { CallOptions, PrometheusClient, Sample } from '../../src/prometheus/index.js';
import { MetricDiscovery } from '../../src/rules/index.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { UnavailableError } from '../../src/errors.js';
import { compileYaml, mapper } from './fixtures.js';

/** A Prometheus stand-in for the engine's own logic: series by exact __name__ matcher or the seriesQuery. */
class ScriptedPrometheus {
  series: Record<string, string>[] = [];
  down = false;
  calls: string[] = [];

  query(): Promise<Sample[]> {
    return Promise.resolve([]);
  }

  private check(kind: string, selectors: readonly string[]): void {
    this.calls.push(`${kind} ${selectors.join(' ')}`);
    if (this.down) throw new UnavailableError('unable to reach Prometheus: connection refused');
  }

  /** Understands the name part of the selectors used here: `name{`, `__name__="x"`, `__name__=~"^prefix.*"`. */
  private select(selectors: readonly string[]): Record<string, string>[] {
    const matches = (sel: string, name: string): boolean => {
      const exact = /__name__="([^"]+)"/.exec(sel) ?? /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(sel);
      if (exact !== null) return name === exact[1];
      const prefix = /__name__=~"\^([a-z_]+)\.\*"/.exec(sel);
      return prefix !== null && name.startsWith(prefix[1] ?? '');
    };
    return this.series.filter((s) => selectors.some((sel) => matches(sel, s.__name__ ?? '')));
  }

  async series_(selectors: readonly string[]): Promise<Record<string, string>[]> {
    await Promise.resolve();
    this.check('series', selectors);
    return this.select(selectors);
  }

  async labelValues(
    _label: string,
    selectors: readonly string[],
    _s: Date,
    _e: Date,
    _o?: CallOptions,
  ): Promise<string[]> {
    await Promise.resolve();
    this.check('label_values', selectors);
    return [...new Set(this.series.map((s) => s.__name__ ?? ''))].sort();
  }
}

function client(p: ScriptedPrometheus): PrometheusClient {
  return {
    query: () => p.query(),
    series: (selectors) => p.series_(selectors),
    labelValues: (label, selectors, s, e) => p.labelValues(label, selectors, s, e),
  };
}

const RULES = compileYaml(
  [
    'rules:',
    '- seriesQuery: \'{__name__=~"^http_.*",namespace!="",pod!=""}\'',
    '  resources: {template: "<<.Resource>>"}',
    '  name: {matches: "^(.*)_total$", as: "${1}_per_second"}',
    "  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'",
    'externalRules:',
    '- seriesQuery: \'queue_depth{queue!=""}\'',
    "  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'",
    '',
  ].join('\n'),
).rules;

/** Turns of the event loop until `cond` holds (setRules awaits before it starts the relist). */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition not reached');
}

function discovery(p: ScriptedPrometheus): MetricDiscovery {
  return new MetricDiscovery({
    prometheus: client(p),
    mapper,
    logger: silentLogger(),
    metrics: new SelfMetrics({ processMetrics: false }),
    relistIntervalMs: 60_000,
    maxAgeMs: 60_000,
    negativeCacheTtlMs: 60_000,
  });
}

const HTTP = {
  __name__: 'http_requests_total',
  namespace: 'default',
  pod: 'web-1',
  service: 'web',
  instance: 'x:1',
};

describe('MetricDiscovery', () => {
  assert.ok(RULES);
  const rules = RULES;

  it('builds the catalog from the series: resources, namespaced flag, names', async () => {
    const p = new ScriptedPrometheus();
    p.series = [
      HTTP,
      { __name__: 'http_errors_total', pod: 'web-1', namespace: 'default' },
      { __name__: 'queue_depth', queue: 'orders' },
    ];
    const d = discovery(p);
    await d.setRules(rules);
    const keys = d.catalog
      .customEntries()
      .map((e) => `${e.info.resource}/${e.metric}:${e.namespaced ? 'ns' : 'cluster'}:${e.resourceLabel}`)
      .sort();
    assert.deepEqual(keys, [
      'namespaces/http_errors_per_second:cluster:namespace',
      'namespaces/http_requests_per_second:cluster:namespace',
      'pods/http_errors_per_second:ns:pod',
      'pods/http_requests_per_second:ns:pod',
      'services/http_requests_per_second:ns:service',
    ]);
    assert.deepEqual(
      d.catalog.externalEntries().map((e) => e.metric),
      ['queue_depth'],
    );
    assert.equal(d.ready, true);
  });

  it('is ready once the first discovery has finished, even if every seriesQuery failed; reports its progress until then', async () => {
    const p = new ScriptedPrometheus();
    p.down = true;
    // Each series call waits until the test lets it go on (and fail).
    const held: (() => void)[] = [];
    const heldClient: PrometheusClient = {
      ...client(p),
      series: async (selectors) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return p.series_(selectors);
      },
    };
    const d = new MetricDiscovery({
      prometheus: heldClient,
      mapper,
      logger: silentLogger(),
      metrics: new SelfMetrics({ processMetrics: false }),
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
    });
    assert.equal(d.ready, false);
    assert.equal(d.firstRelistProgress, undefined, 'not started');
    const first = d.setRules(rules);
    await waitFor(() => held.length === 2);
    assert.deepEqual(d.firstRelistProgress, { queries: 2, finished: 0 });
    held[0]?.();
    await waitFor(() => d.firstRelistProgress?.finished === 1);
    assert.equal(d.ready, false);
    held[1]?.();
    await first;
    assert.equal(d.ready, true);
    assert.equal(d.firstRelistProgress, undefined);
    assert.equal(d.catalog.customCount + d.catalog.externalCount, 0);
    // What the start-up warning tells apart: Prometheus not answering, not the rules yielding nothing.
    assert.deepEqual(d.lastRelist, {
      queries: 2,
      failures: 2,
      error: 'unable to reach Prometheus: connection refused',
    });
    p.down = false;
    const again = d.relist();
    await waitFor(() => held.length === 4);
    for (const release of held.slice(2)) release();
    await again;
    assert.deepEqual(d.lastRelist, { queries: 2, failures: 0, error: undefined });
  });

  it('keeps the last good answer of a failing seriesQuery', async () => {
    const p = new ScriptedPrometheus();
    p.series = [HTTP];
    const d = discovery(p);
    await d.setRules(rules);
    p.down = true;
    await d.relist();
    assert.ok(d.catalog.findCustom('http_requests_per_second', '', 'pods', true));
    p.down = false;
    p.series = [];
    await d.relist();
    assert.equal(d.catalog.findCustom('http_requests_per_second', '', 'pods', true), undefined);
  });

  it('finds a new metric on demand, once, and remembers misses', async () => {
    const p = new ScriptedPrometheus();
    const d = discovery(p);
    await d.setRules(rules);
    p.series = [HTTP];
    p.calls = [];
    const lookups = await Promise.all(
      [1, 2, 3].map(() =>
        d.findCustom({ metric: 'http_requests_per_second', group: '', resource: 'pods', namespaced: true }),
      ),
    );
    assert.ok(lookups.every((e) => e?.seriesName === 'http_requests_total'));
    // One names lookup and one targeted series call, shared by the three requests.
    assert.deepEqual(p.calls, [
      'label_values {__name__=~"^http_.*",namespace!="",pod!=""}',
      'series {__name__="http_requests_total",__name__=~"^http_.*",namespace!="",pod!=""}',
    ]);
    assert.equal(
      await d.findCustom({ metric: 'nope', group: '', resource: 'pods', namespaced: true }),
      undefined,
    );
    p.calls = [];
    assert.equal(
      await d.findCustom({ metric: 'nope', group: '', resource: 'pods', namespaced: true }),
      undefined,
    );
    assert.deepEqual(p.calls, [], 'a miss is remembered: no second lookup');
  });

  it('reports Prometheus being down during an on-demand lookup as an error, not as not-found', async () => {
    const p = new ScriptedPrometheus();
    const d = discovery(p);
    await d.setRules(rules);
    p.down = true;
    await assert.rejects(
      d.findCustom({ metric: 'x', group: '', resource: 'pods', namespaced: true }),
      UnavailableError,
    );
  });

  it('swaps rules only with a catalog built from them', async () => {
    const p = new ScriptedPrometheus();
    p.series = [HTTP];
    const d = discovery(p);
    await d.setRules(rules);
    const before = d.catalogVersion;
    const next = compileYaml(
      'rules:\n- seriesQuery: \'{__name__=~"^http_.*"}\'\n  resources: {template: "<<.Resource>>"}\n  metricsQuery: \'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)\'\n',
    ).rules;
    assert.ok(next);
    await d.setRules(next);
    assert.ok(d.catalogVersion > before);
    assert.ok(d.catalog.findCustom('http_requests_total', '', 'pods', true));
    assert.equal(d.catalog.findCustom('http_requests_per_second', '', 'pods', true), undefined);
  });
});

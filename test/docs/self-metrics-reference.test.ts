/**
 * docs/observability.md has a row for every metric the adapter declares (src/self-metrics.ts),
 * with its type and labels, and no row for a metric that does not exist.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SelfMetrics } from '../../src/self-metrics.js';

interface Row {
  type: string;
  labels: string[];
}

/** The rows of the table whose first cell is a `metrics_adapter_*` name. */
function documentedRows(markdown: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const m of markdown.matchAll(/^\|\s*`(metrics_adapter_[a-z0-9_]+)`\s*\|([^|]*)\|([^|]*)\|/gm)) {
    const labels = [...(m[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((l) => l[1] ?? '');
    rows.set(m[1] ?? '', { type: (m[2] ?? '').trim(), labels });
  }
  return rows;
}

/** What the code declares: name, type (counter, gauge, histogram), label names. */
function declared(): Map<string, Row> {
  const metrics = new SelfMetrics({ processMetrics: false });
  const out = new Map<string, Row>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const m = metric as unknown as { name: string; labelNames?: string[]; constructor: { name: string } };
    out.set(m.name, { type: m.constructor.name.toLowerCase(), labels: [...(m.labelNames ?? [])] });
  }
  return out;
}

describe('docs/observability.md: the self-metrics reference', () => {
  const doc = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8');
  const rows = documentedRows(doc);
  const code = declared();

  it('reads the declared metrics', () => {
    assert.ok(code.size >= 30, `${code.size} metrics`);
    assert.deepEqual(code.get('metrics_adapter_requests_total'), {
      type: 'counter',
      labels: ['route', 'code'],
    });
  });

  it('has a row for every declared metric, with its type and labels', () => {
    const missing = [...code.keys()].filter((n) => !rows.has(n));
    assert.deepEqual(missing, [], `metrics missing from docs/observability.md: ${missing.join(', ')}`);
    for (const [name, want] of code) assert.deepEqual(rows.get(name), want, name);
  });

  it('has no row for a metric that does not exist', () => {
    const unknown = [...rows.keys()].filter((n) => !code.has(n));
    assert.deepEqual(unknown, [], `docs/observability.md lists unknown metrics: ${unknown.join(', ')}`);
  });

  it('reads rows the way they are written', () => {
    const sample = documentedRows(
      '| `metrics_adapter_x_total` | counter | `a`, `b` | text |\n| `other` | gauge | | x |\n',
    );
    assert.deepEqual([...sample], [['metrics_adapter_x_total', { type: 'counter', labels: ['a', 'b'] }]]);
  });
});

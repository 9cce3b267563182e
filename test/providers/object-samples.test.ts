import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sample } from '../../src/prometheus/index.js';
import { NameIndex, ObjectSamples } from '../../src/providers/object-samples.js';

const at = new Date(1_700_000_000_000);
const sample = (pod: string | undefined, value: number): Sample => ({
  labels: pod === undefined ? { other: 'x' } : { pod },
  value,
  timestamp: at,
});

/** What reading the parts concatenated in part order gives: the first series per name. */
function reference(names: readonly string[], parts: readonly Sample[][]): (number | undefined)[] {
  const byName = new Map<string, Sample>();
  for (const s of parts.flat()) {
    const name = s.labels.pod;
    if (name !== undefined && !byName.has(name)) byName.set(name, s);
  }
  return names.map((n) => byName.get(n)?.value);
}

function merged(
  names: readonly string[],
  parts: readonly Sample[][],
  order: readonly number[],
): ObjectSamples {
  const samples = new ObjectSamples(new NameIndex(names), 'pod');
  for (const k of order) samples.add(k, parts[k] ?? []);
  return samples;
}

describe('ObjectSamples: parts in any order give the answer of the parts in order', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const parts: Sample[][] = [
    [sample('a', 1), sample('b', 2), sample('zz', 9), sample(undefined, 8)],
    [sample('c', 3), sample('a', 10), sample('c', 30)],
    [sample('d', 4), sample('b', 20), sample('zz', 90)],
  ];
  const orders = [
    [0, 1, 2],
    [2, 1, 0],
    [1, 2, 0],
    [2, 0, 1],
  ];
  for (const order of orders) {
    it(`arrival ${order.join(',')}`, () => {
      const s = merged(names, parts, order);
      assert.deepEqual(
        names.map((_, i) => s.at(i)?.value),
        reference(names, parts),
      );
      // a, c and b once more each, zz once more: what a one-pass map would have counted.
      assert.equal(s.duplicates, 4);
    });
  }

  it('a name listed twice answers at both positions', () => {
    const twice = ['a', 'b', 'a'];
    const s = merged(twice, parts, [1, 0]);
    assert.deepEqual(
      twice.map((_, i) => s.at(i)?.value),
      [1, 2, 1],
    );
  });

  it('objects without a series have none', () => {
    const s = merged(['x', 'a'], [[sample('a', 5)]], [0]);
    assert.equal(s.at(0), undefined);
    assert.equal(s.at(1)?.value, 5);
    assert.equal(s.duplicates, 0);
  });
});

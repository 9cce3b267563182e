/**
 * Random queries built from a few building blocks (seeded, so a failure is reproducible): a
 * query is accepted exactly when no hostile block went into it, and every accepted output passes
 * the independent walker, keeps the author's text and confines to itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confineToNamespace } from '../../src/promql/index.js';
import { confinementViolations, onlyInsertions } from './namespace-walker.js';

const N = 'team-a';
const INSERTED = [',namespace="team-a"', '{namespace="team-a"}', 'namespace="team-a"'];
const COUNT = 500;
const MAX_DEPTH = 4;

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Built {
  text: string;
  hostile: boolean;
}

const SAFE_SELECTORS = [
  'up',
  'http_requests_total{pod=~"a|b"}',
  'x{namespace="team-a"}',
  '{__name__=~"kube_.+"}',
  'y{job="j",}',
  'z{"namespace"="team-a"}',
  'w{ # comment\n}',
];
const HOSTILE_SELECTORS = [
  'x{namespace="other"}',
  'x{namespace!="team-a"}',
  'x{namespace=~"team-a"}',
  'x{namespace="team-a",namespace="team-a"}',
  '{"namespace"=""}',
];

type Wrap = (inner: Built, pick: () => Built) => Built;

const combine =
  (render: (inner: string, other: () => string) => string): Wrap =>
  (inner, pick) => {
    let hostile = inner.hostile;
    const other = (): string => {
      const built = pick();
      hostile ||= built.hostile;
      return built.text;
    };
    const text = render(inner.text, other);
    return { text, hostile };
  };

const WRAPS: { wrap: Wrap; hostile?: true }[] = [
  { wrap: combine((e) => `sum by (pod) (${e})`) },
  { wrap: combine((e) => `(${e})`) },
  { wrap: combine((e) => `-${e}`) },
  { wrap: combine((e) => `abs(${e})`) },
  { wrap: combine((e) => `max_over_time((${e})[10m:1m])`) },
  { wrap: combine((e) => `label_replace(${e}, "svc", "$1", "pod", "(.*)")`) },
  { wrap: combine((e, o) => `${e} or ${o()}`) },
  { wrap: combine((e, o) => `${e} unless on(pod) ${o()}`) },
  { wrap: combine((e, o) => `${e} * on(pod) group_left(namespace) ${o()}`) },
  { wrap: combine((e, o) => `${e} / ignoring(namespace) ${o()}`) },
  { wrap: combine((e, o) => `${e} # c\n+ ${o()}`) },
  { wrap: combine((e) => `${e} > bool 1`) },
  { wrap: combine((e) => `label_replace(${e}, "namespace", "x", "", "")`), hostile: true },
  { wrap: combine((e) => `count_values("namespace", ${e})`), hostile: true },
];

function build(next: () => number, depth: number): Built {
  const choose = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (depth >= MAX_DEPTH || next() < 0.3) {
    const hostile = next() < 0.08;
    const selector = choose(hostile ? HOSTILE_SELECTORS : SAFE_SELECTORS);
    const form = choose([(s: string) => s, (s: string) => `rate(${s}[5m])`, (s: string) => `${s} offset 5m`]);
    const modifier = choose([(s: string) => s, (s: string) => `${s} @ end()`, (s: string) => `absent(${s})`]);
    return { text: modifier(form(selector)), hostile };
  }
  const { wrap, hostile } = choose(WRAPS.filter((w) => w.hostile !== true || next() < 0.1));
  const built = wrap(build(next, depth + 1), () => build(next, depth + 1));
  return { text: built.text, hostile: built.hostile || hostile === true };
}

describe('confineToNamespace: seeded random queries', () => {
  it(`accepts exactly the ${COUNT} queries without a hostile block, confined`, () => {
    const next = random(20240615);
    let accepted = 0;
    for (let n = 0; n < COUNT; n++) {
      const { text, hostile } = build(next, 0);
      const result = confineToNamespace(text, N);
      assert.equal(result.ok, !hostile, `${JSON.stringify(text)}: ${JSON.stringify(result)}`);
      if (!result.ok) continue;
      accepted++;
      assert.deepEqual(confinementViolations(result.query, N), [], JSON.stringify(result.query));
      assert.ok(onlyInsertions(text, result.query, INSERTED), JSON.stringify(result.query));
      assert.deepEqual(confineToNamespace(result.query, N), result);
    }
    // Both outcomes are exercised.
    assert.ok(accepted > COUNT / 4 && accepted < COUNT, `accepted ${accepted}`);
  });
});

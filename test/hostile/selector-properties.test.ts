/**
 * Property tests of the label selector → PromQL matcher translation (src/promql): for random
 * requirements — keys, operators, values with regex metacharacters, quotes, backslashes, control
 * characters and any unicode — the matchers, parsed back with Prometheus' own grammar, are
 * exactly the requirements asked for, and set values match literally under RE2 rules (checked
 * with the Go-regexp translation and with a plain anchored JavaScript RegExp).
 * fast-check prints the seed and the shrunk counterexample of any failure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BadRequestError } from '../../src/errors.js';
import {
  formatLabelSelector,
  parseLabelSelector,
  requirementsToMatchers,
  type Requirement,
  type SelectorOperator,
} from '../../src/promql/index.js';
import { compileGoRegex } from '../../src/rules/goregex/index.js';
import { matcherSet, queryShape, type Matcher } from './promql-shape.js';

const RUNS = { numRuns: 300 };

/** Prometheus label names (the only keys a metric label selector may use). */
const promLabelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);

/** Values from every corner: metacharacters, quotes, escapes, controls, astral code points. */
const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom(...'\\"\'`.*+?()[]{}|^$-\n\r\t\u0000 #,=!~}{a'.split('')),
    maxLength: 12,
  }),
  fc.constantFrom('"} or vector(1) or x{a="', ') or up{', '{__name__=~".+"}', '.+', '\\', ''),
);

const SINGLE: readonly SelectorOperator[] = ['=', '==', '!='];
const SET: readonly SelectorOperator[] = ['in', 'notin'];

const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({
    key: promLabelName,
    operator: fc.constantFrom(...SINGLE),
    values: anyValue.map((v) => [v]),
  }),
  fc.record({
    key: promLabelName,
    operator: fc.constantFrom(...SET),
    values: fc.uniqueArray(anyValue, { minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    key: promLabelName,
    operator: fc.constantFrom<SelectorOperator>('exists', '!'),
    values: fc.constant<string[]>([]),
  }),
);

/** The pattern Prometheus compiles for a regex matcher: fully anchored, `.` matching newlines. */
function re2(pattern: string): { test(s: string): boolean } {
  return compileGoRegex(`^(?s:${pattern})$`);
}

function jsAnchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'su');
}

/** The matcher each requirement must become, before regex construction. */
function expectedMatcher(r: Requirement): Matcher | { name: string; op: '=~' | '!~'; set: string[] } {
  switch (r.operator) {
    case '=':
    case '==':
      return { name: r.key, op: '=', value: r.values[0] ?? '' };
    case '!=':
      return { name: r.key, op: '!=', value: r.values[0] ?? '' };
    case 'in':
      return { name: r.key, op: '=~', set: r.values };
    case 'notin':
      return { name: r.key, op: '!~', set: r.values };
    case 'exists':
      return { name: r.key, op: '!=', value: '' };
    default:
      return { name: r.key, op: '=', value: '' };
  }
}

function checkTranslation(reqs: readonly Requirement[], others: readonly string[]): void {
  const matchers = requirementsToMatchers(reqs);
  assert.equal(matchers.length, reqs.length);
  const query = `probe_metric{${matchers.join(',')}}`;
  const shape = queryShape(query);
  assert.deepEqual(shape.errors, [], query);
  assert.equal(shape.skeleton, 'probe_metric{…}', query);
  assert.equal(shape.selectors.length, 1, query);
  const got = shape.selectors[0]?.matchers ?? [];
  assert.equal(got.length, reqs.length, query);
  reqs.forEach((r, i) => {
    const want = expectedMatcher(r);
    const m = got[i];
    assert.ok(m !== undefined);
    assert.equal(m.name, want.name, query);
    assert.equal(m.op, want.op, query);
    if ('value' in want) {
      assert.equal(m.value, want.value, query);
      return;
    }
    // A set: its regex matches each value and nothing else, literally.
    const goRe = re2(m.value);
    const jsRe = jsAnchored(m.value);
    for (const v of want.set) {
      assert.ok(goRe.test(v), `${JSON.stringify(m.value)} (RE2) must match ${JSON.stringify(v)}`);
      assert.ok(jsRe.test(v), `${JSON.stringify(m.value)} (JS) must match ${JSON.stringify(v)}`);
    }
    for (const o of others) {
      if (want.set.includes(o)) continue;
      assert.ok(!goRe.test(o), `${JSON.stringify(m.value)} (RE2) must not match ${JSON.stringify(o)}`);
      assert.ok(!jsRe.test(o), `${JSON.stringify(m.value)} (JS) must not match ${JSON.stringify(o)}`);
    }
  });
  // Nothing but the matchers asked for.
  assert.equal(matcherSet(got).length, reqs.length);
}

/** Kubernetes label keys that are also Prometheus label names, and Kubernetes label values. */
const kubeKey = fc.stringMatching(/^[a-zA-Z]([a-zA-Z0-9_]{0,10}[a-zA-Z0-9])?$/);
const kubeValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?)?$/);

const kubeRequirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: kubeKey, operator: fc.constantFrom(...SINGLE), values: kubeValue.map((v) => [v]) }),
  fc.record({
    key: kubeKey,
    operator: fc.constantFrom(...SET),
    values: fc.uniqueArray(kubeValue, { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    key: kubeKey,
    operator: fc.constantFrom<SelectorOperator>('exists', '!'),
    values: fc.constant<string[]>([]),
  }),
);

describe('label selector → PromQL matchers (properties)', () => {
  it('any requirement values become exactly the matchers asked for, set values matched literally', () => {
    fc.assert(
      fc.property(
        fc.array(requirement, { maxLength: 5 }),
        fc.array(anyValue, { maxLength: 8 }),
        (reqs, others) => {
          // The values' near misses are the most telling non-members.
          const near = reqs.flatMap((r) =>
            r.values.flatMap((v) => [`${v}x`, v.slice(1), v.replace(/\./g, 'X')]),
          );
          checkTranslation(reqs, [...others, ...near]);
        },
      ),
      RUNS,
    );
  });

  it('selectors written in Kubernetes syntax parse and translate to the same matchers', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(kubeRequirement, { maxLength: 5, selector: (r) => r.key }),
        fc.array(kubeValue, { maxLength: 8 }),
        (reqs, others) => {
          const text = formatLabelSelector(reqs);
          const parsed = parseLabelSelector(text);
          // apimachinery sorts requirements by key and set values; compare in that order.
          const norm = (rs: readonly Requirement[]): Requirement[] =>
            rs
              .map((r) => ({ ...r, values: [...r.values].sort() }))
              .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          assert.deepEqual(norm(parsed), norm(reqs), text);
          const near = reqs.flatMap((r) =>
            r.values.flatMap((v) => [v.replace(/\./g, 'X'), v.replace(/-/g, '_')]),
          );
          checkTranslation(parsed, [...others, ...near]);
        },
      ),
      RUNS,
    );
  });

  it('a value with a lone UTF-16 surrogate is a 400, never a broken query', () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(
        promLabelName,
        fc.string({ maxLength: 5 }),
        lone,
        fc.constantFrom(...SINGLE, ...SET),
        (key, pre, s, op) => {
          const value = `${pre}${s}`;
          assert.throws(
            () => requirementsToMatchers([{ key, operator: op, values: [value] }]),
            (err: unknown) => err instanceof BadRequestError,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keys that are not Prometheus label names are refused, not written', () => {
    const badKey = fc.oneof(
      fc.stringMatching(/^[0-9][a-z0-9_]{0,5}$/),
      fc
        .string({ unit: 'binary', minLength: 1, maxLength: 8 })
        .filter((k) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)),
    );
    fc.assert(
      fc.property(badKey, kubeValue, (key, value) => {
        assert.throws(
          () => requirementsToMatchers([{ key, operator: '=', values: [value] }]),
          (err: unknown) => err instanceof BadRequestError,
        );
      }),
      { numRuns: 100 },
    );
  });
});

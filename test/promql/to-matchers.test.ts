import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../src/errors.js';
import {
  parseLabelSelector,
  requirementsToMatchers,
  unquotePromQLString,
  type Requirement,
} from '../../src/promql/index.js';
import { compileGoRegex } from '../../src/rules/goregex/index.js';
import { HOSTILE_VALUES, parseSingleMatcher, syntaxNodes } from './lezer-helpers.js';

function assertBadRequest(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof BadRequestError);
    assert.match(error.message, message);
    return true;
  });
}

describe('requirementsToMatchers', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['app=web', ['app="web"']],
    ['app==web', ['app="web"']],
    ['app!=web', ['app!="web"']],
    ['app in (web)', ['app=~"web"']],
    ['app in (web,api)', ['app=~"api|web"']],
    ['app notin (web,api)', ['app!~"api|web"']],
    ['app', ['app!=""']],
    ['!app', ['app=""']],
    ['version in (1.2.3)', ['version=~"1\\\\.2\\\\.3"']],
    ['app in (,web)', ['app=~"|web"']],
    ['app=', ['app=""']],
    ['b=2,a=1', ['a="1"', 'b="2"']],
  ];
  for (const [selector, expected] of cases) {
    it(`turns ${JSON.stringify(selector)} into ${expected.join(',') || 'nothing'}`, () => {
      assert.deepEqual(requirementsToMatchers(parseLabelSelector(selector)), expected);
    });
  }

  it('gives matchers that a PromQL parser reads back as one selector', () => {
    const matchers = requirementsToMatchers(parseLabelSelector('a=1,b!=2,c in (x.y,z),d notin (q),e,!f'));
    const nodes = syntaxNodes(`metric{${matchers.join(',')}}`);
    assert.equal(nodes.filter((node) => node.isError).length, 0);
    assert.equal(nodes.filter((node) => node.name === 'UnquotedLabelMatcher').length, 6);
  });

  // Parsed selectors only carry Kubernetes-valid values, but requirements can also be built in
  // code; every value must still stay inside its matcher and match only itself.
  for (const value of HOSTILE_VALUES) {
    it(`escapes the value ${JSON.stringify(value).slice(0, 30)} for every operator`, () => {
      const requirements: Requirement[] = [
        { key: 'pod', operator: '=', values: [value] },
        { key: 'pod', operator: '!=', values: [value] },
        { key: 'pod', operator: 'in', values: [value] },
        { key: 'pod', operator: 'notin', values: [value, 'other'] },
      ];
      const parsed = requirementsToMatchers(requirements).map(parseSingleMatcher);
      assert.deepEqual(
        parsed.map(([name, op]) => [name, op]),
        [
          ['pod', '='],
          ['pod', '!='],
          ['pod', '=~'],
          ['pod', '!~'],
        ],
      );
      const [equal, notEqual, inSet] = parsed.map(([, , literal]) => unquotePromQLString(literal));
      assert.equal(equal, value);
      assert.equal(notEqual, value);
      const anchored = compileGoRegex(`^(?s:${inSet ?? ''})$`);
      assert.equal(anchored.test(value), true);
      assert.equal(anchored.test(`${value}.`), false);
    });
  }

  it('does not pass a single in value through as a raw regex (prometheus-adapter did)', () => {
    const [matcher] = requirementsToMatchers([{ key: 'pod', operator: 'in', values: ['.*'] }]);
    assert.equal(matcher, 'pod=~"\\\\.\\\\*"');
  });

  it('rejects keys that are not Prometheus label names, naming the key', () => {
    assertBadRequest(
      () => requirementsToMatchers(parseLabelSelector('app.kubernetes.io/name=web')),
      /label "app\.kubernetes\.io\/name" in the metric label selector is not a valid Prometheus label name/,
    );
    assertBadRequest(
      () => requirementsToMatchers([{ key: 'a"}or vector(1)#', operator: '=', values: ['x'] }]),
      /not a valid Prometheus label name/,
    );
  });

  it('rejects > and <', () => {
    assertBadRequest(
      () => requirementsToMatchers(parseLabelSelector('replicas>1')),
      /^operator > is not supported in a metric label selector: Prometheus cannot compare label values as numbers$/,
    );
    assertBadRequest(
      () => requirementsToMatchers(parseLabelSelector('replicas<1')),
      /^operator < is not supported/,
    );
  });

  it('rejects requirements built with the wrong number of values', () => {
    assertBadRequest(
      () => requirementsToMatchers([{ key: 'a', operator: '=', values: [] }]),
      /needs exactly one value/,
    );
    assertBadRequest(
      () => requirementsToMatchers([{ key: 'a', operator: '!=', values: ['x', 'y'] }]),
      /needs exactly one value/,
    );
    assertBadRequest(
      () => requirementsToMatchers([{ key: 'a', operator: 'in', values: [] }]),
      /needs at least one value/,
    );
  });
});

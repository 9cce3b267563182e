import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../src/errors.js';
import {
  isValidLabelName,
  isValidMetricName,
  labelMatcher,
  regexAlternation,
  regexLiteral,
  unquotePromQLString,
  type MatchOperator,
} from '../../src/promql/index.js';
import { compileGoRegex } from '../../src/rules/goregex/index.js';
import { HOSTILE_VALUES, parseSingleMatcher } from './lezer-helpers.js';

/** Prometheus anchors matcher regexes as ^(?s:…)$ (Go RE2); this is that check. */
function prometheusRegexMatches(regex: string, value: string): boolean {
  return compileGoRegex(`^(?s:${regex})$`).test(value);
}

describe('regexLiteral', () => {
  const cases: [string, string][] = [
    ['web-1', 'web-1'],
    ['a.b', 'a\\.b'],
    ['a|b', 'a\\|b'],
    ['.*', '\\.\\*'],
    ['(a)[b]{c}', '\\(a\\)\\[b\\]\\{c\\}'],
    ['^x$', '\\^x\\$'],
    ['a+b?', 'a\\+b\\?'],
    ['back\\slash', 'back\\\\slash'],
    ['unchanged -_/:#"\'', 'unchanged -_/:#"\''],
  ];
  for (const [value, expected] of cases) {
    it(`escapes ${JSON.stringify(value)}`, () => {
      assert.equal(regexLiteral(value), expected);
    });
  }

  for (const value of HOSTILE_VALUES) {
    it(`makes ${JSON.stringify(value).slice(0, 40)} match only itself`, () => {
      const regex = regexLiteral(value);
      assert.equal(prometheusRegexMatches(regex, value), true);
      assert.equal(prometheusRegexMatches(regex, `${value}x`), false);
      assert.equal(prometheusRegexMatches(regex, `x${value}`), false);
      if (value.length > 0) assert.equal(prometheusRegexMatches(regex, ''), false);
    });
  }
});

describe('regexAlternation', () => {
  it('joins escaped values with |', () => {
    assert.equal(regexAlternation(['a.b', 'c|d', 'e']), 'a\\.b|c\\|d|e');
    assert.equal(regexAlternation(['only']), 'only');
    assert.equal(regexAlternation([]), '');
  });

  it('matches exactly the listed values', () => {
    const values = ['web-1', 'a|b', '.*', 'x(y)'];
    const regex = regexAlternation(values);
    for (const value of values) assert.equal(prometheusRegexMatches(regex, value), true, value);
    for (const other of ['web-2', 'a', 'b', 'anything', '', 'xy', 'x(y)x']) {
      assert.equal(prometheusRegexMatches(regex, other), false, other);
    }
  });
});

describe('names', () => {
  const labelNames: [string, boolean][] = [
    ['pod', true],
    ['_x', true],
    ['__name__', true],
    ['Pod_1', true],
    ['1pod', false],
    ['', false],
    ['app.kubernetes.io/name', false],
    ['a-b', false],
    ['a:b', false],
    ['pöd', false],
    ['a"}', false],
  ];
  for (const [name, valid] of labelNames) {
    it(`isValidLabelName(${JSON.stringify(name)}) is ${valid}`, () => {
      assert.equal(isValidLabelName(name), valid);
    });
  }

  const metricNames: [string, boolean][] = [
    ['http_requests_total', true],
    ['job:rate5m:sum', true],
    [':x', true],
    ['1x', false],
    ['', false],
    ['a-b', false],
    ['a{b}', false],
  ];
  for (const [name, valid] of metricNames) {
    it(`isValidMetricName(${JSON.stringify(name)}) is ${valid}`, () => {
      assert.equal(isValidMetricName(name), valid);
    });
  }
});

describe('labelMatcher', () => {
  it('writes name, operator and quoted value', () => {
    assert.equal(labelMatcher('pod', '=', 'web-1'), 'pod="web-1"');
    assert.equal(labelMatcher('pod', '!=', ''), 'pod!=""');
    assert.equal(labelMatcher('pod', '=~', 'web-.*'), 'pod=~"web-.*"');
    assert.equal(labelMatcher('pod', '!~', 'a\\.b'), 'pod!~"a\\\\.b"');
  });

  const operators: MatchOperator[] = ['=', '!=', '=~', '!~'];
  for (const op of operators) {
    for (const value of HOSTILE_VALUES) {
      it(`keeps ${JSON.stringify(value).slice(0, 30)} inside one ${op} matcher`, () => {
        const [name, parsedOp, literal] = parseSingleMatcher(labelMatcher('pod', op, value));
        assert.equal(name, 'pod');
        assert.equal(parsedOp, op);
        assert.equal(unquotePromQLString(literal), value);
      });
    }
  }

  it('keeps an escaped alternation of hostile values inside one regex matcher', () => {
    const regex = regexAlternation(HOSTILE_VALUES);
    const [, op, literal] = parseSingleMatcher(labelMatcher('pod', '=~', regex));
    assert.equal(op, '=~');
    assert.equal(unquotePromQLString(literal), regex);
    for (const value of HOSTILE_VALUES) assert.equal(prometheusRegexMatches(regex, value), true);
  });

  for (const name of ['', '1pod', 'app.kubernetes.io/name', 'pod"}or vector(1)#', 'a b']) {
    it(`rejects the label name ${JSON.stringify(name)}`, () => {
      assert.throws(
        () => labelMatcher(name, '=', 'x'),
        (error: unknown) => {
          assert.ok(error instanceof BadRequestError);
          assert.match(error.message, /invalid label name/);
          return true;
        },
      );
    });
  }

  it('rejects an unknown operator passed around the type system', () => {
    assert.throws(() => labelMatcher('pod', '==' as MatchOperator, 'x'), /unknown label match operator/);
  });

  it('rejects a lone surrogate in the value', () => {
    assert.throws(() => labelMatcher('pod', '=', '\ud800'), BadRequestError);
  });
});

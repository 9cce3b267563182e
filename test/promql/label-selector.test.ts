/**
 * Kubernetes label selectors. The valid/invalid tables follow the cases of apimachinery's
 * labels/selector_test.go (TestSelectorParse, TestSetSelectorParser, TestLexer,
 * TestSelectorMatches, TestRequirementConstructor).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../src/errors.js';
import {
  formatLabelSelector,
  matchesLabels,
  MAX_SELECTOR_ITEMS,
  MAX_SELECTOR_LENGTH,
  parseLabelSelector,
  toLabelSelectorObject,
  type LabelSelectorObject,
  type Requirement,
} from '../../src/promql/index.js';
import { tokenize, type TokenKind } from '../../src/promql/label-selector/lexer.js';

function req(key: string, operator: Requirement['operator'], values: string[] = []): Requirement {
  return { key, operator, values };
}

function assertBadRequest(input: string, message?: RegExp): void {
  assert.throws(
    () => parseLabelSelector(input),
    (error: unknown) => {
      assert.ok(error instanceof BadRequestError, `expected BadRequestError for ${JSON.stringify(input)}`);
      if (message !== undefined) assert.match(error.message, message);
      return true;
    },
  );
}

describe('label selector lexer', () => {
  const cases: [string, TokenKind][] = [
    ['', 'end'],
    [',', 'comma'],
    ['notin', 'notIn'],
    ['in', 'in'],
    ['=', 'equals'],
    ['==', 'doubleEquals'],
    ['>', 'greaterThan'],
    ['<', 'lessThan'],
    ['!', 'doesNotExist'],
    ['!=', 'notEquals'],
    ['(', 'openPar'],
    [')', 'closedPar'],
    ['~', 'identifier'],
    ['||', 'identifier'],
  ];
  for (const [input, kind] of cases) {
    it(`reads ${JSON.stringify(input)} as ${kind}`, () => {
      assert.equal(tokenize(input)[0]?.kind, kind);
    });
  }

  it('splits a sequence at symbols and whitespace, with positions', () => {
    const tokens = tokenize('key in ( value ),!x!=y\t==z<1');
    assert.deepEqual(
      tokens.map(({ kind, literal, position }) => [kind, literal, position]),
      [
        ['identifier', 'key', 0],
        ['in', 'in', 4],
        ['openPar', '(', 7],
        ['identifier', 'value', 9],
        ['closedPar', ')', 15],
        ['comma', ',', 16],
        ['doesNotExist', '!', 17],
        ['identifier', 'x', 18],
        ['notEquals', '!=', 19],
        ['identifier', 'y', 21],
        ['doubleEquals', '==', 23],
        ['identifier', 'z', 25],
        ['lessThan', '<', 26],
        ['identifier', '1', 27],
        ['end', '', 28],
      ],
    );
  });

  it('takes the longest symbol and splits the rest', () => {
    assert.deepEqual(
      tokenize('!==!!<=').map((token) => token.literal),
      ['!=', '=', '!', '!', '<', '=', ''],
    );
  });
});

describe('parseLabelSelector: valid selectors', () => {
  const cases: [string, Requirement[]][] = [
    ['', []],
    ['   ', []],
    ['x=a,y=b,z=c', [req('x', '=', ['a']), req('y', '=', ['b']), req('z', '=', ['c'])]],
    ['x!=a,y=b', [req('x', '!=', ['a']), req('y', '=', ['b'])]],
    ['x=', [req('x', '=', [''])]],
    ['x= ', [req('x', '=', [''])]],
    ['x=,z= ', [req('x', '=', ['']), req('z', '=', [''])]],
    ['x= ,z= ', [req('x', '=', ['']), req('z', '=', [''])]],
    ['!x', [req('x', '!')]],
    ['x>1', [req('x', 'gt', ['1'])]],
    ['x>1,z<5', [req('x', 'gt', ['1']), req('z', 'lt', ['5'])]],
    ['x==a', [req('x', '==', ['a'])]],
    ['\rx', [req('x', 'exists')]],
    ['this-is-a-dns.domain.com/key-with-dash', [req('this-is-a-dns.domain.com/key-with-dash', 'exists')]],
    [
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
      [req('this-is-another-dns.domain.com/key-with-dash', 'in', ['so', 'what'])],
    ],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      [req('0.1.2.domain/99', 'notin', ['10.10.100.1', 'tick.tack.clock'])],
    ],
    ['foo  in\t (abc)', [req('foo', 'in', ['abc'])]],
    ['x notin\n (abc)', [req('x', 'notin', ['abc'])]],
    ['x  notin\t\t(abc,def)', [req('x', 'notin', ['abc', 'def'])]],
    ['x in (abc,def)', [req('x', 'in', ['abc', 'def'])]],
    ['x in (abc,)', [req('x', 'in', ['', 'abc'])]],
    ['x in ()', [req('x', 'in', [''])]],
    [
      'x notin (abc,,def),bar,z in (),w',
      [req('bar', 'exists'), req('w', 'exists'), req('x', 'notin', ['', 'abc', 'def']), req('z', 'in', [''])],
    ],
    ['x,y in (a)', [req('x', 'exists'), req('y', 'in', ['a'])]],
    ['x=a', [req('x', '=', ['a'])]],
    ['x<7', [req('x', 'lt', ['7'])]],
    ['x=a,y!=b', [req('x', '=', ['a']), req('y', '!=', ['b'])]],
    ['x=a,y!=b,z in (h,i,j)', [req('x', '=', ['a']), req('y', '!=', ['b']), req('z', 'in', ['h', 'i', 'j'])]],
    ['x notin ( )', [req('x', 'notin', [''])]],
    ['x notin (, a)', [req('x', 'notin', ['', 'a'])]],
    ['a ', [req('a', 'exists')]],
    ['a in (x,y,notin, z,in)', [req('a', 'in', ['in', 'notin', 'x', 'y', 'z'])]],
    ['notin=in', [req('notin', '=', ['in'])]],
    ['x in (b,a,b,a)', [req('x', 'in', ['a', 'b'])]],
    ['z=1,a=2,m,!b', [req('a', '=', ['2']), req('b', '!'), req('m', 'exists'), req('z', '=', ['1'])]],
    ['a=1,a!=2', [req('a', '=', ['1']), req('a', '!=', ['2'])]],
    ['app.kubernetes.io/name=web', [req('app.kubernetes.io/name', '=', ['web'])]],
    ['x>007', [req('x', 'gt', ['007'])]],
    [`k=${'v'.repeat(63)}`, [req('k', '=', ['v'.repeat(63)])]],
    ['k'.repeat(63), [req('k'.repeat(63), 'exists')]],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseLabelSelector(input), expected);
    });
  }

  it('keeps requirements with equal keys in their written order (stable sort)', () => {
    assert.deepEqual(parseLabelSelector('b,a!=2,a=1'), [
      req('a', '!=', ['2']),
      req('a', '=', ['1']),
      req('b', 'exists'),
    ]);
  });
});

describe('parseLabelSelector: invalid selectors', () => {
  const cases: [string, RegExp][] = [
    ['x=a||y=b', /values\[0\]\[x\]: Invalid value: "a\|\|y": a valid label must be an empty string/],
    ['x==a==b', /found '==', expected: ',' or 'end of string' \(at position 4\)/],
    ['!x=a', /found '=', expected: ',' or 'end of string' \(at position 2\)/],
    ['x<a', /values\[0\]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer/],
    ['x>', /values\[0\]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer/],
    ['x>99999999999999999999', /the value must be an integer/],
    ['x>1.5', /the value must be an integer/],
    ['x,,y', /found ',', expected: identifier after ',' \(at position 2\)/],
    [',x,y', /found ',', expected: !, identifier, or 'end of string' \(at position 0\)/],
    ['x nott in (y)', /found 'nott', expected: in, notin, =, ==, !=, gt, lt \(at position 2\)/],
    ['a in (xyz),', /found '', expected: identifier after ','/],
    ['a in (xyz)b notin ()', /found 'b', expected: ',' or 'end of string' \(at position 10\)/],
    ['a in (xyz abc)', /found 'abc', expected: ',' or '\)' \(at position 10\)/],
    ['a notin(', /found '', expected: ',', '\)' or identifier/],
    ['a (', /found '\(', expected: in, notin/],
    ['(', /found '\(', expected: !, identifier, or 'end of string'/],
    ['x in a', /found 'a' expected: '\('/],
    ['x in (a', /found '', expected: ',' or '\)'/],
    ['x in (a=b)', /found '=', expected: ',' or '\)'/],
    ['x in (,=)', /found '=', expected: ',', or identifier/],
    ['!', /found '', expected: identifier/],
    ['!!x', /found '!', expected: identifier/],
    ['x=(a)', /found '\(', expected: identifier/],
    ['x=a b', /found 'b', expected: ',' or 'end of string'/],
    [
      'app=a"}',
      /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "a\\"}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '\.', and must start and end with an alphanumeric character/,
    ],
    ['pod=x"}or vector(1)#', /values\[0\]\[pod\]: Invalid value: "x\\"}or"/],
    ['a/b/c=d', /key: Invalid value: "a\/b\/c": a qualified name must consist of/],
    ['/x', /prefix part must be non-empty/],
    ['x/', /name part must be non-empty/],
    ['Example.com/x', /prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric/],
    ['-x', /key: Invalid value: "-x": name part must consist of alphanumeric characters/],
    ['k'.repeat(64), /name part must be no more than 63 characters/],
    [`${'p'.repeat(254)}/x`, /prefix part must be no more than 253 characters/],
    [`k=${'v'.repeat(64)}`, /must be no more than 63 characters/],
    [
      'k in (ok, -bad, _worse)',
      /\[values\[0\]\[k\]: Invalid value: "-bad": .*, values\[1\]\[k\]: Invalid value: "_worse": .*\]/,
    ],
    ['x>-1', /values\[0\]\[x\]: Invalid value: "-1"/],
    ['pöd=x', /key: Invalid value: "pöd"/],
    ['x=\u0085', /Invalid value: "\\u0085"/],
  ];
  for (const [input, message] of cases) {
    it(`rejects ${JSON.stringify(input).slice(0, 50)}`, () => {
      assertBadRequest(input, message);
    });
  }

  it('reports the position of the offending value inside a set', () => {
    assertBadRequest('tier in (web, db, x"y)', /Invalid value: "x\\"y".*\(at position 18\)$/);
  });

  it('refuses a NUL character instead of ignoring the rest like apimachinery', () => {
    assertBadRequest('a=b\u0000,c=d', /NUL character at position 3/);
  });

  it('bounds the length and the number of requirements and values', () => {
    assertBadRequest('x'.repeat(MAX_SELECTOR_LENGTH + 1), /too long/);
    const manyRequirements = Array.from({ length: MAX_SELECTOR_ITEMS + 1 }, (_, i) => `k${i}`).join(',');
    assertBadRequest(manyRequirements, /too many requirements/);
    assert.equal(
      parseLabelSelector(manyRequirements.split(',').slice(0, MAX_SELECTOR_ITEMS).join(',')).length,
      1000,
    );
    const manyValues = `k in (${Array.from({ length: MAX_SELECTOR_ITEMS + 1 }, (_, i) => `v${i}`).join(',')})`;
    assertBadRequest(manyValues, /too many values/);
    const spread = Array.from(
      { length: 11 },
      (_, i) => `k${i} in (${Array.from({ length: 100 }, (_, j) => `v${j}`).join(',')})`,
    );
    assertBadRequest(spread.join(','), /too many values/);
  });
});

describe('formatLabelSelector', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['x in (abc,def),y notin (jkl),z', 'x in (abc,def),y notin (jkl),z'],
    ['z, y notin(jkl), x in(def,abc)', 'x in (abc,def),y notin (jkl),z'],
    ['x notin (abc,def),y!=jkl,!z', 'x notin (abc,def),y!=jkl,!z'],
    ['x==a,y=b', 'x==a,y=b'],
    ['x>1,y<10', 'x>1,y<10'],
    ['x in ()', 'x in ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x=', 'x='],
  ];
  for (const [input, expected] of cases) {
    it(`formats ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(formatLabelSelector(parseLabelSelector(input)), expected);
    });
  }

  it('sorts set values it did not parse itself', () => {
    assert.equal(formatLabelSelector([req('k', 'in', ['b', 'a'])]), 'k in (a,b)');
  });

  it('round-trips through parseLabelSelector', () => {
    const text = 'a in (x,y),b notin (z),c,!d,e=f,g==h,i!=j,k>1,l<2';
    assert.equal(formatLabelSelector(parseLabelSelector(text)), text);
  });
});

describe('matchesLabels', () => {
  const matching: [string, Record<string, string>][] = [
    ['', { x: 'y' }],
    ['x=y', { x: 'y' }],
    ['x==y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x<1', { x: '-5' }],
    ['x>1', { x: '+2' }],
    ['x>9223372036854775806', { x: '9223372036854775807' }],
    ['x in (a,b)', { x: 'b' }],
    ['x notin (a,b)', { x: 'c' }],
    ['x notin (a,b)', {}],
    ['x!=a', {}],
    ['x=', { x: '' }],
    ['x in ()', { x: '' }],
  ];
  for (const [selector, labels] of matching) {
    it(`${JSON.stringify(selector)} matches ${JSON.stringify(labels)}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(selector), labels), true);
    });
  }

  const notMatching: [string, Record<string, string>][] = [
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', {}],
    ['x<1', {}],
    ['x>1', { x: 'abc' }],
    ['x>1', { x: '1_000' }],
    ['x>1', { x: '99999999999999999999' }],
    ['x in (a,b)', { x: 'c' }],
    ['x in (a,b)', {}],
    ['x notin (a,b)', { x: 'a' }],
    ['x=', {}],
    ['constructor', {}],
    ['toString=x', {}],
  ];
  for (const [selector, labels] of notMatching) {
    it(`${JSON.stringify(selector)} does not match ${JSON.stringify(labels)}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(selector), labels), false);
    });
  }

  it('does not see inherited properties as labels', () => {
    const labels = Object.create({ inherited: 'yes' }) as Record<string, string>;
    assert.equal(matchesLabels(parseLabelSelector('inherited'), labels), false);
    assert.equal(matchesLabels(parseLabelSelector('!inherited'), labels), true);
  });
});

describe('toLabelSelectorObject', () => {
  const cases: [string, LabelSelectorObject | null][] = [
    ['', null],
    ['a=b', { matchLabels: { a: 'b' } }],
    ['a==b,c=d', { matchLabels: { a: 'b', c: 'd' } }],
    ['a in (y,x)', { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'y'] }] }],
    ['a notin (x)', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }],
    ['a!=x', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }],
    ['a', { matchExpressions: [{ key: 'a', operator: 'Exists' }] }],
    ['!a', { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }],
    [
      'a>1,b<2',
      {
        matchExpressions: [
          { key: 'a', operator: 'Gt', values: ['1'] },
          { key: 'b', operator: 'Lt', values: ['2'] },
        ],
      },
    ],
    [
      'env=prod,tier in (web),!canary',
      {
        matchLabels: { env: 'prod' },
        matchExpressions: [
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'tier', operator: 'In', values: ['web'] },
        ],
      },
    ],
    ['a=x,a=x', { matchLabels: { a: 'x' } }],
    ['a=x,a=y', { matchLabels: { a: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['y'] }] }],
  ];
  for (const [input, expected] of cases) {
    it(`converts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(toLabelSelectorObject(parseLabelSelector(input)), expected);
    });
  }

  it('gives JSON without undefined members', () => {
    assert.equal(
      JSON.stringify(toLabelSelectorObject(parseLabelSelector('a,b=c'))),
      '{"matchLabels":{"b":"c"},"matchExpressions":[{"key":"a","operator":"Exists"}]}',
    );
  });
});

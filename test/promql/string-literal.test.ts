import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../src/errors.js';
import { PromQLStringError, promqlString, unquotePromQLString } from '../../src/promql/index.js';
import { assertSingleStringLiteral, HOSTILE_VALUES } from './lezer-helpers.js';

describe('promqlString', () => {
  for (const value of HOSTILE_VALUES) {
    it(`round-trips ${JSON.stringify(value).slice(0, 40)}`, () => {
      const literal = promqlString(value);
      assertSingleStringLiteral(literal);
      assert.equal(unquotePromQLString(literal), value);
    });
  }

  const exact: [string, string][] = [
    ['', '""'],
    ['web-1', '"web-1"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['\n\r\t', '"\\n\\r\\t"'],
    ['\u0000\u001b\u007f', '"\\x00\\x1B\\x7F"'],
    ['\u0085', '"\\u0085"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['\u202e', '"\\u202E"'],
    ['\u00a0', '"\\u00A0"'],
    ['\u{e0001}', '"\\U000E0001"'],
    ['é 日本 😀', '"é 日本 😀"'],
    ["it's", '"it\'s"'],
  ];
  for (const [value, expected] of exact) {
    it(`writes ${JSON.stringify(value)} as ${expected}`, () => {
      assert.equal(promqlString(value), expected);
    });
  }

  it('never emits a raw control or separator character', () => {
    let all = '';
    for (let codePoint = 0; codePoint < 0x3000; codePoint++) {
      if (codePoint < 0xd800 || codePoint > 0xdfff) all += String.fromCodePoint(codePoint);
    }
    const literal = promqlString(all);
    assert.doesNotMatch(literal, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    assert.equal(unquotePromQLString(literal), all);
  });

  for (const lone of ['\ud800', 'a\udfffb', '\udc00\ud800']) {
    it(`rejects the lone surrogate in ${JSON.stringify(lone)}`, () => {
      assert.throws(() => promqlString(lone), BadRequestError);
    });
  }
});

describe('unquotePromQLString', () => {
  const valid: [string, string][] = [
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['`a\\nb`', 'a\\nb'],
    ['`a\r\nb`', 'a\nb'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\u0007\b\f\n\r\t\u000b\\'],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
    ['"\\xc3\\xa9"', 'é'],
    ["'it\\'s'", "it's"],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"tab\there"', 'tab\there'],
  ];
  for (const [literal, value] of valid) {
    it(`reads ${literal}`, () => {
      assert.equal(unquotePromQLString(literal), value);
    });
  }

  const invalid: string[] = [
    '',
    'abc',
    '"abc',
    '"a"b"',
    '"a\nb"',
    '"\\q"',
    '"\\\'"',
    "'\\\"'",
    '"\\x4"',
    '"\\12"',
    '"\\400"',
    '"\\ud800"',
    '"\\U00110000"',
    '"\\xff"',
    '"trailing\\"',
    '`a`b`',
  ];
  for (const literal of invalid) {
    it(`rejects ${JSON.stringify(literal)}`, () => {
      assert.throws(() => unquotePromQLString(literal), PromQLStringError);
    });
  }
});

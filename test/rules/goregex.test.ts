/**
 * Go regexps on JavaScript. Expected matches and expansions below were produced by Go's regexp
 * package (FindStringSubmatchIndex + ExpandString) and error texts by regexp.Compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileGoRegex,
  defaultNameTemplate,
  goMatchAndExpand,
  GoRegexError,
  type GoRegexErrorReason,
} from '../../src/rules/goregex/index.js';

describe('compileGoRegex: translation', () => {
  const cases: [string, string, string][] = [
    ['^(.*)_seconds_total$', '^([^\\n]*)_seconds_total$', 'u'],
    ['(?i)abc', 'abc', 'iu'],
    ['(?i)(?s)a.c', 'a[^]c', 'iu'],
    ['(?P<name>a+)(?<x>b)?', '(a+)(b)?', 'u'],
    ['(?:a|b)c', '(?:a|b)c', 'u'],
    ['(?s:.)', '(?:[^])', 'u'],
    ['(?m)^a$', '(?<![^\\n])a(?![^\\n])', 'u'],
    ['\\Aa\\z', '^a$', 'u'],
    ['\\ba\\B', '\\ba\\B', 'u'],
    ['[[:alpha:]]+', '[A-Za-z]+', 'u'],
    ['[[:^digit:]]', '[\\u{0}-\\u{2f}\\u{3a}-\\u{10ffff}]', 'u'],
    [
      '\\s\\S',
      '[\\u{9}\\u{a}\\u{c}\\u{d}\\u{20}][\\u{0}-\\u{8}\\u{b}\\u{e}-\\u{1f}\\u{21}-\\u{10ffff}]',
      'u',
    ],
    ['\\d\\D\\w\\W', '[\\d][\\D][\\w][\\W]', 'u'],
    ['\\pL\\p{Greek}\\PL\\p{^Lu}', '[\\p{L}][\\p{Script=Greek}][\\P{L}][\\P{Lu}]', 'u'],
    ['\\pC\\PC', '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}][\\P{C}\\p{Cn}]', 'u'],
    ['\\p{Any}\\P{Any}', '[\\u{0}-\\u{10ffff}][]', 'u'],
    ['\\Qa.b*\\E+', 'a\\.b\\*+', 'u'],
    ['a{,5}{x}{01}', 'a\\{,5\\}\\{x\\}\\{01\\}', 'u'],
    ['x{2}y{2,}z{2,3}?', 'x{2}y{2,}z{2,3}?', 'u'],
    ['(?U)a*b*?', 'a*?b*', 'u'],
    ['^*', '(?:^)*', 'u'],
    ['[]a]', '[\\u{5d}a]', 'u'],
    ['[^-a-c]', '[^\\u{2d}a-c]', 'u'],
    ['\\x41\\x{1F600}\\101\\0', 'A\\u{1f600}A\\u{0}', 'u'],
    ['a/b\\-c\\_d', 'a\\/b-c_d', 'u'],
    ['\n\t', '\\u{a}\\u{9}', 'u'],
  ];
  for (const [pattern, jsSource, jsFlags] of cases) {
    it(`translates ${JSON.stringify(pattern)}`, () => {
      const re = compileGoRegex(pattern);
      assert.equal(re.source, pattern);
      assert.equal(re.jsSource, jsSource);
      assert.equal(re.jsFlags, jsFlags);
    });
  }

  it('reports Go subexpression names and count', () => {
    const re = compileGoRegex('(a)(?P<first>b)(?:c)(?<second>d)(?P<1x>e)(?P<first>f)');
    assert.equal(re.numSubexp, 5);
    assert.deepEqual(re.subexpNames, ['', '', 'first', 'second', '1x', 'first']);
    assert.equal(compileGoRegex('abc').numSubexp, 0);
    assert.deepEqual(compileGoRegex('abc').subexpNames, ['']);
  });
});

describe('compileGoRegex: matching like Go', () => {
  // [pattern, input, groups of the leftmost match (null: no match)]
  const cases: [string, string, (string | undefined)[] | null][] = [
    [
      '^(.*)_seconds_total$',
      'http_request_duration_seconds_total',
      ['http_request_duration_seconds_total', 'http_request_duration'],
    ],
    ['^(.*)_seconds_total$', 'seconds_total', null],
    ['^(.*)_seconds_total$', 'x_seconds_total_y', null],
    ['(?i)HTTP_(.*)', 'Http_X', ['Http_X', 'X']],
    ['(a)|(b)', 'b', ['b', undefined, 'b']],
    ['.', '😀x', ['😀']],
    ['.', '\nx', ['x']],
    ['(?s).', '\nx', ['\n']],
    ['(?m)^b$', 'a\nb\nc', ['b']],
    ['(?m)^b$', 'a\r\nb\r\n', null],
    ['^b$', 'a\nb', null],
    ['^b$', 'b\n', null],
    ['\\Aa\\z', 'a\n', null],
    ['\\s+', 'a\u000bb', null],
    ['\\s+', 'a\u00a0b', null],
    ['\\s+', 'a \t\nb', [' \t\n']],
    ['[[:^alpha:]]+', 'abc123def', ['123']],
    ['(?i)[[:^alpha:]]+', 'ſK1', ['1']],
    ['(?i)k', '\u212a', ['\u212a']],
    ['\\pL+', '123日本語abc', ['日本語abc']],
    ['\\p{Greek}+', 'abcαβγ', ['αβγ']],
    ['\\PL+', 'abc123', ['123']],
    ['\\Qa.b\\E+', 'a.bbb', ['a.bbb']],
    ['\\Qa.b\\E+', 'axb', null],
    ['x{2,3}', 'xxxxx', ['xxx']],
    ['a{,2}', 'a{,2}', ['a{,2}']],
    ['(?U)a+', 'aaa', ['a']],
    ['(?U)a+?', 'aaa', ['aaa']],
    ['\\x41\\x{1F600}\\101\\0', 'AA😀A\u0000', ['A😀A\u0000']],
    ['[]a]+', 'x]a]', [']a]']],
    ['[^]a]+', ']a]xyz', ['xyz']],
    ['[a-]+', 'x-a-', ['-a-']],
    ['(a*)+', 'b', ['', '']],
    ['(a|ab)(c|bcd)(d*)', 'abcd', ['abcd', 'a', 'bcd', '']],
    ['', 'abc', ['']],
    ['a|', 'b', ['']],
    ['a(b)', 'xabyab', ['ab', 'b']],
  ];
  for (const [pattern, input, expected] of cases) {
    it(`${JSON.stringify(pattern)} on ${JSON.stringify(input)}`, () => {
      const re = compileGoRegex(pattern);
      const match = re.exec(input);
      assert.deepEqual(match?.groups ?? null, expected);
      assert.equal(re.test(input), expected !== null);
    });
  }

  it('reports where the match starts', () => {
    assert.equal(compileGoRegex('b+').exec('aabbb')?.index, 2);
  });

  it('keeps no state between calls (no g or y flag)', () => {
    const re = compileGoRegex('a');
    for (let i = 0; i < 3; i++) assert.equal(re.test('xa'), true);
  });
});

describe('GoRegex.expand: Go ExpandString', () => {
  const numbered = compileGoRegex('^(\\d+)(\\D*)$');
  const numberedMatch = numbered.exec('123abc');
  const cases: [string, string][] = [
    ['$1', '123'],
    ['${1}', '123'],
    ['$1x', ''], // the name is "1x": no such group
    ['${1}x', '123x'],
    ['$2', 'abc'],
    ['$0', '123abc'],
    ['${0}', '123abc'],
    ['$$', '$'],
    ['$$1', '$1'],
    ['${', '${'],
    ['${2', '${2'],
    ['${}', '${}'],
    ['$', '$'],
    ['$-', '$-'],
    ['$ ', '$ '],
    ['$01', ''], // leading zero: a name, not a number
    ['$3', ''], // no such group
    ['$99999999999', ''],
    ['$é', ''], // letters other than ASCII are part of names too
    ['pre-${2}-$1-post', 'pre-abc-123-post'],
    ['no references', 'no references'],
  ];
  for (const [template, expected] of cases) {
    it(`expands ${JSON.stringify(template)} to ${JSON.stringify(expected)}`, () => {
      assert.ok(numberedMatch !== null);
      assert.equal(numbered.expand(template, numberedMatch), expected);
    });
  }

  it('expands the Go-verified combined template', () => {
    assert.ok(numberedMatch !== null);
    assert.equal(
      numbered.expand('$1x|${1}x|$2|$$|${|$|$0|${0}|$01|$-|$ |${2', numberedMatch),
      '|123x|abc|$|${|$|123abc|123abc||$-|$ |${2',
    );
  });

  it('expands named groups, taking the first participating group of a duplicated name', () => {
    const re = compileGoRegex('(?P<first>\\w+)_(?P<second>\\w+?)$');
    assert.equal(goMatchAndExpand(re, '$second-$first', 'foo_bar_baz'), 'baz-foo_bar');
    assert.equal(goMatchAndExpand(re, '${second}x$secondx', 'foo_bar_baz'), 'bazx');
    const duplicated = compileGoRegex('(?P<x>a)|(?P<x>b)');
    assert.equal(goMatchAndExpand(duplicated, '[$x]', 'b'), '[b]');
  });

  it('expands a group that did not participate to ""', () => {
    assert.equal(goMatchAndExpand(compileGoRegex('(a)|(b)'), '[$1][$2]', 'b'), '[][b]');
  });
});

describe('goMatchAndExpand: prometheus-adapter naming', () => {
  const cases: [string, string, string, string | undefined][] = [
    [
      '^(.*)_seconds_total$',
      '${1}_per_second',
      'http_request_duration_seconds_total',
      'http_request_duration_per_second',
    ],
    ['^(.*)_seconds_total$', '${1}_per_second', 'http_requests_total', undefined],
    ['^(.*)_total$', '$1', 'http_requests_total', 'http_requests'],
    [
      '^container_(.*)_seconds_total$',
      '$0',
      'container_cpu_usage_seconds_total',
      'container_cpu_usage_seconds_total',
    ],
    ['.*', '$0', 'anything', 'anything'],
    // Only the leftmost match is expanded; the rest of the input is not part of the result.
    ['a(b)', '[$1]', 'xabyab', '[b]'],
    ['_total', 'X', 'a_total_total', 'X'],
    ['(?i)HTTP_(.*)', '$1', 'http_requests', 'requests'],
  ];
  for (const [pattern, template, input, expected] of cases) {
    it(`${pattern} as ${template} on ${input}`, () => {
      assert.equal(goMatchAndExpand(compileGoRegex(pattern), template, input), expected);
    });
  }

  it('defaults name.as to $0 without groups and $1 with one', () => {
    const none = compileGoRegex('^http_.*');
    const one = compileGoRegex('^(.*)_total$');
    assert.equal(defaultNameTemplate(none), '$0');
    assert.equal(defaultNameTemplate(one), '$1');
    assert.equal(defaultNameTemplate(compileGoRegex('(a)(b)')), undefined);
    assert.equal(
      goMatchAndExpand(none, defaultNameTemplate(none) ?? '', 'http_requests_total'),
      'http_requests_total',
    );
    assert.equal(
      goMatchAndExpand(one, defaultNameTemplate(one) ?? '', 'http_requests_total'),
      'http_requests',
    );
  });
});

describe('compileGoRegex: errors', () => {
  function assertRefused(
    pattern: string,
    reason: GoRegexErrorReason,
    message: RegExp,
    offset?: number,
  ): void {
    assert.throws(
      () => compileGoRegex(pattern),
      (error: unknown) => {
        assert.ok(error instanceof GoRegexError, `expected GoRegexError for ${pattern}`);
        assert.equal(error.reason, reason);
        assert.match(error.message, message);
        if (offset !== undefined) assert.equal(error.offset, offset);
        return true;
      },
    );
  }

  // Messages as Go's regexp.Compile words them; some add a hint in parentheses.
  const invalid: [string, string, number][] = [
    [
      '\\1',
      'error parsing regexp: invalid escape sequence: `\\1` (backreferences are not supported by Go regexp (RE2))',
      0,
    ],
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`', 3],
    ['\\8', 'error parsing regexp: invalid escape sequence: `\\8`', 0],
    [
      '(?=a)',
      'error parsing regexp: invalid or unsupported Perl syntax: `(?=` (lookahead is not supported',
      0,
    ],
    [
      '(?!a)',
      'error parsing regexp: invalid or unsupported Perl syntax: `(?!` (lookahead is not supported',
      0,
    ],
    ['x(?<=a)', 'error parsing regexp: invalid named capture: `(?<=a)` (lookbehind is not supported', 1],
    ['(?<!a)>', 'error parsing regexp: invalid named capture: `(?<!a)>` (lookbehind is not supported', 0],
    ['(?P=n)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?P` (backreferences', 0],
    ['(?#c)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?#`', 0],
    ['(?>a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?>`', 0],
    ['(?i', 'error parsing regexp: invalid or unsupported Perl syntax: `(?i`', 0],
    ['(?-)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?-)`', 0],
    ['(?P<a-b>x)', 'error parsing regexp: invalid named capture: `(?P<a-b>`', 0],
    ['(?P<>x)', 'error parsing regexp: invalid named capture: `(?P<>`', 0],
    ['(?P<é>x)', 'error parsing regexp: invalid named capture: `(?P<é>`', 0],
    ['(?P<name', 'error parsing regexp: invalid named capture: `(?P<name`', 0],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`', 1],
    ['a*+', 'error parsing regexp: invalid nested repetition operator: `*+`', 1],
    ['a{2}{3}', 'error parsing regexp: invalid nested repetition operator: `{2}{3}`', 1],
    ['*a', 'error parsing regexp: missing argument to repetition operator: `*`', 0],
    ['a|*', 'error parsing regexp: missing argument to repetition operator: `*`', 2],
    ['(?i)+', 'error parsing regexp: missing argument to repetition operator: `+`', 4],
    ['x{1001}', 'error parsing regexp: invalid repeat count: `{1001}`', 1],
    ['x{2,1}', 'error parsing regexp: invalid repeat count: `{2,1}`', 1],
    ['(a{1000}){2}', 'error parsing regexp: invalid repeat count: `{2}`', 9],
    ['((a{10}){10}){11}', 'error parsing regexp: invalid repeat count: `{11}`', 13],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`', 1],
    ['[[:foo:]]', 'error parsing regexp: invalid character class range: `[:foo:]`', 1],
    ['\\p{Foo}', 'error parsing regexp: invalid character class range: `\\p{Foo}`', 0],
    ['\\pX', 'error parsing regexp: invalid character class range: `\\pX`', 0],
    ['\\p{L', 'error parsing regexp: invalid character class range: `\\p{L`', 0],
    ['[a', 'error parsing regexp: missing closing ]: `[a`', 0],
    ['[]', 'error parsing regexp: missing closing ]: `[]`', 0],
    ['[\\b]', 'error parsing regexp: invalid escape sequence: `\\b`', 1],
    ['(a', 'error parsing regexp: missing closing ): `(a`', 0],
    ['a)', 'error parsing regexp: unexpected ): `a)`', 1],
    ['a\\', 'error parsing regexp: trailing backslash at end of expression: ``', 1],
    ['\\C', 'error parsing regexp: invalid escape sequence: `\\C`', 0],
    ['\\Z', 'error parsing regexp: invalid escape sequence: `\\Z` (Go has no \\Z', 0],
    ['\\x4', 'error parsing regexp: invalid escape sequence: `\\x4`', 0],
    ['\\x{110000}', 'error parsing regexp: invalid escape sequence: `\\x{110000`', 0],
    ['\\x{}', 'error parsing regexp: invalid escape sequence: `\\x{}`', 0],
    ['\\k<n>', 'error parsing regexp: invalid escape sequence: `\\k`', 0],
    ['\\é', 'error parsing regexp: invalid escape sequence: `\\é`', 0],
    ['a\ud800', 'error parsing regexp: invalid UTF-8', 1],
  ];
  for (const [pattern, message, offset] of invalid) {
    it(`rejects ${JSON.stringify(pattern)} as invalid Go`, () => {
      assertRefused(
        pattern,
        'invalid',
        new RegExp(`^${message.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`),
        offset,
      );
    });
  }

  it('rejects too deep nesting', () => {
    assertRefused(`${'('.repeat(1001)}${')'.repeat(1001)}`, 'invalid', /expression nests too deeply/);
    assert.equal(compileGoRegex(`${'('.repeat(200)}a${')'.repeat(200)}`).numSubexp, 200);
  });

  const untranslatable: [string, RegExp, number][] = [
    [
      'a(?i)b',
      /`\(\?i\)` at offset 1: changing case-insensitivity inside a pattern needs regexp modifiers/,
      1,
    ],
    ['(?i:a)b', /`\(\?i:` at offset 0/, 0],
    ['(?i)a(?-i)b', /`\(\?-i\)` at offset 5/, 5],
    ['((?i)a)', /`\(\?i\)` at offset 1/, 1],
    ['(?i)\\PL', /`\\PL` at offset 4: a negated Unicode class under \(\?i\)/, 4],
    ['(?i)[\\p{^Greek}]', /a negated Unicode class under \(\?i\)/, 5],
    [
      '(?:(a)|b)+',
      /`\+` at offset 9: a repeated expression contains a capture group that some iterations skip/,
      9,
    ],
    ['(?:(a)?b)*', /capture group that some iterations skip/, 9],
    ['(|a)+', /`\+` at offset 4: a repeated expression that prefers matching the empty string/, 4],
    ['(a*?)?', /prefers matching the empty string/, 5],
  ];
  for (const [pattern, message, offset] of untranslatable) {
    it(`refuses ${JSON.stringify(pattern)} as untranslatable`, () => {
      assertRefused(pattern, 'untranslatable', message, offset);
    });
  }

  it("reports Go's error first when a pattern is also invalid", () => {
    assertRefused('a(?i)b\\1', 'invalid', /invalid escape sequence: `\\1`/);
  });

  const accepted = [
    '(?i)(?s)(?m)^a.$',
    '(?i)(?-i)a(?-i)b',
    '(?s:a.)(?m:^b$)(?U:c*)',
    '(?:(a)b)+',
    '(a|b)+',
    '(a)*',
    '(a|)*',
    '(?:a|)+?',
    '(?i)\\pL',
    '\\PL',
    '(a{10}){100}',
    'x{0}{',
    '\\Q\\E',
    '\\Qunterminated quote (',
  ];
  for (const pattern of accepted) {
    it(`accepts ${JSON.stringify(pattern)}`, () => {
      assert.doesNotThrow(() => compileGoRegex(pattern));
    });
  }
});

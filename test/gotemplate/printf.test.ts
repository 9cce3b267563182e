// printf: Go's fmt verbs, flags, width and precision, and its error notations.
import { runCases, sampleData } from './helpers.js';

const data = sampleData();

runCases('printf strings', [
  { name: '%s and %v', template: '{{printf "%s|%v" "ab" "cd"}}', want: 'ab|cd' },
  {
    name: 'width and alignment',
    template: '{{printf "%5s|%-5s|%05s|%.2s|%5.1s|%-10s|" "ab" "ab" "ab" "abc" "abc" "metric"}}',
    want: '   ab|ab   |000ab|ab|    a|metric    |',
  },
  { name: 'width counts runes', template: '{{printf "%4s|%.1s" "é" "éa"}}', want: '   é|é' },
  {
    name: '%q',
    template: '{{printf "%q" "a\\"b\\\\c\\n\\t\\x00\\x7fé\\u00a0\\U0001F600\\u200b"}}',
    want: '"a\\"b\\\\c\\n\\t\\x00\\x7fé\\u00a0😀\\u200b"',
  },
  {
    name: '%q with flags',
    template: '{{printf "%#q|%#q|%+q|%.2q" "abc" "a`b" "é" "abc"}}',
    want: '`abc`|"a`b"|"\\u00e9"|"ab"',
  },
  {
    name: '%x and %X on strings',
    template: '{{printf "%x|%X|% x|%#x|%# x|%.2x|%8x|%-8x|" "hello" "hi" "abc" "abc" "ab" "abc" "ab" "ab"}}',
    want: '68656c6c6f|6869|61 62 63|0x616263|0x61 0x62|6162|    6162|6162    |',
  },
  { name: '%x of UTF-8', template: '{{printf "%x" "é"}}', want: 'c3a9' },
  { name: 'wrong verb for a string', template: '{{printf "%d" "x"}}', want: '%!d(string=x)' },
  { name: 'wrong verb keeps the width', template: '{{printf "%5d" "ab"}}', want: '%!d(string=   ab)' },
]);

runCases('printf integers', [
  {
    name: 'bases and flags',
    template:
      '{{printf "%5d|%-5d|%05d|%x|%X|%#x|%o|%#o|%O|%b|%#b|%+d|% d" 42 42 42 255 255 255 8 8 8 5 5 5 5}}',
    want: '   42|42   |00042|ff|FF|0xff|10|010|0o10|101|0b101|+5| 5',
  },
  {
    name: 'negative numbers',
    template: '{{printf "%d|%5d|%05d|%x|%+d|%-6d|" -42 -42 -42 -255 -3 -3}}',
    want: '-42|  -42|-0042|-ff|-3|-3    |',
  },
  {
    name: 'precision on integers',
    template: '{{printf "%.3d|%6.3d|%.0d|%5.0d|" 7 7 0 0}}',
    want: '007|   007||     |',
  },
  {
    name: 'zero padding with prefix',
    template: '{{printf "%#08x|%08b" 255 5}}',
    want: '0x000000ff|00000101',
  },
  {
    name: 'characters',
    template: '{{printf "%c|%q|%U|%#U|%+q" 65 65 65 233 233}}',
    want: "A|'A'|U+0041|U+00E9 'é'|'\\u00e9'",
  },
  {
    name: 'invalid rune',
    template: '{{printf "%c|%q|%U" -1 1114112 1114112}}',
    want: "\uFFFD|'\uFFFD'|U+110000",
  },
  { name: '%v of an int', template: '{{printf "%v|%6v|%-6v|" 12 12 12}}', want: '12|    12|12    |' },
  {
    name: 'wrong verb for an int',
    template: '{{printf "%s|%f|%t" 1 2 3}}',
    want: '%!s(int=1)|%!f(int=2)|%!t(int=3)',
  },
  {
    name: 'large integers',
    template: '{{printf "%d %x" 9223372036854775807 -9223372036854775808}}',
    want: '9223372036854775807 -8000000000000000',
  },
]);

runCases('printf floats', [
  {
    name: 'default precisions',
    template: '{{printf "%f %e %g %E %G" 3.14159 3.14159 3.14159 1e21 1e-7}}',
    want: '3.141590 3.141590e+00 3.14159 1.000000E+21 1E-07',
  },
  {
    name: 'precision',
    template: '{{printf "%.2f %.3e %.3g %.0f %.1f" 3.14159 3.14159 3.14159 3.7 0.05}}',
    want: '3.14 3.142e+00 3.14 4 0.1',
  },
  {
    name: 'ties round to even',
    template: '{{printf "%.0f %.0f %.2f %.1f %.0f %.0e" 2.5 3.5 0.125 0.25 0.5 2.5}}',
    want: '2 4 0.12 0.2 0 2e+00',
  },
  {
    name: 'values just past a tie',
    template: '{{printf "%.2f %.1f %.2f" 1.005 0.15 12.345}}',
    want: '1.00 0.1 12.35',
  },
  {
    name: 'flags and width',
    template:
      '{{printf "%+.2f|% .2f|%08.3f|%-8.2f|%+08d|%8.3f|%-+8.1f|" 3.14159 3.14159 -3.14159 3.14159 -42 2.0 2.0}}',
    want: '+3.14| 3.14|-003.142|3.14    |-0000042|   2.000|+2.0    |',
  },
  { name: 'percent sign', template: '{{printf "%6.2f%%" 12.345}}', want: ' 12.35%' },
  {
    name: '%v of floats',
    template: '{{printf "%v %.3v %10.2v %v %v" 3.14159 3.14159 3.14159 1e6 1e20}}',
    want: '3.14159 3.14        3.1 1e+06 1e+20',
  },
  {
    name: '%g switches to exponents',
    template: '{{printf "%g %g %g %g %g" 1e6 123456.0 1e-5 0.0001 100000.0}}',
    want: '1e+06 123456 1e-05 0.0001 100000',
  },
  {
    name: '# flag',
    template: '{{printf "%#g %#.3g %#f %#e %#.0f %#v" 1.0 1.0 1.0 1.0 1.0 1.5}}',
    want: '1.00000 1.00 1.000000 1.000000e+00 1. 1.5',
  },
  {
    name: '%g precision',
    template: '{{printf "%.3g %.10g %.1g %.0g" 1234.5678 1234.5678 0.000123 5.5}}',
    want: '1.23e+03 1234.5678 0.0001 6',
  },
  {
    name: 'large precision',
    template: '{{printf "%.20f %.25e" 0.1 1.0}}',
    want: '0.10000000000000000555 1.0000000000000000000000000e+00',
  },
  {
    name: 'zero and negative zero',
    template: '{{printf "%f %e %g %v" 0.0 0.0 -0.0 -0.0}}',
    want: '0.000000 0.000000e+00 -0 -0',
  },
  {
    name: 'infinity and NaN',
    template: '{{printf "%f|%5.1f|%+v|%v|%05f|% f" .I .J .I .N .N .N}}',
    data: { I: Infinity, J: -Infinity, N: NaN },
    want: '+Inf| -Inf|+Inf|NaN|  NaN| NaN',
  },
  {
    name: 'hexadecimal floats',
    template: '{{printf "%x %X %.2x %x %x" 1.0 -3.5 3.14159 0.0 1e-320}}',
    want: '0x1p+00 -0X1.CP+01 0x1.92p+01 0x0p+00 0x1.fap-1064',
  },
  { name: '%b of a float', template: '{{printf "%b" 1.0}}', want: '4503599627370496p-52' },
  {
    name: 'integral float literal is a float64',
    template: '{{printf "%d|%.1f|%T" 1.0 2.0 3.0}}',
    want: '%!d(float64=1)|2.0|float64',
  },
  { name: 'integer data is an int', template: '{{printf "%.1f|%d" . .}}', data: 2, want: '%!f(int=2)|2' },
  {
    name: 'fractional data is a float64',
    template: '{{printf "%.1f|%d" . .}}',
    data: 2.25,
    want: '2.2|%!d(float64=2.25)',
  },
  {
    name: 'wrong verb for a float',
    template: '{{printf "%s|%d" 1.5 2.5}}',
    want: '%!s(float64=1.5)|%!d(float64=2.5)',
  },
]);

runCases('printf booleans, nil, composites', [
  {
    name: 'booleans',
    template: '{{printf "%t|%v|%5t|%d" true false true true}}',
    want: 'true|false| true|%!d(bool=true)',
  },
  {
    name: 'nil',
    template: '{{printf "%v|%s|%d|%5v" nil nil nil nil}}',
    want: '<nil>|%!s(<nil>)|%!d(<nil>)|<nil>',
  },
  {
    name: 'missing value is nil',
    template: '{{printf "%v|%d" .M.missing .M.missing}}',
    data,
    want: '<nil>|%!d(<nil>)',
  },
  {
    name: 'slice applies the verb to elements',
    template: '{{printf "%v|%s|%d" .L .L .L}}',
    data,
    want: '[x <nil> 2 1.5]|[x <nil> %!s(int=2) %!s(float64=1.5)]|[%!d(string=x) <nil> 2 %!d(float64=1.5)]',
  },
  {
    name: 'width applies to each element',
    template: '{{printf "%3v|%-3d|" . .}}',
    data: [1, 2],
    want: '[  1   2]|[1   2  ]|',
  },
  { name: '%q on a slice', template: '{{printf "%q" .}}', data: ['a', 'b'], want: '["a" "b"]' },
  { name: '%x on a slice', template: '{{printf "%x" .}}', data: ['ab', 255], want: '[6162 ff]' },
  {
    name: 'map',
    template: '{{printf "%v|%+v|%d" .M .M .MS}}',
    data,
    want: 'map[k:v n:<nil> z:1]|map[k:v n:<nil> z:1]|map[%!d(string=q):%!d(string=w)]',
  },
  { name: 'struct', template: '{{printf "%v|%+v" . .}}', data: { A: 1, B: 'x' }, want: '{1 x}|{A:1 B:x}' },
  {
    name: 'Go syntax',
    template: '{{printf "%#v|%#v|%#v|%#v|%#v" 1.0 "a" .L .M .MS}}',
    data,
    want: '1|"a"|[]interface {}{"x", interface {}(nil), 2, 1.5}|map[string]interface {}{"k":"v", "n":interface {}(nil), "z":1}|map[string]string{"q":"w"}',
  },
  {
    name: 'Go syntax of a struct',
    template: '{{printf "%#v" .}}',
    data: { A: 'a', B: null },
    want: 'struct { A interface {}; B interface {} }{A:"a", B:interface {}(nil)}',
  },
  {
    name: '%T',
    template: '{{printf "%T %T %T %T %T %T %T" 1 1.5 "a" true .L .M .MS}}',
    data,
    want: 'int float64 string bool []interface {} map[string]interface {} map[string]string',
  },
  {
    name: '%T of nil and a struct',
    template: '{{printf "%T|%T" nil .}}',
    data: { A: 1 },
    want: '<nil>|struct { A interface {} }',
  },
  {
    name: 'wrong verb for a struct field',
    template: '{{printf "%d" .}}',
    data: { A: 'x', B: 1 },
    want: '{%!d(string=x) 1}',
  },
  {
    name: 'bad verb on a struct names its type',
    template: '{{printf "%z" .}}',
    data: { A: 'x' },
    want: '{%!z(string=x)}',
  },
]);

runCases('printf argument handling', [
  { name: 'missing argument', template: '{{printf "%d %s" 1}}', want: '1 %!s(MISSING)' },
  {
    name: 'extra arguments',
    template: '{{printf "%d" 1 "x" 2 nil}}',
    want: '1%!(EXTRA string=x, int=2, <nil>)',
  },
  { name: 'no verbs and an argument', template: '{{printf "hi" 1}}', want: 'hi%!(EXTRA int=1)' },
  { name: 'no verb at the end', template: '{{printf "%"}}|{{printf "%-"}}', want: '%!(NOVERB)|%!(NOVERB)' },
  { name: 'unknown verb', template: '{{printf "%z %!" 1}}', want: '%!z(int=1) %!!(MISSING)' },
  { name: 'dot is not a precision at the end', template: '{{printf "%."}}', want: '%!.(MISSING)' },
  { name: 'percent ignores flags and arguments', template: '{{printf "%5%|%-%"}}', want: '%|%' },
  {
    name: 'star width and precision',
    template: '{{printf "%*d|%-*d|%.*f|%*s|" 5 1 5 1 2 3.14159 -4 "a"}}',
    want: '    1|1    |3.14|a   |',
  },
  { name: 'bad star width', template: '{{printf "%*d" "x" 1}}', want: '%!(BADWIDTH)1' },
  { name: 'bad star precision', template: '{{printf "%.*d" "x" 1}}', want: '%!(BADPREC)1' },
  { name: 'negative star precision', template: '{{printf "%.*d|" -1 7}}', want: '%!(BADPREC)7|' },
  { name: 'argument indexes', template: '{{printf "%[2]d %[1]d %d" 1 2}}', want: '2 1 2' },
  { name: 'argument index with star', template: '{{printf "%[3]*.[2]*[1]f" 12.0 2 6}}', want: ' 12.00' },
  {
    name: 'bad argument index',
    template: '{{printf "%[3]d|%[0]d|%[x]d" 1 2}}',
    want: '%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)',
  },
  { name: 'reordered arguments are not extra', template: '{{printf "%[1]d" 1 2}}', want: '1' },
  { name: 'non-ASCII verb', template: '{{printf "%é" 1}}', want: '%!é(int=1)' },
  {
    name: 'format must be a string',
    template: '{{printf 1}}',
    wantErr: 'template: tmpl:1:9: executing "tmpl" at <1>: expected string; found 1',
  },
  {
    name: 'format from an int field',
    template: '{{printf .N}}',
    data,
    wantErr: 'at <.N>: wrong type for value; expected string; got int',
  },
  {
    name: 'format from a nil field',
    template: '{{printf .B}}',
    data,
    wantErr: 'wrong type for value; expected string; got interface {}',
  },
  {
    name: 'format from a missing value',
    template: '{{printf .M.missing}}',
    data,
    wantErr: 'invalid value; expected string',
  },
  { name: 'format nil', template: '{{printf nil}}', wantErr: 'cannot assign nil to string' },
  { name: 'format from a field', template: '{{printf .A}}', data, want: 'a' },
  { name: 'format piped in', template: '{{"%s!" | printf}}', want: '%!s(MISSING)!' },
  {
    name: 'printf without arguments',
    template: '{{printf}}',
    wantErr:
      'template: tmpl:1:2: executing "tmpl" at <printf>: wrong number of args for printf: want at least 1 got 0',
  },
]);

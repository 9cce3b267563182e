// Builtin functions, join, and functions passed in by the caller.
import { GoMap } from '../../src/gotemplate/index.js';
import { runCases, sampleData } from './helpers.js';

const data = sampleData();

runCases('and, or, not', [
  { name: 'and returns the first false argument', template: '{{and 1 0 2}}', want: '0' },
  { name: 'and returns the last argument when all are true', template: '{{and 1 2}}', want: '2' },
  { name: 'or returns the first true argument', template: '{{or 0 "" 3}}', want: '3' },
  { name: 'or returns the last argument when all are false', template: '{{or 0 ""}}', want: '' },
  { name: 'and short-circuits', template: '{{and 0 (index .L 99)}}', data, want: '0' },
  { name: 'or short-circuits', template: '{{or 1 (index .L 99)}}', data, want: '1' },
  {
    name: 'and evaluates on when true',
    template: '{{and 1 (index .L 99)}}',
    data,
    wantErr:
      'template: tmpl:1:9: executing "tmpl" at <index .L 99>: error calling index: index out of range: 99',
  },
  { name: 'and with a missing value', template: '{{and .M.missing 1}}', data, want: '<no value>' },
  {
    name: 'or with a missing value',
    template: '{{if or .M.missing .A}}{{.}}{{end}}',
    data: { ...data, L: [] },
    want: '{a <nil> 3 [] map[k:v n:<nil> z:1] map[q:w] 0.5}',
  },
  { name: 'and in a pipeline', template: '{{1 | and 2}}', want: '1' },
  { name: 'and with one argument', template: '{{and 5}}', want: '5' },
  {
    name: 'and without arguments',
    template: '{{and}}',
    wantErr:
      'template: tmpl:1:2: executing "tmpl" at <and>: wrong number of args for and: want at least 1 got 0',
  },
  {
    name: 'not',
    template: '{{not 0}} {{not ""}} {{not .L}} {{not $}} {{not .M.missing}} {{not .B}}',
    data,
    want: 'true true false false true true',
  },
  {
    name: 'not with two arguments',
    template: '{{not 1 2}}',
    wantErr: 'at <not>: wrong number of args for not: want 1 got 2',
  },
]);

runCases('len, index, slice', [
  {
    name: 'len of a string counts bytes',
    template: '{{len "héllo"}} {{len ""}} {{len "😀"}}',
    want: '6 0 4',
  },
  { name: 'len of slice and map', template: '{{len .L}} {{len .M}} {{len .MS}}', data, want: '4 3 1' },
  {
    name: 'len of an int',
    template: '{{len 3}}',
    wantErr: 'template: tmpl:1:2: executing "tmpl" at <len 3>: error calling len: len of type int',
  },
  { name: 'len of nil', template: '{{len .B}}', data, wantErr: 'error calling len: len of nil pointer' },
  {
    name: 'len of a missing value',
    template: '{{len .M.missing}}',
    data,
    wantErr: 'error calling len: reflect: call of reflect.Value.Type on zero Value',
  },
  { name: 'len in a pipeline', template: '{{"abc" | len}}', want: '3' },
  {
    name: 'len without arguments',
    template: '{{len}}',
    wantErr: 'wrong number of args for len: want 1 got 0',
  },
  { name: 'index a slice', template: '{{index .L 0}} {{index .L 2}}', data, want: 'x 2' },
  { name: 'index a nil element', template: '{{index .L 1}}', data, want: '<no value>' },
  { name: 'index nested', template: '{{index . 1 0}}', data: [[1], ['a', 'b']], want: 'a' },
  {
    name: 'index into a map then a slice',
    template: '{{index . "k" 1}}',
    data: new Map([['k', ['a', 'b']]]),
    want: 'b',
  },
  { name: 'index a string gives a byte', template: '{{index .A 0}} {{index "é" 1}}', data, want: '97 169' },
  { name: 'index without indexes', template: '{{index .L}}', data, want: '[x <nil> 2 1.5]' },
  {
    name: 'index out of range',
    template: '{{index .L 5}}',
    data,
    wantErr:
      'template: tmpl:1:2: executing "tmpl" at <index .L 5>: error calling index: index out of range: 5',
  },
  {
    name: 'index at the length',
    template: '{{index .L 4}}',
    data,
    wantErr: 'error calling index: reflect: slice index out of range',
  },
  {
    name: 'index a string at its length',
    template: '{{index "ab" 2}}',
    wantErr: 'error calling index: reflect: string index out of range',
  },
  {
    name: 'negative index',
    template: '{{index .L -1}}',
    data,
    wantErr: 'error calling index: index out of range: -1',
  },
  {
    name: 'index with a string',
    template: '{{index .L "a"}}',
    data,
    wantErr: 'cannot index slice/array with type string',
  },
  {
    name: 'index with a float',
    template: '{{index .L 1.5}}',
    data,
    wantErr: 'cannot index slice/array with type float64',
  },
  {
    name: 'index with nil',
    template: '{{index .L nil}}',
    data,
    wantErr: 'cannot index slice/array with nil',
  },
  {
    name: 'index a map with an int',
    template: '{{index .M 1}}',
    data,
    wantErr: 'error calling index: value has type int; should be string',
  },
  {
    name: 'index a map with nil',
    template: '{{index .M nil}}',
    data,
    wantErr: 'value is nil; should be of type string',
  },
  { name: 'index a map', template: '{{index .M "k"}} {{index .M "z"}}', data, want: 'v 1' },
  { name: 'index a map, missing key', template: '{{index .M "missing"}}', data, want: '<no value>' },
  {
    name: 'index a typed map, missing key gives the zero value',
    template: '[{{index .MS "missing"}}]',
    data,
    want: '[]',
  },
  { name: 'index a map value that is a string', template: '{{index .M "k" 0}}', data, want: '118' },
  {
    name: 'index an int',
    template: '{{index .N 0}}',
    data,
    wantErr: "error calling index: can't index item of type int",
  },
  {
    name: 'index inside a map value that is an int',
    template: '{{index .M "z" 0}}',
    data,
    wantErr: "can't index item of type int",
  },
  {
    name: 'index through a nil element',
    template: '{{index .L 1 0}}',
    data,
    wantErr: 'error calling index: index of nil pointer',
  },
  {
    name: 'index through a missing map value',
    template: '{{index .M "missing" 0}}',
    data,
    wantErr: 'index of nil pointer',
  },
  { name: 'index of nil', template: '{{index nil 1}}', wantErr: 'error calling index: index of untyped nil' },
  { name: 'index of a nil field', template: '{{index .B 0}}', data, wantErr: 'index of untyped nil' },
  {
    name: 'index of a missing value',
    template: '{{index .M.missing 1}}',
    data,
    wantErr: 'index of untyped nil',
  },
  { name: 'index piped', template: '{{"x" | index}}', want: 'x' },
  {
    name: 'slice a slice',
    template: '{{slice .L 1 2}} {{slice .L 2}} {{slice .L}} {{slice .L 1 2 3}} {{slice .L 4}}',
    data,
    want: '[<nil>] [2 1.5] [x <nil> 2 1.5] [<nil>] []',
  },
  {
    name: 'slice a string by bytes',
    template: '{{slice "hello" 1 3}} {{slice "hello" 3}} {{slice "héllo" 3}}',
    want: 'el lo llo',
  },
  {
    name: 'slice a string with 3 indexes',
    template: '{{slice .A 0 1 1}}',
    data,
    wantErr: 'error calling slice: cannot 3-index slice a string',
  },
  {
    name: 'slice with reversed indexes',
    template: '{{slice .L 2 1}}',
    data,
    wantErr: 'error calling slice: invalid slice index: 2 > 1',
  },
  {
    name: 'slice with 3 reversed indexes',
    template: '{{slice .L 0 3 2}}',
    data,
    wantErr: 'invalid slice index: 3 > 2',
  },
  {
    name: 'slice past the end',
    template: '{{slice .L 5}}',
    data,
    wantErr: 'error calling slice: index out of range: 5',
  },
  {
    name: 'slice with 4 indexes',
    template: '{{slice .L 0 1 2 3}}',
    data,
    wantErr: 'error calling slice: too many slice indexes: 4',
  },
  {
    name: 'slice an int',
    template: '{{slice .N 1}}',
    data,
    wantErr: "error calling slice: can't slice item of type int",
  },
  { name: 'slice nil', template: '{{slice .B}}', data, wantErr: 'error calling slice: slice of untyped nil' },
]);

runCases('comparisons', [
  {
    name: 'eq',
    template: '{{eq 1 1}} {{eq 1 2}} {{eq "a" "a"}} {{eq true true}} {{eq 1.5 1.5}}',
    want: 'true false true true true',
  },
  { name: 'eq with several operands', template: '{{eq "a" "b" "a"}} {{eq 1 2 3}}', want: 'true false' },
  { name: 'eq stops at the first match', template: '{{eq 1 1 "a"}}', want: 'true' },
  {
    name: 'eq with an incompatible later operand',
    template: '{{eq 1 2 "a"}}',
    wantErr: 'error calling eq: incompatible types for comparison',
  },
  {
    name: 'eq int and string',
    template: '{{eq 1 "a"}}',
    wantErr:
      'template: tmpl:1:2: executing "tmpl" at <eq 1 "a">: error calling eq: incompatible types for comparison',
  },
  { name: 'eq int and float', template: '{{eq 1 1.0}}', wantErr: 'incompatible types for comparison' },
  {
    name: 'eq with one operand',
    template: '{{eq 1}}',
    wantErr: 'error calling eq: missing argument for comparison',
  },
  {
    name: 'eq with nil values',
    template:
      '{{eq .M.n .M.n}} {{eq .M.n 1}} {{eq 1 .M.n}} {{eq .M.missing .M.missing}} {{eq .B .M.missing}}',
    data,
    want: 'true false false true true',
  },
  {
    name: 'eq on slices',
    template: '{{eq .L .L}}',
    data,
    wantErr: 'error calling eq: non-comparable type [x <nil> %!s(int=2) %!s(float64=1.5)]: []interface {}',
  },
  {
    name: 'eq on maps',
    template: '{{eq .M .M}}',
    data,
    wantErr: 'non-comparable type map[k:v n:<nil> z:%!s(int=1)]: map[string]interface {}',
  },
  {
    name: 'eq slice and map',
    template: '{{eq .L .M}}',
    data,
    wantErr:
      'non-comparable types [x <nil> %!s(int=2) %!s(float64=1.5)]: []interface {}, map[string]interface {}: map[k:v n:<nil> z:1]',
  },
  {
    name: 'eq on structs',
    template: '{{eq .P .Q}} {{eq .P .R}} {{eq .P .S}}',
    data: { P: { X: 1, Y: 'a' }, Q: { X: 1, Y: 'a' }, R: { X: 2, Y: 'a' }, S: { Z: 1 } },
    want: 'true false false',
  },
  {
    name: 'eq on structs holding slices',
    template: '{{eq .P .Q}}',
    data: { P: { X: [1] }, Q: { X: [1] } },
    wantErr: 'error calling eq: runtime error: comparing uncomparable type []interface {}',
  },
  {
    name: 'eq struct and int',
    template: '{{eq . 1}}',
    data: { X: 1 },
    wantErr: 'incompatible types for comparison',
  },
  { name: 'eq in a pipeline', template: '{{1 | eq 1}}', want: 'true' },
  { name: 'eq compares map values', template: '{{eq (index .MS "q") "w"}}', data, want: 'true' },
  { name: 'ne', template: '{{ne 1 2}} {{ne "a" "a"}}', want: 'true false' },
  {
    name: 'ne incompatible',
    template: '{{ne 1 "a"}}',
    wantErr: 'error calling ne: incompatible types for comparison',
  },
  {
    name: 'lt le gt ge',
    template: '{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}} {{gt 3 2}} {{ge 2 2}} {{lt "a" "ab"}}',
    want: 'true true true false true true true',
  },
  {
    name: 'string order is byte order',
    template: '{{lt "\uFFFD" "\u{1F600}"}} {{lt "Z" "a"}}',
    want: 'true true',
  },
  {
    name: 'lt int and float',
    template: '{{lt 1 1.5}}',
    wantErr: 'error calling lt: incompatible types for comparison',
  },
  {
    name: 'lt on booleans',
    template: '{{lt true false}}',
    wantErr: 'error calling lt: invalid type for comparison',
  },
  { name: 'lt on nil', template: '{{lt .M.n 1}}', data, wantErr: 'invalid type for comparison' },
  { name: 'lt on slices', template: '{{lt .L .L}}', data, wantErr: 'invalid type for comparison' },
  {
    name: 'lt with one piped operand',
    template: '{{1 | lt}}',
    wantErr: 'template: tmpl:1:6: executing "tmpl" at <lt>: wrong number of args for lt: want 2 got 1',
  },
  {
    name: 'lt with three operands',
    template: '{{1 | lt 1 2}}',
    wantErr: 'wrong number of args for lt: want 2 got 3',
  },
  {
    name: 'le on incompatible types',
    template: '{{le 1 "a"}}',
    wantErr: 'error calling le: incompatible types for comparison',
  },
  {
    name: 'gt on nil',
    template: '{{gt .B 1}}',
    data,
    wantErr: 'error calling gt: invalid type for comparison',
  },
]);

runCases('print, println', [
  {
    name: 'print puts spaces between non-strings',
    template: '{{print 1 2 "a" 3 "b" "c" 4.5 true}}',
    want: '1 2a3bc4.5 true',
  },
  { name: 'print nil', template: '{{print "a" nil "b"}}', want: 'a<nil>b' },
  {
    name: 'print missing value is nil',
    template: '{{print .M.missing}} {{.M.missing | print}}',
    data,
    want: '<nil> <nil>',
  },
  {
    name: 'print composites',
    template: '{{print .L .M}}',
    data,
    want: '[x <nil> 2 1.5] map[k:v n:<nil> z:1]',
  },
  { name: 'print no arguments', template: '[{{print}}]', want: '[]' },
  { name: 'println', template: '{{println 1 "a" 2}}', want: '1 a 2\n' },
  { name: 'println nothing', template: '{{println}}', want: '\n' },
]);

runCases('html, js, urlquery', [
  {
    name: 'html',
    template: '{{html "<a href=\\"x\\">\'&\'</a>\\x00"}}',
    want: '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;\uFFFD',
  },
  {
    name: 'html of several values',
    template: '{{html .L}} {{html 1 2}} {{html "a" "b"}}',
    data,
    want: '[x &lt;nil&gt; 2 1.5] 1 2 ab',
  },
  {
    name: 'html of nil reads no value',
    template: '{{html nil}}{{.M.missing | html}}',
    data,
    want: '&lt;no value&gt;&lt;no value&gt;',
  },
  {
    name: 'js',
    template: '{{js "a\'b\\"c<d>e&f=g\\\\h\\n\\x01\\u2028é\\x7f"}}',
    want: 'a\\\'b\\"c\\u003Cd\\u003Ee\\u0026f\\u003Dg\\\\h\\u000A\\u0001\\u2028é\x7f',
  },
  { name: 'js of several values', template: '{{js 1 "a" 2}}', want: '1a2' },
  { name: 'urlquery', template: '{{urlquery "a b&c=d/é~.-_"}}', want: 'a+b%26c%3Dd%2F%C3%A9~.-_' },
  { name: 'urlquery of several values', template: '{{urlquery 1 2 "a"}}', want: '1+2a' },
  { name: 'urlquery of nil', template: '{{urlquery 1 nil 2}}', want: '1%3Cno+value%3E2' },
  { name: 'escapers in a pipeline', template: '{{.A | printf "<%s>" | html}}', data, want: '&lt;a&gt;' },
]);

runCases('call', [
  {
    name: 'call is refused',
    template: '{{call .F}}',
    data: { F: () => 1 },
    wantErr: 'error calling call: call is not supported',
    goSkip: 'Go supports call',
  },
]);

runCases('join', [
  { name: 'sprig order', template: '{{join "," .}}', data: ['a', 'b', 'c'], want: 'a,b,c' },
  { name: 'piped list', template: '{{. | join ", "}}', data: ['a', 'b'], want: 'a, b' },
  { name: 'list first', template: '{{join . "-"}}', data: ['a', 'b'], want: 'a-b' },
  {
    name: 'non-strings use %v and nil is skipped',
    template: '{{join "," .}}',
    data: [1, 2.5, null, true, [1]],
    want: '1,2.5,true,[1]',
  },
  { name: 'empty list', template: '[{{join "," .}}]', data: [], want: '[]' },
  { name: 'nil list', template: '[{{join "," .B}}]', data, want: '[]' },
  { name: 'missing list', template: '[{{.M.missing | join ","}}]', data, want: '[]' },
  { name: 'a single value', template: '{{join "," "a"}}', want: 'a' },
  {
    name: 'separator must be a string',
    template: '{{join 1 2}}',
    wantErr: 'error calling join: wrong type for separator; expected string; got int',
  },
  { name: 'one argument', template: '{{join ","}}', wantErr: 'wrong number of args for join: want 2 got 1' },
  { name: 'a sliced list', template: '{{join "," (slice .L 0 1)}}', data, want: 'x' },
]);

runCases('caller functions', [
  { name: 'called with arguments', template: '{{upper .A}}', data, funcs: ['upper'], want: 'A' },
  { name: 'piped into', template: '{{.A | upper}}', data, funcs: ['upper'], want: 'A' },
  {
    name: 'any number of arguments',
    template: '{{count}} {{count 1 2 3}} {{1 | count 2}}',
    funcs: ['count'],
    want: '0 3 2',
  },
  { name: 'identifier as an argument is called', template: '{{count count}}', funcs: ['count'], want: '1' },
  {
    name: 'error becomes an exec error',
    template: 'x{{fail 1}}',
    funcs: ['fail'],
    wantErr: 'template: tmpl:1:3: executing "tmpl" at <fail 1>: error calling fail: boom',
    errorType: 'exec',
  },
  {
    name: 'error in an argument position names the identifier',
    template: '{{print fail}}',
    funcs: ['fail'],
    wantErr: 'at <fail>: error calling fail: boom',
  },
  { name: 'nil result prints no value', template: '{{nilf}}', funcs: ['nilf'], want: '<no value>' },
  { name: 'nil result as an argument is nil', template: '{{print (nilf)}}', funcs: ['nilf'], want: '<nil>' },
  {
    name: 'field of a nil result',
    template: '{{nilf.X}}',
    funcs: ['nilf'],
    wantErr: 'nil pointer evaluating interface {}.X',
  },
  {
    name: 'field of a parenthesized nil result',
    template: '{{(nilf).X}}',
    funcs: ['nilf'],
    want: '<no value>',
  },
  {
    name: 'undefined without funcs',
    template: '{{upper .A}}',
    data,
    wantErr: 'function "upper" not defined',
  },
]);

runCases('typed map zero values', [
  { name: 'int zero value', template: '{{index . "x"}}', data: new GoMap([['a', 1]], 0), want: '0' },
  {
    name: 'bool zero value',
    template: '{{index . "x"}}',
    data: new GoMap([['a', true]], false),
    want: 'false',
  },
  {
    name: 'interface zero value is nil',
    template: '{{index . "x"}}',
    data: new GoMap<unknown>([['a', 1]], null),
    want: '<no value>',
  },
]);

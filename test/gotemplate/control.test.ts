// if, with, range, break, continue, and what is true.
import { GoMap } from '../../src/gotemplate/index.js';
import { runCases, sampleData } from './helpers.js';

const data = sampleData();
const NOT_IN_GO_1_19 = 'else with arrived in Go 1.23; the oracle runs Go 1.19';

runCases('if', [
  { name: 'true', template: '{{if true}}yes{{end}}', want: 'yes' },
  { name: 'false', template: '{{if false}}yes{{end}}', want: '' },
  { name: 'else', template: '{{if false}}yes{{else}}no{{end}}', want: 'no' },
  {
    name: 'else if chain',
    template: '{{if eq .N 1}}one{{else if eq .N 3}}three{{else}}other{{end}}',
    data,
    want: 'three',
  },
  {
    name: 'else if falls to else',
    template: '{{if eq .N 1}}one{{else if eq .N 2}}two{{else}}other{{end}}',
    data,
    want: 'other',
  },
  {
    name: 'long else if chain',
    template: `{{if false}}0${Array.from({ length: 300 }, (_, i) => `{{else if eq . ${i + 1}}}${i + 1}`).join('')}{{end}}`,
    data: 250,
    want: '250',
  },
  {
    name: 'truth of zero values',
    template:
      '{{if 0}}a{{end}}{{if ""}}b{{end}}{{if .B}}c{{end}}{{if .M.missing}}d{{end}}{{if .E}}e{{end}}{{if .EM}}f{{end}}{{if 0.0}}g{{end}}',
    data: { ...data, E: [], EM: new Map() },
    want: '',
  },
  {
    name: 'truth of non-zero values',
    template:
      '{{if 1}}a{{end}}{{if "x"}}b{{end}}{{if .L}}c{{end}}{{if .M}}d{{end}}{{if $}}e{{end}}{{if .F}}f{{end}}{{if -1}}g{{end}}',
    data,
    want: 'abcdefg',
  },
  { name: 'empty struct is true', template: '{{if .}}yes{{end}}', data: {}, want: 'yes' },
  { name: 'nested', template: '{{if true}}{{if false}}x{{else}}y{{end}}{{end}}', want: 'y' },
  { name: 'if does not change dot', template: '{{if .A}}{{.N}}{{end}}', data, want: '3' },
  {
    name: 'missing end',
    template: '{{if .A}}',
    data,
    wantErr: 'template: tmpl:1:9: unexpected EOF',
    errorType: 'syntax',
  },
  {
    name: 'two elses',
    template: '{{if .A}}{{else}}{{else}}{{end}}',
    data,
    wantErr: 'expected end; found {{else}}',
  },
  { name: 'missing condition', template: '{{if}}x{{end}}', wantErr: 'missing value for if' },
  { name: 'end with arguments', template: '{{if true}}{{end x}}', wantErr: 'unexpected "x" in end' },
  {
    name: 'else with arguments',
    template: '{{if true}}{{else x}}{{end}}',
    wantErr: 'unexpected "x" in else',
  },
  {
    name: 'unexpected end',
    template: 'a{{end}}',
    wantErr: 'template: tmpl:1:3: unexpected {{end}}',
    errorType: 'syntax',
  },
  { name: 'unexpected else', template: '{{else}}', wantErr: 'unexpected {{else}}' },
  {
    name: 'unexpected end with custom delimiters reads like Go',
    template: '<<end>>',
    delims: ['<<', '>>'],
    wantErr: 'unexpected {{end}}',
  },
  {
    name: 'else with after if',
    template: '{{if true}}{{else with 1}}{{end}}',
    wantErr: 'unexpected <with> in input',
    goSkip: NOT_IN_GO_1_19,
  },
]);

runCases('with', [
  { name: 'sets dot', template: '{{with .A}}[{{.}}]{{end}}', data, want: '[a]' },
  { name: 'skips empty', template: '{{with ""}}x{{end}}', want: '' },
  { name: 'else', template: '{{with .M.missing}}x{{else}}empty{{end}}', data, want: 'empty' },
  { name: 'else keeps dot', template: '{{with 0}}x{{else}}{{.}}{{end}}', data: 'outer', want: 'outer' },
  { name: 'with a variable', template: '{{with $x := .A}}{{$x}}{{.}}{{end}}', data, want: 'aa' },
  {
    name: 'dot inside with is concrete',
    template: '{{with .A}}{{.X}}{{end}}',
    data,
    wantErr: 'template: tmpl:1:13: executing "tmpl" at <.X>: can\'t evaluate field X in type string',
  },
  {
    name: 'else with',
    template: '{{with .B}}b{{else with .A}}[{{.}}]{{else}}none{{end}}',
    data,
    want: '[a]',
    goSkip: NOT_IN_GO_1_19,
  },
  {
    name: 'else with chain to else',
    template: '{{with .B}}b{{else with .M.missing}}m{{else}}none{{end}}',
    data,
    want: 'none',
    goSkip: NOT_IN_GO_1_19,
  },
  {
    name: 'else with variables',
    template: '{{with $x := .B}}b{{else with $y := .N}}{{$y}}{{.}}{{end}}',
    data,
    want: '33',
    goSkip: NOT_IN_GO_1_19,
  },
  {
    name: 'else if after with',
    template: '{{with .A}}{{else if .A}}{{end}}',
    data,
    wantErr: 'unexpected <if> in input',
  },
]);

runCases('range', [
  { name: 'slice', template: '{{range .}}[{{.}}]{{end}}', data: ['a', 'b'], want: '[a][b]' },
  {
    name: 'slice with nil element',
    template: '{{range .L}}[{{.}}]{{end}}',
    data,
    want: '[x][<no value>][2][1.5]',
  },
  {
    name: 'index and element',
    template: '{{range $i, $v := .L}}{{$i}}={{$v}};{{end}}',
    data,
    want: '0=x;1=<no value>;2=2;3=1.5;',
  },
  { name: 'element only', template: '{{range $v := .L}}{{$v}};{{end}}', data, want: 'x;<no value>;2;1.5;' },
  {
    name: 'map in key order',
    template: '{{range $k, $v := .}}{{$k}}={{$v}};{{end}}',
    data: new Map([
      ['b', 2],
      ['a', 1],
    ]),
    want: 'a=1;b=2;',
  },
  { name: 'map values', template: '{{range .M}}[{{.}}]{{end}}', data, want: '[v][<no value>][1]' },
  { name: 'typed map', template: '{{range $k, $v := .MS}}{{$k}}:{{$v}}{{end}}', data, want: 'q:w' },
  { name: 'else on empty slice', template: '{{range .}}x{{else}}empty{{end}}', data: [], want: 'empty' },
  {
    name: 'else on empty map',
    template: '{{range .}}x{{else}}empty{{end}}',
    data: new GoMap([], ''),
    want: 'empty',
  },
  {
    name: 'else on missing value',
    template: '{{range .M.missing}}x{{else}}empty{{end}}',
    data,
    want: 'empty',
  },
  { name: 'else on nil field', template: '{{range .B}}x{{else}}y{{end}}', data, want: 'y' },
  { name: 'no else on non-empty', template: '{{range .}}{{.}}{{else}}empty{{end}}', data: [1], want: '1' },
  {
    name: 'dot inside refers to the element',
    template: '{{range .Pods}}{{.Name}},{{end}}',
    data: { Pods: [{ Name: 'a' }, { Name: 'b' }] },
    want: 'a,b,',
  },
  { name: 'root inside range', template: '{{range .L}}{{$.N}}{{end}}', data, want: '3333' },
  {
    name: 'nested ranges',
    template: '{{range $i, $r := .}}{{range $r}}{{$i}}{{.}} {{end}}{{end}}',
    data: [['a', 'b'], ['c']],
    want: '0a 0b 1c ',
  },
  {
    name: 'range over a string',
    template: '{{range .A}}{{end}}',
    data,
    wantErr: 'template: tmpl:1:8: executing "tmpl" at <.A>: range can\'t iterate over a',
  },
  {
    name: 'range over an int',
    template: '{{range .N}}{{end}}',
    data,
    wantErr: "range can't iterate over 3",
    goSkip: 'Go 1.22 ranges over integers; this module does not',
  },
  {
    name: 'range over a struct',
    template: '{{range .}}{{end}}',
    data: { A: 1 },
    wantErr: "range can't iterate over {1}",
  },
  {
    name: 'field of a non-struct element',
    template: '{{range .L}}{{.X}}{{end}}',
    data,
    wantErr: 'template: tmpl:1:14: executing "tmpl" at <.X>: can\'t evaluate field X in type interface {}',
  },
  {
    name: 'field of a nil element',
    template: '{{range .}}{{.X}}{{end}}',
    data: [null],
    wantErr: 'nil pointer evaluating interface {}.X',
  },
  {
    name: 'three variables',
    template: '{{range $i, $v, $w := .L}}{{end}}',
    data,
    wantErr: 'too many declarations in range',
  },
  {
    name: 'comma then a non-variable',
    template: '{{range $i, 1}}{{end}}',
    wantErr: 'range can only initialize variables',
  },
  {
    name: 'element variable ends at end',
    template: '{{range $v := .}}{{end}}{{$v}}',
    data: [1],
    wantErr: 'undefined variable "$v"',
  },
  {
    name: 'body variables reset each iteration',
    template: '{{range .}}{{$x := .}}{{$x}}{{end}}',
    data: [1, 2],
    want: '12',
  },
  {
    name: 'assigning to an outer variable inside range',
    template: '{{$last := 0}}{{range .}}{{$last = .}}{{end}}{{$last}}',
    data: [1, 2, 3],
    want: '3',
  },
  {
    name: 'range assigning to existing variables',
    template: '{{$i := 0}}{{$v := 0}}{{range $i, $v = .}}{{end}}{{$i}} {{$v}}',
    data: ['a', 'b'],
    want: '1 b',
    goSkip: 'Go 1.19 assigns these to the wrong variables; later Go fixed it as done here',
  },
]);

runCases('break and continue', [
  {
    name: 'break',
    template: '{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}',
    data: [1, 2, 3, 4],
    want: '12',
  },
  {
    name: 'continue',
    template: '{{range .}}{{if eq . 3}}{{continue}}{{end}}{{.}}{{end}}',
    data: [1, 2, 3, 4],
    want: '124',
  },
  {
    name: 'break inside with',
    template: '{{range .}}{{with .}}{{break}}{{end}}{{.}}{{end}}done',
    data: [0, 1, 2],
    want: '0done',
  },
  {
    name: 'break leaves the inner range only',
    template: '{{range .}}{{range .}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}};{{end}}',
    data: [[1, 2, 3], [4]],
    want: '1;4;',
  },
  {
    name: 'continue in a nested range',
    template: '{{range .}}{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}};{{end}}',
    data: [[1, 2, 3], [2]],
    want: '13;;',
  },
  {
    name: 'break in a map range',
    template: '{{range $k, $v := .}}{{if eq $k "b"}}{{break}}{{end}}{{$k}}{{end}}',
    data: new Map([
      ['c', 3],
      ['a', 1],
      ['b', 2],
    ]),
    want: 'a',
  },
  {
    name: 'break outside range',
    template: '{{break}}',
    wantErr: '{{break}} outside {{range}}',
    errorType: 'syntax',
  },
  {
    name: 'continue outside range',
    template: '{{if true}}{{continue}}{{end}}',
    wantErr: '{{continue}} outside {{range}}',
  },
  {
    name: 'break in range else is outside range',
    template: '{{range .}}{{else}}{{break}}{{end}}',
    data: [],
    wantErr: '{{break}} outside {{range}}',
  },
  {
    name: 'break with arguments',
    template: '{{range .}}{{break 1}}{{end}}',
    data: [],
    wantErr: 'unexpected "1" in {{break}}',
  },
  {
    name: 'continue in an inner range else goes to the outer range',
    template: '{{range .}}{{range .}}{{else}}{{continue}}{{end}}x{{end}}',
    data: [[], [1]],
    want: 'x',
  },
  {
    name: 'break in an inner range else stops only that else',
    template: '{{range .}}{{range .}}{{.}}{{else}}{{break}}!{{end}}x{{end}}',
    data: [[], [1]],
    want: 'x1x',
  },
  {
    name: 'a function named break does not replace the keyword',
    template: '{{break}}',
    funcs: ['break'],
    wantErr: '{{break}} outside {{range}}',
  },
]);

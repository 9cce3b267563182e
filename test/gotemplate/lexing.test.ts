// Text, delimiters, trim markers, comments and literals.
import { runCases, sampleData, type Case } from './helpers.js';

const data = sampleData();

runCases('text and delimiters', [
  { name: 'empty template', template: '', want: '' },
  { name: 'text only', template: 'hello, world\n', want: 'hello, world\n' },
  { name: 'lone right delimiter is text', template: 'a }} b', want: 'a }} b' },
  { name: 'brace after an action is text', template: '{{.A}}}', data, want: 'a}' },
  { name: 'custom delimiters', template: '<<.A>> {{.A}}', data, delims: ['<<', '>>'], want: 'a {{.A}}' },
  {
    name: 'right delimiter char after action is text',
    template: '<<.A>>>',
    data,
    delims: ['<<', '>>'],
    want: 'a>',
  },
  { name: 'delimiters of one character', template: '[.A] [.N]', data, delims: ['[', ']'], want: 'a 3' },
  { name: 'string may contain the right delimiter', template: '<<">>">>', delims: ['<<', '>>'], want: '>>' },
  { name: 'empty delimiters mean the defaults', template: '{{.A}}', data, delims: ['', ''], want: 'a' },
  { name: 'newlines inside an action', template: '{{\n.A\n}}', data, want: 'a' },
  { name: 'non-ASCII text passes through', template: 'héllo 😀 {{.A}}', data, want: 'héllo 😀 a' },
]);

runCases('trim markers', [
  { name: 'trim both sides', template: 'a  {{- .A -}}  b', data, want: 'aab' },
  { name: 'trim left only', template: 'x \n\t {{- .A}} y', data, want: 'xa y' },
  { name: 'trim right only', template: 'x {{.A -}} \n\t y', data, want: 'x ay' },
  { name: 'trim all kinds of spaces', template: 'x \r\n\t{{- .A -}}\r\n\t y', data, want: 'xay' },
  { name: 'minus without space is a number', template: 'a  {{-3}}  b', want: 'a  -3  b' },
  { name: 'minus glued to a number is a bad number', template: '{{3-}}', wantErr: 'bad number syntax: "3-"' },
  {
    name: 'trim with custom delimiters',
    template: 'a <<- .A ->> b',
    data,
    delims: ['<<', '>>'],
    want: 'aab',
  },
  { name: 'trim does not cross actions', template: '{{.A}} {{- .A}} {{.A -}} {{.A}}', data, want: 'aa aa' },
  { name: 'trim around control structures', template: '{{if true -}}\n  yes\n{{- end}}', want: 'yes' },
  { name: 'trim with newline as the space', template: 'a {{-\n.A\n-}} b', data, want: 'aab' },
]);

runCases('comments', [
  { name: 'comment', template: 'a {{/* c */}} b', want: 'a  b' },
  { name: 'comment with trim markers', template: 'a {{- /* c */ -}} b', want: 'ab' },
  { name: 'multi-line comment', template: 'a{{/* one\ntwo */}}b', want: 'ab' },
  { name: 'comment with right trim only', template: '{{/* c */ -}}  x', want: 'x' },
  { name: 'comment may hold delimiters', template: '{{/* {{.X}} */}}ok', want: 'ok' },
  {
    name: 'comment must touch the delimiter',
    template: 'a {{ /* c */ }} b',
    wantErr: 'unexpected "/" in command',
    errorType: 'syntax',
  },
  {
    name: 'comment must end at the delimiter',
    template: '{{/* c */x}}',
    wantErr: 'comment ends before closing delimiter',
  },
  { name: 'unclosed comment', template: '{{/* c', wantErr: 'unclosed comment' },
]);

runCases('string literals', [
  { name: 'interpreted string', template: '{{"abc"}}', want: 'abc' },
  { name: 'escapes', template: '{{"a\\tb\\nc\\\\d\\"e"}}', want: 'a\tb\nc\\d"e' },
  {
    name: 'bell, backspace, form feed, carriage return, vertical tab',
    template: '{{"\\a\\b\\f\\r\\v"}}',
    want: '\x07\b\f\r\v',
  },
  { name: 'hex, octal and unicode escapes', template: '{{"\\x41\\101\\u00e9\\U0001F600"}}', want: 'AAé😀' },
  { name: 'hex bytes form UTF-8', template: '{{"\\xc3\\xa9"}}', want: 'é' },
  {
    name: 'single quote escape is invalid in a string',
    template: `{{"\\'"}}`,
    wantErr: 'template: tmpl:1:2: invalid syntax',
  },
  { name: 'unknown escape', template: '{{"\\z"}}', wantErr: 'invalid syntax', errorType: 'syntax' },
  { name: 'octal escape above 255', template: '{{"\\400"}}', wantErr: 'invalid syntax' },
  { name: 'surrogate in \\u escape', template: '{{"\\ud800"}}', wantErr: 'invalid syntax' },
  { name: 'unterminated string', template: '{{"abc}}', wantErr: 'unterminated quoted string' },
  { name: 'newline in string', template: '{{"a\nb"}}', wantErr: 'unterminated quoted string' },
  { name: 'raw string', template: '{{`a\\n"b`}}', want: 'a\\n"b' },
  { name: 'raw string spans lines', template: '{{`a\nb`}}', want: 'a\nb' },
  { name: 'raw string drops carriage returns', template: '{{`a\r\nb`}}', want: 'a\nb' },
  { name: 'unterminated raw string', template: '{{`abc}}', wantErr: 'unterminated raw quoted string' },
]);

runCases('number literals', [
  { name: 'integers', template: '{{0}} {{42}} {{-7}} {{+5}} {{-0}}', want: '0 42 -7 5 0' },
  {
    name: 'hex, octal, binary',
    template: '{{0x1F}} {{0X10}} {{0o17}} {{017}} {{0b101}} {{0B11}}',
    want: '31 16 15 15 5 3',
  },
  { name: 'underscores', template: '{{1_000}} {{0x_1f}} {{0_17}} {{1_0.0_1}}', want: '1000 31 15 10.01' },
  { name: 'misplaced underscore', template: '{{1__0}}', wantErr: 'illegal number syntax: "1__0"' },
  { name: 'underscore after the point', template: '{{1._5}}', wantErr: 'illegal number syntax: "1._5"' },
  {
    name: 'floats',
    template: '{{1.5}} {{.5}} {{5.}} {{-2.25}} {{1e3}} {{1E-3}} {{2.5e-7}}',
    want: '1.5 0.5 5 -2.25 1000 0.001 2.5e-07',
  },
  {
    name: 'integral floats print like Go floats',
    template: '{{1.0}} {{1e6}} {{1e21}} {{123456.0}} {{1234567.0}} {{-0.0}}',
    want: '1 1e+06 1e+21 123456 1.234567e+06 -0',
  },
  { name: 'hex floats', template: '{{0x1p4}} {{0x1.8p1}} {{0X_1P-2}}', want: '16 3 0.25' },
  { name: 'hex float needs an exponent', template: '{{0x1.8}}', wantErr: 'illegal number syntax: "0x1.8"' },
  {
    name: 'a hex integer with e is still an int',
    template: '{{printf "%T %T %T" 0x1e -0x1e 1e3}}',
    want: 'int float64 float64',
  },
  {
    name: 'largest int64',
    template: '{{9223372036854775807}} {{-9223372036854775808}}',
    want: '9223372036854775807 -9223372036854775808',
  },
  {
    name: 'beyond uint64',
    template: '{{18446744073709551616}}',
    wantErr: 'integer overflow: "18446744073709551616"',
  },
  { name: 'leading zero with 8 or 9', template: '{{08}}', wantErr: 'integer overflow: "08"' },
  { name: 'float out of range', template: '{{1e400}}', wantErr: 'illegal number syntax: "1e400"' },
  { name: 'exponent without digits', template: '{{1e}}', wantErr: 'illegal number syntax: "1e"' },
  { name: 'letters after a number', template: '{{1.A}}', wantErr: 'bad number syntax: "1.A"' },
  { name: 'prefix without digits', template: '{{0x}}', wantErr: 'illegal number syntax: "0x"' },
  {
    name: 'int64 beyond int range is refused at parse time',
    template: '{{9223372036854775808}}',
    wantErr: 'template: tmpl:1:2: 9223372036854775808 overflows int',
    goSkip: 'Go reports this when executing, with the same words',
  },
  {
    name: 'complex numbers are not supported',
    template: '{{1+2i}}',
    wantErr: 'complex number 1+2i is not supported',
    goSkip: 'Go supports complex constants',
  },
]);

runCases('character, boolean and nil literals', [
  {
    name: 'character constants are numbers',
    template: "{{'a'}} {{'\\n'}} {{'\\x41'}} {{'\\''}} {{'é'}} {{'\\u00e9'}}",
    want: '97 10 65 39 233 233',
  },
  { name: 'empty character constant', template: "{{''}}", wantErr: 'invalid syntax' },
  { name: 'two characters', template: "{{'ab'}}", wantErr: "malformed character constant: 'ab'" },
  { name: 'double quote escape in a character constant', template: `{{'\\"'}}`, wantErr: 'invalid syntax' },
  { name: 'unterminated character constant', template: "{{'a}}", wantErr: 'unterminated character constant' },
  { name: 'booleans', template: '{{true}} {{false}}', want: 'true false' },
  {
    name: 'nil is not a command',
    template: '{{nil}}',
    wantErr: 'template: tmpl:1:2: executing "tmpl" at <nil>: nil is not a command',
  },
  { name: 'nil as an argument', template: '{{print nil}}', want: '<nil>' },
]);

runCases('lexical errors', [
  {
    name: 'unclosed action',
    template: '{{.A',
    wantErr: 'template: tmpl:1:4: unclosed action',
    errorType: 'syntax',
  },
  {
    name: 'unclosed action over lines',
    template: '{{.A\n',
    wantErr: 'template: tmpl:2:0: unclosed action started at tmpl:1',
  },
  {
    name: 'bad character after a field',
    template: '{{.A}',
    wantErr: "template: tmpl:1:2: bad character U+007D '}'",
  },
  { name: 'unrecognized character', template: '{{.A \u00e9x}}', data, wantErr: 'function "éx" not defined' },
  {
    name: 'control character in an action',
    template: '{{\u0001}}',
    wantErr: 'unrecognized character in action: U+0001',
  },
  { name: 'colon without equals', template: '{{$ : 1}}', wantErr: 'template: tmpl:1:4: expected :=' },
  { name: 'equals right after a variable', template: '{{$x=1}}', wantErr: "bad character U+003D '='" },
  { name: 'declaration without spaces', template: '{{$x:=1}}{{$x}}', want: '1' },
  { name: 'unclosed paren', template: '{{(.A}}', wantErr: 'unclosed left paren' },
  { name: 'unexpected right paren', template: '{{.A)}}', data, wantErr: 'unexpected ")" in command' },
  { name: 'too many right parens', template: '{{(.A))}}', data, wantErr: 'unexpected ")" in command' },
] satisfies Case[]);

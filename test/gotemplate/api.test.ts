// The module's API: template objects, error objects, options, GoMap, formatGoValue, limits, speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GoMap,
  TemplateExecError,
  TemplateSyntaxError,
  formatGoValue,
  parseTemplate,
} from '../../src/gotemplate/index.js';

function syntaxError(source: string, options?: Parameters<typeof parseTemplate>[1]): TemplateSyntaxError {
  try {
    parseTemplate(source, options);
  } catch (err) {
    assert.ok(err instanceof TemplateSyntaxError, `expected TemplateSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a syntax error');
}

function execError(
  source: string,
  data: unknown,
  options?: Parameters<typeof parseTemplate>[1],
): TemplateExecError {
  const tmpl = parseTemplate(source, options);
  try {
    tmpl.execute(data);
  } catch (err) {
    assert.ok(err instanceof TemplateExecError, `expected TemplateExecError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an exec error');
}

describe('parseTemplate', () => {
  it('keeps name and source and executes repeatedly with different data', () => {
    const tmpl = parseTemplate('<<.X>>', { name: 'metrics-query', leftDelim: '<<', rightDelim: '>>' });
    assert.equal(tmpl.name, 'metrics-query');
    assert.equal(tmpl.source, '<<.X>>');
    assert.equal(tmpl.execute({ X: 1 }), '1');
    assert.equal(tmpl.execute({ X: 'two' }), 'two');
    assert.equal(tmpl.execute(new Map([['X', [3]]])), '[3]');
  });

  it('names templates "template" by default', () => {
    assert.equal(parseTemplate('x').name, 'template');
    assert.equal(syntaxError('{{end}}').message, 'template: template:1:2: unexpected {{end}}');
  });

  it('executions do not share variables', () => {
    const tmpl = parseTemplate('{{$x := .}}{{range .}}{{$x = .}}{{end}}{{$x}}');
    assert.equal(tmpl.execute([1, 2]), '2');
    assert.equal(tmpl.execute([]), '[]');
  });

  it('lets caller functions replace builtins, as Go does', () => {
    const tmpl = parseTemplate('{{len "abc"}}', { funcs: { len: () => 'mine' } });
    assert.equal(tmpl.execute(null), 'mine');
  });

  it('passes caller functions plain numbers and undefined for missing values', () => {
    const seen: unknown[] = [];
    const tmpl = parseTemplate('{{f 1 2.0 2.5 .M.missing nil .A}}', {
      funcs: {
        f: (...args: unknown[]) => {
          seen.push(...args);
          return 'ok';
        },
      },
    });
    assert.equal(tmpl.execute({ M: new Map(), A: null }), 'ok');
    assert.deepEqual(seen, [1, 2, 2.5, undefined, undefined, null]);
  });

  it('rejects function names that are not identifiers', () => {
    assert.throws(() => parseTemplate('x', { funcs: { 'a-b': () => 1 } }), /not a valid identifier/);
  });
});

describe('TemplateSyntaxError', () => {
  it('has 1-based line and column, and Go’s byte column in the message', () => {
    const err = syntaxError('first line\né😀 {{.A}', { name: 'q' });
    assert.equal(err.templateName, 'q');
    assert.equal(err.line, 2);
    assert.equal(err.column, 7);
    assert.equal(err.message, "template: q:2:9: bad character U+007D '}'");
    assert.equal(err.detail, "bad character U+007D '}'");
    assert.equal(err.name, 'TemplateSyntaxError');
    assert.ok(err instanceof Error);
  });

  it('points at the offending token', () => {
    const err = syntaxError('<<.Series>>{<<}>>', {
      name: 'metrics-query',
      leftDelim: '<<',
      rightDelim: '>>',
    });
    assert.equal(err.message, 'template: metrics-query:1:14: unexpected "}" in command');
    assert.equal(err.line, 1);
    assert.equal(err.column, 15);
  });

  it('refuses define, template and block', () => {
    for (const kw of ['define', 'template', 'block']) {
      const err = syntaxError(`a{{${kw} "x"}}{{end}}`);
      assert.equal(
        err.message,
        `template: template:1:3: {{${kw}}} is not supported in metricsQuery templates`,
      );
    }
  });
});

describe('TemplateExecError', () => {
  it('has position, context and cause', () => {
    const boom = new Error('boom');
    const err = execError(
      'line one\n  {{.A | f}}',
      { A: 1 },
      {
        name: 'q',
        funcs: {
          f: () => {
            throw boom;
          },
        },
      },
    );
    assert.equal(err.message, 'template: q:2:9: executing "q" at <f>: error calling f: boom');
    assert.equal(err.line, 2);
    assert.equal(err.column, 10);
    assert.equal(err.templateName, 'q');
    assert.equal(err.detail, 'error calling f: boom');
    assert.equal(err.cause, boom);
    assert.equal(err.name, 'TemplateExecError');
  });

  it('reports a non-Error thrown by a function', () => {
    const err = execError('{{f}}', null, {
      funcs: {
        f: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw 'plain';
        },
      },
    });
    assert.equal(err.detail, 'error calling f: plain');
  });
});

describe('GoMap', () => {
  it('is a Map with a zero value', () => {
    const m = new GoMap([['a', 'x']], '');
    assert.ok(m instanceof Map);
    assert.equal(m.get('a'), 'x');
    assert.equal(m.zeroValue, '');
    const empty = new GoMap<number>(undefined, 0);
    assert.equal(empty.size, 0);
    assert.equal(parseTemplate('{{index . "nope"}}').execute(empty), '0');
  });
});

describe('formatGoValue', () => {
  const cases: [unknown, string][] = [
    ['s', 's'],
    [42, '42'],
    [-0, '0'],
    [0.5, '0.5'],
    [1e21, '1e+21'],
    [2 ** 53, '9.007199254740992e+15'],
    [123456789.5, '1.234567895e+08'],
    [NaN, 'NaN'],
    [true, 'true'],
    [null, '<nil>'],
    [undefined, '<nil>'],
    [['a', 1, null, ['b']], '[a 1 <nil> [b]]'],
    [
      new Map<string, unknown>([
        ['b', 1],
        ['a', new Map([['c', 2]])],
      ]),
      'map[a:map[c:2] b:1]',
    ],
    [{ X: 1, Y: [true] }, '{1 [true]}'],
    [new GoMap([['k', 'v']], ''), 'map[k:v]'],
    [10n ** 20n, '100000000000000000000'],
  ];
  for (const [value, want] of cases) {
    it(`formats ${want}`, () => assert.equal(formatGoValue(value), want));
  }
});

describe('limits', () => {
  it('refuses deeply nested parentheses with a syntax error', () => {
    const deep = `{{${'('.repeat(10_000)}1${')'.repeat(10_000)}}}`;
    assert.match(syntaxError(deep).message, /template nesting exceeds 100 levels/);
    const ok = `{{${'('.repeat(99)}1${')'.repeat(99)}}}`;
    assert.equal(parseTemplate(ok).execute(null), '1');
  });

  it('refuses deeply nested control structures', () => {
    const deep = '{{if true}}'.repeat(5000) + 'x' + '{{end}}'.repeat(5000);
    assert.match(syntaxError(deep).message, /template nesting exceeds 100 levels/);
    const ok = '{{if true}}{{with 1}}'.repeat(50) + 'x' + '{{end}}'.repeat(100);
    assert.equal(parseTemplate(ok).execute(null), 'x');
  });

  it('reports cyclic data instead of overflowing the stack', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const err = execError('{{.}}', cyclic);
    assert.match(err.message, /executing "template" at <\{\{\.\}\}>: value nested more than 100 levels deep/);
    const viaPrint = execError('{{print .}}', cyclic);
    assert.match(viaPrint.message, /error calling print: value nested more than 100 levels deep/);
  });

  it('compares cyclic structs without overflowing the stack', () => {
    const a: Record<string, unknown> = {};
    a.Self = a;
    assert.match(execError('{{eq . .}}', a).message, /value nested too deeply to compare/);
  });

  it('handles long templates and long chains', () => {
    const many = '{{.A}}'.repeat(20_000);
    assert.equal(parseTemplate(many).execute({ A: 'x' }).length, 20_000);
    const chain = `{{.${Array.from({ length: 5000 }, () => 'N').join('.')}}}`;
    let data: Record<string, unknown> = { N: 'end' };
    for (let i = 0; i < 4999; i++) data = { N: data };
    assert.equal(parseTemplate(chain).execute(data), 'end');
  });
});

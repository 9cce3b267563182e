/**
 * Table-driven checks for the gotemplate module: each case is a template, its data, and either
 * the output or (a substring of) the error Go produces. The wants were taken from Go's own
 * text/template; go-oracle/ replays every table against Go to keep them honest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GoMap,
  TemplateExecError,
  TemplateSyntaxError,
  parseTemplate,
  type TemplateFunction,
} from '../../src/gotemplate/index.js';

/** Functions a case may ask for; go-oracle/main.go defines the same ones in Go. */
export const TEST_FUNCS = {
  upper: (s: unknown) => String(s).toUpperCase(),
  fail: () => {
    throw new Error('boom');
  },
  nilf: () => undefined,
  count: (...args: unknown[]) => args.length,
  break: () => 'brk',
} satisfies Record<string, TemplateFunction>;

export type TestFuncName = keyof typeof TEST_FUNCS;

export interface Case {
  /** Test title, unique within its table. */
  readonly name: string;
  readonly template: string;
  readonly data?: unknown;
  readonly want?: string;
  /** A substring of the error message; the whole Go message where it is worth pinning down. */
  readonly wantErr?: string;
  readonly errorType?: 'syntax' | 'exec';
  /** [left, right]; default {{ }}. */
  readonly delims?: readonly [string, string];
  readonly funcs?: readonly TestFuncName[];
  /** Template name; default 'tmpl'. */
  readonly tmplName?: string;
  /** Why the Go 1.19 oracle cannot check this case (a newer Go feature or a deliberate difference). */
  readonly goSkip?: string;
}

export interface CollectedCase extends Case {
  readonly suite: string;
}

let collector: CollectedCase[] | null = null;

/** Makes runCases hand its tables to the given list instead of registering tests (for go-oracle). */
export function collectCasesInstead(into: CollectedCase[]): void {
  collector = into;
}

export function templateOptions(c: Case): Parameters<typeof parseTemplate>[1] {
  const funcs: Record<string, TemplateFunction> = {};
  for (const f of c.funcs ?? []) funcs[f] = TEST_FUNCS[f];
  return {
    name: c.tmplName ?? 'tmpl',
    leftDelim: c.delims?.[0],
    rightDelim: c.delims?.[1],
    funcs: c.funcs === undefined ? undefined : funcs,
  };
}

/** Output, or the error thrown while parsing or executing. */
export function render(c: Case): { out: string } | { error: unknown } {
  try {
    return { out: parseTemplate(c.template, templateOptions(c)).execute(c.data) };
  } catch (error) {
    return { error };
  }
}

function check(c: Case): void {
  const result = render(c);
  if (c.wantErr === undefined) {
    if ('error' in result) throw result.error;
    assert.equal(result.out, c.want);
    return;
  }
  assert.ok(
    'error' in result,
    `expected an error containing ${JSON.stringify(c.wantErr)}, got output ${JSON.stringify('out' in result ? result.out : '')}`,
  );
  const err = result.error;
  assert.ok(
    err instanceof TemplateSyntaxError || err instanceof TemplateExecError,
    `unexpected error type: ${String(err)}`,
  );
  assert.ok(
    err.message.includes(c.wantErr),
    `error ${JSON.stringify(err.message)} lacks ${JSON.stringify(c.wantErr)}`,
  );
  if (c.errorType === 'syntax')
    assert.ok(err instanceof TemplateSyntaxError, 'expected a TemplateSyntaxError');
  if (c.errorType === 'exec') assert.ok(err instanceof TemplateExecError, 'expected a TemplateExecError');
}

export function runCases(suite: string, cases: readonly Case[]): void {
  if (collector !== null) {
    for (const c of cases) collector.push({ suite, ...c });
    return;
  }
  describe(suite, () => {
    for (const c of cases) it(c.name, () => check(c));
  });
}

/** Data shaped like the Go struct the probes used: every kind of value a template meets. */
export function sampleData(): Record<string, unknown> {
  return {
    A: 'a',
    B: null,
    N: 3,
    L: ['x', null, 2, 1.5],
    M: new Map<string, unknown>([
      ['k', 'v'],
      ['n', null],
      ['z', 1],
    ]),
    MS: new GoMap([['q', 'w']], ''),
    F: 0.5,
  };
}

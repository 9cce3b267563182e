/**
 * Property tests of the Go template renderer (src/gotemplate) as the rule engine uses it for
 * metricsQuery, and of the query rendering around it (src/rules/query.ts):
 * - text inserted by `<<.Series>>`, `<<.LabelMatchers>>`, `<<.GroupBy>>` lands verbatim where
 *   it is placed, whatever it holds (`>>`, `<<`, `{{`, quotes, newlines): input is never read as
 *   template syntax, so it cannot close or reopen the template's quoting;
 * - a real rule's query, rendered for random objects, namespaces and metric selectors, parses
 *   as PromQL with exactly the selectors and grouping asked for and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GoMap, parseTemplate } from '../../src/gotemplate/index.js';
import type { Requirement, SelectorOperator } from '../../src/promql/index.js';
import { renderObjectQuery } from '../../src/rules/query.js';
import { literalAlternation } from './corpus.js';
import { matcherSet, queryShape } from './promql-shape.js';

const RUNS = { numRuns: 200 };
const D = { leftDelim: '<<', rightDelim: '>>' };

/** Templates as rules files write them, each with how its output must look. */
const TEMPLATES: readonly { source: string; skeleton: (groupBy: string) => string }[] = [
  {
    source: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    skeleton: (g) => `sum(S{…}) by (${g})`,
  },
  {
    source: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    skeleton: (g) => `sum(rate(S{…}[2m])) by (${g})`,
  },
  {
    source: 'sum by (<<.GroupBy>>) (irate(<<.Series>>{<<.LabelMatchers>>,container!=""}[4m]))',
    skeleton: (g) => `sum by (${g}) (irate(S{…}[4m]))`,
  },
  {
    source:
      'max(<<.Series>>{<<.LabelMatchers>>}) by (<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>)',
    skeleton: (g) => `max(S{…}) by (${g})`,
  },
];

/** Any text at all, biased to what could confuse a template or a query. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(
      '<<',
      '>>',
      '{{',
      '}}',
      '<<.Series>>',
      '"',
      '`',
      '\\',
      '\n',
      '|',
      '$',
      '.',
      ' ',
      'a',
      '-',
    ),
    maxLength: 12,
  }),
);

describe('Go template renderer (properties)', () => {
  it('inserts .Series, .LabelMatchers and .GroupBy verbatim, whatever they hold', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATES.slice(0, 3)),
        anyText,
        anyText,
        anyText,
        (t, series, matchers, groupBy) => {
          const out = parseTemplate(t.source, D).execute({
            Series: series,
            LabelMatchers: matchers,
            GroupBy: groupBy,
            GroupBySlice: [],
            LabelValuesByName: new GoMap([], ''),
          });
          const want = t.source
            .split('<<.Series>>')
            .join('\u0001S')
            .split('<<.LabelMatchers>>')
            .join('\u0001M')
            .split('<<.GroupBy>>')
            .join('\u0001G')
            .replace(/\u0001([SMG])/g, (_m, k: string) =>
              k === 'S' ? series : k === 'M' ? matchers : groupBy,
            );
          assert.equal(out, want);
        },
      ),
      RUNS,
    );
  });

  it('ranges over .GroupBySlice item by item, verbatim', () => {
    const t = parseTemplate('<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>', D);
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 6 }), (items) => {
        assert.equal(t.execute({ GroupBySlice: items }), items.join(','));
      }),
      RUNS,
    );
  });
});

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,12}$/);
/** Object names and values from everywhere: the renderer must escape, whatever the caller let in. */
const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  fc.string({
    unit: fc.constantFrom(...'\\"\'`.*+?()[]{}|^$-\n\t #<>a'.split('')),
    minLength: 1,
    maxLength: 10,
  }),
  fc.constantFrom('"} or vector(1) or x{a="', ') or up{', 'x.y', '{__name__=~".+"}'),
);

const metricRequirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({
    key: labelName,
    operator: fc.constantFrom<SelectorOperator>('=', '!='),
    values: hostileValue.map((v) => [v]),
  }),
  fc.record({
    key: labelName,
    operator: fc.constantFrom<SelectorOperator>('in', 'notin'),
    values: fc.uniqueArray(hostileValue, { minLength: 1, maxLength: 4 }),
  }),
);

function expectedSelectorMatchers(
  reqs: readonly Requirement[],
  namespace: string | undefined,
  names: readonly string[],
  extra: readonly [string, string, string][],
): string[] {
  const m: { name: string; op: string; value: string }[] = reqs.map((r) => {
    const op = { '=': '=', '==': '=', '!=': '!=', in: '=~', notin: '!~' }[
      r.operator as '=' | '!=' | 'in' | 'notin'
    ];
    const value =
      r.operator === 'in' || r.operator === 'notin' ? literalAlternation(r.values) : (r.values[0] ?? '');
    return { name: r.key, op, value };
  });
  if (namespace !== undefined) m.push({ name: 'namespace', op: '=', value: namespace });
  const [only] = names;
  m.push(
    names.length === 1 && only !== undefined
      ? { name: 'pod', op: '=', value: only }
      : { name: 'pod', op: '=~', value: literalAlternation(names) },
  );
  for (const [name, op, value] of extra) m.push({ name, op, value });
  return matcherSet(m);
}

describe('metricsQuery rendering for requests (properties)', () => {
  it('gives PromQL with exactly the requested selectors and grouping, for any names and values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATES),
        metricName,
        fc.option(hostileValue, { nil: undefined }),
        fc.uniqueArray(hostileValue, { minLength: 1, maxLength: 5 }),
        fc
          .uniqueArray(metricRequirement, { maxLength: 3, selector: (r) => r.key })
          .map((rs) => rs.filter((r) => r.key !== 'namespace' && r.key !== 'pod')),
        (t, series, namespace, names, reqs) => {
          const query = renderObjectQuery(
            { path: 'rules[0]', metricsQuery: parseTemplate(t.source, D) },
            {
              seriesName: series,
              resourceLabel: 'pod',
              names,
              ...(namespace !== undefined ? { namespace: { label: 'namespace', value: namespace } } : {}),
              metricSelector: reqs,
            },
          );
          const shape = queryShape(query);
          assert.deepEqual(shape.errors, [], query);
          assert.equal(shape.skeleton, t.skeleton('pod').replace('S', series), query);
          assert.equal(shape.selectors.length, 1, query);
          const sel = shape.selectors[0];
          assert.ok(sel !== undefined);
          assert.equal(sel.metric, series, query);
          const extra: [string, string, string][] = t.source.includes('container!=""')
            ? [['container', '!=', '']]
            : [];
          assert.deepEqual(
            matcherSet(sel.matchers),
            expectedSelectorMatchers(reqs, namespace, names, extra),
            query,
          );
        },
      ),
      RUNS,
    );
  });
});

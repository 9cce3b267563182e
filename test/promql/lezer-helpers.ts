/**
 * Parse-back checks with the PromQL grammar of Prometheus' web UI: what we build must be read
 * by a PromQL parser as exactly the tokens we meant, whatever the values contained.
 */
import assert from 'node:assert/strict';
import { parser } from '@prometheus-io/lezer-promql';

interface ParsedNode {
  name: string;
  text: string;
  isError: boolean;
}

/** Every node of `query`'s syntax tree, in document order. */
export function syntaxNodes(query: string): ParsedNode[] {
  const nodes: ParsedNode[] = [];
  parser.parse(query).iterate({
    enter(node) {
      nodes.push({ name: node.name, text: query.slice(node.from, node.to), isError: node.type.isError });
    },
  });
  return nodes;
}

/** Asserts that `literal`, parsed as a whole query, is exactly one StringLiteral and nothing else. */
export function assertSingleStringLiteral(literal: string): void {
  const nodes = syntaxNodes(literal);
  assert.deepEqual(
    nodes.map((node) => node.name),
    ['PromQL', 'StringLiteral'],
    `expected one string literal: ${literal}`,
  );
  assert.equal(nodes[1]?.text, literal);
}

/**
 * Asserts that `x{<matcher>}` parses without errors, has exactly one label matcher, and returns
 * the matcher's [name, operator, string literal] texts.
 */
export function parseSingleMatcher(matcher: string): [string, string, string] {
  const query = `x{${matcher}}`;
  const nodes = syntaxNodes(query);
  assert.equal(nodes.filter((node) => node.isError).length, 0, `syntax errors in ${query}`);
  const matchers = nodes.filter(
    (node) => node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher',
  );
  assert.equal(matchers.length, 1, `expected exactly one matcher in ${query}`);
  const name = nodes.find((node) => node.name === 'LabelName')?.text ?? '';
  const op = nodes.find((node) => node.name === 'MatchOp')?.text ?? '';
  const literals = nodes.filter((node) => node.name === 'StringLiteral');
  assert.equal(literals.length, 1, `expected one string literal in ${query}`);
  return [name, op, literals[0]?.text ?? ''];
}

/** Values that have broken naive query builders. */
export const HOSTILE_VALUES: readonly string[] = [
  '',
  'web-1',
  'a"}or vector(1)#',
  '"} or vector(1) or x{a="',
  '\\"',
  '\\',
  '\\\\"} ',
  'line1\nline2',
  'cr\rlf\n',
  'tab\there',
  'a|b',
  '.*',
  '.+|x',
  '(a)[b]{c}^$?+*',
  '${1}',
  "'single'",
  '`backtick`',
  '# comment',
  '\u2028\u2029',
  '\u0000\u0001\u001f\u007f',
  '\u0085\u009f',
  '\u202e reversed \u202c',
  '\ufeffbom',
  'zero\u200bwidth',
  'ünïcödé 日本語 😀',
  '\u{10ffff}\u{e0001}',
  'x'.repeat(1000),
];

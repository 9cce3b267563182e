/**
 * Reading back the PromQL the adapter sent: its vector selectors (metric name and matchers, values
 * unescaped) and its skeleton — the query text with every selector's `{…}` blanked out — so that
 * a test can say "exactly these matchers, and nothing else around them".
 */
import { parser } from '@prometheus-io/lezer-promql';
import { unquotePromQLString } from '../../src/promql/index.js';

export interface Matcher {
  name: string;
  op: string;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface QueryShape {
  /** Syntax errors the grammar found (error node texts). */
  errors: string[];
  selectors: Selector[];
  /** The query with each LabelMatchers replaced by `{…}` and whitespace collapsed. */
  skeleton: string;
}

type Node = ReturnType<typeof parser.parse>['topNode'];

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

function matcherOf(query: string, node: Node): Matcher {
  const parts = children(node);
  const nameNode = parts.find((p) => p.name === 'LabelName' || p.name === 'QuotedLabelName');
  const opNode = parts.find((p) => p.name === 'MatchOp');
  const valueNode = parts.find((p) => p.name === 'StringLiteral');
  let name = nameNode === undefined ? '' : query.slice(nameNode.from, nameNode.to);
  if (nameNode?.name === 'QuotedLabelName') name = unquotePromQLString(name);
  return {
    name,
    op: opNode === undefined ? '' : query.slice(opNode.from, opNode.to),
    value: valueNode === undefined ? '' : unquotePromQLString(query.slice(valueNode.from, valueNode.to)),
  };
}

export function queryShape(query: string): QueryShape {
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const blanks: [number, number][] = [];
  parser.parse(query).iterate({
    enter(ref) {
      if (ref.type.isError) errors.push(query.slice(ref.from, Math.max(ref.to, ref.from + 10)));
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      let metric = '';
      const matchers: Matcher[] = [];
      for (const part of children(node)) {
        if (part.name === 'Identifier') metric = query.slice(part.from, part.to);
        if (part.name === 'LabelMatchers') {
          blanks.push([part.from, part.to]);
          for (const m of children(part)) {
            if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher')
              matchers.push(matcherOf(query, m));
            else if (m.name === 'QuotedLabelName') {
              // A bare quoted name inside the braces is the metric name (`{"my.metric"}`).
              matchers.push({
                name: '__name__',
                op: '=',
                value: unquotePromQLString(query.slice(m.from, m.to)),
              });
            }
          }
        }
      }
      selectors.push({ metric, matchers });
    },
  });
  let skeleton = '';
  let at = 0;
  for (const [from, to] of blanks) {
    skeleton += `${query.slice(at, from)}{…}`;
    at = to;
  }
  skeleton += query.slice(at);
  return { errors, selectors, skeleton: skeleton.replace(/\s+/g, ' ').trim() };
}

/** Matchers as comparable text, order-insensitive: `name op JSON(value)`, sorted. */
export function matcherSet(matchers: readonly Matcher[]): string[] {
  return matchers.map((m) => `${m.name} ${m.op} ${JSON.stringify(m.value)}`).sort();
}

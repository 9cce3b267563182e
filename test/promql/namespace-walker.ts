/**
 * An independent check of namespace confinement, for the tests of src/promql/tenancy.ts: it
 * shares no code with the module (its own tree walk, its own string decoding), so that a bug in
 * the module cannot hide itself by being repeated in the verification.
 */
import { parser } from '@prometheus-io/lezer-promql';

type Node = ReturnType<typeof parser.parse>['topNode'];

const SIMPLE: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** The value of a PromQL string literal, by Go's unquoting rules; throws on anything invalid. */
export function decodeLiteral(literal: string): string {
  const quote = literal[0] ?? '';
  const body = literal.slice(1, -1);
  if (literal.length < 2 || !['"', "'", '`'].includes(quote) || !literal.endsWith(quote)) {
    throw new Error(`not a string literal: ${literal}`);
  }
  if (quote === '`') return body.replaceAll('\r', '');
  const bytes: number[] = [];
  let i = 0;
  const take = (count: number, base: number): number => {
    const digits = body.slice(i, i + count);
    const pattern = base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
    if (digits.length !== count || !pattern.test(digits)) throw new Error(`bad escape in ${literal}`);
    i += count;
    return parseInt(digits, base);
  };
  while (i < body.length) {
    const char = String.fromCodePoint(body.codePointAt(i) ?? 0);
    if (char !== '\\') {
      if (char === quote || char === '\n') throw new Error(`bad string ${literal}`);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
      continue;
    }
    const kind = body[i + 1] ?? '';
    i += 2;
    if (kind in SIMPLE) bytes.push(SIMPLE[kind] ?? 0);
    else if (kind === quote) bytes.push(quote.charCodeAt(0));
    else if (kind === 'x') bytes.push(take(2, 16));
    else if (kind === 'u' || kind === 'U') {
      bytes.push(...Buffer.from(String.fromCodePoint(take(kind === 'u' ? 4 : 8, 16)), 'utf8'));
    } else if (/[0-7]/.test(kind)) {
      i -= 1;
      bytes.push(take(3, 8));
    } else throw new Error(`bad escape \\${kind} in ${literal}`);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
}

function kids(node: Node): Node[] {
  const out: Node[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'LineComment') out.push(child);
  }
  return out;
}

/** Every node under `node` (itself included) with one of `names`. */
function descendants(node: Node, names: readonly string[]): Node[] {
  const found = names.includes(node.name) ? [node] : [];
  return found.concat(...kids(node).map((child) => descendants(child, names)));
}

/**
 * What is wrong with `query` as a query confined to `namespace`; empty when nothing is: it
 * parses, has no carriage return outside strings, every vector selector has exactly one matcher
 * on `namespace` and it is `= "namespace"`, and nothing writes or imports a namespace label.
 */
export function confinementViolations(query: string, namespace: string): string[] {
  const tree = parser.parse(query);
  const problems: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) problems.push(`syntax error at ${node.from}`);
    },
  });
  const text = (node: Node): string => query.slice(node.from, node.to);
  const strings = descendants(tree.topNode, ['StringLiteral']);
  for (let at = 0; at < query.length; at++) {
    if (query[at] === '\r' && !strings.some((s) => s.from <= at && at < s.to)) problems.push(`\\r at ${at}`);
  }
  for (const selector of descendants(tree.topNode, ['VectorSelector'])) {
    const onNamespace = descendants(selector, ['UnquotedLabelMatcher', 'QuotedLabelMatcher']).filter((m) => {
      const nameNode = kids(m)[0];
      if (nameNode === undefined) return false;
      const literal = nameNode.name === 'QuotedLabelName' ? kids(nameNode)[0] : undefined;
      return (literal === undefined ? text(nameNode) : decodeLiteral(text(literal))) === 'namespace';
    });
    const [matcher, ...more] = onNamespace;
    if (matcher === undefined || more.length > 0) {
      problems.push(`${text(selector)} has ${onNamespace.length} namespace matchers`);
      continue;
    }
    const [, op, value] = kids(matcher);
    if (
      op === undefined ||
      value === undefined ||
      text(op) !== '=' ||
      decodeLiteral(text(value)) !== namespace
    ) {
      problems.push(`${text(selector)} does not select namespace ${namespace}`);
    }
  }
  for (const call of descendants(tree.topNode, ['FunctionCall', 'AggregateExpr'])) {
    const [head, body] = kids(call);
    const name = head === undefined ? '' : text(head).toLowerCase();
    const args = body === undefined ? [] : kids(body);
    if (name === 'info') problems.push('info() imports labels');
    const written =
      name === 'count_values'
        ? args[0]
        : ['label_replace', 'label_join'].includes(name)
          ? args[1]
          : undefined;
    if (
      written !== undefined &&
      (written.name !== 'StringLiteral' || decodeLiteral(text(written)) === 'namespace')
    ) {
      problems.push(`${name} may write namespace`);
    }
  }
  return problems;
}

/**
 * True when `output` is `input` with only insertions of `inserted` forms: the author's text is
 * kept byte for byte.
 */
export function onlyInsertions(input: string, output: string, inserted: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const walk = (i: number, j: number): boolean => {
    if (i === input.length && j === output.length) return true;
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result =
      (i < input.length && input[i] === output[j] && walk(i + 1, j + 1)) ||
      inserted.some((form) => output.startsWith(form, j) && walk(i, j + form.length));
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}

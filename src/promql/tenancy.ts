/**
 * The namespace boundary of rules owned by one namespace: a query written by a namespace's
 * owner may only ever read that namespace's series. confineToNamespace takes the query as it
 * will be sent to Prometheus and either returns it with `namespace="N"` in every series
 * selector, or refuses it with a reason and the offending span. The rest of the text is kept
 * byte for byte, so what the author wrote is what runs, plus the boundary; the result confines
 * to itself.
 *
 * Every vector selector (bare, in a range, a subquery, a function argument, an aggregation, any
 * operand of any operator, under `offset` or `@`) ends with exactly one matcher on `namespace`,
 * `namespace="N"`: added when the author wrote none, kept when the author wrote exactly that.
 * Refused, and why:
 * - a query that does not parse, or has an invalid string: what we cannot read, we cannot bound;
 * - any other matcher on `namespace` (another value, `""`, `!=`, `=~`, `!~`, even a regex that
 *   could only match N): the author's intent is then not "this namespace", and a short rule is
 *   easier to trust than an analysis of regexes. Label names and values are compared after
 *   unquoting, as Prometheus does: `"team-\u0061"` and `"namespace"="team-a"` are N, and
 *   `"team-a\x00"` is not;
 * - two matchers on `namespace` in one selector, even both N: the result must have exactly one;
 * - label_replace and label_join writing `namespace`, count_values naming its output label
 *   `namespace`, or any of them naming that label with an expression rather than a plain string:
 *   the data read is N's, but the results would claim another namespace (the reader of a
 *   namespace label must be able to trust it);
 * - info(): it reads info series (target_info by default) that appear nowhere in the query as a
 *   selector, and copies their labels onto the result;
 * - histogram_quantiles(): experimental, and it names an output label with a string argument;
 * - outside string literals, any character but printable ASCII, space, tab and newline (comments
 *   may also hold other printable text): Prometheus ends a comment at a carriage return where the
 *   grammar read here does not, so `# x\r or other{…}` would hide a selector from this check;
 *   the grammar also skips Unicode spaces that Prometheus rejects.
 *
 * The query is read with the lezer grammar of Prometheus' web UI. Where it accepts what
 * Prometheus rejects the query fails in Prometheus; the differences that could let Prometheus
 * read a selector this grammar does not see are the characters refused above.
 */
import { checkPromQL } from './syntax/check.js';
import { childNodes, nodeText, parsePromQLTree, type PromQLNode } from './syntax/tree.js';
import { promqlString, quoteForMessage, unquotePromQLString } from './string-literal.js';

export type ConfineResult =
  { ok: true; query: string } | { ok: false; reason: string; from: number; to: number };

type Refusal = Extract<ConfineResult, { ok: false }>;

interface Insertion {
  at: number;
  text: string;
}

const NAMESPACE_LABEL = 'namespace';

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Functions and aggregations that create a label named by a string argument: its position. */
const LABEL_WRITERS: ReadonlyMap<string, { what: string; argument: number }> = new Map([
  ['LabelReplace', { what: 'label_replace', argument: 1 }],
  ['LabelJoin', { what: 'label_join', argument: 1 }],
  ['CountValues', { what: 'count_values', argument: 0 }],
]);

/** Functions refused outright: their name, and why. */
const FORBIDDEN_FUNCTIONS: ReadonlyMap<string, [string, string]> = new Map([
  [
    'Info',
    ['info()', 'reads info series that the query does not select and copies their labels onto the result'],
  ],
  [
    'HistogramQuantiles',
    ['histogram_quantiles()', 'is experimental and names an output label with a string'],
  ],
]);

/** Printable ASCII, space, tab and newline: all a query needs outside its strings. */
const PLAIN_CODE = /^[\x20-\x7e\t\n]$/u;
/** In comments, also any other printable character; never a carriage return or a control. */
const COMMENT_TEXT = /^[^\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]$|^\t$/u;

const MAX_QUOTED = 60;

function excerpt(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

function refuse(reason: string, from: number, to: number): Refusal {
  return { ok: false, reason, from, to };
}

function boundary(namespace: string): string {
  return `a namespaced rule may only read namespace ${promqlString(namespace)}`;
}

/** The label name of a matcher: `name` or `"quoted name"`. */
function labelName(query: string, nameNode: PromQLNode): string {
  const literal = nameNode.name === 'QuotedLabelName' ? nameNode.firstChild : null;
  return literal === null ? nodeText(query, nameNode) : unquotePromQLString(nodeText(query, literal));
}

/** The first character outside string literals that Prometheus could read differently. */
function checkCharacters(query: string): Refusal | undefined {
  const skipped: { from: number; to: number; comment: boolean }[] = [];
  parsePromQLTree(query).iterate({
    enter(node) {
      if (node.name === 'StringLiteral' || node.name === 'LineComment') {
        skipped.push({ from: node.from, to: node.to, comment: node.name === 'LineComment' });
        return false;
      }
      return undefined;
    },
  });
  let span = 0;
  for (let at = 0; at < query.length;) {
    const char = String.fromCodePoint(query.codePointAt(at) ?? 0);
    while (span < skipped.length && (skipped[span]?.to ?? 0) <= at) span++;
    const within = skipped[span];
    const inside = within !== undefined && within.from <= at;
    const allowed = !inside ? PLAIN_CODE.test(char) : !within.comment || COMMENT_TEXT.test(char);
    if (!allowed) {
      const codePoint = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      return refuse(
        `character U+${codePoint} at ${at} is not allowed outside a string in a namespaced rule: ` +
          'Prometheus may read it differently from the check that keeps the rule in its namespace',
        at,
        at + char.length,
      );
    }
    at += char.length;
  }
  return undefined;
}

/** What a selector needs to be confined: nothing, one insertion, or a refusal. */
function confineSelector(
  query: string,
  selector: PromQLNode,
  namespace: string,
): Insertion | Refusal | undefined {
  const parts = childNodes(selector);
  const matchers = parts.find((part) => part.name === 'LabelMatchers');
  const items = matchers === undefined ? [] : childNodes(matchers);
  const onNamespace = items.filter((item) => {
    const nameNode = item.name === 'QuotedLabelName' ? undefined : childNodes(item)[0];
    return nameNode !== undefined && labelName(query, nameNode) === NAMESPACE_LABEL;
  });
  const where = `selector at ${selector.from}-${selector.to}`;
  if (onNamespace.length > 1) {
    return refuse(
      `${where} has ${onNamespace.length} matchers on namespace; write namespace=${promqlString(namespace)} once`,
      selector.from,
      selector.to,
    );
  }
  const [matcher] = onNamespace;
  if (matcher !== undefined) {
    const [, opNode, valueNode] = childNodes(matcher);
    const op = opNode === undefined ? '' : nodeText(query, opNode);
    const value = valueNode === undefined ? undefined : unquotePromQLString(nodeText(query, valueNode));
    if (op === '=' && value === namespace) return undefined;
    return refuse(
      `${where} asks for ${excerpt(nodeText(query, matcher))}; ${boundary(namespace)} ` +
        `(write namespace=${promqlString(namespace)} or no namespace matcher)`,
      selector.from,
      selector.to,
    );
  }
  const added = `${NAMESPACE_LABEL}=${promqlString(namespace)}`;
  if (matchers === undefined) return { at: selector.to, text: `{${added}}` };
  const last = items.at(-1);
  return last === undefined ? { at: matchers.from + 1, text: added } : { at: last.to, text: `,${added}` };
}

/** Refuses functions that could fake or widen the namespace (see the header). */
function checkFunction(query: string, call: PromQLNode): Refusal | undefined {
  const [head, body] = childNodes(call);
  const kind = head?.firstChild?.name ?? '';
  const forbidden = FORBIDDEN_FUNCTIONS.get(kind);
  if (forbidden !== undefined) {
    return refuse(
      `${forbidden[0]} at ${call.from}-${call.to} ${forbidden[1]}; it is not allowed in a namespaced rule`,
      call.from,
      call.to,
    );
  }
  const writer = LABEL_WRITERS.get(kind);
  if (writer === undefined || body === undefined) return undefined;
  const argument = childNodes(body)[writer.argument];
  if (argument === undefined) return undefined;
  const where = `${writer.what} (label argument at ${argument.from}-${argument.to})`;
  if (argument.name !== 'StringLiteral') {
    return refuse(
      `${where} names the label it writes with an expression; write it as a plain string in a namespaced rule`,
      argument.from,
      argument.to,
    );
  }
  if (unquotePromQLString(nodeText(query, argument)) !== NAMESPACE_LABEL) return undefined;
  return refuse(
    `${where} writes the namespace label, which would make its results look like another namespace's; ` +
      'a namespaced rule may not set namespace',
    argument.from,
    argument.to,
  );
}

function confineOnce(query: string, namespace: string): ConfineResult {
  const syntax = checkPromQL(query);
  if (!syntax.ok) return refuse(`the query does not parse: ${syntax.message}`, syntax.offset, syntax.offset);
  const characters = checkCharacters(query);
  if (characters !== undefined) return characters;
  const insertions: Insertion[] = [];
  let refusal: Refusal | undefined;
  parsePromQLTree(query).iterate({
    enter(ref) {
      if (refusal !== undefined) return false;
      if (ref.name === 'FunctionCall' || ref.name === 'AggregateExpr')
        refusal = checkFunction(query, ref.node);
      if (ref.name !== 'VectorSelector') return undefined;
      const outcome = confineSelector(query, ref.node, namespace);
      if (outcome !== undefined && 'ok' in outcome) refusal = outcome;
      else if (outcome !== undefined) insertions.push(outcome);
      return false;
    },
  });
  if (refusal !== undefined) return refusal;
  let confined = query;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at)) {
    confined = confined.slice(0, at) + text + confined.slice(at);
  }
  return { ok: true, query: confined };
}

/**
 * `query` with every selector confined to `namespace`, or the reason it cannot be. Throws Error
 * when `namespace` is not a Kubernetes namespace name: an empty one would turn the boundary into
 * "series without a namespace", and a caller passing one has a bug, not a refused query.
 */
export function confineToNamespace(query: string, namespace: string): ConfineResult {
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new Error(`invalid namespace name ${quoteForMessage(namespace)}: expected an RFC 1123 label`);
  }
  const result = confineOnce(query, namespace);
  if (!result.ok) return result;
  // Belt and braces: the result must read as confined to the same check, with nothing to add.
  const again = confineOnce(result.query, namespace);
  if (!again.ok || again.query !== result.query) {
    return refuse('the query could not be confined to its namespace', 0, query.length);
  }
  return result;
}

/**
 * Series selectors as prometheus-adapter rules write them (`seriesQuery`):
 * `http_requests_total{pod!=""}` or `{__name__=~"^container_.*",namespace!=""}`. Parsed into
 * parts so that matchers can be added safely, and written back with every value escaped.
 */
import { isMatchOperator, type MatchOperator } from '../matchers.js';
import { isValidLabelName, isValidMetricName } from '../names.js';
import { promqlString, quoteForMessage, unquotePromQLString } from '../string-literal.js';
import { checkPromQL } from './check.js';
import { childNodes, nodeText, parsePromQLTree, type PromQLNode } from './tree.js';

export interface SeriesMatcher {
  name: string;
  op: MatchOperator;
  value: string;
}

export interface SeriesSelector {
  /** The name written before the braces (or as a bare quoted name inside them). */
  metricName?: string;
  matchers: SeriesMatcher[];
}

class SeriesSelectorError extends Error {
  constructor(selector: string, reason: string) {
    super(`invalid series selector ${quoteForMessage(selector)}: ${reason}`);
    this.name = 'SeriesSelectorError';
  }
}

function parseMatcher(selector: string, node: PromQLNode): SeriesMatcher {
  const [nameNode, opNode, valueNode] = childNodes(node);
  if (nameNode === undefined || opNode === undefined || valueNode === undefined) {
    throw new SeriesSelectorError(
      selector,
      `incomplete matcher ${quoteForMessage(nodeText(selector, node))}`,
    );
  }
  // A quoted label name (`"my.label"="x"`) is a QuotedLabelName wrapping a StringLiteral.
  const nameLiteral = nameNode.name === 'QuotedLabelName' ? nameNode.firstChild : null;
  const name =
    nameLiteral === null
      ? nodeText(selector, nameNode)
      : unquotePromQLString(nodeText(selector, nameLiteral));
  const op = nodeText(selector, opNode);
  if (!isMatchOperator(op))
    throw new SeriesSelectorError(selector, `unknown match operator ${quoteForMessage(op)}`);
  return { name, op, value: unquotePromQLString(nodeText(selector, valueNode)) };
}

function matchesEmptyValue({ op, value }: SeriesMatcher): boolean {
  return (op === '=' && value === '') || (op === '!=' && value !== '');
}

/**
 * Parses a single vector selector. Throws Error (with the selector and the reason) for syntax
 * errors, for anything else (functions, ranges, offsets, operators) and for a selector that
 * Prometheus would reject because every matcher also matches series without the label.
 */
export function parseSeriesSelector(selector: string): SeriesSelector {
  const check = checkPromQL(selector);
  if (!check.ok) throw new SeriesSelectorError(selector, check.message);
  const [expression, ...extra] = childNodes(parsePromQLTree(selector).topNode);
  if (expression?.name !== 'VectorSelector' || extra.length > 0) {
    throw new SeriesSelectorError(
      selector,
      'expected a single series selector such as metric{label="value"}',
    );
  }
  const names: string[] = [];
  const matchers: SeriesMatcher[] = [];
  for (const part of childNodes(expression)) {
    if (part.name === 'Identifier') {
      names.push(nodeText(selector, part));
      continue;
    }
    for (const item of childNodes(part)) {
      if (item.name === 'QuotedLabelName') {
        const literal = item.firstChild;
        if (literal !== null) names.push(unquotePromQLString(nodeText(selector, literal)));
      } else {
        matchers.push(parseMatcher(selector, item));
      }
    }
  }
  const [metricName, ...otherNames] = names;
  if (otherNames.length > 0) {
    throw new SeriesSelectorError(
      selector,
      `metric name must not be set twice: ${names.map(quoteForMessage).join(' or ')}`,
    );
  }
  const regexMatcher = matchers.some(({ op }) => op === '=~' || op === '!~');
  if (metricName === undefined && !regexMatcher && matchers.every(matchesEmptyValue)) {
    throw new SeriesSelectorError(selector, 'a series selector must contain at least one non-empty matcher');
  }
  return metricName === undefined ? { matchers } : { metricName, matchers };
}

/**
 * Writes a selector back: `name{label="value",…}`. Values are always escaped; names that are
 * not classic Prometheus names are written quoted (`{"my.metric","my.label"="x"}`), which needs
 * Prometheus 3.
 */
export function formatSeriesSelector(selector: SeriesSelector): string {
  const parts: string[] = [];
  let prefix = '';
  if (selector.metricName !== undefined) {
    if (isValidMetricName(selector.metricName)) prefix = selector.metricName;
    else parts.push(promqlString(selector.metricName));
  }
  for (const { name, op, value } of selector.matchers) {
    if (!isMatchOperator(op)) throw new Error(`unknown label match operator ${JSON.stringify(op)}`);
    const writtenName = isValidLabelName(name) ? name : promqlString(name);
    parts.push(`${writtenName}${op}${promqlString(value)}`);
  }
  if (parts.length === 0) return prefix === '' ? '{}' : prefix;
  return `${prefix}{${parts.join(',')}}`;
}

/**
 * A selector for the series named `name` that also satisfy `selector`: `__name__="name"` is
 * added. When `selector` already fixes a different metric name (by name or `__name__="…"`) no
 * series can match and the result is undefined; when it fixes `name` itself it is returned as is
 * (reformatted). Throws like parseSeriesSelector.
 */
export function withNameMatcher(selector: string, name: string): string | undefined {
  const parsed = parseSeriesSelector(selector);
  const fixedNames = [
    ...(parsed.metricName === undefined ? [] : [parsed.metricName]),
    ...parsed.matchers
      .filter((matcher) => matcher.name === '__name__' && matcher.op === '=')
      .map((m) => m.value),
  ];
  if (fixedNames.some((fixed) => fixed !== name)) return undefined;
  if (fixedNames.length > 0) return formatSeriesSelector(parsed);
  return formatSeriesSelector({ matchers: [{ name: '__name__', op: '=', value: name }, ...parsed.matchers] });
}

/**
 * The range window a query uses (`rate(x[2m])` → 120 s), so that callers can report the window
 * a value covers. Only literal durations are understood; computed ones (`[5m+1m]`, `[step()]`)
 * make the window unknown.
 */
import { parseDurationMs } from './duration.js';
import { childNodes, nodeText, parsePromQLTree, type PromQLNode } from './tree.js';

/** Milliseconds of a DurationExpr node that is a single literal; undefined otherwise. */
function literalDurationMs(query: string, durationExpr: PromQLNode): number | undefined {
  const [only, ...rest] = childNodes(durationExpr);
  if (only?.name !== 'NumberDurationLiteralInDurationContext' || rest.length > 0) return undefined;
  return parseDurationMs(nodeText(query, only));
}

/**
 * The range (in seconds) shared by every range selector and subquery in `query`
 * (`sum(rate(x[2m])) by (pod)` → 120, `x[1m30s]` → 90, `max_over_time(x[5m:1m])` → 300).
 * undefined when there is none, when they differ, or when one is not a literal duration.
 * Works on the syntax tree even if the query has syntax errors elsewhere.
 */
export function rangeWindowSeconds(query: string): number | undefined {
  // undefined entries are ranges whose length is not a literal.
  const rangesMs: (number | undefined)[] = [];
  parsePromQLTree(query).iterate({
    enter(node) {
      if (node.name !== 'MatrixSelector' && node.name !== 'SubqueryExpr') return;
      // The first DurationExpr child is the range; a subquery's second one is its resolution.
      const range = node.node.getChild('DurationExpr');
      rangesMs.push(range === null ? undefined : literalDurationMs(query, range));
    },
  });
  const [onlyWindow, ...others] = new Set(rangesMs);
  if (onlyWindow === undefined || others.length > 0) return undefined;
  return onlyWindow / 1000;
}

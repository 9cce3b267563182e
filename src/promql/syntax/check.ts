/**
 * A syntax check for PromQL written by operators (rule templates, configured queries), so that
 * mistakes are reported when the configuration loads rather than as a Prometheus error later.
 *
 * Best effort: it uses the lezer grammar of Prometheus' web UI, which accepts some queries that
 * Prometheus rejects (type errors such as rate() of an instant vector, wrong argument counts,
 * invalid regexes, selectors without a non-empty matcher) and may reject functions newer than
 * the grammar. A query that passes can still fail in Prometheus; one that fails is wrong in
 * every Prometheus version this grammar knows. String literals are checked more strictly than
 * the grammar does (unterminated strings, bad escapes), following Prometheus' own lexer.
 */
import { PromQLStringError, quoteForMessage, unquotePromQLString } from '../string-literal.js';
import { nodeText, parsePromQLTree } from './tree.js';

export type PromQLCheckResult = { ok: true } | { ok: false; message: string; offset: number };

const CONTEXT_CHARS = 20;

/** A short excerpt of `query` around `offset`, quoted, for error messages. */
function excerptAround(query: string, offset: number): string {
  const start = Math.max(0, offset - CONTEXT_CHARS);
  const end = Math.min(query.length, offset + CONTEXT_CHARS);
  const excerpt = (start > 0 ? '…' : '') + query.slice(start, end) + (end < query.length ? '…' : '');
  return quoteForMessage(excerpt);
}

/** What the parser choked on: the error node's text, or the next word for a zero-width error. */
function unexpectedText(query: string, from: number, to: number): string {
  if (from >= query.length) return 'end of query';
  const text = to > from ? query.slice(from, to) : (/^\s*(\S{1,20})/.exec(query.slice(from))?.[1] ?? '');
  if (text === '') return 'end of query';
  return quoteForMessage(text.length > CONTEXT_CHARS ? `${text.slice(0, CONTEXT_CHARS)}…` : text);
}

/** Reports the first syntax error of `query`, or { ok: true }. */
export function checkPromQL(query: string): PromQLCheckResult {
  if (query.trim() === '') return { ok: false, message: 'empty query', offset: 0 };
  let failure: { message: string; offset: number } | undefined;
  parsePromQLTree(query).iterate({
    enter(node) {
      // Nodes are visited in document order, so the first problem found is the leftmost.
      if (failure !== undefined) return false;
      if (node.type.isError) {
        failure = {
          offset: node.from,
          message:
            `syntax error at position ${node.from}: unexpected ${unexpectedText(query, node.from, node.to)}` +
            ` near ${excerptAround(query, node.from)}`,
        };
        return false;
      }
      if (node.name === 'StringLiteral') {
        try {
          unquotePromQLString(nodeText(query, node.node));
        } catch (error) {
          if (!(error instanceof PromQLStringError)) throw error;
          const offset = node.from + error.offset;
          failure = {
            offset,
            message: `invalid string at position ${offset}: ${error.message} near ${excerptAround(query, offset)}`,
          };
        }
        return false;
      }
      return undefined;
    },
  });
  return failure === undefined ? { ok: true } : { ok: false, ...failure };
}

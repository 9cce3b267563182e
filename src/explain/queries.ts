/**
 * The steps every explanation shares: a query recorded with its syntax check and run once, the
 * answer the server would give when it cannot be made or fails, and the rule and resources
 * notes. The server answers these cases the same way, so the explanation says what it would.
 */
import { damerauLevenshtein, suggestionThreshold } from '../config/suggest.js';
import { ApiError, errorMessage } from '../errors.js';
import type { Sample } from '../prometheus/index.js';
import { checkPromQL } from '../promql/index.js';
import type { CompiledRule } from '../rules/index.js';
import type {
  ExplainDeps,
  ExplainedQuery,
  ExplainedRule,
  ExplainedSample,
  Explanation,
  ResourcesSource,
} from './types.js';

/** As Prometheus formats sample values. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function explainedSample(s: Sample): ExplainedSample {
  return { labels: { ...s.labels }, value: formatSampleValue(s.value), timestamp: s.timestamp.toISOString() };
}

export function ruleInfo(rule: CompiledRule): ExplainedRule {
  return {
    path: rule.path,
    file: rule.at.file,
    line: rule.at.line,
    column: rule.at.column,
    seriesQuery: rule.seriesQuery,
    template: rule.metricsQuerySource.value,
  };
}

export function resourcesNote(source: ResourcesSource): Explanation['resources'] {
  return {
    source,
    note:
      source === 'builtin'
        ? 'assumed: the built-in table of standard Kubernetes resources (no cluster was asked)'
        : 'from the cluster’s API discovery',
  };
}

export function failure(err: ApiError): Explanation['outcome'] {
  return { status: err.code, reason: err.reason, message: err.message };
}

/** What the server answers when planning or rendering a query throws. */
export function renderFailure(err: unknown): Explanation['outcome'] {
  return err instanceof ApiError
    ? failure(err)
    : { status: 500, reason: 'InternalError', message: errorMessage(err) };
}

export function newQuery(purpose: string, source: string, promql: string): ExplainedQuery {
  const check = checkPromQL(promql);
  return {
    purpose,
    source,
    promql,
    syntax: check.ok ? { ok: true } : { ok: false, message: check.message },
    ran: false,
    samples: [],
  };
}

/** The queries of one plan: `(part i of n)` added to the purpose when there are several. */
export function newQueries(purpose: string, source: string, promql: readonly string[]): ExplainedQuery[] {
  return promql.map((text, i) =>
    newQuery(promql.length > 1 ? `${purpose} (part ${i + 1} of ${promql.length})` : purpose, source, text),
  );
}

async function runQuery(
  q: ExplainedQuery,
  deps: ExplainDeps,
  headers: Readonly<Record<string, string>> | undefined,
): Promise<Sample[] | undefined> {
  if (!q.syntax.ok) return undefined;
  try {
    const samples = await deps.prometheus.query(q.promql, { signal: deps.signal, headers });
    q.ran = true;
    q.samples = samples.map(explainedSample);
    return samples;
  } catch (err) {
    q.ran = true;
    q.error = errorMessage(err);
    return undefined;
  }
}

/**
 * Records the queries and runs them in order; returns their samples concatenated (the order the
 * server reads split parts in). On a syntax error or a failed call, sets the outcome the server
 * would answer with and returns undefined. `headers`: the rule's own (a namespace's tenant headers).
 */
export async function runExplained(
  e: Explanation,
  queries: readonly ExplainedQuery[],
  deps: ExplainDeps,
  headers?: Readonly<Record<string, string>>,
): Promise<Sample[] | undefined> {
  const all: Sample[] = [];
  for (const query of queries) {
    e.queries.push(query);
    const samples = await runQuery(query, deps, headers);
    if (!query.syntax.ok) {
      e.outcome = {
        status: 503,
        reason: 'ServiceUnavailable',
        message: `Prometheus would reject the query: ${query.syntax.message}`,
      };
      return undefined;
    }
    if (samples === undefined) {
      e.outcome = { status: 503, reason: 'ServiceUnavailable', message: query.error ?? 'the query failed' };
      return undefined;
    }
    all.push(...samples);
  }
  return all;
}

const SUGGESTED = 3;

/** `; did you mean a or b?` with the closest names (at most three, nearest first), or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const limit = suggestionThreshold(name);
  const near = [...new Set(candidates)]
    .map((c) => ({ c, d: damerauLevenshtein(name, c) }))
    .filter((x) => x.d <= limit && x.c !== name)
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, SUGGESTED)
    .map((x) => x.c);
  return near.length === 0 ? '' : `; did you mean ${near.join(' or ')}?`;
}

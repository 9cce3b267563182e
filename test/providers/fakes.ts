/** Stand-ins shared by the provider tests: a Prometheus that records queries and answers from a script. */
import { UnavailableError } from '../../src/errors.js';
import type { PrometheusClient, Sample } from '../../src/prometheus/index.js';
import { parseSeriesSelector, type SeriesMatcher } from '../../src/promql/index.js';

export class RecordingPrometheus implements PrometheusClient {
  readonly queries: string[] = [];
  series_: Record<string, string>[] = [];
  down = false;
  /** Answers a query; the default answers nothing. */
  answer: (promql: string) => Sample[] = () => [];

  query(promql: string): Promise<Sample[]> {
    this.queries.push(promql);
    if (this.down)
      return Promise.reject(new UnavailableError('unable to reach Prometheus: connection refused'));
    return Promise.resolve(this.answer(promql));
  }

  series(selectors: readonly string[]): Promise<Record<string, string>[]> {
    if (this.down)
      return Promise.reject(new UnavailableError('unable to reach Prometheus: connection refused'));
    const parsed = selectors.map((s) => parseSeriesSelector(s));
    const nameMatches = (sel: (typeof parsed)[number], name: string): boolean => {
      if (sel.metricName !== undefined && sel.metricName !== name) return false;
      return sel.matchers
        .filter((m) => m.name === '__name__')
        .every((m) => (m.op === '=' ? m.value === name : m.op === '=~' ? regexMatches(m.value, name) : true));
    };
    return Promise.resolve(
      this.series_.filter((s) => parsed.some((sel) => nameMatches(sel, s.__name__ ?? ''))),
    );
  }

  labelValues(): Promise<string[]> {
    return Promise.resolve([...new Set(this.series_.map((s) => s.__name__ ?? ''))].sort());
  }
}

/** The matchers of the (first) `{…}` selector in a rendered query, parsed back from PromQL. */
export function matchersOf(promql: string): SeriesMatcher[] {
  const start = promql.indexOf('{');
  let depth = 0;
  let inString = false;
  for (let i = start; i < promql.length && i >= 0; i++) {
    const c = promql[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return parseSeriesSelector(promql.slice(start, i + 1)).matchers;
  }
  throw new Error(`no selector in ${promql}`);
}

/** Whether a PromQL (RE2, fully anchored) regex matches a value; fine for the escaped alternations here. */
export function regexMatches(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`, 'u').test(value);
}

export function sample(
  labels: Record<string, string>,
  value: number,
  at = new Date('2024-05-29T08:38:20Z'),
): Sample {
  return { labels, value, timestamp: at };
}

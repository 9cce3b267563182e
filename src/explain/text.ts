/** Plain-text rendering of an Explanation, for terminals, CI logs and /debug/explain?format=text. */
import { promqlString } from '../promql/index.js';
import type { ExplainedQuery, ExplainedSample, Explanation, SampleMapping } from './types.js';

const SHOWN = 50;

function labelSet(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${promqlString(labels[k] ?? '')}`);
  return `{${parts.join(',')}}`;
}

/** `text` with every non-empty line prefixed by `by` (check's rendering uses it too). */
export function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

function sampleLine(s: ExplainedSample): string {
  return `${labelSet(s.labels)} ${s.value} @ ${s.timestamp}`;
}

function mappingText(m: SampleMapping): string[] {
  const lines = [`  mapping (object names from label ${m.objectLabel}):`];
  for (const x of m.matched.slice(0, SHOWN)) {
    const extra = Object.keys(x.labels).filter((k) => k !== m.objectLabel);
    lines.push(`    ${x.object} ← ${x.value}${extra.length > 0 ? ` ${labelSet(x.labels)}` : ''}`);
  }
  if (m.matched.length > SHOWN) lines.push(`    … ${m.matched.length - SHOWN} more`);
  if (m.noSample.length > 0) lines.push(`    no sample: ${m.noSample.join(', ')}`);
  for (const d of m.dropped)
    lines.push(`    dropped ${d.object}: ${d.value} (NaN and infinite values are left out)`);
  for (const d of m.duplicates)
    lines.push(`    ignored a further sample for ${d.object}: ${d.value} (the first one is used)`);
  for (const u of m.unmatched)
    lines.push(`    matches no object: ${labelSet(u.labels)} ${u.value} (${u.reason})`);
  return lines;
}

function queryText(q: ExplainedQuery): string[] {
  const lines = [
    `query: ${q.purpose}, from ${q.source} — ${q.syntax.ok ? 'syntax ok' : `syntax error: ${q.syntax.message}`}`,
  ];
  lines.push(indent(q.promql.trim(), '    '));
  if (q.error !== undefined) lines.push(`  Prometheus: ${q.error}`);
  else if (q.ran) {
    lines.push(`  ${q.samples.length} sample${q.samples.length === 1 ? '' : 's'}:`);
    for (const s of q.samples.slice(0, SHOWN)) lines.push(`    ${sampleLine(s)}`);
    if (q.samples.length > SHOWN) lines.push(`    … ${q.samples.length - SHOWN} more`);
  }
  if (q.mapping !== undefined) lines.push(...mappingText(q.mapping));
  return lines;
}

export function renderExplanationText(e: Explanation): string {
  const out: string[] = [`GET ${e.path}`];
  if (e.groupVersion !== undefined) out.push(`api: ${e.groupVersion}`);
  if (e.request !== undefined) out.push(`request: ${e.request}`);
  out.push(`resources: ${e.resources.note}`);
  if (e.rule !== undefined) {
    out.push(`rule: ${e.rule.path} (${e.rule.file}:${e.rule.line}:${e.rule.column})`);
    out.push(`  seriesQuery ${e.rule.seriesQuery}`);
    out.push(`  metricsQuery ${e.rule.template.trim()}`);
  }
  if (e.match !== undefined) {
    const m = e.match;
    const parts = [`metric ${m.metric}`];
    if (m.seriesName !== undefined) parts.push(`series ${m.seriesName}`);
    if (m.groupResource !== undefined)
      parts.push(`${m.groupResource} (${m.namespaced === true ? 'namespaced' : 'cluster scope'})`);
    if (m.objectLabel !== undefined) parts.push(`object names in label ${m.objectLabel}`);
    if (m.windowSeconds !== undefined) parts.push(`window ${m.windowSeconds}s`);
    out.push(`match: ${parts.join(', ')}`);
  }
  if (e.objects !== undefined) {
    const o = e.objects;
    const from = {
      request: 'named in the path',
      cluster: 'listed from the cluster',
      flag: 'given with --objects',
      unknown: 'unknown without a cluster',
    }[o.source];
    out.push(
      `objects (${from}): ${o.names.length > 0 ? o.names.join(', ') : o.source === 'unknown' ? 'every object' : 'none'}`,
    );
  }
  for (const q of e.queries) out.push(...queryText(q));
  const status =
    e.outcome.status === undefined
      ? 'answer: cannot be told'
      : `answer: ${e.outcome.status}${e.outcome.reason !== undefined ? ` ${e.outcome.reason}` : ''}`;
  out.push(`${status}: ${e.outcome.message}`);
  for (const n of e.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

/** Plain-text renderings of a CheckReport and an Explanation, for terminals and CI logs. */
import { formatDiagnostic } from '../../config/rules-file.js';
import { promqlString } from '../../promql/index.js';
import type { CheckReport, RuleReport } from './check.js';
import type { ExplainedQuery, ExplainedSample, Explanation, SampleMapping } from './explain.js';

const SHOWN = 50;

function labelSet(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${promqlString(labels[k] ?? '')}`);
  return `{${parts.join(',')}}`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

function at(r: { at: { file: string; line: number; column: number } }): string {
  return `${r.at.file}:${r.at.line}:${r.at.column}`;
}

function ruleText(r: RuleReport): string[] {
  const lines = [`${r.path} (${at(r)})${r.api === 'external' ? ' external' : ''}`];
  lines.push(`  seriesQuery ${r.seriesQuery}`);
  for (const m of r.mapping) lines.push(`  ${m}`);
  const d = r.discovery;
  if (d === undefined) return lines;
  if (d.error !== undefined) {
    lines.push(`  series discovery failed: ${d.error}`);
    return lines;
  }
  lines.push(
    `  ${d.series} series, ${count(d.seriesNames, 'series name')}, ${d.keptNames} kept by the filters`,
  );
  for (const m of r.metrics) {
    lines.push(`  ${m.metric} ← ${m.series.join(', ')}`);
    if (m.resources.length > 0)
      lines.push(
        `    on ${m.resources
          .map(
            (x) => `${x.groupResource} (${x.namespaced ? 'namespaced' : 'cluster scope'}, label ${x.label})`,
          )
          .join(', ')}`,
      );
  }
  if (r.yieldsNothing !== undefined) lines.push(`  yields nothing: ${r.yieldsNothing}`);
  return lines;
}

/** `1 rule`, `2 rules`. */
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function renderCheckText(report: CheckReport): string {
  // A file that is not YAML (or cannot be read) has nothing to summarise: only its errors.
  if (report.unparsable) return report.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
  const out: string[] = [];
  const c = report.counts;
  out.push(
    `${report.file}: ${count(c.rules, 'rule')}, ${count(c.externalRules, 'external rule')}${c.resourceRules ? ', resourceRules' : ''}`,
  );
  out.push(`resources: ${report.resources.note}`);
  const p = report.prometheus;
  if (p === undefined) out.push('Prometheus: not asked (give --prometheus-url to run series discovery)');
  else if (p.skipped !== undefined) out.push(`Prometheus ${p.url}: not asked: ${p.skipped}`);
  else if (!p.reachable) out.push(`Prometheus ${p.url}: unreachable: ${p.error ?? ''}`);
  else out.push(`Prometheus ${p.url}: series discovery over the last ${p.maxAge}`);
  for (const n of report.notChecked) out.push(`not checked: ${n}`);
  for (const r of report.rules) out.push('', ...ruleText(r));
  if (report.overlaps.length > 0) {
    out.push('', 'overlaps (the later rule wins, as in prometheus-adapter):');
    for (const o of report.overlaps)
      out.push(`  ${o.key}${o.namespaced ? ' (namespaced)' : ''}: ${o.rules.join(', ')} → ${o.winner}`);
  }
  if (report.resourceRules.length > 0) {
    out.push('', 'resourceRules');
    for (const q of report.resourceRules) {
      const sample =
        q.target === 'pods'
          ? `pod ${q.sample.names.join(', ')} in namespace ${q.sample.namespace ?? ''}`
          : `node ${q.sample.names.join(', ')}`;
      out.push(
        `  ${q.resource} of ${q.target}: ${q.path} (${at(q)}) — ${q.syntax.ok ? 'syntax ok' : `syntax error: ${q.syntax.message}`}`,
      );
      out.push(`    for sample ${sample}:`);
      out.push(indent(q.sample.promql.trim(), '      '));
      if (q.run !== undefined)
        out.push(
          q.run.error !== undefined
            ? `    every ${q.target === 'pods' ? 'pod' : 'node'}: failed: ${q.run.error}`
            : `    every ${q.target === 'pods' ? 'pod' : 'node'}: ${q.run.series} series for ${count(q.run.objects, q.target === 'pods' ? 'pod' : 'node')}`,
        );
    }
  }
  if (report.diagnostics.length > 0) {
    out.push('');
    for (const d of report.diagnostics) out.push(formatDiagnostic(d));
  }
  out.push('', `${count(report.errors, 'error')}, ${count(report.warnings, 'warning')}`);
  return out.join('\n') + '\n';
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

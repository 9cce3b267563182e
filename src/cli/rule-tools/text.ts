/** Plain-text rendering of a CheckReport, for terminals and CI logs (explain's is src/explain/text.ts). */
import { formatDiagnostic } from '../../config/rules-file.js';
import { indent } from '../../explain/index.js';
import type { CheckReport, RuleReport } from './check-report.js';

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
  const rules = `${count(c.rules, 'rule')}, ${count(c.externalRules, 'external rule')}${c.resourceRules ? ', resourceRules' : ''}`;
  if (report.objects === undefined) out.push(`${report.file}: ${rules}`);
  else {
    const failed = report.objects.filter((o) => !o.compiled).length;
    out.push(
      `${report.file}: ${count(report.objects.length, 'rule object')}${failed > 0 ? ` (${failed} with errors)` : ''}: ${rules}`,
    );
    for (const o of report.objects)
      out.push(
        `  ${o.object} (${at(o)})${o.namespace === undefined ? '' : `: reads and serves namespace ${o.namespace} only`}${o.compiled ? '' : ' — has errors'}`,
      );
  }
  out.push(`resources: ${report.resources.note}`);
  const p = report.prometheus;
  if (p === undefined) out.push('Prometheus: not asked (give --prometheus-url to run series discovery)');
  else if (p.skipped !== undefined) out.push(`Prometheus ${p.url}: not asked: ${p.skipped}`);
  else if (!p.reachable) out.push(`Prometheus ${p.url}: unreachable: ${p.error ?? ''}`);
  else out.push(`Prometheus ${p.url}: series discovery over the last ${p.maxAge}`);
  for (const n of report.notChecked) out.push(`not checked: ${n}`);
  for (const r of report.rules) out.push('', ...ruleText(r));
  if (report.overlaps.length > 0) {
    out.push(
      '',
      report.objects === undefined
        ? 'overlaps (the later rule wins, as in prometheus-adapter):'
        : 'overlaps (ClusterMetricRules by name, then MetricRules by namespace and name: the first wins):',
    );
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

/**
 * `check` on a file of rule objects (ClusterMetricRule / MetricRule documents, or a `kind: List`
 * of them, as `kubectl get -o yaml` prints): each object compiles on its own, as the adapter
 * compiles it from the cluster (rule-objects.ts, with a MetricRule's namespace boundary), and its
 * errors carry the file:line:col and the object's name. The rules of the objects that compiled
 * are then checked together like a rules file's, in the file's order.
 */
import { isMap, parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../../config/rules-file.js';
import type { CompiledRules } from '../../rules/index.js';
import {
  compileRuleObjectsText,
  type RuleObjectRef,
  type RuleObjectResult,
} from '../../rules/rule-objects.js';
import type { CheckReport, ObjectReport } from './check-report.js';
import { checkCompiled, emptyReport, type CheckOptions } from './check-compiled.js';

/** Some document names its apiVersion or kind: rule objects (a rules file has neither key). */
export function isRuleObjectsText(text: string): boolean {
  return parseAllDocuments(text).some((d) => {
    const root = d.contents;
    return isMap(root) && (root.has('apiVersion') || root.has('kind'));
  });
}

/** `MetricRule team-a/queue-depth`, as far as the object could be read. */
export function objectName(ref: Partial<RuleObjectRef>, at: { line: number }): string {
  const ns = ref.namespace === undefined ? '' : `${ref.namespace}/`;
  if (ref.name === undefined) return `${ref.kind ?? 'object'} at line ${at.line}`;
  return `${ref.kind ?? 'object'} ${ns}${ref.name}`;
}

function named(d: Diagnostic, name: string): Diagnostic {
  return { ...d, path: d.path === '' ? name : `${name} ${d.path}` };
}

function objectReport(r: RuleObjectResult): ObjectReport {
  return {
    object: objectName(r.ref, r.at),
    at: r.at,
    compiled: r.rules !== undefined,
    ...(r.ref.kind === 'MetricRule' && r.ref.namespace !== undefined ? { namespace: r.ref.namespace } : {}),
  };
}

/** Objects holding resourceRules beyond the first: the adapter serves metrics.k8s.io from one. */
function resourceRulesWarnings(results: readonly RuleObjectResult[]): Diagnostic[] {
  const holders = results.filter((r) => r.rules?.resource !== undefined);
  const first = holders[0];
  if (first === undefined) return [];
  return holders.slice(1).map((r) => ({
    severity: 'warning',
    at: r.at,
    path: objectName(r.ref, r.at),
    message: `${objectName(first.ref, first.at)} also holds resourceRules: only one set answers metrics.k8s.io (the status of the other says which); this check uses the first`,
  }));
}

export async function checkRuleObjectsText(o: CheckOptions, text: string): Promise<CheckReport> {
  const results = compileRuleObjectsText(text, o.file, { mapper: o.mapper });
  const diagnostics = results.flatMap((r) => r.diagnostics.map((d) => named(d, objectName(r.ref, r.at))));
  diagnostics.push(...resourceRulesWarnings(results));
  const report = emptyReport(o, diagnostics);
  report.objects = results.map(objectReport);
  const ok = results.flatMap((r) => (r.rules === undefined ? [] : [r.rules]));
  const resource = ok.find((r) => r.resource !== undefined);
  const rules: CompiledRules = {
    file: o.file,
    custom: ok.flatMap((r) => r.custom),
    external: ok.flatMap((r) => r.external),
    resourceRules: resource?.resourceRules,
    ...(resource?.resource !== undefined ? { resource: resource.resource } : {}),
  };
  report.counts = {
    rules: rules.custom.length,
    externalRules: rules.external.length,
    resourceRules: resource !== undefined,
  };
  const failed = results.filter((r) => r.rules === undefined).map((r) => objectName(r.ref, r.at));
  report.compiled = failed.length === 0;
  await checkCompiled(o, report, { rules, hasErrors: failed.length > 0, failed, configs: new Map() });
  return report;
}

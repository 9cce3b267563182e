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
import { OBJECT_PRECEDENCE, type CheckReport, type ObjectReport } from './check-report.js';
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

/** ClusterMetricRules by name, then MetricRules by namespace and name (as the adapter merges them). */
function precedenceKey(r: RuleObjectResult): string {
  const kind = r.ref.kind === 'ClusterMetricRule' ? '0' : '1';
  return `${kind}\u0000${r.ref.namespace ?? ''}\u0000${r.ref.name ?? ''}`;
}

/** Objects holding resourceRules besides the one that takes precedence: theirs are not served. */
function resourceRulesWarnings(results: readonly RuleObjectResult[]): Diagnostic[] {
  const holders = results
    .filter((r) => r.rules?.resource !== undefined)
    .sort((a, b) => precedenceKey(a).localeCompare(precedenceKey(b)));
  const first = holders[0];
  if (first === undefined) return [];
  return holders.slice(1).map((r) => ({
    severity: 'warning',
    at: r.at,
    path: objectName(r.ref, r.at),
    message: `${objectName(first.ref, first.at)} also holds resourceRules and takes precedence (ClusterMetricRules by name, after the rules file's): these resourceRules are not served`,
  }));
}

function byPosition(a: { at: { line: number; column: number } }, b: typeof a): number {
  return a.at.line - b.at.line || a.at.column - b.at.column;
}

export async function checkRuleObjectsText(o: CheckOptions, text: string): Promise<CheckReport> {
  const results = compileRuleObjectsText(text, o.file, { mapper: o.mapper });
  const diagnostics = results.flatMap((r) => r.diagnostics.map((d) => named(d, objectName(r.ref, r.at))));
  diagnostics.push(...resourceRulesWarnings(results));
  const report = emptyReport(o, diagnostics);
  report.objects = results.map(objectReport);
  // Reverse precedence: the catalog keeps the last rule yielding a metric, the adapter the first
  // in precedence. resourceRules: the first ClusterMetricRule's in precedence.
  const ok = [...results]
    .sort((a, b) => precedenceKey(b).localeCompare(precedenceKey(a)))
    .flatMap((r) => (r.rules === undefined ? [] : [r.rules]));
  const resource = ok.findLast((r) => r.resource !== undefined);
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
  await checkCompiled(o, report, {
    rules,
    hasErrors: failed.length > 0,
    failed,
    configs: new Map(),
    precedence: OBJECT_PRECEDENCE,
  });
  report.rules.sort(byPosition);
  return report;
}

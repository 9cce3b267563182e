/**
 * What became of each rule object after a relist: whether it compiled, whether an earlier rule
 * serves its metrics instead (and which), whether its seriesQuery yields metrics, and which ones
 * it serves. Its candidate metrics are what its rule alone makes of its series shapes; the
 * catalog then tells, for each, which rule actually serves it.
 */
import type { Diagnostic } from '../config/rules-file.js';
import type { ResourceMapper } from '../kube/index.js';
import { MetricCatalog, type SeriesShape } from './catalog.js';
import type { MergedRules, RuleObjectEntry } from './merge-rules.js';
import type { RuleObjectOutcome } from './rule-object-outcome.js';
import type { CompiledRule } from './types.js';

/** What the outcomes are read from: the discovery as its last relist left it. */
export interface RelistView {
  catalog: MetricCatalog;
  seriesShapes(rule: CompiledRule): readonly SeriesShape[] | undefined;
  mapper: ResourceMapper;
}

/** `spec.rule.metricsQuery: …`: an object's error without its name (its status is on it). */
export function formatObjectDiagnostic(d: Diagnostic): string {
  const where = d.at.line === 0 ? '' : `${d.at.line}:${d.at.column}: `;
  return `${where}${d.path === '' ? '' : `${d.path}: `}${d.message}`;
}

const groupResource = (group: string, resource: string): string =>
  group === '' ? resource : `${resource}.${group}`;

interface RuleFacts {
  candidates: number;
  served: string[];
  lostTo: string | undefined;
}

function factsOf(
  rule: CompiledRule,
  shapes: readonly SeriesShape[],
  merged: MergedRules,
  view: RelistView,
): RuleFacts {
  const alone = new MetricCatalog();
  alone.addShapes(rule, shapes, view.mapper);
  const served: string[] = [];
  let lostTo: string | undefined;
  const judge = (name: string, winner: CompiledRule | undefined): void => {
    if (winner === rule) served.push(name);
    else if (winner !== undefined) lostTo ??= merged.owners.get(winner) ?? winner.path;
  };
  for (const e of alone.customEntries())
    judge(
      `${groupResource(e.info.group, e.info.resource)}/${e.metric}`,
      // A MetricRule's entries are its namespace's: looked up as a request from there would be.
      view.catalog.findCustom(e.metric, e.info.group, e.info.resource, e.namespaced, rule.tenant)?.rule,
    );
  for (const e of alone.externalEntries())
    judge(e.metric, view.catalog.findExternal(e.metric, rule.tenant)?.rule);
  return {
    candidates: alone.customCount + alone.externalCount,
    served: [...new Set(served)].sort(),
    lostTo,
  };
}

function outcomeOf(entry: RuleObjectEntry, merged: MergedRules, view: RelistView): RuleObjectOutcome {
  const base: RuleObjectOutcome = {
    kind: entry.kind,
    namespace: entry.namespace,
    name: entry.name,
    uid: entry.uid,
    generation: entry.generation,
    accepted: entry.rules !== undefined,
    errors: entry.errors,
    lostTo: undefined,
    ready: undefined,
    readyMessage: undefined,
    metrics: [],
  };
  const rules = entry.rules;
  if (rules === undefined)
    return { ...base, ready: false, readyMessage: 'the object was rejected: see its errors' };
  if (rules.resourceRules !== undefined) {
    const owner = merged.resourceOwner;
    const label =
      owner === undefined || merged.rules.resourceRules === rules.resourceRules ? undefined : owner;
    return label === undefined
      ? { ...base, ready: true, readyMessage: 'its resourceRules answer metrics.k8s.io' }
      : { ...base, lostTo: label, ready: false, readyMessage: `${label} defines resourceRules first` };
  }
  const rule = rules.custom[0] ?? rules.external[0];
  if (rule === undefined) return { ...base, ready: false, readyMessage: 'the object holds no rule' };
  const shapes = view.seriesShapes(rule);
  if (shapes === undefined)
    return { ...base, ready: false, readyMessage: 'its seriesQuery got no answer from Prometheus' };
  const facts = factsOf(rule, shapes, merged, view);
  const outcome = { ...base, lostTo: facts.lostTo, metrics: facts.served };
  if (facts.candidates === 0)
    return { ...outcome, ready: false, readyMessage: 'its seriesQuery found no series that yield a metric' };
  if (facts.served.length === 0)
    return {
      ...outcome,
      ready: false,
      readyMessage: `its metrics are served by ${facts.lostTo ?? 'another rule'}`,
    };
  return { ...outcome, ready: true, readyMessage: `serves ${facts.served.length} metric(s)` };
}

/** One outcome per entry, in merge order. */
export function ruleObjectOutcomes(merged: MergedRules, view: RelistView): RuleObjectOutcome[] {
  return merged.order.map((entry) => outcomeOf(entry, merged, view));
}

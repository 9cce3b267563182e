/**
 * Rules yielding the same metric for the same resource: which one the server's catalog serves
 * (found by feeding it the discovered series, in discovery order) and a warning on each rule that
 * loses.
 */
import type { Diagnostic } from '../../config/rules-file.js';
import { parseGroupResource, type ResourceMapper } from '../../kube/index.js';
import { MetricCatalog, type CompiledRule, type CompiledRules } from '../../rules/index.js';
import { LATER_WINS, listSome, type OverlapReport } from './check-report.js';
import type { RuleYield } from './check-yield.js';

function customKeyText(metric: string, groupResource: string): string {
  return `${groupResource}/${metric}`;
}

/** Overlaps between rules, with the winner the server's catalog picks. */
export function findOverlaps(
  yields: readonly RuleYield[],
  rules: CompiledRules,
  mapper: ResourceMapper,
): OverlapReport[] {
  const catalog = new MetricCatalog();
  // The same order as discovery: custom rules, then external rules.
  const ordered = [...rules.custom, ...rules.external];
  const byRule = new Map(yields.map((y) => [y.report.path, y]));
  for (const rule of ordered) catalog.addShapes(rule, byRule.get(rule.path)?.shapes ?? [], mapper);
  const contributors = new Map<
    string,
    {
      api: 'custom' | 'external';
      key: string;
      namespaced: boolean;
      rules: string[];
      metric: string;
      gr?: string;
    }
  >();
  for (const rule of ordered) {
    const y = byRule.get(rule.path);
    if (y === undefined) continue;
    for (const m of y.report.metrics) {
      const entries =
        rule.api === 'external'
          ? [{ id: `e\u0000${m.metric}`, key: m.metric, namespaced: false, gr: undefined }]
          : m.resources.map((r) => ({
              id: `c\u0000${r.groupResource}\u0000${r.namespaced}\u0000${m.metric}`,
              key: customKeyText(m.metric, r.groupResource),
              namespaced: r.namespaced,
              gr: r.groupResource,
            }));
      for (const e of entries) {
        const c = contributors.get(e.id) ?? {
          api: rule.api,
          key: e.key,
          namespaced: e.namespaced,
          rules: [],
          metric: m.metric,
          gr: e.gr,
        };
        if (!c.rules.includes(rule.path)) c.rules.push(rule.path);
        contributors.set(e.id, c);
      }
    }
  }
  const out: OverlapReport[] = [];
  for (const c of contributors.values()) {
    if (c.rules.length < 2) continue;
    let winner: string | undefined;
    if (c.api === 'external') winner = catalog.findExternal(c.metric)?.rule.path;
    else {
      const info = mapper.resolve(parseGroupResource(c.gr ?? ''));
      if (info !== undefined)
        winner = catalog.findCustom(c.metric, info.group, info.resource, c.namespaced)?.rule.path;
    }
    out.push({
      api: c.api,
      key: c.key,
      namespaced: c.namespaced,
      rules: c.rules,
      winner: winner ?? c.rules[c.rules.length - 1] ?? '',
    });
  }
  return out;
}

/** One warning per (overridden rule, winning rule) pair, listing what it loses. */
export function overlapWarnings(
  overlaps: readonly OverlapReport[],
  rulesByPath: ReadonlyMap<string, CompiledRule>,
  /** Why the winner wins, as the warning says it. */
  precedence = LATER_WINS,
): Diagnostic[] {
  const pairs = new Map<string, { loser: CompiledRule; winner: CompiledRule; keys: string[] }>();
  for (const o of overlaps) {
    const winner = rulesByPath.get(o.winner);
    if (winner === undefined) continue;
    for (const path of o.rules) {
      if (path === o.winner) continue;
      const loser = rulesByPath.get(path);
      if (loser === undefined) continue;
      const id = `${path}\u0000${o.winner}`;
      const p = pairs.get(id) ?? { loser, winner, keys: [] };
      p.keys.push(o.namespaced ? `${o.key} (namespaced)` : o.key);
      pairs.set(id, p);
    }
  }
  return [...pairs.values()].map(({ loser, winner, keys }) => ({
    severity: 'warning',
    at: loser.at,
    path: loser.path,
    message: `overlaps ${winner.path} (${winner.at.file}:${winner.at.line}:${winner.at.column}) on ${listSome(keys)}: ${winner.path} wins (${precedence})`,
  }));
}

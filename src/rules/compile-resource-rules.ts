/**
 * Compiles resourceRules, the PromQL source of metrics.k8s.io: the window, and a container and a
 * node query per resource (cpu, memory), each checked by rendering it with sample arguments.
 */
import type { ResourceRulesConfig } from '../config/rules-file.js';
import type { Template } from '../gotemplate/index.js';
import { isValidLabelName } from '../promql/index.js';
import { compileAssociation } from './compile-association.js';
import type { CompileChecks } from './compile-checks.js';
import { parsePrometheusDuration } from './prometheus-duration.js';
import type { CompiledResourceQuery, CompiledResourceRules } from './types.js';

/** The compiled resourceRules; undefined when any part has an error (reported to c). */
export function compileResourceRules(
  c: CompileChecks,
  r: ResourceRulesConfig,
): CompiledResourceRules | undefined {
  let windowMs: number | undefined;
  let ok = true;
  if (r.window !== undefined) {
    try {
      windowMs = parsePrometheusDuration(r.window.value);
    } catch (err) {
      ok = false;
      c.error(r.window, `${r.path}.window`, (err as Error).message);
    }
  }
  const compiled: Partial<Record<'cpu' | 'memory', CompiledResourceQuery>> = {};
  for (const [name, rule] of [
    ['cpu', r.cpu],
    ['memory', r.memory],
  ] as const) {
    if (rule === undefined) {
      ok = false;
      c.error(r, r.path, `${name} is required when resourceRules is present`);
      continue;
    }
    const templates: Partial<Record<'containerQuery' | 'nodeQuery', Template>> = {};
    const windows: Partial<Record<'containerQuery' | 'nodeQuery', number | undefined>> = {};
    for (const key of ['containerQuery', 'nodeQuery'] as const) {
      const src = rule[key];
      if (src === undefined) {
        ok = false;
        c.error(rule, rule.path, `${key} is required`);
        continue;
      }
      const t = c.template(src, `${rule.path}.${key}`, key);
      if (t === undefined) {
        ok = false;
        continue;
      }
      templates[key] = t;
      windows[key] = c.checkQuery(src, `${rule.path}.${key}`, t);
    }
    const association = compileAssociation(c, rule.resources, `${rule.path}.resources`, 'custom', rule);
    if (rule.containerLabel !== undefined && !isValidLabelName(rule.containerLabel.value)) {
      ok = false;
      c.error(
        rule.containerLabel,
        `${rule.path}.containerLabel`,
        `"${rule.containerLabel.value}" is not a valid Prometheus label name`,
      );
    }
    if (templates.containerQuery !== undefined && templates.nodeQuery !== undefined) {
      compiled[name] = {
        path: rule.path,
        containerQuery: templates.containerQuery,
        nodeQuery: templates.nodeQuery,
        association,
        containerLabel:
          rule.containerLabel === undefined || rule.containerLabel.value === ''
            ? 'container'
            : rule.containerLabel.value,
        containerWindowSeconds: windows.containerQuery,
        nodeWindowSeconds: windows.nodeQuery,
      };
    }
  }
  if (!ok || compiled.cpu === undefined || compiled.memory === undefined) return undefined;
  return { cpu: compiled.cpu, memory: compiled.memory, windowMs };
}

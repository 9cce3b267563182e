/**
 * `check` of resourceRules (metrics.k8s.io): resource typos in their overrides, plan problems,
 * each query rendered for a sample pod or node and parsed, and, with a Prometheus, run for every
 * pod or node to see that it returns objects.
 */
import type { Diagnostic } from '../../config/rules-file.js';
import { errorMessage } from '../../errors.js';
import { knownResources, suggestResource } from '../../explain/index.js';
import type { ResourceMapper } from '../../kube/index.js';
import type { PrometheusClient } from '../../prometheus/index.js';
import { checkPromQL } from '../../promql/index.js';
import type { CompiledRules } from '../../rules/index.js';
import type { UsageQueryReport } from './check-report.js';
import { renderUsageQuery, usagePlanProblems, usageQueryPlans } from './resource-rules.js';

const SAMPLE_POD = { names: ['sample-pod'], namespace: 'sample-namespace' };
const SAMPLE_NODE = { names: ['sample-node'] };

export async function checkUsageQueries(
  rules: CompiledRules,
  mapper: ResourceMapper,
  prometheus: PrometheusClient | undefined,
  diagnostics: Diagnostic[],
): Promise<UsageQueryReport[]> {
  const config = rules.resourceRules;
  if (config === undefined) return [];
  for (const rule of [config.cpu, config.memory]) {
    for (const o of rule?.resources.overrides ?? []) {
      if (rule === undefined || mapper.resolve({ group: o.group, resource: o.resource }) !== undefined)
        continue;
      const near = suggestResource(o.resource, o.group, knownResources(mapper));
      if (near === undefined) continue;
      diagnostics.push({
        severity: 'error',
        at: o.resourceAt ?? o.at,
        path: `${rule.path}.resources.overrides.${o.label}.resource`,
        message: `"${o.resource}" is not a Kubernetes resource — did you mean ${near}?`,
      });
    }
  }
  for (const problem of usagePlanProblems(config, mapper))
    diagnostics.push({ severity: 'warning', at: config.at, path: 'resourceRules', message: problem });
  const out: UsageQueryReport[] = [];
  for (const target of ['pods', 'nodes'] as const) {
    for (const plan of usageQueryPlans(config, target, mapper)) {
      const sample = target === 'pods' ? SAMPLE_POD : SAMPLE_NODE;
      const namespace = target === 'pods' ? SAMPLE_POD.namespace : undefined;
      const promql = renderUsageQuery(plan, sample.names, namespace);
      const check = checkPromQL(promql);
      const report: UsageQueryReport = {
        resource: plan.resource,
        target,
        path: plan.path,
        at: plan.at,
        sample: { names: sample.names, namespace, promql },
        syntax: check.ok ? { ok: true } : { ok: false, message: check.message },
      };
      if (!check.ok)
        diagnostics.push({
          severity: 'error',
          at: plan.at,
          path: plan.path,
          message: `renders invalid PromQL: ${check.message}`,
        });
      if (prometheus !== undefined && check.ok) {
        const all = renderUsageQuery(plan, undefined, undefined);
        try {
          const samples = await prometheus.query(all);
          const objects = new Set(samples.map((s) => s.labels[plan.objectLabel] ?? ''));
          objects.delete('');
          report.run = { promql: all, series: samples.length, objects: objects.size };
          if (objects.size === 0)
            diagnostics.push({
              severity: 'warning',
              at: plan.at,
              path: plan.path,
              message: `returns no series with a ${plan.objectLabel} label for any ${target === 'pods' ? 'pod' : 'node'}: metrics.k8s.io would have no ${plan.resource} data`,
            });
        } catch (err) {
          report.run = { promql: all, series: 0, objects: 0, error: errorMessage(err) };
          diagnostics.push({
            severity: 'error',
            at: plan.at,
            path: plan.path,
            message: `Prometheus rejected the query: ${errorMessage(err)}`,
          });
        }
      }
      out.push(report);
    }
  }
  return out;
}

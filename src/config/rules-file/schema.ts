/**
 * The keys a rule may have and the shape of each value, as prometheus-adapter's loader accepts
 * them; what a rule means is decided later, when it is compiled (src/rules).
 */
import { isMap, isScalar, type Node } from 'yaml';
import type {
  DiscoveryRuleConfig,
  OverrideConfig,
  ResourceMappingConfig,
  ResourceRuleConfig,
  ResourceRulesConfig,
  RulesConfig,
  SeriesFilterConfig,
} from './config.js';
import type { YamlReader } from './yaml-reader.js';

const RULE_KEYS = [
  'seriesQuery',
  'seriesFilters',
  'resources',
  'name',
  'metricsQuery',
  'labelValueReplacements',
];
const TOP_KEYS = ['rules', 'externalRules', 'resourceRules'];

/** `namespaced` matters for external rules only; prometheus-adapter accepts it everywhere, so do we. */
function readResources(
  r: YamlReader,
  node: Node | null | undefined,
  path: string,
  external: boolean,
): ResourceMappingConfig {
  const e = r.entries(node, path, ['overrides', 'template', 'namespaced']);
  const ns = e.get('namespaced');
  if (ns !== undefined && !external)
    r.warn(ns.pair.key as Node, `${path}.namespaced`, 'has no effect outside externalRules');
  const overrides: OverrideConfig[] = [];
  const ov = e.get('overrides');
  if (ov !== undefined) {
    if (ov.value !== null && !isMap(ov.value) && !(isScalar(ov.value) && ov.value.value === null)) {
      r.error(ov.value, `${path}.overrides`, 'must be a mapping of label name to {group, resource}');
    }
    if (ov.value !== null && isMap(ov.value)) {
      for (const pair of ov.value.items) {
        const label = isScalar(pair.key) ? String(pair.key.value) : '';
        const p = `${path}.overrides.${label}`;
        const fields = r.entries(pair.value as Node | null, p, ['group', 'resource']);
        const resource = r.string(fields.get('resource')?.value, `${p}.resource`);
        const group = r.string(fields.get('group')?.value, `${p}.group`);
        if (resource === undefined || resource.value === '') {
          r.error(
            pair.key as Node,
            p,
            'needs a "resource" (e.g. {resource: "pod"} or {group: "apps", resource: "deployment"})',
          );
          continue;
        }
        overrides.push({
          label,
          group: group?.value ?? '',
          resource: resource.value,
          at: r.at(pair.key as Node),
          resourceAt: resource.at,
        });
      }
    }
  }
  return {
    overrides,
    template: r.string(e.get('template')?.value, `${path}.template`),
    namespaced: r.bool(e.get('namespaced')?.value, `${path}.namespaced`),
  };
}

/** One `rules` (or, `external`, `externalRules`) entry at `path`; shared with rule objects' `spec.rule`. */
export function readDiscoveryRule(
  r: YamlReader,
  node: Node,
  path: string,
  external: boolean,
): DiscoveryRuleConfig {
  const e = r.entries(node, path, RULE_KEYS);
  const filters: SeriesFilterConfig[] = r
    .seq(e.get('seriesFilters')?.value, `${path}.seriesFilters`)
    .map((f, i) => {
      const fp = `${path}.seriesFilters[${i}]`;
      const fe = r.entries(f, fp, ['is', 'isNot']);
      return {
        is: r.string(fe.get('is')?.value, `${fp}.is`),
        isNot: r.string(fe.get('isNot')?.value, `${fp}.isNot`),
        at: r.at(f),
        path: fp,
      };
    });
  const ne = r.entries(e.get('name')?.value, `${path}.name`, ['matches', 'as']);
  const replacements = r
    .seq(e.get('labelValueReplacements')?.value, `${path}.labelValueReplacements`)
    .map((item, i) => {
      const rp = `${path}.labelValueReplacements[${i}]`;
      const re = r.entries(item, rp, ['find', 'replace']);
      return {
        find: r.string(re.get('find')?.value, `${rp}.find`)?.value ?? '',
        replace: r.string(re.get('replace')?.value, `${rp}.replace`)?.value ?? '',
      };
    });
  return {
    path,
    at: r.at(node),
    seriesQuery: r.string(e.get('seriesQuery')?.value, `${path}.seriesQuery`),
    seriesFilters: filters,
    resources: readResources(r, e.get('resources')?.value, `${path}.resources`, external),
    name: {
      matches: r.string(ne.get('matches')?.value, `${path}.name.matches`),
      as: r.string(ne.get('as')?.value, `${path}.name.as`),
    },
    metricsQuery: r.string(e.get('metricsQuery')?.value, `${path}.metricsQuery`),
    labelValueReplacements: replacements,
  };
}

function readResourceRule(r: YamlReader, node: Node | null, path: string): ResourceRuleConfig | undefined {
  if (node === null) return undefined;
  const e = r.entries(node, path, ['containerQuery', 'nodeQuery', 'resources', 'containerLabel']);
  return {
    path,
    at: r.at(node),
    containerQuery: r.string(e.get('containerQuery')?.value, `${path}.containerQuery`),
    nodeQuery: r.string(e.get('nodeQuery')?.value, `${path}.nodeQuery`),
    resources: readResources(r, e.get('resources')?.value, `${path}.resources`, false),
    containerLabel: r.string(e.get('containerLabel')?.value, `${path}.containerLabel`),
  };
}

/** Fills `config` from the document's root mapping (not empty: the caller has checked). */
export function readRulesDocument(r: YamlReader, root: Node, config: RulesConfig): void {
  const top = r.entries(root, '', TOP_KEYS);
  config.rules = r
    .seq(top.get('rules')?.value, 'rules')
    .map((n, i) => readDiscoveryRule(r, n, `rules[${i}]`, false));
  config.externalRules = r
    .seq(top.get('externalRules')?.value, 'externalRules')
    .map((n, i) => readDiscoveryRule(r, n, `externalRules[${i}]`, true));
  const rr = top.get('resourceRules');
  if (rr !== undefined) config.resourceRules = readResourceRules(r, rr.value, 'resourceRules');
}

/** The `resourceRules` block at `path` (undefined when empty); shared with rule objects' spec. */
export function readResourceRules(
  r: YamlReader,
  node: Node | null,
  path: string,
): ResourceRulesConfig | undefined {
  if (node === null || (isScalar(node) && node.value === null)) return undefined;
  const re = r.entries(node, path, ['cpu', 'memory', 'window']);
  return {
    path,
    at: r.at(node),
    cpu: readResourceRule(r, re.get('cpu')?.value ?? null, `${path}.cpu`),
    memory: readResourceRule(r, re.get('memory')?.value ?? null, `${path}.memory`),
    window: r.string(re.get('window')?.value, `${path}.window`),
  };
}

/**
 * Mapping rules as Kubernetes objects of metrics-adapter.io/v1alpha1: a ClusterMetricRule holds
 * anything the rules file can say, one rule per object (a `rules` entry, an `externalRules` entry
 * or the `resourceRules` block); a MetricRule holds a custom or external rule owned by its
 * namespace, which it alone may read and serve (rule-object-tenancy.ts). Each object compiles on
 * its own, through the rules file's own reader and compiler, into the structures the file yields;
 * a bad object is its diagnostics (object field paths, and line:col when read from text) and no
 * rule, and never throws.
 */
import { isMap, isScalar, type Node } from 'yaml';
import {
  readDiscoveryRule,
  readResourceRules,
  type Diagnostic,
  type DiscoveryRuleConfig,
  type RulesConfig,
  type SourceLocation,
  type YamlReader,
} from '../config/rules-file.js';
import { closestMatch } from '../config/suggest.js';
import { BUILTIN_RESOURCES, ResourceIndex, type ResourceMapper } from '../kube/index.js';
import { compileRules } from './compile.js';
import { CompileChecks } from './compile-checks.js';
import { confineRule } from './rule-object-tenancy.js';
import { readRuleObjectSources, valueRuleObjectSource, type RuleObjectSource } from './rule-object-source.js';
import type { RuleObjectKind, RuleObjectRef } from './rule-object-types.js';
import type { CompiledRule, CompiledRules } from './types.js';

export type {
  ClusterMetricRule,
  MetricRule,
  ResourceRuleSpec,
  ResourceRulesSpec,
  RuleObject,
  RuleObjectKind,
  RuleObjectMetadata,
  RuleObjectRef,
  RuleSpec,
} from './rule-object-types.js';
export { readRuleObjectSources, type RuleObjectSource } from './rule-object-source.js';

export const RULE_OBJECT_GROUP = 'metrics-adapter.io';
export const RULE_OBJECT_API_VERSION = `${RULE_OBJECT_GROUP}/v1alpha1`;
const KINDS: readonly RuleObjectKind[] = ['ClusterMetricRule', 'MetricRule'];
const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const SPEC_KEYS = ['rule', 'externalRule', 'resourceRules'] as const;
type SpecKey = (typeof SPEC_KEYS)[number];

/** A DNS subdomain (object names) and an RFC 1123 label (namespace names). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface RuleObjectResult {
  /** Who the object is, as far as it could be read. */
  ref: Partial<RuleObjectRef>;
  at: SourceLocation;
  /** The object's rule, compiled; undefined when the object has an error. */
  rules: CompiledRules | undefined;
  diagnostics: Diagnostic[];
}

export interface RuleObjectOptions {
  /** Tells namespaced from cluster-scoped resources; the built-in table when not given. */
  mapper?: ResourceMapper;
}

const builtinMapper = new ResourceIndex(BUILTIN_RESOURCES);

/** A scalar metadata value, read leniently: the API server adds many keys we do not look at. */
function metadataValue(node: Node | null | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  const value = node.get(key, true) as Node | undefined;
  return value === undefined || (isScalar(value) && value.value === null) ? undefined : value;
}

function readRef(
  r: YamlReader,
  top: Map<string, { value: Node | null }>,
  objectAt: SourceLocation,
): Partial<RuleObjectRef> {
  const ref: Partial<RuleObjectRef> = {};
  const apiVersion = r.string(top.get('apiVersion')?.value, 'apiVersion');
  if (apiVersion === undefined)
    r.diagnostics.push({
      severity: 'error',
      at: objectAt,
      path: 'apiVersion',
      message: `is required: "${RULE_OBJECT_API_VERSION}"`,
    });
  else if (apiVersion.value !== RULE_OBJECT_API_VERSION) {
    const hint = apiVersion.value.startsWith(`${RULE_OBJECT_GROUP}/`)
      ? 'the version served is v1alpha1'
      : `rule objects belong to ${RULE_OBJECT_GROUP}`;
    r.error(
      top.get('apiVersion')?.value,
      'apiVersion',
      `"${apiVersion.value}" is not served: ${hint}; write apiVersion: ${RULE_OBJECT_API_VERSION}`,
    );
  }
  const kindNode = top.get('kind')?.value;
  const kind = r.string(kindNode, 'kind');
  if (kind === undefined)
    r.diagnostics.push({
      severity: 'error',
      at: objectAt,
      path: 'kind',
      message: `is required: ${KINDS.join(' or ')}`,
    });
  else if ((KINDS as readonly string[]).includes(kind.value)) ref.kind = kind.value as RuleObjectKind;
  else {
    const near = closestMatch(kind.value, KINDS);
    r.error(
      kindNode,
      'kind',
      `"${kind.value}" is not a rule object: ${near === undefined ? '' : `did you mean "${near}"? `}kinds: ${KINDS.join(', ')}`,
    );
  }
  const meta = top.get('metadata')?.value ?? null;
  if (meta !== null && !isMap(meta)) r.error(meta, 'metadata', 'must be a mapping (key: value)');
  const name = r.string(metadataValue(meta, 'name'), 'metadata.name');
  if (name === undefined || name.value === '')
    r.diagnostics.push({
      severity: 'error',
      at: meta === null ? objectAt : r.at(meta),
      path: 'metadata.name',
      message: 'is required',
    });
  else if (name.value.length > 253 || !DNS_SUBDOMAIN.test(name.value))
    r.error(
      metadataValue(meta, 'name'),
      'metadata.name',
      `"${name.value}" is not an object name (lower case letters, digits, "-" and ".")`,
    );
  else ref.name = name.value;
  const nsNode = metadataValue(meta, 'namespace');
  const namespace = r.string(nsNode, 'metadata.namespace');
  if (ref.kind === 'MetricRule') {
    if (namespace === undefined || namespace.value === '')
      r.diagnostics.push({
        severity: 'error',
        at: meta === null ? objectAt : r.at(meta),
        path: 'metadata.namespace',
        message:
          'a MetricRule belongs to a namespace: give metadata.namespace (or write a ClusterMetricRule)',
      });
    else if (!DNS_LABEL.test(namespace.value))
      r.error(nsNode, 'metadata.namespace', `"${namespace.value}" is not a namespace name`);
    else ref.namespace = namespace.value;
  } else if (ref.kind === 'ClusterMetricRule' && namespace !== undefined && namespace.value !== '') {
    r.warn(nsNode, 'metadata.namespace', 'a ClusterMetricRule is cluster-scoped: its namespace is ignored');
  }
  const generation = metadataValue(meta, 'generation');
  if (generation !== undefined) {
    if (isScalar(generation) && Number.isInteger(generation.value))
      ref.generation = generation.value as number;
    else r.error(generation, 'metadata.generation', 'must be an integer');
  }
  const uid = r.string(metadataValue(meta, 'uid'), 'metadata.uid');
  if (uid !== undefined) ref.uid = uid.value;
  return ref;
}

/** The spec's one rule as the rules file would hold it, at `spec.…` paths. */
function readSpec(
  r: YamlReader,
  spec: Node | null,
  kind: RuleObjectKind | undefined,
  objectAt: SourceLocation,
): RulesConfig {
  const config: RulesConfig = { file: objectAt.file, rules: [], externalRules: [] };
  if (spec === null) {
    r.diagnostics.push({
      severity: 'error',
      at: objectAt,
      path: 'spec',
      message: `is required, with one of ${SPEC_KEYS.join(', ')}`,
    });
    return config;
  }
  const e = r.entries(spec, 'spec', SPEC_KEYS);
  const given = SPEC_KEYS.filter((k) => {
    const v = e.get(k)?.value ?? null;
    return v !== null && !(isScalar(v) && v.value === null);
  });
  const allowed: readonly SpecKey[] = kind === 'MetricRule' ? ['rule', 'externalRule'] : SPEC_KEYS;
  if (given.length === 0 && isMap(spec))
    r.error(spec, 'spec', `needs one of ${allowed.join(', ')}: one rule per object`);
  if (given.length > 1)
    r.error(
      e.get(given[1] as SpecKey)?.pair.key as Node,
      'spec',
      `has ${given.join(' and ')}: give exactly one (one rule per object; write one object for each)`,
    );
  for (const key of given) {
    const node = e.get(key)?.value as Node;
    if (key === 'resourceRules') {
      if (kind === 'MetricRule') {
        r.error(
          e.get(key)?.pair.key as Node,
          'spec.resourceRules',
          'resourceRules answer metrics.k8s.io for every pod and node of the cluster: only a ClusterMetricRule may hold them',
        );
        continue;
      }
      config.resourceRules = readResourceRules(r, node, 'spec.resourceRules');
    } else if (key === 'rule') config.rules.push(readDiscoveryRule(r, node, 'spec.rule', false));
    else config.externalRules.push(readDiscoveryRule(r, node, 'spec.externalRule', true));
  }
  return config;
}

/** `MetricRule team-a/cpu spec.rule`: a compiled rule's path names its object, for messages. */
function qualify(rule: CompiledRule, ref: Partial<RuleObjectRef>): CompiledRule {
  const namespace = ref.namespace === undefined ? '' : `${ref.namespace}/`;
  return { ...rule, path: `${ref.kind ?? ''} ${namespace}${ref.name ?? ''} ${rule.path}` };
}

/** Compiles one object from where it was read. */
export function compileRuleObjectSource(
  src: RuleObjectSource,
  options: RuleObjectOptions = {},
): RuleObjectResult {
  if (src.syntaxErrors.length > 0 || src.node === null)
    return { ref: {}, at: src.at, rules: undefined, diagnostics: [...src.syntaxErrors] };
  const mapper = options.mapper ?? builtinMapper;
  const r = src.reader();
  const top = r.entries(src.node, '', TOP_KEYS);
  const ref = isMap(src.node) ? readRef(r, top, src.at) : {};
  const config = isMap(src.node) ? readSpec(r, top.get('spec')?.value ?? null, ref.kind, src.at) : undefined;
  if (config === undefined) return { ref, at: src.at, rules: undefined, diagnostics: r.diagnostics };
  const compiled = compileRules(config, r.diagnostics);
  const diagnostics = [...compiled.diagnostics];
  let custom = compiled.usable.custom;
  let external = compiled.usable.external;
  if (ref.kind === 'MetricRule' && ref.namespace !== undefined) {
    const namespace = ref.namespace;
    const checks = new CompileChecks();
    const confine = (configs: DiscoveryRuleConfig[], rules: CompiledRule[]): CompiledRule[] =>
      configs
        .map((c) =>
          confineRule(
            checks,
            c,
            rules.find((x) => x.path === c.path),
            namespace,
            mapper,
          ),
        )
        .filter((x): x is CompiledRule => x !== undefined);
    custom = confine(config.rules, custom);
    external = confine(config.externalRules, external);
    diagnostics.push(...checks.diagnostics);
  }
  if (diagnostics.some((d) => d.severity === 'error'))
    return { ref, at: src.at, rules: undefined, diagnostics };
  const rules: CompiledRules = {
    ...compiled.usable,
    custom: custom.map((x) => qualify(x, ref)),
    external: external.map((x) => qualify(x, ref)),
  };
  return { ref, at: src.at, rules, diagnostics };
}

/** Compiles one object given as a value (as the Kubernetes API returns it): no line:col. */
export function compileRuleObject(
  /** A RuleObject when valid; anything when read from the API. */
  value: unknown,
  options: RuleObjectOptions = {},
): RuleObjectResult {
  return compileRuleObjectSource(valueRuleObjectSource(value), options);
}

/** Compiles every object of a YAML text (`---` documents or a List), each on its own. */
export function compileRuleObjectsText(
  text: string,
  file: string,
  options: RuleObjectOptions = {},
): RuleObjectResult[] {
  return readRuleObjectSources(text, file).map((src) => compileRuleObjectSource(src, options));
}

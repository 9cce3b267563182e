/**
 * Reads a rules file in the prometheus-adapter format (`rules`, `externalRules`, `resourceRules`)
 * and checks its shape, keeping the file:line:col of every value so that later checks (regexes,
 * templates, PromQL) can point at the exact place. Unknown keys are errors with a suggestion;
 * nothing here throws on bad input.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node, type Pair } from 'yaml';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type ScalarStyle = 'plain' | 'quoted' | 'block';

export interface Located<T> {
  value: T;
  at: SourceLocation;
  /** Where the text of a string scalar starts, to place errors found inside it. */
  content?: { style: ScalarStyle; line: number; column: number };
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  at: SourceLocation;
  /** Where in the document, e.g. `rules[2].name.matches`. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.at.file}:${d.at.line}:${d.at.column}: ${d.severity}: ${d.path === '' ? '' : `${d.path}: `}${d.message}`;
}

export interface OverrideConfig {
  label: string;
  group: string;
  resource: string;
  at: SourceLocation;
  /** Where the `resource` value is (a wrong resource name is reported there). */
  resourceAt?: SourceLocation;
}

export interface ResourceMappingConfig {
  overrides: OverrideConfig[];
  template?: Located<string>;
  namespaced?: Located<boolean>;
}

export interface SeriesFilterConfig {
  is?: Located<string>;
  isNot?: Located<string>;
  at: SourceLocation;
  path: string;
}

export interface DiscoveryRuleConfig {
  path: string;
  at: SourceLocation;
  seriesQuery?: Located<string>;
  seriesFilters: SeriesFilterConfig[];
  resources: ResourceMappingConfig;
  name: { matches?: Located<string>; as?: Located<string> };
  metricsQuery?: Located<string>;
  labelValueReplacements: { find: string; replace: string }[];
}

export interface ResourceRuleConfig {
  path: string;
  at: SourceLocation;
  containerQuery?: Located<string>;
  nodeQuery?: Located<string>;
  resources: ResourceMappingConfig;
  containerLabel?: Located<string>;
}

export interface ResourceRulesConfig {
  at: SourceLocation;
  cpu?: ResourceRuleConfig;
  memory?: ResourceRuleConfig;
  window?: Located<string>;
}

export interface RulesConfig {
  file: string;
  rules: DiscoveryRuleConfig[];
  externalRules: DiscoveryRuleConfig[];
  resourceRules?: ResourceRulesConfig;
}

export interface RulesFileResult {
  config: RulesConfig;
  diagnostics: Diagnostic[];
  /** Set when the file could not be read or is not YAML: nothing in it was looked at. */
  unparsable?: true;
}

const RULE_KEYS = [
  'seriesQuery',
  'seriesFilters',
  'resources',
  'name',
  'metricsQuery',
  'labelValueReplacements',
];
const TOP_KEYS = ['rules', 'externalRules', 'resourceRules'];

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min(
        (dp[j] ?? 0) + 1,
        (dp[j - 1] ?? 0) + 1,
        prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}

function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key, a);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  const hint =
    best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? `did you mean "${best}"? ` : '';
  return `${hint}allowed keys: ${allowed.join(', ')}`;
}

class RulesFileReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines: string[];

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly counter: LineCounter,
  ) {
    this.lines = text.split('\n');
  }

  at(node: Node | Pair | null | undefined): SourceLocation {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    const keyRange = (node as Pair | null | undefined)?.key as
      { range?: [number, number, number] } | undefined;
    const offset = range?.[0] ?? keyRange?.range?.[0] ?? 0;
    const pos = this.counter.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  error(node: Node | Pair | null | undefined, path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', at: this.at(node), path, message });
  }

  warn(node: Node | Pair | null | undefined, path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', at: this.at(node), path, message });
  }

  /** Map entries with string keys; unknown keys are reported. */
  entries(
    node: Node | null | undefined,
    path: string,
    allowed: readonly string[],
  ): Map<string, { pair: Pair; value: Node | null }> {
    const out = new Map<string, { pair: Pair; value: Node | null }>();
    if (node === null || node === undefined) return out;
    if (!isMap(node)) {
      this.error(node, path, 'must be a mapping (key: value)');
      return out;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key)) {
        this.error(pair.key as Node, path, `unknown key "${key}": ${suggestion(key, allowed)}`);
        continue;
      }
      out.set(key, { pair, value: (pair.value as Node | null) ?? null });
    }
    return out;
  }

  string(node: Node | null | undefined, path: string): Located<string> | undefined {
    if (node === null || node === undefined) return undefined;
    if (!isScalar(node)) {
      this.error(node, path, 'must be a string');
      return undefined;
    }
    if (node.value === null) return undefined;
    if (typeof node.value === 'object') {
      this.error(node, path, 'must be a string');
      return undefined;
    }
    // Go's YAML decoder turns `as: 123` into "123"; do the same with the source text.
    const raw = node.value;
    const value =
      typeof raw === 'string'
        ? raw
        : typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint'
          ? (node.source ?? String(raw))
          : '';
    return { value, at: this.at(node), content: this.contentStart(node) };
  }

  bool(node: Node | null | undefined, path: string): Located<boolean> | undefined {
    if (node === null || node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.error(node, path, 'must be true or false');
      return undefined;
    }
    return { value: node.value, at: this.at(node) };
  }

  seq(node: Node | null | undefined, path: string): Node[] {
    if (node === null || node === undefined) return [];
    if (isScalar(node) && node.value === null) return [];
    if (!isSeq(node)) {
      this.error(node, path, 'must be a list');
      return [];
    }
    return node.items as Node[];
  }

  private contentStart(node: Scalar): Located<string>['content'] {
    const start = this.at(node);
    switch (node.type) {
      case Scalar.QUOTE_DOUBLE:
      case Scalar.QUOTE_SINGLE:
        return { style: 'quoted', line: start.line, column: start.column + 1 };
      case Scalar.BLOCK_LITERAL:
      case Scalar.BLOCK_FOLDED: {
        // The text begins on the line after the indicator, at the block's indentation.
        for (let l = start.line; l < this.lines.length; l++) {
          const text = this.lines[l] ?? '';
          if (text.trim() === '') continue;
          return { style: 'block', line: l + 1, column: text.length - text.trimStart().length + 1 };
        }
        return { style: 'block', line: start.line + 1, column: 1 };
      }
      default:
        return { style: 'plain', line: start.line, column: start.column };
    }
  }

  /** `namespaced` matters for external rules only; prometheus-adapter accepts it everywhere, so do we. */
  resources(node: Node | null | undefined, path: string, external: boolean): ResourceMappingConfig {
    const e = this.entries(node, path, ['overrides', 'template', 'namespaced']);
    const ns = e.get('namespaced');
    if (ns !== undefined && !external)
      this.warn(ns.pair.key as Node, `${path}.namespaced`, 'has no effect outside externalRules');
    const overrides: OverrideConfig[] = [];
    const ov = e.get('overrides');
    if (ov !== undefined) {
      if (ov.value !== null && !isMap(ov.value) && !(isScalar(ov.value) && ov.value.value === null)) {
        this.error(ov.value, `${path}.overrides`, 'must be a mapping of label name to {group, resource}');
      }
      if (ov.value !== null && isMap(ov.value)) {
        for (const pair of ov.value.items) {
          const label = isScalar(pair.key) ? String(pair.key.value) : '';
          const p = `${path}.overrides.${label}`;
          const fields = this.entries(pair.value as Node | null, p, ['group', 'resource']);
          const resource = this.string(fields.get('resource')?.value, `${p}.resource`);
          const group = this.string(fields.get('group')?.value, `${p}.group`);
          if (resource === undefined || resource.value === '') {
            this.error(
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
            at: this.at(pair.key as Node),
            resourceAt: resource.at,
          });
        }
      }
    }
    return {
      overrides,
      template: this.string(e.get('template')?.value, `${path}.template`),
      namespaced: this.bool(e.get('namespaced')?.value, `${path}.namespaced`),
    };
  }

  discoveryRule(node: Node, path: string, external: boolean): DiscoveryRuleConfig {
    const e = this.entries(node, path, RULE_KEYS);
    const filters: SeriesFilterConfig[] = this.seq(
      e.get('seriesFilters')?.value,
      `${path}.seriesFilters`,
    ).map((f, i) => {
      const fp = `${path}.seriesFilters[${i}]`;
      const fe = this.entries(f, fp, ['is', 'isNot']);
      return {
        is: this.string(fe.get('is')?.value, `${fp}.is`),
        isNot: this.string(fe.get('isNot')?.value, `${fp}.isNot`),
        at: this.at(f),
        path: fp,
      };
    });
    const ne = this.entries(e.get('name')?.value, `${path}.name`, ['matches', 'as']);
    const replacements = this.seq(
      e.get('labelValueReplacements')?.value,
      `${path}.labelValueReplacements`,
    ).map((r, i) => {
      const rp = `${path}.labelValueReplacements[${i}]`;
      const re = this.entries(r, rp, ['find', 'replace']);
      return {
        find: this.string(re.get('find')?.value, `${rp}.find`)?.value ?? '',
        replace: this.string(re.get('replace')?.value, `${rp}.replace`)?.value ?? '',
      };
    });
    return {
      path,
      at: this.at(node),
      seriesQuery: this.string(e.get('seriesQuery')?.value, `${path}.seriesQuery`),
      seriesFilters: filters,
      resources: this.resources(e.get('resources')?.value, `${path}.resources`, external),
      name: {
        matches: this.string(ne.get('matches')?.value, `${path}.name.matches`),
        as: this.string(ne.get('as')?.value, `${path}.name.as`),
      },
      metricsQuery: this.string(e.get('metricsQuery')?.value, `${path}.metricsQuery`),
      labelValueReplacements: replacements,
    };
  }

  resourceRule(node: Node | null, path: string): ResourceRuleConfig | undefined {
    if (node === null) return undefined;
    const e = this.entries(node, path, ['containerQuery', 'nodeQuery', 'resources', 'containerLabel']);
    return {
      path,
      at: this.at(node),
      containerQuery: this.string(e.get('containerQuery')?.value, `${path}.containerQuery`),
      nodeQuery: this.string(e.get('nodeQuery')?.value, `${path}.nodeQuery`),
      resources: this.resources(e.get('resources')?.value, `${path}.resources`, false),
      containerLabel: this.string(e.get('containerLabel')?.value, `${path}.containerLabel`),
    };
  }
}

/** Parses rules text. The result's config is always usable; check diagnostics for errors. */
export function parseRulesText(text: string, file: string): RulesFileResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  const r = new RulesFileReader(file, text, counter);
  const config: RulesConfig = { file, rules: [], externalRules: [] };
  for (const err of doc.errors) {
    const pos = counter.linePos(err.pos[0]);
    r.diagnostics.push({
      severity: 'error',
      at: { file, line: pos.line, column: pos.col },
      path: '',
      message: `YAML syntax: ${err.message.split('\n')[0] ?? err.message}`,
    });
  }
  if (doc.errors.length > 0) return { config, diagnostics: r.diagnostics, unparsable: true };
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) {
    r.diagnostics.push({
      severity: 'warning',
      at: { file, line: 1, column: 1 },
      path: '',
      message: 'the file is empty: no metrics will be served',
    });
    return { config, diagnostics: r.diagnostics };
  }
  const top = r.entries(root, '', TOP_KEYS);
  config.rules = r
    .seq(top.get('rules')?.value, 'rules')
    .map((n, i) => r.discoveryRule(n, `rules[${i}]`, false));
  config.externalRules = r
    .seq(top.get('externalRules')?.value, 'externalRules')
    .map((n, i) => r.discoveryRule(n, `externalRules[${i}]`, true));
  const rr = top.get('resourceRules');
  if (rr !== undefined && rr.value !== null && !(isScalar(rr.value) && rr.value.value === null)) {
    const re = r.entries(rr.value, 'resourceRules', ['cpu', 'memory', 'window']);
    config.resourceRules = {
      at: r.at(rr.value),
      cpu: r.resourceRule(re.get('cpu')?.value ?? null, 'resourceRules.cpu'),
      memory: r.resourceRule(re.get('memory')?.value ?? null, 'resourceRules.memory'),
      window: r.string(re.get('window')?.value, 'resourceRules.window'),
    };
  }
  const hasErrors = r.diagnostics.some((d) => d.severity === 'error');
  if (
    !hasErrors &&
    config.rules.length === 0 &&
    config.externalRules.length === 0 &&
    config.resourceRules === undefined
  ) {
    r.warn(root, '', 'no rules, externalRules or resourceRules: no metrics will be served');
  }
  return { config, diagnostics: r.diagnostics };
}

export async function readRulesFile(file: string): Promise<RulesFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return {
      config: { file, rules: [], externalRules: [] },
      diagnostics: [
        {
          severity: 'error',
          at: { file, line: 1, column: 1 },
          path: '',
          message: `cannot read the file: ${(err as Error).message}`,
        },
      ],
      unparsable: true,
    };
  }
  return parseRulesText(text, file);
}

/** Places a position found inside a string scalar (1-based line/column within the string) in the file. */
export function locateInString(s: Located<string>, line: number, column: number): SourceLocation {
  const c = s.content;
  if (c === undefined) return s.at;
  if (c.style === 'block')
    return {
      file: s.at.file,
      line: c.line + line - 1,
      column: (line === 1 ? c.column : c.column) + column - 1,
    };
  if (line === 1) return { file: s.at.file, line: c.line, column: c.column + column - 1 };
  return { file: s.at.file, line: c.line + line - 1, column };
}

/**
 * Compiles a parsed rules file: regexes (Go RE2 syntax), templates (Go text/template with `<<` `>>`),
 * and a check of every metricsQuery by rendering it with sample arguments and parsing the PromQL.
 * Problems are diagnostics with file:line:col and what to do; compilation never throws.
 */
import { parseGoDuration } from '../config/duration.js';
import {
  locateInString,
  type Diagnostic,
  type DiscoveryRuleConfig,
  type Located,
  type ResourceMappingConfig,
  type ResourceRulesConfig,
  type RulesConfig,
} from '../config/rules-file.js';
import { parseTemplate, TemplateExecError, TemplateSyntaxError, type Template } from '../gotemplate/index.js';
import { checkPromQL, isValidLabelName, parseSeriesSelector, rangeWindowSeconds } from '../promql/index.js';
import { ResourceAssociation, type LabelTemplate } from './association.js';
import { compileGoRegex, GoRegexError, type GoRegex } from './goregex/index.js';
import { renderObjectQuery, sampleObjectScope } from './query.js';
import { describeTemplateError } from './template-errors.js';
import type {
  CompiledResourceQuery,
  CompiledResourceRules,
  CompiledRule,
  CompiledRules,
  RuleApi,
  SeriesFilter,
} from './types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RESOURCE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$/;

class RuleCompiler {
  readonly diagnostics: Diagnostic[] = [];

  error(
    at: Located<unknown> | { at: Diagnostic['at'] },
    path: string,
    message: string,
    where?: Diagnostic['at'],
  ): void {
    this.diagnostics.push({ severity: 'error', at: where ?? at.at, path, message });
  }

  warn(at: { at: Diagnostic['at'] }, path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', at: at.at, path, message });
  }

  regex(s: Located<string>, path: string): GoRegex | undefined {
    try {
      return compileGoRegex(s.value);
    } catch (err) {
      const offset = err instanceof GoRegexError && err.offset !== undefined ? err.offset : 0;
      this.error(
        s,
        path,
        `invalid regular expression ${JSON.stringify(s.value)}: ${(err as Error).message} (Go RE2 syntax)`,
        locateInString(s, 1, offset + 1),
      );
      return undefined;
    }
  }

  template(s: Located<string>, path: string, name: string): Template | undefined {
    try {
      return parseTemplate(s.value, { name, leftDelim: '<<', rightDelim: '>>' });
    } catch (err) {
      if (err instanceof TemplateSyntaxError) {
        this.error(s, path, `template error: ${err.message}`, locateInString(s, err.line, err.column));
      } else {
        this.error(s, path, `template error: ${(err as Error).message}`);
      }
      return undefined;
    }
  }

  private execError(s: Located<string>, path: string, err: unknown): void {
    if (err instanceof TemplateExecError)
      this.error(s, path, describeTemplateError(err), locateInString(s, err.line, err.column));
    else this.error(s, path, `template error: ${(err as Error).message}`);
  }

  labelTemplate(s: Located<string>, path: string): LabelTemplate | undefined {
    const template = this.template(s, path, 'resource-label');
    if (template === undefined) return undefined;
    let pattern: string;
    try {
      // prometheus-adapter turns the template into a matcher by rendering capture groups into it.
      pattern = template.execute({ Group: '(?P<group>.+?)', Resource: '(?P<resource>.+?)' });
      template.execute({ Group: 'apps', Resource: 'deployment' });
    } catch (err) {
      this.execError(s, path, err);
      return undefined;
    }
    if (pattern === '') {
      this.error(
        s,
        path,
        'the template renders an empty label name; use something like "<<.Resource>>" or "kube_<<.Group>>_<<.Resource>>"',
      );
      return undefined;
    }
    let extractor: GoRegex;
    try {
      extractor = compileGoRegex(`^${pattern}$`);
    } catch (err) {
      this.error(s, path, `the template cannot be used to recognise labels: ${(err as Error).message}`);
      return undefined;
    }
    if (!extractor.subexpNames.includes('resource')) {
      this.error(
        s,
        path,
        'the template must use <<.Resource>>, or it cannot tell which resource a label names',
      );
      return undefined;
    }
    if (!extractor.subexpNames.includes('group')) return { template, extractor };
    const greedy = template.execute({ Group: '(?P<group>.+)', Resource: '(?P<resource>.+?)' });
    return { template, extractor, greedyGroupExtractor: compileGoRegex(`^${greedy}$`) };
  }

  association(
    r: ResourceMappingConfig,
    path: string,
    api: RuleApi,
    ruleAt: { at: Diagnostic['at'] },
  ): ResourceAssociation {
    for (const o of r.overrides) {
      const op = `${path}.overrides.${o.label}`;
      if (!isValidLabelName(o.label)) this.error(o, op, `"${o.label}" is not a valid Prometheus label name`);
      if (!RESOURCE_NAME.test(o.resource))
        this.error(
          o,
          op,
          `resource "${o.resource}" is not a Kubernetes resource name (e.g. "pod", "deployments")`,
        );
      if (o.group !== '' && !DNS_SUBDOMAIN.test(o.group))
        this.error(o, op, `group "${o.group}" is not an API group name (e.g. "apps", "" for core)`);
      if (o.resource.includes('.') && o.group === '') {
        this.warn(
          o,
          op,
          `resource "${o.resource}" contains a dot: put the API group in "group" (e.g. {group: "apps", resource: "deployment"})`,
        );
      }
    }
    const labelTemplate =
      r.template !== undefined ? this.labelTemplate(r.template, `${path}.template`) : undefined;
    if (api === 'custom' && r.overrides.length === 0 && r.template === undefined) {
      this.error(
        ruleAt,
        path,
        'give resources.overrides, resources.template, or both: without them no series maps to a Kubernetes object',
      );
    }
    return new ResourceAssociation(
      r.overrides.map((o) => ({ label: o.label, group: o.group, resource: o.resource.toLowerCase() })),
      labelTemplate,
    );
  }

  rule(c: DiscoveryRuleConfig, api: RuleApi): CompiledRule | undefined {
    const before = this.diagnostics.filter((d) => d.severity === 'error').length;
    const p = c.path;
    if (c.seriesQuery === undefined || c.seriesQuery.value.trim() === '') {
      this.error(
        c,
        p,
        'seriesQuery is required (a series selector such as \'{__name__=~"^http_.*",namespace!="",pod!=""}\')',
      );
    } else {
      try {
        parseSeriesSelector(c.seriesQuery.value);
      } catch (err) {
        this.error(c.seriesQuery, `${p}.seriesQuery`, `not a series selector: ${(err as Error).message}`);
      }
    }
    const filters: SeriesFilter[] = [];
    for (const f of c.seriesFilters) {
      if ((f.is === undefined) === (f.isNot === undefined)) {
        this.error(f, f.path, 'a filter needs exactly one of "is" or "isNot"');
        continue;
      }
      const src = (f.is ?? f.isNot) as Located<string>;
      const regex = this.regex(src, `${f.path}.${f.is !== undefined ? 'is' : 'isNot'}`);
      if (regex !== undefined) filters.push({ regex, positive: f.is !== undefined });
    }
    let nameMatches: GoRegex | undefined = compileGoRegex('.*');
    if (c.name.matches !== undefined && c.name.matches.value !== '') {
      nameMatches = this.regex(c.name.matches, `${p}.name.matches`);
      if (nameMatches !== undefined) filters.push({ regex: nameMatches, positive: true });
    }
    let nameAs = c.name.as?.value ?? '';
    if (nameMatches !== undefined && nameAs === '') {
      if (nameMatches.numSubexp === 0) nameAs = '$0';
      else if (nameMatches.numSubexp === 1) nameAs = '$1';
      else {
        this.error(
          c.name.matches ?? c,
          `${p}.name`,
          `name.matches has ${nameMatches.numSubexp} capture groups: give name.as (e.g. "\${1}_per_second")`,
        );
      }
    }
    if (nameMatches !== undefined && c.name.as !== undefined) {
      for (const m of c.name.as.value.matchAll(/\$\{?([0-9]+)\}?/g)) {
        if (Number(m[1]) > nameMatches.numSubexp) {
          this.warn(
            c.name.as,
            `${p}.name.as`,
            `refers to group $${m[1]} but name.matches has ${nameMatches.numSubexp}: it expands to an empty string`,
          );
        }
      }
    }
    const association = this.association(c.resources, `${p}.resources`, api, c);
    let metricsQuery: Template | undefined;
    let windowSeconds: number | undefined;
    if (c.metricsQuery === undefined || c.metricsQuery.value.trim() === '') {
      this.error(
        c,
        p,
        'metricsQuery is required, e.g. "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)"',
      );
    } else {
      metricsQuery = this.template(c.metricsQuery, `${p}.metricsQuery`, 'metrics-query');
      if (metricsQuery !== undefined)
        windowSeconds = this.checkQuery(c.metricsQuery, `${p}.metricsQuery`, metricsQuery);
    }
    const errors = this.diagnostics.filter((d) => d.severity === 'error').length;
    if (
      errors > before ||
      nameMatches === undefined ||
      metricsQuery === undefined ||
      c.metricsQuery === undefined
    )
      return undefined;
    return {
      api,
      path: p,
      at: c.at,
      seriesQuery: c.seriesQuery?.value ?? '',
      filters,
      nameMatches,
      nameAs,
      association,
      metricsQuery,
      metricsQuerySource: c.metricsQuery,
      windowSeconds,
      namespaced: c.resources.namespaced?.value ?? true,
      labelValueReplacements: c.labelValueReplacements,
    };
  }

  /** Renders a query template with sample arguments and parses the PromQL; returns its window. */
  private checkQuery(src: Located<string>, path: string, template: Template): number | undefined {
    let sample: string;
    try {
      sample = renderObjectQuery({ path, metricsQuery: template }, sampleObjectScope());
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      this.execError(src, path, cause instanceof TemplateExecError ? cause : err);
      return undefined;
    }
    const check = checkPromQL(sample);
    if (!check.ok) {
      this.error(
        src,
        path,
        `renders invalid PromQL: ${check.message}. Rendered with sample arguments: ${sample}`,
      );
      return undefined;
    }
    return rangeWindowSeconds(sample);
  }

  resourceRules(r: ResourceRulesConfig): CompiledResourceRules | undefined {
    let windowMs: number | undefined;
    let ok = true;
    if (r.window !== undefined) {
      try {
        windowMs = parsePrometheusDuration(r.window.value);
      } catch (err) {
        ok = false;
        this.error(r.window, 'resourceRules.window', (err as Error).message);
      }
    }
    const compiled: Partial<Record<'cpu' | 'memory', CompiledResourceQuery>> = {};
    for (const [name, rule] of [
      ['cpu', r.cpu],
      ['memory', r.memory],
    ] as const) {
      if (rule === undefined) {
        ok = false;
        this.error(r, 'resourceRules', `${name} is required when resourceRules is present`);
        continue;
      }
      const templates: Partial<Record<'containerQuery' | 'nodeQuery', Template>> = {};
      const windows: Partial<Record<'containerQuery' | 'nodeQuery', number | undefined>> = {};
      for (const key of ['containerQuery', 'nodeQuery'] as const) {
        const src = rule[key];
        if (src === undefined) {
          ok = false;
          this.error(rule, rule.path, `${key} is required`);
          continue;
        }
        const t = this.template(src, `${rule.path}.${key}`, key);
        if (t === undefined) {
          ok = false;
          continue;
        }
        templates[key] = t;
        windows[key] = this.checkQuery(src, `${rule.path}.${key}`, t);
      }
      const association = this.association(rule.resources, `${rule.path}.resources`, 'custom', rule);
      if (rule.containerLabel !== undefined && !isValidLabelName(rule.containerLabel.value)) {
        ok = false;
        this.error(
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
}

/** Prometheus duration syntax (model.Duration): 1d, 3m, 1h30m, 500ms. */
export function parsePrometheusDuration(text: string): number {
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
  };
  const re = /(\d+)(ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  if (text === '' || text === '0') return 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) {
      try {
        return parseGoDuration(text);
      } catch {
        throw new Error(`invalid duration "${text}" (use e.g. 30s, 3m, 1h)`);
      }
    }
    total += Number(m[1]) * (units[m[2] ?? 's'] ?? 0);
    pos = re.lastIndex;
  }
  return total;
}

export interface CompileResult {
  rules: CompiledRules | undefined;
  /**
   * The rules that compiled without an error, even when others did not (`check` keeps checking
   * them so that warnings are reported next to errors); the server uses `rules` only.
   */
  usable: CompiledRules;
  diagnostics: Diagnostic[];
}

export function compileRules(
  config: RulesConfig,
  previousDiagnostics: readonly Diagnostic[] = [],
): CompileResult {
  const c = new RuleCompiler();
  c.diagnostics.push(...previousDiagnostics);
  const custom = config.rules.map((r) => c.rule(r, 'custom'));
  const external = config.externalRules.map((r) => c.rule(r, 'external'));
  const resource = config.resourceRules === undefined ? undefined : c.resourceRules(config.resourceRules);
  const diagnostics = c.diagnostics;
  const usable: CompiledRules = {
    file: config.file,
    custom: custom.filter((r): r is CompiledRule => r !== undefined),
    external: external.filter((r): r is CompiledRule => r !== undefined),
    // Without errors, resourceRules compile whenever present; with errors, a broken one is left out.
    resourceRules: resource === undefined ? undefined : config.resourceRules,
    ...(resource === undefined ? {} : { resource }),
  };
  if (diagnostics.some((d) => d.severity === 'error')) return { rules: undefined, usable, diagnostics };
  return { rules: usable, usable, diagnostics };
}

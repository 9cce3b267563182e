/**
 * Renders a rule's metricsQuery for one request, with the template arguments prometheus-adapter
 * defines: `.Series`, `.LabelMatchers` (metric-selector matchers, then namespace, then the
 * object-name matcher), `.LabelValuesByName`, `.GroupBy`, `.GroupBySlice`.
 *
 * Every value that reaches `.LabelMatchers` is escaped as a PromQL string, and object names in a
 * `=~` alternation are regex-escaped too. `.LabelValuesByName` keeps prometheus-adapter's raw
 * `a|b` form; the request layer only lets through names, namespaces and selector values made of
 * characters that cannot leave a PromQL string.
 */
import { InternalError } from '../errors.js';
import { GoMap } from '../gotemplate/index.js';
import { promqlString, regexAlternation, requirementsToMatchers, type Requirement } from '../promql/index.js';
import { describeTemplateError } from './template-errors.js';
import type { CompiledRule } from './types.js';

export interface ObjectQueryScope {
  seriesName: string;
  /** Label holding the object names. */
  resourceLabel: string;
  names: readonly string[];
  /** Set for namespaced objects: the namespace label and value. */
  namespace?: { label: string; value: string };
  metricSelector: readonly Requirement[];
}

export interface ExternalQueryScope {
  seriesName: string;
  namespace?: { label: string; value: string };
  metricSelector: readonly Requirement[];
}

interface TemplateArgs {
  Series: string;
  LabelMatchers: string;
  LabelValuesByName: GoMap<string>;
  GroupBy: string;
  GroupBySlice: string[];
}

function selectorValues(reqs: readonly Requirement[], values: Map<string, string>): void {
  for (const r of reqs) values.set(r.key, r.values.join('|'));
}

/** What rendering needs of a rule (the load-time check renders templates before a rule exists). */
export type RenderableRule = Pick<CompiledRule, 'path' | 'metricsQuery'>;

function execute(rule: RenderableRule, args: TemplateArgs): string {
  let text: string;
  try {
    text = rule.metricsQuery.execute(args);
  } catch (err) {
    throw new InternalError(
      `${rule.path}.metricsQuery could not be rendered: ${describeTemplateError(err)}`,
      undefined,
      { cause: err },
    );
  }
  if (text.trim() === '') throw new InternalError(`${rule.path}.metricsQuery rendered an empty query`);
  return text;
}

/**
 * The template arguments for the objects `names` (undefined: every object that has the label,
 * `label!=""`), grouped by the resource label and then `extraGroupBy`.
 */
function objectArgs(
  scope: Omit<ObjectQueryScope, 'names'>,
  names: readonly string[] | undefined,
  extraGroupBy: readonly string[],
): TemplateArgs {
  if (names?.length === 0) throw new InternalError('no object names to query');
  const matchers = requirementsToMatchers(scope.metricSelector);
  const values = new Map<string, string>();
  selectorValues(scope.metricSelector, values);
  if (scope.namespace !== undefined) {
    matchers.push(`${scope.namespace.label}=${promqlString(scope.namespace.value)}`);
    values.set(scope.namespace.label, scope.namespace.value);
  }
  if (names === undefined) {
    matchers.push(`${scope.resourceLabel}!=""`);
  } else {
    const [only] = names;
    matchers.push(
      names.length === 1 && only !== undefined
        ? `${scope.resourceLabel}=${promqlString(only)}`
        : `${scope.resourceLabel}=~${promqlString(regexAlternation([...names]))}`,
    );
    values.set(scope.resourceLabel, names.join('|'));
  }
  const groupBy = [scope.resourceLabel, ...extraGroupBy];
  return {
    Series: scope.seriesName,
    LabelMatchers: matchers.join(','),
    LabelValuesByName: new GoMap(values, ''),
    GroupBy: groupBy.join(','),
    GroupBySlice: groupBy,
  };
}

/** The PromQL for the objects `scope.names` (one or more) of a custom-metrics rule. */
export function renderObjectQuery(rule: RenderableRule, scope: ObjectQueryScope): string {
  return execute(rule, objectArgs(scope, scope.names, []));
}

/**
 * The PromQL for every object of the resource (`label!=""` in place of the names). The server
 * never sends this; `explain` runs it when it cannot list the objects a label selector stands for.
 */
export function renderAllObjectsQuery(rule: RenderableRule, scope: Omit<ObjectQueryScope, 'names'>): string {
  return execute(rule, objectArgs(scope, undefined, []));
}

/** The PromQL of an external-metrics rule (no object names; grouping is the rule's business). */
export function renderExternalQuery(rule: CompiledRule, scope: ExternalQueryScope): string {
  const matchers = requirementsToMatchers(scope.metricSelector);
  const values = new Map<string, string>();
  selectorValues(scope.metricSelector, values);
  if (scope.namespace !== undefined) {
    matchers.push(`${scope.namespace.label}=${promqlString(scope.namespace.value)}`);
    values.set(scope.namespace.label, scope.namespace.value);
  }
  for (const repl of rule.labelValueReplacements) {
    if (repl.find === '') continue;
    for (const [k, v] of values) values.set(k, v.split(repl.find).join(repl.replace));
  }
  return execute(rule, {
    Series: scope.seriesName,
    LabelMatchers: matchers.join(','),
    LabelValuesByName: new GoMap(values, ''),
    GroupBy: '',
    GroupBySlice: [],
  });
}

export interface ResourceQueryScope {
  /** Label holding the pod or node names. */
  resourceLabel: string;
  /** The objects to query; undefined: every object that has the label (`label!=""`). */
  names: readonly string[] | undefined;
  namespace?: { label: string; value: string };
  /** Grouping labels after the resource label (the container label for pods). */
  extraGroupBy: readonly string[];
}

/**
 * A resourceRules containerQuery / nodeQuery for some pods or nodes, with the arguments
 * prometheus-adapter's resource provider passes: an empty `.Series`, the namespace and name
 * matchers, and `.GroupBy` = the resource label then the extra labels.
 */
export function renderResourceQuery(rule: RenderableRule, scope: ResourceQueryScope): string {
  return execute(
    rule,
    objectArgs(
      { seriesName: '', resourceLabel: scope.resourceLabel, namespace: scope.namespace, metricSelector: [] },
      scope.names,
      scope.extraGroupBy,
    ),
  );
}

/**
 * Arguments used to check a template at load time (and to find its window); a rule owned by one
 * namespace is checked with its own.
 */
export function sampleObjectScope(namespace = 'sample'): ObjectQueryScope {
  return {
    seriesName: 'sample_series_total',
    resourceLabel: 'pod',
    names: ['sample-a', 'sample-b'],
    namespace: { label: 'namespace', value: namespace },
    metricSelector: [{ key: 'sample_label', operator: '=', values: ['sample'] }],
  };
}

export interface QueryChunk {
  names: readonly string[];
  query: string;
}

/**
 * Renders the query for `names` in as few chunks as keep each query within `maxLength`
 * characters (0: no limit), names in their order, each name in exactly one chunk; a single name
 * whose query is still longer is left as it is (the cap is about URL and regex size, and one name
 * cannot be split). Chunks are first sized from the full query's length per name, then halved
 * where a template repeats the names more than the estimate assumed.
 *
 * Running the chunks and concatenating their samples equals running the whole query when the
 * query's series are per object (grouped by the resource label, as `<<.GroupBy>>` does); a
 * metricsQuery that aggregates across objects (topk, a sum without the resource label) has no
 * per-object answer to give either way.
 */
export function renderChunks(
  names: readonly string[],
  maxLength: number,
  render: (names: readonly string[]) => string,
): QueryChunk[] {
  const whole = render(names);
  if (maxLength <= 0 || whole.length <= maxLength || names.length <= 1) return [{ names, query: whole }];
  const first = names[0] as string;
  const overhead = Math.max(0, render([first]).length - first.length);
  const nameChars = names.reduce((n, s) => n + s.length + 1, 0);
  const perChar = Math.max(1, (whole.length - overhead) / nameChars);
  const budget = Math.max(1, Math.floor((maxLength - overhead) / perChar));
  const out: QueryChunk[] = [];
  const settle = (part: readonly string[], query?: string): void => {
    const text = query ?? render(part);
    if (text.length <= maxLength || part.length <= 1) {
      out.push({ names: part, query: text });
      return;
    }
    const mid = Math.ceil(part.length / 2);
    settle(part.slice(0, mid));
    settle(part.slice(mid));
  };
  let batch: string[] = [];
  let length = 0;
  for (const name of names) {
    if (batch.length > 0 && length + name.length + 1 > budget) {
      settle(batch);
      batch = [];
      length = 0;
    }
    batch.push(name);
    length += name.length + 1;
  }
  if (batch.length > 0) settle(batch);
  return out;
}

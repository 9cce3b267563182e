/**
 * The JSONPath subset a CustomResourceDefinition's additionalPrinterColumns use, evaluated the way
 * the apiserver's table convertor does (missing keys give no result rather than an error). Enough
 * for `.status.x`, `.metadata.labels.app`, `['key.with.dots']`, `[0]`, `[*]` and filters such as
 * `[?(@.type=="Ready")]`; anything else is refused when the path is parsed, as a CRD with a column
 * the real server cannot parse is refused.
 */

type Literal = string | number | boolean;

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; value?: Literal };

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

export interface JsonPath {
  readonly source: string;
  /** Every value the path reaches, in document order. */
  find(root: unknown): unknown[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

function parseLiteral(text: string, source: string): Literal {
  const t = text.trim();
  const quoted = /^"(.*)"$/.exec(t) ?? /^'(.*)'$/.exec(t);
  if (quoted) return quoted[1]!;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new JsonPathError(`unrecognized literal ${t} in ${source}`);
}

function parseFilter(body: string, source: string): Step {
  const m = /^@((?:\.[A-Za-z_$][A-Za-z0-9_$-]*)+)\s*(?:(==|!=)\s*(.+))?$/.exec(body.trim());
  if (!m) throw new JsonPathError(`unrecognized filter ${body} in ${source}`);
  const path = m[1]!.slice(1).split('.');
  if (m[2] === undefined) return { kind: 'filter', path, op: 'exists' };
  return { kind: 'filter', path, op: m[2] as '==' | '!=', value: parseLiteral(m[3]!, source) };
}

function parseBracket(body: string, source: string): Step {
  const t = body.trim();
  if (t === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(t)) return { kind: 'index', index: Number(t) };
  const quoted = /^'([^']*)'$/.exec(t) ?? /^"([^"]*)"$/.exec(t);
  if (quoted) return { kind: 'field', name: quoted[1]! };
  const filter = /^\?\((.*)\)$/.exec(t);
  if (filter) return parseFilter(filter[1]!, source);
  throw new JsonPathError(`unrecognized subscript [${body}] in ${source}`);
}

/** Parses `.a.b[0]` (or the `{.a.b}` template form); throws JsonPathError. */
export function parseJsonPath(source: string): JsonPath {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  if (text.startsWith('$')) text = text.slice(1);
  if (!text.startsWith('.')) throw new JsonPathError(`a JSONPath must start with "." : ${source}`);
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      if (text[i + 1] === '*') {
        steps.push({ kind: 'all' });
        i += 2;
        continue;
      }
      const m = IDENT.exec(text.slice(i + 1));
      if (!m) throw new JsonPathError(`expected a field name at offset ${i + 1} of ${source}`);
      steps.push({ kind: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (ch === '[') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '[' || text[j] === '(') depth++;
        else if (text[j] === ']' || text[j] === ')') depth--;
        if (depth === 0) break;
      }
      if (j >= text.length) throw new JsonPathError(`unclosed [ in ${source}`);
      steps.push(parseBracket(text.slice(i + 1, j), source));
      i = j + 1;
    } else {
      throw new JsonPathError(`unexpected ${ch ?? 'end'} at offset ${i} of ${source}`);
    }
  }
  return { source, find: (root) => evaluate(steps, root) };
}

function child(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[name];
}

function members(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function filterPasses(step: Extract<Step, { kind: 'filter' }>, item: unknown): boolean {
  let cur: unknown = item;
  for (const name of step.path) cur = child(cur, name);
  if (step.op === 'exists') return cur !== undefined && cur !== null;
  if (cur === undefined) return false;
  return step.op === '==' ? cur === step.value : cur !== step.value;
}

function evaluate(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (step.kind) {
        case 'field': {
          const v = child(value, step.name);
          if (v !== undefined) next.push(v);
          break;
        }
        case 'index': {
          if (!Array.isArray(value)) break;
          const v: unknown = value[step.index < 0 ? value.length + step.index : step.index];
          if (v !== undefined) next.push(v);
          break;
        }
        case 'all':
          next.push(...members(value));
          break;
        case 'filter':
          next.push(...members(value).filter((item) => filterPasses(step, item)));
          break;
      }
    }
    current = next;
  }
  return current;
}

/** How the jsonpath printer writes one value: strings bare, other scalars as text, the rest as JSON. */
export function printJsonPathValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

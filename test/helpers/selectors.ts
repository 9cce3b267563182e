/**
 * Kubernetes label and field selector parsing and matching, as the apiserver understands the
 * `labelSelector` and `fieldSelector` query parameters.
 *
 * Label selector grammar (comma-separated requirements, commas inside parentheses belong to a set):
 *   key | !key | key=value | key==value | key!=value | key in (a,b) | key notin (a,b) | key>1 | key<1
 * Field selector grammar: field=value | field==value | field!=value, comma-separated, with `\,`,
 * `\=` and `\\` escapes in values.
 */

export type LabelOperator = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True for the empty selector (matches everything). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `lookup` returns the object's value for a field (undefined when the field is unknown). */
  matches(lookup: (field: string) => string | undefined): boolean;
}

export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function validateKey(key: string): void {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorParseError(`invalid label key "${key}": prefix part must be a DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    throw new SelectorParseError(
      `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function validateValue(value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new SelectorParseError(
      `invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Splits on commas that are not inside parentheses. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorParseError(`unable to parse requirement: unbalanced ')' in "${text}"`);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new SelectorParseError(`unable to parse requirement: unbalanced '(' in "${text}"`);
  parts.push(current);
  return parts;
}

function parseSet(text: string, raw: string): string[] {
  const m = /^\((.*)\)$/s.exec(text.trim());
  if (!m)
    throw new SelectorParseError(
      `unable to parse requirement: found '${text.trim()}', expected: '(' in "${raw}"`,
    );
  const inner = m[1]!.trim();
  const values = inner === '' ? [] : inner.split(',').map((v) => v.trim());
  for (const v of values) validateValue(v);
  return values;
}

function parseRequirement(raw: string): LabelRequirement {
  const text = raw.trim();
  if (text === '')
    throw new SelectorParseError("unable to parse requirement: found '', expected: identifier");
  let m = /^!\s*([^\s=!<>(),]+)$/.exec(text);
  if (m) {
    validateKey(m[1]!);
    return { key: m[1]!, operator: 'notexists', values: [] };
  }
  m = /^([^\s=!<>(),]+)\s+(in|notin)\s*(\(.*\))$/s.exec(text);
  if (m) {
    validateKey(m[1]!);
    const values = parseSet(m[3]!, text);
    if (values.length === 0)
      throw new SelectorParseError(`for 'in', 'notin' operators, values set can't be empty`);
    return { key: m[1]!, operator: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/.exec(text);
  if (m) {
    const key = m[1]!;
    const op = m[2]!;
    const value = m[3]!;
    validateKey(key);
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value))
        throw new SelectorParseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    validateValue(value);
    return { key, operator: op === '!=' ? '!=' : '=', values: [value] };
  }
  m = /^([^\s=!<>(),]+)$/.exec(text);
  if (m) {
    validateKey(m[1]!);
    return { key: m[1]!, operator: 'exists', values: [] };
  }
  throw new SelectorParseError(`unable to parse requirement: "${text}"`);
}

function requirementMatches(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case '=':
      return value === req.values[0];
    case '!=':
      return value !== req.values[0];
    case 'in':
      return value !== undefined && req.values.includes(value);
    case 'notin':
      return value === undefined || !req.values.includes(value);
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const a = Number(value);
      const b = Number(req.values[0]);
      return req.operator === 'gt' ? a > b : a < b;
    }
  }
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  const source = (text ?? '').trim();
  const requirements = source === '' ? [] : splitRequirements(source).map(parseRequirement);
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      const l = labels ?? {};
      return requirements.every((r) => requirementMatches(r, l));
    },
  };
}

function splitUnescaped(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1]!;
      i++;
    } else if (ch === separator) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function unescapeFieldValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === undefined || !'\\,='.includes(next)) {
        throw new SelectorParseError(`invalid field selector: invalid escape sequence in "${value}"`);
      }
      out += next;
      i++;
    } else if (ch === ',' || ch === '=') {
      throw new SelectorParseError(`invalid field selector: unescaped '${ch}' in "${value}"`);
    } else {
      out += ch;
    }
  }
  return out;
}

export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  const source = (text ?? '').trim();
  const requirements: FieldRequirement[] = [];
  if (source !== '') {
    for (const part of splitUnescaped(source, ',')) {
      const m = /^([^=!\s]+)\s*(!=|==|=)(.*)$/s.exec(part.trim());
      if (!m) throw new SelectorParseError(`invalid selector: '${source}'; can't understand '${part}'`);
      requirements.push({
        field: m[1]!,
        operator: m[2] === '!=' ? '!=' : '=',
        value: unescapeFieldValue(m[3]!),
      });
    }
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches(lookup) {
      return requirements.every((r) => {
        const v = lookup(r.field) ?? '';
        return r.operator === '=' ? v === r.value : v !== r.value;
      });
    },
  };
}

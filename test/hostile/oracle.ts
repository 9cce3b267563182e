/**
 * The corpus's oracle for "is this a well-formed X", written from the Kubernetes rules that the
 * metrics APIs follow, independently of src/: a namespace is a DNS-1123 label, an object name the
 * adapter's accepted name form, a label value Kubernetes' label value, a metric name anything
 * without control characters or '/', a resource a plural with an optional group.
 */

export function isDnsLabel(v: string): boolean {
  return v.length >= 1 && v.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v);
}

/** Kubernetes object names (DNS subdomains, plus the upper case, '_' and ':' nodes may carry). */
export function isObjectName(v: string): boolean {
  return v.length >= 1 && v.length <= 253 && /^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$/.test(v);
}

export function isLabelValue(v: string): boolean {
  return v.length <= 63 && /^(([A-Za-z0-9][A-Za-z0-9._-]*)?[A-Za-z0-9])?$/.test(v);
}

export function isMetricName(v: string): boolean {
  if (v.length === 0 || v.length > 512) return false;
  for (const ch of v) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || ch === '/') return false;
  }
  return true;
}

export function isResourceName(v: string): boolean {
  return v.length >= 1 && v.length <= 253 && /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(v);
}

/** A label key: an optional DNS-subdomain prefix and '/', then a qualified name part. */
export function isQualifiedName(v: string): boolean {
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0 || prefix.length > 253) return false;
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(prefix)) return false;
  }
  return name.length >= 1 && name.length <= 63 && /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name);
}

/**
 * What a label selector reads as one token from `v` written after an operator: the text without
 * surrounding whitespace (space, tab, CR, LF), or undefined when whitespace or a selector symbol
 * (= ! ( ) , < >) splits it into several tokens.
 */
export function selectorToken(v: string): string | undefined {
  const t = v.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  return /[ \t\r\n=!(),<>]/.test(t) ? undefined : t;
}

/** Checks several flag groups share, each returning the complaint or undefined when the value is fine. */
import type { FlagValue } from './types.js';

export const port = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v >= 0 && v <= 65535 ? undefined : 'must be a port number between 0 and 65535';
export const nonNegative = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v >= 0 ? undefined : 'must not be negative';
export const positiveDuration = (v: FlagValue): string | undefined =>
  typeof v === 'number' && v > 0 ? undefined : 'must be a positive duration';
export const httpUrl = (v: FlagValue): string | undefined => {
  if (typeof v !== 'string') return 'must be a URL';
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? undefined
      : 'must be an http:// or https:// URL';
  } catch {
    return `invalid URL "${v}"`;
  }
};
export const headerPairs = (v: FlagValue): string | undefined => {
  if (!Array.isArray(v)) return undefined;
  for (const h of v) {
    const eq = h.indexOf('=');
    if (eq <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.slice(0, eq))) {
      return `"${h}" is not of the form Name=value`;
    }
  }
  return undefined;
};

/**
 * Durations as Prometheus writes them (model.Duration: 1d, 3m, 1h30m, 500ms), with Go's syntax
 * (1.5h) accepted too, as in prometheus-adapter's resourceRules.window.
 */
import { parseGoDuration } from '../config/duration.js';

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

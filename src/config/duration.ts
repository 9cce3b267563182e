/**
 * Go `time.Duration` strings ("1m", "1h30m", "1.5s", "250ms"), the format every
 * prometheus-adapter and apiserver duration flag uses.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration into milliseconds; throws Error with a reason on bad input. */
export function parseGoDuration(input: string): number {
  let rest = input.trim();
  if (rest === '') throw new Error('empty duration');
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  let total = 0;
  let parts = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    const num = m?.[1];
    const unit = m?.[2];
    if (m === null || num === undefined || unit === undefined || num === '' || num === '.') {
      throw new Error(`invalid duration "${input}" (use Go syntax such as 30s, 1m, 1h30m, 500ms)`);
    }
    total += Number(num) * (UNIT_MS[unit] ?? 0);
    rest = rest.slice(m[0].length);
    parts++;
    if (parts > 16) throw new Error(`invalid duration "${input}"`);
  }
  return sign * total;
}

/** Formats milliseconds the way Go's Duration.String() does: "1m0s", "15.021s", "500ms". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rem = Math.abs(ms);
  let out: string;
  if (rem < 1000) {
    out = `${trimFloat(rem)}ms`;
  } else {
    const h = Math.floor(rem / 3_600_000);
    rem -= h * 3_600_000;
    const m = Math.floor(rem / 60_000);
    rem -= m * 60_000;
    const s = trimFloat(rem / 1000);
    out = (h > 0 ? `${h}h` : '') + (h > 0 || m > 0 ? `${m}m` : '') + `${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/**
 * PromQL duration literals: `5m`, `1h30m`, `1500ms` (units y w d h m s ms, largest first, each
 * at most once, as Prometheus' model.ParseDuration reads them) and plain numbers, which
 * Prometheus 3 reads as seconds (`[300]`).
 */

const UNIT_MS: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const PLAIN_NUMBER =
  /^(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?$|^0[xX][0-9a-fA-F]+$/;

/** Milliseconds for a duration literal, or undefined if `text` is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '') return undefined;
  const match = DURATION.exec(text);
  if (match !== null) {
    let total = 0;
    UNIT_MS.forEach(([, unitMs], index) => {
      const amount = match[index + 1];
      if (amount !== undefined) total += Number(amount) * unitMs;
    });
    return Number.isSafeInteger(total) ? total : undefined;
  }
  if (PLAIN_NUMBER.test(text)) {
    const seconds = Number(text.replaceAll('_', ''));
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }
  return undefined;
}

/**
 * Encodings of the Kubernetes wire formats: resource.Quantity canonical strings and metav1.Time.
 */

const DECIMAL_SUFFIXES = new Map<number, string>([
  [-9, 'n'],
  [-6, 'u'],
  [-3, 'm'],
  [0, ''],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
]);

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Canonical DecimalSI text of mantissa × 10^exponent, as apimachinery writes it. */
export function decimalQuantity(mantissa: bigint, exponent: number): string {
  if (mantissa === 0n) return '0';
  let m = mantissa;
  let e = exponent;
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  // The exponent must be a multiple of three (JS % truncates like Go's).
  const r = e % 3;
  if (r === 1 || r === -2) {
    m *= 10n;
    e -= 1;
  } else if (r === 2 || r === -1) {
    m *= 100n;
    e -= 2;
  }
  const suffix = DECIMAL_SUFFIXES.get(e);
  return suffix !== undefined ? `${m}${suffix}` : `${m}e${e}`;
}

/**
 * A metric value as prometheus-adapter reports it: resource.NewMilliQuantity(int64(v*1000), DecimalSI).
 * The float multiplication and truncation are the same IEEE operations Go performs, so the text
 * matches prometheus-adapter's byte for byte. Callers must not pass non-finite values.
 */
export function milliQuantity(value: number): string {
  const milli = Math.trunc(value * 1000);
  let m = BigInt(Number.isFinite(milli) ? milli : 0);
  if (m > INT64_MAX) m = INT64_MAX;
  if (m < INT64_MIN) m = INT64_MIN;
  return decimalQuantity(m, -3);
}

/** metav1.Time: RFC 3339 in UTC with second precision. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

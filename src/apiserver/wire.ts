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

/** The canonical text of an integer mantissa × 10^-3 that fits a double exactly (no BigInt). */
function milliText(milli: number): string {
  if (milli === 0) return '0';
  let m = milli;
  let e = -3;
  while (m % 10 === 0) {
    m /= 10;
    e++;
  }
  const r = e % 3;
  if (r === 1 || r === -2) {
    m *= 10;
    e -= 1;
  } else if (r === 2 || r === -1) {
    m *= 100;
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
  // Integers up to 2^53 are exact in a double: the common case needs no BigInt.
  if (Number.isSafeInteger(milli)) return milliText(milli);
  let m = BigInt(Number.isFinite(milli) ? milli : 0);
  if (m > INT64_MAX) m = INT64_MAX;
  if (m < INT64_MIN) m = INT64_MIN;
  return decimalQuantity(m, -3);
}

let lastTime = Number.NaN;
let lastText = '';

/**
 * metav1.Time: RFC 3339 in UTC with second precision. The items of one answer share a timestamp,
 * so the last one is remembered.
 */
export function formatTime(d: Date): string {
  const t = Math.floor(d.getTime() / 1000);
  if (t !== lastTime) {
    lastText = new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastTime = t;
  }
  return lastText;
}

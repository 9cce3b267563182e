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
  return scaledText(Math.trunc(value * 1000), -3);
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

/** Canonical DecimalSI text of an integer mantissa × 10^exponent; doubles when exact, BigInt otherwise. */
function scaledText(mantissa: number, exponent: number): string {
  if (!Number.isSafeInteger(mantissa)) {
    let m = BigInt(Number.isFinite(mantissa) ? Math.trunc(mantissa) : 0);
    if (m > INT64_MAX) m = INT64_MAX;
    if (m < INT64_MIN) m = INT64_MIN;
    return decimalQuantity(m, exponent);
  }
  if (mantissa === 0) return '0';
  let m = mantissa;
  let e = exponent;
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
 * CPU as metrics-server writes it: resource.NewScaledQuantity(nanocores, -9), canonical
 * ("1873205n", "1600m", "2"). The value is rounded to whole nanocores first.
 */
export function cpuQuantity(nanoCores: number): string {
  return scaledText(Math.round(nanoCores), -9);
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * Memory as metrics-server writes it: resource.NewQuantity(bytes, BinarySI), canonical. As in
 * apimachinery, values strictly between -1024 and 1024 are written as DecimalSI ("1k" for 1000),
 * others with the largest power-of-1024 suffix that divides them ("24688Ki", "9Gi", "1500").
 */
export function memoryQuantity(bytes: number): string {
  const b = Math.round(bytes);
  if (b > -1024 && b < 1024) return scaledText(b, 0);
  if (!Number.isSafeInteger(b)) {
    let v = BigInt(Number.isFinite(b) ? b : 0);
    if (v > INT64_MAX) v = INT64_MAX;
    if (v < INT64_MIN) v = INT64_MIN;
    let i = 0;
    while (v % 1024n === 0n && i < BINARY_SUFFIXES.length - 1) {
      v /= 1024n;
      i++;
    }
    return `${v}${BINARY_SUFFIXES[i] ?? ''}`;
  }
  let v = b;
  let i = 0;
  while (v % 1024 === 0 && i < BINARY_SUFFIXES.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v}${BINARY_SUFFIXES[i] ?? ''}`;
}

/** The fraction digits of v / 10^prec without trailing zeros ('' when none), and v's integer part. */
function fraction(v: bigint, prec: number): { text: string; rest: bigint } {
  let digits = '';
  let printed = false;
  let rest = v;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = `${digit}${digits}`;
    rest /= 10n;
  }
  return { text: printed ? `.${digits}` : '', rest };
}

/**
 * metav1.Duration: Go's time.Duration.String() of a duration given in milliseconds (rounded to
 * whole nanoseconds): "0s", "1.5ms", "15.021s", "1m0s", "1h0m0s".
 */
export function formatGoDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const sign = negative ? '-' : '';
  if (ns === 0n) return '0s';
  if (ns < 1_000_000_000n) {
    let unit: string;
    let prec: number;
    if (ns < 1_000n) {
      unit = 'ns';
      prec = 0;
    } else if (ns < 1_000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const { text, rest } = fraction(ns, prec);
    return `${sign}${rest}${text}${unit}`;
  }
  const { text, rest } = fraction(ns, 9);
  const seconds = rest % 60n;
  const minutes = rest / 60n;
  if (minutes === 0n) return `${sign}${seconds}${text}s`;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes % 60n}m${seconds}${text}s`;
  return `${sign}${hours}h${minutes % 60n}m${seconds}${text}s`;
}
